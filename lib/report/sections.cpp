#include "report/sections.h"

#include "risk/render.h"

namespace privaudit {

// Each command module adds its renderers here, e.g.
//   if (name == "risk") return risk::render_text(json);
std::string render_section_text(std::string_view name, std::string_view json) {
  if (name == "risk") return risk::render_text(json);
  return {};
}

std::string render_section_html(std::string_view name, std::string_view json) {
  if (name == "risk") return risk::render_html(json);
  return {};
}

std::string render_section_markdown(std::string_view name, std::string_view json) {
  if (name == "risk") return risk::render_markdown(json);
  return {};
}

}  // namespace privaudit
