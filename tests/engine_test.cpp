// The engine and the searcher: every written form SPEC lists, the boundary
// rules, streaming across reads, locations, fields and confidence.
#define BOOST_TEST_MODULE engine
#include <boost/test/unit_test.hpp>

#include "test_util.h"

using namespace privaudit;
using testutil::count_rule;
using testutil::scan_text;

namespace {
const char* kMN = "123456789018";  // valid My Number

size_t my_numbers(const std::string& text) { return count_rule(scan_text(text), "jp-my-number"); }
}  // namespace

BOOST_AUTO_TEST_CASE(ascii_and_fullwidth_forms) {
  BOOST_TEST(my_numbers("id 123456789018 end") == 1u);
  BOOST_TEST(my_numbers("id １２３４５６７８９０１８ end") == 1u);
  BOOST_TEST(my_numbers("id １２３4567８９０１８ end") == 1u);  // mixed widths
  BOOST_TEST(my_numbers("１２３４５６７８９０１８") == 1u);     // whole document
}

BOOST_AUTO_TEST_CASE(every_separator_in_4_4_4) {
  const char* seps[] = {" ", "\u3000", "-", "\uFF0D", "\u2212", "\u2010", "\u2011",
                        "\u2012", "\u2013", "\u2014", "\u30FC"};
  for (const char* s : seps) {
    std::string v = std::string("1234") + s + "5678" + s + "9018";
    BOOST_TEST(my_numbers("番号 " + v + " です") == 1u, "separator " << s);
    std::string fw = std::string("１２３４") + s + "５６７８" + s + "９０１８";
    BOOST_TEST(my_numbers("番号 " + fw + " です") == 1u, "full-width with separator " << s);
  }
}

BOOST_AUTO_TEST_CASE(decoys_are_not_findings) {
  BOOST_TEST(my_numbers("123456789012") == 0u);          // wrong check digit
  BOOST_TEST(my_numbers("12345678901812") == 0u);        // glued digits
  BOOST_TEST(my_numbers("9123456789018") == 0u);
  BOOST_TEST(my_numbers("A123456789018X") == 0u);        // glued letters
  BOOST_TEST(my_numbers("A123456789018") == 0u);
  BOOST_TEST(my_numbers("123456789018X") == 0u);
  BOOST_TEST(my_numbers("12345678901") == 0u);           // 11 digits
  BOOST_TEST(my_numbers("1234-5678 9018") == 0u);        // inconsistent separators
  BOOST_TEST(my_numbers("1234--5678--9018") == 0u);      // two separators
  BOOST_TEST(my_numbers("123-4567-89018") == 0u);        // not the 4-4-4 grouping
  BOOST_TEST(my_numbers("1234-5678-9018-7") == 0u);      // part of a longer hyphenated run
  BOOST_TEST(my_numbers("3.123456789018") == 0u);        // fraction of a number
  BOOST_TEST(my_numbers("１２３４５６７８９０１８９") == 0u);  // 13 full-width digits
}

BOOST_AUTO_TEST_CASE(boundaries_that_are_not_glue) {
  BOOST_TEST(my_numbers("番号123456789018です") == 1u);  // Japanese neighbours
  BOOST_TEST(my_numbers("(123456789018)") == 1u);
  BOOST_TEST(my_numbers("\"note\":\"x\\n123456789018\"") == 1u);  // JSON escape before
  BOOST_TEST(my_numbers("id_123456789018") == 1u);       // underscore is no letter
  BOOST_TEST(my_numbers("123456789018 210987654324") >= 1u);
}

BOOST_AUTO_TEST_CASE(hyphen_joined_whole_values) {
  BOOST_TEST(my_numbers("範囲 123456789018-621498320257") == 2u);
  BOOST_TEST(my_numbers("1234-5678-9018-1234") == 0u);  // no run is a whole value
}

BOOST_AUTO_TEST_CASE(space_separated_values_side_by_side) {
  // Two valid My Numbers separated by a space are two values.
  auto r = scan_text("マイナンバー 123456789018 621498320257\n");
  BOOST_TEST(count_rule(r, "jp-my-number") == 2u);
}

BOOST_AUTO_TEST_CASE(location_and_masking) {
  std::string text = "一行目\nマイナンバー：1234-5678-9018 です\n";
  auto r = scan_text(text);
  BOOST_REQUIRE_EQUAL(count_rule(r, "jp-my-number"), 1u);
  const Finding& f = r.findings[0];
  BOOST_TEST(f.line == 2u);
  BOOST_TEST(f.column == 8u);  // code points: マイナンバー：= 7, value at 8
  BOOST_TEST(f.offset == text.find("1234"));
  BOOST_TEST(f.masked == "********9018");
  BOOST_TEST(f.fingerprint.size() == 16u);
  BOOST_TEST(f.confidence == Confidence::high);
  BOOST_TEST(f.severity == Severity::critical);
  // Same value in another form: same fingerprint (normalised value).
  auto r2 = scan_text("マイナンバー １２３４５６７８９０１８");
  BOOST_REQUIRE_EQUAL(r2.findings.size(), 1u);
  BOOST_TEST(r2.findings[0].fingerprint == f.fingerprint);
}

BOOST_AUTO_TEST_CASE(value_split_across_reads_at_every_offset) {
  // A long line without newlines forces cuts inside the line; the value must
  // be found once, at the right place, whatever the read sizes and cuts.
  for (size_t pad = 4000; pad < 4400; ++pad) {
    std::string text(pad, 'x');
    for (size_t i = 0; i < pad; i += 3) text[i] = ' ';
    text += " 個人番号 １２３４－５６７８－９０１８ ";
    text += std::string(5000, 'y');
    ScanSettings s;
    s.chunk_size = 4096;
    for (size_t step : {size_t{0}, size_t{13}}) {
      auto r = scan_text(text, "long.txt", s, step);
      BOOST_REQUIRE_MESSAGE(count_rule(r, "jp-my-number") == 1u, "pad " << pad << " step " << step);
      BOOST_TEST(r.findings[0].offset == pad + 14);
      BOOST_TEST(r.findings[0].line == 1u);
      BOOST_TEST(r.findings[0].column == pad + 7);
    }
  }
}

BOOST_AUTO_TEST_CASE(many_lines_across_chunks_keep_line_numbers) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "filler line " + std::to_string(i) + " abc\n";
  text += "マイナンバー 123456789018\n";
  ScanSettings s;
  s.chunk_size = 4096;
  auto r = scan_text(text, "t.log", s, 11);
  BOOST_REQUIRE_EQUAL(count_rule(r, "jp-my-number"), 1u);
  BOOST_TEST(r.findings[0].line == 3001u);
  BOOST_TEST(r.findings[0].column == 8u);
}

BOOST_AUTO_TEST_CASE(csv_fields_and_records) {
  std::string csv = "氏名,個人番号,備考\n山田,123456789018,x\n\"佐藤, 花子\",\"6214 9832 0257\",\"a\nb\"\n";
  auto r = scan_text(csv, "people.csv");
  BOOST_REQUIRE_EQUAL(count_rule(r, "jp-my-number"), 2u);
  BOOST_TEST(r.findings[0].field == "個人番号");
  BOOST_TEST(r.findings[0].record == 1);
  BOOST_TEST(r.findings[0].line == 2u);
  BOOST_TEST(r.findings[1].field == "個人番号");
  BOOST_TEST(r.findings[1].record == 2);
  BOOST_TEST(r.findings[1].confidence == Confidence::high);
}

BOOST_AUTO_TEST_CASE(headerless_csv_never_leaks_values_as_names) {
  auto r = scan_text("123456789018,x\n621498320257,y\n", "nohdr.csv");
  BOOST_REQUIRE_EQUAL(count_rule(r, "jp-my-number"), 2u);
  BOOST_TEST(r.findings[0].field == "column 1");
  BOOST_TEST(r.findings[0].record == 1);
  BOOST_TEST(r.findings[1].record == 2);
}

BOOST_AUTO_TEST_CASE(json_pointer_and_jsonl_records) {
  std::string jsonl =
      "{\"person\":{\"ids\":{\"mynumber\":\"1234-5678-9018\"}}}\n"
      "{\"list\":[\"x\",{\"個人番号\":621498320257}]}\n";
  auto r = scan_text(jsonl, "e.jsonl");
  BOOST_REQUIRE_EQUAL(count_rule(r, "jp-my-number"), 2u);
  BOOST_TEST(r.findings[0].field == "/person/ids/mynumber");
  BOOST_TEST(r.findings[0].record == 1);
  BOOST_TEST(r.findings[1].field == "/list/1/個人番号");
  BOOST_TEST(r.findings[1].record == 2);
  auto doc = scan_text("[{\"a\":\"x\"},{\"a~b/c\":\"123456789018\"}]", "d.json");
  BOOST_REQUIRE_EQUAL(doc.findings.size(), 1u);
  BOOST_TEST(doc.findings[0].field == "/1/a~0b~1c");
  BOOST_TEST(doc.findings[0].record == 2);
}

BOOST_AUTO_TEST_CASE(malformed_jsonl_line_is_an_error_for_that_line_only) {
  auto r = scan_text("{\"a\": \"123456789018\"\n{\"b\":\"621498320257\"}\n", "bad.jsonl");
  BOOST_TEST(r.errors.size() == 1u);
  BOOST_TEST(r.errors[0].error.find("line 1") != std::string::npos);
  BOOST_TEST(count_rule(r, "jp-my-number") == 2u);
}

BOOST_AUTO_TEST_CASE(confidence_from_keywords_and_fields) {
  auto kw = scan_text("マイナンバー 123456789018");
  BOOST_REQUIRE_EQUAL(kw.findings.size(), 1u);
  BOOST_TEST(kw.findings[0].confidence == Confidence::high);
  auto none = scan_text("value 123456789018");
  BOOST_REQUIRE_EQUAL(none.findings.size(), 1u);
  BOOST_TEST(none.findings[0].confidence == Confidence::medium);
  // Named as something else: low, dropped at the default minimum.
  BOOST_TEST(my_numbers("order_id=123456789018") == 0u);
  ScanSettings low;
  low.min_confidence = Confidence::low;
  auto l = scan_text("order_id=123456789018", "t.log", low);
  BOOST_REQUIRE_EQUAL(l.findings.size(), 1u);
  BOOST_TEST(l.findings[0].confidence == Confidence::low);
}

BOOST_AUTO_TEST_CASE(column_statistics_decide_confidence) {
  // A column of random 12-digit numbers: about 1 in 11 validate by chance.
  std::string chance = "ref\n", all = "ref\n";
  int valid_by_chance = 0;
  for (int i = 0; i < 200; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%012lld", 100000000000LL + i * 7919LL * 1000003LL % 899999999999LL);
    chance += std::string(buf) + "\n";
    valid_by_chance += validate::my_number(buf);
    std::string base(buf, 11);
    all += base + std::to_string(validate::my_number_check_digit(base)) + "\n";
  }
  BOOST_REQUIRE(valid_by_chance > 0);
  BOOST_TEST(count_rule(scan_text(chance, "orders.csv"), "jp-my-number") == 0u);
  auto r = scan_text(all, "ids.csv");
  BOOST_TEST(count_rule(r, "jp-my-number") == 200u);
  BOOST_TEST(r.findings[0].confidence == Confidence::high);
}

BOOST_AUTO_TEST_CASE(evidence_required_rules) {
  BOOST_TEST(count_rule(scan_text("code 12345678901"), "jp-resident-code") == 0u);
  auto r = scan_text("住民票コード 12345678901");
  BOOST_TEST(count_rule(r, "jp-resident-code") == 1u);
  BOOST_TEST(r.findings[0].confidence == Confidence::high);
  auto c = scan_text("r,住民票コード\n1,12345678901\n", "r.csv");
  BOOST_TEST(count_rule(c, "jp-resident-code") == 1u);
}

BOOST_AUTO_TEST_CASE(other_identifiers) {
  auto r = scan_text(
      "法人番号 7000012050002\ncard 4111 1111 1111 1111\nmail taro@example.co.jp\n"
      "tel 090-1234-5678\nssn 536-90-4399\niban GB82WEST12345698765432\n");
  BOOST_TEST(count_rule(r, "jp-corporate-number") == 1u);
  BOOST_TEST(count_rule(r, "credit-card") == 1u);
  BOOST_TEST(count_rule(r, "email") == 1u);
  BOOST_TEST(count_rule(r, "jp-phone") == 1u);
  BOOST_TEST(count_rule(r, "us-ssn") == 1u);
  BOOST_TEST(count_rule(r, "iban") == 1u);
  for (auto& f : r.findings)
    if (f.rule == "jp-corporate-number") BOOST_TEST(f.severity == Severity::info);
}

BOOST_AUTO_TEST_CASE(allow_comment_suppresses_the_line) {
  auto r = scan_text("マイナンバー 123456789018 # privaudit:allow\nマイナンバー 621498320257\n");
  BOOST_TEST(count_rule(r, "jp-my-number") == 1u);
  BOOST_TEST(r.suppressed == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_nul_bytes) {
  std::string bad = "\xff\xfe\xfa マイナンバー 123456789018 \xc3\x28\n";
  bad[0] = '\xc0';  // no BOM: invalid UTF-8 lead byte
  auto r = scan_text(bad);
  BOOST_TEST(count_rule(r, "jp-my-number") == 1u);
  std::string nul = std::string("abc\0def 123456789018", 20);
  auto b = scan_text(nul, "x.bin");
  BOOST_TEST(b.skipped.size() == 1u);
  BOOST_TEST(b.skipped[0].reason == "binary");
  ScanSettings s;
  s.binary = true;
  BOOST_TEST(count_rule(scan_text(nul, "x.bin", s), "jp-my-number") == 1u);
}

BOOST_AUTO_TEST_CASE(utf16_with_bom) {
  std::string u8 = "マイナンバー 1234-5678-9018\n";
  std::string le = "\xff\xfe";
  // ASCII-only content widened is enough to check decoding; add the keyword in UTF-16 too.
  std::u16string u16 = u"マイナンバー 1234-5678-9018\n";
  for (char16_t c : u16) {
    le.push_back(static_cast<char>(c & 0xff));
    le.push_back(static_cast<char>(c >> 8));
  }
  auto r = scan_text(le);
  BOOST_REQUIRE_EQUAL(count_rule(r, "jp-my-number"), 1u);
  BOOST_TEST(r.findings[0].offset == u8.find("1234"));  // offsets are in the decoded text
  BOOST_TEST(r.findings[0].column == 8u);
}

BOOST_AUTO_TEST_CASE(no_whole_value_in_findings) {
  auto r = scan_text(std::string("マイナンバー ") + kMN + " card 4111111111111111 mail taro@example.co.jp\n");
  for (auto& f : r.findings) {
    BOOST_TEST(f.masked.find(kMN) == std::string::npos);
    BOOST_TEST(f.masked.find("4111111111111111") == std::string::npos);
    BOOST_TEST(f.masked.find("taro@example") == std::string::npos);
    BOOST_TEST(f.message.find(kMN) == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(mask_keeps_at_most_four) {
  BOOST_TEST(mask_value("123456789018") == "********9018");
  BOOST_TEST(mask_value("abc") == "**c");
  BOOST_TEST(mask_value("") == "");
}

BOOST_AUTO_TEST_CASE(values_at_the_very_end_of_a_document) {
  // vectorscan 5.4.9 misses matches in a block's last bytes on AVX-512: the
  // engine must not depend on it for the built-in rules.
  std::string csv =
      "名前,メール\n"
      "吉田 拓海,takumi.y@example.com\n"
      "山口 陽子,yoko.yamaguchi@example.jp\n"
      "田中 健,ken@example.org";
  BOOST_TEST(count_rule(scan_text(csv, "m.csv"), "email") == 3u);
  BOOST_TEST(count_rule(scan_text("mail a@example.jp b@example.jp c@example.jp"), "email") == 3u);
  BOOST_TEST(count_rule(scan_text("マイナンバー 123456789018"), "jp-my-number") == 1u);
}

BOOST_AUTO_TEST_CASE(builtin_matchers_boundaries) {
  auto n = [](const std::string& text, const char* rule) { return count_rule(scan_text(text), rule); };
  BOOST_TEST(n("ip=10.0.0.1, next", "ipv4") == 1u);
  BOOST_TEST(n("from 192.168.1.20", "ipv4") == 1u);
  BOOST_TEST(n("version 1.2.3.4.5", "ipv4") == 0u);
  BOOST_TEST(n("v1.2.3.4", "ipv4") == 0u);
  BOOST_TEST(n("192.168.001.1", "ipv4") == 0u);
  BOOST_TEST(n("300.1.1.1", "ipv4") == 0u);
  BOOST_TEST(n("addr fe80::1ff:fe23:4567:890a.", "ipv6") == 1u);
  BOOST_TEST(n("addr 2001:db8::1 ok", "ipv6") == 1u);
  BOOST_TEST(n("std::map<int> x", "ipv6") == 0u);
  BOOST_TEST(n("at 12:30:45 today", "ipv6") == 0u);
  BOOST_TEST(n("IBAN GB82 WEST 1234 5698 7654 32", "iban") == 1u);
  BOOST_TEST(n("iban: GB82WEST12345698765432", "iban") == 1u);
  BOOST_TEST(n("XGB82WEST12345698765432", "iban") == 0u);
  BOOST_TEST(n("GB82WEST12345698765433", "iban") == 0u);   // mod 97 fails
  BOOST_TEST(n("旅券番号 TK1234567", "jp-passport") == 1u);
  BOOST_TEST(n("ATK1234567", "jp-passport") == 0u);
  BOOST_TEST(n("TK12345678", "jp-passport") == 0u);
  BOOST_TEST(n("mailto:taro.yamada@example.co.jp.", "email") == 1u);
  BOOST_TEST(n("メールはtaro@example.jpです", "email") == 1u);
  BOOST_TEST(n("user@localhost", "email") == 0u);
  BOOST_TEST(n("a@b.c1", "email") == 0u);
  // The IBAN's digits are not read again as other identifiers.
  BOOST_TEST(n("IBAN DE89 3704 0044 0532 0130 00", "jp-my-number") == 0u);
}
