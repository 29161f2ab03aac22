// The walker and the run: turns the user's paths into documents, scans them
// on N threads, and accounts for every input.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scan/database.h"
#include "scan/scanner.h"

namespace privaudit {

// Where a run is, for a progress display. Bytes count input files at their
// size on disk (stdin: as read), so that they add up to the total.
struct Progress {
  uint64_t files_done = 0, files_total = 0;
  uint64_t bytes_done = 0, bytes_total = 0;
  bool total_known = true;  // false when reading stdin
};

struct RunOptions {
  std::vector<std::string> paths;  // files, folders, "-" for stdin, database URIs
  unsigned threads = 0;            // 0: all cores
  std::vector<std::string> include, exclude;  // globs
  uint64_t max_file_size = 0;                 // 0: no limit
  int max_archive_depth = 5;
  uint64_t max_expanded_bytes = uint64_t{8} << 30;
  double max_compression_ratio = 1000.0;
  uint64_t max_archive_entries = 1000000;
  ScanSettings settings;
  // Called once the inputs are listed, then after each top-level input (from
  // worker threads, one call at a time); may be empty.
  std::function<void(const Progress&)> progress;
  DatabaseOptions database;  // tables, views and sampling of database inputs
  // With more than one thread, a plain UTF-8 text file of at least
  // split_min_bytes is split into pieces of about split_piece_bytes (ending
  // at newlines) that threads scan at once; the findings are the same.
  uint64_t split_min_bytes = uint64_t{32} << 20;
  uint64_t split_piece_bytes = uint64_t{2} << 20;
  // When set, receives each top-level input's result (its findings sorted)
  // as soon as it and every input before it are done: in report order, one
  // call at a time, from worker threads. The run drops the findings when
  // it returns (so memory holds one input's findings, not a run's) and
  // keeps everything else in the run's result.
  std::function<void(ScanResult&)> on_result;
};

// Scans everything; the result is sorted in report order.
ScanResult run_scan(const Engine& engine, const Fingerprinter& fp, const RunOptions& opts);

// True when `path` matches the glob (fnmatch; a pattern without '/' matches
// the file name, with '/' the whole path; "dir/" matches a folder).
bool glob_match(const std::string& pattern, const std::string& path, bool is_dir);

}  // namespace privaudit
