// The finding spool: a run's findings kept on disk, not in memory, so that a
// scan's memory stays flat however many findings it makes. Findings are
// appended in report order (one input at a time) into a compact binary
// record stream in an unlinked temporary file, and read back in the same
// order by the report writers. The summary (counts by rule and severity,
// distinct values) is kept as findings arrive.
#pragma once
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace privaudit {

// A set of 64-bit values (open addressing): the distinct fingerprints of a rule.
class U64Set {
 public:
  bool insert(uint64_t v);  // true when v was new
  // Adds v without telling whether it was new: its slot is prefetched now
  // and v inserted a few adds later, so that the cache misses of a large
  // set overlap instead of adding up.
  void add(uint64_t v);
  size_t size() const {
    flush();
    return size_;
  }

 private:
  // Logically const: size() inserts the values add() still holds.
  mutable std::vector<uint64_t> slots_;  // 0 = empty; the value 0 is kept in has_zero_
  mutable size_t size_ = 0;
  mutable bool has_zero_ = false;
  static constexpr size_t kAhead = 16;
  mutable std::array<uint64_t, kAhead> ahead_{};
  mutable size_t n_ahead_ = 0;
  bool insert_now(uint64_t v) const;
  void flush() const;
  void grow() const;
};

// The summary's counts, built one finding at a time.
class SummaryBuilder {
 public:
  void add(const Finding& f);
  uint64_t findings() const { return findings_; }
  // Counts by rule id, by severity name, and distinct fingerprints by rule id.
  std::map<std::string, uint64_t> by_rule() const;
  std::map<std::string, uint64_t> by_severity() const;
  std::map<std::string, uint64_t> distinct_values() const;
  bool any_at_or_above(Severity s) const;

 private:
  struct PerRule {
    uint64_t count = 0;
    U64Set distinct;
  };
  uint64_t findings_ = 0;
  std::array<uint64_t, 5> by_severity_{};
  std::map<std::string, PerRule, std::less<>> rules_;
  std::string last_rule_;
  PerRule* last_ = nullptr;
};

// Parses 16 hex digits (a fingerprint) into 64 bits; 0 for anything else.
uint64_t parse_fingerprint(std::string_view hex);

class FindingSpool {
 public:
  FindingSpool();
  ~FindingSpool();
  FindingSpool(const FindingSpool&) = delete;
  FindingSpool& operator=(const FindingSpool&) = delete;

  // Appends a finding. `hidden` findings (accepted by a baseline) are kept
  // for --write-baseline but are not reported or counted in the summary.
  // False when the temporary file cannot be written (error() says why).
  bool append(const Finding& f, bool hidden = false);
  // Findings reported (not hidden), and all of them.
  uint64_t size() const { return visible_; }
  uint64_t total() const { return total_; }
  const SummaryBuilder& summary() const { return summary_; }
  // Calls fn(finding) for every finding in order (hidden ones too when
  // `with_hidden`). False, with error(), when reading back failed.
  bool for_each(const std::function<void(const Finding&)>& fn, bool with_hidden = false) const;
  const std::string& error() const { return error_; }

  // The spool reads back in segments of up to kSegment findings, each
  // readable on its own (so that threads can render them at once).
  static constexpr uint64_t kSegment = 4096;
  size_t segments() const { return marks_.size(); }
  // Like for_each, over segment `seg` only. Safe to call from several threads.
  bool for_each_in_segment(size_t seg, const std::function<void(const Finding&)>& fn,
                           bool with_hidden = false) const;

 private:
  int fd_ = -1;                // the temporary file, made at the first flush
  std::string buf_;            // records not yet written
  uint64_t total_ = 0, visible_ = 0;
  SummaryBuilder summary_;
  // The previous record's strings: a repeated one is written as a reference.
  // Only the first kRepeatable strings (rule, path, field, message) may repeat.
  static constexpr size_t kRepeatable = 4;
  std::array<std::string, kRepeatable> prev_;
  uint64_t file_bytes_ = 0;     // bytes written to the file
  // Where each segment starts: offset in the record stream (the file, then
  // buf_), and its first record's number.
  std::vector<std::pair<uint64_t, uint64_t>> marks_;
  mutable std::string error_;
  bool flush();
  bool read_records(uint64_t from, uint64_t count,
                    const std::function<void(const Finding&)>& fn, bool with_hidden) const;
};

}  // namespace privaudit
