// `privaudit rules test`: runs every rule's own examples through the engine.
#pragma once
#include <string>
#include <vector>

#include "rules/rule.h"

namespace privaudit {

struct ExampleResult {
  size_t passed = 0;
  std::vector<std::string> failures;  // "rule-id: match example 2 not found: ..."
};

// Scans each example of each rule in `tested` as a small text document with
// every rule of `all` enabled (default minimum confidence): a `match` example
// must give a finding of its rule, a `no_match` example none.
ExampleResult run_rule_examples(const std::vector<Rule>& all, const std::vector<Rule>& tested,
                                std::string& error);

}  // namespace privaudit
