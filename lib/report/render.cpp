#include "report/render.h"

namespace privaudit {

bool known_format(std::string_view f) { return f == "text" || f == "json"; }

std::string format_for_extension(std::string_view path) {
  auto ends = [&](std::string_view s) {
    return path.size() >= s.size() && path.substr(path.size() - s.size()) == s;
  };
  if (ends(".jsonl")) return "jsonl";
  if (ends(".json")) return "json";
  if (ends(".sarif")) return "sarif";
  if (ends(".html") || ends(".htm")) return "html";
  if (ends(".md")) return "markdown";
  if (ends(".txt")) return "text";
  return "";
}

std::string render(const Report& r, std::string_view format, bool color) {
  if (format == "json") return render_json(r);
  return render_text(r, color);
}

}  // namespace privaudit
