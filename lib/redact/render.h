// Human views of the `redact` report section (text for stderr and `report`,
// Markdown, HTML), computed from its JSON so a saved report re-renders alike.
#pragma once
#include <string>
#include <string_view>

namespace privaudit::redact {

std::string render_text(std::string_view json);
std::string render_markdown(std::string_view json);
std::string render_html(std::string_view json);

}  // namespace privaudit::redact
