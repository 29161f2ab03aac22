#include "risk/classes.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

namespace privaudit::risk {

void encode_tuple(const std::string_view* values, size_t n, std::string& out) {
  out.clear();
  for (size_t i = 0; i < n; ++i) {
    size_t len = values[i].size();
    while (len >= 0x80) {  // LEB128 length
      out.push_back(static_cast<char>((len & 0x7f) | 0x80));
      len >>= 7;
    }
    out.push_back(static_cast<char>(len));
    out.append(values[i].data(), values[i].size());
  }
}

void decode_tuple(std::string_view key, std::vector<std::string_view>& out) {
  out.clear();
  size_t i = 0;
  while (i < key.size()) {
    size_t len = 0;
    int shift = 0;
    for (;;) {
      auto c = static_cast<unsigned char>(key[i++]);
      len |= static_cast<size_t>(c & 0x7f) << shift;
      shift += 7;
      if (!(c & 0x80)) break;
    }
    out.push_back(key.substr(i, len));
    i += len;
  }
}

ClassCounter::ClassCounter(size_t qis, bool sensitive)
    : qis_(qis), sensitive_(sensitive), dict_(qis), ids_(qis) {
  // Start with 8 bits per column (fewer when many columns share a 64-bit
  // key); widen() grows a column's share when its values outgrow it.
  unsigned w = qis == 0     ? 0
               : qis <= 8   ? 8
               : qis <= 64  ? static_cast<unsigned>(64 / qis)
               : qis <= 128 ? static_cast<unsigned>(128 / qis)
                            : 0;
  if (w == 0 || !layout(std::vector<unsigned>(qis, w))) mode_ = Mode::values;
}

// Sets the bit layout of packed keys (64-bit keys when the widths fit);
// false when they need more than 128 bits.
bool ClassCounter::layout(const std::vector<unsigned>& widths) {
  unsigned total = 0;
  for (unsigned w : widths) total += w;
  if (total > 128) return false;
  width_ = widths;
  shift_.assign(qis_, 0);
  unsigned at = 0;
  for (size_t j = 0; j < qis_; ++j) {
    shift_[j] = at;
    at += width_[j];
  }
  mode_ = total <= 64 ? Mode::k64 : Mode::k128;
  return true;
}

Key128Table::Key ClassCounter::pack(const uint32_t* ids) const {
  Key128Table::Key k;
  for (size_t j = 0; j < qis_; ++j) {
    uint64_t v = ids[j];
    unsigned s = shift_[j];
    if (s < 64) {
      k.lo |= v << s;
      if (s + width_[j] > 64) k.hi |= v >> (64 - s);
    } else {
      k.hi |= v << (s - 64);
    }
  }
  return k;
}

void ClassCounter::unpack(const Key128Table::Key& k, uint32_t* ids) const {
  for (size_t j = 0; j < qis_; ++j) {
    unsigned s = shift_[j], w = width_[j];
    uint64_t v;
    if (s < 64) {
      v = k.lo >> s;
      if (s + w > 64) v |= k.hi << (64 - s);
    } else {
      v = k.hi >> (s - 64);
    }
    ids[j] = static_cast<uint32_t>(w >= 32 ? v : v & ((uint64_t{1} << w) - 1));
  }
}

// A column's ids outgrew its bits: give every column room for twice its
// current distinct values and re-key the classes (64-bit keys while they
// fit, then 128-bit), or switch to value keys when 128 bits are not enough.
// Classes keep their ids: they are re-added in id order.
void ClassCounter::widen() {
  std::vector<unsigned> widths(qis_);
  for (size_t j = 0; j < qis_; ++j)
    widths[j] = std::max(width_[j], static_cast<unsigned>(std::bit_width(dict_[j].size())) + 1);
  // The classes so far as tuples of value ids, by class id.
  std::vector<uint64_t> counts;
  std::vector<uint32_t> tuples;
  if (mode_ == Mode::k64) {
    counts = classes64_.counts();
    HugeVector<uint64_t> keys = classes64_.keys();
    tuples.resize(counts.size() * qis_);
    for (size_t c = 0; c < counts.size(); ++c) unpack(Key128Table::Key{keys[c], 0}, &tuples[c * qis_]);
  } else {
    counts = packed_classes_.counts();
    tuples.resize(counts.size() * qis_);
    for (uint32_t c = 0; c < counts.size(); ++c) unpack(packed_classes_.key(c), &tuples[c * qis_]);
  }
  classes64_ = Key64Table();
  packed_classes_ = Key128Table();
  if (!layout(widths)) {
    mode_ = Mode::values;
    std::vector<std::string_view> vals(qis_);
    std::string key;
    for (size_t c = 0; c < counts.size(); ++c) {
      for (size_t j = 0; j < qis_; ++j) vals[j] = dict_[j].key(tuples[c * qis_ + j]);
      encode_tuple(vals.data(), qis_, key);
      classes_.add(key, hash_bytes(key.data(), key.size()), counts[c]);
    }
    return;
  }
  for (size_t c = 0; c < counts.size(); ++c) {
    Key128Table::Key k = pack(&tuples[c * qis_]);
    if (mode_ == Mode::k64) classes64_.add(k.lo, Key64Table::hash(k.lo), counts[c]);
    else packed_classes_.add(k, Key128Table::hash(k), counts[c]);
  }
}

void ClassCounter::add(const std::string_view* values, std::string_view sensitive) {
  ++records_;
  bool done = false;
  if (mode_ == Mode::k64) {  // the fast path: interned ids packed into 64 bits
    uint64_t key = 0;
    uint32_t over = 0;
    for (size_t j = 0; j < qis_; ++j) {
      uint32_t id = dict_[j].add(values[j]);
      ids_[j] = id;
      over |= id >> width_[j];
      key |= static_cast<uint64_t>(id) << shift_[j];
    }
    if (over == 0) {
      uint64_t h = Key64Table::hash(key);
      batch_key64_[batch_n_] = key;
      batch_hash_[batch_n_] = h;
      classes64_.prefetch(h);
      done = true;
    } else {
      add_ids(values, true);
      done = true;
    }
  }
  if (!done) add_ids(values, false);
  // Sensitive values are few: interned at once (their table stays in cache).
  if (sensitive_) batch_sens_[batch_n_] = sensitive_values_.add(sensitive);
  if (++batch_n_ == kBatch) flush();
}

// The general path: a record whose ids outgrow the layout (`have_ids`: they
// are in ids_ already), or any record with 128-bit or value keys.
void ClassCounter::add_ids(const std::string_view* values, bool have_ids) {
  if (mode_ != Mode::values) {
    if (!have_ids)
      for (size_t j = 0; j < qis_; ++j) ids_[j] = dict_[j].add(values[j]);
    bool fits = true;
    for (size_t j = 0; j < qis_; ++j) fits &= (ids_[j] >> width_[j]) == 0;
    if (!fits) {
      flush();
      widen();
    }
  }
  if (mode_ == Mode::k64) {
    uint64_t key = pack(ids_.data()).lo;
    batch_key64_[batch_n_] = key;
    batch_hash_[batch_n_] = Key64Table::hash(key);
    classes64_.prefetch(batch_hash_[batch_n_]);
  } else if (mode_ == Mode::k128) {
    Key128Table::Key k = pack(ids_.data());
    batch_key_[batch_n_] = k;
    batch_hash_[batch_n_] = Key128Table::hash(k);
    packed_classes_.prefetch(batch_hash_[batch_n_]);
  } else {
    add_value_key(values);
  }
}

// Appends the record's encoded values (see encode_tuple) to the batch.
void ClassCounter::add_value_key(const std::string_view* values) {
  size_t start = batch_n_ ? batch_end_[batch_n_ - 1] : 0;
  for (size_t i = 0; i < qis_; ++i) {
    size_t len = values[i].size();
    while (len >= 0x80) {
      batch_keys_.push_back(static_cast<char>((len & 0x7f) | 0x80));
      len >>= 7;
    }
    batch_keys_.push_back(static_cast<char>(len));
    batch_keys_.append(values[i].data(), values[i].size());
  }
  batch_end_[batch_n_] = batch_keys_.size();
  batch_hash_[batch_n_] = hash_bytes(batch_keys_.data() + start, batch_keys_.size() - start);
  classes_.prefetch_slot(batch_hash_[batch_n_]);
}

void ClassCounter::flush() {
  size_t n = batch_n_;
  if (mode_ == Mode::k64) {
    for (size_t i = 0; i < n; ++i) batch_cls_[i] = classes64_.add(batch_key64_[i], batch_hash_[i]);
  } else if (mode_ == Mode::k128) {
    for (size_t i = 0; i < n; ++i) batch_cls_[i] = packed_classes_.add(batch_key_[i], batch_hash_[i], 1);
  } else {
    for (size_t i = 0; i < n; ++i) classes_.prefetch_entry(batch_hash_[i]);
    size_t start = 0;
    for (size_t i = 0; i < n; ++i) {
      std::string_view key(batch_keys_.data() + start, batch_end_[i] - start);
      batch_cls_[i] = classes_.add(key, batch_hash_[i], 1);
      start = batch_end_[i];
    }
  }
  if (sensitive_) {
    for (size_t i = 0; i < n; ++i)
      if (batch_cls_[i] < first_.size()) __builtin_prefetch(&first_[batch_cls_[i]], 1);
    for (size_t i = 0; i < n; ++i) {
      uint32_t cls = batch_cls_[i], v = batch_sens_[i];
      if (cls == first_.size()) {
        first_.push_back({v, 1});
      } else if (first_[cls].value == v && first_[cls].count != 0xffffffffu) {
        ++first_[cls].count;
      } else {
        pairs_.add(static_cast<uint64_t>(cls) << 32 | v);
      }
    }
  }
  batch_n_ = 0;
  batch_keys_.clear();
}

void ClassCounter::finish() {
  flush();
  if (mode_ == Mode::k64) {
    sizes_ = classes64_.counts();
    keys64_ = classes64_.keys();
    classes64_ = Key64Table();  // the keys by class are all that is needed from here on
  } else if (mode_ == Mode::k128) {
    sizes_ = packed_classes_.counts();
  } else {
    sizes_.resize(classes_.size());
    for (uint32_t c = 0; c < classes_.size(); ++c) sizes_[c] = classes_.count(c);
  }
}

void ClassCounter::ids(uint32_t cls, uint32_t* out) const {
  if (mode_ == Mode::k64) unpack(Key128Table::Key{keys64_[cls], 0}, out);
  else unpack(packed_classes_.key(cls), out);
}

void ClassCounter::values(uint32_t cls, std::vector<std::string_view>& out) const {
  if (mode_ == Mode::values) {
    decode_tuple(classes_.key(cls), out);
    return;
  }
  std::vector<uint32_t> ids(qis_);
  this->ids(cls, ids.data());
  out.resize(qis_);
  for (size_t j = 0; j < qis_; ++j) out[j] = dict_[j].key(ids[j]);
}

Histogram ClassCounter::histogram() const {
  std::map<uint64_t, uint64_t> m;
  for (uint64_t size : sizes_) ++m[size];
  Histogram h;
  for (auto& [size, n] : m) h.push_back({size, n});
  return h;
}

ClassCounter::Diversity ClassCounter::diversity() const {
  Diversity d;
  if (!sensitive_ || sizes_.empty()) return d;
  std::vector<uint64_t> distinct(sizes_.size(), 1);  // the first value
  std::vector<double> plogp(sizes_.size(), 0.0);      // sum of c * ln c
  // The first value's count: inline, plus any overflow counted in pairs_.
  std::vector<uint64_t> first_count(first_.size());
  for (uint32_t cls = 0; cls < first_.size(); ++cls) first_count[cls] = first_[cls].count;
  pairs_.for_each([&](uint64_t key, uint64_t count) {
    auto cls = static_cast<uint32_t>(key >> 32);
    if (static_cast<uint32_t>(key) == first_[cls].value) {
      first_count[cls] += count;  // a class with more than 2^32 - 1 of its first value
      return;
    }
    auto c = static_cast<double>(count);
    ++distinct[cls];
    plogp[cls] += c * std::log(c);
  });
  for (uint32_t cls = 0; cls < first_.size(); ++cls) {
    auto c = static_cast<double>(first_count[cls]);
    plogp[cls] += c * std::log(c);
  }
  d.distinct_l = *std::min_element(distinct.begin(), distinct.end());
  d.entropy_l = INFINITY;
  for (uint32_t cls = 0; cls < sizes_.size(); ++cls) {
    // H = ln n - (1/n) sum c ln c
    auto n = static_cast<double>(sizes_[cls]);
    double h = std::log(n) - plogp[cls] / n;
    d.entropy_l = std::min(d.entropy_l, std::exp(std::max(0.0, h)));
  }
  return d;
}

size_t ClassCounter::memory() const {
  size_t dicts = 0;
  for (auto& d : dict_) dicts += d.memory();
  return dicts + classes64_.memory() + keys64_.capacity() * 8 + packed_classes_.memory() + classes_.memory() + sensitive_values_.memory() + pairs_.memory() + first_.capacity() * sizeof(First);
}

}  // namespace privaudit::risk
