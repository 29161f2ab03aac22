#include "link/values.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/utf8.h"
#include "match/engine.h"
#include "redact/pseudonym.h"

namespace privaudit::link {

std::string_view to_string(ValueKind k) {
  switch (k) {
    case ValueKind::text: return "text";
    case ValueKind::name: return "name";
    case ValueKind::date: return "date";
    case ValueKind::sex: return "sex";
    case ValueKind::digits: return "digits";
    case ValueKind::identifier: return "identifier";
  }
  return "text";
}

namespace {

std::string_view trim_spaces(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
    else if (s.size() >= 3 && s.substr(0, 3) == "\xE3\x80\x80") s.remove_prefix(3);
    else break;
  }
  for (;;) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    else if (s.size() >= 3 && s.substr(s.size() - 3) == "\xE3\x80\x80") s.remove_suffix(3);
    else break;
  }
  return s;
}

// Reads 1..max_len ASCII digits at s[i]; advances i. -1 if none.
int read_number(std::string_view s, size_t& i, size_t max_len) {
  size_t start = i;
  int v = 0;
  while (i < s.size() && i - start < max_len && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
  return i == start ? -1 : v;
}

bool skip(std::string_view s, size_t& i, std::string_view lit) {
  if (s.substr(i, lit.size()) != lit) return false;
  i += lit.size();
  return true;
}

bool days_ok(int y, int m, int d) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  if (d > mdays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

// After the date: nothing, or a time introduced by 'T' or a space.
bool tail_ok(std::string_view s, size_t i) {
  return i == s.size() || s[i] == 'T' || s[i] == ' ';
}

std::string format_date(int y, int m, int d) { return fmt::format("{:04}-{:02}-{:02}", y, m, d); }

// Era start years (year 1 of the era); first letter abbreviations.
struct Era {
  std::string_view kanji;
  char letter;
  int base;  // Gregorian year of era year 1
};
constexpr std::array<Era, 5> kEras = {{{"明治", 'm', 1868}, {"大正", 't', 1912}, {"昭和", 's', 1926},
                                        {"平成", 'h', 1989}, {"令和", 'r', 2019}}};

// Month and day after the year: "1月2日", "-01-02", "/1/2", ".1.2".
bool read_month_day(std::string_view s, size_t& i, bool kanji, int& m, int& d) {
  if (kanji) {
    m = read_number(s, i, 2);
    if (m < 0 || !skip(s, i, "月")) return false;
    d = read_number(s, i, 2);
    if (d < 0) return false;
    skip(s, i, "日");
    return true;
  }
  if (i >= s.size()) return false;
  char sep = s[i];
  if (sep != '-' && sep != '/' && sep != '.') return false;
  ++i;
  m = read_number(s, i, 2);
  if (m < 0 || i >= s.size() || s[i] != sep) return false;
  ++i;
  d = read_number(s, i, 2);
  return d >= 0;
}

std::string parse_era_date(std::string_view s) {
  for (auto& era : kEras) {
    size_t i = 0;
    bool kanji = skip(s, i, era.kanji);
    if (!kanji && !(s.size() > 1 && (s[0] == era.letter || s[0] == era.letter - 32))) continue;
    if (!kanji) i = 1;
    int y = skip(s, i, "元") ? 1 : read_number(s, i, 2);
    if (y < 1) return {};
    if (kanji && !skip(s, i, "年")) return {};
    int m = 0, d = 0;
    if (!read_month_day(s, i, kanji, m, d) || !tail_ok(s, i)) return {};
    int year = era.base + y - 1;
    return days_ok(year, m, d) ? format_date(year, m, d) : std::string();
  }
  return {};
}

std::string parse_gregorian_date(std::string_view s) {
  size_t i = 0;
  int y = read_number(s, i, 4);
  if (y < 0) return {};
  int m = 0, d = 0;
  if (i == 4 && (i == s.size() || !(s[i] >= '0' && s[i] <= '9'))) {
    bool kanji = skip(s, i, "年");
    if (!read_month_day(s, i, kanji, m, d)) return {};
  } else {
    // 19900102
    i = 0;
    if (s.size() < 8) return {};
    for (size_t k = 0; k < 8; ++k)
      if (s[k] < '0' || s[k] > '9') return {};
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[4] - '0') * 10 + (s[5] - '0');
    d = (s[6] - '0') * 10 + (s[7] - '0');
    i = 8;
  }
  if (!tail_ok(s, i)) return {};
  return days_ok(y, m, d) ? format_date(y, m, d) : std::string();
}

std::string normalise_sex(std::string_view v) {
  static const std::array<std::string_view, 6> male = {"m", "male", "男", "男性", "man", "1"};
  static const std::array<std::string_view, 6> female = {"f", "female", "女", "女性", "woman", "2"};
  std::string l = light_normalise(v);
  for (auto s : male)
    if (l == s) return "m";
  for (auto s : female)
    if (l == s) return "f";
  return l;
}

std::string only_digits(std::string_view v) {
  std::string folded = utf8::fold_width(v), out;
  for (char c : folded)
    if (c >= '0' && c <= '9') out.push_back(c);
  return out.empty() ? light_normalise(v) : out;
}

std::string without_spaces(std::string_view v) {
  std::string l = light_normalise(v), out;
  out.reserve(l.size());
  for (char c : l)
    if (c != ' ' && c != '\t') out.push_back(c);
  return out;
}

bool has_non_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

// True when `t` is only digits (ASCII or full-width) and separators, and the
// digit count is one the rule accepts: "tel 0312345678" is not one value.
bool whole_digit_value(const Rule& rule, std::string_view t) {
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  int digits = 0;
  for (size_t i = 0; i < t.size();) {
    if (utf8::is_ascii_digit(p[i])) {
      ++digits;
      ++i;
    } else if (i + 3 <= t.size() && utf8::is_fullwidth_digit(p + i)) {
      ++digits;
      i += 3;
    } else {
      uint32_t cp = 0;
      size_t len = utf8::separator_at(p + i, t.size() - i, cp);
      if (!len) return false;
      i += len;
    }
  }
  auto& ls = rule.digits.lengths;
  if (std::find(ls.begin(), ls.end(), digits) != ls.end()) return true;
  for (auto& g : rule.digits.groupings) {
    int sum = 0;
    for (int x : g) sum += x;
    if (sum == digits) return true;
  }
  return false;
}

}  // namespace

std::string_view trim_value(std::string_view v) { return trim_spaces(v); }

std::string light_normalise(std::string_view v) {
  std::string_view t = trim_spaces(v);
  std::string s;
  if (has_non_ascii(t)) {
    s = utf8::fold_width(t);
    t = trim_spaces(s);
  }
  std::string out(t);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string normalise_date(std::string_view v) {
  std::string_view t = trim_spaces(v);
  std::string s;
  if (has_non_ascii(t)) {
    s = utf8::fold_width(t);
    t = trim_spaces(s);
  }
  if (t.empty()) return {};
  if (t[0] >= '0' && t[0] <= '9') return parse_gregorian_date(t);
  return parse_era_date(t);
}

std::string canonical_value(ValueKind kind, const Rule* rule, std::string_view v) {
  std::string_view t = trim_spaces(v);
  if (t.empty()) return {};
  switch (kind) {
    case ValueKind::text: return light_normalise(t);
    case ValueKind::name: return without_spaces(t);
    case ValueKind::date: {
      std::string d = normalise_date(t);
      return d.empty() ? light_normalise(t) : d;
    }
    case ValueKind::sex: return normalise_sex(t);
    case ValueKind::digits: return only_digits(t);
    case ValueKind::identifier: {
      // A redact pseudonym stands for the identifier: compared as written.
      if (!rule || redact::looks_like_pseudonym(t)) return light_normalise(t);
      std::string n = normalise_value(*rule, t);
      return n.empty() ? light_normalise(t) : n;
    }
  }
  return light_normalise(t);
}

std::string valid_identifier(const Rule& rule, std::string_view cell) {
  std::string_view t = trim_spaces(cell);
  if (t.empty()) return {};
  std::string n = normalise_value(rule, t);
  if (n.empty()) return {};
  if (rule.has_digits() && !whole_digit_value(rule, t)) return {};
  if (rule.validator && !rule.validator(n)) return {};
  return n;
}

}  // namespace privaudit::link
