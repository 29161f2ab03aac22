#include "report/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include <cerrno>
#include <cstring>

namespace privaudit {

// ---- U64Set ----------------------------------------------------------------

namespace {
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}
}  // namespace

void U64Set::grow() const {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, 0);
  size_t mask = slots_.size() - 1;
  for (uint64_t v : old) {
    if (!v) continue;
    size_t i = mix64(v) & mask;
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

bool U64Set::insert(uint64_t v) {
  flush();
  return insert_now(v);
}

void U64Set::add(uint64_t v) {
  if (n_ahead_ == kAhead) flush();
  if (!slots_.empty()) __builtin_prefetch(&slots_[mix64(v) & (slots_.size() - 1)]);
  ahead_[n_ahead_++] = v;
}

void U64Set::flush() const {
  for (size_t i = 0; i < n_ahead_; ++i) insert_now(ahead_[i]);
  n_ahead_ = 0;
}

bool U64Set::insert_now(uint64_t v) const {
  if (v == 0) {
    if (has_zero_) return false;
    has_zero_ = true;
    ++size_;
    return true;
  }
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  size_t mask = slots_.size() - 1;
  for (size_t i = mix64(v) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == v) return false;
    if (!slots_[i]) {
      slots_[i] = v;
      ++size_;
      return true;
    }
  }
}

// ---- SummaryBuilder --------------------------------------------------------

uint64_t parse_fingerprint(std::string_view hex) {
  // Hex digit values; 16 marks a byte that is none.
  static const auto table = [] {
    std::array<uint8_t, 256> t{};
    t.fill(16);
    for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<uint8_t>(c);
    for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<uint8_t>(10 + c);
    return t;
  }();
  if (hex.size() != 16) return 0;
  uint64_t v = 0;
  unsigned bad = 0;
  for (char c : hex) {
    uint8_t d = table[static_cast<unsigned char>(c)];
    bad |= d;
    v = v << 4 | (d & 15);
  }
  return bad & 16 ? 0 : v;
}

void SummaryBuilder::add(const Finding& f) {
  ++findings_;
  ++by_severity_[static_cast<size_t>(f.severity) % by_severity_.size()];
  if (!last_ || f.rule != last_rule_) {
    auto it = rules_.find(f.rule);
    if (it == rules_.end()) it = rules_.emplace(f.rule, PerRule{}).first;
    last_ = &it->second;
    last_rule_ = f.rule;
  }
  ++last_->count;
  // Findings without a value (risk, link, consent) count no distinct values.
  if (!f.fingerprint.empty()) last_->distinct.add(parse_fingerprint(f.fingerprint));
}

std::map<std::string, uint64_t> SummaryBuilder::by_rule() const {
  std::map<std::string, uint64_t> m;
  for (auto& [k, v] : rules_) m.emplace(k, v.count);
  return m;
}

std::map<std::string, uint64_t> SummaryBuilder::by_severity() const {
  std::map<std::string, uint64_t> m;
  for (size_t i = 0; i < by_severity_.size(); ++i)
    if (by_severity_[i]) m.emplace(std::string(to_string(static_cast<Severity>(i))), by_severity_[i]);
  return m;
}

std::map<std::string, uint64_t> SummaryBuilder::distinct_values() const {
  std::map<std::string, uint64_t> m;
  for (auto& [k, v] : rules_)
    if (v.distinct.size()) m.emplace(k, v.distinct.size());
  return m;
}

bool SummaryBuilder::any_at_or_above(Severity s) const {
  for (size_t i = static_cast<size_t>(s); i < by_severity_.size(); ++i)
    if (by_severity_[i]) return true;
  return false;
}

// ---- FindingSpool ----------------------------------------------------------
//
// A record: a flags byte (bit 0 hidden, bit 1 has_offset, bits 2-4 severity,
// bits 5-6 confidence), varints line, column, offset and record + 1, then
// the strings rule, path, field, message, masked, fingerprint. A string is a
// varint length + 1 and its bytes; 0 repeats the previous record's (for the
// first four).

namespace {

constexpr size_t kFlushAt = size_t{1} << 20;
constexpr size_t kReadChunk = size_t{256} << 10;

// Reads the spool's bytes back: the file, then the bytes still in memory.
class SpoolReader {
 public:
  // Reads from `from` of the stream made of the file's `file_bytes`, then `tail`.
  SpoolReader(int fd, uint64_t file_bytes, std::string_view tail, uint64_t from)
      : fd_(fd), file_bytes_(file_bytes), tail_(tail), file_pos_(from) {
    if (from >= file_bytes) {
      in_tail_ = true;
      data_ = tail_.substr(static_cast<size_t>(std::min<uint64_t>(from - file_bytes, tail_.size())));
    }
  }

  bool byte(uint8_t& b) {
    if (pos_ == data_.size() && !refill()) return false;
    b = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!byte(b)) return false;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool bytes(size_t n, std::string& out) {
    out.clear();
    while (n) {
      if (pos_ == data_.size() && !refill()) return false;
      size_t k = std::min(n, data_.size() - pos_);
      out.append(data_.data() + pos_, k);
      pos_ += k;
      n -= k;
    }
    return true;
  }
  bool failed() const { return failed_; }

 private:
  int fd_;
  uint64_t file_bytes_;
  std::string_view tail_;
  bool in_tail_ = false;
  uint64_t file_pos_ = 0;
  std::string chunk_;
  std::string_view data_;
  size_t pos_ = 0;
  bool failed_ = false;

  bool refill() {
    pos_ = 0;
    if (!in_tail_ && fd_ >= 0 && file_pos_ < file_bytes_) {
      chunk_.resize(static_cast<size_t>(std::min<uint64_t>(kReadChunk, file_bytes_ - file_pos_)));
      ssize_t r;
      do r = ::pread(fd_, chunk_.data(), chunk_.size(), static_cast<off_t>(file_pos_));
      while (r < 0 && errno == EINTR);
      if (r < 0) {
        failed_ = true;
        data_ = {};
        return false;
      }
      if (r > 0) {
        file_pos_ += static_cast<uint64_t>(r);
        data_ = std::string_view(chunk_.data(), static_cast<size_t>(r));
        return true;
      }
    }
    if (!in_tail_) {
      in_tail_ = true;
      data_ = tail_;
      return !data_.empty();
    }
    data_ = {};
    return false;
  }
};

}  // namespace

FindingSpool::FindingSpool() = default;

FindingSpool::~FindingSpool() {
  if (fd_ >= 0) ::close(fd_);
}

bool FindingSpool::flush() {
  if (buf_.empty()) return true;
  if (fd_ < 0) {
    // Unlinked from the start: gone when the run ends, however it ends.
    const char* env = std::getenv("TMPDIR");
    std::string dir = env && *env ? env : "/tmp";
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {  // a file system without O_TMPFILE
      std::string tmpl = dir + "/privaudit-findings-XXXXXX";
      fd_ = ::mkostemp(tmpl.data(), O_CLOEXEC);
      if (fd_ >= 0) ::unlink(tmpl.c_str());
    }
    if (fd_ < 0) {
      error_ = "cannot create a temporary file for findings in " + dir + ": " + std::strerror(errno);
      return false;
    }
  }
  int fd = fd_;
  size_t done = 0;
  while (done < buf_.size()) {
    ssize_t w = ::write(fd, buf_.data() + done, buf_.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      error_ = std::string("cannot write findings to a temporary file: ") + std::strerror(errno);
      return false;
    }
    done += static_cast<size_t>(w);
  }
  file_bytes_ += buf_.size();
  buf_.clear();
  return true;
}

namespace {
char* put_varint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
}  // namespace

bool FindingSpool::append(const Finding& f, bool hidden) {
  // A segment's first record repeats nothing from the one before it.
  bool seg_start = total_ % kSegment == 0;
  if (seg_start) marks_.emplace_back(file_bytes_ + buf_.size(), total_);
  ++total_;
  if (!hidden) {
    ++visible_;
    summary_.add(f);
  }
  const std::string* s[6] = {&f.rule, &f.path, &f.field, &f.message, &f.masked, &f.fingerprint};
  // At most: the flags byte, four varints and six string lengths (10 bytes
  // each), and the strings.
  size_t need = 1 + 10 * 10;
  for (auto* str : s) need += str->size();
  const size_t at = buf_.size();
  buf_.resize(at + need);
  char* p = buf_.data() + at;
  *p++ = static_cast<char>((hidden ? 1 : 0) | (f.has_offset ? 2 : 0) |
                           (static_cast<unsigned>(f.severity) & 7) << 2 |
                           (static_cast<unsigned>(f.confidence) & 3) << 5);
  p = put_varint(p, f.line);
  p = put_varint(p, f.column);
  p = put_varint(p, f.offset);
  p = put_varint(p, static_cast<uint64_t>(f.record + 1));
  for (size_t i = 0; i < 6; ++i) {
    const std::string& str = *s[i];
    if (i < kRepeatable && !seg_start && str == prev_[i]) {
      *p++ = 0;
      continue;
    }
    p = put_varint(p, str.size() + 1);
    std::memcpy(p, str.data(), str.size());
    p += str.size();
    if (i < kRepeatable) prev_[i] = str;
  }
  buf_.resize(static_cast<size_t>(p - buf_.data()));
  if (buf_.size() >= kFlushAt) return flush();
  return true;
}

bool FindingSpool::for_each(const std::function<void(const Finding&)>& fn, bool with_hidden) const {
  return read_records(0, total_, fn, with_hidden);
}

bool FindingSpool::for_each_in_segment(size_t seg, const std::function<void(const Finding&)>& fn,
                                       bool with_hidden) const {
  if (seg >= marks_.size()) return true;
  uint64_t count = std::min<uint64_t>(kSegment, total_ - marks_[seg].second);
  return read_records(marks_[seg].first, count, fn, with_hidden);
}

bool FindingSpool::read_records(uint64_t from, uint64_t count,
                                const std::function<void(const Finding&)>& fn, bool with_hidden) const {
  SpoolReader rd(fd_, file_bytes_, buf_, from);
  Finding f;
  for (uint64_t n = 0; n < count; ++n) {
    uint8_t flags;
    uint64_t line, column, offset, record;
    bool ok = rd.byte(flags) && rd.varint(line) && rd.varint(column) && rd.varint(offset) &&
              rd.varint(record);
    std::string* s[6] = {&f.rule, &f.path, &f.field, &f.message, &f.masked, &f.fingerprint};
    for (size_t i = 0; ok && i < 6; ++i) {
      uint64_t len;
      ok = rd.varint(len);
      if (ok && len > 0) ok = rd.bytes(len - 1, *s[i]);
      else if (ok && (i >= kRepeatable || n == 0)) ok = false;  // nothing to repeat
    }
    if (!ok) {
      error_ = rd.failed() ? std::string("cannot read findings back from the temporary file: ") +
                                 std::strerror(errno)
                           : std::string("the temporary findings file is corrupt");
      return false;
    }
    f.has_offset = flags & 2;
    f.severity = static_cast<Severity>((flags >> 2) & 7);
    f.confidence = static_cast<Confidence>((flags >> 5) & 3);
    f.line = line;
    f.column = column;
    f.offset = offset;
    f.record = static_cast<int64_t>(record) - 1;
    if (!(flags & 1) || with_hidden) fn(f);
  }
  return true;
}

}  // namespace privaudit
