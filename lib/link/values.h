// How key values are compared: each column gets a kind, and a value is
// reduced to a canonical form for its kind before it is hashed. Two cells
// are "the same value" when their canonical forms are equal.
#pragma once
#include <string>
#include <string_view>

#include "rules/rule.h"

namespace privaudit::link {

enum class ValueKind {
  text,        // trimmed, width folded, lower-cased
  name,        // as text, with every space removed ("山田　太郎" = "山田太郎")
  date,        // YYYY-MM-DD when it parses as a date (see normalise_date), else as text
  sex,         // "m" / "f" for the usual spellings (男, 女性, M, female ...), else as text
  digits,      // ASCII digits only (postal codes: 〒150-0001 = 1500001); as text if none
  identifier,  // normalise_value of the column's rule (1234-5678-9018 = １２３４５６７８９０１８)
};

std::string_view to_string(ValueKind k);

// `v` without leading/trailing ASCII whitespace and ideographic spaces.
std::string_view trim_value(std::string_view v);

// Trims ASCII and ideographic spaces, folds width, lower-cases ASCII.
std::string light_normalise(std::string_view v);

// A date written as 1990-01-02, 1990/1/2, 1990.1.2, 19900102, 1990年1月2日,
// or in a Japanese era (平成2年1月2日, 平成元年…, H2.1.2, S50/1/2; 明治, 大正,
// 昭和, 平成, 令和), optionally followed by a time ("T…" or " …"), as
// "YYYY-MM-DD". Empty when `v` is not such a date (or the month/day is out of
// range). Full-width digits are accepted.
std::string normalise_date(std::string_view v);

// The canonical form of `v` for `kind`; `rule` is used for identifiers.
// Empty when the value is missing (blank).
std::string canonical_value(ValueKind kind, const Rule* rule, std::string_view v);

// The normalised identifier when the whole (trimmed) cell is one valid value
// of `rule`: digit rules need one of the rule's lengths (separators are
// ignored), validators must pass. Empty otherwise.
std::string valid_identifier(const Rule& rule, std::string_view cell);

}  // namespace privaudit::link
