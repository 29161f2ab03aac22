// Format dispatch: every report format by name.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

#include "report/report.h"

namespace privaudit {

// Known formats: text, json, jsonl, sarif, html, markdown.
bool known_format(std::string_view format);
// The format a file name's extension implies (.json .jsonl .sarif .html .md
// .txt), or "" if none.
std::string format_for_extension(std::string_view path);
// Renders the report; `color` applies to text only.
std::string render(const Report& r, std::string_view format, bool color);
// Writes the report to `out`. JSON, JSON Lines and text are written as they
// are rendered (memory stays flat however many findings); SARIF, HTML and
// Markdown are rendered whole. False when a write failed.
bool render_to(const Report& r, std::string_view format, bool color, std::FILE* out);

}  // namespace privaudit
