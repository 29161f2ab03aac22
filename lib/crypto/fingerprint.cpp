#include "crypto/fingerprint.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace privaudit {

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

Fingerprinter Fingerprinter::random() {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) std::abort();  // no entropy: cannot run safely
  return Fingerprinter(std::string(reinterpret_cast<char*>(key), sizeof key), false);
}

bool Fingerprinter::from_options(const std::string& key_file, Fingerprinter& out,
                                 std::string& error) {
  if (!key_file.empty()) {
    std::ifstream in(key_file, std::ios::binary);
    if (!in) {
      error = key_file + ": cannot read the key file";
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.empty()) {
      error = key_file + ": the key file is empty";
      return false;
    }
    out = Fingerprinter(std::move(key), true);
    return true;
  }
  if (const char* env = std::getenv("PRIVAUDIT_KEY"); env && *env) {
    out = Fingerprinter(env, true);
    return true;
  }
  out = random();
  return true;
}

std::string Fingerprinter::hmac(std::string_view message) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string Fingerprinter::fingerprint(std::string_view rule, std::string_view value) const {
  std::string msg;
  msg.reserve(rule.size() + 1 + value.size());
  msg.append(rule);
  msg.push_back('\0');
  msg.append(value);
  return to_hex(hmac(msg).substr(0, 8));
}

}  // namespace privaudit
