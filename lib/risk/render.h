// Human views of the report's "risk" section, computed from its JSON alone
// (so a saved report re-renders the same): text, an HTML fragment (class-size
// histogram as inline SVG, drivers table; every data string escaped) and
// Markdown. Each returns "" when the JSON cannot be read.
#pragma once
#include <string>
#include <string_view>

namespace privaudit::risk {

std::string render_text(std::string_view json);
std::string render_html(std::string_view json);
std::string render_markdown(std::string_view json);

}  // namespace privaudit::risk
