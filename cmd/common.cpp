#include "common.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "report/render.h"

namespace privaudit::cli {

void print_error(const std::string& msg) { std::fprintf(stderr, "privaudit: error: %s\n", msg.c_str()); }

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--format", o.format, "Report format: text, json, jsonl, sarif, html, markdown (default: from -o's extension, else text)");
  app.add_option("-o,--output", o.output, "Write the report to FILE (default: stdout)");
  app.add_option("--report", o.reports, "Also write FORMAT=FILE (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("-q,--quiet", o.quiet, "No summary on stderr");
  app.add_flag("--no-color", o.no_color, "No colour in text output (NO_COLOR is honoured too)");
  app.add_option("-j,--threads", o.threads, "Worker threads (default: all cores)");
  app.add_option("--progress", o.progress, "Progress on stderr: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

void add_rule_options(CLI::App& app, RuleOptions& o) {
  app.add_option("--rules", o.rule_paths, "Rule file or folder; adds rules or overrides by id (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--enable", o.enable, "Only these rule ids or tags (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--disable", o.disable, "Disable rule ids or tags (repeatable)")
      ->allow_extra_args(false);
}

bool load_rules(const RuleOptions& o, std::vector<Rule>& rules) {
  std::string err;
  if (!load_builtin_rules(rules, err)) {
    print_error(err);
    return false;
  }
  for (auto& p : o.rule_paths) {
    std::vector<Rule> extra;
    if (!load_rules_path(p, extra, err)) {
      print_error(err);
      return false;
    }
    merge_rules(rules, std::move(extra));
  }
  select_rules(rules, o.enable, o.disable);
  return true;
}

bool build_engine(const RuleOptions& o, std::unique_ptr<Engine>& engine) {
  std::vector<Rule> rules;
  if (!load_rules(o, rules)) return false;
  if (rules.empty()) {
    print_error("no rules enabled");
    return false;
  }
  std::string err;
  engine = Engine::build(std::move(rules), err);
  if (!engine) {
    print_error(err);
    return false;
  }
  return true;
}

bool load_key(const std::string& key_file, Fingerprinter& fp, Report& report) {
  std::string err;
  if (!Fingerprinter::from_options(key_file, fp, err)) {
    print_error(err);
    return false;
  }
  report.fingerprint_key = std::string(fp.mode());
  return true;
}

namespace {
// Renders the report in `format` straight into `path` ("-" or "": stdout).
bool write_to(const std::string& path, const Report& r, const std::string& format, bool color) {
  if (path.empty() || path == "-") {
    bool ok = render_to(r, format, color, stdout);
    ok = std::fflush(stdout) == 0 && ok;
    if (!ok) print_error("cannot write the report to standard output");
    return ok;
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    print_error(path + ": cannot write the report: " + std::strerror(errno));
    return false;
  }
  bool ok = render_to(r, format, color, f);
  ok = std::fclose(f) == 0 && ok;
  if (!ok) print_error(path + ": cannot write the report");
  return ok;
}
}  // namespace

bool check_output_options(const CommonOptions& o) {
  if (!o.format.empty() && !known_format(o.format)) {
    print_error("--format: unknown format '" + o.format + "' (text, json, jsonl, sarif, html, markdown)");
    return false;
  }
  for (auto& spec : o.reports) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq + 1 == spec.size()) {
      print_error("--report: expected FORMAT=FILE, not '" + spec + "'");
      return false;
    }
    if (!known_format(spec.substr(0, eq))) {
      print_error("--report: unknown format '" + spec.substr(0, eq) + "' (text, json, jsonl, sarif, html, markdown)");
      return false;
    }
  }
  return true;
}

bool write_reports(const Report& r, const CommonOptions& o) {
  std::string fmt = o.format;
  if (fmt.empty() && !o.output.empty() && o.output != "-") fmt = format_for_extension(o.output);
  if (fmt.empty()) fmt = "text";
  bool to_tty = (o.output.empty() || o.output == "-") && isatty(1);
  bool color = fmt == "text" && to_tty && !o.no_color && !std::getenv("NO_COLOR");
  bool ok = write_to(o.output, r, fmt, color);
  for (auto& spec : o.reports) {
    auto eq = spec.find('=');
    std::string f = spec.substr(0, eq), path = eq == std::string::npos ? "" : spec.substr(eq + 1);
    ok = write_to(path, r, f, false) && ok;
  }
  if (!o.quiet) std::fputs(render_summary_line(r).c_str(), stderr);
  return ok;
}

bool write_report_files(const Report& r, const std::vector<std::string>& specs) {
  bool ok = true;
  for (auto& spec : specs) {
    auto eq = spec.find('=');
    std::string f = spec.substr(0, eq), path = eq == std::string::npos ? "" : spec.substr(eq + 1);
    ok = write_to(path, r, f, false) && ok;
  }
  return ok;
}

bool parse_gate(const std::string& s, std::optional<Severity>& gate) {
  if (s == "never") {
    gate.reset();
    return true;
  }
  Severity v;
  if (!parse_severity(s, v)) return false;
  gate = v;
  return true;
}

int exit_code_for(const Report& r, std::optional<Severity> gate, bool allow_incomplete) {
  if (gate_tripped(r, gate)) return kExitFindings;
  if (!r.errors.empty() && !allow_incomplete) return kExitError;
  return kExitClean;
}

}  // namespace privaudit::cli
