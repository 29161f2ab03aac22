// Sector-keyed pseudonyms: one person gets one token within a sector (a
// hospital can join its own tables) and unrelated tokens in another (tax and
// health tables cannot be joined, even by someone holding both).
//
//   token = "pa_" sector "_" base32(HMAC-SHA-256(key, sector 0x00 rule 0x00 value))[:26]
//
// base32 is RFC 4648's alphabet in lower case (a-z, 2-7), no padding; 26
// characters carry 130 bits of the digest.
#pragma once
#include <string>
#include <string_view>

#include "crypto/fingerprint.h"

namespace privaudit::redact {

constexpr size_t kTokenChars = 26;  // base32 characters of the digest (130 bits)

// True for a usable sector name: 1-32 characters of a-z, 0-9 and '-'.
bool valid_sector(std::string_view sector);

// RFC 4648 base32 of `bytes`, lower case, cut to `chars` characters.
std::string base32_lower(std::string_view bytes, size_t chars);

// True when `v` (whole) has the form of a pseudonym token.
bool looks_like_pseudonym(std::string_view v);

class Pseudonymiser {
 public:
  // `key` must be user-supplied: a random key would make tokens useless.
  Pseudonymiser(const Fingerprinter& key, std::string sector) : key_(key), sector_(std::move(sector)) {}
  // The token of a normalised value found by `rule` (or a column's
  // "column:NAME" pseudo-rule).
  std::string token(std::string_view rule, std::string_view norm) const;
  const std::string& sector() const { return sector_; }

 private:
  const Fingerprinter& key_;
  std::string sector_;
};

}  // namespace privaudit::redact
