#include "report/baseline.h"

#include <algorithm>

#include "report/report_reader.h"

namespace privaudit {

bool load_baseline(const std::string& path, Baseline& out, std::string& error) {
  Report r;
  if (!load_report_file(path, r, error)) return false;
  if (r.fingerprint_key != "user-supplied") {
    error = path + ": baseline fingerprints were made with a random per-run key (\"fingerprint_key\": \"" +
            r.fingerprint_key + "\") and can never match; rebuild it with --key-file or PRIVAUDIT_KEY";
    return false;
  }
  for (auto& f : r.findings) out.keys.emplace(f.rule, f.path, f.fingerprint);
  return true;
}

bool baseline_accepts(const Baseline& b, const Finding& f) {
  return !f.fingerprint.empty() && b.keys.count(std::make_tuple(f.rule, f.path, f.fingerprint)) > 0;
}

uint64_t apply_baseline(Report& r, const Baseline& b) {
  auto known = [&](const Finding& f) { return baseline_accepts(b, f); };
  auto it = std::remove_if(r.findings.begin(), r.findings.end(), known);
  auto n = static_cast<uint64_t>(r.findings.end() - it);
  r.findings.erase(it, r.findings.end());
  r.suppressed += n;
  return n;
}

}  // namespace privaudit
