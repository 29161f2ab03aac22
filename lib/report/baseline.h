// Baselines: a previous JSON report whose findings are accepted, so that a
// CI gate fails only on new leaks.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <tuple>

#include "report/report.h"

namespace privaudit {

struct Baseline {
  // (rule, path, fingerprint) of every accepted finding.
  std::set<std::tuple<std::string, std::string, std::string>> keys;
};

// Loads a JSON report as a baseline. False with `error` naming the file when
// it cannot be read or parsed, or when its fingerprints were made with a
// random per-run key (they can never match a later run).
bool load_baseline(const std::string& path, Baseline& out, std::string& error);

// Removes from `r.findings` every finding whose (rule, path, fingerprint) is
// in the baseline and adds their number to `r.suppressed`; returns it.
uint64_t apply_baseline(Report& r, const Baseline& b);
// True when the baseline accepts this finding.
bool baseline_accepts(const Baseline& b, const Finding& f);

}  // namespace privaudit
