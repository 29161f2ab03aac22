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
  void merge(ScanResult&& other);
  void sort();
};

enum class DocFormat { text, csv, tsv, json, jsonl };
// The format a document's name implies (.csv .tsv .json .jsonl .ndjson; else text).
DocFormat format_for_name(std::string_view name);

// Masks a normalised value: '*' for all but at most the last four characters
// (never more than half of them).
std::string mask_value(std::string_view norm);

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

 private:
  struct Pending;
  const Engine& engine_;
  const KeywordIndex& kw_;
  const Fingerprinter& fp_;
  ScanSettings settings_;
  Engine::ScratchPtr scratch_;
  KeywordIndex::ScratchPtr kw_scratch_;
  std::vector<KeywordIndex::Hit> hits_;
  std::unordered_map<std::string, std::vector<int8_t>> name_cache_;  // field name -> evidence per rule
  int name_evidence(const std::string& name, uint32_t rule);
  std::vector<char> buf_;
  std::vector<ValueSpan>* spans_ = nullptr;
};

}  // namespace privaudit
