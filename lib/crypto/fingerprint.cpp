#include "crypto/fingerprint.h"

#define OPENSSL_SUPPRESS_DEPRECATED  // SHA256_* is the fast path for precomputed HMAC pads
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <initializer_list>
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

namespace {
// HMAC over the concatenation of `parts`, from the precomputed pad states.
void hmac_parts(const unsigned char* inner, const unsigned char* outer,
                std::initializer_list<std::string_view> parts, unsigned char md[SHA256_DIGEST_LENGTH]) {
  SHA256_CTX ctx;
  unsigned char ih[SHA256_DIGEST_LENGTH];
  std::memcpy(&ctx, inner, sizeof ctx);
  for (auto p : parts) SHA256_Update(&ctx, p.data(), p.size());
  SHA256_Final(ih, &ctx);
  std::memcpy(&ctx, outer, sizeof ctx);
  SHA256_Update(&ctx, ih, sizeof ih);
  SHA256_Final(md, &ctx);
}
}  // namespace

std::string Fingerprinter::hmac(std::string_view message) const {
  unsigned char md[SHA256_DIGEST_LENGTH];
  hmac_parts(inner_.bytes, outer_.bytes, {message}, md);
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

void Fingerprinter::fingerprint_into(std::string& out, std::string_view rule, std::string_view value) const {
  static const char* digits = "0123456789abcdef";
  unsigned char md[SHA256_DIGEST_LENGTH];
  hmac_parts(inner_.bytes, outer_.bytes, {rule, std::string_view("\0", 1), value}, md);
  out.resize(16);
  for (size_t i = 0; i < 8; ++i) {
    out[2 * i] = digits[md[i] >> 4];
    out[2 * i + 1] = digits[md[i] & 15];
  }
}

std::string Fingerprinter::fingerprint(std::string_view rule, std::string_view value) const {
  std::string out;
  fingerprint_into(out, rule, value);
  return out;
}

}  // namespace privaudit
