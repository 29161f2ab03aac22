// Fuzz target: the rule loader (parse_rule_file), then lint and engine
// compilation of what it accepted (small patterns only: vectorscan's
// compile time grows with pattern size, which is not what is tested here).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "match/engine.h"
#include "rules/rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  std::vector<privaudit::Rule> rules;
  std::string err;
  if (!privaudit::parse_rule_file(json, "fuzz.json", rules, err)) {
    if (err.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  size_t pattern_bytes = 0;
  for (const auto& r : rules)
    for (const auto& p : r.patterns) pattern_bytes += p.size();
  if (rules.size() > 8 || pattern_bytes > 128) return 0;
  std::vector<std::string> problems;
  privaudit::lint_rules(rules, problems);
  privaudit::select_rules(rules, {}, {"fuzz-disabled"});
  auto engine = privaudit::Engine::build(std::move(rules), err);
  (void)engine;
  return 0;
}
