// privaudit rules list | show ID | test [PATH] | lint PATH
#include <cstdio>
#include <memory>

#include "common.h"
#include "report/json_writer.h"
#include "scan/selftest.h"

namespace privaudit::cli {

namespace {

struct RulesArgs {
  RuleOptions rules;
  std::string format = "text";
  std::string id;
  std::string path;
};

void write_rule_json(JsonWriter& w, const Rule& r) {
  w.begin_object();
  w.key("id").value(r.id);
  w.key("name").value(r.name);
  w.key("description").value(r.description);
  w.key("severity").value(to_string(r.severity));
  w.key("message").value(r.message);
  w.key("patterns").begin_array();
  for (auto& p : r.patterns) w.value(p);
  w.end_array();
  if (r.has_digits()) {
    w.key("digits").begin_object();
    w.key("lengths").begin_array();
    for (int l : r.digits.lengths) w.value(l);
    w.end_array();
    w.key("groupings").begin_array();
    for (auto& g : r.digits.groupings) {
      w.begin_array();
      for (int x : g) w.value(x);
      w.end_array();
    }
    w.end_array();
    w.end_object();
  }
  if (!r.validator_name.empty()) w.key("validator").value(r.validator_name);
  w.key("evidence_required").value(r.evidence_required);
  auto arr = [&](const char* k, const std::vector<std::string>& v) {
    w.key(k).begin_array();
    for (auto& s : v) w.value(s);
    w.end_array();
  };
  arr("context", r.context);
  arr("context_negative", r.context_negative);
  arr("tags", r.tags);
  arr("references", r.references);
  w.key("examples").begin_object();
  arr("match", r.examples_match);
  arr("no_match", r.examples_no_match);
  w.end_object();
  w.key("source").value(r.source);
  w.end_object();
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

int list(RulesArgs& a) {
  std::vector<Rule> rules;
  if (!load_rules(a.rules, rules)) return kExitError;
  if (a.format == "json") {
    std::string out;
    JsonWriter w(out);
    w.begin_object().key("rules").begin_array();
    for (auto& r : rules) write_rule_json(w, r);
    w.end_array().end_object();
    std::fputs(out.c_str(), stdout);
    return kExitClean;
  }
  for (auto& r : rules)
    std::printf("%-26s %-9s %-28s %s\n", r.id.c_str(), std::string(to_string(r.severity)).c_str(),
                join(r.tags, ",").c_str(), r.name.c_str());
  return kExitClean;
}

int show(RulesArgs& a) {
  std::vector<Rule> rules;
  if (!load_rules(a.rules, rules)) return kExitError;
  for (auto& r : rules) {
    if (r.id != a.id) continue;
    std::string out;
    JsonWriter w(out);
    write_rule_json(w, r);
    std::fputs(out.c_str(), stdout);
    std::fputs("\n", stdout);
    return kExitClean;
  }
  print_error("no rule with id '" + a.id + "' (see 'privaudit rules list')");
  return kExitError;
}

int test(RulesArgs& a) {
  std::vector<Rule> all;
  if (!load_rules(a.rules, all)) return kExitError;
  std::vector<Rule> tested = all;
  std::string err;
  if (!a.path.empty()) {
    tested.clear();
    if (!load_rules_path(a.path, tested, err)) {
      print_error(err);
      return kExitError;
    }
    merge_rules(all, tested);
  }
  ExampleResult r = run_rule_examples(all, tested, err);
  if (!err.empty()) {
    print_error(err);
    return kExitError;
  }
  for (auto& f : r.failures) std::printf("FAIL %s\n", f.c_str());
  std::printf("%zu passed, %zu failed\n", r.passed, r.failures.size());
  return r.failures.empty() ? kExitClean : kExitFindings;
}

int lint(RulesArgs& a) {
  std::vector<Rule> rules;
  std::string err;
  if (!load_rules_path(a.path, rules, err)) {
    print_error(err);
    return kExitError;
  }
  std::vector<std::string> problems;
  lint_rules(rules, problems);
  for (auto& p : problems) std::fprintf(stderr, "privaudit: error: %s\n", p.c_str());
  if (!problems.empty()) return kExitError;
  std::printf("%s: %zu rule%s OK\n", a.path.c_str(), rules.size(), rules.size() == 1 ? "" : "s");
  return kExitClean;
}

}  // namespace

void register_rules(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<RulesArgs>();
  CLI::App* sub = app.add_subcommand("rules", "The rule library: list, show, test, lint");
  sub->require_subcommand(1);
  CLI::App* l = sub->add_subcommand("list", "List the enabled rules");
  add_rule_options(*l, a->rules);
  l->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  l->callback([a, &exit_code]() { exit_code = list(*a); });
  CLI::App* s = sub->add_subcommand("show", "Show one rule as JSON");
  add_rule_options(*s, a->rules);
  s->add_option("id", a->id, "Rule id")->required();
  s->callback([a, &exit_code]() { exit_code = show(*a); });
  CLI::App* t = sub->add_subcommand("test", "Run every rule's examples (exit 1 on a failure)");
  add_rule_options(*t, a->rules);
  t->add_option("path", a->path, "Rule file or folder to test (default: the built-in pack)");
  t->callback([a, &exit_code]() { exit_code = test(*a); });
  CLI::App* li = sub->add_subcommand("lint", "Validate a rule file or folder (exit 2 on a problem)");
  li->add_option("path", a->path, "Rule file or folder")->required();
  li->callback([a, &exit_code]() { exit_code = lint(*a); });
}

}  // namespace privaudit::cli
