// The binary end to end: exit codes, JSON shape, determinism, rule files,
// stdin, walking, and that no output holds a whole identifier.
#define BOOST_TEST_MODULE cli
#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include "test_util.h"

using testutil::run;
using testutil::TempDir;

namespace {
std::string q(const std::string& s) { return "'" + s + "'"; }
const std::string kExamples = std::string(PRIVAUDIT_SOURCE_DIR) + "/examples";

std::string strip_volatile(std::string json) {
  for (const char* key : {"\"started_at\": \"", "\"duration_ms\": "}) {
    size_t p = json.find(key);
    if (p == std::string::npos) continue;
    size_t e = json.find_first_of(",\n", p);
    json.erase(p, e - p);
  }
  return json;
}
}  // namespace

BOOST_AUTO_TEST_CASE(version_and_help) {
  auto v = run("--version");
  BOOST_TEST(v.code == 0);
  BOOST_TEST(v.out.find("privaudit 0.1.0") != std::string::npos);
  for (const char* sub : {"scan", "rules", "rules list", "rules test", "rules lint", "rules show"}) {
    auto h = run(std::string(sub) + " --help");
    BOOST_TEST(h.code == 0, sub);
    BOOST_TEST(h.out.find("Usage") != std::string::npos, sub);
  }
  BOOST_TEST(run("scan --no-such-flag").code == 2);
  BOOST_TEST(run("").code == 2);
}

BOOST_AUTO_TEST_CASE(exit_codes) {
  TempDir t;
  auto clean = t.file("clean.txt", "nothing here\n");
  auto leak = t.file("leak.txt", "マイナンバー 123456789018\n");
  auto mail = t.file("mail.txt", "contact taro@example.co.jp\n");
  BOOST_TEST(run("scan -q " + q(clean)).code == 0);
  BOOST_TEST(run("scan -q " + q(leak)).code == 1);
  BOOST_TEST(run("scan -q --fail-on never " + q(leak)).code == 0);
  BOOST_TEST(run("scan -q " + q(mail)).code == 0);                    // medium < high
  BOOST_TEST(run("scan -q --fail-on medium " + q(mail)).code == 1);
  auto missing = run("scan -q " + q(clean) + " /no/such/file");
  BOOST_TEST(missing.code == 2);
  BOOST_TEST(missing.out.find("/no/such/file") != std::string::npos);
  BOOST_TEST(run("scan -q --allow-incomplete " + q(clean) + " /no/such/file").code == 0);
  BOOST_TEST(run("scan -q " + q(leak) + " /no/such/file").code == 1);  // findings win
  BOOST_TEST(run("scan -q --fail-on bogus " + q(clean)).code == 2);
  BOOST_TEST(run("scan -q --rules /no/such/rules.json " + q(clean)).code == 2);
}

BOOST_AUTO_TEST_CASE(json_report_shape) {
  auto r = run("scan -q --format json " + q(kExamples));
  BOOST_TEST(r.code == 1);
  simdjson::dom::parser p;
  simdjson::padded_string ps(r.out);
  simdjson::dom::element doc;
  BOOST_REQUIRE(!p.parse(ps).get(doc));
  BOOST_TEST(std::string_view(doc["schema"]) == "privaudit.report/1");
  BOOST_TEST(std::string_view(doc["tool"]["name"]) == "privaudit");
  BOOST_TEST(std::string_view(doc["command"]) == "scan");
  BOOST_TEST(std::string_view(doc["fingerprint_key"]) == "random-per-run");
  BOOST_TEST(uint64_t(doc["inputs"]["files"]) >= 4u);
  simdjson::dom::array findings = doc["findings"];
  BOOST_TEST(findings.size() > 10u);
  std::string prev_path;
  uint64_t prev_off = 0;
  for (auto f : findings) {
    std::string_view path = f["path"];
    uint64_t off = f["offset"];
    BOOST_TEST((std::string(path) > prev_path || (path == prev_path && off >= prev_off)));
    prev_path = std::string(path);
    prev_off = off;
    BOOST_TEST(std::string_view(f["fingerprint"]).size() == 16u);
    BOOST_TEST(uint64_t(f["line"]) >= 1u);
    BOOST_TEST(uint64_t(f["column"]) >= 1u);
  }
  BOOST_TEST(uint64_t(doc["summary"]["findings"]) == findings.size());
  BOOST_TEST(uint64_t(doc["summary"]["by_rule"]["jp-my-number"]) >= 5u);
  BOOST_TEST(uint64_t(doc["summary"]["distinct_values"]["jp-my-number"]) >= 5u);
}

BOOST_AUTO_TEST_CASE(two_runs_are_identical_with_a_key) {
  TempDir t;
  auto key = t.file("key", "secret-key\n");
  auto a = run("scan -q -j 2 --format json --key-file " + q(key) + " " + q(kExamples));
  auto b = run("scan -q -j 1 --format json --key-file " + q(key) + " " + q(kExamples));
  BOOST_TEST(a.out.find("\"user-supplied\"") != std::string::npos);
  BOOST_TEST(strip_volatile(a.out) == strip_volatile(b.out));
  auto c = run("scan -q --format json " + q(kExamples), "PRIVAUDIT_KEY=secret-key");
  BOOST_TEST(strip_volatile(a.out) == strip_volatile(c.out));
  auto d = run("scan -q --format json " + q(kExamples));  // random key: other fingerprints
  BOOST_TEST(strip_volatile(a.out) != strip_volatile(d.out));
}

BOOST_AUTO_TEST_CASE(no_output_holds_a_whole_identifier) {
  // Every valid identifier value in examples/, in every written form.
  const char* values[] = {"123456789018", "1234-5678-9018", "4111111111111111", "5555555555554444"};
  for (const char* fmt : {"text", "json"}) {
    auto r = run(std::string("scan --format ") + fmt + " " + q(kExamples));
    for (const char* v : values) BOOST_TEST(r.out.find(v) == std::string::npos, fmt << " " << v);
  }
  // No run of 10+ digits outside the (hex) fingerprints of the JSON output.
  auto r = run("scan -q --format json --min-confidence low " + q(kExamples));
  std::istringstream lines(r.out);
  std::string line;
  size_t longest = 0;
  while (std::getline(lines, line)) {
    // The report ends with the run's rule descriptions (law numbers in URLs).
    if (line.rfind("  \"rules\": [", 0) == 0) break;
    if (line.find("\"fingerprint\"") != std::string::npos) continue;
    size_t run_len = 0;
    for (char c : line) {
      run_len = (c >= '0' && c <= '9') ? run_len + 1 : 0;
      longest = std::max(longest, run_len);
    }
  }
  BOOST_TEST(longest < 10u);
}

BOOST_AUTO_TEST_CASE(stdin_and_walking) {
  TempDir t;
  t.file("a/b/deep.txt", "マイナンバー 123456789018\n");
  t.file(".hidden/secret.txt", "マイナンバー 621498320257\n");
  t.file("skip/me.txt", "マイナンバー 621498320257\n");
  std::filesystem::create_symlink(t.path / "a", t.path / "link");
  auto r = run("scan -q --format json --exclude skip/ " + q(t.path.string()));
  BOOST_TEST(r.out.find("deep.txt") != std::string::npos);
  BOOST_TEST(r.out.find(".hidden/secret.txt") != std::string::npos);
  BOOST_TEST(r.out.find("me.txt") == std::string::npos);
  BOOST_TEST(r.out.find("\"reason\": \"symlink\"") != std::string::npos);
  auto s = run("scan -q --format json - < " + q(t.path.string() + "/a/b/deep.txt"));
  // run() redirects stdin itself; feed through sh instead.
  TempDir t2;
  std::string cmd = std::string("echo 'マイナンバー 123456789018' | ") + PRIVAUDIT_BIN +
                    " scan -q --format json - > " + (t2.path / "o").string();
  BOOST_TEST(WEXITSTATUS(std::system(cmd.c_str())) == 1);
  auto out = testutil::read_file((t2.path / "o").string());
  BOOST_TEST(out.find("\"path\": \"-\"") != std::string::npos);
  auto inc = run("scan -q --format json --include '*.csv' " + q(t.path.string()));
  BOOST_TEST(inc.code == 0);
}

BOOST_AUTO_TEST_CASE(user_rules_override_and_lint) {
  TempDir t;
  auto rules = t.file("my.json", R"({"rules":[{"id":"staff-id","name":"Staff ID","severity":"high",
    "patterns":["\\bSTF-[0-9]{6}\\b"],"tags":["internal"],
    "examples":{"match":["id STF-123456"],"no_match":["STF-12345"]}}]})");
  auto data = t.file("d.txt", "staff STF-654321 here\n");
  auto r = run("scan -q --format json --rules " + q(rules) + " " + q(data));
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.find("\"rule\": \"staff-id\"") != std::string::npos);
  BOOST_TEST(r.out.find("STF-654321") == std::string::npos);
  BOOST_TEST(run("rules test " + q(rules)).code == 0);
  BOOST_TEST(run("scan -q --disable internal --rules " + q(rules) + " " + q(data)).code == 0);
  auto list = run("rules list --rules " + q(rules));
  BOOST_TEST(list.out.find("staff-id") != std::string::npos);
  // Override a built-in by id: a pack where jp-my-number is only 'low'.
  auto over = t.file("o.json", R"({"rules":[{"id":"jp-my-number","name":"x","severity":"low",
    "patterns":["[0-9]{12}"],"digits":{"lengths":[12]},"validator":"my_number",
    "examples":{"match":["123456789018"],"no_match":["123456789012"]}}]})");
  auto leak = t.file("leak.txt", "123456789018\n");
  BOOST_TEST(run("scan -q " + q(leak)).code == 1);
  BOOST_TEST(run("scan -q --rules " + q(over) + " " + q(leak)).code == 0);
  // Lint: names the file, the rule and the problem.
  auto bad = t.file("bad.json", R"({"rules":[{"id":"x1","name":"X","severity":"high","patterns":["(unclosed"],
    "examples":{"match":["a"],"no_match":["b"]}}]})");
  auto l = run("rules lint " + q(bad));
  BOOST_TEST(l.code == 2);
  BOOST_TEST(l.err.find("bad.json") != std::string::npos);
  BOOST_TEST(l.err.find("x1") != std::string::npos);
  BOOST_TEST(l.err.find("does not compile") != std::string::npos);
  auto bad2 = t.file("bad2.json", R"({"rules":[{"id":"x2","name":"X","severity":"urgent","patterns":["a"]}]})");
  auto l2 = run("rules lint " + q(bad2));
  BOOST_TEST(l2.code == 2);
  BOOST_TEST(l2.err.find("x2") != std::string::npos);
  BOOST_TEST(l2.err.find("severity") != std::string::npos);
  BOOST_TEST(run("rules lint " + q(std::string(PRIVAUDIT_SOURCE_DIR) + "/rules")).code == 0);
  auto failing = t.file("f.json", R"({"rules":[{"id":"f1","name":"F","severity":"low","patterns":["\\bQQ[0-9]{3}\\b"],
    "examples":{"match":["QQ12"],"no_match":["x"]}}]})");
  auto ft = run("rules test " + q(failing));
  BOOST_TEST(ft.code == 1);
  BOOST_TEST(ft.out.find("f1") != std::string::npos);
  BOOST_TEST(run("rules show jp-my-number").out.find("my_number") != std::string::npos);
  BOOST_TEST(run("rules show nope").code == 2);
}
