// Which quasi-identifiers drive the risk: sample uniques when one column is
// dropped, and the smallest column combinations that already make a stated
// share of the records unique. Both are computed from the equivalence
// classes (not the rows): a projection of the classes onto some columns is
// the table's classes on those columns.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "risk/classes.h"

namespace privaudit::risk {

// Classes with their values dictionary-encoded per column: either one
// packed 64-bit key per class (the counter's own, not copied) or a tuple of
// value ids per class.
struct EncodedClasses {
  size_t qis = 0;
  size_t classes = 0;
  const uint64_t* keys = nullptr;  // packed: keys[c], column j at bits shift[j], width[j]
  std::vector<unsigned> shift, width;
  std::vector<uint32_t> ids;       // else ids[c * qis + j]: value id of class c in column j
  const uint64_t* sizes = nullptr;  // records per class (the counter's)
  std::vector<uint32_t> distinct;  // distinct values per column
  uint64_t records = 0;
  uint32_t id(size_t c, size_t j) const {
    if (keys) return static_cast<uint32_t>((keys[c] >> shift[j]) & ((uint64_t{1} << width[j]) - 1));
    return ids[c * qis + j];
  }
};
// Refers to `counter`'s classes: valid while it lives.
EncodedClasses encode_classes(const ClassCounter& counter);

// Records unique on the columns `cols` (indices into the quasi-identifiers).
uint64_t uniques_on(const EncodedClasses& e, const std::vector<size_t>& cols);

struct Driver {
  size_t column = 0;
  uint64_t sample_uniques_without = 0;
};
// One entry per quasi-identifier: sample uniques with it dropped.
std::vector<Driver> drivers(const EncodedClasses& e);

struct UniqueCombination {
  std::vector<size_t> columns;
  uint64_t sample_uniques = 0;
};
struct CombinationSearch {
  double share = 0.5;
  size_t max_size = 3;
  size_t checked = 0;     // combinations evaluated
  size_t searched_size = 0;  // every combination up to this size was evaluated
  bool capped = false;    // stopped at the combination limit
  std::vector<UniqueCombination> found;  // all of the smallest size that reach the share
};
// Finds the smallest combinations (up to `max_size` columns) on which at
// least `share` of the records are unique, evaluating at most
// `max_combinations` combinations.
CombinationSearch unique_combinations(const EncodedClasses& e, double share, size_t max_size = 3,
                                      size_t max_combinations = 300);

}  // namespace privaudit::risk
