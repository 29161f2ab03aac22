// privaudit scan [PATH...]: find leaked identifiers.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "common.h"
#include "crypto/fingerprint.h"
#include "decode/decode.h"
#include "match/engine.h"
#include "report/baseline.h"
#include "report/json_writer.h"
#include "report/render.h"
#include "report/spool.h"
#include "scan/config.h"
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
  std::string config;
  std::string baseline;
  std::string write_baseline;
  // The options given on the command line win over the configuration file.
  std::map<std::string, CLI::Option*> opts;
  bool given(const std::string& name) const {
    auto it = opts.find(name);
    return it != opts.end() && it->second->count() > 0;
  }
  uint64_t max_archive_entries = 1000000;
  DatabaseOptions database;
};

// Fills what the command line left unset from --config FILE or, without it,
// from ./.privaudit.json when there is one. Prints the problem and returns
// false on a malformed file.
bool apply_config(ScanArgs& a) {
  std::string path = a.config;
  if (path.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(kDefaultConfigName, ec)) return true;
    path = kDefaultConfigName;
  }
  ScanConfig c;
  std::string err;
  if (!load_scan_config(path, c, err)) {
    print_error(err);
    return false;
  }
  auto take = [&](const char* flag, auto& dst, const auto& src) {
    if (src && !a.given(flag)) dst = *src;
  };
  take("--rules", a.rules.rule_paths, c.rules);
  take("--enable", a.rules.enable, c.enable);
  take("--disable", a.rules.disable, c.disable);
  take("--include", a.include, c.include);
  take("--exclude", a.exclude, c.exclude);
  take("--fail-on", a.fail_on, c.fail_on);
  take("--min-confidence", a.min_confidence, c.min_confidence);
  take("--key-file", a.key_file, c.key_file);
  take("--baseline", a.baseline, c.baseline);
  return true;
}

std::string format_duration(double s) {
  auto t = static_cast<uint64_t>(s + 0.5);
  if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, t / 60 % 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

// A progress line on stderr, redrawn at most ten times a second.
std::function<void(const Progress&)> progress_printer(std::chrono::steady_clock::time_point t0) {
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [t0, last](const Progress& p) {
    auto now = std::chrono::steady_clock::now();
    bool final = p.files_done == p.files_total;
    if (!final && now - *last < std::chrono::milliseconds(100)) return;
    *last = now;
    double s = std::chrono::duration<double>(now - t0).count();
    double rate = s > 0 ? static_cast<double>(p.bytes_done) / s : 0.0;
    std::string line = fmt::format("{}/{} files, {:.1f}", p.files_done, p.files_total,
                                   static_cast<double>(p.bytes_done) / 1e6);
    if (p.total_known) {
      line += fmt::format("/{:.1f} MB", static_cast<double>(p.bytes_total) / 1e6);
      if (p.bytes_total)
        line += fmt::format(" ({:.0f}%)", 100.0 * static_cast<double>(p.bytes_done) /
                                               static_cast<double>(p.bytes_total));
    } else {
      line += " MB";
    }
    line += fmt::format(", {:.1f} MB/s", rate / 1e6);
    if (p.total_known && rate > 0 && p.bytes_done < p.bytes_total && p.bytes_done > 0)
      line += ", ETA " + format_duration(static_cast<double>(p.bytes_total - p.bytes_done) / rate);
    std::fprintf(stderr, "\r\x1b[2K%s", line.c_str());
  };
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
  if (!apply_config(a) || !check_output_options(a.common)) return kExitError;

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
  std::unique_ptr<Engine> engine;
  if (!build_engine(a.rules, engine)) return kExitError;
  Fingerprinter fp = Fingerprinter::random();
  if (!load_key(a.key_file, fp, report)) return kExitError;
  std::string err;
  for (auto& rule : engine->rules())
    report.rules.push_back({rule.id, rule.name, rule.description, rule.severity, rule.tags, rule.references});
  Baseline baseline;
  if (!a.baseline.empty() || !a.write_baseline.empty()) {
    if (!fp.user_supplied()) {
      print_error(std::string(a.baseline.empty() ? "--write-baseline" : "--baseline") +
                  " needs a stable fingerprint key: give --key-file FILE or set PRIVAUDIT_KEY");
      return kExitError;
    }
  }
  if (!a.baseline.empty() && !load_baseline(a.baseline, baseline, err)) {
    print_error(err);
    return kExitError;
  }

  ro.paths = a.paths.empty() ? std::vector<std::string>{"."} : a.paths;
  ro.threads = a.common.threads;
  ro.include = a.include;
  ro.exclude = a.exclude;
  ro.max_file_size = a.max_file_size;
  ro.settings.binary = a.binary;
  ro.max_archive_depth = a.max_archive_depth;
  ro.max_expanded_bytes = a.max_expanded_bytes;
  ro.max_archive_entries = a.max_archive_entries;
  ro.database = a.database;
  bool progress = a.common.progress == "always" ||
                  (a.common.progress == "auto" && isatty(2) && !a.common.quiet);
  if (progress) ro.progress = progress_printer(t0);
  // Findings go to a spool on disk as each input finishes; a baseline's
  // accepted ones are kept there hidden, for --write-baseline.
  auto spool = std::make_shared<FindingSpool>();
  bool spool_ok = true;
  const bool use_baseline = !a.baseline.empty();
  ro.on_result = [&](ScanResult& r) {
    for (auto& f : r.findings) {
      bool hidden = use_baseline && baseline_accepts(baseline, f);
      if (hidden) ++report.suppressed;
      if (spool_ok && !spool->append(f, hidden)) spool_ok = false;
    }
  };
  ScanResult res = run_scan(*engine, fp, ro);
  if (!spool_ok) {
    print_error(spool->error());
    return kExitError;
  }
  if (progress) std::fputs("\r\x1b[2K", stderr);

  report.files = res.files;
  report.bytes = res.bytes;
  report.skipped = std::move(res.skipped);
  report.errors = std::move(res.errors);
  report.spool = spool;
  report.render_threads = ro.threads ? ro.threads : std::max(1u, std::thread::hardware_concurrency());
  report.findings = std::move(res.findings);
  report.suppressed += res.suppressed;
  if (!res.sampled.empty()) report.sections.emplace_back("sampled", sampled_json(res.sampled));
  report.duration_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - t0)
                                                 .count());
  if (!a.write_baseline.empty()) {
    // The baseline holds every current finding, those the old baseline
    // already accepted included.
    Report all = report;
    if (spool->total() != spool->size()) {  // with the findings the old baseline hid
      all.spool.reset();
      std::vector<Finding> fs;
      spool->for_each([&](const Finding& f) { fs.push_back(f); }, true);
      all.findings.insert(all.findings.begin(), fs.begin(), fs.end());
      all.suppressed -= spool->total() - spool->size();
    }
    std::FILE* f = std::fopen(a.write_baseline.c_str(), "wb");
    bool ok = f && render_to(all, "json", false, f);
    if (f) ok = std::fclose(f) == 0 && ok;
    if (!ok) {
      print_error(a.write_baseline + ": cannot write the baseline");
      return kExitError;
    }
  }
  if (!a.baseline.empty()) apply_baseline(report, baseline);
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
  auto& o = a->opts;
  o["--min-confidence"] = sub->add_option("--min-confidence", a->min_confidence, "Drop findings below: low, medium, high (default medium)")
      ->check(CLI::IsMember({"low", "medium", "high"}));
  o["--fail-on"] = sub->add_option("--fail-on", a->fail_on, "Exit 1 on a finding at or above: info, low, medium, high, critical, never (default high)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical", "never"}));
  o["--key-file"] = sub->add_option("--key-file", a->key_file, "Key for fingerprints (else PRIVAUDIT_KEY, else random per run)");
  o["--include"] = sub->add_option("--include", a->include, "Only scan files matching GLOB (repeatable)")->allow_extra_args(false);
  o["--exclude"] = sub->add_option("--exclude", a->exclude, "Skip files and folders matching GLOB (repeatable)")->allow_extra_args(false);
  sub->add_option("--max-file-size", a->max_file_size, "Skip files larger than BYTES");
  sub->add_flag("--binary", a->binary, "Scan printable strings of binary files instead of skipping them");
  sub->add_option("--encoding", a->encoding, "auto, utf-8, utf-16le, utf-16be, cp932 (shift_jis), euc-jp");
  sub->add_flag("--allow-incomplete", a->allow_incomplete, "Unreadable inputs are a warning, not exit 2");
  sub->add_option("--max-archive-depth", a->max_archive_depth, "Nested archive depth (default 5)");
  sub->add_option("--max-expanded-bytes", a->max_expanded_bytes, "Bytes expanded per top-level input (default 8 GiB)");
  sub->add_option("--config", a->config, "Configuration file (default: ./.privaudit.json when it exists)");
  o["--baseline"] = sub->add_option("--baseline", a->baseline, "Suppress the findings of this earlier JSON report (needs a stable key)");
  sub->add_option("--write-baseline", a->write_baseline, "Write the current findings to FILE as a baseline (a JSON report)");
  for (auto* opt : sub->get_options()) {
    for (auto& name : opt->get_lnames())
      if (name == "rules" || name == "enable" || name == "disable") o["--" + name] = opt;
  }
  sub->add_option("--max-archive-entries", a->max_archive_entries, "Archive members read per top-level input (default 1000000)");
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
