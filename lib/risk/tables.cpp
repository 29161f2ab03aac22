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

StringTable::StringTable() : slots_(1024, Slot{0, kEmpty}), mask_(1023) { offsets_.push_back(0); }

uint32_t StringTable::add(std::string_view k, uint64_t h, uint64_t n) {
  size_t i = h & mask_;
  for (;;) {
    Slot& s = slots_[i];
    if (s.id == kEmpty) break;
    if (s.hash == h) {
      uint64_t off = offsets_[s.id], len = offsets_[s.id + 1] - off;
      if (len == k.size() && std::memcmp(arena_.data() + off, k.data(), len) == 0) {
        counts_[s.id] += n;
        return s.id;
      }
    }
    i = (i + 1) & mask_;
  }
  auto id = static_cast<uint32_t>(counts_.size());
  slots_[i] = Slot{h, id};
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
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{0, kEmpty});
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

U64Table::U64Table() : slots_(1024, kEmpty), mask_(1023) {}

uint32_t U64Table::add(uint64_t key, uint64_t n) {
  size_t i = hash_u64(key) & mask_;
  for (;;) {
    uint32_t id = slots_[i];
    if (id == kEmpty) break;
    if (keys_[id] == key) {
      counts_[id] += n;
      return id;
    }
    i = (i + 1) & mask_;
  }
  auto id = static_cast<uint32_t>(keys_.size());
  slots_[i] = id;
  keys_.push_back(key);
  counts_.push_back(n);
  if (keys_.size() * 2 > slots_.size()) grow();
  return id;
}

void U64Table::grow() {
  slots_.assign(slots_.size() * 2, kEmpty);
  mask_ = slots_.size() - 1;
  for (uint32_t id = 0; id < keys_.size(); ++id) {
    size_t i = hash_u64(keys_[id]) & mask_;
    while (slots_[i] != kEmpty) i = (i + 1) & mask_;
    slots_[i] = id;
  }
}

size_t U64Table::memory() const {
  return slots_.capacity() * 4 + keys_.capacity() * 8 + counts_.capacity() * 8;
}

}  // namespace privaudit::risk
