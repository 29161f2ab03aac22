// Human views of the report's "consent" section (SPEC "consent"), computed
// from the section's JSON alone so a saved report re-renders identically.
#pragma once
#include <string>
#include <string_view>

namespace privaudit {

std::string render_consent_text(std::string_view json);
std::string render_consent_html(std::string_view json);
std::string render_consent_markdown(std::string_view json);

}  // namespace privaudit
