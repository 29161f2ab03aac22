// The report every subcommand writes (SPEC "The report"), its summary, and
// the writers for each format.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"

namespace privaudit {

// What a report says about one rule of the run (SARIF `tool.driver.rules`,
// JSON `rules`), so a saved report re-renders without the rule files.
struct RuleInfo {
  std::string id;
  std::string name;
  std::string description;
  Severity severity = Severity::medium;
  std::vector<std::string> tags;
  std::vector<std::string> references;
};

struct Report {
  std::string tool_version = PRIVAUDIT_VERSION;
  std::string command = "scan";
  std::string started_at;  // RFC 3339 UTC
  uint64_t duration_ms = 0;
  std::string fingerprint_key = "random-per-run";
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::vector<Skipped> skipped;
  std::vector<InputError> errors;
  // The findings are the spool's (a scan's, kept on disk) followed by these.
  std::shared_ptr<class FindingSpool> spool;
  std::vector<Finding> findings;
  uint64_t suppressed = 0;
  // Threads that may render a spool's findings at once (the output is the same).
  unsigned render_threads = 1;
  // The rules the run used, in load order.
  std::vector<RuleInfo> rules;
  // Extra top-level sections ("risk", "link", ...) as serialised JSON, in order.
  std::vector<std::pair<std::string, std::string>> sections;
};

struct Summary {
  uint64_t findings = 0;
  std::map<std::string, uint64_t> by_rule;
  std::map<std::string, uint64_t> by_severity;
  std::map<std::string, uint64_t> distinct_values;
  uint64_t suppressed = 0;
};

Summary summarize(const Report& r);

// Every finding of the report in order: the spool's, then `findings`.
// False when the spool could not be read back (a message is printed).
bool for_each_finding(const Report& r, const std::function<void(const Finding&)>& fn);
uint64_t finding_count(const Report& r);
// Moves the spool's findings into `findings` (for the writers that need
// random access: SARIF, HTML, Markdown).
bool materialize(Report& r);

// Receives a report's text in pieces of about 1 MiB, in order.
using Emit = std::function<void(std::string_view)>;
void render_json_to(const Report& r, const Emit& emit);
void render_jsonl_to(const Report& r, const Emit& emit);
void render_text_to(const Report& r, bool color, const Emit& emit);

// Current UTC time as RFC 3339 ("2026-11-23T08:00:00Z").
std::string now_rfc3339();

// The JSON report (SPEC "The report"), with the extra top-level key "rules".
std::string render_json(const Report& r);
// JSON Lines: one compact finding object a line, then {"summary": {...}}.
std::string render_jsonl(const Report& r);
// One line per finding: path:line:col: rule (severity, confidence) masked.
std::string render_text(const Report& r, bool color);
// A short summary for stderr.
std::string render_summary_line(const Report& r);

// True when some finding is at or above `gate`.
bool gate_tripped(const Report& r, std::optional<Severity> gate);

}  // namespace privaudit
