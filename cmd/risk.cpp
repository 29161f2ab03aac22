// privaudit risk FILE: re-identification risk of one table over its
// quasi-identifiers.
#include <chrono>
#include <cstdio>
#include <memory>

#include "common.h"
#include "match/engine.h"
#include "risk/analyze.h"

namespace privaudit::cli {

namespace {

struct RiskArgs {
  CommonOptions common;
  std::string file;
  std::vector<std::string> qi;
  std::string sensitive;
  uint64_t k = 5;
  double risk_threshold = 0.2;
  double population = 0;
  bool auto_qi = false;
  std::string delimiter;
  double unique_share = 0.5;
  std::string fail_on = "high";
  bool no_identifiers = false;
};

// --delimiter: one character, or "tab" / "\t".
bool parse_delimiter(const std::string& s, char& out) {
  if (s.empty()) {
    out = 0;
    return true;
  }
  if (s == "tab" || s == "\\t" || s == "\t") {
    out = '\t';
    return true;
  }
  if (s.size() != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r') return false;
  out = s[0];
  return true;
}

int run(RiskArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  std::optional<Severity> gate;
  if (!parse_gate(a.fail_on, gate)) {
    print_error("--fail-on: expected info, low, medium, high, critical or never");
    return kExitError;
  }
  risk::RiskOptions o;
  o.qi = a.qi;
  o.sensitive = a.sensitive;
  o.k = a.k;
  o.risk_threshold = a.risk_threshold;
  if (a.population > 0) o.population = a.population;
  o.auto_qi = a.auto_qi;
  o.unique_share = a.unique_share;
  if (!parse_delimiter(a.delimiter, o.delimiter)) {
    print_error("--delimiter: expected one character (, ; | or tab)");
    return kExitError;
  }
  std::unique_ptr<Engine> engine;
  if (!a.no_identifiers) {
    std::vector<Rule> rules;
    std::string err;
    if (!load_builtin_rules(rules, err) || !(engine = Engine::build(std::move(rules), err))) {
      print_error(err);
      return kExitError;
    }
  }

  Report report;
  report.command = "risk";
  report.started_at = now_rfc3339();
  risk::RiskAnalysis res;
  std::string err;
  risk::RiskStatus st = risk::analyze_risk(a.file, o, engine.get(), res, err);
  if (st == risk::RiskStatus::usage_error) {
    print_error(err);
    return kExitError;
  }
  if (st == risk::RiskStatus::input_error) report.errors.push_back({a.file, res.read_error.empty() ? err : res.read_error});
  bool have_metrics = st == risk::RiskStatus::ok || !res.read_error.empty();
  report.files = have_metrics ? 1 : 0;
  report.bytes = res.bytes;
  if (have_metrics) {
    report.sections.emplace_back("risk", risk::risk_section_json(res, o));
    report.findings = risk::risk_findings(res, o);
  }
  if (res.malformed && !a.common.quiet)
    std::fprintf(stderr, "privaudit: warning: %s: %llu malformed rows (counted in risk.malformed_rows)\n",
                 a.file.c_str(), static_cast<unsigned long long>(res.malformed));
  report.duration_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  if (!write_reports(report, a.common)) return kExitError;
  return exit_code_for(report, gate, false);
}

}  // namespace

void register_risk(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<RiskArgs>();
  CLI::App* sub = app.add_subcommand("risk", "Re-identification risk of one table (CSV/TSV/JSONL) over its quasi-identifiers");
  sub->add_option("file", a->file, "Table: CSV, TSV, or JSON Lines")->required();
  sub->add_option("--qi", a->qi, "Quasi-identifier columns (comma-separated or repeated)")->delimiter(',');
  sub->add_option("--sensitive", a->sensitive, "Sensitive column: l-diversity of its values in each class");
  sub->add_option("--k", a->k, "k-anonymity target: a finding when the smallest class is smaller (default 5)");
  sub->add_option("--risk-threshold", a->risk_threshold,
                  "A record is at risk when 1/class size exceeds this (default 0.2)");
  sub->add_option("--population", a->population,
                  "Population size the table was drawn from: estimates population uniqueness");
  sub->add_flag("--auto-qi", a->auto_qi, "Propose quasi-identifiers from column names and contents (added to --qi)");
  sub->add_option("--delimiter", a->delimiter, "CSV delimiter: , ; | or tab (default: detected)");
  sub->add_option("--unique-share", a->unique_share,
                  "Share of unique records a column combination must reach to be listed (default 0.5)");
  sub->add_option("--fail-on", a->fail_on, "Exit 1 on a finding at or above: info, low, medium, high, critical, never (default high)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical", "never"}));
  sub->add_flag("--no-identifiers", a->no_identifiers, "Do not look for direct-identifier columns");
  add_common_options(*sub, a->common);
  sub->callback([a, &exit_code]() { exit_code = run(*a); });
}

}  // namespace privaudit::cli
