// The searcher: streams one document (file, stdin, archive member) through
// decoding, the engine and the field trackers, and turns confirmed
// candidates into findings with location, evidence and confidence.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/types.h"
#include "crypto/fingerprint.h"
#include "decode/decode.h"
#include "match/engine.h"
#include "scan/evidence.h"
#include "scan/reader.h"

namespace privaudit {

struct ScanSettings {
  Confidence min_confidence = Confidence::medium;
  bool binary = false;          // scan printable strings of binary files
  bool force_encoding = false;  // use `encoding` instead of detecting
  Encoding encoding = Encoding::utf8;
  size_t chunk_size = size_t{1} << 20;
};

// Where a database scan read a sample instead of every row.
struct Sampled {
  std::string path;    // "URI!/schema.table"
  uint64_t rows = 0;   // rows read
  std::string method;  // how they were drawn ("TABLESAMPLE SYSTEM_ROWS", ...)
};

// Everything one input (or a whole run) produced. Findings are in report order
// once sort() ran.
struct ScanResult {
  std::vector<Finding> findings;
  std::vector<Skipped> skipped;
  std::vector<InputError> errors;
  std::vector<Sampled> sampled;
  uint64_t files = 0;       // documents scanned
  uint64_t bytes = 0;       // bytes read from them
  uint64_t suppressed = 0;  // findings suppressed by privaudit:allow
  uint64_t pieces = 0;      // pieces of files split across threads
  void merge(ScanResult&& other);
  void sort();
};

enum class DocFormat { text, csv, tsv, json, jsonl };
// The format a document's name implies (.csv .tsv .json .jsonl .ndjson; else text).
DocFormat format_for_name(std::string_view name);

// True when a document's first bytes are those of a binary file (NUL bytes
// with other control bytes; a long gap of NULs alone is text).
bool looks_binary(std::string_view head);

// Masks a normalised value: '*' for all but at most the last four characters
// (never more than half of them).
std::string mask_value(std::string_view norm);
void mask_value_into(std::string& out, std::string_view norm);

// Where a confirmed value sits, as `redact` needs it to rewrite the document:
// its byte range in the decoded (UTF-8) stream and a check of its bytes.
struct ValueSpan {
  uint64_t offset = 0;  // byte offset in the decoded stream
  uint32_t length = 0;  // bytes
  uint32_t rule = 0;    // engine rule index
  uint64_t check = 0;   // span_check() of the value's bytes
  Confidence confidence = Confidence::medium;
  bool allowed = false;  // on a line tagged privaudit:allow
};

// A 64-bit check (FNV-1a) of a value's bytes: lets a second pass confirm it
// found the same bytes at a span's offset.
inline uint64_t span_check(std::string_view raw) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : raw) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

class FieldTracker;


// Takes findings[from, from + n): they are in report order and precede every
// finding still to come from their input. It may also take none of them
// (they stay, and are offered again with more).
using ReleaseFn = std::function<void(std::vector<Finding>& findings, size_t from, size_t n)>;

// Sorts findings[from, end) into report order, stably.
void sort_findings(std::vector<Finding>& findings, size_t from = 0);

// Sorts findings[from, end) into report order and passes those at offsets
// before `mark` to `release`.
void release_before(std::vector<Finding>& findings, size_t from, uint64_t mark, const ReleaseFn& release);

// A confirmed value whose confidence waits for its field's statistics.
struct PendingValue {
  uint32_t rule;
  int8_t field_ev;
  int8_t window_ev;
  bool allowed;
  uint32_t field;   // index into the document's field names (0: none)
  uint32_t stats;   // index into the document's field statistics (UINT32_MAX: none)
  int64_t record;
  uint64_t offset, line, column;
  uint32_t length;
  uint64_t check;  // span_check of the value's bytes (when capturing spans)
  std::string norm;
};

// A document's pending values, field statistics and field names: the state
// a piece of a file split across threads hands back, to be added up.
struct DocPartial {
  std::vector<PendingValue> pending;
  // Field statistics: per field key and check-digit rule, values of the
  // rule's shape seen and how many validated.
  std::unordered_map<uint64_t, uint32_t> stats_ids;  // field key hash -> index
  std::vector<uint64_t> stats_sid;                   // index -> field key hash
  std::vector<std::pair<uint64_t, uint64_t>> stats;  // [index * rules + rule]
  std::unordered_map<std::string, uint32_t> field_ids;
  std::vector<std::string> fields{std::string()};
  uint64_t newlines = 0;  // in the piece (the next piece's lines follow)
};

// How one document is read, beyond its bytes.
struct DocOptions {
  // Bytes the caller already read from the reader (sniffing), scanned first.
  std::string_view first;
  // The name whose suffix decides the format (dump.csv for dump.csv.xz);
  // empty: the path.
  std::string_view format_name;
  // The text is UTF-8 produced by a reader (XLSX cells): no encoding
  // detection, no BOM, no --encoding.
  bool utf8 = false;
  // Line and column are not meaningful (synthetic text): leave them out.
  bool no_lines = false;
  // When set, makes the field tracker instead of the format's own (called
  // once, with the document's first bytes).
  std::function<std::unique_ptr<FieldTracker>(const char* sample, size_t n)> tracker;
  // A tracker the caller owns (database rows), used instead of the above.
  FieldTracker* borrowed_tracker = nullptr;
  // Offset of the first byte in the whole stream (a piece of a file).
  uint64_t base_offset = 0;
  // When set, the document is a piece of a file (starting at a line start;
  // its lines numbered from 1): values that wait for field statistics are
  // left here with the statistics, for absorb().
  DocPartial* partial = nullptr;
  // When set (a document that is a whole input), findings are handed on
  // through it as the document is read, kReleaseAt or more at a time, so
  // memory holds a bounded number of them however large the document.
  ReleaseFn release;
};

class DocumentScanner {
 public:
  DocumentScanner(const Engine& engine, const KeywordIndex& keywords, const Fingerprinter& fp,
                  const ScanSettings& settings);
  ~DocumentScanner();

  // Scans one document named `path`, read from `in`; `first` holds bytes the
  // caller already read from `in` (sniffing), scanned before the rest.
  void scan(const std::string& path, ByteReader& in, ScanResult& out,
            std::string_view first = {});
  // Same, with the options above.
  void scan(const std::string& path, ByteReader& in, ScanResult& out, const DocOptions& opts);

  // When set, every value kept at --min-confidence (privaudit:allow ones
  // included, flagged) is appended to `spans`, in offset order, instead of
  // becoming a finding, for the documents scanned until it is reset to nullptr.
  void capture_spans(std::vector<ValueSpan>* spans) { spans_ = spans; }

  // Adds a piece's state (DocOptions::partial) to `acc`, the pieces before it
  // already in, numbering its lines after `line_shift` lines; settles the
  // waiting values into `out` when `last` (or when too many wait).
  void absorb(const std::string& path, DocPartial& acc, DocPartial&& piece, uint64_t line_shift,
              bool last, ScanResult& out);
  // Settles every value waiting in `acc` with its statistics so far.
  void settle_all(const std::string& path, DocPartial& acc, ScanResult& out);

  // Past this many values waiting for field statistics, a document settles
  // them with the statistics so far (memory stays bounded).
  static constexpr size_t kMaxPending = 65536;
  // Findings a document holds before handing them on (DocOptions::release):
  // few enough that the vector holding them stays in cache and is reused.
  static constexpr size_t kReleaseAt = 8192;
  // Findings held behind a value still waiting for its field's statistics
  // before the waiting values are settled with the statistics so far.
  static constexpr size_t kSettleEarlyAt = 262144;

 private:
  void settle(const PendingValue& p, const DocPartial& st, const std::string& path, ScanResult& out);
  const Engine& engine_;
  const KeywordIndex& kw_;
  const Fingerprinter& fp_;
  ScanSettings settings_;
  Engine::ScratchPtr scratch_;
  KeywordIndex::ScratchPtr kw_scratch_;
  std::vector<KeywordIndex::Hit> hits_;
  std::unordered_map<std::string, std::vector<int8_t>> name_cache_;  // field name -> evidence per rule
  struct NameSlot {  // names recently looked up, and their entries in name_cache_
    std::string name;
    std::vector<int8_t>* ev = nullptr;
  };
  NameSlot name_slots_[16];
  int name_evidence(std::string_view name, uint32_t rule);
  std::vector<char> buf_;
  std::vector<ValueSpan>* spans_ = nullptr;
};

}  // namespace privaudit
