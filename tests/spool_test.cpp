// The finding spool: findings written to disk and read back unchanged and in
// order, the incremental summary, and reports rendered from a spool equal to
// those rendered from findings in memory. Also the result path's helpers:
// a finding's JSON as JsonWriter writes it, and the order findings are
// sorted in.
#define BOOST_TEST_MODULE spool
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <algorithm>
#include <random>

#include "report/json_writer.h"
#include "report/render.h"
#include "report/report.h"
#include "report/spool.h"
#include "scan/scanner.h"

using namespace privaudit;

namespace {

Finding make(uint64_t i) {
  Finding f;
  f.rule = i % 3 == 0 ? "jp-my-number" : (i % 3 == 1 ? "email" : "jp-corporate-number");
  f.severity = i % 3 == 0 ? Severity::critical : Severity::medium;
  f.confidence = static_cast<Confidence>(i % 3);
  f.path = "dir/file-" + std::to_string(i / 7) + ".csv";  // runs of one path
  f.line = i + 1;
  f.column = (i * 13) % 200;
  f.offset = i * 1000003;
  f.has_offset = i % 5 != 0;
  f.field = i % 4 == 0 ? "" : "/user/" + std::to_string(i % 4);
  f.record = i % 6 == 0 ? -1 : static_cast<int64_t>(i);
  f.masked = std::string(8, '*') + std::to_string(1000 + i % 9000);
  char fp[17];
  std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>((i % 5000) * 0x9E3779B97F4A7C15ull));
  f.fingerprint = i % 11 == 0 ? "" : fp;
  f.message = "message " + f.rule;
  return f;
}

bool same(const Finding& a, const Finding& b) {
  return a.rule == b.rule && a.severity == b.severity && a.confidence == b.confidence && a.path == b.path &&
         a.line == b.line && a.column == b.column && a.offset == b.offset && a.has_offset == b.has_offset &&
         a.field == b.field && a.record == b.record && a.masked == b.masked &&
         a.fingerprint == b.fingerprint && a.message == b.message;
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_through_the_temporary_file) {
  // Enough findings to pass the 1 MiB flush several times, so reading back
  // crosses file chunks and the in-memory tail.
  FindingSpool s;
  const uint64_t n = 60000;
  for (uint64_t i = 0; i < n; ++i) BOOST_REQUIRE(s.append(make(i), i % 17 == 3));
  BOOST_TEST(s.total() == n);
  uint64_t hidden = 0;
  for (uint64_t i = 0; i < n; ++i) hidden += i % 17 == 3;
  BOOST_TEST(s.size() == n - hidden);

  uint64_t i = 0, mismatches = 0;
  BOOST_REQUIRE(s.for_each([&](const Finding& f) {
    if (!same(f, make(i))) ++mismatches;
    ++i;
  }, true));
  BOOST_TEST(i == n);
  BOOST_TEST(mismatches == 0u);

  // Without the hidden ones: the others, in order.
  std::vector<uint64_t> seen;
  uint64_t k = 0;
  BOOST_REQUIRE(s.for_each([&](const Finding& f) {
    while (k % 17 == 3) ++k;
    if (same(f, make(k))) seen.push_back(k);
    ++k;
  }));
  BOOST_TEST(seen.size() == n - hidden);
}

BOOST_AUTO_TEST_CASE(summary_counts_visible_findings_and_distinct_values) {
  FindingSpool s;
  SummaryBuilder expect;
  for (uint64_t i = 0; i < 30000; ++i) {
    Finding f = make(i);
    bool hidden = i % 10 == 0;
    s.append(f, hidden);
    if (!hidden) expect.add(f);
  }
  BOOST_TEST(s.summary().findings() == expect.findings());
  BOOST_TEST((s.summary().by_rule() == expect.by_rule()));
  BOOST_TEST((s.summary().by_severity() == expect.by_severity()));
  // Distinct fingerprints per rule, counted independently with std::set.
  std::map<std::string, std::set<std::string>> ref;
  for (uint64_t i = 0; i < 30000; ++i) {
    Finding f = make(i);
    if (i % 10 != 0 && !f.fingerprint.empty()) ref[f.rule].insert(f.fingerprint);
  }
  auto d = s.summary().distinct_values();
  BOOST_TEST(d.size() == 3u);
  for (auto& [rule, values] : ref) BOOST_TEST(d[rule] == values.size());
  BOOST_TEST(s.summary().any_at_or_above(Severity::critical));
  BOOST_TEST(!SummaryBuilder().any_at_or_above(Severity::info));
}

// add() defers insertion (its slot prefetched): counts equal insert()'s,
// through table growth, with insert() and size() in between.
BOOST_AUTO_TEST_CASE(u64_set_deferred_adds_count_the_same) {
  U64Set a, b;
  std::set<uint64_t> ref;
  for (uint64_t i = 0; i < 200000; ++i) {
    uint64_t v = (i * 0x9E3779B97F4A7C15ull) % 50021;  // 0 included
    a.add(v);
    b.insert(v);
    ref.insert(v);
    if (i % 9973 == 0) BOOST_TEST(a.size() == b.size());
    if (i % 12345 == 0) BOOST_TEST(a.insert(v) == false);  // just added: not new
  }
  BOOST_TEST(a.size() == b.size());
  BOOST_TEST(a.size() == ref.size());
  BOOST_TEST(ref.size() > 5000u);
}

BOOST_AUTO_TEST_CASE(u64_set_counts_distinct_values_zero_included) {
  U64Set set;
  for (uint64_t i = 0; i < 100000; ++i) set.insert(i % 30011);
  BOOST_TEST(set.size() == 30011u);
  BOOST_TEST(!set.insert(0));
  BOOST_TEST(set.insert(30011));
  BOOST_TEST(parse_fingerprint("00000000000000ff") == 255u);
  BOOST_TEST(parse_fingerprint("FFFFFFFFFFFFFFFF") == ~uint64_t{0});
  BOOST_TEST(parse_fingerprint("xyz") == 0u);
}

BOOST_AUTO_TEST_CASE(reports_from_a_spool_equal_reports_from_memory) {
  Report mem;
  mem.command = "scan";
  mem.started_at = "2026-11-23T00:00:00Z";
  mem.files = 3;
  mem.skipped.push_back({"a.bin", "binary"});
  mem.errors.push_back({"b.zip", "corrupt archive"});
  Report spooled = mem;
  spooled.spool = std::make_shared<FindingSpool>();
  // The first 5000 are hidden (accepted by a baseline): the whole first
  // segment and part of the second; the reports leave them out.
  for (uint64_t i = 0; i < 25000; ++i) {
    if (i >= 5000) mem.findings.push_back(make(i));
    spooled.spool->append(make(i), i < 5000);
  }
  BOOST_TEST(spooled.spool->segments() == 7u);
  for (unsigned threads : {1u, 3u})
  for (const char* format : {"json", "jsonl", "text", "sarif", "markdown", "html"}) {
    spooled.render_threads = threads;
    std::string a = render(mem, format, false);
    std::string b;
    if (std::string(format) == "json") render_json_to(spooled, [&](std::string_view p) { b.append(p); });
    else if (std::string(format) == "jsonl") render_jsonl_to(spooled, [&](std::string_view p) { b.append(p); });
    else if (std::string(format) == "text") render_text_to(spooled, false, [&](std::string_view p) { b.append(p); });
    else {
      Report copy = spooled;
      BOOST_REQUIRE(materialize(copy));
      b = render(copy, format, false);
    }
    BOOST_TEST_INFO("format " << format << ", threads " << threads);
    BOOST_TEST(a.size() > 2000u);
    BOOST_TEST((a == b));
  }
  BOOST_TEST(finding_count(spooled) == 20000u);
  BOOST_TEST(gate_tripped(spooled, Severity::critical));
  BOOST_TEST(!gate_tripped(Report{}, Severity::info));
}

BOOST_AUTO_TEST_CASE(temporary_file_goes_to_tmpdir_and_a_failure_is_named) {
  std::string old = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "";
  setenv("TMPDIR", "/nonexistent-privaudit-dir", 1);
  {
    FindingSpool s;
    bool ok = true;
    for (uint64_t i = 0; i < 40000 && ok; ++i) ok = s.append(make(i));  // past the 1 MiB buffer
    BOOST_TEST(!ok);
    BOOST_TEST(s.error().find("/nonexistent-privaudit-dir") != std::string::npos);
  }
  char tmpl[] = "/tmp/privaudit-spool-XXXXXX";
  BOOST_REQUIRE(mkdtemp(tmpl));
  setenv("TMPDIR", tmpl, 1);
  {
    FindingSpool s;
    for (uint64_t i = 0; i < 40000; ++i) BOOST_REQUIRE(s.append(make(i)));
    uint64_t n = 0;
    BOOST_TEST(s.for_each([&](const Finding&) { ++n; }));
    BOOST_TEST(n == 40000u);
  }
  BOOST_TEST(rmdir(tmpl) == 0);  // the file was unlinked from the start
  if (old.empty()) unsetenv("TMPDIR");
  else setenv("TMPDIR", old.c_str(), 1);
}

// The report writers' fast finding serialiser writes what JsonWriter would:
// strings that need escaping (quotes, backslashes, control bytes, bytes
// that are not UTF-8), repeated and alternating strings (its caches), and a
// finding larger than its stack buffer.
BOOST_AUTO_TEST_CASE(jsonl_findings_equal_json_writer_objects) {
  std::vector<Finding> fs;
  const std::vector<std::string> odd = {"plain", "quo\"te", "back\\slash", "line\nbreak\ttab\x01\x1f\x7f",
                                        "bad \xff\xfe utf8", "個人番号", std::string(5000, 'p') + "\"",
                                        std::string("nul\0byte", 8), ""};
  for (size_t i = 0; i < 60; ++i) {
    Finding f = make(i);
    f.path = i % 9 == 0 ? odd[(i / 9) % odd.size()] : f.path;
    f.field = odd[i % odd.size()];
    f.rule = i % 4 == 0 ? odd[(i + 1) % odd.size()] : f.rule;
    f.masked = i % 3 == 0 ? odd[(i + 2) % odd.size()] : f.masked;
    f.fingerprint = i % 5 == 0 ? odd[(i + 3) % odd.size()] : f.fingerprint;
    f.message = odd[(i + 4) % odd.size()];
    fs.push_back(f);
  }
  Report r;
  r.command = "scan";
  r.findings = fs;
  std::string jsonl = render(r, "jsonl", false);
  std::string expect;
  for (const Finding& f : fs) {
    JsonWriter w(expect, false);
    w.begin_object();
    w.key("rule").value(f.rule);
    w.key("severity").value(to_string(f.severity));
    w.key("confidence").value(to_string(f.confidence));
    w.key("path").value(f.path);
    if (f.line) w.key("line").value(f.line);
    if (f.column) w.key("column").value(f.column);
    if (f.has_offset) w.key("offset").value(f.offset);
    if (!f.field.empty()) w.key("field").value(f.field);
    if (f.record >= 0) w.key("record").value(f.record);
    if (!f.masked.empty()) w.key("masked").value(f.masked);
    if (!f.fingerprint.empty()) w.key("fingerprint").value(f.fingerprint);
    w.key("message").value(f.message);
    w.end_object();
    expect.push_back('\n');
  }
  BOOST_REQUIRE(jsonl.size() > expect.size());
  BOOST_TEST((jsonl.substr(0, expect.size()) == expect));
  BOOST_TEST(jsonl.compare(expect.size(), 11, "{\"summary\":") == 0);
}

// sort_findings sorts a run in order followed by a tail settled late into
// exactly what a stable sort of the whole gives (equal findings keep their
// order), from any starting index.
BOOST_AUTO_TEST_CASE(sort_findings_equals_a_stable_sort) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<Finding> v;
    size_t n = rng() % 300, sorted_prefix = n ? rng() % (n + 1) : 0, from = n ? rng() % (n + 1) : 0;
    for (size_t i = 0; i < n; ++i) {
      Finding f;
      f.path = rng() % 8 == 0 ? "b.csv" : "a.csv";
      f.offset = rng() % 50;  // many ties
      f.rule = rng() % 2 ? "email" : "jp-my-number";
      f.masked = std::to_string(i);  // identity, to check the order of ties
      v.push_back(f);
    }
    if (round % 2) {
      std::stable_sort(v.begin(), v.begin() + static_cast<ptrdiff_t>(sorted_prefix), finding_less);
    } else {  // a few sorted runs one after another, as a scan's passes make
      size_t runs = 1 + rng() % 6, at = 0;
      for (size_t r = 0; r < runs && at < n; ++r) {
        size_t len = r + 1 == runs ? n - at : rng() % (n - at + 1);
        std::stable_sort(v.begin() + static_cast<ptrdiff_t>(at), v.begin() + static_cast<ptrdiff_t>(at + len),
                         finding_less);
        at += len;
      }
    }
    std::vector<Finding> want = v;
    std::stable_sort(want.begin() + static_cast<ptrdiff_t>(from), want.end(), finding_less);
    sort_findings(v, from);
    BOOST_REQUIRE_EQUAL(v.size(), want.size());
    for (size_t i = 0; i < v.size(); ++i) {
      BOOST_TEST_INFO("round " << round << " index " << i);
      BOOST_TEST(v[i].masked == want[i].masked);
    }
  }
}
