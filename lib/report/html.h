// The HTML report: one self-contained page to share.
#pragma once
#include <cstddef>
#include <string>

#include "report/report.h"

namespace privaudit {

// At most this many findings are listed in the HTML table (the charts and
// cards count them all).
constexpr size_t kHtmlMaxRows = 50000;

// The report as one HTML file. Promises: inline CSS, JS and SVG only, with a
// Content-Security-Policy that forbids every fetch and every script but the
// page's own; readable without JavaScript (summary cards, distinct values per
// rule, bar charts of findings by rule and by file (top 20), the full
// findings table, errors and skipped inputs); every string from the data is
// HTML-escaped; only masked values appear. Deterministic for a given report.
std::string render_html(const Report& r);

}  // namespace privaudit
