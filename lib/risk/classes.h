// Equivalence classes of a table over its quasi-identifiers: records are
// grouped by the exact tuple of their quasi-identifier values, and (with a
// sensitive attribute) each class counts its sensitive values.
//
// Records are counted by cell: the tuple of quasi-identifier values plus,
// with a sensitive attribute, the sensitive value (one table lookup per
// record). finish() groups the cells into classes.
//
// Each column's values are interned into a small per-column dictionary and a
// record's class key is its tuple of value ids packed into 64 bits (or 128
// when 64 are not enough), held in the table slot itself. When the ids no
// longer fit (many columns with many distinct values), the counter switches
// to keys made of the values themselves. Either way, classes are exact: a
// key is the tuple itself, never a hash of it.
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

  // Adds one record: values[0..qis) are its quasi-identifier values. The
  // values are copied; records are counted in batches (so that the table
  // lookups of a batch overlap their memory latency).
  void add(const std::string_view* values, std::string_view sensitive = {});
  // Counts the records still in the batch. Call once, after the last add(),
  // before reading anything back.
  void finish();

  uint64_t records() const { return records_; }
  size_t classes() const { return sizes_.size(); }
  size_t qis() const { return qis_; }
  uint64_t size(uint32_t cls) const { return sizes_[cls]; }
  // The quasi-identifier values of a class, in --qi order.
  void values(uint32_t cls, std::vector<std::string_view>& out) const;
  // With packed keys: the per-column value ids of a class (ids[0..qis)), and
  // the number of distinct values of column j. False in value-key mode.
  // values() and ids() after finish().
  bool packed() const { return mode_ != Mode::values; }
  void ids(uint32_t cls, uint32_t* ids) const;
  // With 64-bit keys (after finish()): the key of every class, and column
  // j's bits in it (shift, width); nullptr otherwise.
  const uint64_t* keys64() const { return mode_ == Mode::k64 ? keys64_.data() : nullptr; }
  unsigned key_shift(size_t j) const { return shift_[j]; }
  unsigned key_width(size_t j) const { return width_[j]; }
  // Records per class, by class (after finish()).
  const uint64_t* sizes() const { return sizes_.data(); }
  size_t distinct(size_t j) const { return dict_[j].size(); }
  // Class-size histogram, ascending sizes.
  Histogram histogram() const;

  // l-diversity over the sensitive attribute: the smallest number of
  // distinct sensitive values in a class, and the smallest exp(entropy)
  // (natural log) of a class's sensitive value distribution.
  struct Diversity {
    uint64_t distinct_l = 0;
    double entropy_l = 0;
  };
  Diversity diversity() const { return diversity_; }

  // Approximate bytes held (at the end of counting).
  size_t memory() const { return memory_; }
  // Distinct (quasi-identifiers, sensitive value) cells counted.
  size_t cells() const { return cells_; }

 private:
  size_t qis_;
  bool sensitive_;
  size_t cols_;  // columns of a cell: the quasi-identifiers, then the sensitive value
  uint64_t records_ = 0;
  size_t cells_ = 0;
  size_t memory_ = 0;
  Diversity diversity_;

  // Packed modes: per-column dictionaries, bit layout of the 64- or 128-bit
  // key. Value mode: keys made of the values (encode_tuple).
  enum class Mode { k64, k128, values };
  Mode mode_ = Mode::k64;
  std::vector<ValueDict> dict_;
  std::vector<unsigned> width_, shift_;
  std::vector<uint32_t> ids_;  // scratch: the ids of the record being added
  Key64Table classes64_;
  HugeVector<uint64_t> keys64_;  // 64-bit keys by class, filled by finish()
  Key128Table packed_classes_;
  StringTable classes_;
  // Until finish(), classes64_ / packed_classes_ / classes_ count cells;
  // afterwards they (or keys64_) hold the classes.

  // The batch: cell keys (packed, or encoded values back to back) and their
  // hashes.
  static constexpr size_t kBatch = 32;
  uint64_t batch_key64_[kBatch] = {};
  Key128Table::Key batch_key_[kBatch];
  std::string batch_keys_;
  size_t batch_end_[kBatch] = {};
  uint64_t batch_hash_[kBatch] = {};
  size_t batch_n_ = 0;

  std::vector<uint64_t> sizes_;  // records per class, filled by finish()

  void flush();
  void add_ids(const std::string_view* values, std::string_view sensitive, bool have_ids);
  void group_cells();
  uint64_t quasi_mask() const;
  size_t current_memory() const;
  Key128Table::Key pack(const uint32_t* ids) const;
  void unpack(const Key128Table::Key& k, uint32_t* ids, size_t n) const;
  bool layout(const std::vector<unsigned>& widths);
  void widen();
  void add_value_key(const std::string_view* values, std::string_view sensitive);
};

// Encodes a tuple of values as one byte string (length-prefixed values).
void encode_tuple(const std::string_view* values, size_t n, std::string& out);
// Splits an encoded tuple back into its values.
void decode_tuple(std::string_view key, std::vector<std::string_view>& out);

}  // namespace privaudit::risk
