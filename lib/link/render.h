// Human views of the `link` section, computed from its JSON alone (so a saved
// report re-renders the same): text, an HTML fragment with the linkability
// map as inline SVG, and Markdown. Every data string is escaped.
#pragma once
#include <string>
#include <string_view>

namespace privaudit::link {

std::string render_text(std::string_view json);
std::string render_html(std::string_view json);
std::string render_markdown(std::string_view json);

}  // namespace privaudit::link
