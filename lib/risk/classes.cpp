#include "risk/classes.h"

#include <algorithm>
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

ClassCounter::ClassCounter(size_t qis, bool sensitive) : qis_(qis), sensitive_(sensitive) {}

void ClassCounter::add(const std::string_view* values, std::string_view sensitive) {
  ++records_;
  encode_tuple(values, qis_, key_);
  uint32_t cls = classes_.add(key_);
  if (sensitive_) {
    uint32_t v = sensitive_values_.add(sensitive);
    pairs_.add(static_cast<uint64_t>(cls) << 32 | v);
  }
}

void ClassCounter::values(uint32_t cls, std::vector<std::string_view>& out) const {
  decode_tuple(classes_.key(cls), out);
}

Histogram ClassCounter::histogram() const {
  std::map<uint64_t, uint64_t> m;
  for (uint32_t c = 0; c < classes_.size(); ++c) ++m[classes_.count(c)];
  Histogram h;
  for (auto& [size, n] : m) h.push_back({size, n});
  return h;
}

ClassCounter::Diversity ClassCounter::diversity() const {
  Diversity d;
  if (!sensitive_ || classes_.size() == 0) return d;
  std::vector<uint64_t> distinct(classes_.size(), 0);
  std::vector<double> plogp(classes_.size(), 0.0);  // sum of c * ln c
  for (uint32_t id = 0; id < pairs_.size(); ++id) {
    auto cls = static_cast<uint32_t>(pairs_.key(id) >> 32);
    auto c = static_cast<double>(pairs_.count(id));
    ++distinct[cls];
    plogp[cls] += c * std::log(c);
  }
  d.distinct_l = *std::min_element(distinct.begin(), distinct.end());
  d.entropy_l = INFINITY;
  for (uint32_t cls = 0; cls < classes_.size(); ++cls) {
    // H = ln n - (1/n) sum c ln c
    auto n = static_cast<double>(classes_.count(cls));
    double h = std::log(n) - plogp[cls] / n;
    d.entropy_l = std::min(d.entropy_l, std::exp(std::max(0.0, h)));
  }
  return d;
}

size_t ClassCounter::memory() const {
  return classes_.memory() + sensitive_values_.memory() + pairs_.memory();
}

}  // namespace privaudit::risk
