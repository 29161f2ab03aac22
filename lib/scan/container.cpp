#include "scan/container.h"

#include <fmt/format.h>

#include <memory>

#include "archive/archive.h"
#include "formats/xlsx.h"
#include "scan/database.h"
#include "store/store.h"
#include "scan/run.h"
#include "store/store.h"

namespace privaudit {

namespace {

// One top-level input being scanned: options, sinks and its budget.
struct Ctx {
  const RunOptions& opts;
  DocumentScanner& ds;
  ScanResult& out;
  ExpandBudget budget;
  ReleaseFn release;  // for a document that is the whole input
};

// `depth`: archives around `in`; `raw_depth`: lone compressions directly
// around it (a tar.gz is a tar inside a gzip stream).
void scan_any(Ctx& c, const std::string& path, const std::string& fmt_name, ByteReader& in,
              int depth, int raw_depth);

// True when `in` is an archive member that stopped early: the archive read
// from it is cut short through no fault of its own, and the member's owner
// reports why.
bool source_stopped(const ByteReader& in, const Ctx& c) {
  if (c.budget.exhausted) return true;
  auto* m = dynamic_cast<const MemberReader*>(&in);
  return m && m->stopped();
}

enum class After { next, stop };

// Largest archive held in memory because its format needs random access.
constexpr uint64_t kMaxSpool = uint64_t{512} << 20;

// Scans the member the archive is at, then reports how reading it ended.
After scan_member(Ctx& c, ArchiveReader& ar, const ArchiveEntry& e, const std::string& path,
                  const std::string& fmt_name, ByteReader& source, int depth, int raw_depth) {
  std::string mpath = e.raw ? path : path + "!/" + e.name;
  std::string mfmt = e.raw ? strip_compression_suffix(fmt_name) : e.name;
  if (e.type == ArchiveEntry::Type::dir) return After::next;
  if (e.type == ArchiveEntry::Type::symlink) {
    c.out.skipped.push_back({mpath, "symlink"});
    return After::next;
  }
  if (e.type != ArchiveEntry::Type::file) {
    c.out.skipped.push_back({mpath, "not a regular file"});
    return After::next;
  }
  if (e.hardlink && e.size <= 0) {
    c.out.skipped.push_back({mpath, "hard link"});
    return After::next;
  }
  if (e.encrypted) {
    c.out.errors.push_back({mpath, "encrypted member skipped"});
    return After::next;
  }
  if (c.opts.max_file_size && e.size > 0 && static_cast<uint64_t>(e.size) > c.opts.max_file_size) {
    c.out.skipped.push_back({mpath, "larger than --max-file-size"});
    return After::next;
  }
  MemberReader& m = ar.member();
  if (e.raw) scan_any(c, mpath, mfmt, m, depth, raw_depth + 1);
  else scan_any(c, mpath, mfmt, m, depth + 1, 0);
  m.drain();  // what the document left unread is still metered
  if (m.status() == MemberStatus::truncated && source_stopped(source, c)) {
    // The archive's own stream stopped (a tar.gz's gzip stream hit a limit
    // or its end): say why, on the member being read.
    auto* src = dynamic_cast<MemberReader*>(&source);
    if (src && !src->reported()) {
      std::string why = member_stop_reason(*src, c.budget.limits);
      if (!why.empty()) c.out.errors.push_back({mpath, why});
      src->mark_reported();
    }
    return After::stop;
  }
  std::string err = m.reported() ? std::string() : member_stop_reason(m, c.budget.limits);
  if (!err.empty()) c.out.errors.push_back({mpath, err});
  switch (m.status()) {
    case MemberStatus::ok:
    case MemberStatus::encrypted:
    case MemberStatus::failed: return After::next;
    case MemberStatus::ratio: return ar.cheap_skip() ? After::next : After::stop;
    default: return After::stop;
  }
}

// Scans the members of the open archive `ar`, read from `in`, in turn, until
// its end, an error, or a limit; names what stopped it.
void read_members(Ctx& c, ArchiveReader& ar, const std::string& path, const std::string& fmt_name,
                  ByteReader& in, int depth, int raw_depth) {
  std::string err;
  for (uint64_t entries = 0;; ++entries) {
    ArchiveEntry e;
    ArchiveReader::Next n = ar.next(e, err);
    if (n == ArchiveReader::Next::end) {
      if (entries == 0 && ar.source_error().empty()) c.out.skipped.push_back({path, "empty archive"});
      break;
    }
    if (n == ArchiveReader::Next::error) {
      if (!source_stopped(in, c)) c.out.errors.push_back({path, "truncated or corrupt archive: " + err});
      break;
    }
    if (++c.budget.entries > c.budget.limits.max_entries) {
      c.out.errors.push_back(
          {path, fmt::format("too many archive entries (limit {})", c.budget.limits.max_entries)});
      c.budget.exhausted = true;
      break;
    }
    if (scan_member(c, ar, e, path, fmt_name, in, depth, raw_depth) == After::stop) break;
    if (c.budget.exhausted) break;
  }
}

// An ISO image shorter than its volume descriptor says is truncated: libarchive
// reads it as ending early (even as empty) without a word, so it is named here.
void check_iso_size(Ctx& c, const std::string& path, const ByteReader& in, std::string_view head) {
  int64_t declared = iso_declared_size(head);
  int64_t size = in.size_hint();
  if (declared > 0 && size >= 0 && size < declared)
    c.out.errors.push_back({path, fmt::format("truncated ISO image ({} of {} bytes)", size, declared)});
}

// Reads every member of the archive in `in` (first bytes `head`).
void scan_archive(Ctx& c, const std::string& path, const std::string& fmt_name, ByteReader& in,
                  std::string head, ContainerKind kind, int depth, int raw_depth) {
  // 7z keeps its index at the end: read from a stream (stdin, a member), it
  // is held in memory, up to a cap.
  std::string spool;
  std::unique_ptr<MemoryReader> mem;
  std::string err;
  if (kind == ContainerKind::sevenzip && !in.seekable()) {
    spool = std::move(head);
    head.clear();
    if (!read_all(in, spool, kMaxSpool, err)) {
      if (!source_stopped(in, c)) c.out.errors.push_back({path, "7z archive inside a stream not read: " + err});
      return;
    }
    mem = std::make_unique<MemoryReader>(spool.data(), spool.size());
  }
  if (kind == ContainerKind::iso) check_iso_size(c, path, in, head);
  ArchiveReader ar(mem ? *mem : in, std::move(head), c.budget, depth == 0 && raw_depth == 0 && !mem,
                   mem ? ArchiveReader::RatioBase::own_source : ArchiveReader::RatioBase::top_input);
  if (!ar.open(kind, err)) {
    if (!source_stopped(in, c) && ar.source_error().empty())
      c.out.errors.push_back({path, fmt::format("cannot read {} archive: {}", kind_name(kind), err)});
  } else {
    read_members(c, ar, path, fmt_name, in, depth, raw_depth);
  }
  if (!ar.source_error().empty() && !source_stopped(in, c))
    c.out.errors.push_back({path, "read error: " + ar.source_error()});
}

// A source with nothing more to give (what was read of it is replayed from
// a head).
class EndedReader : public ByteReader {
 public:
  ssize_t read(char*, size_t) override { return 0; }
};

// Dispatches `in`, whose first bytes `head` were read from it: a workbook,
// a document, or an archive.
void scan_sniffed(Ctx& c, const std::string& path, const std::string& fmt_name, ByteReader& in,
                  std::string head, int depth, int raw_depth) {
  ContainerKind kind = sniff_container(head);
  if (kind == ContainerKind::zip && is_xlsx_name(fmt_name)) {
    scan_xlsx(path, in, std::move(head), c.ds, c.out, c.budget, depth == 0 && raw_depth == 0);
    return;
  }
  // A SQLite file (on disk, or an archive member) is a database.
  if (kind == ContainerKind::none && store::has_sqlite_header(head.data(), head.size())) {
    scan_sqlite_input(path, in, head, c.opts.database, c.opts.max_expanded_bytes, c.ds, c.out, depth);
    return;
  }
  if (kind == ContainerKind::none) {
    DocOptions d;
    d.first = head;
    d.format_name = fmt_name;
    // The input itself, or a lone compressed file (log.gz): its only document.
    if (depth == 0) d.release = c.release;
    c.ds.scan(path, in, c.out, d);
    return;
  }
  if ((is_compression(kind) ? raw_depth : depth) >= c.opts.max_archive_depth) {
    c.out.errors.push_back({path, fmt::format("archive nested deeper than --max-archive-depth ({})",
                                              c.opts.max_archive_depth)});
    return;
  }
  // The stream of a compressed archive is not counted twice: its members are.
  auto* m = dynamic_cast<MemberReader*>(&in);
  if (m && raw_depth > 0) m->uncounted();
  scan_archive(c, path, fmt_name, in, std::move(head), kind, depth, raw_depth);
}

void scan_any(Ctx& c, const std::string& path, const std::string& fmt_name, ByteReader& in,
              int depth, int raw_depth) {
  std::string head(kSniffBytes, '\0');
  size_t partial = 0;
  ssize_t got = read_full(in, head.data(), head.size(), &partial);
  if (got >= 0) {
    head.resize(static_cast<size_t>(got));
    scan_sniffed(c, path, fmt_name, in, std::move(head), depth, raw_depth);
    return;
  }
  // Reading failed early: what was read is scanned as if the input ended
  // there (an archive cut short names its truncated member), and the read
  // error is named.
  std::string why = in.error();
  head.resize(partial);
  if (!head.empty()) {
    EndedReader ended;
    scan_sniffed(c, path, fmt_name, ended, std::move(head), depth, raw_depth);
  }
  if (!source_stopped(in, c)) c.out.errors.push_back({path, "read error: " + why});
}

}  // namespace

void scan_container_or_document(const std::string& path, ByteReader& in, const RunOptions& opts,
                                DocumentScanner& ds, ScanResult& out, int depth, ReleaseFn release) {
  Ctx c{opts, ds, out, {}, std::move(release)};
  c.budget.limits.max_expanded_bytes = opts.max_expanded_bytes;
  c.budget.limits.max_ratio = opts.max_compression_ratio;
  c.budget.limits.max_entries = opts.max_archive_entries;
  scan_any(c, path, path, in, depth, 0);
}

}  // namespace privaudit
