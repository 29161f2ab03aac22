#include "match/engine.h"

#include <fmt/format.h>
#include <hs/hs.h>
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "core/utf8.h"
#include "validate/validators.h"

namespace privaudit {

namespace {

// A copy of p[0, n) followed by 64 newlines. vectorscan 5.4.9 (the Debian 12
// package) misses matches ending in the last bytes of a block on AVX-512
// CPUs (upstream issues #304, #378); matches in the padding are dropped.
void padded_copy(std::string& out, const char* p, size_t n) {
  out.assign(p, n);
  out.append(64, '\n');
}

constexpr uint32_t kMaxRunDigits = 24;  // longer runs can be no identifier
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
  std::string norm;
  std::vector<Candidate> pcands;  // confirmed pattern-rule candidates, by start
  std::string padded, window;     // padded copies handed to vectorscan
  size_t pnext = 0;               // next of pcands to hand out
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
    if (!r.matcher.empty()) {
      uint32_t* slot = r.matcher == "ipv4"    ? &e->m_ipv4_
                       : r.matcher == "ipv6"  ? &e->m_ipv6_
                       : r.matcher == "iban"  ? &e->m_iban_
                       : r.matcher == "email" ? &e->m_email_
                                              : &e->m_passport_;
      *slot = i;
      if (r.matcher != "ipv6" && r.matcher != "email")
        e->has_digit_rules_ = true;  // served inside the digit pass
      continue;
    }
    if (r.has_digits()) {
      e->has_digit_rules_ = true;
      for (int l : r.digits.lengths) {
        auto n = static_cast<size_t>(l);
        if (e->by_length_.size() <= n) e->by_length_.resize(n + 1);
        e->by_length_[n].push_back(i);
        e->max_digits_ = std::max(e->max_digits_, n);
      }
      for (auto& g : r.digits.groupings) {
        uint64_t key = g.size();
        size_t sum = 0;
        for (int x : g) {
          key = (key << 5) | static_cast<uint64_t>(x);
          sum += static_cast<size_t>(x);
        }
        e->max_digits_ = std::max(e->max_digits_, sum);
        e->max_groups_ = std::max(e->max_groups_, g.size());
        auto it = std::find_if(e->by_grouping_.begin(), e->by_grouping_.end(),
                               [&](auto& p) { return p.first == key; });
        if (it == e->by_grouping_.end()) {
          e->by_grouping_.push_back({key, {}});
          it = e->by_grouping_.end() - 1;
        }
        it->second.push_back(i);
      }
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

const std::vector<uint32_t>* Engine::rules_for(const size_t* groups, size_t n) const {
  if (n == 1) {
    size_t l = groups[0];
    return l < by_length_.size() && !by_length_[l].empty() ? &by_length_[l] : nullptr;
  }
  if (n > max_groups_) return nullptr;
  uint64_t key = n;
  for (size_t k = 0; k < n; ++k) {
    if (groups[k] >= 32) return nullptr;
    key = (key << 5) | groups[k];
  }
  for (auto& [k, rules] : by_grouping_)
    if (k == key) return &rules;
  return nullptr;
}

namespace {
// Hands out pattern candidates (already sorted) that start before `pos`.
void flush_patterns(std::vector<Candidate>& pc, size_t& next, size_t pos, CandidateSink& sink) {
  while (next < pc.size() && pc[next].start < pos) {
    const Candidate& c = pc[next++];
    sink.candidate({c.rule, c.start, c.end, c.norm, c.valid});
  }
}

class VectorSink : public CandidateSink {
 public:
  explicit VectorSink(std::vector<Candidate>& out) : out_(out) {}
  void candidate(const CandidateRef& c) override {
    out_.push_back({c.rule, c.start, c.end, std::string(c.norm), c.valid});
  }

 private:
  std::vector<Candidate>& out_;
};
}  // namespace

void Engine::scan(Scratch& s, const char* buf, size_t begin, size_t end, CandidateSink& sink) const {
  s.pcands.clear();
  s.pnext = 0;
  if (prefilter_db_) pattern_pass(s, buf, begin, end);
  if (m_ipv6_ != kNone) ipv6_pass(s, buf, begin, end);
  if (m_email_ != kNone) email_pass(s, buf, begin, end);
  std::sort(s.pcands.begin(), s.pcands.end(), [](const Candidate& a, const Candidate& b) {
    return a.start != b.start ? a.start < b.start : a.rule < b.rule;
  });
  if (has_digit_rules_) digit_pass(s, buf, begin, end, sink);
  flush_patterns(s.pcands, s.pnext, SIZE_MAX, sink);
}

void Engine::scan(Scratch& s, const char* buf, size_t begin, size_t end,
                  std::vector<Candidate>& out) const {
  VectorSink sink(out);
  scan(s, buf, begin, end, sink);
}

// ---------------------------------------------------------------- digit pass

namespace {
inline bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alnum(unsigned char c) { return utf8::is_ascii_letter(c) || utf8::is_ascii_digit(c); }
}  // namespace

namespace {

// Bit i of `digits` set when byte i of the 64 bytes at p is an ASCII digit;
// bit i of the result when it is a digit or 0xEF (the lead byte of a
// full-width digit).
inline uint64_t interesting_mask(const unsigned char* p, uint64_t& digits) {
  const __m128i zero = _mm_set1_epi8('0');
  const __m128i nine = _mm_set1_epi8(9);
  const __m128i ef = _mm_set1_epi8(static_cast<char>(0xEF));
  uint64_t m = 0, dm = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    __m128i d = _mm_sub_epi8(v, zero);
    __m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d);
    __m128i ise = _mm_cmpeq_epi8(v, ef);
    auto dbits = static_cast<uint32_t>(_mm_movemask_epi8(isd));
    auto ebits = static_cast<uint32_t>(_mm_movemask_epi8(ise));
    dm |= static_cast<uint64_t>(dbits) << (16 * k);
    m |= static_cast<uint64_t>(dbits | ebits) << (16 * k);
  }
  digits = dm;
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
                        CandidateSink& sink) const {
  const auto* b = reinterpret_cast<const unsigned char*>(cbuf);
  // The token being built: digit runs joined by one consistent separator.
  struct Run {
    size_t start, end;
    uint32_t ndigits;
    bool fullwidth;
  };
  Run runs[kMaxTokenRuns];
  size_t nruns = 0;
  uint32_t sep = 0;
  std::string& norm = s.norm;

  // Writes the ASCII digits of run r at out; returns the end of them.
  auto put_digits = [&](const Run& r, char* out) -> char* {
    if (!r.fullwidth) {
      std::memcpy(out, cbuf + r.start, r.end - r.start);
      return out + (r.end - r.start);
    }
    for (size_t q = r.start; q < r.end;) {
      if (b[q] < 0x80) *out++ = static_cast<char>(b[q++]);
      else { *out++ = static_cast<char>('0' + (b[q + 2] - 0x90)); q += 3; }
    }
    return out;
  };

  // Emits the candidates of runs[i, i+n) when its shape fits a rule. Returns
  // true when some candidate validated. `keep_invalid`: emit shape matches
  // that fail validation (for field statistics).
  auto emit = [&](size_t i, size_t n, bool keep_invalid) -> bool {
    size_t groups[kMaxTokenRuns];
    size_t total = 0;
    for (size_t k = 0; k < n; ++k) {
      groups[k] = runs[i + k].ndigits;
      total += groups[k];
    }
    if (total > max_digits_) return false;
    if (n == 1) groups[0] = total;
    const std::vector<uint32_t>* fit = rules_for(groups, n);
    if (!fit) return false;
    // The runs' bytes bound their digits.
    size_t bytes = 0;
    for (size_t k = i; k < i + n; ++k) bytes += runs[k].end - runs[k].start;
    if (norm.size() < bytes) norm.resize(std::max(bytes, size_t{64}));
    char* w = norm.data();
    for (size_t k = i; k < i + n; ++k) w = put_digits(runs[k], w);
    const std::string_view nv(norm.data(), static_cast<size_t>(w - norm.data()));
    bool valid[8];
    bool any_valid = false;
    size_t m = std::min(fit->size(), size_t{8});
    for (size_t k = 0; k < m; ++k) {
      const Rule& r = rules_[(*fit)[k]];
      valid[k] = r.validator ? r.validator(nv) : true;
      any_valid |= valid[k];
    }
    if (!any_valid && !keep_invalid) return false;
    size_t start = runs[i].start, stop = runs[i + n - 1].end;
    flush_patterns(s.pcands, s.pnext, start + 1, sink);
    for (size_t k = 0; k < m; ++k)
      if (valid[k] || keep_invalid) sink.candidate({(*fit)[k], start, stop, nv, valid[k]});
    return any_valid;
  };

  auto finalize = [&]() {
    size_t n = nruns;
    nruns = 0;
    if (n == 0) return;
    bool left_ok = !glued_left(b, 0, runs[0].start);
    bool right_ok = !glued_right(b, end, runs[n - 1].end);
    bool whole_valid = false;
    if (left_ok && right_ok) whole_valid = emit(0, n, true);
    if (!whole_valid && n > 1 && !utf8::is_space_separator(sep)) {
      // Hyphen-joined runs that are no grouped value: a run that is a whole
      // value by itself ("123456789018-621498320257") still counts.
      for (size_t i = 0; i < n; ++i) {
        if (runs[i].ndigits < 9) continue;
        if (i == 0 && !left_ok) continue;
        if (i + 1 == n && !right_ok) continue;
        emit(i, 1, false);
      }
    }
    if (!whole_valid && n > 1 && utf8::is_space_separator(sep)) {
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
    sep = 0;
  };

  // True when a later run may join the run ending at q: one separator at q,
  // and right after it a digit (ASCII, or the 0xEF lead byte of a
  // full-width one). Else the run stands alone.
  auto may_join = [&](size_t q) {
    if (q >= end) return false;
    unsigned char c = b[q];
    if (c != ' ' && c != '-' && c != 0xE2 && c != 0xE3 && c != 0xEF) return false;
    uint32_t cp = 0;
    size_t len = utf8::separator_at(b + q, end - q, cp);
    if (len == 0 || q + len >= end) return false;
    unsigned char d = b[q + len];
    return utf8::is_ascii_digit(d) || d == 0xEF;
  };

  // Handles the digit run at p (b[p] is a digit or 0xEF); returns the
  // position after it, or p + 1 when p holds no digit. `ascii_end`, when not
  // 0, is where the ASCII digits from p end (known from the block's mask),
  // and `ef_after` whether 0xEF follows them.
  auto on_run = [&](size_t p, size_t ascii_end, bool ef_after) -> size_t {
    size_t q = p;
    uint32_t nd = 0;
    bool fw = false;
    if (ascii_end != 0) {
      q = ascii_end;
      nd = static_cast<uint32_t>(ascii_end - p);
    }
    for (;;) {
      if (ascii_end != 0) {
        ascii_end = 0;  // measured already: b[q] is no ASCII digit,
        if (!ef_after) break;  // nor 0xEF
      } else {
        // ASCII digits 16 at a time while 16 bytes remain, then one by one.
        while (q + 16 <= end) {
          __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + q));
          __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
          auto digits = static_cast<unsigned>(
              _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)));
          unsigned run = static_cast<unsigned>(__builtin_ctz(~digits));  // ~digits has bit 16 set
          q += run;
          nd += run;
          if (run < 16) break;
        }
        while (q < end && utf8::is_ascii_digit(b[q])) {
          ++q;
          ++nd;
        }
      }
      if (q + 2 < end && b[q] == 0xEF && utf8::is_fullwidth_digit(b + q)) {
        // Full-width digits follow one another; ASCII ones rarely follow.
        do {
          q += 3;
          ++nd;
        } while (q + 2 < end && b[q] == 0xEF && utf8::is_fullwidth_digit(b + q));
        fw = true;
        if (q < end && utf8::is_ascii_digit(b[q])) continue;
      }
      break;
    }
    if (q == p) return p + 1;  // 0xEF that is no digit
    if (nd > kMaxRunDigits) nd = kMaxRunDigits + 100;  // too long for any value
    // Join the token when exactly one separator, the same as before, lies
    // between its last run and this one.
    if (nruns > 0) {
      size_t gap = runs[nruns - 1].end;
      uint32_t cp = 0;
      size_t len = p - gap <= 3 ? utf8::separator_at(b + gap, p - gap, cp) : 0;
      if (len != 0 && gap + len == p && (sep == 0 || sep == cp) && nruns < kMaxTokenRuns) {
        sep = cp;
        runs[nruns++] = {p, q, nd, fw};
        return q;
      }
      finalize();
    }
    // Values with letters or dots around their digits (IPv4, IBAN, passport):
    // all need ASCII digits after two capital letters or before a dot.
    if (!fw && ((p >= 2 && is_upper(b[p - 1]) && is_upper(b[p - 2])) ||
                (nd <= 3 && q < end && b[q] == '.')))
      if (size_t stop = run_matchers(s, b, end, p, q, nd, fw, sink)) return stop;
    // A lone run that no later run can join and no rule's length fits is
    // nothing: skip the token machinery.
    if ((nd >= by_length_.size() || by_length_[nd].empty()) && !may_join(q)) return q;
    runs[0] = {p, q, nd, fw};
    nruns = 1;
    sep = 0;
    return q;
  };

  size_t next = begin;
  alignas(64) unsigned char tail[64 + 64];
  for (size_t blk = begin; blk < end; blk += 64) {
    uint64_t m, dm;
    if (end - blk >= 64) {
      m = interesting_mask(b + blk, dm);
    } else {
      std::memset(tail, 0, sizeof tail);
      std::memcpy(tail, b + blk, end - blk);
      m = interesting_mask(tail, dm);  // no digit past end
    }
    if (next > blk) {
      size_t sh = next - blk;
      if (sh >= 64) continue;
      m &= ~uint64_t{0} << sh;
    }
    const uint64_t efm = m & ~dm;  // the 0xEF bytes
    while (m) {
      size_t i = static_cast<size_t>(__builtin_ctzll(m));
      size_t p = blk + i;
      // The ASCII digits from p, when they end inside the block (bits past
      // 63 - i of dm >> i read 0; all 64 set only when digits fill the block).
      const uint64_t rest = ~(dm >> i);
      const size_t run = rest ? static_cast<size_t>(__builtin_ctzll(rest)) : 64;
      const bool known = run != 0 && i + run < 64;
      const size_t ascii_end = known ? p + run : 0;
      const bool ef_after = known && ((efm >> (i + run)) & 1);
      next = on_run(p, ascii_end, ef_after);
      size_t rel = next - blk;
      if (rel >= 64) break;
      m &= ~uint64_t{0} << rel;
    }
  }
  finalize();
}

// ---------------------------------------------------------- built-in matchers


// Called for each digit run [p, q) with nd digits. When a built-in matcher
// finds its value around the run, emits it and returns the position after
// it (the digit pass skips the value); else returns 0.
size_t Engine::run_matchers(Scratch& s, const unsigned char* b, size_t end, size_t p, size_t q,
                            uint32_t nd, bool fw, CandidateSink& sink) const {
  auto emit = [&](uint32_t rule, size_t start, size_t stop, std::string_view norm) {
    const Rule& r = rules_[rule];
    bool valid = r.validator ? r.validator(norm) : true;
    flush_patterns(s.pcands, s.pnext, start + 1, sink);
    sink.candidate({rule, start, stop, norm, valid});
  };
  bool two_letters = !fw && p >= 2 && is_upper(b[p - 1]) && is_upper(b[p - 2]) &&
                     (p == 2 || !is_alnum(b[p - 3]));
  // Passport: two capital letters and seven digits, standing alone.
  if (m_passport_ != kNone && two_letters && nd == 7 && (q >= end || !is_alnum(b[q]))) {
    s.norm.assign(reinterpret_cast<const char*>(b + p - 2), q - p + 2);
    emit(m_passport_, p - 2, q, s.norm);
    return q;
  }
  // IBAN: country code, two check digits, then the country's BBAN length in
  // letters and digits, optionally in groups of four separated by spaces.
  if (m_iban_ != kNone && two_letters && nd >= 2) {
    int want = validate::iban_length(std::string_view(reinterpret_cast<const char*>(b + p - 2), 2));
    if (want > 0) {
      s.norm.assign(reinterpret_cast<const char*>(b + p - 2), 2);
      size_t i = p;
      while (i < end && s.norm.size() < static_cast<size_t>(want)) {
        unsigned char c = b[i];
        if (is_upper(c) || utf8::is_ascii_digit(c)) {
          s.norm.push_back(static_cast<char>(c));
          ++i;
        } else if (c == ' ' && i + 1 < end && is_alnum(b[i + 1]) && s.norm.size() % 4 == 0) {
          ++i;
        } else {
          break;
        }
      }
      if (s.norm.size() == static_cast<size_t>(want) && (i >= end || !is_alnum(b[i]))) {
        emit(m_iban_, p - 2, i, s.norm);
        return i;
      }
    }
  }
  // IPv4: four dot-separated runs of 1-3 digits, not inside a longer dotted
  // number (a version or an OID).
  if (m_ipv4_ != kNone && !fw && nd <= 3 && q < end && b[q] == '.') {
    bool left_ok = p == 0 || !(is_alnum(b[p - 1]) || b[p - 1] == '.' || b[p - 1] == '_');
    size_t i = q;
    int parts = 1;
    while (left_ok && parts < 4 && i + 1 < end && b[i] == '.' && utf8::is_ascii_digit(b[i + 1])) {
      size_t j = i + 1;
      while (j < end && utf8::is_ascii_digit(b[j]) && j - i <= 4) ++j;
      if (j - i - 1 > 3) break;
      i = j;
      ++parts;
    }
    bool right_ok = i >= end || !(is_alnum(b[i]) || b[i] == '_' ||
                                  (b[i] == '.' && i + 1 < end && utf8::is_ascii_digit(b[i + 1])));
    if (left_ok && parts == 4 && right_ok) {
      s.norm.assign(reinterpret_cast<const char*>(b + p), i - p);
      emit(m_ipv4_, p, i, s.norm);
      return i;
    }
  }
  return 0;
}

// IPv6: around each ':' not yet covered, the maximal span of hex digits,
// colons and dots; a span with two or more colons, at least one digit, and
// standing alone is checked with inet_pton.
namespace {
// Bytes of an IPv6 span: hex digits, ':' and '.' (kSpan), with ':' and the
// decimal digits marked too.
constexpr uint8_t kSpan = 1, kColon = 2, kDigit = 4;
struct SpanTable {
  uint8_t t[256] = {};
  constexpr SpanTable() {
    for (int c = '0'; c <= '9'; ++c) t[c] = kSpan | kDigit;
    for (int c = 'a'; c <= 'f'; ++c) t[c] = kSpan;
    for (int c = 'A'; c <= 'F'; ++c) t[c] = kSpan;
    t[static_cast<unsigned char>(':')] = kSpan | kColon;
    t[static_cast<unsigned char>('.')] = kSpan;
  }
};
constexpr SpanTable kSpanTable;
}  // namespace

void Engine::ipv6_pass(Scratch& s, const char* buf, size_t begin, size_t end) const {
  const auto* b = reinterpret_cast<const unsigned char*>(buf);
  const uint8_t* span = kSpanTable.t;
  const Rule& rule = rules_[m_ipv6_];
  const __m128i colon = _mm_set1_epi8(':');
  size_t pos = begin;
  while (pos < end) {
    // The next ':' (inline: colons are often a few bytes apart, in JSON).
    size_t c = pos;
    for (;;) {
      if (c + 16 <= end) {
        auto m = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + c)), colon)));
        if (m) {
          c += static_cast<size_t>(__builtin_ctz(m));
          break;
        }
        c += 16;
      } else {
        while (c < end && b[c] != ':') ++c;
        break;
      }
    }
    if (c >= end) break;
    size_t l = c, r = c;
    // Colons and digits seen while extending (trimming dots changes neither).
    unsigned colons = 0, digits = 0;
    while (l > 0 && c - l < 45 && (span[b[l - 1]] & kSpan)) {
      --l;
      colons += (span[b[l]] >> 1) & 1;
      digits |= span[b[l]];
    }
    // To the right, 16 bytes at a time while they lie before end and within
    // the 45 bytes a span may reach.
    bool span_ended = false;  // a byte that is no span byte stops it at r
    if (c + 1 >= end || !(span[b[c + 1]] & kSpan)) {
      // Nothing after the colon (JSON's `"key": "`, `: {`): the span ends there.
      ++colons;
      r = c + 1;
      span_ended = true;
    }
    while (!span_ended && r + 16 <= end && r + 16 <= c + 45) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + r));
      __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
      __m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
      __m128i h = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
      __m128i ish = _mm_cmpeq_epi8(_mm_min_epu8(h, _mm_set1_epi8(5)), h);
      __m128i isc = _mm_cmpeq_epi8(v, _mm_set1_epi8(':'));
      __m128i isp = _mm_cmpeq_epi8(v, _mm_set1_epi8('.'));
      auto in = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(isd, ish), _mm_or_si128(isc, isp))));
      unsigned run = static_cast<unsigned>(__builtin_ctz(~in));  // ~in has bit 16 set
      unsigned keep = (1u << run) - 1;
      colons += static_cast<unsigned>(
          __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(isc)) & keep));
      digits |= (static_cast<unsigned>(_mm_movemask_epi8(isd)) & keep) ? kDigit : 0u;
      r += run;
      if (run < 16) {
        span_ended = true;
        break;
      }
    }
    while (!span_ended && r < end && r - c < 45 && (span[b[r]] & kSpan)) {
      colons += (span[b[r]] >> 1) & 1;
      digits |= span[b[r]];
      ++r;
    }
    pos = r + 1;
    if (colons < 2 || !(digits & kDigit)) continue;
    // Trim dots at the edges (sentence ends).
    while (l < r && b[l] == '.') ++l;
    while (r > l && b[r - 1] == '.') --r;
    if (r - l < 3 || l < begin) continue;
    if (l > 0 && (is_alnum(b[l - 1]) || b[l - 1] == '_' || b[l - 1] == ':')) continue;
    if (r < end && (is_alnum(b[r]) || b[r] == '_')) continue;
    std::string_view text(buf + l, r - l);
    if (!validate::ipv6(text)) continue;
    Candidate cand;
    cand.rule = m_ipv6_;
    cand.start = l;
    cand.end = r;
    cand.norm = normalise_value(rule, text);
    cand.valid = true;
    s.pcands.push_back(std::move(cand));
  }
}

// E-mail: around each '@', the longest local part and domain; the domain's
// last label must be 2-24 letters; the validator checks the rest.
void Engine::email_pass(Scratch& s, const char* buf, size_t begin, size_t end) const {
  const auto* b = reinterpret_cast<const unsigned char*>(buf);
  auto local_char = [](unsigned char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  };
  auto domain_char = [](unsigned char c) { return is_alnum(c) || c == '.' || c == '-'; };
  const Rule& rule = rules_[m_email_];
  size_t pos = begin;
  while (pos < end) {
    const void* hit = std::memchr(b + pos, '@', end - pos);
    if (!hit) break;
    size_t at = static_cast<size_t>(static_cast<const unsigned char*>(hit) - b);
    pos = at + 1;
    size_t l = at;
    while (l > 0 && at - l < 64 && local_char(b[l - 1])) --l;
    while (l < at && b[l] == '.') ++l;  // a sentence's dot is no part of the address
    size_t r = at + 1;
    while (r < end && r - at < 254 && domain_char(b[r])) ++r;
    while (r > at + 1 && (b[r - 1] == '.' || b[r - 1] == '-')) --r;
    // The last label: letters only, 2-24 of them.
    size_t dot = r;
    while (dot > at + 1 && b[dot - 1] != '.') --dot;
    if (l == at || dot <= at + 2 || r - dot < 2 || r - dot > 24) continue;
    bool letters = true;
    for (size_t k = dot; k < r; ++k) letters &= utf8::is_ascii_letter(b[k]);
    if (!letters || (r < end && is_alnum(b[r]))) continue;
    std::string_view text(buf + l, r - l);
    Candidate cand;
    cand.rule = m_email_;
    cand.start = l;
    cand.end = r;
    cand.norm = normalise_value(rule, text);
    cand.valid = rule.validator ? rule.validator(cand.norm) : true;
    s.pcands.push_back(std::move(cand));
    pos = r;
  }
}

// -------------------------------------------------------------- pattern pass

void Engine::pattern_pass(Scratch& s, const char* buf, size_t begin, size_t end) const {
  std::vector<Candidate>& out = s.pcands;
  s.hits.clear();
  // Scan from the start of the buffer so patterns see their left context;
  // hits ending inside the context were reported by the previous call.
  // vectorscan 5.4.9 (Debian 12) misses matches that end within the last
  // bytes of a block on AVX-512 machines: scan a copy followed by padding.
  padded_copy(s.padded, buf, end);
  hs_scan(static_cast<hs_database_t*>(prefilter_db_), s.padded.data(),
          static_cast<unsigned>(s.padded.size()), 0, s.hs, Impl::on_prefilter, &s);
  while (!s.hits.empty() && s.hits.back().end > end) s.hits.pop_back();
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
      padded_copy(s.window, buf + wbeg, wend - wbeg);
      hs_scan(static_cast<hs_database_t*>(pr.som_db), s.window.data(),
              static_cast<unsigned>(s.window.size()), 0, s.hs, Impl::on_som, &s);
      size_t kept = before;
      for (size_t k = before; k < s.som.size(); ++k) {
        if (s.som[k].to > wend - wbeg) continue;  // ended in the padding
        s.som[kept] = {s.som[k].from + wbeg, s.som[k].to + wbeg};
        ++kept;
      }
      s.som.resize(kept);
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
