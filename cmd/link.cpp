// privaudit link A B | DIR|FILES...: how easily tables can be joined.
#include <chrono>
#include <memory>

#include "common.h"
#include "crypto/fingerprint.h"
#include "decode/decode.h"
#include "link/run.h"
#include "match/engine.h"

namespace privaudit::cli {

namespace {

struct LinkArgs {
  CommonOptions common;
  RuleOptions rules;
  std::vector<std::string> paths;
  std::vector<std::string> on;
  std::string fail_on = "high";
  std::string key_file;
  std::string encoding = "auto";
  std::string delimiter;
  bool allow_incomplete = false;
  double min_containment = 0.5;
  double min_distinct = 20;
};

// Fills the engine options from the arguments; prints and returns false on a
// bad value.
bool table_options(const LinkArgs& a, TableOptions& t) {
  if (a.encoding != "auto") {
    Encoding e;
    if (!parse_encoding(a.encoding, e)) {
      print_error("--encoding: unknown encoding '" + a.encoding + "'");
      return false;
    }
    t.encoding = e;
  }
  if (!a.delimiter.empty()) {
    std::string d = a.delimiter == "\\t" || a.delimiter == "tab" ? "\t" : a.delimiter;
    if (d.size() != 1) {
      print_error("--delimiter: expected one character (, ; | or tab)");
      return false;
    }
    t.delimiter = d[0];
  }
  return true;
}

int run(LinkArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  Report report;
  report.command = "link";
  report.started_at = now_rfc3339();

  std::optional<Severity> gate;
  if (!parse_gate(a.fail_on, gate)) {
    print_error("--fail-on: expected info, low, medium, high, critical or never");
    return kExitError;
  }
  link::LinkOptions lo;
  if (!table_options(a, lo.profile.table)) return kExitError;
  for (auto& item : a.on) {
    link::OnSpec s;
    if (!link::parse_on(item, s)) {
      print_error("--on: expected COL or LEFT_COL=RIGHT_COL, got '" + item + "'");
      return kExitError;
    }
    lo.on.push_back(s);
  }
  lo.discovery.min_containment = a.min_containment;
  lo.discovery.min_distinct = a.min_distinct;
  lo.threads = a.common.threads;

  std::unique_ptr<Engine> engine;
  if (!build_engine(a.rules, engine)) return kExitError;
  Fingerprinter fp = Fingerprinter::random();
  if (!load_key(a.key_file, fp, report)) return kExitError;
  std::string err;

  std::vector<InputError> walk_errors;
  auto tables = link::collect_tables(a.paths, walk_errors);
  bool any_dir = tables.size() != a.paths.size() || a.paths.size() != 2;
  lo.multi = any_dir;
  link::LinkRun res;
  res.errors = walk_errors;
  if (!link::run_link(tables, *engine, fp, lo, res, err)) {
    for (auto& e : res.errors) print_error(e.path + ": " + e.error);
    print_error(err);
    return kExitError;
  }
  report.files = res.files;
  report.bytes = res.bytes;
  report.errors = std::move(res.errors);
  report.findings = std::move(res.findings);
  report.sections.emplace_back("link", std::move(res.section));
  report.duration_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - t0)
                                                 .count());
  if (!write_reports(report, a.common)) return kExitError;
  return exit_code_for(report, gate, a.allow_incomplete);
}

}  // namespace

void register_link(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<LinkArgs>();
  CLI::App* sub = app.add_subcommand(
      "link", "How easily tables can be joined: shared identifiers, unique matches, identifier conflicts");
  sub->add_option("tables", a->paths, "Two tables (CSV, TSV, JSON Lines), or folders / more tables for every pair")
      ->required();
  sub->add_option("--on", a->on, "Join keys: COL or LEFT_COL=RIGHT_COL, comma-separated or repeated (default: discover)")
      ->delimiter(',')
      ->allow_extra_args(false);
  add_common_options(*sub, a->common);
  add_rule_options(*sub, a->rules);
  sub->add_option("--fail-on", a->fail_on, "Exit 1 on a finding at or above: info, low, medium, high, critical, never (default high)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical", "never"}));
  sub->add_option("--key-file", a->key_file, "Key for fingerprints and hashes (else PRIVAUDIT_KEY, else random per run)");
  sub->add_option("--encoding", a->encoding, "auto, utf-8, utf-16le, utf-16be, cp932 (shift_jis), euc-jp");
  sub->add_option("--delimiter", a->delimiter, "CSV delimiter: , ; | or tab (default: detect)");
  sub->add_option("--min-containment", a->min_containment, "Value-overlap keys: shared share of the smaller column (default 0.5)");
  sub->add_option("--min-distinct", a->min_distinct, "Value-overlap keys: distinct values each column needs (default 20)");
  sub->add_flag("--allow-incomplete", a->allow_incomplete, "Unreadable inputs are a warning, not exit 2");
  sub->callback([a, &exit_code]() { exit_code = run(*a); });
}

}  // namespace privaudit::cli
