// Shared pieces of the subcommands: the common options, rule loading, and
// writing reports. Only cmd/ includes CLI11.
#pragma once
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/fingerprint.h"
#include "match/engine.h"
#include "report/report.h"
#include "rules/rule.h"

namespace privaudit::cli {

constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitError = 2;

struct CommonOptions {
  std::string format;                // "" = from -o's extension, else text
  std::string output;                // "" or "-" = stdout
  std::vector<std::string> reports;  // FORMAT=FILE
  bool quiet = false;
  bool no_color = false;
  unsigned threads = 0;
  std::string progress = "auto";
};

void add_common_options(CLI::App& app, CommonOptions& o);

struct RuleOptions {
  std::vector<std::string> rule_paths;
  std::vector<std::string> enable, disable;
};
void add_rule_options(CLI::App& app, RuleOptions& o);
// Built-in rules + --rules, filtered. Prints the problem and returns false.
bool load_rules(const RuleOptions& o, std::vector<Rule>& rules);

// Checks --format and every --report FORMAT=FILE. Prints the problem and
// returns false.
bool check_output_options(const CommonOptions& o);

// The engine over the loaded rules (false, after printing, on a rule error
// or when no rule is enabled).
bool build_engine(const RuleOptions& o, std::unique_ptr<Engine>& engine);
// The fingerprint key (--key-file, PRIVAUDIT_KEY, else random); records its
// mode in the report. False, after printing, when the key file is unusable.
bool load_key(const std::string& key_file, Fingerprinter& fp, Report& report);

// Writes the report in the chosen format(s). Returns false (after printing)
// when an output cannot be written.
bool write_reports(const Report& r, const CommonOptions& o);

// Writes the report once per FORMAT=FILE item (`--report`), and nothing
// else. Returns false (after printing) when one cannot be written.
bool write_report_files(const Report& r, const std::vector<std::string>& specs);

// --fail-on value: nullopt for "never".
bool parse_gate(const std::string& s, std::optional<Severity>& gate);

// The exit code SPEC gives for a finished run.
int exit_code_for(const Report& r, std::optional<Severity> gate, bool allow_incomplete);

// Prints "privaudit: error: ..." to stderr.
void print_error(const std::string& msg);

// Subcommand registration (one per cmd/<name>.cpp).
void register_scan(CLI::App& app, int& exit_code);
void register_rules(CLI::App& app, int& exit_code);
void register_consent(CLI::App& app, int& exit_code);
void register_link(CLI::App& app, int& exit_code);
void register_report(CLI::App& app, int& exit_code);
void register_risk(CLI::App& app, int& exit_code);
void register_redact(CLI::App& app, int& exit_code);

}  // namespace privaudit::cli
