// SARIF 2.1.0 output, as GitHub code scanning accepts it.
#pragma once
#include <cstddef>
#include <string>

#include "report/report.h"

namespace privaudit {

// Past this many findings, results are aggregated per (rule, file).
constexpr size_t kSarifMaxResults = 5000;

// The report as one SARIF 2.1.0 log with one run. Promises: rule metadata
// from Report::rules (plus a stub for any finding's rule not listed); one
// result per finding (or per (rule, file) past kSarifMaxResults) with the
// masked value only; relative, percent-encoded artifact URIs; input errors
// as tool execution notifications. Deterministic for a given report.
std::string render_sarif(const Report& r);

}  // namespace privaudit
