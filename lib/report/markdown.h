// The Markdown report: a pull-request comment.
#pragma once
#include <string>

#include "report/report.h"

namespace privaudit {

// A GitHub-flavoured Markdown summary: counts, a table per severity and per
// rule (with distinct values), the top 20 findings (most severe first, then
// report order), errors and skipped inputs. Every string from the data is
// escaped; only masked values appear. Deterministic for a given report.
std::string render_markdown(const Report& r);

}  // namespace privaudit
