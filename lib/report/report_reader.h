// Reading a saved JSON report (SPEC "The report") back into a Report, so it
// can be re-rendered in another format (`privaudit report`) or used as a
// baseline (`--baseline`).
#pragma once
#include <string>
#include <string_view>

#include "report/report.h"

namespace privaudit {

// Parses a JSON report. Promises: render_json() of the result equals `json`
// byte for byte when `json` was written by render_json() (unknown top-level
// keys are kept verbatim as sections; the summary is recomputed, except
// `suppressed`). False with `error` (naming the key at fault) when `json`
// is not a privaudit report.
bool parse_report_json(std::string_view json, Report& out, std::string& error);

// Reads and parses the report at `path`; `error` starts with the path.
bool load_report_file(const std::string& path, Report& out, std::string& error);

}  // namespace privaudit
