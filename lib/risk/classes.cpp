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

// Reads the varint length at key[i] and moves i past it.
size_t read_length(std::string_view key, size_t& i) {
  size_t len = 0;
  for (int shift = 0;; shift += 7) {
    auto c = static_cast<unsigned char>(key[i++]);
    len |= static_cast<size_t>(c & 0x7f) << shift;
    if (!(c & 0x80)) return len;
  }
}

void decode_tuple(std::string_view key, std::vector<std::string_view>& out) {
  out.clear();
  size_t i = 0;
  while (i < key.size()) {
    size_t len = read_length(key, i);
    out.push_back(key.substr(i, len));
    i += len;
  }
}

ClassCounter::ClassCounter(size_t qis, bool sensitive)
    : qis_(qis), sensitive_(sensitive), cols_(qis + (sensitive ? 1 : 0)), dict_(cols_), ids_(cols_) {
  // Start with 8 bits per column (fewer when many columns share a 64-bit
  // key); widen() grows a column's share when its values outgrow it.
  size_t n = cols_;
  unsigned w = qis == 0    ? 0
               : n <= 8   ? 8
               : n <= 64  ? static_cast<unsigned>(64 / n)
               : n <= 128 ? static_cast<unsigned>(128 / n)
                          : 0;
  if (w == 0 || !layout(std::vector<unsigned>(n, w))) mode_ = Mode::values;
  else classes64_ = Key64Table(quasi_mask(), sensitive_ ? shift_[qis_] : 0);
}

// The bits of a 64-bit cell key that hold the quasi-identifiers: cells of
// one class share their home slot.
uint64_t ClassCounter::quasi_mask() const {
  if (!sensitive_ || shift_[qis_] >= 64) return ~uint64_t{0};
  return (uint64_t{1} << shift_[qis_]) - 1;
}

// Sets the bit layout of packed keys (64-bit keys when the widths fit);
// false when they need more than 128 bits.
bool ClassCounter::layout(const std::vector<unsigned>& widths) {
  unsigned total = 0;
  for (unsigned w : widths) total += w;
  if (total > 128) return false;
  width_ = widths;
  shift_.assign(cols_, 0);
  unsigned at = 0;
  for (size_t j = 0; j < cols_; ++j) {
    shift_[j] = at;
    at += width_[j];
  }
  mode_ = total <= 64 ? Mode::k64 : Mode::k128;
  return true;
}

Key128Table::Key ClassCounter::pack(const uint32_t* ids) const {
  Key128Table::Key k;
  for (size_t j = 0; j < cols_; ++j) {
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

// The first n columns' ids of a packed key.
void ClassCounter::unpack(const Key128Table::Key& k, uint32_t* ids, size_t n) const {
  for (size_t j = 0; j < n; ++j) {
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
// current distinct values and re-key the cells (64-bit keys while they fit,
// then 128-bit), or switch to value keys when 128 bits are not enough.
// Cells keep their ids: they are re-added in id order.
void ClassCounter::widen() {
  std::vector<unsigned> widths(cols_);
  for (size_t j = 0; j < cols_; ++j)
    widths[j] = std::max(width_[j], static_cast<unsigned>(std::bit_width(dict_[j].size())) + 1);
  // The cells so far as tuples of value ids, by cell id.
  std::vector<uint64_t> counts;
  std::vector<uint32_t> tuples;
  if (mode_ == Mode::k64) {
    counts = classes64_.counts();
    HugeVector<uint64_t> keys = classes64_.keys();
    tuples.resize(counts.size() * cols_);
    for (size_t c = 0; c < counts.size(); ++c) unpack(Key128Table::Key{keys[c], 0}, &tuples[c * cols_], cols_);
  } else {
    counts = packed_classes_.counts();
    tuples.resize(counts.size() * cols_);
    for (uint32_t c = 0; c < counts.size(); ++c) unpack(packed_classes_.key(c), &tuples[c * cols_], cols_);
  }
  classes64_ = Key64Table();
  packed_classes_ = Key128Table();
  bool fits = layout(widths);
  if (mode_ == Mode::k64) classes64_ = Key64Table(quasi_mask(), sensitive_ ? shift_[qis_] : 0);
  if (!fits) {
    mode_ = Mode::values;
    std::vector<std::string_view> vals(cols_);
    std::string key;
    for (size_t c = 0; c < counts.size(); ++c) {
      for (size_t j = 0; j < cols_; ++j) vals[j] = dict_[j].key(tuples[c * cols_ + j]);
      encode_tuple(vals.data(), cols_, key);
      classes_.add(key, hash_bytes(key.data(), key.size()), counts[c]);
    }
    return;
  }
  for (size_t c = 0; c < counts.size(); ++c) {
    Key128Table::Key k = pack(&tuples[c * cols_]);
    if (mode_ == Mode::k64) classes64_.add(k.lo, classes64_.hash(k.lo), counts[c]);
    else packed_classes_.add(k, Key128Table::hash(k), counts[c]);
  }
}

void ClassCounter::add(const std::string_view* values, std::string_view sensitive) {
  ++records_;
  if (mode_ == Mode::k64) {  // the fast path: interned ids packed into 64 bits
    uint64_t key = 0;
    uint32_t over = 0;
    for (size_t j = 0; j < qis_; ++j) {
      uint32_t id = dict_[j].add(values[j]);
      ids_[j] = id;
      over |= id >> width_[j];
      key |= static_cast<uint64_t>(id) << shift_[j];
    }
    if (sensitive_) {
      uint32_t id = dict_[qis_].add(sensitive);
      ids_[qis_] = id;
      over |= id >> width_[qis_];
      key |= static_cast<uint64_t>(id) << shift_[qis_];
    }
    if (over == 0) {
      uint64_t h = classes64_.hash(key);
      batch_key64_[batch_n_] = key;
      batch_hash_[batch_n_] = h;
    } else {
      add_ids(values, sensitive, true);
    }
  } else {
    add_ids(values, sensitive, false);
  }
  if (++batch_n_ == kBatch) flush();
}

// The general path: a record whose ids outgrow the layout (`have_ids`: they
// are in ids_ already), or any record with 128-bit or value keys.
void ClassCounter::add_ids(const std::string_view* values, std::string_view sensitive, bool have_ids) {
  if (mode_ != Mode::values) {
    if (!have_ids) {
      for (size_t j = 0; j < qis_; ++j) ids_[j] = dict_[j].add(values[j]);
      if (sensitive_) ids_[qis_] = dict_[qis_].add(sensitive);
    }
    bool fits = true;
    for (size_t j = 0; j < cols_; ++j) fits &= (ids_[j] >> width_[j]) == 0;
    if (!fits) {
      flush();
      widen();
    }
  }
  if (mode_ == Mode::k64) {
    uint64_t key = pack(ids_.data()).lo;
    batch_key64_[batch_n_] = key;
    batch_hash_[batch_n_] = classes64_.hash(key);
    classes64_.prefetch(batch_hash_[batch_n_]);
  } else if (mode_ == Mode::k128) {
    Key128Table::Key k = pack(ids_.data());
    batch_key_[batch_n_] = k;
    batch_hash_[batch_n_] = Key128Table::hash(k);
    packed_classes_.prefetch(batch_hash_[batch_n_]);
  } else {
    add_value_key(values, sensitive);
  }
}

namespace {
void append_value(std::string& out, std::string_view v) {
  size_t len = v.size();
  while (len >= 0x80) {  // LEB128 length, as encode_tuple
    out.push_back(static_cast<char>((len & 0x7f) | 0x80));
    len >>= 7;
  }
  out.push_back(static_cast<char>(len));
  out.append(v.data(), v.size());
}

// The length of the encoding of the first n values of an encoded tuple.
size_t encoded_prefix(std::string_view key, size_t n) {
  size_t i = 0;
  for (size_t k = 0; k < n && i < key.size(); ++k) {
    size_t len = read_length(key, i);
    i += len;
  }
  return i;
}
}  // namespace

// Appends the record's encoded values (see encode_tuple) to the batch.
void ClassCounter::add_value_key(const std::string_view* values, std::string_view sensitive) {
  size_t start = batch_n_ ? batch_end_[batch_n_ - 1] : 0;
  for (size_t i = 0; i < qis_; ++i) append_value(batch_keys_, values[i]);
  if (sensitive_) append_value(batch_keys_, sensitive);
  batch_end_[batch_n_] = batch_keys_.size();
  batch_hash_[batch_n_] = hash_bytes(batch_keys_.data() + start, batch_keys_.size() - start);
  classes_.prefetch_slot(batch_hash_[batch_n_]);
}

void ClassCounter::flush() {
  size_t n = batch_n_;
  if (mode_ == Mode::k64) {
    for (size_t i = 0; i < n; ++i) classes64_.prefetch(batch_hash_[i]);
    for (size_t i = 0; i < n; ++i) classes64_.add(batch_key64_[i], batch_hash_[i]);
  } else if (mode_ == Mode::k128) {
    for (size_t i = 0; i < n; ++i) packed_classes_.add(batch_key_[i], batch_hash_[i], 1);
  } else {
    for (size_t i = 0; i < n; ++i) classes_.prefetch_entry(batch_hash_[i]);
    size_t start = 0;
    for (size_t i = 0; i < n; ++i) {
      std::string_view key(batch_keys_.data() + start, batch_end_[i] - start);
      classes_.add(key, batch_hash_[i], 1);
      start = batch_end_[i];
    }
  }
  batch_n_ = 0;
  batch_keys_.clear();
}

size_t ClassCounter::current_memory() const {
  size_t dicts = 0;
  for (auto& d : dict_) dicts += d.memory();
  return dicts + classes64_.memory() + keys64_.capacity() * 8 + packed_classes_.memory() + classes_.memory() +
         sizes_.capacity() * 8;
}

void ClassCounter::finish() {
  flush();
  memory_ = current_memory();
  if (mode_ == Mode::k64) cells_ = classes64_.size();
  else if (mode_ == Mode::k128) cells_ = packed_classes_.size();
  else cells_ = classes_.size();
  if (sensitive_) {
    group_cells();
  } else if (mode_ == Mode::k64) {
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

namespace {
// ln c and c ln c, from tables for small counts (the same values).
struct LogTables {
  std::vector<double> log, c_log;
  LogTables() : log(1024), c_log(1024) {
    for (size_t c = 1; c < log.size(); ++c) {
      log[c] = std::log(static_cast<double>(c));
      c_log[c] = static_cast<double>(c) * std::log(static_cast<double>(c));
    }
  }
};
const LogTables& log_tables() {
  static const LogTables t;
  return t;
}
double c_log_c(uint64_t count) {
  const LogTables& t = log_tables();
  if (count < t.c_log.size()) return t.c_log[count];
  auto c = static_cast<double>(count);
  return c * std::log(c);
}
double log_of(uint64_t n) {
  const LogTables& t = log_tables();
  return n < t.log.size() ? t.log[n] : std::log(static_cast<double>(n));
}

// The smallest exp(max(0, h)) over classes. exp() is only evaluated for an
// h that may give a new minimum (not above the smallest h so far, with room
// for exp's rounding), so the result is the one of evaluating it for all.
struct EntropyMin {
  double value = INFINITY;
  double best_h = INFINITY;
  void add(double h) {
    h = std::max(0.0, h);
    if (h > best_h + 1e-9 * (1 + best_h)) return;
    best_h = std::min(best_h, h);
    value = std::min(value, std::exp(h));
  }
};
}  // namespace

// Groups the cells (class, sensitive value) into classes and computes the
// l-diversity of each: the number of cells of the class, and its entropy
// H = ln n - (1/n) sum c ln c over its cells' counts c. The sum adds the
// class's first sensitive value (the one of its first record) last, after
// the others.
void ClassCounter::group_cells() {
  std::vector<uint64_t> first_cell, first_count, distinct;
  std::vector<double> plogp;
  auto visit = [&](uint32_t cls, uint64_t cell, uint64_t count) {
    if (cls == first_cell.size()) {  // a new class
      first_cell.push_back(cell);
      first_count.push_back(count);
      distinct.push_back(1);
      plogp.push_back(0.0);
      return;
    }
    ++distinct[cls];
    if (cell < first_cell[cls]) {  // an earlier cell of the class: the first so far
      std::swap(count, first_count[cls]);
      first_cell[cls] = cell;
    }
    plogp[cls] += c_log_c(count);
  };
  if (mode_ == Mode::k64) {
    // The cells of a class are handed over together (quasi_mask(), see
    // Key64Table::for_each_group): each group sorted by class, then by cell
    // id, lists each class's cells together, its first one first. No lookups.
    uint64_t mask = quasi_mask();
    Diversity d;
    d.distinct_l = UINT64_MAX;
    EntropyMin entropy;
    using Entry = Key64Table::Entry;
    keys64_.reserve(cells_);  // classes <= cells: no regrowth
    sizes_.reserve(cells_);
    classes64_.for_each_group([&](Entry* e, size_t n) {
      if (n > 1)
        std::sort(e, e + n, [mask](const Entry& a, const Entry& b) {
          uint64_t qa = a.key & mask, qb = b.key & mask;
          return qa != qb ? qa < qb : a.id < b.id;
        });
      for (size_t i = 0; i < n;) {
        uint64_t q = e[i].key & mask, size = e[i].count;
        double sum = 0;
        size_t j = i + 1;
        for (; j < n && (e[j].key & mask) == q; ++j) {
          size += e[j].count;
          sum += c_log_c(e[j].count);
        }
        sum += c_log_c(e[i].count);
        keys64_.push_back(q);
        sizes_.push_back(size);
        d.distinct_l = std::min<uint64_t>(d.distinct_l, j - i);
        entropy.add(log_of(size) - sum / static_cast<double>(size));
        i = j;
      }
    });
    classes64_ = Key64Table();
    d.entropy_l = entropy.value;
    if (!sizes_.empty()) diversity_ = d;
    return;
  } else if (mode_ == Mode::k128) {
    Key128Table::Key mask;
    unsigned s = shift_[qis_];
    mask.lo = s >= 64 ? ~uint64_t{0} : (uint64_t{1} << s) - 1;
    mask.hi = s <= 64 ? 0 : s >= 128 ? ~uint64_t{0} : (uint64_t{1} << (s - 64)) - 1;
    Key128Table classes;
    std::vector<uint64_t> counts = packed_classes_.counts();
    for (uint32_t c = 0; c < counts.size(); ++c) {
      Key128Table::Key k = packed_classes_.key(c);
      k.lo &= mask.lo;
      k.hi &= mask.hi;
      visit(classes.add(k, Key128Table::hash(k), counts[c]), c, counts[c]);
    }
    packed_classes_ = std::move(classes);
    sizes_ = packed_classes_.counts();
  } else {
    StringTable classes;
    for (uint32_t c = 0; c < classes_.size(); ++c) {
      std::string_view k = classes_.key(c);
      k = k.substr(0, encoded_prefix(k, qis_));
      visit(classes.add(k, hash_bytes(k.data(), k.size()), classes_.count(c)), c, classes_.count(c));
    }
    classes_ = std::move(classes);
    sizes_.resize(classes_.size());
    for (uint32_t c = 0; c < classes_.size(); ++c) sizes_[c] = classes_.count(c);
  }
  Diversity d;
  d.distinct_l = UINT64_MAX;
  d.entropy_l = INFINITY;
  for (uint32_t cls = 0; cls < sizes_.size(); ++cls) {
    d.distinct_l = std::min(d.distinct_l, distinct[cls]);
    double sum = plogp[cls] + c_log_c(first_count[cls]);
    auto n = static_cast<double>(sizes_[cls]);
    double h = std::log(n) - sum / n;
    d.entropy_l = std::min(d.entropy_l, std::exp(std::max(0.0, h)));
  }
  if (!sizes_.empty()) diversity_ = d;
}

void ClassCounter::ids(uint32_t cls, uint32_t* out) const {
  if (mode_ == Mode::k64) unpack(Key128Table::Key{keys64_[cls], 0}, out, qis_);
  else unpack(packed_classes_.key(cls), out, qis_);
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
  std::vector<uint64_t> small(1024, 0);  // most classes are small
  std::map<uint64_t, uint64_t> large;
  for (uint64_t size : sizes_) {
    if (size < small.size()) ++small[size];
    else ++large[size];
  }
  Histogram h;
  for (uint64_t size = 0; size < small.size(); ++size)
    if (small[size]) h.push_back({size, small[size]});
  for (auto& [size, n] : large) h.push_back({size, n});
  return h;
}

}  // namespace privaudit::risk
