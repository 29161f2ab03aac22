// Hash tables for the risk engine: interning byte strings (quasi-identifier
// tuples, sensitive values) and counting 64-bit keys. Open addressing with
// linear probing and power-of-two capacity; memory is proportional to the
// number of distinct keys, never to the number of rows.
#pragma once
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace privaudit::risk {

// Allocator for large tables: blocks of 2 MiB or more are 2 MiB aligned and
// marked for transparent huge pages, so random probes into a table of
// millions of entries do not each miss the TLB. Smaller blocks: operator new.
template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{1} << 21;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) {
    size_t bytes = n * sizeof(T);
    if (bytes < kHuge) return static_cast<T*>(::operator new(bytes));
    size_t rounded = (bytes + kHuge - 1) & ~(kHuge - 1);
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);  // a hint: ignored where unsupported
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHuge) ::operator delete(p);
    else std::free(p);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
};
template <class T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

// A fixed array of trivial T, all bytes zero, without a pass writing the
// zeros: large arrays are fresh anonymous pages (zero-filled by the kernel
// as they are first touched, 2 MiB aligned and marked for huge pages).
// Move-only.
template <class T>
class ZeroedArray {
 public:
  ZeroedArray() = default;
  explicit ZeroedArray(size_t n) : n_(n) {
    size_t bytes = n * sizeof(T);
    if (bytes < kHuge) {
      p_ = static_cast<T*>(std::calloc(n ? n : 1, sizeof(T)));
      if (!p_) throw std::bad_alloc();
      return;
    }
    mapped_ = (bytes + kHuge - 1) & ~(kHuge - 1);
    void* m = mmap(nullptr, mapped_ + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    auto base = reinterpret_cast<uintptr_t>(m), aligned = (base + kHuge - 1) & ~uintptr_t{kHuge - 1};
    if (aligned > base) munmap(m, aligned - base);
    if (aligned + mapped_ < base + mapped_ + kHuge) munmap(reinterpret_cast<void*>(aligned + mapped_), base + kHuge - aligned);
    madvise(reinterpret_cast<void*>(aligned), mapped_, MADV_HUGEPAGE);
    p_ = reinterpret_cast<T*>(aligned);
  }
  ZeroedArray(ZeroedArray&& o) noexcept : p_(o.p_), n_(o.n_), mapped_(o.mapped_) { o.p_ = nullptr; o.n_ = o.mapped_ = 0; }
  ZeroedArray& operator=(ZeroedArray&& o) noexcept {
    if (this != &o) {
      release();
      p_ = o.p_;
      n_ = o.n_;
      mapped_ = o.mapped_;
      o.p_ = nullptr;
      o.n_ = o.mapped_ = 0;
    }
    return *this;
  }
  ZeroedArray(const ZeroedArray&) = delete;
  ZeroedArray& operator=(const ZeroedArray&) = delete;
  ~ZeroedArray() { release(); }
  // Grows to n >= size() elements: the first size() keep their bytes, the
  // rest are zero. Large arrays grow by remapping: the old pages are kept,
  // only the new ones are fresh.
  void grow(size_t n) {
    size_t bytes = n * sizeof(T);
    if (!mapped_ || bytes < kHuge) {
      ZeroedArray bigger(n);
      if (n_) std::memcpy(static_cast<void*>(bigger.p_), p_, n_ * sizeof(T));
      *this = std::move(bigger);
      return;
    }
    size_t want = (bytes + kHuge - 1) & ~(kHuge - 1);
    void* m = mremap(p_, mapped_, want, MREMAP_MAYMOVE);
    if (m == MAP_FAILED) throw std::bad_alloc();
    madvise(m, want, MADV_HUGEPAGE);
    p_ = static_cast<T*>(m);
    mapped_ = want;
    n_ = n;
  }
  T& operator[](size_t i) { return p_[i]; }
  const T& operator[](size_t i) const { return p_[i]; }
  size_t size() const { return n_; }
  T* begin() { return p_; }
  T* end() { return p_ + n_; }
  const T* begin() const { return p_; }
  const T* end() const { return p_ + n_; }

 private:
  static constexpr size_t kHuge = size_t{1} << 21;
  T* p_ = nullptr;
  size_t n_ = 0;
  size_t mapped_ = 0;  // 0: from calloc
  void release() {
    if (!p_) return;
    if (mapped_) munmap(p_, mapped_);
    else std::free(p_);
    p_ = nullptr;
  }
};

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
  // Cache hints for a coming add(…, hash, …): first the slot, then (once the
  // slot is in cache) the key and count it points to. Never change results.
  void prefetch_slot(uint64_t hash) const { __builtin_prefetch(&slots_[hash & mask_]); }
  // Returns the id the slot holds when its hash matches (a likely hit, so
  // callers can prefetch their own per-id data), else -1.
  int64_t prefetch_entry(uint64_t hash) const {
    const Slot& s = slots_[hash & mask_];
    if (s.id == kEmpty || s.hash != hash) return -1;
    __builtin_prefetch(arena_.data() + s.offset);
    __builtin_prefetch(&counts_[s.id], 1);
    return s.id;
  }
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
    uint64_t offset;  // of the key in arena_
    uint32_t len;
    uint32_t id;  // kEmpty when unused
  };
  static constexpr uint32_t kEmpty = 0xffffffffu;
  HugeVector<Slot> slots_;
  size_t mask_ = 0;
  HugeVector<char> arena_;
  HugeVector<uint64_t> offsets_;  // size() + 1 entries
  HugeVector<uint64_t> counts_;
  void grow();
};

// Counts 64-bit keys (entries held in the table itself: one cache line per add).
class U64Table {
 public:
  U64Table();
  // Adds `n` (>= 1) occurrences of `key`.
  void add(uint64_t key, uint64_t n = 1);
  void prefetch(uint64_t key) const { __builtin_prefetch(&slots_[hash_u64(key) & mask_], 1); }
  size_t size() const { return size_; }
  // The count of `key` (0 when absent).
  uint64_t find(uint64_t key) const;
  // Calls f(key, count) for every key, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Entry& e : slots_)
      if (e.count) f(e.key, e.count);
  }
  size_t memory() const { return slots_.capacity() * sizeof(Entry); }

 private:
  struct Entry {
    uint64_t key;
    uint64_t count;  // 0: unused
  };
  HugeVector<Entry> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  void grow();
};

// Counts 128-bit keys (packed tuples of small ids); each distinct key gets a
// dense id. The key and its count live in the slot: one cache line per add.
class Key128Table {
 public:
  struct Key {
    uint64_t lo = 0, hi = 0;
    bool operator==(const Key& o) const { return lo == o.lo && hi == o.hi; }
  };
  Key128Table();
  static uint64_t hash(const Key& k) { return hash_u64(k.lo ^ hash_u64(k.hi ^ 0x9e3779b97f4a7c15ULL)); }
  void prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[hash & mask_], 1); }
  // Adds `n` occurrences of `key` (whose hash() is `h`); returns its id.
  uint32_t add(const Key& key, uint64_t h, uint64_t n);
  size_t size() const { return keys_.size(); }
  const Key& key(uint32_t id) const { return keys_[id]; }
  // Counts by id (one pass over the table).
  std::vector<uint64_t> counts() const;
  size_t memory() const { return slots_.capacity() * sizeof(Slot) + keys_.capacity() * sizeof(Key); }

 private:
  struct Slot {  // 32 bytes: two per cache line
    Key key;
    uint64_t count;  // 0: unused
    uint32_t id;
  };
  HugeVector<Slot> slots_;
  size_t mask_ = 0;
  HugeVector<Key> keys_;  // by id
  void grow();
};

// Counts 64-bit keys (packed tuples of small ids); each distinct key gets a
// dense id in order of first appearance. 16-byte slots (four per cache
// line) hold the key, its id and its count.
//
// With a `group_mask`, keys that agree on those bits (a class: its
// quasi-identifier bits) have their home slots in one aligned block of
// kBlock slots, spread in it by the bits at `spread_shift` (the sensitive
// value: up to kBlock values of a class get distinct home slots);
// for_each_group() then hands every such group over whole.
class Key64Table {
 public:
  static constexpr size_t kBlock = 8;
  explicit Key64Table(uint64_t group_mask = ~uint64_t{0}, unsigned spread_shift = 0);
  uint64_t hash(uint64_t k) const {
    if (group_mask_ == ~uint64_t{0}) return hash_u64(k);
    // The block from the group's bits; the slot in it from the spread bits,
    // rotated by the group's hash so that common spread values do not crowd
    // one slot of every block.
    uint64_t h = hash_u64(k & group_mask_);
    return (h & ~uint64_t{kBlock - 1}) | (((k >> spread_shift_) + (h >> 40)) & (kBlock - 1));
  }
  void prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[hash & mask_], 1); }
  // Adds `n` occurrences of `key` (whose hash() is `h`); returns its id.
  uint32_t add(uint64_t key, uint64_t h, uint64_t n = 1) {
    size_t i = h & mask_;
    for (;;) {
      Slot& s = slots_[i];
      if (s.id1 == 0) break;
      if (s.key == key) {
        if (n == 1 && s.count != 0xffffffffu) ++s.count;
        else add_large(s, n);
        return s.id1 - 1;
      }
      i = (i + 1) & mask_;
    }
    return insert(i, key, n);
  }
  size_t size() const { return size_; }
  // Calls f(key, id, count) for every key, in slot order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.id1) f(s.key, s.id1 - 1, count(s));
  }
  struct Entry {
    uint64_t key;
    uint32_t id;
    uint64_t count;
  };
  // Calls f(entries, n) for runs of occupied slots (n >= 1) that hold
  // whole groups (see above), in slot order; f may reorder the entries.
  // A key placed at or after its home slot h has every slot from h to its
  // own occupied; so an empty slot that ends a block separates the groups
  // whose blocks lie before it from those after it.
  template <class F>
  void for_each_group(F&& f) const {
    size_t cap = slots_.size(), start = kBlock - 1;
    while (start < cap && slots_[start].id1) start += kBlock;
    bool split = start < cap;  // else (never in practice) one run: the whole table
    if (!split) start = 0;
    std::vector<Entry> run;
    for (size_t k = 1; k <= cap; ++k) {
      size_t i = (start + k) & mask_;
      const Slot& s = slots_[i];
      if (s.id1)
        run.push_back({s.key, s.id1 - 1, count(s)});
      else if (split && (i & (kBlock - 1)) == kBlock - 1 && !run.empty()) {
        f(run.data(), run.size());
        run.clear();
      }
    }
    if (!run.empty()) f(run.data(), run.size());
  }
  // Keys and counts by id (one pass over the table each).
  HugeVector<uint64_t> keys() const;
  std::vector<uint64_t> counts() const;
  size_t memory() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {  // all zero: unused
    uint64_t key;
    uint32_t id1;    // id + 1
    uint32_t count;  // saturates at 2^32 - 1; the rest is in large_
  };
  uint64_t count(const Slot& s) const { return s.count == 0xffffffffu ? s.count + large_.find(s.id1 - 1) : s.count; }
  ZeroedArray<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  uint64_t group_mask_;
  unsigned spread_shift_;
  U64Table large_;  // id -> count beyond the slot's saturated count
  uint32_t insert(size_t slot, uint64_t key, uint64_t n);
  void add_large(Slot& s, uint64_t n);
  void grow();
};

// Interns the values of one column: dense ids in order of first
// appearance. Values up to 16 bytes are looked up by their bytes as two
// 64-bit words (plus the length: no key comparison in memory); longer ones
// through a StringTable.
class ValueDict {
 public:
  uint32_t add(std::string_view v) {
    size_t n = v.size();
    if (n > 16) return add_long(v);
    uint64_t a, b;
    words(v.data(), n, a, b);
    size_t i = small_hash(a, b, n);
    for (;;) {
      const SmallSlot& s = small_[i];
      if (s.a == a && s.b == b && s.len == n) return s.id;
      if (s.id == kEmpty) return insert_small(i, v, a, b);
      i = (i + 1) & small_mask_;
    }
  }
  size_t size() const { return offsets_.size() - 1; }
  std::string_view key(uint32_t id) const {
    return std::string_view(arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  size_t memory() const;

  // The bytes of a value of at most 16 bytes as two words; distinct values
  // of the same length give distinct words (overlapping loads, no padding).
  static void words(const char* p, size_t n, uint64_t& a, uint64_t& b) {
    if (n >= 8) {
      std::memcpy(&a, p, 8);
      std::memcpy(&b, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, p, 4);
      std::memcpy(&y, p + n - 4, 4);
      a = static_cast<uint64_t>(y) << 32 | x;
      b = 0;
    } else {
      auto u = [](char c) { return static_cast<uint64_t>(static_cast<unsigned char>(c)); };
      a = n ? u(p[0]) | u(p[n / 2]) << 8 | u(p[n - 1]) << 16 : 0;
      b = 0;
    }
  }

 private:
  struct SmallSlot {
    uint64_t a, b;
    uint32_t len;  // kEmpty (never a length) when unused
    uint32_t id;   // kEmpty when unused
  };
  static constexpr uint32_t kEmpty = 0xffffffffu;
  // Slot index: the top bits of a multiplicative hash.
  size_t small_hash(uint64_t a, uint64_t b, size_t n) const {
    uint64_t x = (a ^ (b * 0xc2b2ae3d27d4eb4fULL)) + n;
    return static_cast<size_t>((x * 0x9e3779b97f4a7c15ULL) >> small_shift_);
  }
  std::vector<SmallSlot> small_ = std::vector<SmallSlot>(64, SmallSlot{0, 0, kEmpty, kEmpty});
  size_t small_mask_ = 63;
  unsigned small_shift_ = 58;
  size_t small_size_ = 0;
  StringTable long_;                 // values of more than 16 bytes
  std::vector<uint32_t> long_ids_;   // long_ id -> id
  std::string arena_;                // values by id
  std::vector<uint64_t> offsets_ = {0};
  uint32_t insert(std::string_view v);
  uint32_t insert_small(size_t slot, std::string_view v, uint64_t a, uint64_t b);
  uint32_t add_long(std::string_view v);
  void grow_small();
};

}  // namespace privaudit::risk
