#include "crypto/fingerprint.h"

#define OPENSSL_SUPPRESS_DEPRECATED  // SHA256_* is the fast path for precomputed HMAC pads
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <cstring>
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

static_assert(sizeof(SHA256_CTX) <= 128, "SHA256_CTX fits the saved state");

Fingerprinter::Fingerprinter(std::string key, bool user_supplied)
    : key_(std::move(key)), user_supplied_(user_supplied) {
  unsigned char k[SHA256_CBLOCK] = {0};
  if (key_.size() > SHA256_CBLOCK)
    SHA256(reinterpret_cast<const unsigned char*>(key_.data()), key_.size(), k);
  else
    std::memcpy(k, key_.data(), key_.size());
  unsigned char pad[SHA256_CBLOCK];
  SHA256_CTX ctx;
  for (size_t i = 0; i < SHA256_CBLOCK; ++i) pad[i] = k[i] ^ 0x36;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, pad, sizeof pad);
  std::memcpy(inner_.bytes, &ctx, sizeof ctx);
  for (size_t i = 0; i < SHA256_CBLOCK; ++i) pad[i] = k[i] ^ 0x5c;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, pad, sizeof pad);
  std::memcpy(outer_.bytes, &ctx, sizeof ctx);
}

std::string Fingerprinter::hmac(std::string_view message) const {
  SHA256_CTX ctx;
  unsigned char ih[SHA256_DIGEST_LENGTH], md[SHA256_DIGEST_LENGTH];
  std::memcpy(&ctx, inner_.bytes, sizeof ctx);
  SHA256_Update(&ctx, message.data(), message.size());
  SHA256_Final(ih, &ctx);
  std::memcpy(&ctx, outer_.bytes, sizeof ctx);
  SHA256_Update(&ctx, ih, sizeof ih);
  SHA256_Final(md, &ctx);
  return std::string(reinterpret_cast<char*>(md), sizeof md);
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
