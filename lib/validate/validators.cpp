#include "validate/validators.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

namespace privaudit::validate {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

int my_number_check_digit(std::string_view first11) {
  // Weights run 6,5,4,3,2,7,6,5,4,3,2 from the leftmost digit (2..7 from the right).
  int sum = 0;
  for (int i = 0; i < 11; ++i) {
    int n = 11 - i;  // position from the right, 1-based, of digit i
    int w = n <= 6 ? n + 1 : n - 5;
    sum += (first11[i] - '0') * w;
  }
  int r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

bool my_number(std::string_view d) {
  if (d.size() != 12) return false;
  // my_number_check_digit's weights, with the digit check in the same loop.
  static constexpr unsigned kWeight[11] = {6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  unsigned sum = 0;
  for (int i = 0; i < 11; ++i) {
    unsigned v = static_cast<unsigned char>(d[i]) - unsigned{'0'};
    if (v > 9) return false;
    sum += v * kWeight[i];
  }
  unsigned last = static_cast<unsigned char>(d[11]) - unsigned{'0'};
  if (last > 9) return false;
  unsigned r = sum % 11;
  return (r <= 1 ? 0 : 11 - r) == last;
}

int corporate_number_check_digit(std::string_view base12) {
  int sum = 0;
  for (int i = 0; i < 12; ++i) {
    int pos = 12 - i;  // from the right, 1-based
    sum += (base12[i] - '0') * (pos % 2 == 1 ? 1 : 2);
  }
  return 9 - sum % 9;
}

bool corporate_number(std::string_view d) {
  if (d.size() != 13) return false;
  // corporate_number_check_digit over d[1..12] (weights 2,1,2,1,... from the
  // left), with the digit check in the same loop.
  unsigned sum = 0;
  for (int i = 1; i < 13; ++i) {
    unsigned v = static_cast<unsigned char>(d[i]) - unsigned{'0'};
    if (v > 9) return false;
    sum += (i & 1) ? 2 * v : v;
  }
  unsigned first = static_cast<unsigned char>(d[0]) - unsigned{'0'};
  if (first > 9) return false;
  return 9 - sum % 9 == first;
}

bool luhn(std::string_view d) {
  if (d.empty()) return false;
  // Doubled digit, 9 subtracted when over 9.
  static constexpr unsigned char kDouble[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
  unsigned sum = 0;
  const size_t n = d.size();
  for (size_t i = 0; i < n; ++i) {  // i counts from the right
    unsigned v = static_cast<unsigned char>(d[n - 1 - i]) - unsigned{'0'};
    if (v > 9) return false;
    sum += (i & 1) ? kDouble[v] : v;
  }
  return sum % 10 == 0;
}

namespace {
// The issuer prefixes' lengths (luhn_card without the check digit), from the
// first six digits read once (n >= 13 here).
bool card_prefix_fits(std::string_view d, size_t n) {
  if (d[0] == '4') return n == 13 || n == 16 || n == 19;  // Visa
  int v6 = 0;
  for (int i = 0; i < 6; ++i) v6 = v6 * 10 + (d[i] - '0');
  const int p2 = v6 / 10000, p3 = v6 / 1000, p4 = v6 / 100;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;  // Mastercard
  if (p2 == 34 || p2 == 37) return n == 15;                                   // Amex
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;                    // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 == 36 || (p2 >= 38 && p2 <= 39))
    return n >= 14 && n <= 19;                                                // Diners
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (v6 >= 622126 && v6 <= 622925))
    return n >= 16 && n <= 19;                                                // Discover
  if (p2 == 62) return n >= 16 && n <= 19;                                    // UnionPay
  if (p2 == 50 || (p2 >= 56 && p2 <= 69)) return n >= 12;                     // Maestro
  return false;
}
}  // namespace

bool luhn_card(std::string_view d) {
  size_t n = d.size();
  // The prefix first: it rejects most digit runs more cheaply than Luhn.
  return n >= 13 && n <= 19 && card_prefix_fits(d, n) && luhn(d);
}

int iban_length(std::string_view cc) {
  struct Len { const char* cc; int len; };
  static const Len lens[] = {
      {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
      {"BG", 22}, {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28},
      {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24},
      {"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18},
      {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23},
      {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32},
      {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22},
      {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
      {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24},
      {"SC", 31}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28},
      {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}};
  if (cc.size() < 2) return 0;
  for (auto& l : lens)
    if (cc[0] == l.cc[0] && cc[1] == l.cc[1]) return l.len;
  return 0;
}

bool iban(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  int want = iban_length(s);
  if (want == 0 || static_cast<int>(s.size()) != want) return false;
  if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9') return false;
  // Move the first four characters to the end, letters to 10..35, mod 97.
  int rem = 0;
  for (size_t k = 0; k < s.size(); ++k) {
    char c = s[(k + 4) % s.size()];
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

bool us_ssn(std::string_view d) {
  if (d.size() != 9 || !all_digits(d)) return false;
  int area = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
  if (area == 0 || area == 666 || area >= 900) return false;
  if (d[3] == '0' && d[4] == '0') return false;
  if (d.substr(5) == "0000") return false;
  return true;
}

bool jp_phone(std::string_view d) {
  if (!all_digits(d) || d[0] != '0' || d.size() < 10 || d.size() > 11) return false;
  if (d[1] == '0') return false;  // 00: international prefix
  std::string_view p3 = d.substr(0, 3);
  bool mobile = p3 == "070" || p3 == "080" || p3 == "090";
  bool ip = p3 == "050";
  bool pager = p3 == "020";
  if (d.size() == 11) return mobile || ip || pager || d.substr(0, 4) == "0800";
  // 10 digits: geographic numbers, 0120 / 0570 / 0180 (non-geographic, 10 digits).
  if (mobile || ip || pager || d.substr(0, 4) == "0800") return false;
  return true;
}

bool email(std::string_view a) {
  size_t at = a.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  std::string_view local = a.substr(0, at), dom = a.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  if (dom.size() < 4 || dom.size() > 253) return false;
  size_t start = 0;
  int labels = 0;
  while (start <= dom.size()) {
    size_t dot = dom.find('.', start);
    if (dot == std::string_view::npos) dot = dom.size();
    std::string_view label = dom.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    ++labels;
    if (dot == dom.size()) {
      for (char c : label)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
      if (label.size() < 2) return false;
      break;
    }
    start = dot + 1;
  }
  return labels >= 2;
}

bool ipv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = i;
    int v = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 4) v = v * 10 + (s[j++] - '0');
    size_t len = j - i;
    if (len == 0 || len > 3 || v > 255 || (len > 1 && s[i] == '0')) return false;
    ++parts;
    if (j == s.size()) break;
    if (s[j] != '.' || parts == 4) return false;
    i = j + 1;
  }
  return parts == 4;
}

bool ipv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  unsigned char out[16];
  if (inet_pton(AF_INET6, buf, out) != 1) return false;
  // Reject degenerate forms that are rarely addresses in text ("::", "::1" is kept).
  return std::string_view(buf) != "::";
}

ValidatorFn find(std::string_view name) {
  static const std::pair<std::string_view, ValidatorFn> table[] = {
      {"my_number", my_number}, {"corporate_number", corporate_number},
      {"luhn", luhn},           {"luhn_card", luhn_card},
      {"iban", iban},           {"us_ssn", us_ssn},
      {"jp_phone", jp_phone},   {"email", email},
      {"ipv4", ipv4},           {"ipv6", ipv6}};
  for (auto& [n, f] : table)
    if (n == name) return f;
  return nullptr;
}

}  // namespace privaudit::validate
