#include "scan/run.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "archive/archive.h"
#include "decode/decode.h"
#include "scan/container.h"
#include "store/store.h"

namespace privaudit {

namespace fs = std::filesystem;

bool glob_match(const std::string& pattern, const std::string& path, bool is_dir) {
  std::string pat = pattern;
  bool dir_only = !pat.empty() && pat.back() == '/';
  if (dir_only) {
    pat.pop_back();
    if (!is_dir) return false;
  }
  if (pat.find('/') == std::string::npos) {
    std::string name = fs::path(path).filename().string();
    return fnmatch(pat.c_str(), name.c_str(), 0) == 0;
  }
  if (fnmatch(pat.c_str(), path.c_str(), FNM_PATHNAME) == 0) return true;
  // Patterns are also tried against every suffix of the path ("**/x" style).
  for (size_t i = path.find('/'); i != std::string::npos; i = path.find('/', i + 1))
    if (fnmatch(pat.c_str(), path.c_str() + i + 1, FNM_PATHNAME) == 0) return true;
  return false;
}

namespace {

struct Item {
  std::string path;  // as reported (for a database URI: as given, credentials and all)
  bool is_stdin = false;
  uint64_t size = 0;  // on disk
  bool is_uri = false;  // a database URI, not a file
};

class Walker {
 public:
  Walker(const RunOptions& o, ScanResult& r) : o_(o), r_(r) {}

  void add(const std::string& p) {
    if (p == "-") {
      items.push_back({"-", true, 0});
      return;
    }
    if (is_database_uri(p)) {
      items.push_back({p, false, 0, true});
      return;
    }
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) {
      r_.errors.push_back({p, std::strerror(errno)});
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      // A symlink named on the command line is followed, as ripgrep does.
      if (::stat(p.c_str(), &st) != 0) {
        r_.errors.push_back({p, std::string("broken symlink: ") + std::strerror(errno)});
        return;
      }
    }
    if (S_ISDIR(st.st_mode)) {
      walk(p);
      return;
    }
    file(p, st);
  }

  std::vector<Item> items;

 private:
  const RunOptions& o_;
  ScanResult& r_;

  bool excluded(const std::string& path, bool is_dir) {
    for (auto& g : o_.exclude)
      if (glob_match(g, path, is_dir)) return true;
    if (!is_dir && !o_.include.empty()) {
      for (auto& g : o_.include)
        if (glob_match(g, path, false)) return false;
      return true;
    }
    return false;
  }

  void file(const std::string& p, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) {
      r_.skipped.push_back({p, S_ISFIFO(st.st_mode)   ? "fifo"
                               : S_ISSOCK(st.st_mode) ? "socket"
                               : (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) ? "device"
                                                                              : "not a regular file"});
      return;
    }
    if (o_.max_file_size && static_cast<uint64_t>(st.st_size) > o_.max_file_size) {
      r_.skipped.push_back({p, "larger than --max-file-size"});
      return;
    }
    items.push_back({p, false, static_cast<uint64_t>(st.st_size)});
  }

  // Walks a folder depth-first. An unreadable folder is an error; the walk
  // goes on with its siblings.
  void walk(const std::string& root) {
    std::vector<std::string> stack{root};
    while (!stack.empty()) {
      std::string dir = std::move(stack.back());
      stack.pop_back();
      std::error_code ec;
      fs::directory_iterator it(dir, fs::directory_options::none, ec), end;
      if (ec) {
        r_.errors.push_back({dir, "cannot read folder: " + ec.message()});
        continue;
      }
      std::vector<std::string> subdirs;
      for (; it != end; it.increment(ec)) {
        if (ec) break;
        entry(it->path().string(), subdirs);
      }
      if (ec) r_.errors.push_back({dir, "cannot read folder: " + ec.message()});
      // Reverse so the first sub-folder is walked first.
      stack.insert(stack.end(), subdirs.rbegin(), subdirs.rend());
    }
  }

  void entry(const std::string& p, std::vector<std::string>& subdirs) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) {
      r_.errors.push_back({p, std::strerror(errno)});
    } else if (S_ISLNK(st.st_mode)) {
      if (!excluded(p, false)) r_.skipped.push_back({p, "symlink"});
    } else if (S_ISDIR(st.st_mode)) {
      if (!excluded(p, true)) subdirs.push_back(p);
    } else if (!excluded(p, false)) {
      file(p, st);
    }
  }
};

void scan_item(const Item& item, const RunOptions& o, DocumentScanner& ds, ScanResult& r,
               const ReleaseFn& release) {
  if (item.is_uri) {
    scan_database_uri(item.path, o.database, ds, r);
    return;
  }
  if (item.is_stdin) {
    FdReader rd(0, false);
    scan_container_or_document("-", rd, o, ds, r, 0, release);
    return;
  }
  int fd = ::open(item.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    r.errors.push_back({item.path, std::strerror(errno)});
    return;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    r.skipped.push_back({item.path, "not a regular file"});
    return;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  FdReader rd(fd, true, st.st_size);
  scan_container_or_document(item.path, rd, o, ds, r, 0, release);
}

// Reads bytes [pos, end) of a file shared by the pieces of a split file.
class RangeReader : public ByteReader {
 public:
  RangeReader(int fd, uint64_t start, uint64_t end) : fd_(fd), pos_(start), end_(end) {}
  ssize_t read(char* dst, size_t n) override {
    if (pos_ >= end_) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
    ssize_t r;
    do r = ::pread(fd_, dst, n, static_cast<off_t>(pos_));
    while (r < 0 && errno == EINTR);
    if (r < 0) {
      err_ = std::strerror(errno);
      return -1;
    }
    if (r == 0) {  // shorter than when it was listed
      err_ = "file shrank while it was read";
      return -1;
    }
    pos_ += static_cast<uint64_t>(r);
    return r;
  }

 private:
  int fd_;
  uint64_t pos_, end_;
};

// A file split into pieces that threads scan at once, and the pieces'
// results, added up in order as they come in.
struct Split {
  int fd = -1;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [start, end) of each piece
  std::vector<ScanResult> results;
  std::vector<DocPartial> parts;
  std::vector<uint8_t> done;
  size_t next_absorb = 0;
  uint64_t newlines = 0;  // in the pieces absorbed
  ScanResult total;
  std::mutex mu;
  ~Split() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens `item` and decides whether to split it: a plain UTF-8 text file (no
// archive, database, BOM or binary content, no tracker-driven format) of at
// least o.split_min_bytes. Pieces end just after a newline, so each starts a
// line and no value straddles two.
std::unique_ptr<Split> plan_split(const Item& item, const RunOptions& o) {
  if (item.is_stdin || item.is_uri || o.split_min_bytes == 0 || item.size < o.split_min_bytes)
    return nullptr;
  if (format_for_name(item.path) != DocFormat::text) return nullptr;
  if (o.settings.force_encoding && o.settings.encoding != Encoding::utf8) return nullptr;
  int fd = ::open(item.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return nullptr;  // the normal path names the error
  auto sp = std::make_unique<Split>();
  sp->fd = fd;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  uint64_t size = static_cast<uint64_t>(st.st_size);
  std::string head(kSniffBytes, '\0');
  ssize_t got = ::pread(fd, head.data(), head.size(), 0);
  if (got <= 0) return nullptr;
  head.resize(static_cast<size_t>(got));
  size_t bom = 0;
  if (sniff_container(head) != ContainerKind::none || store::has_sqlite_header(head.data(), head.size()) ||
      detect_encoding(head.data(), head.size(), false, bom) != Encoding::utf8 || bom != 0 ||
      looks_binary(head))
    return nullptr;
  const uint64_t piece = std::max<uint64_t>(o.split_piece_bytes, 4096);
  std::string window(65536, '\0');
  uint64_t start = 0;
  while (start < size) {
    uint64_t end = start + piece;
    if (end >= size) {
      sp->ranges.emplace_back(start, size);
      break;
    }
    // The piece ends after the first newline at or past `end`.
    bool found = false;
    for (uint64_t at = end; at < size && !found;) {
      ssize_t r = ::pread(fd, window.data(), window.size(), static_cast<off_t>(at));
      if (r <= 0) break;
      if (const void* nl = std::memchr(window.data(), '\n', static_cast<size_t>(r))) {
        end = at + static_cast<uint64_t>(static_cast<const char*>(nl) - window.data()) + 1;
        found = true;
      }
      at += static_cast<uint64_t>(r);
    }
    if (!found) end = size;  // no newline left: the rest is one piece
    sp->ranges.emplace_back(start, end);
    start = end;
  }
  if (sp->ranges.size() < 2) return nullptr;
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  size_t n = sp->ranges.size();
  sp->results.resize(n);
  sp->parts.resize(n);
  sp->done.assign(n, 0);
  return sp;
}

// Scans piece k of a split file; returns true when that completed the file
// (its result is then in `out`).
bool scan_piece(Split& sp, size_t k, const Item& item, DocumentScanner& ds, ScanResult& out,
                const ReleaseFn& release) {
  RangeReader rd(sp.fd, sp.ranges[k].first, sp.ranges[k].second);
  DocOptions d;
  d.utf8 = true;  // checked for the whole file by plan_split()
  d.format_name = item.path;
  d.base_offset = sp.ranges[k].first;
  d.partial = &sp.parts[k];
  ds.scan(item.path, rd, sp.results[k], d);
  std::lock_guard<std::mutex> lk(sp.mu);
  sp.done[k] = 1;
  size_t n = sp.ranges.size();
  // Pieces are added in order: line numbers follow on, statistics add up.
  while (sp.next_absorb < n && sp.done[sp.next_absorb]) {
    size_t j = sp.next_absorb++;
    ScanResult& r = sp.results[j];
    uint64_t shift = sp.newlines;
    for (auto& f : r.findings)
      if (f.line) f.line += shift;
    uint64_t piece_newlines = sp.parts[j].newlines;
    sp.parts[j].newlines = 0;
    if (j == 0) {
      sp.total.merge(std::move(r));
      // Piece 0's state is the accumulator.
      if (n == 1) ds.absorb(item.path, sp.parts[0], DocPartial{}, 0, true, sp.total);
    } else {
      sp.total.merge(std::move(r));
      ds.absorb(item.path, sp.parts[0], std::move(sp.parts[j]), shift, j + 1 == n, sp.total);
      sp.parts[j] = DocPartial{};
    }
    sp.newlines += piece_newlines;
    r = ScanResult{};
    if (release && sp.next_absorb < n && sp.total.findings.size() >= DocumentScanner::kReleaseAt) {
      // Hand on what no later piece can precede (see DocumentScanner::scan).
      DocPartial& acc = sp.parts[0];
      if (sp.total.findings.size() >= DocumentScanner::kSettleEarlyAt) ds.settle_all(item.path, acc, sp.total);
      uint64_t mark = sp.ranges[j].second;
      if (!acc.pending.empty()) mark = std::min(mark, acc.pending.front().offset);
      release_before(sp.total.findings, 0, mark, release);
    }
  }
  if (sp.next_absorb < n) return false;
  sp.total.files = 1;  // one document, however many pieces
  sp.total.pieces = n;
  // A problem every piece saw (a read error) is named once.
  auto& e = sp.total.errors;
  e.erase(std::unique(e.begin(), e.end(),
                      [](const InputError& a, const InputError& b) { return a.path == b.path && a.error == b.error; }),
          e.end());
  out = std::move(sp.total);
  return true;
}

}  // namespace

// Findings an input whose turn has not come holds before its thread waits
// to hand them on.
constexpr size_t kHoldAt = 65536;

ScanResult run_scan(const Engine& engine, const Fingerprinter& fp, const RunOptions& o) {
  ScanResult total;
  Walker w(o, total);
  for (auto& p : o.paths) w.add(p);
  // Scan in report order, so results need little sorting.
  std::stable_sort(w.items.begin(), w.items.end(),
                   [](const Item& a, const Item& b) { return a.path < b.path; });
  KeywordIndex kw(engine.rules());
  unsigned n = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  const bool may_split = n > 1;
  // More threads than inputs help only when a file may be split.
  if (!may_split) n = std::max(1u, std::min<unsigned>(n, static_cast<unsigned>(w.items.size())));
  std::vector<ScanResult> results(w.items.size());
  std::vector<uint8_t> done(w.items.size(), 0);
  size_t next_out = 0;  // the first input not yet handed on
  std::mutex out_mu;
  std::condition_variable out_cv;  // next_out moved on
  std::mutex progress_mu;
  Progress prog;
  prog.files_total = w.items.size();
  for (auto& it : w.items) {
    prog.bytes_total += it.size;
    if (it.is_stdin) prog.total_known = false;
  }
  if (o.progress) o.progress(prog);

  // Work: whole inputs in order, and pieces of split files (taken first).
  struct PieceTask {
    size_t item;
    size_t piece;
    std::shared_ptr<Split> split;
  };
  std::mutex q_mu;
  std::condition_variable q_cv;
  std::deque<PieceTask> pieces;
  size_t next_item = 0;
  unsigned planning = 0;  // workers deciding whether to split an input

  // An input is finished: hand on every finished input in order.
  // Findings vectors already handed on (emptied), kept for the
  // next inputs so their memory is reused rather than faulted in afresh for
  // every input. Guarded by out_mu.
  std::vector<std::vector<Finding>> spare_findings;
  auto take_spare = [&](ScanResult& r) {
    if (!o.on_result) return;
    std::lock_guard<std::mutex> lk(out_mu);
    if (spare_findings.empty()) return;
    r.findings = std::move(spare_findings.back());
    spare_findings.pop_back();
  };

  auto finish = [&](size_t i) {
    auto& fs = results[i].findings;
    // An input's findings arrive per document in offset order; an
    // archive's members in archive order.
    sort_findings(fs);
    uint64_t in_bytes = w.items[i].is_stdin ? results[i].bytes : w.items[i].size;
    {
      std::lock_guard<std::mutex> lk(out_mu);
      done[i] = 1;
      while (next_out < done.size() && done[next_out]) {
        if (o.on_result) {
          o.on_result(results[next_out]);
          auto& spent = results[next_out].findings;
          spent.clear();
          if (spent.empty() && spent.capacity() > 0 && spare_findings.size() <= n)
            spare_findings.push_back(std::move(spent));
        }
        total.merge(std::move(results[next_out]));
        results[next_out] = ScanResult{};
        ++next_out;
      }
    }
    out_cv.notify_all();
    if (o.progress) {
      std::lock_guard<std::mutex> lk(progress_mu);
      prog.files_done += 1;
      prog.bytes_done += in_bytes;
      o.progress(prog);
    }
  };

  // Findings of a large input, handed on while it is read once every input
  // before it has been (so that memory holds a bounded number of them).
  auto release_for = [&](size_t i) -> ReleaseFn {
    if (!o.on_result) return {};
    return [&, i](std::vector<Finding>& fs, size_t from, size_t count) {
      std::unique_lock<std::mutex> lk(out_mu);
      if (next_out != i) {
        // Inputs before this one are still being scanned: the thread holds
        // on to the findings and goes on scanning, and waits only once it
        // holds kHoldAt of them.
        if (fs.size() - from < kHoldAt) return;
        out_cv.wait(lk, [&] { return next_out == i; });
      }
      // The findings after the handed-on ones (usually few) wait in a
      // vector each thread keeps; the handed-on ones go in `fs` itself, so
      // no finding is moved twice and both vectors keep their memory.
      thread_local std::vector<Finding> later;
      auto first = fs.begin() + static_cast<ptrdiff_t>(from);
      auto stop = first + static_cast<ptrdiff_t>(count);
      later.assign(std::make_move_iterator(stop), std::make_move_iterator(fs.end()));
      fs.erase(stop, fs.end());
      ScanResult part;
      if (from == 0) {
        part.findings.swap(fs);
      } else {  // findings before `from` stay (another document's)
        part.findings.assign(std::make_move_iterator(first), std::make_move_iterator(fs.end()));
        fs.erase(first, fs.end());
      }
      o.on_result(part);
      if (from == 0) {
        part.findings.clear();
        fs.swap(part.findings);
      }
      fs.insert(fs.end(), std::make_move_iterator(later.begin()), std::make_move_iterator(later.end()));
      later.clear();
    };
  };

  auto worker = [&]() {
    DocumentScanner ds(engine, kw, fp, o.settings);
    std::unique_lock<std::mutex> lk(q_mu);
    for (;;) {
      if (!pieces.empty()) {
        PieceTask t = std::move(pieces.front());
        pieces.pop_front();
        lk.unlock();
        ScanResult r;
        if (scan_piece(*t.split, t.piece, w.items[t.item], ds, r, release_for(t.item))) {
          results[t.item] = std::move(r);
          finish(t.item);
        }
        lk.lock();
        continue;
      }
      if (next_item < w.items.size()) {
        size_t i = next_item++;
        ++planning;
        lk.unlock();
        std::shared_ptr<Split> sp;
        if (may_split) sp = plan_split(w.items[i], o);
        lk.lock();
        --planning;
        if (sp) {
          for (size_t k = 0; k < sp->ranges.size(); ++k) pieces.push_back({i, k, sp});
          q_cv.notify_all();
          continue;
        }
        q_cv.notify_all();
        lk.unlock();
        take_spare(results[i]);
        scan_item(w.items[i], o, ds, results[i], release_for(i));
        finish(i);
        lk.lock();
        continue;
      }
      if (planning == 0) break;
      q_cv.wait(lk);  // another worker may be about to split an input
    }
    q_cv.notify_all();
  };
  if (n <= 1) {
    worker();
  } else {
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < n; ++t) ts.emplace_back(worker);
    for (auto& t : ts) t.join();
  }
  total.sort();
  return total;
}

}  // namespace privaudit
