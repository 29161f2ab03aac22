#include "report/render.h"

#include "report/html.h"
#include "report/markdown.h"
#include "report/sarif.h"

namespace privaudit {

bool known_format(std::string_view f) {
  return f == "text" || f == "json" || f == "jsonl" || f == "sarif" || f == "html" || f == "markdown";
}

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
  if (format == "jsonl") return render_jsonl(r);
  if (format == "sarif") return render_sarif(r);
  if (format == "html") return render_html(r);
  if (format == "markdown") return render_markdown(r);
  return render_text(r, color);
}

bool render_to(const Report& r, std::string_view format, bool color, std::FILE* out) {
  bool ok = true;
  Emit emit = [&](std::string_view p) {
    if (ok && !p.empty()) ok = std::fwrite(p.data(), 1, p.size(), out) == p.size();
  };
  if (format == "json") {
    render_json_to(r, emit);
  } else if (format == "jsonl") {
    render_jsonl_to(r, emit);
  } else if (format == "sarif" || format == "html" || format == "markdown") {
    if (r.spool) {
      Report copy = r;
      materialize(copy);
      emit(render(copy, format, color));
    } else {
      emit(render(r, format, color));
    }
  } else {
    render_text_to(r, color, emit);
  }
  return ok;
}

}  // namespace privaudit
