#include "risk/tables.h"

namespace privaudit::risk {

namespace {

inline uint64_t mum(uint64_t a, uint64_t b) {
  unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Equality of two byte strings of length n; inline for the short keys tables hold.
inline bool same_bytes(const char* a, const char* b, size_t n) {
  while (n >= 8) {
    if (load64(a) != load64(b)) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  while (n--)
    if (*a++ != *b++) return false;
  return true;
}

constexpr uint64_t kP0 = 0xa0761d6478bd642fULL;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbULL;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ULL;

}  // namespace

uint64_t hash_bytes(const char* p, size_t n) {
  uint64_t h = kP0 ^ (static_cast<uint64_t>(n) * kP2);
  while (n >= 16) {
    h = mum(load64(p) ^ kP1 ^ h, load64(p + 8) ^ kP0);
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    h = mum(load64(p) ^ kP1 ^ h, kP2);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  if (n) std::memcpy(&tail, p, n);
  h = mum(h ^ tail ^ kP1, kP0 ^ (static_cast<uint64_t>(n) << 56));
  return mum(h, kP2 ^ 0x589965cc75374cc3ULL);
}

StringTable::StringTable() : slots_(1024, Slot{0, 0, 0, kEmpty}), mask_(1023) { offsets_.push_back(0); }

uint32_t StringTable::add(std::string_view k, uint64_t h, uint64_t n) {
  size_t i = h & mask_;
  for (;;) {
    Slot& s = slots_[i];
    if (s.id == kEmpty) break;
    if (s.hash == h && s.len == k.size() && same_bytes(arena_.data() + s.offset, k.data(), k.size())) {
      counts_[s.id] += n;
      return s.id;
    }
    i = (i + 1) & mask_;
  }
  auto id = static_cast<uint32_t>(counts_.size());
  slots_[i] = Slot{h, arena_.size(), static_cast<uint32_t>(k.size()), id};
  arena_.insert(arena_.end(), k.begin(), k.end());
  offsets_.push_back(arena_.size());
  counts_.push_back(n);
  if (counts_.size() * 2 > slots_.size()) grow();
  return id;
}

int64_t StringTable::find(std::string_view k) const {
  uint64_t h = hash_bytes(k.data(), k.size());
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.id == kEmpty) return -1;
    if (s.hash == h && key(s.id) == k) return s.id;
  }
}

void StringTable::grow() {
  HugeVector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{0, 0, 0, kEmpty});
  mask_ = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.id == kEmpty) continue;
    size_t i = s.hash & mask_;
    while (slots_[i].id != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

size_t StringTable::memory() const {
  return slots_.capacity() * sizeof(Slot) + arena_.capacity() + offsets_.capacity() * 8 +
         counts_.capacity() * 8;
}

U64Table::U64Table() : slots_(1024, Entry{0, 0}), mask_(1023) {}

void U64Table::add(uint64_t key, uint64_t n) {
  size_t i = hash_u64(key) & mask_;
  for (;;) {
    Entry& e = slots_[i];
    if (e.count == 0) break;
    if (e.key == key) {
      e.count += n;
      return;
    }
    i = (i + 1) & mask_;
  }
  slots_[i] = Entry{key, n};
  if (++size_ * 2 > slots_.size()) grow();
}

uint64_t U64Table::find(uint64_t key) const {
  for (size_t i = hash_u64(key) & mask_;; i = (i + 1) & mask_) {
    const Entry& e = slots_[i];
    if (e.count == 0) return 0;
    if (e.key == key) return e.count;
  }
}

void U64Table::grow() {
  HugeVector<Entry> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Entry{0, 0});
  mask_ = slots_.size() - 1;
  for (const Entry& e : old) {
    if (e.count == 0) continue;
    size_t i = hash_u64(e.key) & mask_;
    while (slots_[i].count != 0) i = (i + 1) & mask_;
    slots_[i] = e;
  }
}

Key128Table::Key128Table() : slots_(1024, Slot{{}, 0, 0}), mask_(1023) {}

uint32_t Key128Table::add(const Key& key, uint64_t h, uint64_t n) {
  size_t i = h & mask_;
  for (;;) {
    Slot& s = slots_[i];
    if (s.count == 0) break;
    if (s.key == key) {
      s.count += n;
      return s.id;
    }
    i = (i + 1) & mask_;
  }
  auto id = static_cast<uint32_t>(keys_.size());
  slots_[i] = Slot{key, n, id};
  keys_.push_back(key);
  if (keys_.size() * 2 > slots_.size()) grow();
  return id;
}

std::vector<uint64_t> Key128Table::counts() const {
  std::vector<uint64_t> out(keys_.size(), 0);
  for (const Slot& s : slots_)
    if (s.count) out[s.id] = s.count;
  return out;
}

void Key128Table::grow() {
  HugeVector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{{}, 0, 0});
  mask_ = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.count == 0) continue;
    size_t i = hash(s.key) & mask_;
    while (slots_[i].count != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

Key64Table::Key64Table(uint64_t group_mask, unsigned spread_shift)
    : slots_(1024), mask_(1023), group_mask_(group_mask), spread_shift_(spread_shift) {}

uint32_t Key64Table::insert(size_t slot, uint64_t key, uint64_t n) {
  auto id = static_cast<uint32_t>(size_);
  slots_[slot] = Slot{key, id + 1, 0};
  add_large(slots_[slot], n);
  // Grow at 3/4 load: a probe past the home slot mostly stays in its cache line.
  if (++size_ * 4 > slots_.size() * 3) grow();
  return id;
}

void Key64Table::add_large(Slot& s, uint64_t n) {
  uint64_t room = 0xffffffffu - s.count;
  if (n <= room) {
    s.count += static_cast<uint32_t>(n);
    return;
  }
  s.count = 0xffffffffu;
  large_.add(s.id1 - 1, n - room);
}

// Doubles the table in place: a key's new home is its old one or that plus
// the old capacity. The run at the start of the table (it may hold keys that
// wrapped around the end) is set aside; then, in increasing slot order, each
// key is taken out and put back from its new home. The slots it probes are
// all already processed (or in the new half), so no later removal opens a
// hole in its way. The keys set aside go back last.
void Key64Table::grow() {
  size_t old_cap = slots_.size();
  std::vector<Slot> first_run;
  for (size_t i = 0; i < old_cap && slots_[i].id1; ++i) {
    first_run.push_back(slots_[i]);
    slots_[i] = Slot{0, 0, 0};
  }
  slots_.grow(old_cap * 2);
  mask_ = slots_.size() - 1;
  auto put = [&](const Slot& s) {
    size_t j = hash(s.key) & mask_;
    while (slots_[j].id1) j = (j + 1) & mask_;
    slots_[j] = s;
  };
  for (size_t i = 0; i < old_cap; ++i) {
    if (!slots_[i].id1) continue;
    Slot s = slots_[i];
    slots_[i] = Slot{0, 0, 0};
    put(s);
  }
  for (const Slot& s : first_run) put(s);
}

HugeVector<uint64_t> Key64Table::keys() const {
  HugeVector<uint64_t> out(size_);
  for (const Slot& s : slots_)
    if (s.id1) out[s.id1 - 1] = s.key;
  return out;
}

std::vector<uint64_t> Key64Table::counts() const {
  std::vector<uint64_t> out(size_);
  for (const Slot& s : slots_)
    if (s.id1) out[s.id1 - 1] = s.count;
  large_.for_each([&](uint64_t id, uint64_t n) { out[id] += n; });
  return out;
}

uint32_t ValueDict::insert(std::string_view v) {
  auto id = static_cast<uint32_t>(size());
  arena_.append(v);
  offsets_.push_back(arena_.size());
  return id;
}

uint32_t ValueDict::insert_small(size_t slot, std::string_view v, uint64_t a, uint64_t b) {
  uint32_t id = insert(v);
  small_[slot] = SmallSlot{a, b, static_cast<uint32_t>(v.size()), id};
  if (++small_size_ * 4 > small_.size()) grow_small();  // sparse: most lookups end at the home slot
  return id;
}

void ValueDict::grow_small() {
  std::vector<SmallSlot> old(small_.size() * 2, SmallSlot{0, 0, kEmpty, kEmpty});
  old.swap(small_);
  small_mask_ = small_.size() - 1;
  --small_shift_;
  for (const SmallSlot& s : old) {
    if (s.id == kEmpty) continue;
    size_t i = small_hash(s.a, s.b, s.len);
    while (small_[i].id != kEmpty) i = (i + 1) & small_mask_;
    small_[i] = s;
  }
}

uint32_t ValueDict::add_long(std::string_view v) {
  size_t before = long_.size();
  uint32_t lid = long_.add(v);
  if (long_.size() > before) long_ids_.push_back(insert(v));
  return long_ids_[lid];
}

size_t ValueDict::memory() const {
  return small_.capacity() * sizeof(SmallSlot) + long_.memory() + long_ids_.capacity() * 4 + arena_.capacity() +
         offsets_.capacity() * 8;
}

}  // namespace privaudit::risk
