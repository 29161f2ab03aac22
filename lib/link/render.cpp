#include "link/render.h"
#include "report/escape.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <map>
#include <vector>

namespace privaudit::link {

namespace {

namespace sj = simdjson;

// One pair, read back from the section JSON.
struct PairView {
  std::string left, right;
  uint64_t left_records = 0, right_records = 0;
  struct Key {
    std::string left, right, how, compare;
  };
  std::vector<Key> keys;
  uint64_t unique = 0, ambiguous = 0, unlinked = 0;
  double rate = 0, expected = 0;
  struct Shared {
    std::string left, right, rule;
    uint64_t values = 0;
  };
  std::vector<Shared> shared;
  uint64_t within_left = 0, within_right = 0, across = 0;
};

struct SectionView {
  bool multi = false;
  std::vector<std::pair<std::string, uint64_t>> files;
  uint64_t pairs_compared = 0;
  std::vector<PairView> pairs;
};

std::string str(sj::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get(v)) return {};
  return std::string(v);
}
uint64_t num(sj::dom::element e, const char* key) {
  uint64_t v = 0;
  if (e[key].get(v)) return 0;
  return v;
}
double real(sj::dom::element e, const char* key) {
  double v = 0;
  if (!e[key].get(v)) return v;
  return static_cast<double>(num(e, key));
}

PairView read_pair(sj::dom::element e) {
  PairView p;
  p.left = str(e, "left");
  p.right = str(e, "right");
  p.left_records = num(e, "left_records");
  p.right_records = num(e, "right_records");
  sj::dom::array keys;
  if (!e["keys"].get(keys))
    for (auto k : keys) p.keys.push_back({str(k, "left"), str(k, "right"), str(k, "how"), str(k, "compare")});
  p.unique = num(e, "linked_unique");
  p.ambiguous = num(e, "linked_ambiguous");
  p.unlinked = num(e, "unlinked");
  p.rate = real(e, "linkage_rate");
  p.expected = real(e, "expected_correct_links");
  sj::dom::array shared;
  if (!e["shared_identifiers"].get(shared))
    for (auto s : shared) p.shared.push_back({str(s, "left"), str(s, "right"), str(s, "rule"), num(s, "shared_values")});
  sj::dom::element c;
  if (!e["identifier_conflicts"].get(c)) {
    p.within_left = num(c, "within_left");
    p.within_right = num(c, "within_right");
    p.across = num(c, "across");
  }
  return p;
}

bool read_section(std::string_view json, SectionView& out) {
  sj::dom::parser parser;
  sj::padded_string padded(json);
  sj::dom::element root;
  if (parser.parse(padded).get(root) || !root.is_object()) return false;
  sj::dom::array pairs;
  if (root["pairs"].get(pairs)) {
    out.pairs.push_back(read_pair(root));
    out.pairs_compared = 1;
    return true;
  }
  out.multi = true;
  for (auto p : pairs) out.pairs.push_back(read_pair(p));
  out.pairs_compared = num(root, "pairs_compared");
  sj::dom::array files;
  if (!root["files"].get(files))
    for (auto f : files) out.files.emplace_back(str(f, "path"), num(f, "records"));
  return true;
}

std::string key_label(const PairView::Key& k) {
  return k.left == k.right ? k.left : k.left + "=" + k.right;
}

std::string keys_label(const PairView& p) {
  std::string s;
  for (auto& k : p.keys) s += (s.empty() ? "" : ", ") + key_label(k);
  return s.empty() ? "(none)" : s;
}

std::string percent(double rate) { return fmt::format("{:.1f}%", 100 * rate); }

uint64_t conflicts(const PairView& p) { return p.within_left + p.within_right + p.across; }

// ------------------------------------------------------------------ text

void text_pair(std::string& out, const PairView& p) {
  out += fmt::format("link: {} -> {}\n", p.left, p.right);
  out += fmt::format("  records             {} left, {} right\n", p.left_records, p.right_records);
  std::string keys;
  for (auto& k : p.keys) keys += fmt::format("{}{} ({}, {})", keys.empty() ? "" : ", ", key_label(k), k.how, k.compare);
  out += fmt::format("  keys                {}\n", keys.empty() ? "(none)" : keys);
  out += fmt::format("  linked              {} unique, {} ambiguous, {} unlinked\n", p.unique, p.ambiguous, p.unlinked);
  out += fmt::format("  linkage rate        {} (expected correct links {:.1f})\n", percent(p.rate), p.expected);
  for (auto& s : p.shared)
    out += fmt::format("  shared identifier   {}={} ({}): {} value{}\n", s.left, s.right, s.rule, s.values,
                       s.values == 1 ? "" : "s");
  if (conflicts(p))
    out += fmt::format("  identifier conflicts {} within left, {} within right, {} across\n", p.within_left,
                       p.within_right, p.across);
}

// ------------------------------------------------------------------ HTML

std::string html(std::string_view s) { return html_escape(s); }

// At most `n` code points of `s`, with "…" when cut.
std::string shorten(const std::string& s, size_t n) {
  size_t cps = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (cps++ == n) return s.substr(0, i) + "…";
  }
  return s;
}

// Last path component, for node labels.
std::string base_name(const std::string& p) {
  auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string svg_map(const SectionView& v) {
  // Nodes: the files (in multi mode every file; else the pair's two).
  std::vector<std::string> nodes;
  if (v.multi)
    for (auto& f : v.files) nodes.push_back(f.first);
  else if (!v.pairs.empty())
    nodes = {v.pairs[0].left, v.pairs[0].right};
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index.emplace(nodes[i], i);
  const double w = 720, h = nodes.size() <= 2 ? 220 : 520, cx = w / 2, cy = h / 2;
  const double r = nodes.size() <= 2 ? 230 : 190;
  std::vector<std::pair<double, double>> pos(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    double a = nodes.size() <= 2 ? (i == 0 ? M_PI : 0) : 2 * M_PI * static_cast<double>(i) / static_cast<double>(nodes.size()) - M_PI / 2;
    pos[i] = {cx + r * std::cos(a), cy + r * std::sin(a)};
  }
  std::string s = fmt::format(
      "<svg class=\"link-map\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"Linkability map\">\n",
      w, h);
  size_t edge = 0;
  for (auto& p : v.pairs) {
    auto ia = index.find(p.left), ib = index.find(p.right);
    if (ia == index.end() || ib == index.end()) continue;
    auto [x1, y1] = pos[ia->second];
    auto [x2, y2] = pos[ib->second];
    bool severe = !p.shared.empty() || p.across > 0;
    double width = 1.5 + 6 * std::min(1.0, std::max(0.0, p.rate));
    std::string rate = percent(p.rate) + " unique";
    if (!p.shared.empty()) {
      uint64_t n = 0;
      for (auto& sh : p.shared) n += sh.values;
      rate += fmt::format(" · {} shared IDs", n);
    }
    // Labels sit at 35% or 65% of the edge in turn, so crossing edges do not
    // stack their labels in the middle; the full key list is the tooltip.
    double t = edge++ % 2 ? 0.65 : 0.35;
    double lx = x1 + (x2 - x1) * t, ly = y1 + (y2 - y1) * t;
    s += fmt::format("  <g><title>{} — {}: {}; {}</title>\n", html(p.left), html(p.right), html(keys_label(p)),
                     html(rate));
    s += fmt::format("    <line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"{:.1f}\"/>\n",
                     x1, y1, x2, y2, severe ? "#c0392b" : "#e67e22", width);
    s += fmt::format("    <text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"11\" stroke=\"#fff\" "
                     "stroke-width=\"3\" paint-order=\"stroke\"><tspan x=\"{:.1f}\">{}</tspan>"
                     "<tspan x=\"{:.1f}\" dy=\"13\">{}</tspan></text>\n  </g>\n",
                     lx, ly - 4, lx, html(shorten(keys_label(p), 40)), lx, html(rate));
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto [x, y] = pos[i];
    s += fmt::format("  <g><title>{}</title><circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"9\" fill=\"#2c3e50\"/>"
                     "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"12\">{}</text></g>\n",
                     html(nodes[i]), x, y, x, y + 24, html(base_name(nodes[i])));
  }
  s += "</svg>\n";
  return s;
}

std::string html_pairs_table(const SectionView& v) {
  std::string s =
      "<table class=\"link-pairs\">\n<thead><tr><th>left</th><th>right</th><th>keys</th>"
      "<th>records</th><th>linked unique</th><th>ambiguous</th><th>linkage rate</th>"
      "<th>expected correct links</th><th>shared identifiers</th><th>identifier conflicts</th></tr></thead>\n<tbody>\n";
  for (auto& p : v.pairs) {
    std::string keys, shared;
    for (auto& k : p.keys)
      keys += fmt::format("{}{} <small>({}, {})</small>", keys.empty() ? "" : "<br>", html(key_label(k)), html(k.how), html(k.compare));
    for (auto& sh : p.shared)
      shared += fmt::format("{}{}={} <small>{}</small>: {}", shared.empty() ? "" : "<br>", html(sh.left), html(sh.right),
                            html(sh.rule), sh.values);
    s += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{:.1f}</td><td>{}</td><td>{}</td></tr>\n",
        html(p.left), html(p.right), keys.empty() ? "(none)" : keys, p.left_records, p.right_records, p.unique,
        p.ambiguous, percent(p.rate), p.expected, shared.empty() ? "none" : shared, conflicts(p));
  }
  s += "</tbody>\n</table>\n";
  return s;
}

// ------------------------------------------------------------------ Markdown

std::string md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '\\' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']' || c == '<' ||
        c == '>' || c == '#')
      out.push_back('\\');
    if (c == '\n') {
      out += ' ';
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string render_text(std::string_view json) {
  SectionView v;
  if (!read_section(json, v)) return {};
  std::string out;
  if (v.multi)
    out += fmt::format("link: {} files, {} pairs compared, {} linkable\n", v.files.size(), v.pairs_compared,
                       v.pairs.size());
  for (auto& p : v.pairs) text_pair(out, p);
  return out;
}

std::string render_html(std::string_view json) {
  SectionView v;
  if (!read_section(json, v)) return {};
  std::string s = "<section class=\"link\">\n<h2>Linkability</h2>\n";
  if (v.multi)
    s += fmt::format("<p>{} files, {} pairs compared, {} linkable.</p>\n", v.files.size(), v.pairs_compared,
                     v.pairs.size());
  s += svg_map(v);
  s += html_pairs_table(v);
  s += "</section>\n";
  return s;
}

std::string render_markdown(std::string_view json) {
  SectionView v;
  if (!read_section(json, v)) return {};
  std::string s = "## Linkability\n\n";
  if (v.multi)
    s += fmt::format("{} files, {} pairs compared, {} linkable.\n\n", v.files.size(), v.pairs_compared, v.pairs.size());
  s += "| left | right | keys | records | linked unique | ambiguous | linkage rate | expected correct links | shared identifiers | identifier conflicts |\n";
  s += "|---|---|---|---|---:|---:|---:|---:|---|---:|\n";
  for (auto& p : v.pairs) {
    std::string shared;
    for (auto& sh : p.shared)
      shared += fmt::format("{}{}={} ({}): {}", shared.empty() ? "" : "; ", md(sh.left), md(sh.right), md(sh.rule), sh.values);
    s += fmt::format("| {} | {} | {} | {} / {} | {} | {} | {} | {:.1f} | {} | {} |\n", md(p.left), md(p.right),
                     md(keys_label(p)), p.left_records, p.right_records, p.unique, p.ambiguous, percent(p.rate),
                     p.expected, shared.empty() ? "none" : shared, conflicts(p));
  }
  return s;
}

}  // namespace privaudit::link
