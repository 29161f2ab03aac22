// Archives and compressed files read in memory with libarchive, streaming:
// the archive is pulled from a ByteReader through callbacks and each member
// is itself a ByteReader over archive_read_data that enforces the expansion
// limits (bytes, compression ratio). Nothing is ever written to disk.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scan/reader.h"

struct archive;

namespace privaudit {

enum class ContainerKind { none, zip, gzip, bzip2, xz, zstd, sevenzip, tar, cpio, iso };

// Bytes sniff_container() needs to see every magic number (iso: 32769 + 5),
// and iso_declared_size() the primary volume descriptor (32768 + 136).
constexpr size_t kSniffBytes = 32768 + 136;

// The container a document's first bytes announce, from magic numbers only.
ContainerKind sniff_container(std::string_view head);
// True for a lone compression (gz, bz2, xz, zst): its content is one stream.
bool is_compression(ContainerKind k);
std::string_view kind_name(ContainerKind k);
// The size an ISO 9660 image declares in its primary volume descriptor
// (volume space size x logical block size), or -1 when `head` does not hold one.
int64_t iso_declared_size(std::string_view head);
// The name without its compression suffix (dump.csv.xz -> dump.csv;
// x.tgz -> x.tar); unchanged when it has none.
std::string strip_compression_suffix(std::string_view name);

// Limits shared by every archive opened for one top-level input.
struct ExpandLimits {
  uint64_t max_expanded_bytes = uint64_t{8} << 30;
  double max_ratio = 1000.0;     // expanded / compressed, checked past ratio_floor
  uint64_t ratio_floor = uint64_t{1} << 20;
  uint64_t max_entries = 1000000;
};

// What one top-level input has used of its limits.
struct ExpandBudget {
  ExpandLimits limits;
  uint64_t expanded = 0;     // bytes produced by every member, all depths
  uint64_t source_read = 0;  // bytes read from the top-level input by archive readers
  uint64_t entries = 0;
  bool exhausted = false;    // stop everything: max_expanded_bytes or max_entries reached
};

struct ArchiveEntry {
  enum class Type { file, dir, symlink, other };
  std::string name;  // as stored, verbatim (never used as a file path)
  Type type = Type::other;
  int64_t size = -1;  // -1: unknown
  bool encrypted = false;
  bool hardlink = false;
  bool raw = false;  // the single stream of a lone compressed file
};

// How reading a member ended.
enum class MemberStatus {
  ok,         // read to its end (or not read at all)
  truncated,  // the archive ended in the middle of it
  encrypted,  // its data is encrypted
  failed,     // another read error (error() says what)
  ratio,      // compression ratio above the limit
  size,       // the input's max_expanded_bytes reached
  aborted,    // stopped because the budget was exhausted elsewhere, or the source stopped
};

class ArchiveReader;

// One member's data. read() returns 0 once a limit trips; status() says why.
class MemberReader : public ByteReader {
 public:
  explicit MemberReader(ArchiveReader& ar) : ar_(ar) {}
  ssize_t read(char* dst, size_t n) override;
  int64_t size_hint() const override { return size_; }
  MemberStatus status() const { return status_; }
  // True when reading stopped early for any reason (then parents should not
  // blame their own source).
  bool stopped() const { return status_ != MemberStatus::ok; }
  uint64_t expanded() const { return expanded_; }
  // Reads (and meters) the rest of the member, discarding it.
  void drain();
  // Stops counting this member against max_expanded_bytes (the stream of a
  // compressed archive, whose members are counted instead). The ratio limit
  // still applies.
  void uncounted() { counted_ = false; }
  // Whether why it stopped was already reported (on a member read from it).
  bool reported() const { return reported_; }
  void mark_reported() { reported_ = true; }

 private:
  friend class ArchiveReader;
  void start(int64_t size);
  ArchiveReader& ar_;
  MemberStatus status_ = MemberStatus::ok;
  bool eof_ = false;
  bool counted_ = true;
  bool reported_ = false;
  int64_t size_ = -1;
  uint64_t expanded_ = 0;
  uint64_t source_at_start_ = 0;
};

// The reason to report for a member that stopped (as in the report's
// errors); empty when it ended normally or stopped because of another.
std::string member_stop_reason(const MemberReader& m, const ExpandLimits& limits);

class ArchiveReader {
 public:
  // Where the compressed size of a member is measured for the ratio limit:
  // the top-level input (nested archives: a zip of zips trips it), or this
  // reader's own source (a member already held in memory).
  enum class RatioBase { top_input, own_source };

  // Reads the archive from `in`, whose first bytes `head` were already read
  // from it. `top_level`: `in` is the input on disk (its reads are counted in
  // budget.source_read).
  ArchiveReader(ByteReader& in, std::string head, ExpandBudget& budget, bool top_level,
                RatioBase base = RatioBase::top_input);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // Opens the archive announced by `kind` (raw streams only for lone
  // compressions). False with `err` when it cannot be read as one.
  bool open(ContainerKind kind, std::string& err);

  enum class Next { entry, end, error };
  // Moves to the next member (skipping what is left of the current one).
  // `error`: the archive cannot be read further (`err` says why).
  Next next(ArchiveEntry& e, std::string& err);
  // The current member's data.
  MemberReader& member() { return member_; }
  // True when what is left of a member can be skipped without expanding it
  // (a seekable zip): reading may go on after a member stopped by the ratio.
  bool cheap_skip() const;
  // True when this archive's format is libarchive's raw (a lone compressed file).
  bool is_raw() const { return raw_; }
  // The source's read error, if reading it failed (the archive was then
  // read as if it ended there); empty otherwise.
  const std::string& source_error() const { return source_error_; }

 private:
  friend class MemberReader;
  static long read_cb(struct archive*, void* self, const void** buf);
  static int64_t skip_cb(struct archive*, void* self, int64_t request);
  static int64_t seek_cb(struct archive*, void* self, int64_t offset, int whence);
  uint64_t compressed_since(uint64_t mark) const;
  uint64_t source_mark() const;

  ByteReader& in_;
  std::string head_;
  size_t head_pos_ = 0;
  ExpandBudget& budget_;
  bool top_level_;
  RatioBase base_;
  struct archive* a_ = nullptr;
  std::vector<char> buf_;
  int64_t pos_ = 0;          // logical position in the source
  uint64_t own_read_ = 0;    // bytes read from `in_`
  bool raw_ = false;
  bool zip_ = false;
  bool fatal_ = false;
  std::string source_error_;
  MemberReader member_;
};

}  // namespace privaudit
