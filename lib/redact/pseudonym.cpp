#include "redact/pseudonym.h"

namespace privaudit::redact {

namespace {
constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

bool sector_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
}  // namespace

bool valid_sector(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!sector_char(c)) return false;
  return true;
}

std::string base32_lower(std::string_view bytes, size_t chars) {
  std::string out;
  out.reserve(chars);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 5 && out.size() < chars) {
      out.push_back(kAlphabet[(acc >> (bits - 5)) & 31]);
      bits -= 5;
    }
    acc &= (1u << bits) - 1;
    if (out.size() >= chars) return out;
  }
  if (bits > 0 && out.size() < chars) out.push_back(kAlphabet[(acc << (5 - bits)) & 31]);
  return out;
}

bool looks_like_pseudonym(std::string_view v) {
  if (v.size() < 3 + 1 + 1 + kTokenChars || v.substr(0, 3) != "pa_") return false;
  std::string_view tail = v.substr(v.size() - kTokenChars);
  if (v[v.size() - kTokenChars - 1] != '_') return false;
  if (!valid_sector(v.substr(3, v.size() - kTokenChars - 4))) return false;
  for (char c : tail)
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  return true;
}

std::string Pseudonymiser::token(std::string_view rule, std::string_view norm) const {
  std::string msg;
  msg.reserve(sector_.size() + rule.size() + norm.size() + 2);
  msg.append(sector_);
  msg.push_back('\0');
  msg.append(rule);
  msg.push_back('\0');
  msg.append(norm);
  return "pa_" + sector_ + "_" + base32_lower(key_.hmac(msg), kTokenChars);
}

}  // namespace privaudit::redact
