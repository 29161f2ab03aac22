#include "scan/evidence.h"

#include <algorithm>
#include <cstring>

#include <hs/hs.h>

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
  // Longest first, so "個人番号カード" wins over "個人番号" ending at the same place.
  std::sort(kws_.begin(), kws_.end(),
            [](const Keyword& a, const Keyword& b) { return a.text.size() > b.text.size(); });
  if (kws_.empty()) return;
  std::vector<const char*> lits;
  std::vector<size_t> lens;
  std::vector<unsigned> flags, ids;
  for (uint32_t i = 0; i < kws_.size(); ++i) {
    lits.push_back(kws_[i].text.data());
    lens.push_back(kws_[i].text.size());
    flags.push_back(HS_FLAG_CASELESS);
    ids.push_back(i);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(lits.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(lits.size()), HS_MODE_BLOCK, nullptr, &db,
                           &err) != HS_SUCCESS) {
    hs_free_compile_error(err);  // literals always compile; without a db no keyword is found
    db = nullptr;
  }
  db_ = db;
}

KeywordIndex::~KeywordIndex() {
  if (db_) hs_free_database(static_cast<hs_database_t*>(db_));
}

class KeywordIndex::Scratch {
 public:
  hs_scratch_t* hs = nullptr;
  std::vector<Hit>* out = nullptr;
  size_t base = 0, from = 0, to = 0;
  std::string padded;
  ~Scratch() {
    if (hs) hs_free_scratch(hs);
  }
};

void KeywordIndex::ScratchDeleter::operator()(Scratch* s) const { delete s; }

KeywordIndex::ScratchPtr KeywordIndex::make_scratch() const {
  ScratchPtr s(new Scratch());
  if (db_) hs_alloc_scratch(static_cast<hs_database_t*>(db_), &s->hs);
  return s;
}

void KeywordIndex::find(Scratch& s, const char* buf, size_t lo, size_t from, size_t to,
                        std::vector<Hit>& hits, size_t readable_after) const {
  if (!db_ || to <= lo) return;
  s.out = &hits;
  s.base = lo;
  s.from = from;
  s.to = to;
  size_t first = hits.size();
  // vectorscan 5.4.9 misses matches at the very end of a block on AVX-512
  // CPUs (see match/engine.cpp): the block goes on 64 bytes past `to` (the
  // bytes that follow, or a padded copy); hits past `to` are dropped.
  const char* block = buf + lo;
  size_t block_len = to - lo + 64;
  if (readable_after < 64) {
    s.padded.assign(buf + lo, to - lo);
    s.padded.append(64, '\n');
    block = s.padded.data();
  }
  hs_scan(static_cast<hs_database_t*>(db_), block, static_cast<unsigned>(block_len), 0, s.hs,
          [](unsigned id, unsigned long long, unsigned long long e, unsigned, void* ctx) -> int {
            auto* sc = static_cast<Scratch*>(ctx);
            size_t end = sc->base + static_cast<size_t>(e);
            if (end > sc->from && end <= sc->to) sc->out->push_back({end, id});
            return 0;
          },
          &s);
  // At one end, shorter keywords first: window() walks backwards and so
  // meets the longest keyword ending there first. vectorscan reports in end
  // order already, mostly.
  auto less = [](const Hit& a, const Hit& b) { return a.end != b.end ? a.end < b.end : a.kw > b.kw; };
  auto from_it = hits.begin() + static_cast<ptrdiff_t>(first);
  if (!std::is_sorted(from_it, hits.end(), less)) std::sort(from_it, hits.end(), less);
}

int KeywordIndex::verdict(const Keyword& k, uint32_t r) const {
  if (std::find(k.positive.begin(), k.positive.end(), r) != k.positive.end()) return 1;
  return -1;  // names another identifier, or is one of r's negative keywords
}

bool KeywordIndex::boundary_ok(const Keyword& k, const char* buf, size_t lo, size_t hi,
                               size_t kend) const {
  if (!k.ascii) return true;
  size_t kstart = kend - k.text.size();
  if (kstart < lo) return false;
  if (kstart > lo && ascii_word_char(static_cast<unsigned char>(buf[kstart - 1]))) return false;
  if (kend < hi && ascii_word_char(static_cast<unsigned char>(buf[kend]))) return false;
  return true;
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

namespace {
// True when buf[from, to) holds a newline; the ranges are a few dozen bytes,
// shorter than a memchr call is worth.
inline bool newline_in(const char* buf, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i)
    if (buf[i] == '\n') return true;
  return false;
}

// The first hit in [from, size) whose end is past `v` (strict: end > v) or at
// least `v` (!strict), looking at a few hits one by one before searching.
size_t first_hit_after(const std::vector<KeywordIndex::Hit>& hits, size_t from, size_t v,
                       bool strict) {
  auto before = [&](const KeywordIndex::Hit& h) { return strict ? h.end <= v : h.end < v; };
  size_t i = from;
  for (size_t k = 0; k < 8 && i < hits.size(); ++k, ++i)
    if (!before(hits[i])) return i;
  auto it = std::partition_point(hits.begin() + static_cast<ptrdiff_t>(i), hits.end(), before);
  return static_cast<size_t>(it - hits.begin());
}
}  // namespace

int KeywordIndex::window(const std::vector<Hit>& hits, const char* buf, size_t lo, size_t hi,
                         size_t start, size_t end, uint32_t r, size_t* cursor) const {
  constexpr size_t kBefore = 48, kNegativeReach = 16, kAfterReach = 16;
  // Before: the hit ending nearest to (at or before) start, on the same line.
  // The cursor is used when every hit before it ends at or before start.
  size_t from = 0;
  if (cursor && *cursor <= hits.size() && (*cursor == 0 || hits[*cursor - 1].end <= start))
    from = *cursor;
  size_t ub = first_hit_after(hits, from, start, true);
  if (cursor) *cursor = ub;
  auto it = hits.begin() + static_cast<ptrdiff_t>(ub);
  while (it != hits.begin()) {
    --it;
    const Keyword& k = kws_[it->kw];
    if (it->end + kBefore < start) break;
    size_t kstart = it->end - k.text.size();
    if (kstart < lo || newline_in(buf, it->end, start)) break;
    if (!boundary_ok(k, buf, lo, hi, it->end)) continue;
    if (verdict(k, r) > 0) return 1;
    if (start - it->end <= kNegativeReach) return -1;
    break;
  }
  // After: the first keyword starting within kAfterReach bytes after end.
  // Every hit before `ub` ends at or before start, so before end too.
  auto jt = hits.begin() + static_cast<ptrdiff_t>(first_hit_after(hits, end > start ? ub : 0, end, false));
  for (; jt != hits.end(); ++jt) {
    const Keyword& k = kws_[jt->kw];
    size_t kstart = jt->end - k.text.size();
    if (kstart < end) continue;
    if (kstart > end + kAfterReach) break;
    if (newline_in(buf, end, kstart)) break;
    if (!boundary_ok(k, buf, lo, hi, jt->end)) continue;
    return verdict(k, r) > 0 ? 1 : 0;
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
