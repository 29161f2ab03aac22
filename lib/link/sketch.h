// A bottom-k (KMV) sketch of a column's distinct values: the k smallest
// keyed 64-bit hashes. Fixed memory (8k bytes) per column, whatever its size;
// exact while the column has fewer than k distinct values.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace privaudit::link {

class KmvSketch {
 public:
  explicit KmvSketch(size_t k = 1024) : k_(k) {}

  void add(uint64_t h) {
    if (full_ && h >= threshold_) return;
    pending_.push_back(h);
    if (pending_.size() >= 2 * k_) compact();
  }
  // Folds pending hashes in; call before the queries.
  void finish() { compact(); }

  // Adds every value `other` holds (the union of the two sets).
  void merge(const KmvSketch& other);

  // True while every distinct value is held (the estimates are then exact).
  bool exact() const { return !full_; }
  // Estimated number of distinct values.
  double distinct() const;
  const std::vector<uint64_t>& hashes() const { return kept_; }  // sorted
  size_t k() const { return k_; }

 private:
  size_t k_;
  bool full_ = false;
  uint64_t threshold_ = ~uint64_t{0};  // the k-th smallest once full
  std::vector<uint64_t> kept_;
  std::vector<uint64_t> pending_;
  void compact();
};

// Overlap of two columns' value sets, estimated from their sketches (exact
// when both sketches are).
struct Overlap {
  double left_distinct = 0, right_distinct = 0;
  double shared = 0;       // |A ∩ B|
  double jaccard = 0;      // |A ∩ B| / |A ∪ B|
  double containment = 0;  // |A ∩ B| / min(|A|, |B|)
  bool exact = false;
};
Overlap estimate_overlap(const KmvSketch& a, const KmvSketch& b);

}  // namespace privaudit::link
