// Inputs: the walker (globs, sizes, hidden files, symlinks, binary files,
// FIFOs, unreadable files), JSONL, and the binary end to end: every input
// accounted for, deterministic sorted JSON, bounded memory.
#define BOOST_TEST_MODULE inputs
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>
#include <sys/stat.h>

#include <cstring>
#include <set>

#include "fixtures.h"
#include "validate/validators.h"

using namespace privaudit;

namespace {

// Peak RSS is meaningless under AddressSanitizer (shadow memory, quarantine).
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssLimitKiB = 4L << 20;
#else
constexpr long kRssLimitKiB = 256L << 10;
#endif

std::string memo() { return fx::source_file("examples/memo.txt"); }
std::string residents() { return fx::source_file("examples/residents.csv"); }

std::set<std::string> paths_with_findings(const ScanResult& r) {
  std::set<std::string> s;
  for (auto& f : r.findings) s.insert(f.path);
  return s;
}

// A folder tree with a leak in every file.
struct Tree {
  fx::TempDir d;
  Tree() {
    fx::write_file(d / "a.csv", residents());
    fx::write_file(d / "b.txt", memo());
    fx::write_file(d / "sub/c.log", memo());
    fx::write_file(d / ".hidden/d.txt", memo());
    fx::write_file(d / ".env", "MY_NUMBER=972281866208\n");
    fx::write_file(d / "node_modules/e.txt", memo());
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(hidden_files_are_scanned) {
  Tree t;
  auto r = fx::scan({t.d.path});
  auto p = paths_with_findings(r);
  BOOST_TEST(p.count(t.d / ".hidden/d.txt") == 1u);
  BOOST_TEST(p.count(t.d / ".env") == 1u);
  BOOST_TEST(r.files == 6u);
}

BOOST_AUTO_TEST_CASE(include_and_exclude_globs) {
  Tree t;
  auto inc = fx::scan({t.d.path}, [](RunOptions& o) { o.include = {"*.csv", "*.log"}; });
  BOOST_TEST(inc.files == 2u);
  BOOST_TEST(paths_with_findings(inc).count(t.d / "sub/c.log") == 1u);
  auto exc = fx::scan({t.d.path}, [](RunOptions& o) { o.exclude = {"node_modules/", ".*"}; });
  auto p = paths_with_findings(exc);
  BOOST_TEST(exc.files == 3u);
  BOOST_TEST(p.count(t.d / "node_modules/e.txt") == 0u);
  BOOST_TEST(p.count(t.d / ".env") == 0u);
  BOOST_TEST(p.count(t.d / "sub/c.log") == 1u);
  auto path_glob = fx::scan({t.d.path}, [](RunOptions& o) { o.exclude = {"sub/*.log"}; });
  BOOST_TEST(path_glob.files == 5u);
}

BOOST_AUTO_TEST_CASE(max_file_size) {
  fx::TempDir d;
  fx::write_file(d / "small.txt", "個人番号 972281866208\n");
  fx::write_file(d / "big.txt", memo());
  auto r = fx::scan({d.path}, [](RunOptions& o) { o.max_file_size = 100; });
  BOOST_TEST(r.files == 1u);
  BOOST_TEST(fx::has_skipped(r, d / "big.txt", "larger than --max-file-size"));
}

BOOST_AUTO_TEST_CASE(symlinks_are_not_followed) {
  fx::TempDir d;
  fx::write_file(d / "real/leak.txt", memo());
  fx::write_file(d / "walk/plain.txt", memo());
  fx::fs::create_symlink(d / "real/leak.txt", d / "walk/link.txt");
  fx::fs::create_directory_symlink(d / "real", d / "walk/linkdir");
  fx::fs::create_symlink(d / "nowhere", d / "walk/broken");
  auto r = fx::scan({d / "walk"});
  BOOST_TEST(r.files == 1u);
  BOOST_TEST(fx::has_skipped(r, d / "walk/link.txt", "symlink"));
  BOOST_TEST(fx::has_skipped(r, d / "walk/linkdir", "symlink"));
  BOOST_TEST(fx::has_skipped(r, d / "walk/broken", "symlink"));
  BOOST_TEST(paths_with_findings(r).count(d / "walk/linkdir/leak.txt") == 0u);
}

BOOST_AUTO_TEST_CASE(binary_files) {
  fx::TempDir d;
  std::string bin("\x7f" "ELF\x02\x01\x01\0\0\0\0\0", 12);
  bin += std::string(100, '\0') + "user_mynumber=972281866208" + std::string(100, '\0');
  fx::write_file(d / "prog", bin);
  auto r = fx::scan({d / "prog"});
  BOOST_TEST(r.findings.empty());
  BOOST_TEST(fx::has_skipped(r, d / "prog", "binary"));
  auto b = fx::scan({d / "prog"}, [](RunOptions& o) { o.settings.binary = true; });
  BOOST_TEST(b.findings.size() == 1u);
  BOOST_TEST(b.skipped.empty());
}

BOOST_AUTO_TEST_CASE(fifos_and_devices_are_skipped) {
  fx::TempDir d;
  BOOST_REQUIRE(mkfifo((d / "pipe").c_str(), 0600) == 0);
  fx::write_file(d / "ok.txt", memo());
  auto r = fx::scan({d.path, "/dev/null"});
  BOOST_TEST(fx::has_skipped(r, d / "pipe", "fifo"));
  BOOST_TEST(fx::has_skipped(r, "/dev/null", "device"));
  BOOST_TEST(r.files == 1u);
}

BOOST_AUTO_TEST_CASE(unreadable_files_and_folders_are_errors) {
  fx::TempDir d;
  fx::write_file(d / "a/locked.txt", memo());
  fx::write_file(d / "b/locked_dir/x.txt", memo());
  fx::write_file(d / "c/ok.txt", memo());
  chmod((d / "a/locked.txt").c_str(), 0);
  chmod((d / "b/locked_dir").c_str(), 0);
  // Root reads anything: run the binary as nobody then.
  std::string prefix;
  if (geteuid() == 0) {
    if (access("/usr/bin/setpriv", X_OK) != 0) {
      BOOST_TEST_MESSAGE("root without setpriv: skipped");
      return;
    }
    chmod(d.path.c_str(), 0755);
    prefix = "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  auto r = fx::run_bin("scan --format json " + d.path, prefix);
  chmod((d / "b/locked_dir").c_str(), 0755);
  BOOST_TEST(r.code == 1);  // findings win over the unread inputs
  BOOST_TEST(r.out.find("\"path\": \"" + d / "a/locked.txt\",\n      \"error\": \"Permission denied\"") !=
                 std::string::npos,
             r.out);
  BOOST_TEST(r.out.find("\"path\": \"" + d / "b/locked_dir\",\n      \"error\": \"cannot read folder") !=
                 std::string::npos);
  BOOST_TEST(r.out.find("\"path\": \"" + d / "c/ok.txt\"") != std::string::npos);
  // Without findings, the unread inputs make the exit code 2.
  fx::fs::remove(d / "c/ok.txt");
  chmod((d / "b/locked_dir").c_str(), 0);
  auto again = fx::run_bin("scan --format json " + d.path, prefix);
  chmod((d / "b/locked_dir").c_str(), 0755);
  BOOST_TEST(again.code == 2);
}

BOOST_AUTO_TEST_CASE(missing_path_is_an_error) {
  fx::TempDir d;
  auto r = fx::scan({d / "nope.txt"});
  BOOST_TEST(fx::has_error(r, d / "nope.txt", "No such file"));
}

BOOST_AUTO_TEST_CASE(jsonl_same_findings_in_every_encoding_and_container) {
  std::string jsonl = fx::source_file("examples/export.jsonl");
  fx::TempDir d;
  fx::write_file(d / "plain/export.jsonl", jsonl);
  fx::write_file(d / "sjis/export.jsonl", fx::iconv_to(jsonl, "CP932"));
  fx::write_file(d / "u16/export.jsonl", "\xFF\xFE" + fx::iconv_to(jsonl, "UTF-16LE"));
  BOOST_REQUIRE(fx::write_archive(d / "gz/export.jsonl.gz", "raw", "gzip", {fx::file("data", jsonl)}));
  auto plain = fx::scan({d / "plain/export.jsonl"});
  BOOST_REQUIRE(!plain.findings.empty());
  bool pointer = false;
  for (auto& f : plain.findings) pointer = pointer || f.field == "/person/ids/mynumber";
  BOOST_TEST(pointer);
  for (const char* v : {"sjis/export.jsonl", "u16/export.jsonl", "gz/export.jsonl.gz"}) {
    BOOST_TEST_CONTEXT(v) {
      auto r = fx::scan({d / v});
      BOOST_TEST(r.errors.empty(), fx::errors_text(r));
      BOOST_TEST(fx::sig(plain) == fx::sig(r), boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(jsonl_csv_and_xlsx_of_one_table_agree) {
  // The residents table as CSV, as JSONL (keys = headers) and as XLSX.
  auto rows = fx::split_csv(residents());
  std::string jsonl;
  for (size_t r = 1; r < rows.size(); ++r) {
    jsonl += "{";
    for (size_t c = 0; c < rows[r].size(); ++c)
      jsonl += (c ? ",\"" : "\"") + rows[0][c] + "\":\"" + rows[r][c] + "\"";
    jsonl += "}\n";
  }
  fx::TempDir d;
  fx::write_file(d / "t.csv", residents());
  fx::write_file(d / "t.jsonl", jsonl);
  BOOST_REQUIRE(fx::write_xlsx(d / "t.xlsx", "Sheet1", rows));
  auto csv = fx::scan({d / "t.csv"});
  auto js = fx::scan({d / "t.jsonl"});
  auto xl = fx::scan({d / "t.xlsx"});
  BOOST_TEST(fx::sig(csv, false) == fx::sig(js, false), boost::test_tools::per_element());
  BOOST_TEST(fx::sig(csv, false) == fx::sig(xl, false), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(end_to_end_accounting_and_determinism) {
  fx::TempDir d;
  fx::write_file(d / "in/residents.csv", residents());
  fx::write_file(d / "in/bin.dat", std::string("\0\1\2\3", 4) + memo());
  BOOST_REQUIRE(fx::write_archive(d / "in/leak.zip", "zip", "",
                                  {fx::file("docs/memo.txt", memo()), fx::file("../evil.txt", memo())}));
  BOOST_REQUIRE(fx::write_archive(d / "in/app.log.1.gz", "raw", "gzip", {fx::file("data", memo())}));
  fx::write_file(d / "key", "fixed-test-key\n");
  std::string args = "scan --format json --key-file " + d / "key" + " " + d / "in";
  auto one = fx::run_bin(args + " -j 1");
  auto two = fx::run_bin(args + " -j 2");
  BOOST_TEST(one.code == 1);
  auto strip = [](std::string s) {
    for (const char* k : {"\"started_at\"", "\"duration_ms\""}) {
      size_t a = s.find(k);
      if (a != std::string::npos) s.erase(a, s.find('\n', a) - a);
    }
    return s;
  };
  BOOST_TEST(strip(one.out) == strip(two.out));
  const std::string& o = one.out;
  BOOST_TEST(o.find("\"path\": \"" + d / "in/leak.zip!/docs/memo.txt\"") != std::string::npos);
  BOOST_TEST(o.find("\"path\": \"" + d / "in/leak.zip!/../evil.txt\"") != std::string::npos);
  BOOST_TEST(o.find("\"path\": \"" + d / "in/app.log.1.gz\"") != std::string::npos);
  BOOST_TEST(o.find("\"reason\": \"binary\"") != std::string::npos);
  BOOST_TEST(o.find("\"files\": 4") != std::string::npos, o.substr(0, 600));
  BOOST_TEST(o.find("972281866208") == std::string::npos);
  // Sorted by path: the .gz (a...) before leak.zip before residents.csv.
  size_t gz = o.find(d / "in/app.log.1.gz\""), zip = o.find(d / "in/leak.zip!/"),
         csv = o.find(d / "in/residents.csv\"");
  BOOST_TEST((gz < zip && zip < csv));
}

BOOST_AUTO_TEST_CASE(long_line_streams_in_bounded_memory) {
  // Scaled down from bench/limits.sh: 192 MiB with no newline.
  fx::TempDir d;
  {
    std::ofstream f(d / "one-line.txt", std::ios::binary);
    std::string block;
    while (block.size() < (1u << 20)) block += "user=alice id=abc-12345 note=xyzzy; ";
    block.resize(1u << 20);
    for (int i = 0; i < 192; ++i) {
      if (i == 100) f << " 個人番号=972281866208 ";
      f.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  auto r = fx::run_bin("scan --format json -j 1 " + d / "one-line.txt");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.find("\"masked\": \"********6208\"") != std::string::npos);
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  BOOST_TEST_MESSAGE("peak RSS of children: " << ru.ru_maxrss / 1024 << " MiB");
  BOOST_TEST(ru.ru_maxrss < kRssLimitKiB);
}

BOOST_AUTO_TEST_CASE(many_candidates_stay_bounded) {
  // Every line holds a valid-looking number under a name that says it is
  // something else (order_id: low), and one under a neutral name whose
  // values validate at chance rate (ref: low by statistics). Neither may
  // pile up in memory until the end of the document.
  fx::TempDir d;
  {
    std::ofstream f(d / "busy.log", std::ios::binary);
    char line[160];
    for (uint64_t i = 0; i < 300000; ++i) {
      int n = std::snprintf(line, sizeof line,
                            "2026-11-23T08:00:14 INFO order created order_id=202611230417 ref=%012llu\n",
                            static_cast<unsigned long long>((i * 7919 + 13) % 1000000000000ull));
      f.write(line, n);
    }
    f << "profile updated user_mynumber=972281866208\n";
  }
  auto r = fx::run_bin("scan --format json -j 1 " + d / "busy.log");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.find("\"findings\": 1,") != std::string::npos, r.out.substr(r.out.size() > 400 ? r.out.size() - 400 : 0));
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  BOOST_TEST_MESSAGE("peak RSS of children: " << ru.ru_maxrss / 1024 << " MiB");
  BOOST_TEST(ru.ru_maxrss < kRssLimitKiB);
}

namespace {

// A valid My Number from 11 digits.
std::string my_number(uint64_t n) {
  std::string base = std::to_string(10000000000ull + n % 89999999999ull);
  return base + std::to_string(validate::my_number_check_digit(base));
}

// A log of about `bytes` with values in keyed fields (their confidence rests
// on the field's statistics, counted over the whole file), values with and
// without keywords, CRLF lines, allow tags, full-width digits, one long line
// and no newline at the end.
std::string split_log(size_t bytes) {
  std::string s;
  uint64_t i = 0;
  while (s.size() < bytes) {
    ++i;
    switch (i % 7) {
      case 0: s += "2024-05-01 INFO order_id=" + my_number(i * 7919) + " user_mynumber=" + my_number(i) + "\n"; break;
      case 1: s += "2024-05-01 WARN マイナンバー " + my_number(i * 31) + " を受付\r\n"; break;
      case 2: s += "ref=" + std::to_string(100000000000ull + i * 13) + " amount=" + std::to_string(i) + "\n"; break;
      case 3: s += "contact a" + std::to_string(i) + "@example.jp privaudit:allow " + my_number(i * 3) + "\n"; break;
      case 4: s += "個人番号：" + my_number(i * 5) + "、電話０３－２２３４－５６７８\n"; break;
      case 5: s += "order_id=" + std::to_string(200000000000ull + i) + " card=4111 1111 1111 1111\n"; break;
      default:
        if (i % 700 == 6) s += std::string(70000, 'x') + " " + my_number(i) + " " + std::string(30000, 'y') + "\n";
        else s += "plain line " + std::to_string(i) + "\n";
    }
  }
  s += "last line without newline " + my_number(42);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(split_file_gives_the_findings_of_one_thread) {
  fx::TempDir d;
  std::string path = d.path + "/big.log";
  fx::write_file(path, split_log(3 << 20));
  fx::write_file(d.path + "/small.txt", "My Number " + my_number(7) + "\n");
  ScanResult one = fx::scan({d.path});
  // Pieces of 64 KiB (some lines are longer than a piece), on 3 threads.
  ScanResult split = fx::scan({d.path}, [](RunOptions& o) {
    o.threads = 3;
    o.split_min_bytes = 1 << 20;
    o.split_piece_bytes = 64 << 10;
  });
  BOOST_TEST(one.pieces == 0u);
  BOOST_TEST(split.pieces >= 20u);  // 3 MiB in pieces of 64 KiB or more (long lines)
  BOOST_TEST(one.findings.size() > 10000u);
  BOOST_TEST(one.suppressed > 1000u);
  BOOST_TEST(split.findings.size() == one.findings.size());
  BOOST_TEST(split.suppressed == one.suppressed);
  BOOST_TEST(split.files == one.files);
  BOOST_TEST(split.bytes == one.bytes);
  BOOST_TEST(fx::errors_text(split) == fx::errors_text(one));
  // Same findings, in the same order, with every field equal.
  size_t differ = 0;
  for (size_t i = 0; i < std::min(one.findings.size(), split.findings.size()); ++i) {
    const Finding &a = one.findings[i], &b = split.findings[i];
    if (a.path != b.path || a.rule != b.rule || a.line != b.line || a.column != b.column ||
        a.offset != b.offset || a.confidence != b.confidence || a.masked != b.masked ||
        a.fingerprint != b.fingerprint || a.field != b.field || a.record != b.record)
      ++differ;
  }
  BOOST_TEST(differ == 0u);
  // Confidence from field statistics took the whole file into account: the
  // order_id field validates half the time (low), user_mynumber always (high).
  std::set<std::string> conf;
  for (auto& f : split.findings) conf.insert(std::string(to_string(f.confidence)));
  BOOST_TEST(conf.count("high") == 1u);
}

BOOST_AUTO_TEST_CASE(many_findings_in_one_file_stay_bounded) {
  // 600,000 findings in one 32 MB log, then in one 64 MB log (split across
  // threads at -j 2): held all at once they would take ~400 MB; they are
  // handed to the report's spool as the file is read.
  fx::TempDir d;
  {
    std::ofstream f(d / "dense.log", std::ios::binary);
    std::string chunk;
    for (uint64_t i = 0; i < 600000; ++i) {
      chunk += "2024-05-01 INFO user_mynumber=" + my_number(i * 7919) + " status=ok\n";
      if (chunk.size() > (1u << 20)) {
        f << chunk;
        chunk.clear();
      }
    }
    f << chunk;
  }
  {
    std::ofstream f(d / "dense2.log", std::ios::binary);
    std::ifstream in(d / "dense.log", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    f << all << all;
  }
  // And compressed: a lone .gz file is one document too.
  BOOST_REQUIRE(std::system(("gzip -c " + d / "dense.log" + " > " + d / "dense.log.gz").c_str()) == 0);
  for (const char* j : {"1", "2", "gz"}) {
    std::string out = d / (std::string("out-") + j + ".jsonl");
    std::string input = d / (std::string(j) == "2" ? "dense2.log" : std::string(j) == "gz" ? "dense.log.gz" : "dense.log");
    if (std::string(j) == "gz") j = "1";
    auto r = fx::run_bin(std::string("scan -q --format jsonl -j ") + j + " -o " + out + " " + input);
    BOOST_TEST(r.code == 1);
    // The summary line at the end (the test itself stays small: a child's
    // peak RSS counts what it inherited at fork).
    std::ifstream in(out, std::ios::binary);
    in.seekg(-4096, std::ios::end);
    std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(tail.find(std::string(j) == "2" ? "\"findings\":1200000," : "\"findings\":600000,") !=
               std::string::npos);
    struct rusage ru {};
    getrusage(RUSAGE_CHILDREN, &ru);
    BOOST_TEST_MESSAGE("-j" << j << ": peak RSS of children: " << ru.ru_maxrss / 1024 << " MiB");
    BOOST_TEST(ru.ru_maxrss < kRssLimitKiB);
  }
}

// Several inputs with more findings each than a thread holds while an
// earlier input is still being scanned (65536): at -j3 the later inputs'
// threads hold findings, then wait their turn and hand them on in batches.
// The report is the same, byte for byte, as one thread's.
BOOST_AUTO_TEST_CASE(inputs_handed_on_in_turn_give_one_threads_report) {
  fx::TempDir d;
  auto dense = [&](const std::string& name, uint64_t n, uint64_t seed) {
    std::ofstream f(d / name, std::ios::binary);
    for (uint64_t i = 0; i < n; ++i)
      f << "2024-05-01 INFO user_mynumber=" << my_number(i * 7919 + seed) << " mail=u" << i << "@example.jp\n";
  };
  dense("a.log", 50000, 1);   // 100,000 findings
  fx::write_file(d / "b.log", split_log(2 << 20));
  dense("c.log", 60000, 2);   // 120,000
  fx::write_file(d / "d.txt", "My Number " + my_number(7) + "\n");
  dense("e.log", 45000, 3);   // 90,000
  fx::write_file(d / "key", "a fixed key\n");
  const char* threads[2] = {"1", "3"};
  for (const char* j : threads) {
    auto r = fx::run_bin(std::string("scan -q --format jsonl --key-file ") + (d / "key") + " -j " + j + " -o " +
                         (d / (std::string("out-") + j + ".jsonl")) + " " + d.path +
                         " --exclude key --exclude 'out-*'");
    BOOST_TEST(r.code == 1);
  }
  // Compared a megabyte at a time (the test process stays small: the
  // memory tests count what a child inherits at fork).
  std::ifstream a(d / "out-1.jsonl", std::ios::binary), b(d / "out-3.jsonl", std::ios::binary);
  std::string ca(1 << 20, '\0'), cb(1 << 20, '\0');
  uint64_t total = 0;
  bool same = true;
  while (same) {
    a.read(ca.data(), static_cast<std::streamsize>(ca.size()));
    b.read(cb.data(), static_cast<std::streamsize>(cb.size()));
    if (a.gcount() != b.gcount() || std::memcmp(ca.data(), cb.data(), static_cast<size_t>(a.gcount())) != 0)
      same = false;
    total += static_cast<uint64_t>(a.gcount());
    if (a.gcount() == 0) break;
  }
  BOOST_TEST(same);
  BOOST_TEST(total > 50000000u);  // ~330,000 findings
}
