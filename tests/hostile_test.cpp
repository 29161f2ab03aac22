// Hostile inputs: what a leaked archive nobody has opened may hold. For each,
// the run finishes, the problem is named in `errors` or `skipped` where
// there is one, a known leak beside the hostile input is still found, and
// the exit code follows SPEC (1 with a gating finding; 2 when an input could
// not be read and nothing gates).
#define BOOST_TEST_MODULE hostile
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "fixtures.h"
#include "scan/container.h"
#include "scan/evidence.h"
#include "table/table.h"

using namespace privaudit;
using fx::file;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
constexpr long kRssLimitKiB = 4L << 20;  // shadow memory and quarantine
#else
constexpr bool kAsan = false;
constexpr long kRssLimitKiB = 256L << 10;
#endif

// The leak put beside every hostile input: a My Number with its keyword.
const std::string kLeak = "個人番号: 972281866208\n";
const std::string kLeakMasked = "********6208";

std::string memo() { return fx::source_file("examples/memo.txt"); }

// A report read back from the binary's JSON output.
struct Report {
  bool parsed = false;
  uint64_t files = 0;
  std::vector<std::pair<std::string, std::string>> findings;  // path, masked
  std::vector<std::pair<std::string, std::string>> errors;    // path, error
  std::vector<std::pair<std::string, std::string>> skipped;   // path, reason

  bool found(const std::string& path, const std::string& masked = kLeakMasked) const {
    for (auto& f : findings)
      if (f.first == path && f.second == masked) return true;
    return false;
  }
  // An error on `path` (or on a member of it, when `prefix`) whose message holds `what`.
  bool error(const std::string& path, const std::string& what = "", bool prefix = false) const {
    for (auto& e : errors)
      if ((prefix ? e.first.rfind(path, 0) == 0 : e.first == path) &&
          e.second.find(what) != std::string::npos)
        return true;
    return false;
  }
  bool skip(const std::string& path, const std::string& reason) const {
    for (auto& s : skipped)
      if (s.first == path && s.second == reason) return true;
    return false;
  }
  std::string problems() const {
    std::string s;
    for (auto& e : errors) s += "error " + e.first + ": " + e.second + "\n";
    for (auto& k : skipped) s += "skipped " + k.first + ": " + k.second + "\n";
    return s;
  }
};

Report parse_report(const std::string& json) {
  Report r;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(json).get(doc)) return r;
  auto pairs = [&](const char* array, const char* a, const char* b,
                   std::vector<std::pair<std::string, std::string>>& out) {
    simdjson::dom::array arr;
    if (doc.at_pointer(array).get(arr)) return;
    for (auto el : arr) {
      std::string_view x, y;
      if (el[a].get(x) || el[b].get(y)) continue;
      out.emplace_back(std::string(x), std::string(y));
    }
  };
  pairs("/findings", "path", "masked", r.findings);
  pairs("/errors", "path", "error", r.errors);
  pairs("/inputs/skipped", "path", "reason", r.skipped);
  uint64_t files = 0;
  if (!doc.at_pointer("/inputs/files").get(files)) r.files = files;
  r.parsed = true;
  return r;
}

struct Run {
  int code = -1;
  Report report;
  double seconds = 0;
};

// Runs `privaudit scan --format json ARGS` (a shell fragment) under
// `timeout` so that a hang fails the test instead of blocking it.
Run scan_bin(const std::string& args, int timeout_s = 120) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = fx::run_bin("scan --format json " + args, "timeout -s KILL " + std::to_string(timeout_s) + " ");
  Run out;
  out.code = r.code;
  out.report = parse_report(r.out);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

// A folder holding the leak beside whatever the test adds.
struct Scene {
  fx::TempDir d;
  std::string leak;
  Scene() : leak(d / "leak.txt") { fx::write_file(leak, kLeak); }
};

// Peak RSS of the children run so far, in KiB.
long children_peak_rss_kib() {
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  return ru.ru_maxrss;
}

// Many rows, each with a valid My Number, so that archives have data to cut.
std::string big_csv() {
  std::string s = "name,個人番号\n";
  for (int i = 0; i < 3000; ++i) s += "person" + std::to_string(i) + ",972281866208\n";
  return s;
}

struct ArchiveKind {
  std::string name, format, filter;
};

const std::vector<ArchiveKind>& archive_kinds() {
  static const std::vector<ArchiveKind> k{
      {"a.zip", "zip", ""},         {"a.tar", "ustar", ""},          {"a.tar.gz", "ustar", "gzip"},
      {"a.tar.bz2", "ustar", "bzip2"}, {"a.tar.xz", "ustar", "xz"},  {"a.tar.zst", "ustar", "zstd"},
      {"a.7z", "7zip", ""},         {"a.cpio", "cpio", ""},          {"a.iso", "iso9660", ""},
      {"members.csv.gz", "raw", "gzip"}, {"members.csv.xz", "raw", "xz"}, {"members.csv.bz2", "raw", "bzip2"}};
  return k;
}

// Writes the archive kind `k` holding big_csv() (and, except raw, a memo)
// and returns its bytes.
std::string make_archive(const ArchiveKind& k, const fx::TempDir& scratch) {
  std::vector<fx::Member> m{file("members.csv", big_csv())};
  if (k.format != "raw") m.push_back(file("notes/memo.txt", memo()));
  std::string p = scratch / ("src-" + k.name);
  BOOST_REQUIRE_MESSAGE(fx::write_archive(p, k.format, k.filter, m), "cannot write " + k.name);
  return fx::read_file(p);
}

// Scans in process (the whole pipeline but the report), one thread.
ScanResult scan_paths(const std::vector<std::string>& paths) { return fx::scan(paths); }

bool has_finding(const ScanResult& r, const std::string& path) { return fx::count_path(r, path) > 0; }

size_t count_under(const ScanResult& r, const std::string& prefix) {
  size_t n = 0;
  for (auto& f : r.findings) n += f.path.rfind(prefix, 0) == 0;
  return n;
}

bool error_under(const ScanResult& r, const std::string& prefix) {
  for (auto& e : r.errors)
    if (e.path.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

// ------------------------------------------------------------- archives

BOOST_AUTO_TEST_CASE(truncated_archives_of_every_format) {
  fx::TempDir scratch;
  for (const auto& k : archive_kinds()) {
    std::string good = make_archive(k, scratch);
    fx::write_file(scratch / ("whole-" + k.name), good);
    size_t whole = count_under(scan_paths({scratch / ("whole-" + k.name)}), scratch / ("whole-" + k.name));
    BOOST_TEST_REQUIRE(whole >= 3000u);
    for (double frac : {0.1, 0.5, 0.9, -1.0}) {
      BOOST_TEST_CONTEXT(k.name << " cut at " << frac) {
        Scene s;
        size_t cut = frac < 0 ? good.size() - 7 : static_cast<size_t>(static_cast<double>(good.size()) * frac);
        std::string bad = s.d / ("cut-" + k.name);
        fx::write_file(bad, good.substr(0, cut));
        auto r = scan_paths({s.d.path});
        BOOST_TEST(has_finding(r, s.leak));
        // What came before the cut may be found; if anything is missing,
        // the archive (or the member cut short) is named. A cut in trailing
        // padding loses nothing and need not be an error.
        size_t got = count_under(r, bad);
        BOOST_TEST(got <= whole);
        if (got < whole) BOOST_TEST(error_under(r, bad), fx::errors_text(r) << got << " of " << whole);
        if (frac > 0 && frac <= 0.5) BOOST_TEST(error_under(r, bad), fx::errors_text(r));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(corrupt_archives_of_every_format) {
  fx::TempDir scratch;
  for (const auto& k : archive_kinds()) {
    std::string good = make_archive(k, scratch);
    for (int seed = 1; seed <= 6; ++seed) {
      BOOST_TEST_CONTEXT(k.name << " corruption " << seed) {
        Scene s;
        std::string bad = good;
        // Flip a few bytes spread over the archive (headers and data).
        for (int i = 0; i < 4; ++i) {
          size_t at = (static_cast<size_t>(seed) * 7919u + static_cast<size_t>(i) * 104729u) % bad.size();
          bad[at] = static_cast<char>(bad[at] ^ (0x5a + seed));
        }
        std::string path = s.d / ("bad-" + k.name);
        fx::write_file(path, bad);
        auto r = scan_paths({s.d.path});
        BOOST_TEST(has_finding(r, s.leak));
        BOOST_TEST_MESSAGE(k.name << " #" << seed << ": " << r.errors.size() << " errors, "
                                  << fx::count_path(r, path + "!/members.csv") << " findings in members.csv");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(damaged_archive_exit_codes) {
  fx::TempDir scratch;
  std::string good = make_archive(archive_kinds()[2], scratch);  // tar.gz
  Scene s;
  fx::write_file(s.d / "cut.tar.gz", good.substr(0, good.size() / 2));
  auto with_leak = scan_bin(s.d.path);
  BOOST_TEST(with_leak.code == 1);  // findings win over incompleteness
  BOOST_TEST(with_leak.report.found(s.leak));
  BOOST_TEST(with_leak.report.error(s.d / "cut.tar.gz", "", true), with_leak.report.problems());
  // The damaged archive alone, with a gate nothing reaches: exit 2.
  auto alone = scan_bin("--fail-on never " + s.d / "cut.tar.gz");
  BOOST_TEST(alone.code == 2);
  auto allowed = scan_bin("--fail-on never --allow-incomplete " + s.d / "cut.tar.gz");
  BOOST_TEST(allowed.code == 0);
}

BOOST_AUTO_TEST_CASE(zip_slip_member_names) {
  Scene s;
  std::string cwd = s.d / "work";
  fx::fs::create_directories(cwd);
  std::vector<fx::Member> m{file("../../etc/passwd", kLeak), file("/tmp/abs-privaudit.txt", kLeak),
                            file("a/../../../escape.txt", kLeak)};
  BOOST_REQUIRE(fx::write_archive(s.d / "slip.zip", "zip", "", m));
  BOOST_REQUIRE(fx::write_archive(s.d / "slip.tar.gz", "ustar", "gzip", m));
  struct stat before {};
  stat("/etc/passwd", &before);
  auto r = fx::run_bin("scan --format json " + s.d.path, "cd " + cwd + " && ");
  Report rep = parse_report(r.out);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(rep.found(s.leak));
  for (const char* a : {"slip.zip", "slip.tar.gz"}) {
    std::string z = s.d / a;
    BOOST_TEST(rep.found(z + "!/../../etc/passwd"), z);
    BOOST_TEST(rep.found(z + "!//tmp/abs-privaudit.txt"), z);
    BOOST_TEST(rep.found(z + "!/a/../../../escape.txt"), z);
  }
  // Nothing was written: not beside the archive, not above the working
  // folder, not at the absolute path.
  BOOST_TEST(fx::fs::is_empty(cwd));
  BOOST_TEST(!fx::fs::exists(s.d / "etc"));
  BOOST_TEST(!fx::fs::exists(s.d.path + "/../escape.txt"));
  BOOST_TEST(!fx::fs::exists("/tmp/abs-privaudit.txt"));
  struct stat after {};
  stat("/etc/passwd", &after);
  BOOST_TEST(before.st_mtime == after.st_mtime);
  BOOST_TEST(before.st_size == after.st_size);
}

// ------------------------------------------------------- the file system

BOOST_AUTO_TEST_CASE(symlink_loops) {
  Scene s;
  fx::fs::create_directories(s.d / "tree/sub");
  fx::write_file(s.d / "tree/sub/inner.txt", kLeak);
  BOOST_REQUIRE(symlink(".", (s.d / "tree/self").c_str()) == 0);
  BOOST_REQUIRE(symlink("..", (s.d / "tree/sub/parent").c_str()) == 0);
  BOOST_REQUIRE(symlink("loop-b", (s.d / "loop-a").c_str()) == 0);
  BOOST_REQUIRE(symlink("loop-a", (s.d / "loop-b").c_str()) == 0);
  auto walk = scan_bin(s.d.path, 60);
  BOOST_TEST(walk.code == 1);
  BOOST_TEST(walk.report.found(s.leak));
  BOOST_TEST(walk.report.found(s.d / "tree/sub/inner.txt"));
  BOOST_TEST(walk.report.skip(s.d / "tree/self", "symlink"), walk.report.problems());
  BOOST_TEST(walk.report.skip(s.d / "loop-a", "symlink"));
  BOOST_TEST(walk.report.files == 2u);
  // Named on the command line, a loop is followed, fails, and is named.
  auto named = scan_bin(s.d / "loop-a " + s.leak, 60);
  BOOST_TEST(named.code == 1);
  BOOST_TEST(named.report.found(s.leak));
  BOOST_TEST(named.report.error(s.d / "loop-a", "symbolic links"), named.report.problems());
  auto alone = scan_bin(s.d / "loop-a", 60);
  BOOST_TEST(alone.code == 2);
}

BOOST_AUTO_TEST_CASE(fifos_and_device_files_named_explicitly) {
  Scene s;
  // A FIFO nobody writes to: opening or reading it would block for ever;
  // /dev/zero and /dev/urandom never end.
  BOOST_REQUIRE(mkfifo((s.d / "pipe").c_str(), 0600) == 0);
  auto r = scan_bin(s.d / "pipe /dev/null /dev/zero /dev/urandom " + s.leak, 60);
  BOOST_TEST(r.seconds < 30);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.report.found(s.leak));
  BOOST_TEST(r.report.skip(s.d / "pipe", "fifo"), r.report.problems());
  BOOST_TEST(r.report.skip("/dev/null", "device"));
  BOOST_TEST(r.report.skip("/dev/zero", "device"));
  BOOST_TEST(r.report.skip("/dev/urandom", "device"));
  // The same met while walking a folder.
  auto walk = scan_bin(s.d.path, 60);
  BOOST_TEST(walk.code == 1);
  BOOST_TEST(walk.report.skip(s.d / "pipe", "fifo"));
}

namespace {

// Hands out `good` bytes of a repeating text, then fails like a disk that
// went away (EIO).
class FailingReader : public ByteReader {
 public:
  FailingReader(std::string text, size_t good) : t_(std::move(text)), good_(good) {}
  ssize_t read(char* dst, size_t n) override {
    if (pos_ >= good_) {
      err_ = "Input/output error";
      return -1;
    }
    size_t k = std::min(n, good_ - pos_);
    for (size_t i = 0; i < k; ++i) dst[i] = t_[(pos_ + i) % t_.size()];
    pos_ += k;
    return static_cast<ssize_t>(k);
  }

 private:
  std::string t_;
  size_t good_;
  size_t pos_ = 0;
};

// A file reader whose file is truncated by someone else after its first read.
class ShrinkingFileReader : public FdReader {
 public:
  ShrinkingFileReader(int fd, int64_t size, std::string path, off_t to)
      : FdReader(fd, true, size), path_(std::move(path)), to_(to) {}
  ssize_t read(char* dst, size_t n) override {
    if (!done_) {
      done_ = true;
      std::thread t([&] { BOOST_REQUIRE(::truncate(path_.c_str(), to_) == 0); });
      t.join();
    }
    return FdReader::read(dst, n);
  }

 private:
  std::string path_;
  off_t to_;
  bool done_ = false;
};

struct InProcess {
  std::vector<Rule> rules;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<KeywordIndex> kw;
  Fingerprinter fp{"test-key", true};
  InProcess() {
    std::string err;
    BOOST_REQUIRE(load_builtin_rules(rules, err));
    engine = Engine::build(rules, err);
    BOOST_REQUIRE(engine);
    kw = std::make_unique<KeywordIndex>(engine->rules());
  }
  ScanResult scan(const std::string& name, ByteReader& in) {
    DocumentScanner ds(*engine, *kw, fp, ScanSettings{});
    RunOptions o;
    ScanResult r;
    scan_container_or_document(name, in, o, ds, r, 0);
    return r;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(read_error_midway) {
  InProcess p;
  // A document: what was read before the error is scanned, the error named.
  FailingReader doc("filler text; " + kLeak, 5u << 20);
  auto r = p.scan("disk/file.txt", doc);
  BOOST_TEST(fx::has_error(r, "disk/file.txt", "Input/output error"), fx::errors_text(r));
  BOOST_TEST(fx::count_path(r, "disk/file.txt") > 1000u);
  // An archive: the member being read when the source failed is named.
  fx::TempDir d;
  // Noise that does not compress, so that the cut falls well after first.txt
  // (libarchive's decompressors drop the partial block they were filling).
  std::string noise;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 40000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    noise += std::to_string(x % 1000000007) + (i % 8 == 7 ? "\n" : ",");
  }
  BOOST_REQUIRE(fx::write_archive(d / "a.tar.gz", "ustar", "gzip",
                                  {file("first.txt", kLeak), file("second.csv", noise)}));
  std::string tgz = fx::read_file(d / "a.tar.gz");
  class CutReader : public ByteReader {
   public:
    CutReader(const std::string& s, size_t good) : s_(s), good_(good) {}
    ssize_t read(char* dst, size_t n) override {
      if (pos_ >= good_) {
        err_ = "Input/output error";
        return -1;
      }
      size_t k = std::min({n, good_ - pos_, size_t{512}});
      std::memcpy(dst, s_.data() + pos_, k);
      pos_ += k;
      return static_cast<ssize_t>(k);
    }

   private:
    const std::string& s_;
    size_t good_;
    size_t pos_ = 0;
  } cut(tgz, tgz.size() * 2 / 3);
  auto a = p.scan("disk/a.tar.gz", cut);
  BOOST_TEST(error_under(a, "disk/a.tar.gz"), fx::errors_text(a));
  BOOST_TEST(fx::count_path(a, "disk/a.tar.gz!/first.txt") == 1u, fx::errors_text(a));
  BOOST_TEST(fx::has_error(a, "disk/a.tar.gz!/second.csv", "truncated"), fx::errors_text(a));
  // Failing within the first bytes (before sniffing ends): what was read is
  // still scanned, and the error named.
  FailingReader early("filler text; " + kLeak, 1000);
  auto e = p.scan("disk/early.txt", early);
  BOOST_TEST(fx::has_error(e, "disk/early.txt", "Input/output error"), fx::errors_text(e));
  BOOST_TEST(fx::count_path(e, "disk/early.txt") > 10u);
}

BOOST_AUTO_TEST_CASE(file_vanishes_after_listing) {
  Scene s;
  std::string gone = s.d / "gone.txt";
  fx::write_file(gone, kLeak);
  // The progress hook runs once the inputs are listed, before any is read.
  bool first = true;
  auto r = fx::scan({s.d.path}, [&](RunOptions& o) {
    o.progress = [&](const Progress&) {
      if (first) ::unlink(gone.c_str());
      first = false;
    };
  });
  BOOST_TEST(fx::has_error(r, gone, "No such file"), fx::errors_text(r));
  BOOST_TEST(has_finding(r, s.leak));
  BOOST_TEST(!has_finding(r, gone));
}

BOOST_AUTO_TEST_CASE(file_shrinks_during_the_scan) {
  InProcess p;
  fx::TempDir d;
  std::string path = d / "growing.log";
  std::string text;
  while (text.size() < (8u << 20)) text += "2026-11-23 INFO " + kLeak;
  fx::write_file(path, text);
  int fd = ::open(path.c_str(), O_RDONLY);
  BOOST_REQUIRE(fd >= 0);
  ShrinkingFileReader rd(fd, static_cast<int64_t>(text.size()), path, 1 << 20);
  auto r = p.scan(path, rd);
  BOOST_TEST(fx::has_error(r, path, "shrank"), fx::errors_text(r));
  BOOST_TEST(fx::count_path(r, path) > 0u);
  // And through the binary, with a second process truncating the file while
  // it is read: the run finishes, and either saw the whole file or says it shrank.
  Scene s;
  std::string big = s.d / "big.log";
  fx::write_file(big, text + text + text + text);
  std::thread cutter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    (void)::truncate(big.c_str(), 4096);
  });
  auto run = scan_bin(s.d.path, 60);
  cutter.join();
  BOOST_TEST(run.report.found(s.leak));
  BOOST_TEST(run.code == 1);
  BOOST_TEST_MESSAGE("truncated while read: " << run.report.problems());
}

// ---------------------------------------------------------------- encodings

BOOST_AUTO_TEST_CASE(invalid_utf8) {
  Scene s;
  std::string bad;
  for (int i = 0; i < 2000; ++i) bad += "row " + std::to_string(i) + " \xc3\x28 \xed\xa0\x80 \xf8\x88\x80\x80\x80 ok\n";
  bad += "個人番号 \xff 1164-1045-7502 \xfe\n";
  fx::write_file(s.d / "bad-utf8.txt", bad);
  // Mostly garbage: said so.
  std::string garbage;
  for (int i = 0; i < 20000; ++i) garbage.push_back(static_cast<char>(0x80 + (i * 37) % 0x40));
  fx::write_file(s.d / "garbage.txt", "x " + garbage);
  auto r = scan_bin("--encoding utf-8 " + s.d.path);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.report.found(s.leak));
  BOOST_TEST(r.report.found(s.d / "bad-utf8.txt", "********7502"), r.report.problems());
  BOOST_TEST(r.report.error(s.d / "garbage.txt", "undecodable"), r.report.problems());
}

BOOST_AUTO_TEST_CASE(invalid_shift_jis) {
  Scene s;
  std::string good = fx::iconv_to("氏名,個人番号\n山田 太郎,1164-1045-7502\n", "CP932");
  BOOST_REQUIRE(!good.empty());
  // A lead byte with no trail byte, an invalid trail byte, and a lead byte at the very end.
  std::string broken = good + "\x81\n" + fx::iconv_to("佐藤", "CP932") + "\x82\x20,\xfc\xfc\n" +
                       good.substr(good.find('\n') + 1) + "\x83";
  fx::write_file(s.d / "sjis.csv", broken);
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += "\x85\x40\xeb\xff";
  fx::write_file(s.d / "junk.csv", junk);
  auto r = scan_bin("--encoding cp932 " + s.d / "sjis.csv " + s.d / "junk.csv " + s.leak);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.report.found(s.leak));
  BOOST_TEST(r.report.found(s.d / "sjis.csv", "********7502"), r.report.problems());
  BOOST_TEST(r.report.error(s.d / "junk.csv", "undecodable"), r.report.problems());
  // Detected rather than forced, the broken file still gives its finding.
  auto det = scan_bin(s.d / "sjis.csv");
  BOOST_TEST(det.code == 1);
  BOOST_TEST(det.report.found(s.d / "sjis.csv", "********7502"), det.report.problems());
}

BOOST_AUTO_TEST_CASE(nul_bytes_in_text) {
  Scene s;
  // A log whose writer crashed: a run of NUL bytes in the middle of text,
  // and the leak after it. Text with a NUL gap is still text.
  std::string log;
  for (int i = 0; i < 200; ++i) log += "2026-11-23T08:00:14 INFO request served id=" + std::to_string(i) + "\n";
  log += std::string(4096, '\0');
  log += "2026-11-23T08:01:00 INFO profile 個人番号=1164-1045-7502\n";
  fx::write_file(s.d / "crashed.log", log);
  // NULs scattered through text later in a file (past the sniffed head).
  std::string late(100000, 'a');
  for (size_t i = 70000; i < late.size(); i += 97) late[i] = '\0';
  late += "\nマイナンバー 6685 9660 8885\n";
  fx::write_file(s.d / "late.txt", late);
  // A real binary file is skipped and named.
  std::string elf("\x7f" "ELF\x02\x01\x01\0\0\0\0\0", 12);
  for (int i = 0; i < 500; ++i) elf += std::string("\0\x01\x02\x7f\0\0\x10", 7) + "x";
  fx::write_file(s.d / "prog", elf);
  auto r = scan_bin(s.d.path);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.report.found(s.leak));
  BOOST_TEST(r.report.found(s.d / "crashed.log", "********7502"), r.report.problems());
  BOOST_TEST(r.report.found(s.d / "late.txt", "********8885"), r.report.problems());
  BOOST_TEST(r.report.skip(s.d / "prog", "binary"), r.report.problems());
}

// --------------------------------------------------------------- sizes

BOOST_AUTO_TEST_CASE(folder_of_100000_files) {
  Scene s;
  std::string dir = s.d / "many";
  fx::fs::create_directories(dir);
  for (int i = 0; i < 100000; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/f%06d.txt", i);
    int fd = ::open((dir + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::write(fd, "nothing here\n", 13) == 13);
    ::close(fd);
  }
  fx::write_file(dir + "/f054321.txt", kLeak);
  auto r = scan_bin("-j 2 " + s.d.path, 300);
  BOOST_TEST_MESSAGE("100,000 files: " << r.seconds << " s");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.report.files == 100001u);
  BOOST_TEST(r.report.found(s.leak));
  BOOST_TEST(r.report.found(dir + "/f054321.txt"));
  BOOST_TEST(r.report.errors.empty(), r.report.problems());
}

namespace {

// 1 GiB of text with no newline, synthesised as it is read; the leak sits
// in the middle and at the very end.
class HugeLineReader : public ByteReader {
 public:
  static constexpr uint64_t kSize = uint64_t{1} << 30;
  HugeLineReader() {
    while (block_.size() < (1u << 16)) block_ += "user=alice id=abc-12345 note=xyzzy; ";
    block_.resize(1u << 16);
    std::string mid = " 個人番号=1164-1045-7502 ";
    block_mid_ = block_;
    block_mid_.replace(100, mid.size(), mid);
  }
  ssize_t read(char* dst, size_t n) override {
    static const std::string tail = " 個人番号=972281866208";
    uint64_t body = kSize - tail.size();
    if (pos_ >= kSize) return 0;
    size_t k = static_cast<size_t>(std::min<uint64_t>(n, kSize - pos_));
    for (size_t i = 0; i < k;) {
      uint64_t at = pos_ + i;
      if (at >= body) {
        size_t m = std::min(k - i, static_cast<size_t>(kSize - at));
        std::memcpy(dst + i, tail.data() + (at - body), m);
        i += m;
        continue;
      }
      uint64_t blk = at / block_.size();
      size_t off = static_cast<size_t>(at % block_.size());
      const std::string& b = blk == 8192 ? block_mid_ : block_;
      size_t m = std::min({k - i, b.size() - off, static_cast<size_t>(body - at)});
      std::memcpy(dst + i, b.data() + off, m);
      i += m;
    }
    pos_ += k;
    return static_cast<ssize_t>(k);
  }

 private:
  std::string block_, block_mid_;
  uint64_t pos_ = 0;
};

long self_peak_rss_kib() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_gib_line) {
  // In process: a reader synthesises the line; memory is measured around it.
  InProcess p;
  long before = self_peak_rss_kib();
  HugeLineReader rd;
  auto t0 = std::chrono::steady_clock::now();
  auto r = p.scan("huge.txt", rd);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long grew = self_peak_rss_kib() - before;
  BOOST_TEST_MESSAGE("1 GiB line in process: " << secs << " s, peak RSS grew " << grew / 1024 << " MiB");
  BOOST_TEST(r.errors.empty(), fx::errors_text(r));
  BOOST_TEST(r.findings.size() == 2u);
  BOOST_TEST(r.bytes == HugeLineReader::kSize);
  BOOST_TEST(grew < kRssLimitKiB);
  // Through the binary: a sparse 1 GiB file (one line of NULs between text),
  // with the leak at its end and another file beside it.
  Scene s;
  std::string big = s.d / "sparse.txt";
  {
    std::string head;
    while (head.size() < (1u << 17)) head += "user=alice id=abc-12345 note=xyzzy; ";
    int fd = ::open(big.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::write(fd, head.data(), head.size()) == static_cast<ssize_t>(head.size()));
    std::string tail = " 個人番号=1164-1045-7502";
    BOOST_REQUIRE(::pwrite(fd, tail.data(), tail.size(), (off_t{1} << 30) - static_cast<off_t>(tail.size())) ==
                  static_cast<ssize_t>(tail.size()));
    ::close(fd);
  }
  auto run = scan_bin("-j 1 " + s.d.path, 600);
  long rss = children_peak_rss_kib();
  BOOST_TEST_MESSAGE("1 GiB sparse line through the binary: " << run.seconds << " s, children peak RSS "
                                                              << rss / 1024 << " MiB");
  BOOST_TEST(run.code == 1);
  BOOST_TEST(run.report.found(s.leak));
  BOOST_TEST(run.report.found(big, "********7502"), run.report.problems());
  BOOST_TEST(rss < kRssLimitKiB);
}

BOOST_AUTO_TEST_CASE(deep_folder_nesting) {
  Scene s;
  // 500 levels: walked to the bottom.
  std::string p = s.d / "deep";
  for (int i = 0; i < 500; ++i) p += "/d";
  fx::fs::create_directories(p);
  fx::write_file(p + "/bottom.txt", kLeak);
  // Deeper than PATH_MAX allows: created with mkdirat, one level at a time.
  std::string name(100, 'n');
  int fd = ::open(s.d.path.c_str(), O_RDONLY | O_DIRECTORY);
  BOOST_REQUIRE(fd >= 0);
  for (int i = 0; i < 60; ++i) {
    std::string n = i == 0 ? "long" : name;
    BOOST_REQUIRE(::mkdirat(fd, n.c_str(), 0755) == 0);
    int next = ::openat(fd, n.c_str(), O_RDONLY | O_DIRECTORY);
    ::close(fd);
    BOOST_REQUIRE(next >= 0);
    fd = next;
  }
  int f = ::openat(fd, "unreachable.txt", O_WRONLY | O_CREAT, 0644);
  BOOST_REQUIRE(f >= 0);
  BOOST_REQUIRE(::write(f, kLeak.data(), kLeak.size()) == static_cast<ssize_t>(kLeak.size()));
  ::close(f);
  ::close(fd);
  auto r = scan_bin(s.d.path, 120);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.report.found(s.leak));
  BOOST_TEST(r.report.found(p + "/bottom.txt"));
  // What lies beyond PATH_MAX is named, not silently dropped.
  BOOST_TEST(r.report.error(s.d / "long", "too long", true), r.report.problems());
  // remove_all cannot delete what is deeper than PATH_MAX: undo it level by level.
  BOOST_TEST_MESSAGE("deep tree: " << r.seconds << " s");
  std::string cmd = "rm -rf " + s.d / "long";
  BOOST_TEST(std::system(cmd.c_str()) == 0);
}

BOOST_AUTO_TEST_CASE(csv_row_with_a_million_columns) {
  Scene s;
  std::string csv = "id,note,個人番号\n1,x,972281866208\n";
  std::string wide;
  wide.reserve(3u << 20);
  for (int i = 0; i < 1000000; ++i) wide += i == 999990 ? "1164-1045-7502," : "1,";
  wide += "end\n";
  csv += wide + "3,y,6685 9660 8885\n";
  fx::write_file(s.d / "wide.csv", csv);
  auto r = scan_bin(s.d.path);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.report.found(s.leak));
  BOOST_TEST(r.report.found(s.d / "wide.csv", "********6208"));
  BOOST_TEST(r.report.found(s.d / "wide.csv", "********8885"), r.report.problems());
  // The table reader used by link and consent reads past it too, and says so.
  std::string err;
  auto t = TableReader::open_file(s.d / "wide.csv", TableOptions{}, err);
  BOOST_REQUIRE(t);
  std::vector<std::string> fields;
  uint64_t rows = 0;
  while (t->next(fields)) {
    ++rows;
    BOOST_TEST(fields.size() == 3u);
  }
  BOOST_TEST(rows == 3u);
  BOOST_TEST(t->malformed() == 1u);
  auto link = fx::run_bin("link --format json " + s.d / "wide.csv " + s.d / "wide.csv");
  BOOST_TEST(link.code == 1);
  BOOST_TEST(link.out.find("\"left_records\": 3") != std::string::npos, link.out.substr(0, 2000));
  BOOST_TEST(link.out.find("1000001 fields, header has 3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_nested_100000_deep) {
  Scene s;
  std::string deep = std::string(100000, '[') + "\"1164-1045-7502\"" + std::string(100000, ']');
  fx::write_file(s.d / "deep.json", deep);
  std::string obj;
  for (int i = 0; i < 100000; ++i) obj += "{\"a\":";
  obj += "1" + std::string(100000, '}');
  fx::write_file(s.d / "deep.jsonl", obj + "\n{\"my_number\":\"6685 9660 8885\"}\n");
  auto r = scan_bin(s.d.path);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.report.found(s.leak));
  BOOST_TEST(r.report.found(s.d / "deep.json", "********7502"), r.report.problems());
  BOOST_TEST(r.report.found(s.d / "deep.jsonl", "********8885"), r.report.problems());
  // The table reader (link, consent) and the consent ledger name the
  // deep line and read on.
  std::string err;
  auto t = TableReader::open_file(s.d / "deep.jsonl", TableOptions{}, err);
  BOOST_REQUIRE(t);
  std::vector<std::string> fields;
  uint64_t rows = 0;
  while (t->next(fields)) ++rows;
  BOOST_TEST(rows == 1u);
  BOOST_TEST(t->malformed() == 1u);
  auto c = fx::run_bin("consent --format json --ledger " + s.d / "deep.jsonl " +
                       PRIVAUDIT_SOURCE_DIR "/examples/consent/log.csv");
  BOOST_TEST(c.code != -1);
  BOOST_TEST(c.out.find("consent-ledger-invalid") != std::string::npos, c.out.substr(0, 2000));
}
