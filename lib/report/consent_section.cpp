#include "report/consent_section.h"

#include "report/escape.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <utility>
#include <vector>

namespace privaudit {

namespace {

// The section's counters, in display order, and the per-rule counts.
struct ConsentView {
  std::vector<std::pair<std::string, uint64_t>> metrics;
  std::vector<std::pair<std::string, uint64_t>> rules;
  bool ok = false;
};

const std::pair<std::string_view, std::string_view> kLabels[] = {
    {"records", "records checked"},
    {"records_skipped", "records not checked"},
    {"subjects", "subjects in the data"},
    {"exports", "exports"},
    {"non_consent_basis", "records with a non-consent legal basis"},
    {"data_files", "data files"},
    {"ledger_files", "ledger files"},
    {"ledger_entries", "ledger entries"},
    {"ledger_events", "consent events"},
    {"ledger_subjects", "subjects in the ledger"},
    {"provision_records", "provision records"},
};

uint64_t as_count(simdjson::dom::element e) {
  uint64_t u;
  if (!e.get(u)) return u;
  int64_t i;
  if (!e.get(i)) return i < 0 ? 0 : static_cast<uint64_t>(i);
  return 0;
}

ConsentView parse_view(std::string_view json) {
  ConsentView v;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::object o;
  if (parser.parse(padded).get(o)) return v;
  for (auto& [key, label] : kLabels) {
    simdjson::dom::element e;
    if (!o.at_key(key).get(e)) v.metrics.emplace_back(std::string(label), as_count(e));
  }
  simdjson::dom::object by_rule;
  if (!o.at_key("by_rule").get(by_rule))
    for (auto field : by_rule) v.rules.emplace_back(std::string(field.key), as_count(field.value));
  v.ok = true;
  return v;
}


}  // namespace

std::string render_consent_text(std::string_view json) {
  ConsentView v = parse_view(json);
  if (!v.ok) return {};
  std::string out = "\nconsent:\n";
  for (auto& [label, n] : v.metrics) out += fmt::format("  {:<40} {}\n", label, n);
  out += "  findings by rule:\n";
  for (auto& [rule, n] : v.rules) out += fmt::format("    {:<38} {}\n", rule, n);
  return out;
}

std::string render_consent_html(std::string_view json) {
  ConsentView v = parse_view(json);
  if (!v.ok) return {};
  std::string out = "<section class=\"consent\">\n<h2>Consent</h2>\n<table class=\"metrics\">\n";
  for (auto& [label, n] : v.metrics)
    out += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n", html_escape(label), n);
  out += "</table>\n<table class=\"by-rule\">\n<tr><th scope=\"col\">rule</th><th scope=\"col\">findings</th></tr>\n";
  for (auto& [rule, n] : v.rules)
    out += fmt::format("<tr><td><code>{}</code></td><td>{}</td></tr>\n", html_escape(rule), n);
  out += "</table>\n</section>\n";
  return out;
}

std::string render_consent_markdown(std::string_view json) {
  ConsentView v = parse_view(json);
  if (!v.ok) return {};
  std::string out = "## Consent\n\n| | |\n|---|---:|\n";
  for (auto& [label, n] : v.metrics) out += fmt::format("| {} | {} |\n", label, n);
  out += "\n| rule | findings |\n|---|---:|\n";
  for (auto& [rule, n] : v.rules) out += fmt::format("| `{}` | {} |\n", rule, n);
  return out + "\n";
}

}  // namespace privaudit
