// Rule schema (see privaudit-rules(5)), loading from JSON, and the rule set a
// run uses (built-in pack + --rules overrides, filtered by --enable/--disable).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "validate/validators.h"

namespace privaudit {

struct DigitShape {
  std::vector<int> lengths;                 // accepted ungrouped digit counts
  std::vector<std::vector<int>> groupings;  // accepted group-length tuples
  bool empty() const { return lengths.empty() && groupings.empty(); }
};

struct Rule {
  std::string id;
  std::string name;
  std::string description;
  Severity severity = Severity::medium;
  std::string message;
  std::vector<std::string> patterns;
  DigitShape digits;  // non-empty: served by the digit-run pass
  std::string matcher;  // a built-in scanner that serves the rule instead of its patterns
  std::string validator_name;
  validate::ValidatorFn validator = nullptr;
  bool evidence_required = false;
  std::vector<std::string> context;
  std::vector<std::string> context_negative;
  std::vector<std::string> tags;
  std::vector<std::string> references;
  std::vector<std::string> examples_match;
  std::vector<std::string> examples_no_match;
  std::string source;  // file it came from

  bool has_digits() const { return !digits.empty(); }
  bool has_tag(std::string_view t) const;
};

// Parses one rule file ({"rules": [...]}). Appends to `out`; on error returns
// false with `error` naming the file, the rule and the problem.
bool parse_rule_file(std::string_view json, const std::string& source, std::vector<Rule>& out,
                     std::string& error);

// Reads a rule file or every *.json in a folder (sorted).
bool load_rules_path(const std::string& path, std::vector<Rule>& out, std::string& error);

// The built-in pack.
bool load_builtin_rules(std::vector<Rule>& out, std::string& error);

// Adds `extra` to `base`, replacing rules with the same id.
void merge_rules(std::vector<Rule>& base, std::vector<Rule> extra);

// Keeps the rules selected by --enable/--disable (ids or tags). With a
// non-empty `enable`, only those are kept; `disable` removes.
void select_rules(std::vector<Rule>& rules, const std::vector<std::string>& enable,
                  const std::vector<std::string>& disable);

// Names of the built-in matchers a rule may name in "matcher".
bool known_matcher(std::string_view name);

// Checks patterns compile (vectorscan) and fields are sane; names the problem.
bool lint_rules(const std::vector<Rule>& rules, std::vector<std::string>& problems);

}  // namespace privaudit
