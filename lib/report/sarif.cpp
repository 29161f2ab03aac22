#include "report/sarif.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "report/escape.h"
#include "report/json_writer.h"

namespace privaudit {

namespace {

constexpr const char* kInformationUri = "https://github.com/privaudit/privaudit";

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::critical:
    case Severity::high: return "error";
    case Severity::medium: return "warning";
    case Severity::low:
    case Severity::info: return "note";
  }
  return "note";
}

const char* security_severity(Severity s) {
  switch (s) {
    case Severity::critical: return "9.5";
    case Severity::high: return "8.0";
    case Severity::medium: return "5.5";
    case Severity::low: return "3.0";
    case Severity::info: return "1.0";
  }
  return "1.0";
}

// "jp-my-number" -> "JpMyNumber": SARIF wants rule names to be identifiers.
std::string pascal_case(std::string_view id) {
  std::string out;
  bool up = true;
  for (char c : id) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      up = true;
      continue;
    }
    out.push_back(up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
    up = false;
  }
  return out.empty() ? "Rule" : out;
}

// The rule's name as an identifier ("Japanese Individual Number (My
// Number, 個人番号)" -> "JapaneseIndividualNumberMyNumber"), never equal to
// its id (SARIF1001).
std::string rule_name(const RuleInfo& ri) {
  std::string n = pascal_case(ri.name);
  auto lower = [](std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return s;
  };
  if (ri.name.empty() || lower(n) == lower(ri.id) || n == "Rule") n = pascal_case(ri.id) + "Rule";
  return n;
}

std::string sentence(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
  if (s.empty()) return s;
  char last = s.back();
  if (last != '.' && last != '!' && last != '?') s.push_back('.');
  return s;
}

// The rules of the run, then a stub for each finding's rule not among them.
std::vector<RuleInfo> driver_rules(const Report& r) {
  std::vector<RuleInfo> rules = r.rules;
  std::set<std::string> known;
  for (auto& ri : rules) known.insert(ri.id);
  std::map<std::string, RuleInfo> extra;
  for (auto& f : r.findings) {
    if (known.count(f.rule) || extra.count(f.rule)) continue;
    RuleInfo ri;
    ri.id = f.rule;
    ri.name = f.rule;
    ri.description = f.message;
    ri.severity = f.severity;
    extra.emplace(f.rule, std::move(ri));
  }
  for (auto& [id, ri] : extra) rules.push_back(std::move(ri));
  return rules;
}

void write_rule(JsonWriter& w, const RuleInfo& ri) {
  w.begin_object();
  w.key("id").value(ri.id);
  w.key("name").value(rule_name(ri));
  w.key("shortDescription").begin_object().key("text").value(sentence(ri.name.empty() ? ri.id : ri.name)).end_object();
  w.key("fullDescription").begin_object().key("text").value(sentence(ri.description.empty() ? ri.name : ri.description)).end_object();
  std::string text = sentence(ri.description.empty() ? ri.name : ri.description);
  text += fmt::format(" Severity: {}.", to_string(ri.severity));
  text += " Reports hold only a masked value and a keyed fingerprint; remove or mask the identifier in the source data, or mark a deliberate line with privaudit:allow.";
  std::string md = "**" + markdown_escape(ri.name.empty() ? ri.id : ri.name) + "**\n\n" +
                   markdown_escape(sentence(ri.description)) + "\n\nSeverity: **" +
                   std::string(to_string(ri.severity)) +
                   "**\\. Remove or mask the identifier in the source data, or mark a deliberate line with `privaudit:allow`\\.\n";
  if (!ri.references.empty()) {
    text += " References:";
    md += "\nReferences:\n\n";
    for (auto& ref : ri.references) {
      text += " " + ref;
      md += "- <" + ref + ">\n";
    }
  }
  w.key("help").begin_object().key("text").value(text).key("markdown").value(md).end_object();
  if (!ri.references.empty()) w.key("helpUri").value(ri.references.front());
  w.key("defaultConfiguration").begin_object().key("level").value(sarif_level(ri.severity)).end_object();
  w.key("properties").begin_object();
  w.key("security-severity").value(security_severity(ri.severity));
  w.key("tags").begin_array();
  std::set<std::string> seen;
  for (const std::string& t : {std::string("security"), std::string("privacy")}) {
    seen.insert(t);
    w.value(t);
  }
  for (auto& t : ri.tags)
    if (seen.insert(t).second) w.value(t);
  w.end_array();
  w.end_object();
  w.end_object();
}

void write_location(JsonWriter& w, const std::string& path, uint64_t line, uint64_t column,
                    size_t length) {
  w.begin_object().key("physicalLocation").begin_object();
  w.key("artifactLocation").begin_object().key("uri").value(path_to_uri(path)).end_object();
  if (line) {
    w.key("region").begin_object();
    w.key("startLine").value(line);
    if (column) {
      w.key("startColumn").value(column);
      w.key("endLine").value(line);
      w.key("endColumn").value(column + std::max<uint64_t>(length, 1));
    }
    w.end_object();
  }
  w.end_object().end_object();
}

std::string finding_text(const Finding& f) {
  std::string t = f.message.empty() ? f.rule : f.message;
  while (!t.empty() && t.back() == '.') t.pop_back();
  if (!f.masked.empty()) t += ": '" + f.masked + "'";
  if (!f.field.empty()) t += " in field '" + f.field + "'";
  if (f.record >= 0) t += fmt::format(", record {}", f.record);
  return t + ".";
}

// 64-bit FNV-1a as hex: a stable, non-secret id for an aggregated result.
std::string fnv_hex(std::string_view a, std::string_view b) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(a);
  mix(std::string_view("\0", 1));
  mix(b);
  return fmt::format("{:016x}", h);
}

// Opens the result's property bag and writes the finding's details; the
// caller adds more keys and closes it.
void write_result_props(JsonWriter& w, const Finding& f) {
  w.key("properties").begin_object();
  w.key("severity").value(to_string(f.severity));
  w.key("confidence").value(to_string(f.confidence));
  if (!f.masked.empty()) w.key("masked").value(f.masked);
  if (!f.field.empty()) w.key("field").value(f.field);
  if (f.record >= 0) w.key("record").value(f.record);
}

void write_result(JsonWriter& w, const Finding& f, size_t rule_index) {
  w.begin_object();
  w.key("ruleId").value(f.rule);
  w.key("ruleIndex").value(static_cast<uint64_t>(rule_index));
  w.key("level").value(sarif_level(f.severity));
  w.key("message").begin_object().key("text").value(finding_text(f)).end_object();
  w.key("locations").begin_array();
  // GitHub shows no result without a start line: a finding with no line
  // (a spreadsheet cell, a database row) points at line 1.
  write_location(w, f.path, f.line ? f.line : 1, f.column, code_points(f.masked));
  w.end_array();
  if (!f.fingerprint.empty())
    w.key("partialFingerprints").begin_object().key("privaudit/v1").value(f.fingerprint).end_object();
  write_result_props(w, f);
  w.end_object();
  w.end_object();
}

// One result for `count` findings of one rule in one file; `first` locates it.
void write_aggregate(JsonWriter& w, const Finding& first, size_t rule_index, uint64_t count,
                     uint64_t distinct) {
  w.begin_object();
  w.key("ruleId").value(first.rule);
  w.key("ruleIndex").value(static_cast<uint64_t>(rule_index));
  w.key("level").value(sarif_level(first.severity));
  std::string what = first.message.empty() ? first.rule : first.message;
  while (!what.empty() && what.back() == '.') what.pop_back();
  std::string text = fmt::format("{} findings ({} distinct values) of: {}; the first is '{}' at line {}.",
                                 count, distinct, what, first.masked, first.line);
  w.key("message").begin_object().key("text").value(text).end_object();
  w.key("locations").begin_array();
  write_location(w, first.path, first.line ? first.line : 1, first.column, code_points(first.masked));
  w.end_array();
  w.key("partialFingerprints").begin_object().key("privaudit/v1").value("aggregate-" + fnv_hex(first.rule, first.path)).end_object();
  write_result_props(w, first);
  w.key("count").value(count);
  w.key("distinct_values").value(distinct);
  w.key("aggregated").value(true);
  w.end_object();
  w.end_object();
}

void write_results(JsonWriter& w, const Report& r, const std::map<std::string, size_t>& index) {
  w.key("results").begin_array();
  if (r.findings.size() <= kSarifMaxResults) {
    for (auto& f : r.findings) write_result(w, f, index.at(f.rule));
  } else {
    // Groups in order of first appearance (findings are sorted by path).
    struct Group {
      size_t first;
      uint64_t count = 0;
      std::set<std::string> values;
    };
    std::vector<Group> groups;
    std::map<std::pair<std::string, std::string>, size_t> where;
    for (size_t i = 0; i < r.findings.size(); ++i) {
      auto& f = r.findings[i];
      auto [it, fresh] = where.emplace(std::make_pair(f.rule, f.path), groups.size());
      if (fresh) groups.push_back({i, 0, {}});
      Group& g = groups[it->second];
      ++g.count;
      if (!f.fingerprint.empty()) g.values.insert(f.fingerprint);
    }
    for (auto& g : groups) {
      const Finding& f = r.findings[g.first];
      write_aggregate(w, f, index.at(f.rule), g.count, g.values.size());
    }
  }
  w.end_array();
}

void write_notification(JsonWriter& w, const char* level, const std::string& path,
                        const std::string& text) {
  w.begin_object();
  w.key("level").value(level);
  w.key("message").begin_object().key("text").value(sentence(text)).end_object();
  w.key("locations").begin_array();
  write_location(w, path, 0, 0, 0);
  w.end_array();
  w.end_object();
}

void write_invocation(JsonWriter& w, const Report& r) {
  w.key("invocations").begin_array().begin_object();
  w.key("executionSuccessful").value(r.errors.empty());
  if (!r.started_at.empty()) w.key("startTimeUtc").value(r.started_at);
  w.key("toolExecutionNotifications").begin_array();
  for (auto& e : r.errors) write_notification(w, "error", e.path, e.path + ": " + e.error);
  for (auto& s : r.skipped) write_notification(w, "note", s.path, "Skipped " + s.path + ": " + s.reason);
  w.end_array();
  w.end_object().end_array();
}

}  // namespace

std::string render_sarif(const Report& r) {
  std::vector<RuleInfo> rules = driver_rules(r);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < rules.size(); ++i) index.emplace(rules[i].id, i);

  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("$schema").value("https://json.schemastore.org/sarif-2.1.0.json");
  w.key("version").value("2.1.0");
  w.key("runs").begin_array().begin_object();
  w.key("tool").begin_object().key("driver").begin_object();
  w.key("name").value("privaudit");
  w.key("version").value(r.tool_version);
  w.key("semanticVersion").value(r.tool_version);
  w.key("informationUri").value(kInformationUri);
  w.key("rules").begin_array();
  for (auto& ri : rules) write_rule(w, ri);
  w.end_array();
  w.end_object().end_object();
  write_invocation(w, r);
  w.key("columnKind").value("unicodeCodePoints");
  write_results(w, r, index);
  w.key("properties").begin_object();
  w.key("command").value(r.command);
  w.key("fingerprint_key").value(r.fingerprint_key);
  w.key("files").value(r.files);
  w.key("bytes").value(r.bytes);
  w.key("findings").value(static_cast<uint64_t>(r.findings.size()));
  w.key("suppressed").value(r.suppressed);
  w.end_object();
  w.end_object().end_array();
  w.end_object();
  return out;
}

}  // namespace privaudit
