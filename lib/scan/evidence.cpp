#include "scan/evidence.h"

#include <algorithm>
#include <cstring>

#include "core/utf8.h"

namespace privaudit {

namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

bool ascii_word_char(unsigned char c) { return utf8::is_ascii_letter(c); }

}  // namespace

KeywordIndex::KeywordIndex(const std::vector<Rule>& rules) {
  auto add = [&](const std::string& text, uint32_t r, bool pos) {
    std::string t = lower_ascii(utf8::fold_width(text));
    if (t.empty()) return;
    auto it = std::find_if(kws_.begin(), kws_.end(), [&](const Keyword& k) { return k.text == t; });
    if (it == kws_.end()) {
      Keyword k;
      k.text = t;
      k.ascii = std::all_of(t.begin(), t.end(), [](char c) { return (c & 0x80) == 0; });
      kws_.push_back(std::move(k));
      it = kws_.end() - 1;
    }
    (pos ? it->positive : it->negative).push_back(r);
  };
  for (uint32_t i = 0; i < rules.size(); ++i) {
    for (auto& k : rules[i].context) add(k, i, true);
    for (auto& k : rules[i].context_negative) add(k, i, false);
  }
  // Longest first, so "個人番号カード" wins over "個人番号" at the same place.
  std::sort(kws_.begin(), kws_.end(),
            [](const Keyword& a, const Keyword& b) { return a.text.size() > b.text.size(); });
}

int KeywordIndex::verdict(const Keyword& k, uint32_t r) const {
  if (std::find(k.positive.begin(), k.positive.end(), r) != k.positive.end()) return 1;
  return -1;  // names another identifier, or is one of r's negative keywords
}

int KeywordIndex::nearest(std::string_view hay, bool from_end, size_t& distance) const {
  int best = -1;
  size_t best_dist = SIZE_MAX;
  for (size_t i = 0; i < kws_.size(); ++i) {
    const Keyword& k = kws_[i];
    if (k.text.size() > hay.size()) continue;
    size_t pos = from_end ? hay.rfind(k.text) : hay.find(k.text);
    while (pos != std::string_view::npos) {
      bool ok = true;
      if (k.ascii) {
        size_t e = pos + k.text.size();
        if (pos > 0 && ascii_word_char(static_cast<unsigned char>(hay[pos - 1]))) ok = false;
        if (e < hay.size() && ascii_word_char(static_cast<unsigned char>(hay[e]))) ok = false;
      }
      if (ok) break;
      if (from_end) {
        if (pos == 0) { pos = std::string_view::npos; break; }
        pos = hay.rfind(k.text, pos - 1);
      } else {
        pos = hay.find(k.text, pos + 1);
      }
    }
    if (pos == std::string_view::npos) continue;
    size_t dist = from_end ? hay.size() - (pos + k.text.size()) : pos;
    if (dist < best_dist) {
      best_dist = dist;
      best = static_cast<int>(i);
    }
  }
  distance = best_dist;
  return best;
}

int KeywordIndex::classify_name(std::string_view name, uint32_t r) const {
  if (name.empty()) return 0;
  std::string n = lower_ascii(utf8::fold_width(name));
  // Own keywords first: a field named "mynumber_tel" still names a My Number.
  bool other = false;
  for (auto& k : kws_) {
    size_t pos = n.find(k.text);
    bool found = false;
    while (pos != std::string::npos) {
      size_t e = pos + k.text.size();
      if (!k.ascii || ((pos == 0 || !ascii_word_char(static_cast<unsigned char>(n[pos - 1]))) &&
                       (e >= n.size() || !ascii_word_char(static_cast<unsigned char>(n[e]))))) {
        found = true;
        break;
      }
      pos = n.find(k.text, pos + 1);
    }
    if (!found) continue;
    if (verdict(k, r) > 0) return 1;
    other = true;
  }
  return other ? -1 : 0;
}

int KeywordIndex::window(const char* buf, size_t lo, size_t hi, size_t start, size_t end,
                         uint32_t r) const {
  constexpr size_t kBefore = 48, kAfter = 24, kNegativeReach = 16, kAfterReach = 16;
  // Before: back to the line start, at most kBefore bytes.
  size_t b = start > lo + kBefore ? start - kBefore : lo;
  for (size_t i = start; i > b; --i)
    if (buf[i - 1] == '\n') { b = i; break; }
  b = utf8::char_start(buf, lo, b);
  if (b < start) {
    std::string hay = lower_ascii(utf8::fold_width(std::string_view(buf + b, start - b)));
    size_t dist;
    int k = nearest(hay, true, dist);
    if (k >= 0) {
      int v = verdict(kws_[k], r);
      if (v > 0) return 1;
      if (dist <= kNegativeReach) return -1;
    }
  }
  size_t e = std::min(hi, end + kAfter);
  for (size_t i = end; i < e; ++i)
    if (buf[i] == '\n') { e = i; break; }
  e = utf8::char_start(buf, end, e);
  if (end < e) {
    std::string hay = lower_ascii(utf8::fold_width(std::string_view(buf + end, e - end)));
    size_t dist;
    int k = nearest(hay, false, dist);
    if (k >= 0 && dist <= kAfterReach) return verdict(kws_[k], r) > 0 ? 1 : 0;
  }
  return 0;
}

std::string_view log_field_key(const char* buf, size_t lo, size_t start) {
  size_t i = start;
  size_t limit = start > lo + 64 ? start - 64 : lo;
  auto at = [&](size_t k) { return static_cast<unsigned char>(buf[k]); };
  // Optional opening quote, then spaces.
  if (i > limit && (at(i - 1) == '"' || at(i - 1) == '\'')) --i;
  while (i > limit && at(i - 1) == ' ') --i;
  // '=' or ':' or full-width '：' (EF BC 9A).
  if (i > limit && (at(i - 1) == '=' || at(i - 1) == ':')) {
    --i;
  } else if (i >= limit + 3 && at(i - 3) == 0xEF && at(i - 2) == 0xBC && at(i - 1) == 0x9A) {
    i -= 3;
  } else {
    return {};
  }
  while (i > limit && at(i - 1) == ' ') --i;
  if (i > limit && (at(i - 1) == '"' || at(i - 1) == '\'')) --i;
  size_t key_end = i;
  while (i > limit) {
    unsigned char c = at(i - 1);
    bool keych = utf8::is_ascii_letter(c) || utf8::is_ascii_digit(c) || c == '_' || c == '.' ||
                 c == '-' || c >= 0x80;
    if (!keych) break;
    --i;
  }
  i = utf8::char_start(buf, lo, i);
  // char_start may step back into a partial char; realign forward.
  while (i < key_end && utf8::is_continuation(at(i))) ++i;
  if (i == key_end) return {};
  return std::string_view(buf + i, key_end - i);
}

}  // namespace privaudit
