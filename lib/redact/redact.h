// The redact run: walks the inputs, and for each document does two passes —
// the scanner finds the values (with the same decoding, field evidence and
// confidence as `scan`), then the rewriter streams the decoded text again and
// writes a copy with each value replaced, in the document's own encoding.
// Archives are rewritten member by member into the same archive type.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "crypto/fingerprint.h"
#include "decode/decode.h"
#include "match/engine.h"
#include "redact/policy.h"
#include "redact/pseudonym.h"
#include "redact/rewrite.h"
#include "scan/scanner.h"

namespace privaudit::redact {

struct Options {
  std::vector<std::string> inputs;  // files, folders, "-" for stdin
  std::string output;               // folder, file (one input), or "-" (stdout)
  ScanSettings settings;            // min confidence, forced input encoding
  std::optional<Encoding> output_encoding;  // unset: each document's own
  std::vector<std::string> include, exclude;
  int max_archive_depth = 5;
  uint64_t max_expanded_bytes = uint64_t{8} << 30;  // per top-level input
};

// One document (a file, or an archive member) and what was done to it.
struct FileResult {
  std::string path;    // as reported: "in/a.zip!/b.csv"
  std::string output;  // where it was written ("out/in/a.zip!/b.csv", "-"); "" if not
  std::string format;  // text, csv, tsv, json, jsonl
  std::string encoding, output_encoding;
  bool written = false;
  DocStats stats;
  uint64_t unencodable = 0;  // characters written as '?' in the output encoding
  std::vector<std::string> notes;
};

struct Result {
  std::vector<FileResult> files;
  std::vector<InputError> errors;
  std::vector<Skipped> skipped;
  uint64_t documents = 0, bytes = 0;
  uint64_t unresolved = 0;  // values found but not rewritten (always exit 2)
  std::vector<std::string> unmatched_columns;  // --column/--generalise naming nothing seen
};

// Runs redact over the inputs. False with `error` for a problem with the
// request itself (an output target that does not fit the inputs); problems
// with single inputs go to out.errors and the run goes on.
bool run(const Engine& engine, const Policy& policy, const Pseudonymiser* pseudonymiser,
         const Fingerprinter& fp, const Options& opts, Result& out, std::string& error);

// The `redact` section of the report.
std::string section_json(const Result& r, const Options& opts, const Pseudonymiser* pseudonymiser);

// True when the first bytes of a file are those of an archive or compressed
// file redact rewrites with libarchive (zip, tar, gzip, bzip2, xz, zstd, 7z, cpio).
bool archive_magic(std::string_view head);

}  // namespace privaudit::redact
