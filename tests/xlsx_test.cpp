// XLSX: cell text (shared strings, inline strings, numbers in any notation)
// gives the same findings as the CSV it was made from, with the cell as
// field, the row as record, and the column header as evidence.
#define BOOST_TEST_MODULE xlsx
#include <boost/test/unit_test.hpp>

#include "fixtures.h"
#include "formats/xlsx.h"

using namespace privaudit;

namespace {

std::string residents() { return fx::source_file("examples/residents.csv"); }

const Finding* find(const ScanResult& r, const std::string& field) {
  for (auto& f : r.findings)
    if (f.field == field) return &f;
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(number_text) {
  BOOST_TEST(xlsx_number_text("123456789018") == "123456789018");
  BOOST_TEST(xlsx_number_text("1.23456789018E+11") == "123456789018");
  BOOST_TEST(xlsx_number_text("9.72281866208E+11") == "972281866208");
  BOOST_TEST(xlsx_number_text("1.2E+3") == "1200");
  BOOST_TEST(xlsx_number_text("123456789018.0") == "123456789018");
  BOOST_TEST(xlsx_number_text("-4.5e1") == "-45");
  BOOST_TEST(xlsx_number_text("0.5") == "0.5");
  BOOST_TEST(xlsx_number_text("1.5E-3") == "1.5E-3");
  BOOST_TEST(xlsx_number_text("0") == "0");
  BOOST_TEST(xlsx_number_text("abc") == "abc");
  BOOST_TEST(xlsx_column_name(0) == "A");
  BOOST_TEST(xlsx_column_name(25) == "Z");
  BOOST_TEST(xlsx_column_name(27) == "AB");
  BOOST_TEST(xlsx_column_name(16383) == "XFD");
}

BOOST_AUTO_TEST_CASE(same_findings_as_csv) {
  auto rows = fx::split_csv(residents());
  struct Variant {
    const char* name;
    bool sci, inline_str;
  } variants[] = {{"shared.xlsx", false, false}, {"sci.xlsx", true, false}, {"inline.xlsx", false, true}};
  fx::TempDir d;
  fx::write_file(d / "residents.csv", residents());
  auto csv = fx::scan({d / "residents.csv"});
  BOOST_REQUIRE(!csv.findings.empty());
  for (auto& v : variants) {
    BOOST_TEST_CONTEXT(v.name) {
      BOOST_REQUIRE(fx::write_xlsx(d / v.name, "名簿", rows, v.sci, v.inline_str));
      auto x = fx::scan({d / v.name});
      BOOST_TEST(x.errors.empty(), fx::errors_text(x));
      BOOST_TEST(fx::sig(csv, false) == fx::sig(x, false), boost::test_tools::per_element());
      // The first My Number: column F (個人番号), row 2.
      const Finding* f = find(x, "名簿!F2");
      BOOST_REQUIRE(f);
      BOOST_TEST(f->rule == "jp-my-number");
      BOOST_TEST(f->record == 2);
      BOOST_TEST(f->masked == "********6208");
      BOOST_TEST((f->confidence == Confidence::high));
      BOOST_TEST(f->line == 0u);  // no meaningful line in a workbook
    }
  }
}

BOOST_AUTO_TEST_CASE(header_is_evidence) {
  fx::TempDir d;
  // The same valid number under 個人番号, under 注文番号 (an order number) and
  // under no header at all.
  std::vector<std::vector<std::string>> rows{{"個人番号", "注文番号"}, {"972281866208", "972281866208"}};
  BOOST_REQUIRE(fx::write_xlsx(d / "h.xlsx", "Sheet1", rows));
  auto r = fx::scan({d / "h.xlsx"}, [](RunOptions& o) { o.settings.min_confidence = Confidence::low; });
  const Finding* a = find(r, "Sheet1!A2");
  const Finding* b = find(r, "Sheet1!B2");
  BOOST_REQUIRE(a);
  BOOST_REQUIRE(b);
  BOOST_TEST((a->confidence == Confidence::high));
  BOOST_TEST((b->confidence < Confidence::high));
  std::vector<std::vector<std::string>> bare{{"972281866208"}};
  BOOST_REQUIRE(fx::write_xlsx(d / "bare.xlsx", "Sheet1", bare));
  auto n = fx::scan({d / "bare.xlsx"});
  const Finding* c = find(n, "Sheet1!A1");
  BOOST_REQUIRE(c);
  BOOST_TEST((c->confidence == Confidence::medium));
  BOOST_TEST(c->record == 1);
}

BOOST_AUTO_TEST_CASE(workbook_inside_an_archive) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_xlsx(d / "book.xlsx", "Sheet1", fx::split_csv(residents())));
  BOOST_REQUIRE(fx::write_archive(d / "in/outer.zip", "zip", "",
                                  {fx::file("dir/book.xlsx", fx::read_file(d / "book.xlsx"))}));
  auto direct = fx::scan({d / "book.xlsx"});
  auto nested = fx::scan({d / "in/outer.zip"});
  BOOST_TEST(nested.errors.empty(), fx::errors_text(nested));
  BOOST_TEST(fx::sig(direct) == fx::sig(nested), boost::test_tools::per_element());
  BOOST_TEST(fx::count_path(nested, d / "in/outer.zip!/dir/book.xlsx") == direct.findings.size());
}

BOOST_AUTO_TEST_CASE(malformed_sheet_is_an_error) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_archive(
      d / "bad.xlsx", "zip", "",
      {fx::file("xl/worksheets/sheet1.xml",
                "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>個人番号 "
                "972281866208</t></is></c><c r=\"B1\"><v>1</v></row></sheetData>")}));
  auto r = fx::scan({d / "bad.xlsx"});
  BOOST_TEST(fx::has_error(r, d / "bad.xlsx!/xl/worksheets/sheet1.xml", "XML error"), fx::errors_text(r));
  BOOST_TEST(r.findings.size() == 1u);  // the cell before the error
}

BOOST_AUTO_TEST_CASE(end_to_end_json) {
  fx::TempDir d;
  BOOST_REQUIRE(fx::write_xlsx(d / "book.xlsx", "Sheet1", fx::split_csv(residents()), true));
  auto r = fx::run_bin("scan --format json " + d / "book.xlsx");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.find("\"field\": \"Sheet1!F2\"") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("\"record\": 2,") != std::string::npos);
  BOOST_TEST(r.out.find("972281866208") == std::string::npos);  // never the whole value
}
