// Archives: every supported container gives the same findings as the plain
// files it holds; members are named outer.zip!/dir/inner.tar.gz!/file; and
// limits, encryption, truncation and hostile names are reported, not fatal.
#define BOOST_TEST_MODULE archive
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "archive/archive.h"
#include "fixtures.h"

using namespace privaudit;
using fx::file;

namespace {

std::string app_log() { return fx::source_file("examples/app.log"); }
std::string memo() { return fx::source_file("examples/memo.txt"); }
std::string residents() { return fx::source_file("examples/residents.csv"); }
std::string jsonl() { return fx::source_file("examples/export.jsonl"); }

// Findings of `plain` (a file) must equal those of `member` (a path inside an
// archive), location included.
void expect_same_as_plain(const ScanResult& r, const std::string& member, const std::string& plain_name,
                          const std::string& data) {
  fx::TempDir d;
  fx::write_file(d / plain_name, data);
  auto plain = fx::scan({d / plain_name});
  ScanResult only;
  for (auto& f : r.findings)
    if (f.path == member) only.findings.push_back(f);
  BOOST_TEST_CONTEXT(member) {
    BOOST_TEST(!plain.findings.empty());
    BOOST_TEST(fx::sig(plain) == fx::sig(only), boost::test_tools::per_element());
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(sniffs_magic_numbers) {
  using namespace std::literals;
  BOOST_TEST((sniff_container("PK\x03\x04rest"sv) == ContainerKind::zip));
  BOOST_TEST((sniff_container("\x1f\x8b\x08"sv) == ContainerKind::gzip));
  BOOST_TEST((sniff_container("BZh91AY"sv) == ContainerKind::bzip2));
  BOOST_TEST((sniff_container("\xfd" "7zXZ\x00\x00"sv) == ContainerKind::xz));
  BOOST_TEST((sniff_container("\x28\xb5\x2f\xfd"sv) == ContainerKind::zstd));
  BOOST_TEST((sniff_container("7z\xbc\xaf\x27\x1c"sv) == ContainerKind::sevenzip));
  BOOST_TEST((sniff_container("070701000"sv) == ContainerKind::cpio));
  std::string tar(512, '\0');
  tar.replace(257, 5, "ustar");
  BOOST_TEST((sniff_container(tar) == ContainerKind::tar));
  std::string iso(40000, '\0');
  iso.replace(32769, 5, "CD001");
  BOOST_TEST((sniff_container(iso) == ContainerKind::iso));
  BOOST_TEST((sniff_container("BZh is a word\n"sv) == ContainerKind::none));
  BOOST_TEST((sniff_container("plain text, PK later"sv) == ContainerKind::none));
}

BOOST_AUTO_TEST_CASE(strips_compression_suffixes) {
  BOOST_TEST(strip_compression_suffix("dump.csv.xz") == "dump.csv");
  BOOST_TEST(strip_compression_suffix("app.log.1.gz") == "app.log.1");
  BOOST_TEST(strip_compression_suffix("a.jsonl.ZST") == "a.jsonl");
  BOOST_TEST(strip_compression_suffix("x.tgz") == "x.tar");
  BOOST_TEST(strip_compression_suffix("notes.txt") == "notes.txt");
}

BOOST_AUTO_TEST_CASE(zip_holding_tar_gz_holding_logs) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_archive(d / "inner.tar.gz", "ustar", "gzip",
                                  {file("logs/app.log", app_log()), file("logs/memo.txt", memo())}));
  BOOST_REQUIRE(fx::write_archive(d / "in/outer.zip", "zip", "",
                                  {file("dir/inner.tar.gz", fx::read_file(d / "inner.tar.gz")),
                                   file("residents.csv", residents())}));
  auto r = fx::scan({d / "in"});
  BOOST_TEST(r.errors.empty(), fx::errors_text(r));
  std::string outer = d / "in/outer.zip";
  expect_same_as_plain(r, outer + "!/dir/inner.tar.gz!/logs/app.log", "app.log", app_log());
  expect_same_as_plain(r, outer + "!/dir/inner.tar.gz!/logs/memo.txt", "memo.txt", memo());
  expect_same_as_plain(r, outer + "!/residents.csv", "residents.csv", residents());
  BOOST_TEST(r.files == 3u);
}

BOOST_AUTO_TEST_CASE(lone_compressed_files_keep_their_name) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_archive(d / "app.log.1.gz", "raw", "gzip", {file("data", app_log())}));
  BOOST_REQUIRE(fx::write_archive(d / "dump.csv.xz", "raw", "xz", {file("data", residents())}));
  BOOST_REQUIRE(fx::write_archive(d / "memo.txt.bz2", "raw", "bzip2", {file("data", memo())}));
  BOOST_REQUIRE(fx::write_archive(d / "export.jsonl.zst", "raw", "zstd", {file("data", jsonl())}));
  auto r = fx::scan({d.path});
  BOOST_TEST(r.errors.empty(), fx::errors_text(r));
  expect_same_as_plain(r, d / "app.log.1.gz", "app.log.1", app_log());
  expect_same_as_plain(r, d / "dump.csv.xz", "dump.csv", residents());  // CSV fields
  expect_same_as_plain(r, d / "memo.txt.bz2", "memo.txt", memo());
  expect_same_as_plain(r, d / "export.jsonl.zst", "export.jsonl", jsonl());  // JSON Pointers
  for (auto& f : r.findings) BOOST_TEST(f.path.find("!/") == std::string::npos);
  bool fields = false;
  for (auto& f : r.findings) fields = fields || (f.path == d / "dump.csv.xz" && f.field == "個人番号");
  BOOST_TEST(fields);
}

BOOST_AUTO_TEST_CASE(every_archive_format) {
  struct Case {
    const char* name;
    const char* format;
    const char* filter;
  } cases[] = {{"a.7z", "7zip", ""},        {"a.tar", "ustar", ""},      {"a.tar.bz2", "ustar", "bzip2"},
               {"a.tar.xz", "ustar", "xz"}, {"a.tar.zst", "ustar", "zstd"}, {"a.cpio", "cpio", ""},
               {"a.iso", "iso9660", ""},    {"a.zip", "zip", ""}};
  for (auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      fx::TempDir d;
      BOOST_REQUIRE(fx::write_archive(d / c.name, c.format, c.filter,
                                      {file("data/residents.csv", residents()), file("data/export.jsonl", jsonl()),
                                       file("data/memo.txt", memo())}));
      auto r = fx::scan({d / c.name});
      BOOST_TEST(r.errors.empty(), fx::errors_text(r));
      std::string p = d / c.name;
      // ISO 9660 level 1 upper-cases nothing with Rock Ridge, which libarchive writes.
      expect_same_as_plain(r, p + "!/data/residents.csv", "residents.csv", residents());
      expect_same_as_plain(r, p + "!/data/export.jsonl", "export.jsonl", jsonl());
      expect_same_as_plain(r, p + "!/data/memo.txt", "memo.txt", memo());
    }
  }
}

BOOST_AUTO_TEST_CASE(archive_on_stdin) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_archive(d / "a.tar.gz", "ustar", "gzip", {file("app.log", app_log())}));
  auto r = fx::run_bin("scan --format json --fail-on never - < " + d / "a.tar.gz");
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out.find("\"path\": \"-!/app.log\"") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(nested_depth_limit) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_archive(d / "l3.zip", "zip", "", {file("leak.txt", memo())}));
  BOOST_REQUIRE(fx::write_archive(d / "l2.zip", "zip", "", {file("l3.zip", fx::read_file(d / "l3.zip"))}));
  BOOST_REQUIRE(fx::write_archive(d / "in/l1.zip", "zip", "",
                                  {file("l2.zip", fx::read_file(d / "l2.zip")), file("top.txt", memo())}));
  std::string l1 = d / "in/l1.zip";
  auto all = fx::scan({l1});
  BOOST_TEST(all.errors.empty(), fx::errors_text(all));
  BOOST_TEST(fx::count_path(all, l1 + "!/l2.zip!/l3.zip!/leak.txt") > 0u);
  auto cut = fx::scan({l1}, [](RunOptions& o) { o.max_archive_depth = 2; });
  BOOST_TEST(fx::has_error(cut, l1 + "!/l2.zip!/l3.zip", "--max-archive-depth"), fx::errors_text(cut));
  BOOST_TEST(fx::count_path(cut, l1 + "!/top.txt") > 0u);
  BOOST_TEST(fx::count_path(cut, l1 + "!/l2.zip!/l3.zip!/leak.txt") == 0u);
}

BOOST_AUTO_TEST_CASE(encrypted_member) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_archive(d / "secret.zip", "zip", "", {file("people.csv", residents())},
                                  "zip:encryption=zipcrypt", "hunter2"));
  fx::write_file(d / "sibling.txt", memo());
  auto r = fx::scan({d / "secret.zip", d / "sibling.txt"});
  BOOST_TEST(fx::has_error(r, d / "secret.zip!/people.csv", "encrypted member skipped"), fx::errors_text(r));
  BOOST_TEST(fx::count_path(r, d / "secret.zip!/people.csv") == 0u);
  BOOST_TEST(fx::count_path(r, d / "sibling.txt") > 0u);
}

BOOST_AUTO_TEST_CASE(truncated_tar_gz) {
  fx::TempDir d;
  std::string big;
  while (big.size() < (4u << 20)) big += app_log();
  BOOST_REQUIRE(fx::write_archive(d / "full.tar.gz", "ustar", "gzip",
                                  {file("first.txt", memo()), file("big.log", big), file("last.txt", memo())}));
  std::string bytes = fx::read_file(d / "full.tar.gz");
  fx::write_file(d / "in/cut.tar.gz", bytes.substr(0, bytes.size() / 2));
  fx::write_file(d / "in/sibling.txt", memo());
  auto r = fx::scan({d / "in"});
  std::string cut = d / "in/cut.tar.gz";
  BOOST_TEST(fx::has_error(r, cut + "!/big.log", "truncated archive member"), fx::errors_text(r));
  BOOST_TEST(fx::count_path(r, cut + "!/first.txt") > 0u);
  BOOST_TEST(fx::count_path(r, cut + "!/big.log") > 0u);  // what was read before the cut
  BOOST_TEST(fx::count_path(r, d / "in/sibling.txt") > 0u);
}

BOOST_AUTO_TEST_CASE(zip_bomb_is_stopped_and_the_rest_goes_on) {
  fx::TempDir d;
  // 42.zip-style: a zip holding a zip of 512 MiB of zeros, and a member of
  // 3 GiB of zeros (zstd, cheap to make); leaks before and after them.
  auto t0 = std::chrono::steady_clock::now();
  BOOST_REQUIRE(fx::write_archive(d / "layer.zip", "zip", "", {fx::filled("zeros.bin", uint64_t{512} << 20, '\0')}));
  BOOST_REQUIRE(fx::write_archive(d / "zeros.bin.zst", "raw", "zstd", {fx::filled("data", uint64_t{3} << 30, '\0')}));
  BOOST_REQUIRE(fx::write_archive(d / "in/bomb.zip", "zip", "",
                                  {file("a_leak.csv", residents()), file("layer.zip", fx::read_file(d / "layer.zip")),
                                   file("zeros.bin.zst", fx::read_file(d / "zeros.bin.zst")),
                                   file("z_leak.txt", memo())}));
  // A flat one: a tar.zst with 3 GiB of text (spaces) after a leak.
  BOOST_REQUIRE(fx::write_archive(d / "in/flat.tar.zst", "ustar", "zstd",
                                  {file("a_leak.txt", memo()), fx::filled("spaces.txt", uint64_t{3} << 30, ' ')}));
  fx::write_file(d / "in/sibling.txt", memo());
  BOOST_TEST_MESSAGE("fixtures: " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s");
  t0 = std::chrono::steady_clock::now();
  auto r = fx::scan({d / "in"});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST_MESSAGE("scan: " << secs << " s");
  std::string bomb = d / "in/bomb.zip", flat = d / "in/flat.tar.zst";
  BOOST_TEST(fx::has_error(r, bomb + "!/layer.zip!/zeros.bin", "compression ratio above 1000:1 (zip bomb?)"),
             fx::errors_text(r));
  BOOST_TEST(fx::has_error(r, bomb + "!/zeros.bin.zst", "compression ratio above 1000:1 (zip bomb?)"),
             fx::errors_text(r));
  BOOST_TEST(fx::has_error(r, flat + "!/spaces.txt", "compression ratio above 1000:1 (zip bomb?)"),
             fx::errors_text(r));
  BOOST_TEST(fx::count_path(r, bomb + "!/a_leak.csv") > 0u);
  BOOST_TEST(fx::count_path(r, bomb + "!/z_leak.txt") > 0u);
  BOOST_TEST(fx::count_path(r, flat + "!/a_leak.txt") > 0u);
  BOOST_TEST(fx::count_path(r, d / "in/sibling.txt") > 0u);
  BOOST_TEST(secs < 20.0);
  // End to end: findings win over the incomplete read (exit 1).
  auto b = fx::run_bin("scan --format json " + d / "in");
  BOOST_TEST(b.code == 1);
  BOOST_TEST(b.out.find("compression ratio above 1000:1 (zip bomb?)") != std::string::npos);
  BOOST_TEST(b.out.find("\"path\": \"" + d / "in/sibling.txt") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(expanded_size_limit) {
  fx::TempDir d;
  std::string big;
  while (big.size() < (3u << 20)) big += app_log();
  BOOST_REQUIRE(fx::write_archive(d / "in/logs.tar.gz", "ustar", "gzip",
                                  {file("a.log", big), file("b.log", big), file("c.log", big)}));
  fx::write_file(d / "in/sibling.txt", memo());
  auto r = fx::scan({d / "in"}, [](RunOptions& o) { o.max_expanded_bytes = 5u << 20; });
  std::string p = d / "in/logs.tar.gz";
  BOOST_TEST(fx::has_error(r, p + "!/b.log", "expanded size limit (--max-expanded-bytes) reached"),
             fx::errors_text(r));
  BOOST_TEST(r.errors.size() == 1u, fx::errors_text(r));
  BOOST_TEST(fx::count_path(r, p + "!/a.log") > 0u);
  BOOST_TEST(fx::count_path(r, p + "!/c.log") == 0u);
  BOOST_TEST(fx::count_path(r, d / "in/sibling.txt") > 0u);
}

BOOST_AUTO_TEST_CASE(entry_count_limit) {
  fx::TempDir d;
  std::vector<fx::Member> ms;
  for (int i = 0; i < 6; ++i) ms.push_back(file("m" + std::to_string(i) + ".txt", memo()));
  BOOST_REQUIRE(fx::write_archive(d / "many.zip", "zip", "", ms));
  auto r = fx::scan({d / "many.zip"}, [](RunOptions& o) { o.max_archive_entries = 3; });
  BOOST_TEST(fx::has_error(r, d / "many.zip", "too many archive entries"), fx::errors_text(r));
  BOOST_TEST(r.files == 3u);
}

BOOST_AUTO_TEST_CASE(zip_slip_names_are_reported_verbatim) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_archive(d / "in/slip.zip", "zip", "",
                                  {file("../../etc/passwd", memo()), file("/abs/path.txt", memo())}));
  auto r = fx::scan({d / "in/slip.zip"});
  BOOST_TEST(fx::count_path(r, d / "in/slip.zip!/../../etc/passwd") > 0u);
  BOOST_TEST(fx::count_path(r, d / "in/slip.zip!//abs/path.txt") > 0u);
  BOOST_TEST(!fx::fs::exists(d / "etc"));
  BOOST_TEST(!fx::fs::exists(d / "in/etc"));
}

BOOST_AUTO_TEST_CASE(directories_and_symlinks_are_not_documents) {
  fx::TempDir d;
  fx::Member dir{"dir/", {}};
  dir.type = AE_IFDIR;
  fx::Member link{"dir/link", {}};
  link.type = AE_IFLNK;
  link.link = "/etc/passwd";
  BOOST_REQUIRE(fx::write_archive(d / "a.tar", "ustar", "", {dir, link, file("dir/memo.txt", memo())}));
  auto r = fx::scan({d / "a.tar"});
  BOOST_TEST(r.errors.empty(), fx::errors_text(r));
  BOOST_TEST(r.files == 1u);
  BOOST_TEST(fx::has_skipped(r, d / "a.tar!/dir/link", "symlink"));
}

BOOST_AUTO_TEST_CASE(text_named_like_an_archive_is_text) {
  fx::TempDir d;
  fx::write_file(d / "fake.gz", memo());
  fx::write_file(d / "fake.zip", "BZh is not bzip2: " + memo());
  auto r = fx::scan({d.path});
  BOOST_TEST(r.errors.empty(), fx::errors_text(r));
  BOOST_TEST(fx::count_path(r, d / "fake.gz") > 0u);
  BOOST_TEST(fx::count_path(r, d / "fake.zip") > 0u);
}

BOOST_AUTO_TEST_CASE(corrupt_archive_is_an_error) {
  fx::TempDir d;
  fx::write_file(d / "bad.zip", std::string("PK\x03\x04", 4) + std::string(100, '\x7f'));
  fx::write_file(d / "ok.txt", memo());
  auto r = fx::scan({d.path});
  BOOST_TEST(!r.errors.empty());
  BOOST_TEST(r.errors[0].path.rfind(d / "bad.zip", 0) == 0u, fx::errors_text(r));
  BOOST_TEST(fx::count_path(r, d / "ok.txt") > 0u);
}

BOOST_AUTO_TEST_CASE(seven_zip_from_a_stream) {
  // 7z needs random access: inside another archive or on stdin it is held
  // in memory (up to a cap) and read from there.
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_archive(d / "a.7z", "7zip", "", {file("memo.txt", memo())}));
  BOOST_REQUIRE(fx::write_archive(d / "in/n.tar.gz", "ustar", "gzip", {file("x/a.7z", fx::read_file(d / "a.7z"))}));
  auto r = fx::scan({d / "in/n.tar.gz"});
  BOOST_TEST(r.errors.empty(), fx::errors_text(r));
  expect_same_as_plain(r, d / "in/n.tar.gz!/x/a.7z!/memo.txt", "memo.txt", memo());
  auto s = fx::run_bin("scan --format json - < " + d / "a.7z");
  BOOST_TEST(s.code == 1);
  BOOST_TEST(s.out.find("\"path\": \"-!/memo.txt\"") != std::string::npos, s.out);
  BOOST_TEST(s.out.find("\"errors\": []") != std::string::npos);
}
