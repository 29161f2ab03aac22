// The reports end to end, through the binary: every format from one scan,
// `privaudit report` re-rendering, no whole identifier in any output,
// baselines, privaudit:allow, the configuration file and progress.
#define BOOST_TEST_MODULE report_cli
#include <boost/test/unit_test.hpp>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::string kBin = PRIVAUDIT_BIN;
const std::string kSrc = PRIVAUDIT_SOURCE_DIR;

// Three My Numbers with valid check digits (from examples/).
const char* kMyNumberA = "972281866208";
const char* kMyNumberB = "116410457502";
const char* kMyNumberC = "668596608885";

struct Tmp {
  fs::path dir;
  Tmp() {
    char tmpl[] = "/tmp/privaudit-report-cli-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~Tmp() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct Run {
  int code;
  std::string out, err;
};

// Runs `args` (already quoted) through the shell in `cwd`.
Run run(const std::string& args, const std::string& cwd, const Tmp& t) {
  std::string out = t / ".stdout", err = t / ".stderr";
  std::string cmd = "cd " + quote(cwd) + " && " + quote(kBin) + " " + args + " >" + quote(out) + " 2>" + quote(err);
  int st = std::system(cmd.c_str());
  Run r{WIFEXITED(st) ? WEXITSTATUS(st) : -1, {}, {}};
  std::ifstream o(out), e(err);
  std::stringstream so, se;
  so << o.rdbuf();
  se << e.rdbuf();
  r.out = so.str();
  r.err = se.str();
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

std::string key_file(const Tmp& t) {
  std::string k = t / "key";
  write(k, "a test key that is not secret\n");
  return k;
}

// Every whole identifier written in the example files: digit strings of 9 or
// more digits (ASCII or full-width, with the separators SPEC allows) in their
// written and normalised forms, e-mail addresses, IPv4 addresses, and
// letter+digit tokens such as passport numbers.
std::set<std::string> example_identifiers() {
  std::set<std::string> ids;
  for (auto& e : fs::directory_iterator(kSrc + "/examples")) {
    if (e.path().filename() == "README.md") continue;
    std::string s = slurp(e.path().string());
    auto digit_at = [&](size_t i, size_t& len) -> int {
      auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
      if (i < s.size() && s[i] >= '0' && s[i] <= '9') { len = 1; return s[i] - '0'; }
      if (i + 2 < s.size() && u(i) == 0xEF && u(i + 1) == 0xBC && u(i + 2) >= 0x90 && u(i + 2) <= 0x99) {
        len = 3;
        return u(i + 2) - 0x90;
      }
      return -1;
    };
    auto sep_at = [&](size_t i) -> size_t {
      if (i >= s.size()) return 0;
      if (s[i] == '-' || s[i] == ' ') return 1;
      for (const char* sep : {"\xE3\x80\x80", "\xEF\xBC\x8D", "\xE2\x88\x92"})
        if (s.compare(i, 3, sep) == 0) return 3;
      return 0;
    };
    for (size_t i = 0; i < s.size();) {
      size_t len;
      if (digit_at(i, len) < 0) { ++i; continue; }
      size_t start = i, end = i;
      std::string norm;
      for (;;) {
        int d = digit_at(i, len);
        if (d >= 0) { norm += static_cast<char>('0' + d); i += len; end = i; continue; }
        size_t sl = sep_at(i), dl;
        if (sl && digit_at(i + sl, dl) >= 0) { i += sl; continue; }
        break;
      }
      if (norm.size() >= 9) {
        ids.insert(norm);
        ids.insert(s.substr(start, end - start));
      }
      i = std::max(i, start + 1);
    }
    auto word = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
             c == '%' || c == '+' || c == '-';
    };
    for (size_t at = s.find('@'); at != std::string::npos; at = s.find('@', at + 1)) {
      size_t a = at, b = at + 1;
      while (a > 0 && word(s[a - 1])) --a;
      while (b < s.size() && word(s[b])) ++b;
      if (a < at && b > at + 1) ids.insert(s.substr(a, b - a));
    }
    for (size_t i = 0; i < s.size();) {
      size_t j = i;
      while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || (s[j] >= 'A' && s[j] <= 'Z'))) ++j;
      std::string tok = s.substr(i, j - i);
      size_t dots = static_cast<size_t>(std::count(tok.begin(), tok.end(), '.'));
      size_t digits = static_cast<size_t>(std::count_if(tok.begin(), tok.end(), [](char c) { return c >= '0' && c <= '9'; }));
      if ((dots == 3 && tok.size() >= 7) || (dots == 0 && tok.size() >= 8 && digits >= 7 && digits < tok.size()))
        ids.insert(tok);
      i = j > i ? j : i + 1;
    }
  }
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_format_re_renders_identically) {
  Tmp t;
  std::string key = key_file(t);
  Run r = run("scan -q --key-file " + quote(key) + " --report json=" + quote(t / "a.json") + " --report sarif=" +
                  quote(t / "a.sarif") + " --report html=" + quote(t / "a.html") + " --report markdown=" +
                  quote(t / "a.md") + " --report jsonl=" + quote(t / "a.jsonl") + " --report text=" + quote(t / "a.txt") +
                  " examples/",
              kSrc, t);
  BOOST_TEST(r.code == 1);  // My Numbers are critical
  const std::pair<const char*, const char*> formats[] = {{"json", "a.json"},     {"sarif", "a.sarif"},
                                                         {"html", "a.html"},     {"markdown", "a.md"},
                                                         {"jsonl", "a.jsonl"},   {"text", "a.txt"}};
  for (auto& [fmt, file] : formats) {
    std::string saved = slurp(t / file);
    BOOST_TEST(!saved.empty(), fmt);
    Run re = run("report " + quote(t / "a.json") + " --format " + fmt, kSrc, t);
    BOOST_TEST(re.code == 0, fmt);
    BOOST_TEST((re.out == saved), std::string("report --format ") + fmt + " differs from the scan's");
    Run re_o = run("report " + quote(t / "a.json") + " -o " + quote(t / (std::string("b-") + file)), kSrc, t);
    BOOST_TEST(re_o.code == 0);
    BOOST_TEST((slurp(t / (std::string("b-") + file)) == saved), std::string("-o extension for ") + fmt);
  }
}

BOOST_AUTO_TEST_CASE(output_extension_picks_the_format) {
  Tmp t;
  std::string key = key_file(t);
  run("scan -q --key-file " + quote(key) + " -o " + quote(t / "r.sarif") + " examples/",
      kSrc, t);
  BOOST_TEST(slurp(t / "r.sarif").find("\"version\": \"2.1.0\"") != std::string::npos);
  run("scan -q --key-file " + quote(key) + " -o " + quote(t / "r.md") + " examples/", kSrc, t);
  BOOST_TEST(slurp(t / "r.md").find("## privaudit scan report") == 0u);
  run("scan -q --key-file " + quote(key) + " -o " + quote(t / "r.html") + " examples/", kSrc, t);
  BOOST_TEST(slurp(t / "r.html").find("<!DOCTYPE html>") == 0u);
  run("scan -q --key-file " + quote(key) + " --format json -o " + quote(t / "r.md") + " examples/", kSrc, t);
  BOOST_TEST(slurp(t / "r.md").find("\"schema\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_output_options_are_usage_errors) {
  Tmp t;
  BOOST_TEST(run("scan -q --format pdf examples/", kSrc, t).code == 2);
  BOOST_TEST(run("scan -q --report pdf=x.pdf examples/", kSrc, t).code == 2);
  Run r = run("scan -q --report json examples/", kSrc, t);
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("FORMAT=FILE") != std::string::npos);
  BOOST_TEST(run("report " + quote(t / "missing.json") + " --format html", kSrc, t).code == 2);
  write(t / "not-a-report.json", "{\"hello\": 1}");
  Run bad = run("report " + quote(t / "not-a-report.json") + " --format html", kSrc, t);
  BOOST_TEST(bad.code == 2);
  BOOST_TEST(bad.err.find("not-a-report.json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_format_holds_a_whole_identifier) {
  Tmp t;
  std::string key = key_file(t);
  std::set<std::string> ids = example_identifiers();
  BOOST_TEST_MESSAGE(ids.size() << " identifiers in examples/");
  BOOST_TEST(ids.count(kMyNumberA) == 1u);
  BOOST_TEST(ids.count("taro.yamada@example.jp") == 1u);
  BOOST_TEST(ids.count("192.0.2.10") == 1u);
  BOOST_TEST(ids.count("TZ0123456") == 1u);
  for (const char* fmt : {"json", "jsonl", "sarif", "html", "markdown", "text"}) {
    Run r = run(std::string("scan -q --min-confidence low --key-file ") + quote(key) + " --format " + fmt + " examples/",
                kSrc, t);
    BOOST_TEST(r.code == 1, fmt);
    BOOST_TEST(r.out.size() > 500u, fmt);
    for (auto& id : ids) BOOST_TEST(r.out.find(id) == std::string::npos, fmt << " output holds " << id);
  }
}

BOOST_AUTO_TEST_CASE(baseline_round_trip) {
  Tmp t;
  std::string key = key_file(t);
  std::string data = t / "data";
  write(data + "/people.csv", std::string("name,個人番号\nA,") + kMyNumberA + "\nB," + kMyNumberB + "\n");
  write(data + "/memo.txt", std::string("マイナンバー ") + kMyNumberA + "\n");
  std::string k = " --key-file " + quote(key) + " ";
  Run first = run("scan -q" + k + "--write-baseline " + quote(t / "base.json") + " " + quote(data), t.dir, t);
  BOOST_TEST(first.code == 1);
  BOOST_TEST(slurp(t / "base.json").find("\"fingerprint_key\": \"user-supplied\"") != std::string::npos);

  Run again = run("scan -q --format json" + k + "--baseline " + quote(t / "base.json") + " " + quote(data), t.dir, t);
  BOOST_TEST(again.code == 0);
  BOOST_TEST(again.out.find("\"findings\": []") != std::string::npos);
  BOOST_TEST(again.out.find("\"suppressed\": 3") != std::string::npos);

  write(data + "/new.log", std::string("user_mynumber=") + kMyNumberC + "\n");
  Run leak = run("scan -q --format jsonl" + k + "--baseline " + quote(t / "base.json") + " " + quote(data), t.dir, t);
  BOOST_TEST(leak.code == 1);
  BOOST_TEST(std::count(leak.out.begin(), leak.out.end(), '\n') == 2);  // one finding, then the summary
  BOOST_TEST(leak.out.find("new.log") != std::string::npos);
  BOOST_TEST(leak.out.find("\"suppressed\":3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(baseline_needs_a_stable_key) {
  Tmp t;
  std::string key = key_file(t);
  std::string data = t / "data";
  write(data + "/a.txt", std::string("個人番号 ") + kMyNumberA + "\n");
  run("scan -q --format json -o " + quote(t / "random.json") + " " + quote(data), t.dir, t);
  BOOST_TEST(slurp(t / "random.json").find("random-per-run") != std::string::npos);
  Run r = run("scan -q --key-file " + quote(key) + " --baseline " + quote(t / "random.json") + " " + quote(data), t.dir, t);
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("random per-run key") != std::string::npos);
  Run nokey = run("scan -q --baseline " + quote(t / "random.json") + " " + quote(data), t.dir, t);
  BOOST_TEST(nokey.code == 2);
  BOOST_TEST(nokey.err.find("stable fingerprint key") != std::string::npos);
  BOOST_TEST(run("scan -q --write-baseline " + quote(t / "b.json") + " " + quote(data), t.dir, t).code == 2);
}

BOOST_AUTO_TEST_CASE(allow_comment_suppresses_its_line) {
  Tmp t;
  std::string data = t / "data";
  write(data + "/notes.txt", std::string("個人番号 ") + kMyNumberA + "  # test fixture, privaudit:allow\n" +
                                 "個人番号 " + kMyNumberB + "\n");
  Run r = run("scan -q --format json " + quote(data), t.dir, t);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.find("\"line\": 2") != std::string::npos);
  BOOST_TEST(r.out.find("\"line\": 1,") == std::string::npos);
  BOOST_TEST(r.out.find("\"suppressed\": 1") != std::string::npos);
  write(data + "/notes.txt", std::string("個人番号 ") + kMyNumberA + " privaudit:allow\n");
  BOOST_TEST(run("scan -q " + quote(data), t.dir, t).code == 0);
}

BOOST_AUTO_TEST_CASE(config_file) {
  Tmp t;
  std::string data = t / "data";
  write(data + "/a.csv", std::string("id,個人番号\n1,") + kMyNumberA + "\n");
  write(data + "/b.txt", "contact: someone@example.jp\n");
  // No configuration: a critical finding gates.
  BOOST_TEST(run("scan -q data", t.dir, t).code == 1);
  write(t / ".privaudit.json", R"({"fail_on": "never", "exclude": ["*.txt"]})");
  Run r = run("scan -q --format json data", t.dir, t);
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out.find("b.txt") == std::string::npos);
  // Flags win over the file.
  BOOST_TEST(run("scan -q --fail-on high data", t.dir, t).code == 1);
  Run inc = run("scan -q --format json --exclude '*.csv' data", t.dir, t);
  BOOST_TEST(inc.out.find("b.txt") != std::string::npos);
  BOOST_TEST(inc.out.find("a.csv") == std::string::npos);
  // --config FILE instead of ./.privaudit.json.
  write(t / "conf/strict.json", R"({"fail_on": "medium", "enable": ["email"]})");
  Run other = run("scan -q --format json --config conf/strict.json data", t.dir, t);
  BOOST_TEST(other.code == 1);
  BOOST_TEST(other.out.find("\"rule\": \"jp-my-number\"") == std::string::npos);
  BOOST_TEST(other.out.find("\"rule\": \"email\"") != std::string::npos);
  // A malformed file is a configuration error naming the file and the problem.
  write(t / ".privaudit.json", R"({"fail_on": "never", "exlude": ["*.txt"]})");
  Run bad = run("scan -q data", t.dir, t);
  BOOST_TEST(bad.code == 2);
  BOOST_TEST(bad.err.find(".privaudit.json") != std::string::npos);
  BOOST_TEST(bad.err.find("exlude") != std::string::npos);
  write(t / ".privaudit.json", R"({"fail_on": )");
  Run broken = run("scan -q data", t.dir, t);
  BOOST_TEST(broken.code == 2);
  BOOST_TEST(broken.err.find(".privaudit.json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(progress_on_stderr) {
  Tmp t;
  Run on = run("scan --progress always --format json examples/", kSrc, t);
  BOOST_TEST(on.err.find(" files, ") != std::string::npos);
  BOOST_TEST(on.err.find("MB/s") != std::string::npos);
  BOOST_TEST(on.err.find("(100%)") != std::string::npos);
  Run off = run("scan -q --progress never --format json examples/", kSrc, t);
  BOOST_TEST(off.err.empty());
  Run autom = run("scan -q --format json examples/", kSrc, t);  // stderr is not a terminal
  BOOST_TEST(autom.err.empty());
}
