#include "match/engine.h"

#include <fmt/format.h>
#include <hs/hs.h>
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "core/utf8.h"

namespace privaudit {

namespace {

constexpr size_t kMaxRunDigits = 24;  // longer runs can be no identifier
constexpr size_t kMaxTokenRuns = 16;

bool is_digit_validator(const Rule& r) {
  static const char* names[] = {"my_number", "corporate_number", "luhn", "luhn_card",
                                "us_ssn", "jp_phone"};
  for (auto* n : names)
    if (r.validator_name == n) return true;
  return r.has_digits();
}

}  // namespace

std::string normalise_value(const Rule& rule, std::string_view raw) {
  std::string folded = utf8::fold_width(raw);
  if (is_digit_validator(rule)) {
    std::string d;
    for (char c : folded)
      if (c >= '0' && c <= '9') d.push_back(c);
    return d;
  }
  if (rule.validator_name == "iban") {
    std::string d;
    for (char c : folded)
      if (c != ' ') d.push_back(static_cast<char>((c >= 'a' && c <= 'z') ? c - 32 : c));
    return d;
  }
  if (rule.validator_name == "email" || rule.validator_name == "ipv6") {
    for (auto& c : folded)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return folded;
}

class Engine::Scratch {
 public:
  hs_scratch_t* hs = nullptr;
  struct Hit {
    uint32_t slot;
    size_t end;
  };
  std::vector<Hit> hits;
  struct SomMatch {
    size_t from, to;
  };
  std::vector<SomMatch> som;
  // Digit-run token being built.
  struct Run {
    size_t start, end;
    uint8_t ndigits;
    bool overflow;
    char digits[kMaxRunDigits];
  };
  Run runs[kMaxTokenRuns];
  size_t nruns = 0;
  uint32_t sep = 0;
  std::string norm;
  std::vector<Candidate> tmp;
  ~Scratch() {
    if (hs) hs_free_scratch(hs);
  }
};

struct Engine::Impl {
  static int on_prefilter(unsigned id, unsigned long long, unsigned long long to, unsigned,
                          void* ctx) {
    auto* s = static_cast<Scratch*>(ctx);
    s->hits.push_back({id, static_cast<size_t>(to)});
    return 0;
  }
  static int on_som(unsigned, unsigned long long from, unsigned long long to, unsigned,
                    void* ctx) {
    auto* s = static_cast<Scratch*>(ctx);
    s->som.push_back({static_cast<size_t>(from), static_cast<size_t>(to)});
    return 0;
  }
};

Engine::~Engine() {
  if (prefilter_db_) hs_free_database(static_cast<hs_database_t*>(prefilter_db_));
  for (auto& p : pattern_rules_)
    if (p.som_db) hs_free_database(static_cast<hs_database_t*>(p.som_db));
}

std::unique_ptr<Engine> Engine::build(std::vector<Rule> rules, std::string& error) {
  std::unique_ptr<Engine> e(new Engine());
  e->rules_ = std::move(rules);
  std::vector<std::string> exprs;
  std::vector<unsigned> flags, ids;
  for (uint32_t i = 0; i < e->rules_.size(); ++i) {
    const Rule& r = e->rules_[i];
    if (r.has_digits()) {
      DigitRule d{i, r.digits.lengths, r.digits.groupings};
      for (int l : d.lengths) e->max_digits_ = std::max(e->max_digits_, static_cast<size_t>(l));
      for (auto& g : d.groupings) {
        int sum = 0;
        for (int x : g) sum += x;
        e->max_digits_ = std::max(e->max_digits_, static_cast<size_t>(sum));
      }
      e->digit_rules_.push_back(std::move(d));
      continue;
    }
    // Pattern rule: one SOM database of its own patterns for confirmation.
    uint32_t slot = static_cast<uint32_t>(e->pattern_rules_.size());
    std::vector<const char*> cexpr;
    std::vector<unsigned> cflags, cids;
    for (auto& p : r.patterns) {
      bool utf8 = std::any_of(p.begin(), p.end(), [](char c) { return (c & 0x80) != 0; });
      unsigned f = utf8 ? (HS_FLAG_UTF8 | HS_FLAG_UCP) : 0u;
      exprs.push_back(p);
      flags.push_back(f);
      ids.push_back(static_cast<unsigned>(e->pattern_to_slot_.size()));
      e->pattern_to_slot_.push_back(slot);
      cexpr.push_back(p.c_str());
      cflags.push_back(f | HS_FLAG_SOM_LEFTMOST);
      cids.push_back(0);
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(cexpr.data(), cflags.data(), cids.data(),
                         static_cast<unsigned>(cexpr.size()), HS_MODE_BLOCK, nullptr, &db,
                         &err) != HS_SUCCESS) {
      error = fmt::format("{}: rule '{}': pattern does not compile: {}", r.source, r.id,
                          err ? err->message : "unknown error");
      hs_free_compile_error(err);
      return nullptr;
    }
    e->pattern_rules_.push_back({i, db});
  }
  if (!exprs.empty()) {
    std::vector<const char*> cexpr;
    for (auto& x : exprs) cexpr.push_back(x.c_str());
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(cexpr.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(cexpr.size()), HS_MODE_BLOCK, nullptr, &db,
                         &err) != HS_SUCCESS) {
      std::string who = "?";
      if (err && err->expression >= 0)
        who = e->rules_[e->pattern_rules_[e->pattern_to_slot_[err->expression]].rule].id;
      error = fmt::format("rule '{}': pattern does not compile: {}", who,
                          err ? err->message : "unknown error");
      hs_free_compile_error(err);
      return nullptr;
    }
    e->prefilter_db_ = db;
  }
  return e;
}

void Engine::ScratchDeleter::operator()(Scratch* s) const { delete s; }

Engine::ScratchPtr Engine::make_scratch() const {
  ScratchPtr s(new Scratch());
  if (prefilter_db_) hs_alloc_scratch(static_cast<hs_database_t*>(prefilter_db_), &s->hs);
  for (auto& p : pattern_rules_)
    hs_alloc_scratch(static_cast<hs_database_t*>(p.som_db), &s->hs);
  return s;
}

void Engine::scan(Scratch& s, const char* buf, size_t begin, size_t end,
                  std::vector<Candidate>& out) const {
  size_t first = out.size();
  if (!digit_rules_.empty()) digit_pass(s, buf, begin, end, out);
  if (prefilter_db_) pattern_pass(s, buf, begin, end, out);
  std::sort(out.begin() + static_cast<ptrdiff_t>(first), out.end(),
            [](const Candidate& a, const Candidate& b) {
              return a.start != b.start ? a.start < b.start : a.rule < b.rule;
            });
}

// ---------------------------------------------------------------- digit pass

namespace {

// Bit i set when byte i of the 64 bytes at p is an ASCII digit or 0xEF (the
// lead byte of a full-width digit).
inline uint64_t interesting_mask(const unsigned char* p) {
  const __m128i zero = _mm_set1_epi8('0');
  const __m128i nine = _mm_set1_epi8(9);
  const __m128i ef = _mm_set1_epi8(static_cast<char>(0xEF));
  uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    __m128i d = _mm_sub_epi8(v, zero);
    __m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d);
    __m128i ise = _mm_cmpeq_epi8(v, ef);
    auto bits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(isd, ise)));
    m |= static_cast<uint64_t>(bits) << (16 * k);
  }
  return m;
}

// True when the character ending just before `pos` glues a value to its left:
// an ASCII letter (but not the n/t/r of a JSON or C escape like "\n"), or a
// digit followed by '.', which makes the value the fraction of a number.
inline bool glued_left(const unsigned char* b, size_t lo, size_t pos) {
  if (pos <= lo) return false;
  unsigned char c = b[pos - 1];
  if (utf8::is_ascii_letter(c)) {
    if ((c == 'n' || c == 't' || c == 'r') && pos - 1 > lo && b[pos - 2] == '\\') return false;
    return true;
  }
  if (c == '.' && pos - 1 > lo && utf8::is_ascii_digit(b[pos - 2])) return true;
  return false;
}

inline bool glued_right(const unsigned char* b, size_t end, size_t pos) {
  if (pos >= end) return false;
  unsigned char c = b[pos];
  if (utf8::is_ascii_letter(c)) return true;
  if (c == '.' && pos + 1 < end && utf8::is_ascii_digit(b[pos + 1])) return true;
  return false;
}

}  // namespace

void Engine::digit_pass(Scratch& s, const char* cbuf, size_t begin, size_t end,
                        std::vector<Candidate>& out) const {
  const auto* b = reinterpret_cast<const unsigned char*>(cbuf);
  s.nruns = 0;
  s.sep = 0;

  // Emits the candidates of runs[i, i+n) when its shape fits a rule. Returns
  // true when some candidate validated. `keep_invalid`: emit shape matches
  // that fail validation (for field statistics).
  auto emit = [&](size_t i, size_t n, bool keep_invalid) -> bool {
    size_t total = 0;
    for (size_t k = i; k < i + n; ++k) {
      if (s.runs[k].overflow) return false;
      total += s.runs[k].ndigits;
    }
    if (total > max_digits_) return false;
    s.norm.clear();
    for (size_t k = i; k < i + n; ++k) s.norm.append(s.runs[k].digits, s.runs[k].ndigits);
    bool any_valid = false;
    size_t mark = out.size();
    for (const DigitRule& dr : digit_rules_) {
      bool shape = false;
      if (n == 1) {
        shape = std::find(dr.lengths.begin(), dr.lengths.end(), static_cast<int>(total)) !=
                dr.lengths.end();
      } else {
        for (auto& g : dr.groupings) {
          if (g.size() != n) continue;
          bool ok = true;
          for (size_t k = 0; k < n && ok; ++k) ok = g[k] == s.runs[i + k].ndigits;
          if (ok) { shape = true; break; }
        }
      }
      if (!shape) continue;
      const Rule& r = rules_[dr.rule];
      bool valid = r.validator ? r.validator(s.norm) : true;
      any_valid |= valid;
      if (valid || keep_invalid)
        out.push_back({dr.rule, s.runs[i].start, s.runs[i + n - 1].end, s.norm, valid});
    }
    if (!any_valid && !keep_invalid) out.resize(mark);
    return any_valid;
  };

  auto finalize = [&]() {
    size_t n = s.nruns;
    if (n == 0) return;
    bool left_ok = !glued_left(b, 0, s.runs[0].start);
    bool right_ok = !glued_right(b, end, s.runs[n - 1].end);
    bool whole_valid = false;
    if (left_ok && right_ok) whole_valid = emit(0, n, true);
    if (!whole_valid && n > 1 && utf8::is_space_separator(s.sep)) {
      // Space-separated digit groups: values may sit side by side ("123456789018
      // 210987654321") or inside a longer list; try the longest fitting span.
      size_t i = 0;
      while (i < n) {
        bool found = false;
        for (size_t len = std::min(n - i, size_t{8}); len >= 1; --len) {
          if (i == 0 && len == n) continue;
          if (i == 0 && !left_ok) continue;
          if (i + len == n && !right_ok) continue;
          if (emit(i, len, false)) {
            i += len;
            found = true;
            break;
          }
        }
        if (!found) ++i;
      }
    }
    s.nruns = 0;
    s.sep = 0;
  };

  // Parses the digit run at p (p < end, b[p] is a digit or 0xEF); returns the
  // position after it, or p + 1 when p holds no digit.
  auto on_candidate = [&](size_t p) -> size_t {
    size_t q = p;
    Scratch::Run run{};
    run.start = p;
    while (q < end) {
      unsigned char c = b[q];
      char d;
      if (utf8::is_ascii_digit(c)) {
        d = static_cast<char>(c);
        q += 1;
      } else if (c == 0xEF && q + 2 < end && utf8::is_fullwidth_digit(b + q)) {
        d = static_cast<char>('0' + (b[q + 2] - 0x90));
        q += 3;
      } else {
        break;
      }
      if (run.ndigits < kMaxRunDigits)
        run.digits[run.ndigits++] = d;
      else
        run.overflow = true;
    }
    if (q == p) return p + 1;  // 0xEF that is no digit
    run.end = q;
    // Join to the token when exactly one separator, the same as before, lies
    // between the previous run and this one.
    if (s.nruns > 0) {
      size_t gap_from = s.runs[s.nruns - 1].end;
      uint32_t cp = 0;
      size_t len = utf8::separator_at(b + gap_from, p - gap_from, cp);
      bool joined = len != 0 && gap_from + len == p && (s.sep == 0 || s.sep == cp);
      if (joined && s.nruns < kMaxTokenRuns) {
        s.sep = cp;
        s.runs[s.nruns++] = run;
        return q;
      }
      finalize();
    }
    s.runs[s.nruns++] = run;
    return q;
  };

  size_t next = begin;
  alignas(64) unsigned char tail[64 + 64];
  for (size_t blk = begin; blk < end; blk += 64) {
    uint64_t m;
    if (end - blk >= 64) {
      m = interesting_mask(b + blk);
    } else {
      std::memset(tail, 0, sizeof tail);
      std::memcpy(tail, b + blk, end - blk);
      m = interesting_mask(tail);
    }
    if (next > blk) {
      size_t sh = next - blk;
      if (sh >= 64) continue;
      m &= ~uint64_t{0} << sh;
    }
    while (m) {
      size_t p = blk + static_cast<size_t>(__builtin_ctzll(m));
      next = on_candidate(p);
      size_t rel = next - blk;
      if (rel >= 64) break;
      m &= ~uint64_t{0} << rel;
    }
  }
  finalize();
}

// -------------------------------------------------------------- pattern pass

void Engine::pattern_pass(Scratch& s, const char* buf, size_t begin, size_t end,
                          std::vector<Candidate>& out) const {
  s.hits.clear();
  // Scan from the start of the buffer so patterns see their left context;
  // hits ending inside the context were reported by the previous call.
  hs_scan(static_cast<hs_database_t*>(prefilter_db_), buf, static_cast<unsigned>(end), 0, s.hs,
          Impl::on_prefilter, &s);
  if (s.hits.empty()) return;
  // Map to slots, group by slot (stable in end order).
  for (auto& h : s.hits) h.slot = pattern_to_slot_[h.slot];
  std::stable_sort(s.hits.begin(), s.hits.end(),
                   [](const Scratch::Hit& a, const Scratch::Hit& b) { return a.slot < b.slot; });
  size_t i = 0;
  while (i < s.hits.size()) {
    uint32_t slot = s.hits[i].slot;
    const PatternRule& pr = pattern_rules_[slot];
    const Rule& rule = rules_[pr.rule];
    s.som.clear();
    // Merge hit windows [end - kMaxValueBytes, end] and confirm each window
    // with the rule's start-of-match database.
    while (i < s.hits.size() && s.hits[i].slot == slot) {
      size_t wend = s.hits[i].end;
      size_t wbeg = wend > kMaxValueBytes ? wend - kMaxValueBytes : 0;
      wbeg = utf8::char_start(buf, 0, wbeg);
      ++i;
      while (i < s.hits.size() && s.hits[i].slot == slot &&
             s.hits[i].end <= wend + kMaxValueBytes) {
        wend = std::max(wend, s.hits[i].end);
        ++i;
      }
      size_t before = s.som.size();
      hs_scan(static_cast<hs_database_t*>(pr.som_db), buf + wbeg,
              static_cast<unsigned>(wend - wbeg), 0, s.hs, Impl::on_som, &s);
      for (size_t k = before; k < s.som.size(); ++k) {
        s.som[k].from += wbeg;
        s.som[k].to += wbeg;
      }
    }
    // Leftmost-longest, non-overlapping.
    std::sort(s.som.begin(), s.som.end(), [](const Scratch::SomMatch& a, const Scratch::SomMatch& b) {
      return a.from != b.from ? a.from < b.from : a.to > b.to;
    });
    size_t covered = 0;
    for (auto& m : s.som) {
      if (m.from < covered || m.to <= begin || m.from == m.to) continue;
      covered = m.to;
      Candidate c;
      c.rule = pr.rule;
      c.start = m.from;
      c.end = m.to;
      c.norm = normalise_value(rule, std::string_view(buf + m.from, m.to - m.from));
      c.valid = rule.validator ? rule.validator(c.norm) : true;
      out.push_back(std::move(c));
    }
  }
}

}  // namespace privaudit
