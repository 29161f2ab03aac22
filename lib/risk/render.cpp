#include "risk/render.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <vector>

namespace privaudit::risk {

namespace {

using simdjson::dom::element;

// The fields every view shows, read from the section JSON.
struct View {
  std::string file;
  uint64_t records = 0, classes = 0, k = 0, k_target = 0, uniques = 0, at_risk_count = 0, below_k = 0;
  double uniqueness = 0, highest = 0, average = 0, threshold = 0, at_risk = 0;
  std::vector<std::string> qis;
  struct Bin {
    std::string label;
    uint64_t classes, records;
  };
  std::vector<Bin> bins;
  bool has_l = false;
  std::string sensitive;
  uint64_t distinct_l = 0;
  double entropy_l = 0;
  bool has_pop = false;
  std::string model;
  double pop_value = 0, population = 0;
  std::vector<std::pair<std::string, std::string>> estimates;  // name, formatted value
  struct Driver {
    std::string column;
    uint64_t without;
  };
  std::vector<Driver> drivers;
  struct Combo {
    std::vector<std::string> columns;
    uint64_t uniques;
    double share;
  };
  std::vector<Combo> combos;
  double combo_share = 0.5;
  uint64_t combo_size = 0;
  bool combo_capped = false;
  std::vector<std::pair<std::string, std::string>> auto_qi;  // column, reason
  struct Direct {
    std::string column, rule, masked;
    uint64_t matched, checked;
  };
  std::vector<Direct> direct;
  uint64_t malformed = 0;
};

std::string str(element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v)) return {};
  return std::string(v);
}
uint64_t num(element e, const char* key) {
  uint64_t v = 0;
  if (e[key].get_uint64().get(v)) return 0;
  return v;
}
double dbl(element e, const char* key) {
  double v = 0;
  if (e[key].get_double().get(v)) {
    uint64_t u = 0;
    if (!e[key].get_uint64().get(u)) return static_cast<double>(u);
    return 0;
  }
  return v;
}

void read_population(element p, View& v) {
  v.has_pop = true;
  v.model = str(p, "model");
  v.pop_value = dbl(p, "value");
  v.population = dbl(p, "population");
  simdjson::dom::object est;
  if (!p["estimates"].get_object().get(est))
    for (auto field : est) {
      double d;
      std::string val = field.value.get_double().get(d) ? "-" : fmt::format("{:.2f}%", 100 * d);
      v.estimates.emplace_back(std::string(field.key), val);
    }
}

bool read_view(std::string_view json, View& v) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element root;
  if (parser.parse(padded).get(root)) return false;
  v.file = str(root, "file");
  v.records = num(root, "records");
  v.classes = num(root, "equivalence_classes");
  v.k = num(root, "k");
  v.k_target = num(root, "k_target");
  v.uniques = num(root, "sample_uniques");
  v.uniqueness = dbl(root, "sample_uniqueness");
  v.highest = dbl(root, "highest_risk");
  v.average = dbl(root, "average_risk");
  v.threshold = dbl(root, "risk_threshold");
  v.at_risk = dbl(root, "records_at_risk");
  v.at_risk_count = num(root, "records_at_risk_count");
  v.below_k = num(root, "records_below_k");
  simdjson::dom::array arr;
  if (!root["quasi_identifiers"].get_array().get(arr))
    for (element q : arr) v.qis.emplace_back(std::string_view(q.get_string().value_unsafe()));
  if (!root["class_sizes"].get_array().get(arr))
    for (element b : arr) v.bins.push_back({str(b, "size"), num(b, "classes"), num(b, "records")});
  element l;
  if (!root["l_diversity"].get(l)) {
    v.has_l = true;
    v.sensitive = str(l, "sensitive");
    v.distinct_l = num(l, "distinct_l");
    v.entropy_l = dbl(l, "entropy_l");
  }
  element p;
  if (!root["population_uniqueness"].get(p)) read_population(p, v);
  if (!root["drivers"].get_array().get(arr))
    for (element d : arr) v.drivers.push_back({str(d, "column"), num(d, "sample_uniques_without")});
  if (!root["unique_combinations"].get_array().get(arr))
    for (element c : arr) {
      View::Combo combo{{}, num(c, "sample_uniques"), dbl(c, "share")};
      simdjson::dom::array cols;
      if (!c["columns"].get_array().get(cols))
        for (element col : cols) combo.columns.emplace_back(std::string_view(col.get_string().value_unsafe()));
      v.combos.push_back(std::move(combo));
    }
  element s;
  if (!root["unique_combination_search"].get(s)) {
    v.combo_share = dbl(s, "share");
    v.combo_size = num(s, "complete_up_to_size");
    bool capped = false;
    if (!s["capped"].get_bool().get(capped)) v.combo_capped = capped;
  }
  if (!root["auto_qi"].get_array().get(arr))
    for (element a : arr) v.auto_qi.emplace_back(str(a, "column"), str(a, "reason"));
  if (!root["direct_identifiers"].get_array().get(arr))
    for (element d : arr) v.direct.push_back({str(d, "column"), str(d, "rule"), str(d, "masked"), num(d, "matched"), num(d, "checked")});
  v.malformed = num(root, "malformed_rows");
  return true;
}

std::string pct(double x) { return fmt::format("{:.2f}%", 100 * x); }

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : std::string()) + v[i];
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Markdown table cell: no pipes, backticks or line breaks from data.
std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>' || c == '[' || c == ']') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string combos_text(const View& v) {
  if (v.combos.empty())
    return fmt::format("none up to {} column{}{}", v.combo_size, v.combo_size == 1 ? "" : "s",
                       v.combo_capped ? " (search capped)" : "");
  std::string out;
  for (auto& c : v.combos)
    out += fmt::format("{}{} ({} unique, {})", out.empty() ? "" : "; ", join(c.columns, " + "), c.uniques, pct(c.share));
  return out;
}

std::string population_text(const View& v) {
  std::string est;
  for (auto& [name, val] : v.estimates) est += fmt::format("{}{} {}", est.empty() ? "" : ", ", name, val);
  return fmt::format("{} ({}, population {:.0f}; {})", pct(v.pop_value), v.model, v.population, est);
}

// Inline SVG bar chart of classes per class-size bin.
std::string histogram_svg(const View& v) {
  const int bar_w = 48, gap = 8, height = 120, top = 18, bottom = 34;
  uint64_t max = 1;
  for (auto& b : v.bins) max = std::max(max, b.classes);
  int width = static_cast<int>(v.bins.size()) * (bar_w + gap) + gap;
  std::string svg = fmt::format(
      "<svg width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"Equivalence classes by size\">\n",
      width, height + top + bottom);
  int x = gap;
  for (auto& b : v.bins) {
    int h = static_cast<int>(static_cast<double>(height) * static_cast<double>(b.classes) / static_cast<double>(max));
    int y = top + height - h;
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>size {}: {} classes, {} records</title></rect>\n",
                       x, y, bar_w, h, b.label == "1" ? "#c0392b" : "#2e86c1", html_escape(b.label), b.classes, b.records);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n", x + bar_w / 2,
                       y - 4, b.classes);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n", x + bar_w / 2,
                       top + height + 14, html_escape(b.label));
    x += bar_w + gap;
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">class size (records per class)</text>\n",
                     width / 2, top + height + 30);
  return svg + "</svg>\n";
}

}  // namespace

std::string render_text(std::string_view json) {
  View v;
  if (!read_view(json, v)) return {};
  std::string o = fmt::format("\nrisk: {} ({} records; quasi-identifiers: {})\n", v.file, v.records, join(v.qis, ", "));
  o += fmt::format("  equivalence classes  {}\n", v.classes);
  o += fmt::format("  k                    {} (target {}){}\n", v.k, v.k_target, v.k < v.k_target ? "  BELOW TARGET" : "");
  o += fmt::format("  sample uniques       {} ({})\n", v.uniques, pct(v.uniqueness));
  o += fmt::format("  highest risk         {:.4f}\n", v.highest);
  o += fmt::format("  average risk         {:.4f}\n", v.average);
  o += fmt::format("  records at risk      {} ({} records with 1/class size > {})\n", pct(v.at_risk), v.at_risk_count, v.threshold);
  o += fmt::format("  records below k      {}\n", v.below_k);
  if (v.has_l)
    o += fmt::format("  l-diversity          {}: distinct l = {}, entropy l = {:.3f}\n", v.sensitive, v.distinct_l, v.entropy_l);
  if (v.has_pop) o += fmt::format("  population unique    {}\n", population_text(v));
  if (!v.drivers.empty()) {
    o += "  drivers (sample uniques with the column dropped):\n";
    size_t w = 0;
    for (auto& d : v.drivers) w = std::max(w, d.column.size());
    for (auto& d : v.drivers)
      o += fmt::format("    {:<{}}  {:>10}  ({:+})\n", d.column, w, d.without,
                       static_cast<int64_t>(d.without) - static_cast<int64_t>(v.uniques));
  }
  o += fmt::format("  unique combinations  (>= {} of records unique) {}\n", pct(v.combo_share), combos_text(v));
  for (auto& [col, why] : v.auto_qi) o += fmt::format("  auto-qi              {}: {}\n", col, why);
  for (auto& d : v.direct)
    o += fmt::format("  direct identifier    {}: {} in {} of {} sampled values (e.g. {})\n", d.column, d.rule, d.matched,
                     d.checked, d.masked);
  if (v.malformed) o += fmt::format("  malformed rows       {}\n", v.malformed);
  return o;
}

std::string render_html(std::string_view json) {
  View v;
  if (!read_view(json, v)) return {};
  std::string o = "<section class=\"risk\">\n<h2>Re-identification risk</h2>\n";
  o += fmt::format("<p><code>{}</code>: {} records; quasi-identifiers: {}</p>\n", html_escape(v.file), v.records,
                   html_escape(join(v.qis, ", ")));
  o += "<table class=\"metrics\">\n";
  auto row = [&](std::string_view k, const std::string& val) {
    o += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html_escape(k), html_escape(val));
  };
  row("equivalence classes", std::to_string(v.classes));
  row("k (target)", fmt::format("{} ({})", v.k, v.k_target));
  row("sample uniques", fmt::format("{} ({})", v.uniques, pct(v.uniqueness)));
  row("highest risk", fmt::format("{:.4f}", v.highest));
  row("average risk", fmt::format("{:.4f}", v.average));
  row("records at risk", fmt::format("{} (1/class size > {})", pct(v.at_risk), v.threshold));
  row("records below k", std::to_string(v.below_k));
  if (v.has_l)
    row("l-diversity", fmt::format("{}: distinct {}, entropy {:.3f}", v.sensitive, v.distinct_l, v.entropy_l));
  if (v.has_pop) row("population uniqueness", population_text(v));
  row("unique combinations", combos_text(v));
  if (v.malformed) row("malformed rows", std::to_string(v.malformed));
  o += "</table>\n<figure>\n" + histogram_svg(v) + "<figcaption>Equivalence classes by size</figcaption>\n</figure>\n";
  if (!v.drivers.empty()) {
    o += "<table class=\"drivers\">\n<tr><th>column</th><th>sample uniques without it</th><th>change</th></tr>\n";
    for (auto& d : v.drivers)
      o += fmt::format("<tr><td>{}</td><td>{}</td><td>{:+}</td></tr>\n", html_escape(d.column), d.without,
                       static_cast<int64_t>(d.without) - static_cast<int64_t>(v.uniques));
    o += "</table>\n";
  }
  if (!v.auto_qi.empty()) {
    o += "<ul class=\"auto-qi\">\n";
    for (auto& [col, why] : v.auto_qi) o += fmt::format("<li>{}: {}</li>\n", html_escape(col), html_escape(why));
    o += "</ul>\n";
  }
  if (!v.direct.empty()) {
    o += "<ul class=\"direct-identifiers\">\n";
    for (auto& d : v.direct)
      o += fmt::format("<li>{}: {} ({} of {} sampled values, e.g. <code>{}</code>)</li>\n", html_escape(d.column),
                       html_escape(d.rule), d.matched, d.checked, html_escape(d.masked));
    o += "</ul>\n";
  }
  return o + "</section>\n";
}

std::string render_markdown(std::string_view json) {
  View v;
  if (!read_view(json, v)) return {};
  std::string o = "\n## Re-identification risk\n\n";
  o += fmt::format("`{}`: {} records; quasi-identifiers: {}\n\n", md_escape(v.file), v.records, md_escape(join(v.qis, ", ")));
  o += "| metric | value |\n|---|---|\n";
  auto row = [&](std::string_view k, const std::string& val) { o += fmt::format("| {} | {} |\n", k, md_escape(val)); };
  row("equivalence classes", std::to_string(v.classes));
  row("k (target)", fmt::format("{} ({})", v.k, v.k_target));
  row("sample uniques", fmt::format("{} ({})", v.uniques, pct(v.uniqueness)));
  row("highest risk", fmt::format("{:.4f}", v.highest));
  row("average risk", fmt::format("{:.4f}", v.average));
  row("records at risk", fmt::format("{} (1/class size > {})", pct(v.at_risk), v.threshold));
  row("records below k", std::to_string(v.below_k));
  if (v.has_l) row("l-diversity", fmt::format("{}: distinct {}, entropy {:.3f}", v.sensitive, v.distinct_l, v.entropy_l));
  if (v.has_pop) row("population uniqueness", population_text(v));
  row("unique combinations", combos_text(v));
  if (v.malformed) row("malformed rows", std::to_string(v.malformed));
  if (!v.drivers.empty()) {
    o += "\n| column | sample uniques without it | change |\n|---|---:|---:|\n";
    for (auto& d : v.drivers)
      o += fmt::format("| {} | {} | {:+} |\n", md_escape(d.column), d.without,
                       static_cast<int64_t>(d.without) - static_cast<int64_t>(v.uniques));
  }
  for (auto& [col, why] : v.auto_qi) o += fmt::format("\n- auto-qi {}: {}", md_escape(col), md_escape(why));
  for (auto& d : v.direct)
    o += fmt::format("\n- direct identifier {}: {} ({} of {} sampled values)", md_escape(d.column), md_escape(d.rule),
                     d.matched, d.checked);
  return o + "\n";
}

}  // namespace privaudit::risk
