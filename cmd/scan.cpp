// privaudit scan [PATH...]: find leaked identifiers.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "common.h"
#include "crypto/fingerprint.h"
#include "decode/decode.h"
#include "match/engine.h"
#include "report/json_writer.h"
#include "report/render.h"
#include "scan/run.h"

namespace privaudit::cli {

namespace {

struct ScanArgs {
  CommonOptions common;
  RuleOptions rules;
  std::vector<std::string> paths;
  std::string min_confidence = "medium";
  std::string fail_on = "high";
  std::string key_file;
  std::vector<std::string> include, exclude;
  uint64_t max_file_size = 0;
  bool binary = false;
  std::string encoding = "auto";
  bool allow_incomplete = false;
  int max_archive_depth = 5;
  uint64_t max_expanded_bytes = uint64_t{8} << 30;
  DatabaseOptions database;
};

// The report's "sampled" section: which tables were read as a sample.
std::string sampled_json(const std::vector<Sampled>& sampled) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (auto& s : sampled)
    w.begin_object().key("path").value(s.path).key("rows").value(s.rows).key("method").value(s.method).end_object();
  w.end_array();
  return out;
}

int run(ScanArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  Report report;
  report.command = "scan";
  report.started_at = now_rfc3339();

  std::optional<Severity> gate;
  if (!parse_gate(a.fail_on, gate)) {
    print_error("--fail-on: expected info, low, medium, high, critical or never");
    return kExitError;
  }
  RunOptions ro;
  if (!parse_confidence(a.min_confidence, ro.settings.min_confidence)) {
    print_error("--min-confidence: expected low, medium or high");
    return kExitError;
  }
  if (a.encoding != "auto") {
    if (!parse_encoding(a.encoding, ro.settings.encoding)) {
      print_error("--encoding: unknown encoding '" + a.encoding + "'");
      return kExitError;
    }
    ro.settings.force_encoding = true;
  }
  std::vector<Rule> rules;
  if (!load_rules(a.rules, rules)) return kExitError;
  if (rules.empty()) {
    print_error("no rules enabled");
    return kExitError;
  }
  std::string err;
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
  report.fingerprint_key = std::string(fp.mode());

  ro.paths = a.paths.empty() ? std::vector<std::string>{"."} : a.paths;
  ro.threads = a.common.threads;
  ro.include = a.include;
  ro.exclude = a.exclude;
  ro.max_file_size = a.max_file_size;
  ro.settings.binary = a.binary;
  ro.max_archive_depth = a.max_archive_depth;
  ro.max_expanded_bytes = a.max_expanded_bytes;
  ro.database = a.database;
  bool progress = a.common.progress == "always" ||
                  (a.common.progress == "auto" && isatty(2) && !a.common.quiet);
  if (progress) {
    ro.progress = [t0](uint64_t files, uint64_t bytes) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "\r\x1b[2K%llu files, %.1f MB, %.1f MB/s", static_cast<unsigned long long>(files),
                   static_cast<double>(bytes) / 1e6, s > 0 ? static_cast<double>(bytes) / 1e6 / s : 0.0);
    };
  }
  ScanResult res = run_scan(*engine, fp, ro);
  if (progress) std::fputs("\r\x1b[2K", stderr);

  report.files = res.files;
  report.bytes = res.bytes;
  report.skipped = std::move(res.skipped);
  report.errors = std::move(res.errors);
  report.findings = std::move(res.findings);
  report.suppressed = res.suppressed;
  if (!res.sampled.empty()) report.sections.emplace_back("sampled", sampled_json(res.sampled));
  report.duration_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - t0)
                                                 .count());
  if (!write_reports(report, a.common)) return kExitError;
  return exit_code_for(report, gate, a.allow_incomplete);
}

}  // namespace

void register_scan(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ScanArgs>();
  CLI::App* sub = app.add_subcommand("scan", "Find leaked identifiers in files, folders, archives and stdin (-)");
  sub->add_option("paths", a->paths,
                  "Files, folders, - for stdin, or database URIs: sqlite:///path.db, "
                  "postgresql://user@host/db, mysql://user@host/db (default: .)");
  add_common_options(*sub, a->common);
  add_rule_options(*sub, a->rules);
  sub->add_option("--min-confidence", a->min_confidence, "Drop findings below: low, medium, high (default medium)")
      ->check(CLI::IsMember({"low", "medium", "high"}));
  sub->add_option("--fail-on", a->fail_on, "Exit 1 on a finding at or above: info, low, medium, high, critical, never (default high)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical", "never"}));
  sub->add_option("--key-file", a->key_file, "Key for fingerprints (else PRIVAUDIT_KEY, else random per run)");
  sub->add_option("--include", a->include, "Only scan files matching GLOB (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--exclude", a->exclude, "Skip files and folders matching GLOB (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--max-file-size", a->max_file_size, "Skip files larger than BYTES");
  sub->add_flag("--binary", a->binary, "Scan printable strings of binary files instead of skipping them");
  sub->add_option("--encoding", a->encoding, "auto, utf-8, utf-16le, utf-16be, cp932 (shift_jis), euc-jp");
  sub->add_flag("--allow-incomplete", a->allow_incomplete, "Unreadable inputs are a warning, not exit 2");
  sub->add_option("--max-archive-depth", a->max_archive_depth, "Nested archive depth (default 5)");
  sub->add_option("--max-expanded-bytes", a->max_expanded_bytes, "Bytes expanded per top-level input (default 8 GiB)");
  sub->add_option("--table", a->database.tables, "Databases: scan only SCHEMA.TABLE (or TABLE; repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--exclude-table", a->database.exclude_tables, "Databases: skip tables matching GLOB (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--views", a->database.views, "Databases: scan views (and materialized views) too");
  sub->add_option("--sample", a->database.sample, "Databases: read at most N random rows per table (report key \"sampled\")")
      ->check(CLI::PositiveNumber);
  sub->callback([a, &exit_code]() { exit_code = run(*a); });
}

}  // namespace privaudit::cli
