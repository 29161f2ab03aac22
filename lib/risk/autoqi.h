// Proposes quasi-identifiers for a table: from column names (Japanese and
// English: birth date, sex, postal code, address, age, occupation,
// nationality, marital status, race, education ...) and from contents
// (dates, Japanese postal codes, small-cardinality categorical columns).
#pragma once
#include <string>
#include <vector>

namespace privaudit::risk {

struct QiProposal {
  size_t column = 0;
  std::string name;
  std::string reason;  // why, in words: "name: postal code", "values: dates (97%)"
};

// What a column name says it holds ("birth date", "sex", ...), or "" when it
// names no quasi-identifier.
std::string qi_kind_from_name(const std::string& name);

// Proposes quasi-identifiers among `columns`, judging contents on `sample`
// (rows of values). Columns with skip[i] set (direct identifiers, the
// sensitive attribute) are never proposed. Ordered as the columns.
std::vector<QiProposal> propose_qis(const std::vector<std::string>& columns,
                                    const std::vector<std::vector<std::string>>& sample,
                                    const std::vector<bool>& skip);

}  // namespace privaudit::risk
