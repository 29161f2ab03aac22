#include "report/sections.h"

namespace privaudit {

// Each command module adds its renderers here, e.g.
//   if (name == "risk") return risk::render_text(json);
std::string render_section_text(std::string_view name, std::string_view json) {
  (void)name;
  (void)json;
  return {};
}

std::string render_section_html(std::string_view name, std::string_view json) {
  (void)name;
  (void)json;
  return {};
}

std::string render_section_markdown(std::string_view name, std::string_view json) {
  (void)name;
  (void)json;
  return {};
}

}  // namespace privaudit
