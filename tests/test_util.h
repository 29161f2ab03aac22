// Helpers shared by the tests: temporary folders, running the binary,
// scanning a string in memory.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/fingerprint.h"
#include "match/engine.h"
#include "rules/rule.h"
#include "scan/evidence.h"
#include "scan/scanner.h"

namespace privaudit {
inline std::ostream& operator<<(std::ostream& o, Confidence c) { return o << to_string(c); }
inline std::ostream& operator<<(std::ostream& o, Severity s) { return o << to_string(s); }
}  // namespace privaudit

namespace testutil {

// A fresh folder under /tmp, removed when the object goes.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "privaudit-test-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    path = p ? p : tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& content) const {
    auto p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
};

inline std::string read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct RunResult {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `privaudit ARGS` through the shell; ARGS is shell text.
inline RunResult run(const std::string& args, const std::string& env = "") {
  TempDir t;
  std::string out = (t.path / "out").string(), err = (t.path / "err").string();
  std::string cmd = env + " " + PRIVAUDIT_BIN + std::string(" ") + args + " >" + out + " 2>" + err + " </dev/null";
  int st = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

// Engine over the built-in rules (built once).
inline const privaudit::Engine& builtin_engine() {
  static std::unique_ptr<privaudit::Engine> e = [] {
    std::vector<privaudit::Rule> rules;
    std::string err;
    if (!privaudit::load_builtin_rules(rules, err)) std::abort();
    auto eng = privaudit::Engine::build(std::move(rules), err);
    if (!eng) std::abort();
    return eng;
  }();
  return *e;
}

// A reader that hands out the data in pieces of varying small sizes.
class ChunkyReader : public privaudit::ByteReader {
 public:
  ChunkyReader(std::string data, size_t step) : d_(std::move(data)), step_(step) {}
  ssize_t read(char* dst, size_t n) override {
    size_t k = std::min({n, d_.size() - pos_, 1 + (pos_ * 7 + step_) % step_});
    std::copy(d_.data() + pos_, d_.data() + pos_ + k, dst);
    pos_ += k;
    return static_cast<ssize_t>(k);
  }

 private:
  std::string d_;
  size_t step_;
  size_t pos_ = 0;
};

// Scans `text` as a document named `name` with the built-in rules.
inline privaudit::ScanResult scan_text(const std::string& text, const std::string& name = "t.txt",
                                       privaudit::ScanSettings settings = {}, size_t step = 0) {
  static privaudit::KeywordIndex kw(builtin_engine().rules());
  static privaudit::Fingerprinter fp("test-key", true);
  privaudit::DocumentScanner ds(builtin_engine(), kw, fp, settings);
  privaudit::ScanResult r;
  if (step) {
    ChunkyReader rd(text, step);
    ds.scan(name, rd, r);
  } else {
    privaudit::MemoryReader rd(text.data(), text.size());
    ds.scan(name, rd, r);
  }
  r.sort();
  return r;
}

inline size_t count_rule(const privaudit::ScanResult& r, const std::string& rule) {
  size_t n = 0;
  for (auto& f : r.findings) n += f.rule == rule;
  return n;
}

}  // namespace testutil
