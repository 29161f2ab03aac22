#include "link/sketch.h"

#include <algorithm>

namespace privaudit::link {

void KmvSketch::compact() {
  if (pending_.empty()) return;
  kept_.insert(kept_.end(), pending_.begin(), pending_.end());
  pending_.clear();
  std::sort(kept_.begin(), kept_.end());
  kept_.erase(std::unique(kept_.begin(), kept_.end()), kept_.end());
  if (kept_.size() >= k_) {
    kept_.resize(k_);
    full_ = true;
    threshold_ = kept_.back();
  }
}

void KmvSketch::merge(const KmvSketch& other) {
  for (uint64_t h : other.kept_) add(h);
  for (uint64_t h : other.pending_) add(h);
  compact();
  // A full sketch's values beyond its k-th are unknown: so are the union's.
  if (!other.exact() && !kept_.empty() && kept_.back() > other.threshold_) {
    kept_.erase(std::upper_bound(kept_.begin(), kept_.end(), other.threshold_), kept_.end());
    full_ = true;
    threshold_ = kept_.empty() ? 0 : kept_.back();
  }
}

double KmvSketch::distinct() const {
  if (!full_) return static_cast<double>(kept_.size());
  // (k - 1) / (h_k / 2^64): the unbiased KMV estimator.
  double frac = static_cast<double>(threshold_) / 18446744073709551616.0;
  double m = static_cast<double>(kept_.size());  // k, or fewer after a merge
  return frac > 0 && m > 1 ? (m - 1) / frac : m;
}

Overlap estimate_overlap(const KmvSketch& a, const KmvSketch& b) {
  Overlap o;
  o.left_distinct = a.distinct();
  o.right_distinct = b.distinct();
  o.exact = a.exact() && b.exact();
  const auto& x = a.hashes();
  const auto& y = b.hashes();
  if (x.empty() || y.empty()) return o;
  if (o.exact) {
    std::vector<uint64_t> common;
    std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(common));
    o.shared = static_cast<double>(common.size());
    double uni = o.left_distinct + o.right_distinct - o.shared;
    o.jaccard = uni > 0 ? o.shared / uni : 0;
  } else {
    // Bottom-k of the union; the share of it present in both estimates J.
    size_t k = std::min(a.k(), b.k());
    size_t i = 0, j = 0, taken = 0, both = 0;
    while (taken < k && (i < x.size() || j < y.size())) {
      uint64_t h;
      bool in_x = false, in_y = false;
      if (j >= y.size() || (i < x.size() && x[i] < y[j])) {
        h = x[i++];
        in_x = true;
      } else if (i >= x.size() || y[j] < x[i]) {
        h = y[j++];
        in_y = true;
      } else {
        h = x[i++];
        ++j;
        in_x = in_y = true;
      }
      // A hash beyond either sketch's threshold cannot be judged: stop there.
      if ((!a.exact() && h > x.back()) || (!b.exact() && h > y.back())) break;
      ++taken;
      both += in_x && in_y;
    }
    o.jaccard = taken ? static_cast<double>(both) / static_cast<double>(taken) : 0;
    // |A ∩ B| = J (|A| + |B|) / (1 + J).
    o.shared = o.jaccard * (o.left_distinct + o.right_distinct) / (1 + o.jaccard);
  }
  double smaller = std::min(o.left_distinct, o.right_distinct);
  o.containment = smaller > 0 ? std::min(1.0, o.shared / smaller) : 0;
  return o;
}

}  // namespace privaudit::link
