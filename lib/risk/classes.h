// Equivalence classes of a table over its quasi-identifiers: records are
// grouped by the exact tuple of their quasi-identifier values, and (with a
// sensitive attribute) each class counts its sensitive values.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "risk/estimators.h"
#include "risk/tables.h"

namespace privaudit::risk {

class ClassCounter {
 public:
  // `qis` quasi-identifiers per record; `sensitive`: also count the
  // sensitive value of each class.
  ClassCounter(size_t qis, bool sensitive);

  // Adds one record: values[0..qis) are its quasi-identifier values.
  void add(const std::string_view* values, std::string_view sensitive = {});

  uint64_t records() const { return records_; }
  size_t classes() const { return classes_.size(); }
  size_t qis() const { return qis_; }
  uint64_t size(uint32_t cls) const { return classes_.count(cls); }
  // The quasi-identifier values of a class, in --qi order.
  void values(uint32_t cls, std::vector<std::string_view>& out) const;
  // Class-size histogram, ascending sizes.
  Histogram histogram() const;

  // l-diversity over the sensitive attribute: the smallest number of
  // distinct sensitive values in a class, and the smallest exp(entropy)
  // (natural log) of a class's sensitive value distribution.
  struct Diversity {
    uint64_t distinct_l = 0;
    double entropy_l = 0;
  };
  Diversity diversity() const;

  // Approximate bytes held.
  size_t memory() const;

 private:
  size_t qis_;
  bool sensitive_;
  uint64_t records_ = 0;
  std::string key_;
  StringTable classes_;
  StringTable sensitive_values_;
  U64Table pairs_;  // (class << 32 | sensitive value) -> count
};

// Encodes a tuple of values as one byte string (length-prefixed values).
void encode_tuple(const std::string_view* values, size_t n, std::string& out);
// Splits an encoded tuple back into its values.
void decode_tuple(std::string_view key, std::vector<std::string_view>& out);

}  // namespace privaudit::risk
