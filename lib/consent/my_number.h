// Finds My Numbers in the cells of a processing record, with the scan rule
// `jp-my-number` (check digit, grouping, full-width digits, boundaries), and
// decides which columns are My Number columns: a column named as one (the
// rule's context keywords: 個人番号, my_number ...), or one whose 12-digit
// values overwhelmingly validate (SPEC "Identifiers": random numbers pass the
// check about one time in ten).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "match/engine.h"
#include "scan/evidence.h"

namespace privaudit::consent {

class MyNumberDetector {
 public:
  // Builds the engine from the built-in rule jp-my-number; nullptr with
  // `error` if the rule pack lacks it.
  static std::unique_ptr<MyNumberDetector> create(std::string& error);

  // What one cell holds.
  struct CellScan {
    bool candidate = false;  // a 12-digit value (valid or not)
    bool valid = false;      // a valid My Number
  };
  CellScan scan_cell(std::string_view cell);
  // +1: the column name names a My Number; -1: it names something else
  // (order, tel ...); 0: neither.
  int classify_column(std::string_view name) const;

 private:
  MyNumberDetector() = default;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<KeywordIndex> keywords_;
  Engine::ScratchPtr scratch_;
  std::vector<Candidate> cands_;
  std::string buf_;
};

// Per-table column statistics and the decision "is this a My Number column".
class MyNumberColumns {
 public:
  explicit MyNumberColumns(MyNumberDetector& d) : d_(d) {}
  // Counts the cells of one record into the statistics.
  void observe(const std::vector<std::string>& columns, const std::vector<std::string>& fields);
  // The name of the first column of this record holding a valid My Number in
  // a My Number column, or "" if none. With `count`, the record is counted
  // into the statistics first (pass false for a record already observed).
  std::string find(const std::vector<std::string>& columns, const std::vector<std::string>& fields, bool count);

 private:
  struct Stats {
    int name = 2;  // classify_column result; 2 = not yet computed
    uint64_t candidates = 0, valid = 0;
  };
  MyNumberDetector& d_;
  std::vector<Stats> stats_;
  Stats& stats(const std::vector<std::string>& columns, size_t i);
  bool qualifies(const Stats& s) const;
};

}  // namespace privaudit::consent
