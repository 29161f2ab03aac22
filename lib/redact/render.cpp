#include "redact/render.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <vector>

namespace privaudit::redact {

namespace {

struct Line {
  std::string path, output, detail;
  bool written = false;
};

struct View {
  bool ok = false;
  uint64_t written = 0, not_written = 0, changed = 0, cells = 0, kept = 0, unresolved = 0;
  std::string by_action;  // "mask 3, pseudonym 2"
  std::vector<Line> files;
  std::vector<std::string> unmatched;
};

uint64_t count(simdjson::dom::element e) {
  uint64_t u = 0;
  if (!e.get(u)) return u;
  int64_t i = 0;
  if (!e.get(i) && i > 0) return static_cast<uint64_t>(i);
  return 0;
}

std::string str(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  if (o.at_key(key).get(s)) return {};
  return std::string(s);
}

// "jp-my-number mask 3; column 氏名 drop 10; kept jp-corporate-number 1 (reason)"
std::string detail(simdjson::dom::object f) {
  std::vector<std::string> parts;
  simdjson::dom::array arr;
  if (!f.at_key("changes").get(arr))
    for (simdjson::dom::object c : arr)
      parts.push_back(fmt::format("{} {} {}", str(c, "rule"), str(c, "action"), count(c["count"])));
  if (!f.at_key("columns").get(arr))
    for (simdjson::dom::object c : arr)
      parts.push_back(fmt::format("column {} {} {}", str(c, "column"), str(c, "action"), count(c["count"])));
  if (!f.at_key("kept").get(arr))
    for (simdjson::dom::object c : arr)
      parts.push_back(fmt::format("kept {} {} ({})", str(c, "rule"), count(c["count"]), str(c, "reason")));
  if (!f.at_key("unparseable").get(arr))
    for (simdjson::dom::object c : arr)
      parts.push_back(fmt::format("column {}: {} unparseable, written empty", str(c, "column"), count(c["count"])));
  if (!f.at_key("not_redacted").get(arr))
    for (simdjson::dom::object c : arr)
      parts.push_back(fmt::format("NOT REDACTED {} {} ({})", str(c, "rule"), count(c["count"]), str(c, "reason")));
  std::string out;
  for (auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out.empty() ? "nothing to change" : out;
}

View parse(std::string_view json) {
  View v;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::object o;
  if (parser.parse(padded).get(o)) return v;
  simdjson::dom::object t;
  if (!o.at_key("totals").get(t)) {
    v.written = count(t["files_written"]);
    v.not_written = count(t["files_not_written"]);
    v.changed = count(t["values_changed"]);
    v.cells = count(t["cells_changed"]);
    v.kept = count(t["values_kept"]);
    v.unresolved = count(t["values_not_redacted"]);
    simdjson::dom::object ba;
    if (!t.at_key("by_action").get(ba))
      for (auto field : ba)
        v.by_action += fmt::format("{}{} {}", v.by_action.empty() ? "" : ", ", field.key, count(field.value));
  }
  simdjson::dom::array files;
  if (!o.at_key("files").get(files))
    for (simdjson::dom::object f : files) {
      Line l;
      l.path = str(f, "path");
      l.output = str(f, "output");
      bool w = false;
      if (!f.at_key("written").get(w)) l.written = w;
      std::string enc = str(f, "encoding"), oenc = str(f, "output_encoding");
      l.detail = detail(f);
      if (!enc.empty() && enc != "utf-8") l.detail += fmt::format(" [{}{}]", enc, oenc != enc ? " -> " + oenc : "");
      v.files.push_back(std::move(l));
    }
  simdjson::dom::array un;
  if (!o.at_key("unmatched_columns").get(un))
    for (auto e : un) {
      std::string_view s;
      if (!e.get(s)) v.unmatched.emplace_back(s);
    }
  v.ok = true;
  return v;
}

std::string headline(const View& v) {
  return fmt::format("{} file{} written, {} not written; {} value{} changed{}, {} column cell{} changed, "
                     "{} kept, {} found but not redacted",
                     v.written, v.written == 1 ? "" : "s", v.not_written, v.changed,
                     v.changed == 1 ? "" : "s", v.by_action.empty() ? "" : " (" + v.by_action + ")",
                     v.cells, v.cells == 1 ? "" : "s", v.kept, v.unresolved);
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string render_text(std::string_view json) {
  View v = parse(json);
  if (!v.ok) return {};
  std::string out = "redact: " + headline(v) + "\n";
  for (auto& f : v.files)
    out += fmt::format("  {} -> {}: {}\n", f.path, f.written ? f.output : "NOT WRITTEN", f.detail);
  for (auto& c : v.unmatched) out += fmt::format("  warning: no header or key named '{}'\n", c);
  return out;
}

std::string render_markdown(std::string_view json) {
  View v = parse(json);
  if (!v.ok) return {};
  std::string out = "## Redaction\n\n" + headline(v) + "\n\n| input | output | changes |\n|---|---|---|\n";
  for (auto& f : v.files)
    out += fmt::format("| `{}` | {} | {} |\n", f.path, f.written ? "`" + f.output + "`" : "**not written**", f.detail);
  for (auto& c : v.unmatched) out += fmt::format("\nNo header or key named `{}`.\n", c);
  return out;
}

std::string render_html(std::string_view json) {
  View v = parse(json);
  if (!v.ok) return {};
  std::string out = "<section id=\"redact\"><h2>Redaction</h2><p>" + html_escape(headline(v)) +
                    "</p><table><tr><th>input</th><th>output</th><th>changes</th></tr>";
  for (auto& f : v.files)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", html_escape(f.path),
                       f.written ? html_escape(f.output) : "<strong>not written</strong>", html_escape(f.detail));
  out += "</table>";
  for (auto& c : v.unmatched) out += "<p>No header or key named " + html_escape(c) + ".</p>";
  return out + "</section>";
}

}  // namespace privaudit::redact
