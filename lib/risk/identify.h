// Columns that hold direct identifiers (My Number, e-mail, phone ...): a
// column where most non-empty values carry a valid match of one identifier
// rule. Judged on a sample of the table's first records.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "match/engine.h"

namespace privaudit::risk {

struct DirectIdentifier {
  size_t column = 0;         // index into the table's columns
  std::string column_name;
  std::string rule;          // rule id
  std::string rule_name;
  uint64_t matched = 0;      // sampled non-empty values with a valid match
  uint64_t checked = 0;      // sampled non-empty values
  std::string masked;        // one masked example (at most its last 4 characters)
};

// Checks each column's first `max_values` non-empty values of `sample`
// (rows of values, one per column). A rule that needs evidence counts only
// where the column's name names it. Rules tagged "public" (corporate
// numbers) are not personal identifiers and are ignored.
std::vector<DirectIdentifier> find_direct_identifiers(const Engine& engine,
                                                      const std::vector<std::string>& columns,
                                                      const std::vector<std::vector<std::string>>& sample,
                                                      size_t max_values = 1000);

}  // namespace privaudit::risk
