#include "archive/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace privaudit {

namespace {

constexpr size_t kBlock = 65536;

bool at(std::string_view s, size_t off, std::string_view magic) {
  return s.size() >= off + magic.size() && s.compare(off, magic.size(), magic) == 0;
}

bool ends_with_ci(std::string_view s, std::string_view suf) {
  if (s.size() < suf.size()) return false;
  for (size_t i = 0; i < suf.size(); ++i) {
    char c = s[s.size() - suf.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != suf[i]) return false;
  }
  return true;
}

}  // namespace

ContainerKind sniff_container(std::string_view h) {
  using namespace std::literals;
  if (at(h, 0, "PK\x03\x04"sv) || at(h, 0, "PK\x05\x06"sv)) return ContainerKind::zip;
  if (at(h, 0, "\x1f\x8b"sv)) return ContainerKind::gzip;
  if (at(h, 0, "BZh"sv) && h.size() > 3 && h[3] >= '1' && h[3] <= '9') return ContainerKind::bzip2;
  if (at(h, 0, "\xfd" "7zXZ\x00"sv)) return ContainerKind::xz;
  if (at(h, 0, "\x28\xb5\x2f\xfd"sv)) return ContainerKind::zstd;
  if (at(h, 0, "7z\xbc\xaf\x27\x1c"sv)) return ContainerKind::sevenzip;
  if (at(h, 257, "ustar"sv)) return ContainerKind::tar;
  if (at(h, 0, "070707"sv) || at(h, 0, "070701"sv) || at(h, 0, "070702"sv) ||
      at(h, 0, "\xc7\x71"sv) || at(h, 0, "\x71\xc7"sv))
    return ContainerKind::cpio;
  if (at(h, 32769, "CD001"sv)) return ContainerKind::iso;
  return ContainerKind::none;
}

int64_t iso_declared_size(std::string_view h) {
  constexpr size_t kPvd = 32768;
  if (h.size() < kPvd + 136 || static_cast<unsigned char>(h[kPvd]) != 1 ||
      h.substr(kPvd + 1, 5) != "CD001")
    return -1;
  auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(h[kPvd + i])); };
  uint64_t blocks = byte(80) | byte(81) << 8 | byte(82) << 16 | byte(83) << 24;  // little-endian half
  uint64_t block = byte(128) | byte(129) << 8;
  return static_cast<int64_t>(blocks * block);
}

bool is_compression(ContainerKind k) {
  return k == ContainerKind::gzip || k == ContainerKind::bzip2 || k == ContainerKind::xz ||
         k == ContainerKind::zstd;
}

std::string_view kind_name(ContainerKind k) {
  switch (k) {
    case ContainerKind::none: return "none";
    case ContainerKind::zip: return "zip";
    case ContainerKind::gzip: return "gzip";
    case ContainerKind::bzip2: return "bzip2";
    case ContainerKind::xz: return "xz";
    case ContainerKind::zstd: return "zstd";
    case ContainerKind::sevenzip: return "7z";
    case ContainerKind::tar: return "tar";
    case ContainerKind::cpio: return "cpio";
    case ContainerKind::iso: return "iso";
  }
  return "none";
}

std::string strip_compression_suffix(std::string_view name) {
  static constexpr std::string_view kSuffixes[] = {".gz", ".gzip", ".bz2", ".bzip2", ".xz",
                                                   ".zst", ".zstd", ".z", ".lzma"};
  for (std::string_view suf : kSuffixes)
    if (ends_with_ci(name, suf) && name.size() > suf.size())
      return std::string(name.substr(0, name.size() - suf.size()));
  for (std::string_view suf : {std::string_view(".tgz"), std::string_view(".tbz2"),
                               std::string_view(".txz"), std::string_view(".tzst")})
    if (ends_with_ci(name, suf)) return std::string(name.substr(0, name.size() - suf.size())) + ".tar";
  return std::string(name);
}

// ------------------------------------------------------------ MemberReader

void MemberReader::start(int64_t size) {
  status_ = MemberStatus::ok;
  eof_ = false;
  size_ = size;
  expanded_ = 0;
  counted_ = true;
  reported_ = false;
  source_at_start_ = ar_.source_mark();
}

ssize_t MemberReader::read(char* dst, size_t n) {
  if (eof_ || n == 0) return 0;
  ExpandBudget& b = ar_.budget_;
  if (b.exhausted) {
    status_ = MemberStatus::aborted;
    eof_ = true;
    return 0;
  }
  if (b.expanded >= b.limits.max_expanded_bytes) {
    status_ = MemberStatus::size;
    b.exhausted = true;
    eof_ = true;
    return 0;
  }
  n = static_cast<size_t>(std::min<uint64_t>(n, b.limits.max_expanded_bytes - b.expanded));
  la_ssize_t r = archive_read_data(ar_.a_, dst, n);
  if (r == 0) {
    eof_ = true;
    return 0;
  }
  if (r < 0) {
    eof_ = true;
    err_ = archive_error_string(ar_.a_) ? archive_error_string(ar_.a_) : "read error";
    if (r == ARCHIVE_FATAL) {
      ar_.fatal_ = true;
      status_ = MemberStatus::truncated;
    } else {
      bool enc = err_.find("ncrypt") != std::string::npos || err_.find("assphrase") != std::string::npos;
      status_ = enc ? MemberStatus::encrypted : MemberStatus::failed;
    }
    return 0;
  }
  auto k = static_cast<uint64_t>(r);
  expanded_ += k;
  if (counted_) b.expanded += k;
  if (expanded_ > b.limits.ratio_floor) {
    double packed = static_cast<double>(ar_.compressed_since(source_at_start_) + kBlock);
    if (static_cast<double>(expanded_) / packed > b.limits.max_ratio) {
      status_ = MemberStatus::ratio;
      eof_ = true;
    }
  }
  return static_cast<ssize_t>(r);
}

void MemberReader::drain() {
  std::vector<char> sink(kBlock);
  while (read(sink.data(), sink.size()) > 0) {
  }
}

std::string member_stop_reason(const MemberReader& m, const ExpandLimits& limits) {
  switch (m.status()) {
    case MemberStatus::ok:
    case MemberStatus::aborted: return {};
    case MemberStatus::truncated: return "truncated archive member";
    case MemberStatus::encrypted: return "encrypted member skipped";
    case MemberStatus::failed: return "unreadable archive member: " + m.error();
    case MemberStatus::ratio: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "compression ratio above %g:1 (zip bomb?)", limits.max_ratio);
      return buf;
    }
    case MemberStatus::size: return "expanded size limit (--max-expanded-bytes) reached";
  }
  return {};
}

// ----------------------------------------------------------- ArchiveReader

ArchiveReader::ArchiveReader(ByteReader& in, std::string head, ExpandBudget& budget,
                             bool top_level, RatioBase base)
    : in_(in), head_(std::move(head)), budget_(budget), top_level_(top_level), base_(base),
      buf_(kBlock), member_(*this) {}

ArchiveReader::~ArchiveReader() {
  if (a_) archive_read_free(a_);
}

uint64_t ArchiveReader::source_mark() const {
  return base_ == RatioBase::top_input ? budget_.source_read : own_read_;
}

uint64_t ArchiveReader::compressed_since(uint64_t mark) const { return source_mark() - mark; }

la_ssize_t ArchiveReader::read_cb(struct archive* a, void* self, const void** out) {
  auto* r = static_cast<ArchiveReader*>(self);
  if (r->head_pos_ < r->head_.size()) {
    size_t k = std::min(kBlock, r->head_.size() - r->head_pos_);
    *out = r->head_.data() + r->head_pos_;
    r->head_pos_ += k;
    r->pos_ += static_cast<int64_t>(k);
    return static_cast<la_ssize_t>(k);
  }
  ssize_t n = r->in_.read(r->buf_.data(), r->buf_.size());
  if (n < 0) {
    // Read as the end of the archive, so that what came before the error
    // is still decoded; the member cut short is named truncated, and the
    // caller names the read error itself.
    (void)a;
    if (r->source_error_.empty()) r->source_error_ = r->in_.error();
    return 0;
  }
  auto k = static_cast<uint64_t>(n);
  r->own_read_ += k;
  if (r->top_level_) r->budget_.source_read += k;
  r->pos_ += n;
  *out = r->buf_.data();
  return n;
}

la_int64_t ArchiveReader::seek_cb(struct archive*, void* self, la_int64_t offset, int whence) {
  auto* r = static_cast<ArchiveReader*>(self);
  int64_t target = offset;
  if (whence == SEEK_CUR) target = r->pos_ + offset;
  else if (whence == SEEK_END) {
    if (r->in_.size_hint() < 0) return ARCHIVE_FATAL;
    target = r->in_.size_hint() + offset;
  }
  if (target < 0 || !r->in_.seek(target)) return ARCHIVE_FATAL;
  r->head_pos_ = r->head_.size();
  r->pos_ = target;
  return target;
}

la_int64_t ArchiveReader::skip_cb(struct archive* a, void* self, la_int64_t request) {
  auto* r = static_cast<ArchiveReader*>(self);
  if (request <= 0 || r->head_pos_ < r->head_.size()) return 0;  // let libarchive read through
  int64_t before = r->pos_;
  // Never past the end of a source of known size: a short skip is how
  // libarchive learns that the archive is truncated.
  int64_t size = r->in_.size_hint();
  if (size >= 0) request = std::min<int64_t>(request, std::max<int64_t>(0, size - before));
  if (request == 0) return 0;
  if (seek_cb(a, self, before + request, SEEK_SET) < 0) return 0;
  return request;
}

bool ArchiveReader::open(ContainerKind kind, std::string& err) {
  a_ = archive_read_new();
  if (!a_) {
    err = "out of memory";
    return false;
  }
  archive_read_support_filter_all(a_);
  if (is_compression(kind)) {
    // A lone compression is one stream; what it holds (a tar, a log) is
    // sniffed again by the caller. (libarchive's tar reader would take a
    // stream of zeros for an empty tar.)
    archive_read_support_format_raw(a_);
  } else {
    archive_read_support_format_zip(a_);
    archive_read_support_format_tar(a_);
    archive_read_support_format_gnutar(a_);
    archive_read_support_format_7zip(a_);
    archive_read_support_format_cpio(a_);
    archive_read_support_format_iso9660(a_);
    archive_read_support_format_rar(a_);
    archive_read_support_format_ar(a_);
  }
  if (in_.seekable()) {
    archive_read_set_seek_callback(a_, &ArchiveReader::seek_cb);
    archive_read_set_skip_callback(a_, &ArchiveReader::skip_cb);
  }
  if (archive_read_open(a_, this, nullptr, &ArchiveReader::read_cb, nullptr) != ARCHIVE_OK) {
    const char* e = archive_error_string(a_);
    err = e ? e : "unrecognised archive";
    return false;
  }
  return true;
}

ArchiveReader::Next ArchiveReader::next(ArchiveEntry& e, std::string& err) {
  if (fatal_) {
    err = "archive unreadable after a truncated member";
    return Next::error;
  }
  struct archive_entry* ent = nullptr;
  int rc = archive_read_next_header(a_, &ent);
  if (rc == ARCHIVE_EOF) return Next::end;
  if (rc == ARCHIVE_FATAL || ent == nullptr) {
    const char* m = archive_error_string(a_);
    err = m ? m : "corrupt archive";
    fatal_ = true;
    return Next::error;
  }
  raw_ = archive_format(a_) == ARCHIVE_FORMAT_RAW;
  zip_ = (archive_format(a_) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;
  const char* name = archive_entry_pathname_utf8(ent);
  if (!name) name = archive_entry_pathname(ent);
  e = ArchiveEntry{};
  e.name = name && *name ? name : "(unnamed)";
  e.raw = raw_;
  switch (archive_entry_filetype(ent)) {
    case AE_IFREG: e.type = ArchiveEntry::Type::file; break;
    case AE_IFDIR: e.type = ArchiveEntry::Type::dir; break;
    case AE_IFLNK: e.type = ArchiveEntry::Type::symlink; break;
    default: e.type = ArchiveEntry::Type::other; break;
  }
  e.hardlink = archive_entry_hardlink(ent) != nullptr;
  e.size = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : -1;
  e.encrypted = archive_entry_is_encrypted(ent) != 0;
  if (rc == ARCHIVE_FAILED) e.type = ArchiveEntry::Type::other;
  member_.start(e.size);
  return Next::entry;
}

bool ArchiveReader::cheap_skip() const { return zip_ && in_.seekable(); }

}  // namespace privaudit
