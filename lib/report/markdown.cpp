#include "report/markdown.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "report/escape.h"
#include "report/sections.h"

namespace privaudit {

namespace {

constexpr size_t kTop = 20;
constexpr size_t kMaxListed = 50;  // errors and skipped inputs listed

constexpr Severity kSeverities[] = {Severity::critical, Severity::high, Severity::medium,
                                    Severity::low, Severity::info};

std::string location(const Finding& f) {
  std::string loc = markdown_escape(f.path);
  if (f.line) loc += fmt::format("\\:{}", f.line);
  if (f.column) loc += fmt::format("\\:{}", f.column);
  return loc;
}

void summary(std::string& o, const Report& r, const Summary& s) {
  o += fmt::format("## privaudit {} report\n\n", markdown_escape(r.command));
  o += fmt::format("**{} finding{}** in {} file{} ({} bytes)", s.findings, s.findings == 1 ? "" : "s", r.files,
                   r.files == 1 ? "" : "s", r.bytes);
  if (s.suppressed) o += fmt::format(" · {} suppressed", s.suppressed);
  if (!r.skipped.empty()) o += fmt::format(" · {} skipped", r.skipped.size());
  if (!r.errors.empty()) o += fmt::format(" · **{} error{}**", r.errors.size(), r.errors.size() == 1 ? "" : "s");
  o += "\n\n";
  if (s.findings == 0) return;
  o += "| Severity | Findings |\n|---|---:|\n";
  for (Severity sev : kSeverities) {
    auto it = s.by_severity.find(std::string(to_string(sev)));
    if (it != s.by_severity.end()) o += fmt::format("| {} | {} |\n", to_string(sev), it->second);
  }
  o += "\n| Rule | Findings | Distinct values |\n|---|---:|---:|\n";
  std::vector<std::pair<std::string, uint64_t>> rules(s.by_rule.begin(), s.by_rule.end());
  std::stable_sort(rules.begin(), rules.end(), [](auto& a, auto& b) { return a.second > b.second; });
  for (auto& [rule, n] : rules) {
    auto dv = s.distinct_values.find(rule);
    o += fmt::format("| {} | {} | {} |\n", markdown_escape(rule), n, dv == s.distinct_values.end() ? 0 : dv->second);
  }
  o += "\n";
}

void top_findings(std::string& o, const Report& r) {
  if (r.findings.empty()) return;
  std::vector<size_t> order(r.findings.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return r.findings[a].severity > r.findings[b].severity; });
  size_t n = std::min(order.size(), kTop);
  o += fmt::format("### {} findings\n\n", n < order.size() ? fmt::format("Top {}", n) : std::string("All"));
  o += "| Severity | Rule | Location | Field | Masked value (or message) | Confidence |\n|---|---|---|---|---|---|\n";
  for (size_t i = 0; i < n; ++i) {
    const Finding& f = r.findings[order[i]];
    std::string field = markdown_escape(f.field);
    if (f.record >= 0) field += fmt::format("{}record {}", field.empty() ? "" : ", ", f.record);
    o += fmt::format("| {} | {} | {} | {} | {} | {} |\n", to_string(f.severity), markdown_escape(f.rule), location(f),
                     field, markdown_escape(f.masked.empty() ? f.message : f.masked), to_string(f.confidence));
  }
  if (n < order.size()) o += fmt::format("\n…and {} more: see the full report.\n", order.size() - n);
  o += "\n";
}

template <typename T, typename Fn>
void details(std::string& o, const char* title, const std::vector<T>& items, Fn&& line) {
  if (items.empty()) return;
  o += fmt::format("<details><summary>{} ({})</summary>\n\n", title, items.size());
  size_t n = std::min(items.size(), kMaxListed);
  for (size_t i = 0; i < n; ++i) o += "- " + line(items[i]) + "\n";
  if (n < items.size()) o += fmt::format("- …and {} more\n", items.size() - n);
  o += "\n</details>\n\n";
}

}  // namespace

std::string render_markdown(const Report& r) {
  Summary s = summarize(r);
  std::string o;
  summary(o, r, s);
  top_findings(o, r);
  for (auto& [name, json] : r.sections) o += render_section_markdown(name, json);
  details(o, "Errors", r.errors,
          [](const InputError& e) { return markdown_escape(e.path) + ": " + markdown_escape(e.error); });
  details(o, "Skipped inputs", r.skipped,
          [](const Skipped& k) { return markdown_escape(k.path) + ": " + markdown_escape(k.reason); });
  o += fmt::format("<sub>privaudit {} · values are masked · fingerprint key: {}</sub>\n", markdown_escape(r.tool_version),
                   markdown_escape(r.fingerprint_key));
  return o;
}

}  // namespace privaudit
