// `privaudit risk`: re-identification risk of one table over its
// quasi-identifiers (ARX's prosecutor model), streamed in one pass with
// memory proportional to the number of equivalence classes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "match/engine.h"
#include "risk/autoqi.h"
#include "risk/classes.h"
#include "risk/drivers.h"
#include "risk/estimators.h"
#include "risk/identify.h"

namespace privaudit::risk {

struct RiskOptions {
  std::vector<std::string> qi;  // column names
  std::string sensitive;        // "" = none
  uint64_t k = 5;
  double risk_threshold = 0.2;
  std::optional<double> population;
  bool auto_qi = false;
  char delimiter = 0;           // 0 = detect
  double unique_share = 0.5;    // for unique_combinations
  size_t sample_records = 5000;  // records buffered for --auto-qi and identifier detection
};

// Everything the section and the findings are made of.
struct RiskAnalysis {
  std::string path;
  std::vector<std::string> columns;
  std::vector<std::string> qi_names;
  std::vector<QiProposal> auto_qi;
  std::vector<DirectIdentifier> direct;

  uint64_t records = 0;
  uint64_t classes = 0;
  uint64_t k = 0;  // smallest class; 0 without records
  uint64_t sample_uniques = 0;
  double sample_uniqueness = 0;
  double highest_risk = 0;
  double average_risk = 0;
  uint64_t records_at_risk_count = 0;
  double records_at_risk = 0;
  uint64_t records_below_k = 0;
  Histogram histogram;
  std::optional<ClassCounter::Diversity> diversity;
  std::optional<PopulationUniqueness> population;
  std::vector<Driver> drivers;
  CombinationSearch combinations;

  uint64_t malformed = 0;
  std::vector<std::string> problems;
  std::string format = "csv";  // csv or jsonl
  char delimiter = ',';
  uint64_t bytes = 0;
  std::string read_error;  // set when the input could not be read to its end
};

enum class RiskStatus { ok, usage_error, input_error };

// Reads the table at `path` and computes every metric. `engine` (built-in
// rules) finds direct-identifier columns; nullptr skips that. usage_error:
// bad options or unknown columns; input_error: the file cannot be opened or
// read (error says why; a partial read still fills `out`).
RiskStatus analyze_risk(const std::string& path, const RiskOptions& opts, const Engine* engine,
                        RiskAnalysis& out, std::string& error);

// Fills the metrics of `out` from counted classes (testable without files).
void compute_metrics(const ClassCounter& counter, const RiskOptions& opts, RiskAnalysis& out);

// The report's "risk" section (JSON object, indented for nesting in the report).
std::string risk_section_json(const RiskAnalysis& a, const RiskOptions& opts);

// risk-k-anonymity and risk-direct-identifier findings.
std::vector<Finding> risk_findings(const RiskAnalysis& a, const RiskOptions& opts);

}  // namespace privaudit::risk
