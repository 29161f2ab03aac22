#include "scan/scanner.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/simd.h"
#include "core/utf8.h"
#include "scan/fields.h"

namespace privaudit {

void ScanResult::merge(ScanResult&& o) {
  auto move_all = [](auto& dst, auto& src) {
    dst.insert(dst.end(), std::make_move_iterator(src.begin()), std::make_move_iterator(src.end()));
  };
  move_all(findings, o.findings);
  move_all(skipped, o.skipped);
  move_all(errors, o.errors);
  move_all(sampled, o.sampled);
  files += o.files;
  bytes += o.bytes;
  suppressed += o.suppressed;
  pieces += o.pieces;
}

void sort_findings(std::vector<Finding>& findings, size_t from) {
  auto first = findings.begin() + static_cast<ptrdiff_t>(from);
  // Findings arrive mostly in order: a document's region yields a sorted run
  // per engine pass, and values settled late (at the end of their document,
  // with their field's statistics) follow. Merging those runs, as a stable
  // merge sort's last steps would, gives what a stable sort of the whole
  // does, in about n log(runs) steps on indices and one move per finding.
  auto mid = std::is_sorted_until(first, findings.end(), finding_less);
  if (mid == findings.end()) return;
  const size_t n = findings.size() - from;
  thread_local std::vector<uint32_t> idx, tmp;
  thread_local std::vector<size_t> bounds, next;
  idx.resize(n);
  for (size_t i = 0; i < n; ++i) idx[i] = static_cast<uint32_t>(i);
  const Finding* f = findings.data() + from;
  bounds.assign({0, static_cast<size_t>(mid - first)});
  for (size_t i = bounds.back() + 1; i < n; ++i)
    if (finding_less(f[i], f[i - 1])) bounds.push_back(i);
  bounds.push_back(n);
  if (bounds.size() > 66 || n > UINT32_MAX) {  // many runs (no order to speak of): sort outright
    std::stable_sort(first, findings.end(), finding_less);
    return;
  }
  auto less = [f](uint32_t a, uint32_t b) { return finding_less(f[a], f[b]); };
  tmp.resize(n);
  while (bounds.size() > 2) {  // merge neighbouring runs pairwise
    const size_t runs = bounds.size() - 1;
    next.assign({0});
    size_t k = 0;
    for (; k + 2 <= runs; k += 2) {
      std::merge(idx.begin() + static_cast<ptrdiff_t>(bounds[k]), idx.begin() + static_cast<ptrdiff_t>(bounds[k + 1]),
                 idx.begin() + static_cast<ptrdiff_t>(bounds[k + 1]), idx.begin() + static_cast<ptrdiff_t>(bounds[k + 2]),
                 tmp.begin() + static_cast<ptrdiff_t>(bounds[k]), less);
      next.push_back(bounds[k + 2]);
    }
    if (k < runs) {  // an odd run out, carried over
      std::copy(idx.begin() + static_cast<ptrdiff_t>(bounds[k]), idx.begin() + static_cast<ptrdiff_t>(bounds[runs]),
                tmp.begin() + static_cast<ptrdiff_t>(bounds[k]));
      next.push_back(bounds[runs]);
    }
    idx.swap(tmp);
    bounds.swap(next);
  }
  thread_local std::vector<Finding> sorted;
  sorted.clear();
  sorted.reserve(n);
  for (size_t i = 0; i < n; ++i) sorted.push_back(std::move(findings[from + idx[i]]));
  std::move(sorted.begin(), sorted.end(), first);
  sorted.clear();
}

void ScanResult::sort() {
  // Each document's findings arrive in offset order and documents mostly in
  // path order.
  sort_findings(findings, 0);
  std::stable_sort(skipped.begin(), skipped.end(),
                   [](const Skipped& a, const Skipped& b) { return a.path < b.path; });
  std::stable_sort(errors.begin(), errors.end(),
                   [](const InputError& a, const InputError& b) { return a.path < b.path; });
  std::stable_sort(sampled.begin(), sampled.end(),
                   [](const Sampled& a, const Sampled& b) { return a.path < b.path; });
}

DocFormat format_for_name(std::string_view name) {
  auto ends = [&](std::string_view suf) {
    if (name.size() < suf.size()) return false;
    for (size_t i = 0; i < suf.size(); ++i) {
      char c = name[name.size() - suf.size() + i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != suf[i]) return false;
    }
    return true;
  };
  if (ends(".csv")) return DocFormat::csv;
  if (ends(".tsv") || ends(".tab")) return DocFormat::tsv;
  if (ends(".jsonl") || ends(".ndjson") || ends(".jsonlines")) return DocFormat::jsonl;
  if (ends(".json") || ends(".geojson")) return DocFormat::json;
  return DocFormat::text;
}

void mask_value_into(std::string& out, std::string_view norm) {
  // Count code points so a multibyte value masks whole characters.
  size_t n = 0;
  for (char c : norm) n += !utf8::is_continuation(static_cast<unsigned char>(c));
  size_t keep = std::min<size_t>(4, n / 2);
  size_t from = norm.size();  // start of the last `keep` characters
  for (size_t k = 0; k < keep && from > 0;) {
    --from;
    if (!utf8::is_continuation(static_cast<unsigned char>(norm[from]))) ++k;
  }
  out.assign(n - keep, '*');
  out.append(norm.substr(from));
}

std::string mask_value(std::string_view norm) {
  std::string out;
  mask_value_into(out, norm);
  return out;
}


// True when a document's first bytes are those of a binary file: they hold
// NUL bytes, and also a short run of NULs (under 32) or another control
// byte. Text whose only oddity is a long gap of NULs (a log whose writer
// crashed, or one truncated under its writer by logrotate) is text.
bool looks_binary(std::string_view head) {
  if (std::memchr(head.data(), 0, head.size()) == nullptr) return false;
  constexpr size_t kGap = 32;
  for (size_t i = 0; i < head.size();) {
    auto c = static_cast<unsigned char>(head[i]);
    if (c == 0) {
      size_t j = i;
      while (j < head.size() && head[j] == '\0') ++j;
      if (j - i < kGap && j < head.size()) return true;  // a run cut by the head's end may go on
      i = j;
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b) ||
        c == 0x7f)
      return true;
    ++i;
  }
  return false;
}

namespace {

bool has_check_digit(const Rule& r) {
  const std::string& v = r.validator_name;
  return v == "my_number" || v == "corporate_number" || v == "luhn" || v == "luhn_card" ||
         v == "iban";
}

// True when the character at p (of `avail` bytes) can be part of a value:
// ASCII letters and digits, full-width digits, separators, and the
// punctuation e-mail and IP patterns use.
bool value_char(const unsigned char* p, size_t avail, size_t& len) {
  uint32_t cp;
  len = 1;
  if (p[0] < 0x80) return utf8::is_ascii_letter(p[0]) || utf8::is_ascii_digit(p[0]) ||
                          std::strchr(" -._@+%:", p[0]) != nullptr;
  if (avail >= 3 && utf8::is_fullwidth_digit(p)) { len = 3; return true; }
  if (size_t n = utf8::separator_at(p, avail, cp)) { len = n; return true; }
  return false;
}

// A position after which no value can continue: the last newline in the
// final 64 KiB, else the end of the last character no value can contain, else
// (a huge run of value characters) a character boundary.
size_t safe_cut(const char* b, size_t begin, size_t len) {
  size_t lo = len > begin + 65536 ? len - 65536 : begin;
  if (const void* nl = memrchr(b + lo, '\n', len - lo)) {
    size_t p = static_cast<size_t>(static_cast<const char*>(nl) - b) + 1;
    if (p > begin) return p;
  }
  auto u = reinterpret_cast<const unsigned char*>(b);
  size_t lo2 = len > begin + 4096 ? len - 4096 : begin;
  size_t i = utf8::char_start(b, begin, len - 1);
  while (i > lo2) {
    size_t clen;
    size_t want = u[i] < 0x80 ? 1 : u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : 2;
    if (i + want <= len && !value_char(u + i, len - i, clen)) return i + want;
    i = utf8::char_start(b, begin, i - 1);
  }
  size_t p = utf8::char_start(b, begin, len - std::min(len - begin, size_t{256}));
  return p > begin ? p : len;
}

// Line and column bookkeeping, computed only where a finding needs it.
struct LineCounter {
  uint64_t line_at_begin = 1;  // line number at the region start
  uint64_t cps_at_begin = 0;   // code points since that line's start
  size_t pos = 0;              // position counted up to (in the buffer)
  uint64_t line_at_pos = 1;

  void start_region(size_t begin) {
    pos = begin;
    line_at_pos = line_at_begin;
  }
  void locate(const char* b, size_t begin, size_t at, uint64_t& line, uint64_t& col) {
    if (at < pos) at = pos;  // a match that began in the context
    line_at_pos += simd::count_byte(b + pos, at - pos, '\n');
    pos = at;
    line = line_at_pos;
    const void* nl = at > begin ? memrchr(b + begin, '\n', at - begin) : nullptr;
    if (nl) {
      size_t s = static_cast<size_t>(static_cast<const char*>(nl) - b) + 1;
      col = utf8::count_code_points(b + s, at - s) + 1;
    } else {
      col = cps_at_begin + utf8::count_code_points(b + begin, at - begin) + 1;
    }
  }
  void end_region(const char* b, size_t begin, size_t cut) {
    if (cut > pos) line_at_pos += simd::count_byte(b + pos, cut - pos, '\n');
    const void* nl = cut > begin ? memrchr(b + begin, '\n', cut - begin) : nullptr;
    if (nl) {
      size_t s = static_cast<size_t>(static_cast<const char*>(nl) - b) + 1;
      cps_at_begin = utf8::count_code_points(b + s, cut - s);
    } else {
      cps_at_begin += utf8::count_code_points(b + begin, cut - begin);
    }
    line_at_begin = line_at_pos;
  }
};

bool line_allows(const char* b, size_t lo, size_t hi, size_t start, size_t end) {
  static constexpr std::string_view tag = "privaudit:allow";
  size_t s = start > lo + 4096 ? start - 4096 : lo;
  if (const void* nl = start > s ? memrchr(b + s, '\n', start - s) : nullptr)
    s = static_cast<size_t>(static_cast<const char*>(nl) - b) + 1;
  size_t e = std::min(hi, end + 4096);
  if (const void* nl = e > end ? std::memchr(b + end, '\n', e - end) : nullptr)
    e = static_cast<size_t>(static_cast<const char*>(nl) - b);
  return std::string_view(b + s, e - s).find(tag) != std::string_view::npos;
}

}  // namespace

// A confirmed value waiting for the end of its document, when the field
// statistics that decide its confidence are known.
// Adapts a callable to the engine's sink interface.
template <class F>
class FnSink : public CandidateSink {
 public:
  explicit FnSink(F& f) : f_(f) {}
  void candidate(const CandidateRef& c) override { f_(c); }

 private:
  F& f_;
};

void DocumentScanner::settle(const PendingValue& p, const DocPartial& st, const std::string& path,
                             ScanResult& out) {
  const auto& rules = engine_.rules();
  const size_t nrules = rules.size();
  const Rule& rule = rules[p.rule];
  Confidence conf = Confidence::medium;
  int stat_ev = 0;
  if (p.stats != UINT32_MAX) {
    const auto& c = st.stats[p.stats * nrules + p.rule];
    if (c.first >= 10) {
      double rate = static_cast<double>(c.second) / static_cast<double>(c.first);
      stat_ev = rate >= 0.9 ? 1 : (rate <= 0.5 ? -1 : 0);
    }
  }
  if (p.field_ev > 0) conf = Confidence::high;
  else if (p.field_ev < 0) conf = Confidence::low;
  else if (stat_ev != 0) conf = stat_ev > 0 ? Confidence::high : Confidence::low;
  else if (p.window_ev > 0) conf = Confidence::high;
  else if (p.window_ev < 0) conf = Confidence::low;
  if (rule.evidence_required && p.field_ev <= 0 && p.window_ev <= 0) return;
  if (rule.evidence_required) conf = Confidence::high;
  if (conf < settings_.min_confidence) return;
  if (spans_) {  // redact's first pass: the spans are all it needs
    spans_->push_back({p.offset, p.length, p.rule, p.check, conf, p.allowed});
    return;
  }
  if (p.allowed) {
    ++out.suppressed;
    return;
  }
  Finding& f = out.findings.emplace_back();
  f.rule = rule.id;
  f.severity = rule.severity;
  f.confidence = conf;
  f.path = path;
  f.line = p.line;
  f.column = p.column;
  f.offset = p.offset;
  f.has_offset = true;
  f.field = st.fields[p.field];
  f.record = p.record;
  mask_value_into(f.masked, p.norm);
  fp_.fingerprint_into(f.fingerprint, rule.id, p.norm);
  f.message = rule.message;
}

void DocumentScanner::settle_all(const std::string& path, DocPartial& acc, ScanResult& out) {
  for (const PendingValue& q : acc.pending) settle(q, acc, path, out);
  acc.pending.clear();
}

void release_before(std::vector<Finding>& findings, size_t from, uint64_t mark, const ReleaseFn& release) {
  sort_findings(findings, from);
  auto first = findings.begin() + static_cast<ptrdiff_t>(from);
  auto stop = std::partition_point(first, findings.end(), [&](const Finding& f) { return f.offset < mark; });
  size_t n = static_cast<size_t>(stop - first);
  if (n) release(findings, from, n);
}

void DocumentScanner::absorb(const std::string& path, DocPartial& acc, DocPartial&& piece,
                             uint64_t line_shift, bool last, ScanResult& out) {
  const size_t nrules = engine_.rules().size();
  // Statistics add up per field key; field names map onto the accumulator's.
  std::vector<uint32_t> stats_map(piece.stats_sid.size());
  for (size_t j = 0; j < piece.stats_sid.size(); ++j) {
    uint64_t sid = piece.stats_sid[j];
    auto it = acc.stats_ids.find(sid);
    if (it == acc.stats_ids.end()) {
      it = acc.stats_ids.emplace(sid, static_cast<uint32_t>(acc.stats_sid.size())).first;
      acc.stats_sid.push_back(sid);
      acc.stats.resize(acc.stats.size() + nrules);
    }
    stats_map[j] = it->second;
    for (size_t r = 0; r < nrules; ++r) {
      acc.stats[it->second * nrules + r].first += piece.stats[j * nrules + r].first;
      acc.stats[it->second * nrules + r].second += piece.stats[j * nrules + r].second;
    }
  }
  std::vector<uint32_t> field_map(piece.fields.size(), 0);
  for (size_t j = 1; j < piece.fields.size(); ++j) {
    auto it = acc.field_ids.find(piece.fields[j]);
    if (it == acc.field_ids.end()) {
      it = acc.field_ids.emplace(piece.fields[j], static_cast<uint32_t>(acc.fields.size())).first;
      acc.fields.push_back(piece.fields[j]);
    }
    field_map[j] = it->second;
  }
  for (auto& p : piece.pending) {
    if (p.line) p.line += line_shift;
    if (p.stats != UINT32_MAX) p.stats = stats_map[p.stats];
    p.field = field_map[p.field];
    acc.pending.push_back(std::move(p));
  }
  acc.newlines += piece.newlines;
  if (last || acc.pending.size() >= kMaxPending) {
    for (const PendingValue& q : acc.pending) settle(q, acc, path, out);
    acc.pending.clear();
  }
}

DocumentScanner::DocumentScanner(const Engine& engine, const KeywordIndex& keywords,
                                 const Fingerprinter& fp, const ScanSettings& settings)
    : engine_(engine), kw_(keywords), fp_(fp), settings_(settings),
      scratch_(engine.make_scratch()), kw_scratch_(keywords.make_scratch()) {}

int DocumentScanner::name_evidence(std::string_view name, uint32_t rule) {
  if (name.empty()) return 0;
  // Per field name, the evidence for each rule (kUnknown: not classified yet).
  constexpr int8_t kUnknown = -128;
  const size_t n = name.size();
  auto u = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(name[i])); };
  NameSlot& slot = name_slots_[(n * 7 + u(0) * 3 + u(n / 2) * 5 + u(n - 1)) % std::size(name_slots_)];
  if (!slot.ev || name != slot.name) {
    slot.name.assign(name);
    auto it = name_cache_.find(slot.name);
    if (it == name_cache_.end()) {
      if (name_cache_.size() > 4096) {
        name_cache_.clear();
        for (NameSlot& other : name_slots_) other.ev = nullptr;
      }
      it = name_cache_.emplace(slot.name, std::vector<int8_t>(engine_.rules().size(), kUnknown)).first;
    }
    slot.ev = &it->second;  // map nodes stay put until clear()
  }
  int8_t& v = (*slot.ev)[rule];
  if (v == kUnknown) v = static_cast<int8_t>(kw_.classify_name(name, rule));
  return v;
}

DocumentScanner::~DocumentScanner() = default;

void DocumentScanner::scan(const std::string& path, ByteReader& in, ScanResult& out,
                           std::string_view first) {
  DocOptions opts;
  opts.first = first;
  scan(path, in, out, opts);
}

void DocumentScanner::scan(const std::string& path, ByteReader& in, ScanResult& out,
                           const DocOptions& opts) {
  const std::string_view first = opts.first;
  const size_t spans_first = spans_ ? spans_->size() : 0;
  const size_t findings_first = out.findings.size();
  size_t release_check = findings_first + kReleaseAt;
  constexpr size_t kCtx = 1024, kPad = 64, kHead = 65536;
  const size_t chunk = std::max(settings_.chunk_size, size_t{4096});
  const auto& rules = engine_.rules();

  // Sniff: the first bytes decide encoding and binary-ness.
  std::string head(first);
  bool eof = false;
  bool read_failed = false;  // what was read before a read error is still scanned
  uint64_t raw_bytes = head.size();
  while (head.size() < kHead && !eof) {
    size_t have = head.size();
    head.resize(kHead);
    ssize_t r = in.read(head.data() + have, kHead - have);
    if (r < 0) {
      head.resize(have);
      read_failed = eof = true;
      break;
    }
    head.resize(have + static_cast<size_t>(r));
    raw_bytes += static_cast<uint64_t>(r);
    if (r == 0) eof = true;
  }
  size_t bom = 0;
  Encoding enc = Encoding::utf8;
  if (opts.utf8) {
    enc = Encoding::utf8;
  } else if (settings_.force_encoding) {
    enc = settings_.encoding;
    detect_encoding(head.data(), head.size(), eof, bom);  // still skip a BOM
  } else {
    enc = detect_encoding(head.data(), head.size(), eof, bom);
  }
  bool utf16 = enc == Encoding::utf16le || enc == Encoding::utf16be;
  bool binary = !utf16 && !opts.utf8 && looks_binary(head);
  if (binary && !settings_.binary) {
    out.skipped.push_back({path, "binary"});
    if (read_failed) out.errors.push_back({path, "read error: " + in.error()});
    out.bytes += raw_bytes;
    return;
  }
  if (binary) enc = Encoding::latin1 == enc ? enc : Encoding::utf8;

  std::unique_ptr<Transcoder> tc;
  if (enc != Encoding::utf8) {
    tc = std::make_unique<Transcoder>(enc);
    if (!tc->ok()) {
      out.errors.push_back({path, fmt::format("cannot decode {}", encoding_name(enc))});
      if (read_failed) out.errors.push_back({path, "read error: " + in.error()});
      return;
    }
  }

  // Raw input: `head` first (after the BOM), then the reader.
  size_t head_pos = bom;
  std::string decoded;
  uint64_t replaced = 0;
  auto pull_raw = [&](char* dst, size_t n) -> ssize_t {
    if (head_pos < head.size()) {
      size_t k = std::min(n, head.size() - head_pos);
      std::memcpy(dst, head.data() + head_pos, k);
      head_pos += k;
      return static_cast<ssize_t>(k);
    }
    if (eof) return 0;
    ssize_t r = in.read(dst, n);
    if (r > 0) raw_bytes += static_cast<uint64_t>(r);
    if (r == 0) eof = true;
    return r;
  };

  buf_.resize(kCtx + chunk + kPad);
  size_t len = 0, begin = 0;
  uint64_t base = opts.base_offset;  // stream offset of buf_[0]
  bool done_input = false;
  std::string transcode_in;

  // Fills buf_ up to its capacity with decoded UTF-8.
  auto fill = [&]() {
    size_t cap = kCtx + chunk;
    while (len < cap && !done_input) {
      if (!tc) {
        ssize_t r = pull_raw(buf_.data() + len, cap - len);
        if (r < 0) { read_failed = true; done_input = true; break; }
        if (r == 0) { done_input = true; break; }
        len += static_cast<size_t>(r);
        continue;
      }
      if (!decoded.empty()) {
        size_t k = std::min(cap - len, decoded.size());
        std::memcpy(buf_.data() + len, decoded.data(), k);
        decoded.erase(0, k);
        len += k;
        continue;
      }
      size_t have = transcode_in.size();
      transcode_in.resize(have + 65536);
      ssize_t r = pull_raw(transcode_in.data() + have, 65536);
      if (r < 0) { read_failed = true; r = 0; }
      transcode_in.resize(have + static_cast<size_t>(r));
      bool last = r == 0;
      size_t used = tc->convert(transcode_in.data(), transcode_in.size(), last, decoded);
      transcode_in.erase(0, used);
      if (last && decoded.empty()) done_input = true;
    }
  };

  std::unique_ptr<FieldTracker> own_tracker;
  FieldTracker* tracker = opts.borrowed_tracker;
  DocFormat fmt_kind = format_for_name(opts.format_name.empty() ? path : opts.format_name);
  // Values waiting for their field's statistics, the statistics and the
  // field names: the document's own, or the caller's (a piece of a file).
  DocPartial own_state;
  DocPartial& st = opts.partial ? *opts.partial : own_state;
  auto& pending = st.pending;
  auto& stats_ids = st.stats_ids;
  auto& stats = st.stats;
  auto& field_ids = st.field_ids;
  auto& fields = st.fields;
  const size_t nrules = rules.size();
  std::vector<uint8_t> check_digit_rule(nrules);
  for (size_t i = 0; i < nrules; ++i) check_digit_rule[i] = has_check_digit(rules[i]);
  LineCounter lines;
  FieldInfo fi;
  std::string repaired;
  // Recently seen field statistics keys (sid 0 is never looked up) and the
  // last field name's index: most values share them with the one before.
  // Both hold indexes into st.stats_ids / st.field_ids, which only grow
  // during a document: anything that clears or renumbers them must reset
  // these too.
  struct StatsSlot {
    uint64_t sid = 0;
    uint32_t id = 0;
  };
  constexpr size_t kStatsCache = 64;
  StatsSlot stats_cache[kStatsCache];
  std::string last_field;
  uint32_t last_field_id = UINT32_MAX;

  auto settle_one = [&](const PendingValue& p) { settle(p, st, path, out); };
  // Only a value whose confidence hangs on its field's statistics waits for
  // the end of the document; past kMaxPending of them, they are settled with
  // the statistics so far, so memory stays bounded on huge documents. A
  // piece of a file (opts.partial) keeps them all for the caller, who adds
  // up the pieces' statistics (absorb()).
  auto defer_or_settle = [&]() {
    const PendingValue& p = pending.back();
    if (p.field_ev != 0 || p.stats == UINT32_MAX) {
      settle_one(p);
      pending.pop_back();
      return;
    }
    if (opts.partial || pending.size() < kMaxPending) return;
    for (const PendingValue& q : pending) settle_one(q);
    pending.clear();
  };

  for (;;) {
    fill();
    size_t cut = done_input ? len : safe_cut(buf_.data(), begin, len);
    // Make the region valid UTF-8 (invalid bytes become U+FFFD).
    if (!tc && !simdjson::validate_utf8(buf_.data() + begin, cut - begin)) {
      repaired.clear();
      replaced += repair_utf8(std::string_view(buf_.data() + begin, cut - begin), repaired);
      std::string tail(buf_.data() + cut, len - cut);
      size_t need = begin + repaired.size() + tail.size() + kPad;
      if (buf_.size() < need) buf_.resize(need);
      std::memcpy(buf_.data() + begin, repaired.data(), repaired.size());
      std::memcpy(buf_.data() + begin + repaired.size(), tail.data(), tail.size());
      cut = begin + repaired.size();
      len = cut + tail.size();
    }
    if (binary) {
      for (size_t i = begin; i < cut; ++i) {
        auto c = static_cast<unsigned char>(buf_[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') buf_[i] = '\n';
      }
    }
    std::memset(buf_.data() + len, 0, std::min(kPad, buf_.size() - len));
    if (!tracker && opts.tracker && (len > 0 || done_input)) {
      own_tracker = opts.tracker(buf_.data(), len);
      tracker = own_tracker.get();
    }
    if (!tracker && (len > 0 || done_input)) {
      switch (fmt_kind) {
        case DocFormat::csv: own_tracker = std::make_unique<CsvTracker>(0, buf_.data(), len); break;
        case DocFormat::tsv: own_tracker = std::make_unique<CsvTracker>('\t', buf_.data(), len); break;
        case DocFormat::json: own_tracker = std::make_unique<JsonTracker>(false); break;
        case DocFormat::jsonl: own_tracker = std::make_unique<JsonTracker>(true); break;
        case DocFormat::text: break;
      }
      tracker = own_tracker.get();
    }

    hits_.clear();
    bool hits_ready = false, allow_tag = false;
    size_t kw_cursor = 0;  // KeywordIndex::window's place in hits_
    // The field at the last candidate's position: the tracker's stats_id()
    // (until it advances or sees a value), or the log key at last_key_start.
    bool sid_fresh = false;
    uint64_t last_sid = 0;
    size_t last_key_start = SIZE_MAX;
    std::string_view last_key;
    lines.start_region(begin);
    size_t tpos = begin;
    const char* b = buf_.data();
    auto on_candidate = [&](const CandidateRef& c) {
      const Rule& rule = rules[c.rule];
      bool stats_rule = check_digit_rule[c.rule];
      if (!c.valid && !stats_rule) return;
      size_t at = std::max(c.start, begin);
      uint64_t sid = 0;
      std::string_view key;  // the field's name, for evidence
      // Candidates of several rules often share a start: the field found for
      // the first serves the others.
      if (tracker) {
        if (at > tpos) {
          tracker->advance(b + tpos, at - tpos);
          tpos = at;
          sid_fresh = false;
        }
        if (!sid_fresh) {
          last_sid = tracker->stats_id();
          sid_fresh = true;
        }
        sid = last_sid;
      } else {
        if (c.start != last_key_start) {
          last_key = log_field_key(b, 0, c.start);
          last_sid = last_key.empty() ? 0 : fnv1a(last_key) | 1;
          last_key_start = c.start;
        }
        key = last_key;
        sid = last_sid;
      }
      uint32_t stats_id = UINT32_MAX;
      if (sid != 0 && stats_rule) {
        StatsSlot& slot = stats_cache[(sid ^ (sid >> 11) ^ (sid >> 37)) % kStatsCache];
        if (slot.sid == sid) {
          stats_id = slot.id;
        } else {
          auto it = stats_ids.find(sid);
          if (it == stats_ids.end()) {
            it = stats_ids.emplace(sid, static_cast<uint32_t>(stats_ids.size())).first;
            st.stats_sid.push_back(sid);
            stats.resize(stats.size() + nrules);
          }
          stats_id = it->second;
          slot = {sid, stats_id};
        }
        auto& cell = stats[stats_id * nrules + c.rule];
        ++cell.first;
        cell.second += c.valid;
      }
      if (!c.valid) return;
      if (tracker) {
        tracker->saw_value();
        sid_fresh = false;
        key = tracker->key();
      }
      if (!hits_ready) {  // keywords are located once per region, when a value needs them
        size_t klo = begin > 128 ? begin - 128 : 0;
        size_t kto = std::min(len, cut + 64);
        kw_.find(*kw_scratch_, b, klo, klo, kto, hits_, buf_.size() - kto);
        allow_tag = std::string_view(b + begin, cut - begin).find("privaudit:allow") !=
                    std::string_view::npos;
        hits_ready = true;
        kw_cursor = 0;
      }
      int field_ev = name_evidence(key, c.rule);
      // Keywords nearby matter only when the field's name does not decide.
      int window_ev = field_ev == 0 || rule.evidence_required
                          ? kw_.window(hits_, b, 0, len, c.start, c.end, c.rule, &kw_cursor)
                          : 0;
      // A rule that needs evidence and has none: no finding, whatever follows.
      if (rule.evidence_required && field_ev <= 0 && window_ev <= 0) return;
      if (tracker) tracker->current(fi);
      PendingValue& p = pending.emplace_back();
      p.rule = c.rule;
      p.field_ev = static_cast<int8_t>(field_ev);
      p.window_ev = static_cast<int8_t>(window_ev);
      p.stats = stats_id;
      p.allowed = allow_tag && line_allows(b, 0, len, c.start, c.end);
      lines.locate(b, begin, at, p.line, p.column);
      if (opts.no_lines) p.line = p.column = 0;
      p.offset = base + c.start;
      p.length = static_cast<uint32_t>(c.end - c.start);
      p.check = spans_ ? span_check(std::string_view(b + c.start, c.end - c.start)) : 0;
      p.field = 0;
      p.record = -1;
      if (tracker) {
        if (last_field_id == UINT32_MAX || fi.field != last_field) {
          auto it = field_ids.find(fi.field);
          if (it == field_ids.end()) {
            it = field_ids.emplace(fi.field, static_cast<uint32_t>(fields.size())).first;
            fields.push_back(fi.field);
          }
          last_field_id = it->second;
          last_field.assign(fi.field);
        }
        p.field = last_field_id;
        p.record = fi.record;
      }
      p.norm.assign(c.norm);
      defer_or_settle();
    };
    FnSink<decltype(on_candidate)> sink(on_candidate);
    engine_.scan(*scratch_, b, begin, cut, sink);
    if (tracker && cut > tpos) tracker->advance(b + tpos, cut - tpos);
    lines.end_region(b, begin, cut);
    if (tracker)
      for (auto& prob : tracker->problems) out.errors.push_back({path, prob});
    if (tracker) tracker->problems.clear();
    if (opts.release && out.findings.size() >= release_check) {
      // Hand on the findings no later one can precede: those before the
      // first value still waiting for its field's statistics, and before
      // the end of this region. When too many wait behind such a value,
      // settle the waiting values now, with the statistics so far.
      if (out.findings.size() - findings_first >= kSettleEarlyAt && !pending.empty()) {
        for (const PendingValue& q : pending) settle_one(q);
        pending.clear();
      }
      uint64_t mark = base + cut;
      if (!pending.empty()) mark = std::min(mark, pending.front().offset);
      release_before(out.findings, findings_first, mark, opts.release);
      // Tried again once kReleaseAt more have come.
      release_check = out.findings.size() + kReleaseAt;
    }

    if (done_input && cut >= len) break;
    // Keep kCtx bytes of left context and the unscanned tail.
    size_t keep_from = cut > kCtx ? utf8::char_start(b, 0, cut - kCtx) : 0;
    std::memmove(buf_.data(), buf_.data() + keep_from, len - keep_from);
    base += keep_from;
    len -= keep_from;
    begin = cut - keep_from;
  }

  if (read_failed) out.errors.push_back({path, "read error: " + in.error()});
  if (tc) replaced += tc->replaced();
  uint64_t decoded_total = base + len;
  if (replaced > 0 && replaced * 2 > decoded_total / 3 + 1) {
    out.errors.push_back({path, fmt::format("mostly undecodable as {} ({} bytes replaced)",
                                            encoding_name(enc), replaced)});
  }

  if (opts.partial) {
    st.newlines = lines.line_at_begin - 1;
  } else {
    for (const PendingValue& p : pending) settle_one(p);
  }
  if (spans_)  // values settle as soon as they can, not in offset order
    std::stable_sort(spans_->begin() + static_cast<ptrdiff_t>(spans_first), spans_->end(),
                     [](const ValueSpan& a, const ValueSpan& b) { return a.offset < b.offset; });
  ++out.files;
  out.bytes += raw_bytes;
}

}  // namespace privaudit
