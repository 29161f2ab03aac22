// privaudit redact INPUT... -o OUT: write a de-identified copy (mask, drop,
// sector-keyed pseudonyms, generalised columns), keeping each format.
#include <chrono>
#include <cstdio>
#include <memory>

#include "common.h"
#include "crypto/fingerprint.h"
#include "decode/decode.h"
#include "match/engine.h"
#include "redact/redact.h"
#include "report/sections.h"

namespace privaudit::cli {

namespace {

struct RedactArgs {
  RuleOptions rules;
  std::vector<std::string> inputs;
  std::string output;
  std::vector<std::string> actions, columns, generalise;
  std::string sector;
  std::string key_file;
  std::string min_confidence = "medium";
  std::string encoding = "auto";
  std::string output_encoding = "same";
  std::vector<std::string> include, exclude;
  std::vector<std::string> reports;
  bool quiet = false;
  bool allow_incomplete = false;
  int max_archive_depth = 5;
  uint64_t max_expanded_bytes = uint64_t{8} << 30;
};

// Reads the redaction instructions; prints the problem and returns false.
bool build_policy(const RedactArgs& a, redact::Policy& p) {
  std::string err;
  for (auto& s : a.actions)
    if (!p.add_action(s, err)) return print_error(err), false;
  for (auto& s : a.columns)
    if (!p.add_column(s, err)) return print_error(err), false;
  for (auto& s : a.generalise)
    if (!p.add_generalise(s, err)) return print_error(err), false;
  return true;
}

// Input/output encodings and confidence; prints and returns false on a bad value.
bool build_options(const RedactArgs& a, redact::Options& o) {
  if (!parse_confidence(a.min_confidence, o.settings.min_confidence)) {
    print_error("--min-confidence: expected low, medium or high");
    return false;
  }
  if (a.encoding != "auto") {
    if (!parse_encoding(a.encoding, o.settings.encoding)) {
      print_error("--encoding: unknown encoding '" + a.encoding + "'");
      return false;
    }
    o.settings.force_encoding = true;
  }
  if (a.output_encoding != "same") {
    Encoding e;
    if (!parse_encoding(a.output_encoding, e)) {
      print_error("--output-encoding: unknown encoding '" + a.output_encoding + "'");
      return false;
    }
    o.output_encoding = e;
  }
  for (auto& r : a.reports) {
    auto eq = r.find('=');
    if (a.output == "-" && (eq == std::string::npos || r.substr(eq + 1).empty() || r.substr(eq + 1) == "-")) {
      print_error("--report " + r + ": standard output holds the redacted data (-o -); give a file");
      return false;
    }
  }
  o.inputs = a.inputs;
  o.output = a.output;
  o.include = a.include;
  o.exclude = a.exclude;
  o.max_archive_depth = a.max_archive_depth;
  o.max_expanded_bytes = a.max_expanded_bytes;
  return true;
}

int run(RedactArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  Report report;
  report.command = "redact";
  report.started_at = now_rfc3339();

  redact::Policy policy;
  redact::Options opts;
  if (!build_policy(a, policy) || !build_options(a, opts)) return kExitError;
  std::vector<Rule> rules;
  if (!load_rules(a.rules, rules)) return kExitError;
  std::string err;
  if (!policy.resolve(rules, err)) {
    print_error(err);
    return kExitError;
  }
  auto engine = Engine::build(std::move(rules), err);
  if (!engine) {
    print_error(err);
    return kExitError;
  }
  Fingerprinter fp = Fingerprinter::random();
  if (!Fingerprinter::from_options(a.key_file, fp, err)) {
    print_error(err);
    return kExitError;
  }
  std::unique_ptr<redact::Pseudonymiser> ps;
  if (policy.uses_pseudonym()) {
    if (a.sector.empty() || !redact::valid_sector(a.sector)) {
      print_error("pseudonym needs --sector NAME (1-32 characters: a-z, 0-9, -)");
      return kExitError;
    }
    if (!fp.user_supplied()) {
      print_error("pseudonym needs a key: --key-file FILE or PRIVAUDIT_KEY (tokens under a random key "
                  "could never be joined again)");
      return kExitError;
    }
    ps = std::make_unique<redact::Pseudonymiser>(fp, a.sector);
  }
  report.fingerprint_key = std::string(fp.mode());

  redact::Result res;
  if (!redact::run(*engine, policy, ps.get(), fp, opts, res, err)) {
    print_error(err);
    return kExitError;
  }
  report.files = res.documents;
  report.bytes = res.bytes;
  report.skipped = std::move(res.skipped);
  report.errors = res.errors;
  report.sections.emplace_back("redact", redact::section_json(res, opts, ps.get()));
  report.duration_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - t0)
                                                 .count());
  bool ok = write_report_files(report, a.reports);
  if (!a.quiet) {
    std::string text = render_section_text("redact", report.sections.back().second);
    for (auto& e : report.errors) text += "privaudit: error: " + e.path + ": " + e.error + "\n";
    std::fputs(text.c_str(), stderr);
  }
  if (!ok || res.unresolved > 0) return kExitError;
  if (!report.errors.empty() && !a.allow_incomplete) return kExitError;
  return kExitClean;
}

}  // namespace

void register_redact(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<RedactArgs>();
  CLI::App* sub = app.add_subcommand(
      "redact", "Write a de-identified copy: mask, drop, or replace values with sector-keyed pseudonyms");
  sub->add_option("inputs", a->inputs, "Files, folders, archives, or - for stdin")->required();
  sub->add_option("-o,--output", a->output, "Output folder (inputs mirrored under it), FILE for one input, or - for stdout")
      ->required();
  sub->add_option("--action", a->actions, "RULE|TAG|*=mask|drop|pseudonym|keep[:REASON] (repeatable; default mask)")
      ->allow_extra_args(false);
  sub->add_option("--column", a->columns, "Whole column / JSON key: COL=mask|drop|pseudonym|keep[:REASON] (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--generalise,--generalize", a->generalise,
                  "COL=date:year|date:month|postal:N|age:N (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--sector", a->sector, "Sector of the pseudonyms (required for pseudonym): a-z, 0-9, -");
  sub->add_option("--key-file", a->key_file, "Key for pseudonyms (else PRIVAUDIT_KEY; required for pseudonym)");
  add_rule_options(*sub, a->rules);
  sub->add_option("--min-confidence", a->min_confidence, "Replace findings at or above: low, medium, high (default medium)")
      ->check(CLI::IsMember({"low", "medium", "high"}));
  sub->add_option("--encoding", a->encoding, "Input encoding: auto, utf-8, utf-16le, utf-16be, cp932 (shift_jis), euc-jp");
  sub->add_option("--output-encoding", a->output_encoding, "same (default: each input's own), utf-8, utf-16le, utf-16be, cp932, euc-jp");
  sub->add_option("--include", a->include, "Only files matching GLOB in folders (repeatable)")->allow_extra_args(false);
  sub->add_option("--exclude", a->exclude, "Skip files and folders matching GLOB (repeatable)")->allow_extra_args(false);
  sub->add_option("--max-archive-depth", a->max_archive_depth, "Nested archive depth (default 5)");
  sub->add_option("--max-expanded-bytes", a->max_expanded_bytes, "Bytes expanded per top-level input (default 8 GiB)");
  sub->add_option("--report", a->reports, "Write the run's report as FORMAT=FILE (repeatable)")->allow_extra_args(false);
  sub->add_flag("-q,--quiet", a->quiet, "No summary on stderr");
  sub->add_flag("--allow-incomplete", a->allow_incomplete,
                "Unreadable or unwritable inputs are a warning, not exit 2 (a value found but not rewritten is always exit 2)");
  sub->callback([a, &exit_code]() { exit_code = run(*a); });
}

}  // namespace privaudit::cli
