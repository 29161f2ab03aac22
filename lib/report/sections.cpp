#include "report/sections.h"

#include "report/consent_section.h"
#include "link/render.h"
#include "report/sampled_section.h"
#include "risk/render.h"
#include "redact/render.h"

namespace privaudit {

// Each command module adds its renderers here, e.g.
//   if (name == "risk") return risk::render_text(json);
std::string render_section_text(std::string_view name, std::string_view json) {
  if (name == "consent") return render_consent_text(json);
  if (name == "link") return link::render_text(json);
  if (name == "sampled") return render_sampled_text(json);
  if (name == "risk") return risk::render_text(json);
  if (name == "redact") return redact::render_text(json);
  return {};
}

std::string render_section_html(std::string_view name, std::string_view json) {
  if (name == "consent") return render_consent_html(json);
  if (name == "link") return link::render_html(json);
  if (name == "risk") return risk::render_html(json);
  if (name == "redact") return redact::render_html(json);
  return {};
}

std::string render_section_markdown(std::string_view name, std::string_view json) {
  if (name == "consent") return render_consent_markdown(json);
  if (name == "link") return link::render_markdown(json);
  if (name == "sampled") return render_sampled_markdown(json);
  if (name == "risk") return risk::render_markdown(json);
  if (name == "redact") return redact::render_markdown(json);
  return {};
}

}  // namespace privaudit
