#include "scan/selftest.h"

#include <fmt/format.h>

#include "crypto/fingerprint.h"
#include "match/engine.h"
#include "scan/scanner.h"

namespace privaudit {

ExampleResult run_rule_examples(const std::vector<Rule>& all, const std::vector<Rule>& tested,
                                std::string& error) {
  ExampleResult res;
  auto engine = Engine::build(all, error);
  if (!engine) return res;
  KeywordIndex kw(engine->rules());
  Fingerprinter fp("rules-test", true);
  ScanSettings settings;
  DocumentScanner ds(*engine, kw, fp, settings);
  auto count = [&](const std::string& text, const std::string& id) {
    MemoryReader rd(text.data(), text.size());
    ScanResult r;
    ds.scan("example.txt", rd, r);
    size_t n = 0;
    for (auto& f : r.findings) n += f.rule == id;
    return n;
  };
  for (auto& rule : tested) {
    for (size_t i = 0; i < rule.examples_match.size(); ++i) {
      if (count(rule.examples_match[i], rule.id) > 0) ++res.passed;
      else res.failures.push_back(fmt::format("{}: match example {} gave no finding: {}", rule.id,
                                              i + 1, rule.examples_match[i]));
    }
    for (size_t i = 0; i < rule.examples_no_match.size(); ++i) {
      if (count(rule.examples_no_match[i], rule.id) == 0) ++res.passed;
      else res.failures.push_back(fmt::format("{}: no_match example {} gave a finding: {}", rule.id,
                                              i + 1, rule.examples_no_match[i]));
    }
  }
  return res;
}

}  // namespace privaudit
