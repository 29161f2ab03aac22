// Keyed 64-bit hashing for the link engine: SipHash-2-4 under a 128-bit key
// derived from the run's fingerprint key, and an open-addressing table keyed
// by such hashes. Hashes never leave memory; the key keeps them from being
// inverted by enumeration and from being steered into collisions.
#pragma once
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/fingerprint.h"

namespace privaudit::link {

// SipHash-2-4 of `data` under the key (k0, k1) (Aumasson & Bernstein, 2012).
uint64_t siphash24(uint64_t k0, uint64_t k1, std::string_view data);

class KeyedHash {
 public:
  // Derives the SipHash key from `fp` (HMAC of a fixed label), so hashes are
  // stable for a user-supplied key and unlinkable across random-key runs.
  explicit KeyedHash(const Fingerprinter& fp);
  KeyedHash(uint64_t k0, uint64_t k1) : k0_(k0), k1_(k1) {}
  // A keyed 64-bit hash; never 0 (0 marks an empty slot in HashTable).
  uint64_t operator()(std::string_view data) const {
    uint64_t h = siphash24(k0_, k1_, data);
    return h ? h : 1;
  }

 private:
  uint64_t k0_, k1_;
};

// An open-addressing (linear probing) map from non-zero 64-bit hashes to a
// small value. Any capacity works (slots are picked by multiply-shift, not by
// masking), so reserve() sizes it to the expected count with no power-of-two
// waste: about 1.3 × (8 + sizeof(V)) bytes per entry when reserved. The load
// stays below 0.85.
template <typename V>
class HashTable {
 public:
  struct Slot {
    uint64_t key = 0;  // 0 = empty
    V value{};
  };
  HashTable() : slots_(16) {}

  // Sizes the table for `n` entries (never shrinks it).
  void reserve(size_t n) {
    size_t want = n + n * 3 / 10 + 16;
    if (want > slots_.size()) rehash(want);
  }
  // The value for `key` (inserted as V{} if absent); `inserted` says which.
  V& find_or_insert(uint64_t key, bool& inserted) {
    if ((size_ + 1) * 20 > slots_.size() * 17) rehash(slots_.size() + slots_.size() / 2);
    Slot& s = probe(slots_, key);
    inserted = s.key == 0;
    if (inserted) {
      s.key = key;
      ++size_;
    }
    return s.value;
  }
  // The value for `key`, or nullptr.
  const V* find(uint64_t key) const {
    size_t n = slots_.size();
    for (size_t i = home(key, n);; i = i + 1 == n ? 0 : i + 1) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }
  // Hints the CPU to load `key`'s first slot (a later lookup will need it).
  void prefetch(uint64_t key) const { __builtin_prefetch(&slots_[home(key, slots_.size())]); }
  V* find(uint64_t key) { return const_cast<V*>(std::as_const(*this).find(key)); }
  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  // Calls f(key, value) for every entry.
  template <typename F>
  void for_each(F&& f) const {
    for (auto& s : slots_)
      if (s.key) f(s.key, s.value);
  }

 private:
  std::vector<Slot> slots_;
  size_t size_ = 0;

  static size_t home(uint64_t key, size_t n) {
    return static_cast<size_t>((static_cast<unsigned __int128>(key) * n) >> 64);
  }
  static Slot& probe(std::vector<Slot>& slots, uint64_t key) {
    size_t n = slots.size();
    size_t i = home(key, n);
    while (slots[i].key != 0 && slots[i].key != key) i = i + 1 == n ? 0 : i + 1;
    return slots[i];
  }
  void rehash(size_t n) {
    std::vector<Slot> bigger(n);
    for (auto& s : slots_)
      if (s.key) probe(bigger, s.key) = s;
    slots_.swap(bigger);
  }
};

}  // namespace privaudit::link
