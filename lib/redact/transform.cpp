#include "redact/transform.h"

#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "core/utf8.h"
#include "link/values.h"

namespace privaudit::redact {

std::string_view to_string(Action a) {
  switch (a) {
    case Action::keep: return "keep";
    case Action::pseudonym: return "pseudonym";
    case Action::mask: return "mask";
    case Action::drop: return "drop";
  }
  return "mask";
}

bool parse_action(std::string_view s, Action& out, std::string& reason) {
  reason.clear();
  if (s.substr(0, 5) == "keep:" && s.size() > 5) {
    out = Action::keep;
    reason.assign(s.substr(5));
    return true;
  }
  if (s == "mask") out = Action::mask;
  else if (s == "drop") out = Action::drop;
  else if (s == "pseudonym") out = Action::pseudonym;
  else if (s == "keep") out = Action::keep;
  else return false;
  return true;
}

namespace {

uint32_t decode(std::string_view s, size_t i, size_t& len) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (n == 1 || i + n > s.size()) {
    len = 1;
    return c;
  }
  uint32_t cp = c & (0x7Fu >> n);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  len = n;
  return cp;
}

bool ascii_alnum(uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

// A character a mask replaces (letters, digits, kana, kanji ...), as opposed
// to separators and punctuation, which keep the written form.
bool value_cp(uint32_t cp) {
  if (cp < 0x80) return ascii_alnum(cp);
  if (cp >= 0xFF10 && cp <= 0xFF19) return true;                    // ０-９
  if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A)) return true;  // Ａ-Ｚ ａ-ｚ
  if (cp >= 0xFF00 && cp <= 0xFF65) return false;                    // full-width punctuation
  if (cp >= 0x2000 && cp <= 0x206F) return false;                    // general punctuation (‐ – —)
  if (cp >= 0x3000 && cp <= 0x303F) return false;                    // CJK punctuation, U+3000
  if (cp == 0x2212 || cp == 0x30FC || cp == 0x30FB) return false;    // − ー ・
  return cp >= 0x80 && cp != 0xFFFD;
}

// Half-width characters are masked with '*', everything else with '＊'.
bool half_width(uint32_t cp) { return cp < 0x80 || (cp >= 0xFF61 && cp <= 0xFF9F); }

bool digit_cp(uint32_t cp) { return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19); }

// ASCII digits of `v` (full-width folded); `other` is set when anything but
// digits, spaces and the given extra characters occurs.
std::string digits_of(std::string_view v, std::string_view extra, bool& other) {
  std::string out;
  other = false;
  for (size_t i = 0; i < v.size();) {
    size_t len;
    uint32_t cp = decode(v, i, len);
    if (cp >= '0' && cp <= '9') out.push_back(static_cast<char>(cp));
    else if (cp >= 0xFF10 && cp <= 0xFF19) out.push_back(static_cast<char>('0' + (cp - 0xFF10)));
    else if (cp != ' ' && cp != 0x3000 && extra.find(v.substr(i, len)) == std::string_view::npos)
      other = true;
    i += len;
  }
  return out;
}

}  // namespace

std::string mask_written(std::string_view raw, size_t keep) {
  std::vector<std::pair<size_t, size_t>> chars;  // value characters: position, length
  for (size_t i = 0; i < raw.size();) {
    size_t len;
    uint32_t cp = decode(raw, i, len);
    if (value_cp(cp)) chars.emplace_back(i, len);
    i += len;
  }
  size_t kept = std::min(keep, chars.size() / 2);
  size_t masked = chars.size() - kept;
  std::string out;
  out.reserve(raw.size() + masked * 2);
  size_t pos = 0;
  for (size_t k = 0; k < masked; ++k) {
    auto [at, len] = chars[k];
    out.append(raw.substr(pos, at - pos));
    size_t l2;
    out.append(half_width(decode(raw, at, l2)) ? "*" : "\xEF\xBC\x8A");
    pos = at + len;
  }
  out.append(raw.substr(pos));
  return out;
}

bool digits_only(std::string_view v) {
  bool any = false;
  for (size_t i = 0; i < v.size();) {
    size_t len;
    uint32_t cp = decode(v, i, len);
    if (value_cp(cp)) {
      if (!digit_cp(cp)) return false;
      any = true;
    }
    i += len;
  }
  return any;
}

bool parse_generalisation(std::string_view s, Generalisation& out) {
  if (s == "date:year") out = {Generalisation::Kind::date_year, 0};
  else if (s == "date:month") out = {Generalisation::Kind::date_month, 0};
  else {
    auto colon = s.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view kind = s.substr(0, colon), arg = s.substr(colon + 1);
    int n = 0;
    auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
    if (ec != std::errc() || p != arg.data() + arg.size()) return false;
    if (kind == "postal" && n >= 1 && n <= 6) out = {Generalisation::Kind::postal, n};
    else if (kind == "age" && n >= 1 && n <= 100) out = {Generalisation::Kind::age, n};
    else return false;
  }
  return true;
}

std::string to_string(const Generalisation& g) {
  switch (g.kind) {
    case Generalisation::Kind::date_year: return "date:year";
    case Generalisation::Kind::date_month: return "date:month";
    case Generalisation::Kind::postal: return fmt::format("postal:{}", g.arg);
    case Generalisation::Kind::age: return fmt::format("age:{}", g.arg);
  }
  return {};
}

bool generalise(const Generalisation& g, std::string_view value, std::string& out) {
  bool other = false;
  switch (g.kind) {
    case Generalisation::Kind::date_year:
    case Generalisation::Kind::date_month: {
      std::string d = link::normalise_date(value);
      if (d.size() != 10) return false;
      out = d.substr(0, g.kind == Generalisation::Kind::date_year ? 4 : 7);
      return true;
    }
    case Generalisation::Kind::postal: {
      std::string d = digits_of(value, "-〒－−‐", other);
      if (other || d.size() != 7) return false;
      std::string s = d.substr(0, static_cast<size_t>(g.arg)) + std::string(7 - static_cast<size_t>(g.arg), '*');
      out = s.substr(0, 3) + "-" + s.substr(3);
      return true;
    }
    case Generalisation::Kind::age: {
      std::string d = digits_of(value, "歳才", other);
      if (other || d.empty() || d.size() > 3) return false;
      int age = std::stoi(d);
      if (age > 150) return false;
      int lo = age / g.arg * g.arg;
      out = g.arg == 1 ? std::to_string(age) : fmt::format("{}-{}", lo, lo + g.arg - 1);
      return true;
    }
  }
  return false;
}

}  // namespace privaudit::redact
