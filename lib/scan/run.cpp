#include "scan/run.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "scan/container.h"

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

void scan_item(const Item& item, const RunOptions& o, DocumentScanner& ds, ScanResult& r) {
  if (item.is_uri) {
    scan_database_uri(item.path, o.database, ds, r);
    return;
  }
  if (item.is_stdin) {
    FdReader rd(0, false);
    scan_container_or_document("-", rd, o, ds, r, 0);
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
  scan_container_or_document(item.path, rd, o, ds, r, 0);
}

}  // namespace

ScanResult run_scan(const Engine& engine, const Fingerprinter& fp, const RunOptions& o) {
  ScanResult total;
  Walker w(o, total);
  for (auto& p : o.paths) w.add(p);
  // Scan in report order, so results need little sorting.
  std::stable_sort(w.items.begin(), w.items.end(),
                   [](const Item& a, const Item& b) { return a.path < b.path; });
  KeywordIndex kw(engine.rules());
  unsigned n = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  n = std::max(1u, std::min<unsigned>(n, static_cast<unsigned>(w.items.size())));
  std::vector<ScanResult> results(w.items.size());
  std::vector<uint8_t> done(w.items.size(), 0);
  size_t next_out = 0;  // the first input not yet handed on
  std::mutex out_mu;
  std::atomic<size_t> next{0};
  std::mutex progress_mu;
  Progress prog;
  prog.files_total = w.items.size();
  for (auto& it : w.items) {
    prog.bytes_total += it.size;
    if (it.is_stdin) prog.total_known = false;
  }
  if (o.progress) o.progress(prog);
  auto worker = [&]() {
    DocumentScanner ds(engine, kw, fp, o.settings);
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= w.items.size()) break;
      scan_item(w.items[i], o, ds, results[i]);
      // An input's findings arrive per document in offset order; an
      // archive's members in archive order.
      auto& fs = results[i].findings;
      if (!std::is_sorted(fs.begin(), fs.end(), finding_less))
        std::stable_sort(fs.begin(), fs.end(), finding_less);
      uint64_t in_bytes = w.items[i].is_stdin ? results[i].bytes : w.items[i].size;
      {
        // Hand on every finished input in order.
        std::lock_guard<std::mutex> lk(out_mu);
        done[i] = 1;
        while (next_out < done.size() && done[next_out]) {
          if (o.on_result) o.on_result(results[next_out]);
          total.merge(std::move(results[next_out]));
          results[next_out] = ScanResult{};
          ++next_out;
        }
      }
      if (o.progress) {
        std::lock_guard<std::mutex> lk(progress_mu);
        prog.files_done += 1;
        prog.bytes_done += in_bytes;
        o.progress(prog);
      }
    }
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
