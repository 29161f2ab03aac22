// Shared set-up for the libFuzzer targets (tests/fuzz/fuzz_*.cpp): the
// built-in rules compiled once per process, and a document scanner over them.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "crypto/fingerprint.h"
#include "match/engine.h"
#include "rules/rule.h"
#include "scan/evidence.h"
#include "scan/scanner.h"

namespace fuzz {

// The engine over the built-in rules, built on first use; aborts if the
// built-in pack does not load (a bug, not a finding of the fuzzer).
inline const privaudit::Engine& engine() {
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

inline const privaudit::KeywordIndex& keywords() {
  static privaudit::KeywordIndex kw(engine().rules());
  return kw;
}

inline const privaudit::Fingerprinter& fingerprinter() {
  static privaudit::Fingerprinter fp("fuzz-key", true);
  return fp;
}

// A scanner reused across inputs, as a worker thread reuses its own. The
// chunk size is small so that one input crosses several regions. `binary`:
// binary files are scanned for printable strings (--binary).
inline privaudit::DocumentScanner& scanner(bool binary = false) {
  auto make = [](bool bin) {
    privaudit::ScanSettings s;
    s.chunk_size = 4096;
    s.min_confidence = privaudit::Confidence::low;
    s.binary = bin;
    return std::make_unique<privaudit::DocumentScanner>(engine(), keywords(), fingerprinter(), s);
  };
  static std::unique_ptr<privaudit::DocumentScanner> text = make(false), bin = make(true);
  return binary ? *bin : *text;
}

// Checks a result's invariants: every finding names its rule and path,
// carries a 16-digit fingerprint and a masked value that hides at least one
// character. Aborts otherwise (libFuzzer reports it as a crash).
inline void check(const privaudit::ScanResult& r) {
  for (const auto& f : r.findings) {
    if (f.rule.empty() || f.path.empty() || f.fingerprint.size() != 16) std::abort();
    if (f.masked.empty() || f.masked[0] != '*') std::abort();
  }
}

}  // namespace fuzz
