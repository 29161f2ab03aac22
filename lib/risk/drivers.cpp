#include "risk/drivers.h"

#include <algorithm>
#include <bit>

namespace privaudit::risk {

EncodedClasses encode_classes(const ClassCounter& counter) {
  EncodedClasses e;
  e.qis = counter.qis();
  e.records = counter.records();
  size_t n = counter.classes();
  e.classes = n;
  e.sizes = counter.sizes();
  if (counter.keys64()) {  // the counter's own keys and dictionaries
    e.keys = counter.keys64();
    for (size_t j = 0; j < e.qis; ++j) {
      e.shift.push_back(counter.key_shift(j));
      e.width.push_back(counter.key_width(j));
      e.distinct.push_back(static_cast<uint32_t>(counter.distinct(j)));
    }
    return e;
  }
  e.ids.resize(n * e.qis);
  if (counter.packed()) {
    for (uint32_t c = 0; c < n; ++c) counter.ids(c, &e.ids[c * e.qis]);
    for (size_t j = 0; j < e.qis; ++j) e.distinct.push_back(static_cast<uint32_t>(counter.distinct(j)));
    return e;
  }
  std::vector<StringTable> dict(e.qis);
  std::vector<std::string_view> vals;
  for (uint32_t c = 0; c < n; ++c) {
    counter.values(c, vals);
    for (size_t j = 0; j < e.qis; ++j) e.ids[c * e.qis + j] = dict[j].add(vals[j]);
  }
  for (auto& d : dict) e.distinct.push_back(static_cast<uint32_t>(d.size()));
  return e;
}

uint64_t uniques_on(const EncodedClasses& e, const std::vector<size_t>& cols) {
  size_t n = e.classes;
  if (cols.empty()) return e.records == 1 ? 1 : 0;
  // Dense counting when the value space is small, else packed 64-bit keys,
  // else the id tuple as bytes.
  uint64_t cells = 1;
  unsigned bits = 0;
  for (size_t j : cols) {
    uint64_t d = std::max<uint32_t>(e.distinct[j], 1);
    cells = cells > (uint64_t{1} << 32) ? cells : cells * d;  // saturates well above the dense limit
    bits += static_cast<unsigned>(std::bit_width(d - 1));
  }
  // A class's position among the cells: sum of id * weight over the columns
  // (mixed radix), or the ids side by side in `bits` bits.
  struct Col {
    size_t j;
    unsigned shift;  // in the packed class key
    uint64_t mask;
    uint64_t weight;  // dense position weight
    unsigned at;      // bit position in a packed projection
  };
  std::vector<Col> cs;
  uint64_t weight = 1;
  unsigned at = bits;
  for (size_t k = cols.size(); k-- > 0;) {
    size_t j = cols[k];
    uint64_t d = std::max<uint32_t>(e.distinct[j], 1);
    at -= static_cast<unsigned>(std::bit_width(d - 1));
    Col c{j, 0, 0, weight, at};
    if (e.keys) {
      c.shift = e.shift[j];
      c.mask = (uint64_t{1} << e.width[j]) - 1;
    }
    cs.push_back(c);
    weight = weight * d;  // only used while cells (their product) is small
  }
  uint64_t uniques = 0;
  // Dense while the array (a byte per cell) is not much larger than the classes.
  if (cells <= std::max<uint64_t>(uint64_t{1} << 16, 32 * static_cast<uint64_t>(n))) {
    // Per cell: 0 no record, 1 exactly one, 2 more.
    std::vector<uint8_t> state(cells, 0);
    auto mark = [&](uint64_t k, uint64_t size) {  // uniques counted as cells change state
      uint8_t& s = state[k];
      uniques -= s == 1;
      s = s == 0 && size == 1 ? 1 : 2;
      uniques += s == 1;
    };
    if (e.keys) {
      for (size_t c = 0; c < n; ++c) {
        uint64_t key = e.keys[c], k = 0;
        for (const Col& col : cs) k += ((key >> col.shift) & col.mask) * col.weight;
        mark(k, e.sizes[c]);
      }
    } else {
      for (size_t c = 0; c < n; ++c) {
        uint64_t k = 0;
        for (const Col& col : cs) k += uint64_t{e.ids[c * e.qis + col.j]} * col.weight;
        mark(k, e.sizes[c]);
      }
    }
  } else if (bits <= 64) {
    U64Table t;
    for (size_t c = 0; c < n; ++c) {
      uint64_t k = 0;
      if (e.keys) {
        uint64_t key = e.keys[c];
        for (const Col& col : cs) k |= ((key >> col.shift) & col.mask) << col.at;
      } else {
        for (const Col& col : cs) k |= uint64_t{e.ids[c * e.qis + col.j]} << col.at;
      }
      t.add(k, e.sizes[c]);
    }
    t.for_each([&](uint64_t, uint64_t count) { uniques += count == 1; });
  } else {
    StringTable t;
    std::vector<uint32_t> key(cols.size());
    for (size_t c = 0; c < n; ++c) {
      for (size_t k = 0; k < cols.size(); ++k) key[k] = e.id(c, cols[k]);
      std::string_view kv(reinterpret_cast<const char*>(key.data()), key.size() * sizeof(uint32_t));
      t.add(kv, hash_bytes(kv.data(), kv.size()), e.sizes[c]);
    }
    for (uint32_t id = 0; id < t.size(); ++id) uniques += t.count(id) == 1;
  }
  return uniques;
}

std::vector<Driver> drivers(const EncodedClasses& e) {
  std::vector<Driver> out;
  for (size_t drop = 0; drop < e.qis; ++drop) {
    std::vector<size_t> cols;
    for (size_t j = 0; j < e.qis; ++j)
      if (j != drop) cols.push_back(j);
    out.push_back({drop, uniques_on(e, cols)});
  }
  return out;
}

namespace {
// Next combination of size cols.size() from [0, n) in lexicographic order.
bool next_combination(std::vector<size_t>& cols, size_t n) {
  size_t k = cols.size();
  for (size_t i = k; i-- > 0;) {
    if (cols[i] < n - k + i) {
      ++cols[i];
      for (size_t j = i + 1; j < k; ++j) cols[j] = cols[j - 1] + 1;
      return true;
    }
  }
  return false;
}
}  // namespace

CombinationSearch unique_combinations(const EncodedClasses& e, double share, size_t max_size,
                                      size_t max_combinations) {
  CombinationSearch s;
  s.share = share;
  s.max_size = std::min(max_size, e.qis);
  if (e.records == 0) return s;
  auto reaches = [&](uint64_t u) { return static_cast<double>(u) >= share * static_cast<double>(e.records); };
  std::vector<size_t> all(e.qis);
  for (size_t j = 0; j < e.qis; ++j) all[j] = j;
  // No subset has more uniques than the whole set.
  if (!reaches(uniques_on(e, all))) {
    s.searched_size = s.max_size;
    return s;
  }
  for (size_t size = 1; size <= s.max_size; ++size) {
    std::vector<size_t> cols(size);
    for (size_t j = 0; j < size; ++j) cols[j] = j;
    do {
      if (s.checked >= max_combinations) {
        s.capped = true;
        break;
      }
      ++s.checked;
      uint64_t u = uniques_on(e, cols);
      if (reaches(u)) s.found.push_back({cols, u});
    } while (next_combination(cols, e.qis));
    if (s.capped) break;
    s.searched_size = size;
    if (!s.found.empty()) break;
  }
  std::stable_sort(s.found.begin(), s.found.end(),
                   [](const UniqueCombination& a, const UniqueCombination& b) { return a.sample_uniques > b.sample_uniques; });
  return s;
}

}  // namespace privaudit::risk
