// Encodings: detection on short and long inputs, and the same findings from
// Shift_JIS, EUC-JP and UTF-16 files as from their UTF-8 originals.
#define BOOST_TEST_MODULE encoding
#include <boost/test/unit_test.hpp>

#include "decode/decode.h"
#include "fixtures.h"

using namespace privaudit;

namespace privaudit {
std::ostream& operator<<(std::ostream& os, Encoding e) { return os << encoding_name(e); }
}  // namespace privaudit

namespace {

Encoding detect(const std::string& s) {
  size_t bom = 0;
  return detect_encoding(s.data(), s.size(), true, bom);
}

const std::string kShortCsv = "氏名,個人番号\n山田 太郎,972281866208\n";
const std::string kShortMemo = "マイナンバーは１１６４　１０４５　７５０２です。\n";

std::string utf16(const std::string& s, bool le, bool bom) {
  std::string body = fx::iconv_to(s, le ? "UTF-16LE" : "UTF-16BE");
  if (!bom) return body;
  return (le ? std::string("\xFF\xFE") : std::string("\xFE\xFF")) + body;
}

// Writes `data` as `name` and compares its findings with those of the UTF-8
// original written as `name` too (in another folder).
void expect_same(const std::string& utf8, const std::string& data, const std::string& name,
                 const std::function<void(RunOptions&)>& tweak = {}) {
  fx::TempDir d;
  fx::write_file(d / ("a/" + name), utf8);
  fx::write_file(d / ("b/" + name), data);
  auto a = fx::scan({d / ("a/" + name)});
  auto b = fx::scan({d / ("b/" + name)}, tweak);
  BOOST_TEST(!a.findings.empty());
  BOOST_TEST(fx::sig(a) == fx::sig(b), boost::test_tools::per_element());
  BOOST_TEST(b.errors.empty(), fx::errors_text(b));
  BOOST_TEST(b.skipped.empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(detects_short_shift_jis_csv) {
  BOOST_TEST(detect(fx::iconv_to(kShortCsv, "CP932")) == Encoding::cp932);
  BOOST_TEST(detect(fx::iconv_to("個人番号\n", "CP932")) == Encoding::cp932);
}

BOOST_AUTO_TEST_CASE(detects_short_euc_jp_memo) {
  BOOST_TEST(detect(fx::iconv_to(kShortMemo, "EUC-JP-MS")) == Encoding::eucjp);
  BOOST_TEST(detect(fx::iconv_to("個人番号\n", "EUC-JP")) == Encoding::eucjp);
  BOOST_TEST(detect(fx::iconv_to("マイナンバー\n", "EUC-JP")) == Encoding::eucjp);
}

BOOST_AUTO_TEST_CASE(detects_utf16_without_bom) {
  BOOST_TEST(detect(utf16(kShortMemo, true, false)) == Encoding::utf16le);
  BOOST_TEST(detect(utf16(kShortMemo, false, false)) == Encoding::utf16be);
  BOOST_TEST(detect(utf16(kShortCsv, true, false)) == Encoding::utf16le);
  BOOST_TEST(detect(utf16("12345\n", false, false)) == Encoding::utf16be);
}

BOOST_AUTO_TEST_CASE(detects_long_files_and_latin1) {
  std::string memo = fx::source_file("examples/memo.txt");
  BOOST_TEST(detect(memo) == Encoding::utf8);
  BOOST_TEST(detect(fx::iconv_to(memo, "CP932")) == Encoding::cp932);
  BOOST_TEST(detect(fx::iconv_to(memo, "EUC-JP-MS")) == Encoding::eucjp);
  BOOST_TEST(detect("caf\xe9 cr\xe8me br\xfbl\xe9\x65, na\xefve\n") == Encoding::latin1);
}

BOOST_AUTO_TEST_CASE(detection_tolerates_a_cut_character) {
  std::string s = fx::iconv_to(kShortMemo, "CP932");
  size_t bom = 0;
  s.pop_back();                       // '\n'
  s.pop_back();                       // half of '。'
  BOOST_TEST(detect_encoding(s.data(), s.size(), false, bom) == Encoding::cp932);
}

BOOST_AUTO_TEST_CASE(shift_jis_csv_gives_utf8_findings) {
  std::string csv = fx::source_file("examples/residents.csv");
  expect_same(csv, fx::iconv_to(csv, "CP932"), "residents.csv");
}

BOOST_AUTO_TEST_CASE(short_shift_jis_csv_gives_utf8_findings) {
  expect_same(kShortCsv, fx::iconv_to(kShortCsv, "CP932"), "short.csv");
}

BOOST_AUTO_TEST_CASE(euc_jp_text_gives_utf8_findings) {
  std::string memo = fx::source_file("examples/memo.txt");
  expect_same(memo, fx::iconv_to(memo, "EUC-JP-MS"), "memo.txt");
  expect_same(kShortMemo, fx::iconv_to(kShortMemo, "EUC-JP-MS"), "short.txt");
}

BOOST_AUTO_TEST_CASE(utf16_with_and_without_bom_gives_utf8_findings) {
  std::string memo = fx::source_file("examples/memo.txt");
  std::string csv = fx::source_file("examples/residents.csv");
  for (bool le : {true, false})
    for (bool bom : {true, false}) {
      BOOST_TEST_CONTEXT("le=" << le << " bom=" << bom) {
        expect_same(memo, utf16(memo, le, bom), "memo.txt");
        expect_same(csv, utf16(csv, le, bom), "residents.csv");
        expect_same(kShortMemo, utf16(kShortMemo, le, bom), "short.txt");
      }
    }
}

BOOST_AUTO_TEST_CASE(forced_encoding_is_used) {
  std::string memo = fx::source_file("examples/memo.txt");
  expect_same(memo, fx::iconv_to(memo, "CP932"), "memo.txt", [](RunOptions& o) {
    o.settings.force_encoding = true;
    o.settings.encoding = Encoding::cp932;
  });
}

BOOST_AUTO_TEST_CASE(full_width_hyphen_in_both_legacy_encodings) {
  // CP932 0x817C decodes to U+FF0D; EUC-JP may give U+2212: both separate.
  const std::string text = "個人番号：９７２２－８１８６－６２０８\n";
  expect_same(text, fx::iconv_to(text, "CP932"), "h.txt");
  expect_same(text, fx::iconv_to(text, "EUC-JP-MS"), "h.txt");
  std::string minus = "個人番号：９７２２−８１８６−６２０８\n";  // U+2212
  fx::TempDir d;
  fx::write_file(d / "m.txt", fx::iconv_to(minus, "EUC-JP"));
  auto r = fx::scan({d / "m.txt"});
  BOOST_TEST(r.findings.size() == 1u);
  BOOST_TEST(r.findings[0].masked == "********6208");
}

BOOST_AUTO_TEST_CASE(undecodable_bytes_are_replaced_and_counted) {
  fx::TempDir d;
  // A few bad bytes in a UTF-8 file: replaced, the rest still scanned.
  fx::write_file(d / "some.txt", "bad \xff\xfe here\nマイナンバー 972281866208\n");
  auto r = fx::scan({d / "some.txt"});
  BOOST_TEST(r.findings.size() == 1u);
  BOOST_TEST(r.errors.empty(), fx::errors_text(r));
  // A file that is mostly not text in the forced encoding is listed.
  std::string junk;
  for (int i = 0; i < 4000; ++i) junk.push_back(static_cast<char>(0x80 + (i * 37) % 0x7f));
  fx::write_file(d / "junk.txt", junk);
  auto j = fx::scan({d / "junk.txt"}, [](RunOptions& o) {
    o.settings.force_encoding = true;
    o.settings.encoding = Encoding::utf8;
  });
  BOOST_TEST(fx::has_error(j, d / "junk.txt", "mostly undecodable"), fx::errors_text(j));
  std::string junk2;
  for (int i = 0; i < 2000; ++i) junk2 += "\xff\xa1";  // never EUC-JP
  fx::write_file(d / "junk.txt", junk2);
  auto k = fx::scan({d / "junk.txt"}, [](RunOptions& o) {
    o.settings.force_encoding = true;
    o.settings.encoding = Encoding::eucjp;
  });
  BOOST_TEST(fx::has_error(k, d / "junk.txt", "mostly undecodable"), fx::errors_text(k));
}
