#include "rules/rule.h"

#include <fmt/format.h>
#include <hs/hs.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "rules/builtin.h"

namespace privaudit {

bool Rule::has_tag(std::string_view t) const {
  return std::find(tags.begin(), tags.end(), t) != tags.end();
}

namespace {

using simdjson::dom::element;

bool get_string_array(element obj, const char* key, std::vector<std::string>& out,
                      std::string& problem) {
  element v;
  if (obj[key].get(v)) return true;  // optional
  simdjson::dom::array arr;
  if (v.get(arr)) {
    problem = fmt::format("'{}' must be an array of strings", key);
    return false;
  }
  for (element e : arr) {
    std::string_view s;
    if (e.get(s)) {
      problem = fmt::format("'{}' must be an array of strings", key);
      return false;
    }
    out.emplace_back(s);
  }
  return true;
}

bool get_string(element obj, const char* key, std::string& out, bool required,
                std::string& problem) {
  element v;
  if (obj[key].get(v)) {
    if (required) problem = fmt::format("missing required field '{}'", key);
    return !required;
  }
  std::string_view s;
  if (v.get(s)) {
    problem = fmt::format("'{}' must be a string", key);
    return false;
  }
  out = std::string(s);
  return true;
}

bool parse_int_array(element v, std::vector<int>& out) {
  simdjson::dom::array arr;
  if (v.get(arr)) return false;
  for (element e : arr) {
    int64_t n;
    if (e.get(n) || n < 1 || n > 40) return false;
    out.push_back(static_cast<int>(n));
  }
  return true;
}

bool parse_rule(element obj, Rule& r, std::string& problem) {
  static const std::set<std::string_view> known = {
      "id", "name", "description", "severity", "message", "patterns", "digits", "matcher", "validator",
      "evidence_required", "context", "context_negative", "tags", "references", "examples"};
  simdjson::dom::object o;
  if (obj.get(o)) {
    problem = "a rule must be a JSON object";
    return false;
  }
  for (auto field : o)
    if (!known.count(field.key)) {
      problem = fmt::format("unknown field '{}'", field.key);
      return false;
    }
  if (!get_string(obj, "id", r.id, true, problem)) return false;
  if (r.id.empty() || !std::all_of(r.id.begin(), r.id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      })) {
    problem = "'id' must be non-empty lowercase letters, digits, '-' or '_'";
    return false;
  }
  if (!get_string(obj, "name", r.name, true, problem)) return false;
  if (!get_string(obj, "description", r.description, false, problem)) return false;
  std::string sev;
  if (!get_string(obj, "severity", sev, true, problem)) return false;
  if (!parse_severity(sev, r.severity)) {
    problem = fmt::format("unknown severity '{}' (info, low, medium, high, critical)", sev);
    return false;
  }
  if (!get_string(obj, "message", r.message, false, problem)) return false;
  if (r.message.empty()) r.message = r.name;
  if (!get_string_array(obj, "patterns", r.patterns, problem)) return false;
  if (r.patterns.empty()) {
    problem = "'patterns' must hold at least one regular expression";
    return false;
  }
  element d;
  if (!obj["digits"].get(d)) {
    element v;
    if (!d["lengths"].get(v) && !parse_int_array(v, r.digits.lengths)) {
      problem = "'digits.lengths' must be an array of digit counts (1..40)";
      return false;
    }
    if (!d["groupings"].get(v)) {
      simdjson::dom::array arr;
      if (v.get(arr)) {
        problem = "'digits.groupings' must be an array of arrays of group lengths";
        return false;
      }
      for (element g : arr) {
        std::vector<int> grp;
        if (!parse_int_array(g, grp) || grp.size() < 2 || grp.size() > 8) {
          problem = "'digits.groupings' entries must be arrays of 2..8 group lengths";
          return false;
        }
        r.digits.groupings.push_back(std::move(grp));
      }
    }
    if (r.digits.empty()) {
      problem = "'digits' needs 'lengths' or 'groupings'";
      return false;
    }
  }
  if (!get_string(obj, "matcher", r.matcher, false, problem)) return false;
  if (!r.matcher.empty() && !known_matcher(r.matcher)) {
    problem = fmt::format("unknown matcher '{}' (email, ipv4, ipv6, iban, passport)", r.matcher);
    return false;
  }
  if (!r.matcher.empty() && r.has_digits()) {
    problem = "a rule has either 'digits' or 'matcher', not both";
    return false;
  }
  if (!get_string(obj, "validator", r.validator_name, false, problem)) return false;
  if (!r.validator_name.empty() && r.validator_name != "none") {
    r.validator = validate::find(r.validator_name);
    if (!r.validator) {
      problem = fmt::format("unknown validator '{}'", r.validator_name);
      return false;
    }
  }
  element ev;
  if (!obj["evidence_required"].get(ev) && ev.get(r.evidence_required)) {
    problem = "'evidence_required' must be true or false";
    return false;
  }
  if (!get_string_array(obj, "context", r.context, problem)) return false;
  if (!get_string_array(obj, "context_negative", r.context_negative, problem)) return false;
  if (!get_string_array(obj, "tags", r.tags, problem)) return false;
  if (!get_string_array(obj, "references", r.references, problem)) return false;
  element ex;
  if (!obj["examples"].get(ex)) {
    if (!get_string_array(ex, "match", r.examples_match, problem)) return false;
    if (!get_string_array(ex, "no_match", r.examples_no_match, problem)) return false;
  }
  if (r.evidence_required && r.context.empty()) {
    problem = "'evidence_required' needs 'context' keywords";
    return false;
  }
  return true;
}

}  // namespace

bool parse_rule_file(std::string_view json, const std::string& source, std::vector<Rule>& out,
                     std::string& error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element doc;
  if (auto err = parser.parse(padded).get(doc)) {
    error = fmt::format("{}: not valid JSON: {}", source, simdjson::error_message(err));
    return false;
  }
  element rules;
  simdjson::dom::array arr;
  if (doc["rules"].get(rules) || rules.get(arr)) {
    error = fmt::format("{}: expected an object with a \"rules\" array", source);
    return false;
  }
  size_t index = 0;
  std::set<std::string> seen;
  for (element e : arr) {
    Rule r;
    std::string problem;
    r.source = source;
    if (!parse_rule(e, r, problem)) {
      std::string who = r.id.empty() ? fmt::format("rule #{}", index + 1) : "rule '" + r.id + "'";
      error = fmt::format("{}: {}: {}", source, who, problem);
      return false;
    }
    if (!seen.insert(r.id).second) {
      error = fmt::format("{}: rule '{}': duplicate id in one file", source, r.id);
      return false;
    }
    out.push_back(std::move(r));
    ++index;
  }
  return true;
}

bool load_rules_path(const std::string& path, std::vector<Rule>& out, std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (auto& e : fs::directory_iterator(path, ec))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      error = fmt::format("{}: no *.json rule files in this folder", path);
      return false;
    }
  } else if (fs::exists(path, ec)) {
    files.push_back(path);
  } else {
    error = fmt::format("{}: no such rule file or folder", path);
    return false;
  }
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      error = fmt::format("{}: cannot read", f.string());
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();  // rule files are small configuration files
    if (!parse_rule_file(ss.str(), f.string(), out, error)) return false;
  }
  return true;
}

bool load_builtin_rules(std::vector<Rule>& out, std::string& error) {
  for (const BuiltinRuleFile* f = builtin_rule_files(); f->name; ++f)
    if (!parse_rule_file(std::string_view(f->data, f->size), std::string("builtin:") + f->name,
                         out, error))
      return false;
  return true;
}

void merge_rules(std::vector<Rule>& base, std::vector<Rule> extra) {
  for (auto& r : extra) {
    auto it = std::find_if(base.begin(), base.end(), [&](const Rule& b) { return b.id == r.id; });
    if (it != base.end())
      *it = std::move(r);
    else
      base.push_back(std::move(r));
  }
}

void select_rules(std::vector<Rule>& rules, const std::vector<std::string>& enable,
                  const std::vector<std::string>& disable) {
  auto named = [](const Rule& r, const std::vector<std::string>& names) {
    for (auto& n : names)
      if (n == r.id || r.has_tag(n)) return true;
    return false;
  };
  rules.erase(std::remove_if(rules.begin(), rules.end(),
                             [&](const Rule& r) {
                               if (!enable.empty() && !named(r, enable)) return true;
                               return named(r, disable);
                             }),
              rules.end());
}

bool known_matcher(std::string_view name) {
  return name == "ipv4" || name == "ipv6" || name == "iban" || name == "passport" ||
         name == "email";
}

bool lint_rules(const std::vector<Rule>& rules, std::vector<std::string>& problems) {
  for (auto& r : rules) {
    for (auto& p : r.patterns) {
      hs_database_t* db = nullptr;
      hs_compile_error_t* err = nullptr;
      bool utf8 = std::any_of(p.begin(), p.end(), [](char c) { return (c & 0x80) != 0; });
      unsigned flags = HS_FLAG_SOM_LEFTMOST | (utf8 ? HS_FLAG_UTF8 | HS_FLAG_UCP : 0u);
      if (hs_compile(p.c_str(), flags, HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
        problems.push_back(fmt::format("{}: rule '{}': pattern /{}/ does not compile: {}", r.source,
                                       r.id, p, err ? err->message : "unknown error"));
        hs_free_compile_error(err);
      }
      hs_free_database(db);
    }
    if (r.examples_match.empty())
      problems.push_back(fmt::format("{}: rule '{}': no examples.match", r.source, r.id));
    if (r.examples_no_match.empty())
      problems.push_back(fmt::format("{}: rule '{}': no examples.no_match", r.source, r.id));
  }
  return problems.empty();
}

}  // namespace privaudit
