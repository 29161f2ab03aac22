// The report writers and readers: JSON round trip, JSONL, SARIF structure,
// HTML and Markdown escaping, baselines and the configuration file.
#define BOOST_TEST_MODULE report_formats
#include <boost/test/unit_test.hpp>
#include <simdjson.h>

#include <string>

#include "report/baseline.h"
#include "report/escape.h"
#include "report/html.h"
#include "report/markdown.h"
#include "report/render.h"
#include "report/report_reader.h"
#include "report/sarif.h"
#include "scan/config.h"

using namespace privaudit;

namespace {

Finding make_finding(std::string rule, Severity sev, std::string path, uint64_t line, std::string masked,
                     std::string fp) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = sev;
  f.confidence = Confidence::high;
  f.path = std::move(path);
  f.line = line;
  f.column = 5;
  f.offset = line * 100;
  f.has_offset = true;
  f.masked = std::move(masked);
  f.fingerprint = std::move(fp);
  f.message = "Individual Number (My Number) with a valid check digit";
  return f;
}

Report sample_report() {
  Report r;
  r.started_at = "2026-11-23T08:00:00Z";
  r.duration_ms = 12;
  r.fingerprint_key = "user-supplied";
  r.files = 3;
  r.bytes = 4567;
  r.skipped.push_back({"bin/<b>x</b>.bin", "binary"});
  r.errors.push_back({"bad.zip!/a\"b'.csv", "truncated <archive> & member"});
  r.rules.push_back({"jp-my-number", "Japanese Individual Number (My Number, 個人番号)", "12 digits & a check digit.",
                     Severity::critical, {"jp", "pii"}, {"https://example.org/law"}});
  r.rules.push_back({"email", "E-mail address", "An e-mail address.", Severity::medium, {"pii"}, {}});
  auto f = make_finding("jp-my-number", Severity::critical, "dir/a b#%.csv", 2, "********9018", "00112233aabbccdd");
  f.field = "個人番号 <script>alert(1)</script>";
  f.record = 1;
  r.findings.push_back(f);
  r.findings.push_back(make_finding("jp-my-number", Severity::critical, "leak.zip!/<script>alert(1)</script>.csv", 3,
                                    "********0257", "0123456789abcdef"));
  auto e = make_finding("email", Severity::medium, "<img src=x onerror=alert(1)>.txt", 7, "*****e.jp", "fedcba9876543210");
  e.message = "E-mail address \"quoted\" | piped";
  r.findings.push_back(e);
  r.suppressed = 2;
  r.sections.emplace_back("risk", "{\"k\": 3, \"nested\": [1, 2, {\"a\": \"b\"}]}");
  return r;
}

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element e;
  auto err = p.parse(json).get(e);
  BOOST_REQUIRE_MESSAGE(!err, "invalid JSON: " << simdjson::error_message(err));
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json)

BOOST_AUTO_TEST_CASE(round_trip_is_byte_identical) {
  Report r = sample_report();
  std::string a = render_json(r);
  Report back;
  std::string err;
  BOOST_REQUIRE_MESSAGE(parse_report_json(a, back, err), err);
  BOOST_TEST(render_json(back) == a);
  for (const char* fmt : {"text", "jsonl", "sarif", "html", "markdown"})
    BOOST_TEST(render(back, fmt, false) == render(r, fmt, false), fmt);
}

BOOST_AUTO_TEST_CASE(rules_are_serialised) {
  simdjson::dom::parser p;
  auto doc = parse(p, render_json(sample_report()));
  BOOST_TEST(doc["rules"].get_array().size() == 2u);
  BOOST_TEST(std::string(doc["rules"].at(0)["id"].get_string().value()) == "jp-my-number");
  BOOST_TEST(std::string(doc["rules"].at(0)["severity"].get_string().value()) == "critical");
  BOOST_TEST(doc["rules"].at(0)["tags"].get_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_replacement_character) {
  Report r;
  r.skipped.push_back({std::string("bad\xff\xfe.txt"), "binary"});
  std::string j = render_json(r);
  simdjson::dom::parser p;
  parse(p, j);
  BOOST_TEST(j.find("bad\xEF\xBF\xBD\xEF\xBF\xBD.txt") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_what_is_not_a_report) {
  Report r;
  std::string err;
  BOOST_TEST(!parse_report_json("{\"schema\": \"other/1\"}", r, err));
  BOOST_TEST(err.find("schema") != std::string::npos);
  BOOST_TEST(!parse_report_json("{\"findings\": []}", r, err));
  BOOST_TEST(!parse_report_json("{\"schema\": \"privaudit.report/1\"} trailing", r, err));
  BOOST_TEST(!parse_report_json("[1, 2]", r, err));
  BOOST_TEST(!parse_report_json(
      "{\"schema\": \"privaudit.report/1\", \"findings\": [{\"rule\": \"x\", \"severity\": \"huge\"}]}", r, err));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(jsonl_one_finding_a_line_then_summary) {
  Report r = sample_report();
  std::string out = render_jsonl(r);
  simdjson::dom::parser p;
  size_t lines = 0, start = 0;
  std::string last;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
    last = out.substr(start, nl - start);
    parse(p, last);
    ++lines;
  }
  BOOST_TEST(start == out.size());
  BOOST_TEST(lines == r.findings.size() + 1);
  auto doc = parse(p, last);
  BOOST_TEST(doc["summary"]["findings"].get_uint64().value() == 3u);
  BOOST_TEST(doc["summary"]["suppressed"].get_uint64().value() == 2u);
}

BOOST_AUTO_TEST_SUITE(sarif)

BOOST_AUTO_TEST_CASE(structure) {
  Report r = sample_report();
  simdjson::dom::parser p;
  auto doc = parse(p, render_sarif(r));
  BOOST_TEST(std::string(doc["version"].get_string().value()) == "2.1.0");
  auto run = doc["runs"].at(0);
  BOOST_TEST(std::string(run["columnKind"].get_string().value()) == "unicodeCodePoints");
  auto driver = run["tool"]["driver"];
  BOOST_TEST(std::string(driver["name"].get_string().value()) == "privaudit");
  BOOST_TEST(!driver["informationUri"].error());
  auto rule0 = driver["rules"].at(0);
  BOOST_TEST(std::string(rule0["id"].get_string().value()) == "jp-my-number");
  BOOST_TEST(std::string(rule0["name"].get_string().value()) == "JapaneseIndividualNumberMyNumber");
  BOOST_TEST(std::string(rule0["properties"]["security-severity"].get_string().value()) == "9.5");
  BOOST_TEST(std::string(rule0["defaultConfiguration"]["level"].get_string().value()) == "error");
  BOOST_TEST(!rule0["help"]["markdown"].error());
  BOOST_TEST(!rule0["fullDescription"]["text"].error());
  auto rule1 = driver["rules"].at(1);
  BOOST_TEST(std::string(rule1["properties"]["security-severity"].get_string().value()) == "5.5");
  BOOST_TEST(std::string(rule1["defaultConfiguration"]["level"].get_string().value()) == "warning");

  auto results = run["results"].get_array();
  BOOST_TEST(results.size() == 3u);
  auto res0 = results.at(0);
  BOOST_TEST(res0["ruleIndex"].get_uint64().value() == 0u);
  BOOST_TEST(std::string(res0["level"].get_string().value()) == "error");
  std::string text(res0["message"]["text"].get_string().value());
  BOOST_TEST(text.find("********9018") != std::string::npos);
  auto loc = res0["locations"].at(0)["physicalLocation"];
  BOOST_TEST(std::string(loc["artifactLocation"]["uri"].get_string().value()) == "dir/a%20b%23%25.csv");
  BOOST_TEST(loc["region"]["startLine"].get_uint64().value() == 2u);
  BOOST_TEST(loc["region"]["startColumn"].get_uint64().value() == 5u);
  BOOST_TEST(loc["region"]["endColumn"].get_uint64().value() == 5u + 12u);
  BOOST_TEST(std::string(res0["partialFingerprints"]["privaudit/v1"].get_string().value()) == "00112233aabbccdd");
  auto res1 = results.at(1);
  BOOST_TEST(std::string(res1["locations"].at(0)["physicalLocation"]["artifactLocation"]["uri"].get_string().value()) ==
             "leak.zip!/%3Cscript%3Ealert%281%29%3C/script%3E.csv");
  BOOST_TEST(std::string(results.at(2)["level"].get_string().value()) == "warning");
  BOOST_TEST(results.at(2)["ruleIndex"].get_uint64().value() == 1u);

  auto inv = run["invocations"].at(0);
  BOOST_TEST(inv["executionSuccessful"].get_bool().value() == false);
  auto note = inv["toolExecutionNotifications"].at(0);
  BOOST_TEST(std::string(note["level"].get_string().value()) == "error");
}

BOOST_AUTO_TEST_CASE(levels_and_unknown_rules) {
  Report r;
  r.findings.push_back(make_finding("risk-k-anonymity", Severity::high, "t.csv", 1, "", ""));
  r.findings.push_back(make_finding("ipv4", Severity::low, "./t.csv", 2, "*****2.10", "ab"));
  r.findings.push_back(make_finding("jp-corporate-number", Severity::info, "/abs/t.csv", 3, "*********2782", "cd"));
  simdjson::dom::parser p;
  auto run = parse(p, render_sarif(r))["runs"].at(0);
  BOOST_TEST(run["tool"]["driver"]["rules"].get_array().size() == 3u);  // stubs for unlisted rules
  auto results = run["results"];
  BOOST_TEST(std::string(results.at(0)["level"].get_string().value()) == "error");
  BOOST_TEST(std::string(results.at(1)["level"].get_string().value()) == "note");
  BOOST_TEST(std::string(results.at(2)["level"].get_string().value()) == "note");
  BOOST_TEST(std::string(results.at(1)["locations"].at(0)["physicalLocation"]["artifactLocation"]["uri"].get_string().value()) ==
             "t.csv");
  BOOST_TEST(std::string(results.at(2)["locations"].at(0)["physicalLocation"]["artifactLocation"]["uri"].get_string().value()) ==
             "file:///abs/t.csv");
  BOOST_TEST(run["invocations"].at(0)["executionSuccessful"].get_bool().value() == true);
}

BOOST_AUTO_TEST_CASE(aggregates_past_the_limit) {
  Report r;
  for (size_t i = 0; i < kSarifMaxResults + 1000; ++i) {
    std::string path = i % 2 ? "b.csv" : "a.csv";
    std::string rule = i % 3 ? "jp-my-number" : "email";
    r.findings.push_back(make_finding(rule, Severity::critical, path, i + 1, "********0001", "fp" + std::to_string(i % 7)));
  }
  std::sort(r.findings.begin(), r.findings.end(), finding_less);
  simdjson::dom::parser p;
  auto results = parse(p, render_sarif(r))["runs"].at(0)["results"].get_array();
  BOOST_TEST(results.size() == 4u);
  uint64_t total = 0;
  for (auto res : results) {
    total += res["properties"]["count"].get_uint64().value();
    BOOST_TEST(res["properties"]["aggregated"].get_bool().value());
    std::string text(res["message"]["text"].get_string().value());
    BOOST_TEST(text.find(std::to_string(res["properties"]["count"].get_uint64().value()) + " findings") == 0u);
  }
  BOOST_TEST(total == kSarifMaxResults + 1000);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(html)

BOOST_AUTO_TEST_CASE(escapes_every_string_and_loads_nothing) {
  std::string h = render_html(sample_report());
  BOOST_TEST(h.find("<img") == std::string::npos);
  BOOST_TEST(h.find("<script>alert") == std::string::npos);
  BOOST_TEST(h.find("<b>x</b>") == std::string::npos);
  BOOST_TEST(h.find("&lt;img src=x onerror=alert(1)&gt;.txt") != std::string::npos);
  BOOST_TEST(h.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  BOOST_TEST(h.find("truncated &lt;archive&gt; &amp; member") != std::string::npos);
  BOOST_TEST(h.find("a&quot;b&#39;.csv") != std::string::npos);
  BOOST_TEST(h.find("http:") == std::string::npos);
  BOOST_TEST(h.find("https:") == std::string::npos);
  BOOST_TEST(h.find("src=\"") == std::string::npos);  // data text has no raw quotes
  BOOST_TEST(h.find("href=\"") == std::string::npos);
  BOOST_TEST(h.find("url(") == std::string::npos);
  BOOST_TEST(h.find("@import") == std::string::npos);
  BOOST_TEST(h.find("default-src 'none'") != std::string::npos);
  // One script element: the page's own.
  size_t first = h.find("<script>");
  BOOST_TEST(first != std::string::npos);
  BOOST_TEST(h.find("<script", first + 1) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(has_cards_charts_table_and_inputs) {
  std::string h = render_html(sample_report());
  for (const char* id : {"id=\"summary\"", "id=\"rules\"", "id=\"charts\"", "id=\"findings-table\"", "id=\"errors\"",
                         "id=\"skipped\"", "<svg", "********9018", "********0257", "Findings by rule", "Findings by file"})
    BOOST_TEST(h.find(id) != std::string::npos, id);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(markdown_escapes_and_limits) {
  Report r = sample_report();
  std::string md = render_markdown(r);
  BOOST_TEST(md.find("<img") == std::string::npos);
  BOOST_TEST(md.find("<script>alert") == std::string::npos);
  BOOST_TEST(md.find("&lt;img src=x onerror=alert\\(1\\)&gt;") != std::string::npos);
  BOOST_TEST(md.find("\\*\\*\\*\\*\\*\\*\\*\\*9018") != std::string::npos);
  for (int i = 0; i < 30; ++i)
    r.findings.push_back(make_finding("email", Severity::medium, "m.txt", 100 + i, "***e.jp", "aa"));
  md = render_markdown(r);
  BOOST_TEST(md.find("### Top 20 findings") != std::string::npos);
  BOOST_TEST(md.find("and 13 more") != std::string::npos);
  // Critical findings come first in the top list.
  BOOST_TEST(md.find("| critical |", md.find("### Top")) < md.find("| medium |", md.find("### Top")));
}

BOOST_AUTO_TEST_CASE(escapers) {
  BOOST_TEST(html_escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
  BOOST_TEST(markdown_escape("a|b*c_d\nx") == "a\\|b\\*c\\_d x");
  BOOST_TEST(path_to_uri("./d/ü ä.csv") == "d/%C3%BC%20%C3%A4.csv");
  BOOST_TEST(path_to_uri("x.tgz!/y.zip!/z:1.csv") == "x.tgz!/y.zip!/z%3A1.csv");
  BOOST_TEST(code_points("１２ab") == 4u);
}

BOOST_AUTO_TEST_SUITE(gating)

BOOST_AUTO_TEST_CASE(baseline_suppresses_known_findings) {
  Report r = sample_report();
  Baseline b;
  b.keys.emplace("jp-my-number", "dir/a b#%.csv", "00112233aabbccdd");
  b.keys.emplace("email", "elsewhere.txt", "fedcba9876543210");  // other path: not the same finding
  uint64_t before = r.suppressed;
  BOOST_TEST(apply_baseline(r, b) == 1u);
  BOOST_TEST(r.findings.size() == 2u);
  BOOST_TEST(r.suppressed == before + 1);
}

BOOST_AUTO_TEST_CASE(config_file) {
  ScanConfig c;
  std::string err;
  BOOST_REQUIRE_MESSAGE(parse_scan_config(R"({"rules": ["r.json"], "enable": "jp", "disable": ["ipv4"],
      "include": ["*.csv"], "exclude": ["vendor/"], "fail_on": "critical", "min_confidence": "high",
      "key_file": "k", "baseline": "/abs/b.json"})", "conf", c, err), err);
  BOOST_TEST(c.rules->at(0) == "conf/r.json");
  BOOST_TEST(c.enable->at(0) == "jp");
  BOOST_TEST(c.disable->at(0) == "ipv4");
  BOOST_TEST(*c.fail_on == "critical");
  BOOST_TEST(*c.key_file == "conf/k");
  BOOST_TEST(*c.baseline == "/abs/b.json");
  BOOST_TEST(!parse_scan_config(R"({"fail_on": "sometimes"})", ".", c, err));
  BOOST_TEST(err.find("fail_on") != std::string::npos);
  BOOST_TEST(!parse_scan_config(R"({"exlude": ["x"]})", ".", c, err));
  BOOST_TEST(err.find("unknown key \"exlude\"") != std::string::npos);
  BOOST_TEST(!parse_scan_config(R"({"include": [1]})", ".", c, err));
  BOOST_TEST(!parse_scan_config(R"({"include": ["x"],})", ".", c, err));
  BOOST_TEST(!parse_scan_config(R"(["x"])", ".", c, err));
}

BOOST_AUTO_TEST_SUITE_END()
