// Rendering of the command sections of a report ("risk", "link", "consent",
// "redact" ...) in the human formats. Each section is kept in the report as
// JSON; its text/HTML views are computed from that JSON, so a saved report
// re-renders identically (`privaudit report`).
#pragma once
#include <string>
#include <string_view>

namespace privaudit {

// Text view of a section (appended after the findings in text output); empty
// if the section has none.
std::string render_section_text(std::string_view name, std::string_view json);
// HTML fragment of a section (escaped; inline SVG allowed); empty if none.
std::string render_section_html(std::string_view name, std::string_view json);
// Markdown fragment of a section; empty if none.
std::string render_section_markdown(std::string_view name, std::string_view json);

}  // namespace privaudit
