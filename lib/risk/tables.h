// Hash tables for the risk engine: interning byte strings (quasi-identifier
// tuples, sensitive values) and counting 64-bit keys. Open addressing with
// linear probing and power-of-two capacity; memory is proportional to the
// number of distinct keys, never to the number of rows.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace privaudit::risk {

// 64-bit hash of a byte string (multiply-mix over 8-byte words). Not
// cryptographic: only spreads keys over a table.
uint64_t hash_bytes(const char* p, size_t n);

// Mixes a 64-bit integer into a well-spread hash.
inline uint64_t hash_u64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Interns byte strings: each distinct string gets a dense id (0, 1, ...) in
// order of first appearance, and a count of how often it was added.
class StringTable {
 public:
  StringTable();
  // Adds one occurrence of `key`; returns its id.
  uint32_t add(std::string_view key) { return add(key, hash_bytes(key.data(), key.size()), 1); }
  // Adds `n` occurrences of `key`, whose hash_bytes() is `hash`.
  uint32_t add(std::string_view key, uint64_t hash, uint64_t n);
  // Id of `key`, or -1 when absent.
  int64_t find(std::string_view key) const;
  size_t size() const { return counts_.size(); }
  uint64_t count(uint32_t id) const { return counts_[id]; }
  std::string_view key(uint32_t id) const {
    return std::string_view(arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  // Bytes held (table, keys, counts).
  size_t memory() const;

 private:
  struct Slot {
    uint64_t hash;
    uint32_t id;  // kEmpty when unused
  };
  static constexpr uint32_t kEmpty = 0xffffffffu;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<char> arena_;
  std::vector<uint64_t> offsets_;  // size() + 1 entries
  std::vector<uint64_t> counts_;
  void grow();
};

// Counts 64-bit keys; each distinct key gets a dense id.
class U64Table {
 public:
  U64Table();
  // Adds `n` occurrences of `key`; returns its id.
  uint32_t add(uint64_t key, uint64_t n = 1);
  size_t size() const { return keys_.size(); }
  uint64_t key(uint32_t id) const { return keys_[id]; }
  uint64_t count(uint32_t id) const { return counts_[id]; }
  size_t memory() const;

 private:
  static constexpr uint32_t kEmpty = 0xffffffffu;
  std::vector<uint32_t> slots_;
  size_t mask_ = 0;
  std::vector<uint64_t> keys_;
  std::vector<uint64_t> counts_;
  void grow();
};

}  // namespace privaudit::risk
