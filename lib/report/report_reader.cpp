#include "report/report_reader.h"

#include <simdjson.h>

#include <fstream>
#include <sstream>

namespace privaudit {

namespace {

namespace od = simdjson::ondemand;

bool get_string(od::value v, std::string& out) {
  std::string_view sv;
  if (v.get_string().get(sv)) return false;
  out.assign(sv);
  return true;
}

bool get_strings(od::value v, std::vector<std::string>& out) {
  od::array arr;
  if (v.get_array().get(arr)) return false;
  for (auto item : arr) {
    od::value e;
    std::string s;
    if (std::move(item).get(e) || !get_string(e, s)) return false;
    out.push_back(std::move(s));
  }
  return true;
}

// The JSON text of `v` exactly as written in the document.
bool get_raw(od::value v, std::string& out) {
  od::json_type t;
  if (v.type().get(t)) return false;
  std::string_view raw;
  if (t == od::json_type::object) {
    od::object o;
    if (v.get_object().get(o) || o.raw_json().get(raw)) return false;
  } else if (t == od::json_type::array) {
    od::array a;
    if (v.get_array().get(a) || a.raw_json().get(raw)) return false;
  } else {
    raw = v.raw_json_token();
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                            raw.back() == '\t'))
      raw.remove_suffix(1);
  }
  out.assign(raw);
  return true;
}

// Calls fn(key, value) for each field of the object `v`; stops at the first
// false. False when `v` is not an object or a field cannot be read.
template <typename Fn>
bool each_field(od::value v, Fn&& fn) {
  od::object obj;
  if (v.get_object().get(obj)) return false;
  for (auto fr : obj) {
    od::field field;
    std::string_view key;
    if (std::move(fr).get(field) || field.unescaped_key().get(key)) return false;
    std::string k(key);
    if (!fn(k, field.value())) return false;
  }
  return true;
}

template <typename Fn>
bool each_element(od::value v, Fn&& fn) {
  od::array arr;
  if (v.get_array().get(arr)) return false;
  for (auto item : arr) {
    od::value e;
    if (std::move(item).get(e) || !fn(e)) return false;
  }
  return true;
}

bool read_finding(od::value v, Finding& f, std::string& error) {
  return each_field(v, [&](const std::string& k, od::value x) {
    bool ok = true;
    std::string s;
    if (k == "rule") ok = get_string(x, f.rule);
    else if (k == "severity") ok = get_string(x, s) && parse_severity(s, f.severity);
    else if (k == "confidence") ok = get_string(x, s) && parse_confidence(s, f.confidence);
    else if (k == "path") ok = get_string(x, f.path);
    else if (k == "line") ok = !x.get_uint64().get(f.line);
    else if (k == "column") ok = !x.get_uint64().get(f.column);
    else if (k == "offset") ok = !x.get_uint64().get(f.offset) && (f.has_offset = true);
    else if (k == "field") ok = get_string(x, f.field);
    else if (k == "record") ok = !x.get_int64().get(f.record);
    else if (k == "masked") ok = get_string(x, f.masked);
    else if (k == "fingerprint") ok = get_string(x, f.fingerprint);
    else if (k == "message") ok = get_string(x, f.message);
    if (!ok) error = "findings: bad value for \"" + k + "\"";
    return ok;
  });
}

bool read_rule(od::value v, RuleInfo& r, std::string& error) {
  return each_field(v, [&](const std::string& k, od::value x) {
    bool ok = true;
    std::string s;
    if (k == "id") ok = get_string(x, r.id);
    else if (k == "name") ok = get_string(x, r.name);
    else if (k == "description") ok = get_string(x, r.description);
    else if (k == "severity") ok = get_string(x, s) && parse_severity(s, r.severity);
    else if (k == "tags") ok = get_strings(x, r.tags);
    else if (k == "references") ok = get_strings(x, r.references);
    if (!ok) error = "rules: bad value for \"" + k + "\"";
    return ok;
  });
}

bool read_inputs(od::value v, Report& r, std::string& error) {
  return each_field(v, [&](const std::string& k, od::value x) {
    bool ok = true;
    if (k == "files") ok = !x.get_uint64().get(r.files);
    else if (k == "bytes") ok = !x.get_uint64().get(r.bytes);
    else if (k == "skipped")
      ok = each_element(x, [&](od::value e) {
        Skipped s;
        bool good = each_field(e, [&](const std::string& sk, od::value sv) {
          if (sk == "path") return get_string(sv, s.path);
          if (sk == "reason") return get_string(sv, s.reason);
          return true;
        });
        r.skipped.push_back(std::move(s));
        return good;
      });
    if (!ok) error = "inputs: bad value for \"" + k + "\"";
    return ok;
  });
}

bool read_top(const std::string& k, od::value x, Report& r, bool& schema_seen, std::string& error) {
  bool ok = true;
  if (k == "schema") {
    std::string s;
    ok = get_string(x, s);
    if (ok && s != "privaudit.report/1") {
      error = "unknown schema \"" + s + "\" (expected privaudit.report/1)";
      return false;
    }
    schema_seen = true;
  } else if (k == "tool") {
    ok = each_field(x, [&](const std::string& tk, od::value tv) {
      return tk == "version" ? get_string(tv, r.tool_version) : true;
    });
  } else if (k == "command") {
    ok = get_string(x, r.command);
  } else if (k == "started_at") {
    ok = get_string(x, r.started_at);
  } else if (k == "duration_ms") {
    ok = !x.get_uint64().get(r.duration_ms);
  } else if (k == "fingerprint_key") {
    ok = get_string(x, r.fingerprint_key);
  } else if (k == "inputs") {
    return read_inputs(x, r, error);
  } else if (k == "errors") {
    ok = each_element(x, [&](od::value e) {
      InputError ie;
      bool good = each_field(e, [&](const std::string& ek, od::value ev) {
        if (ek == "path") return get_string(ev, ie.path);
        if (ek == "error") return get_string(ev, ie.error);
        return true;
      });
      r.errors.push_back(std::move(ie));
      return good;
    });
  } else if (k == "findings") {
    return each_element(x, [&](od::value e) {
      Finding f;
      if (!read_finding(e, f, error)) return false;
      r.findings.push_back(std::move(f));
      return true;
    });
  } else if (k == "rules") {
    return each_element(x, [&](od::value e) {
      RuleInfo ri;
      if (!read_rule(e, ri, error)) return false;
      r.rules.push_back(std::move(ri));
      return true;
    });
  } else if (k == "summary") {
    ok = each_field(x, [&](const std::string& sk, od::value sv) {
      return sk == "suppressed" ? !sv.get_uint64().get(r.suppressed) : true;
    });
  } else {
    std::string raw;
    ok = get_raw(x, raw);
    if (ok) r.sections.emplace_back(k, std::move(raw));
  }
  if (!ok && error.empty()) error = "bad value for \"" + k + "\"";
  return ok;
}

}  // namespace

bool parse_report_json(std::string_view json, Report& out, std::string& error) {
  Report r;
  r.tool_version.clear();
  r.command.clear();
  simdjson::padded_string padded(json);
  {
    // Full validation first: On-Demand reads lazily and would accept
    // trailing data or a malformed value it never visits.
    simdjson::dom::parser validator;
    simdjson::dom::element root_el;
    if (auto e = validator.parse(padded).get(root_el)) {
      error = std::string("not JSON: ") + simdjson::error_message(e);
      return false;
    }
  }
  od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) {
    error = std::string("not JSON: ") + simdjson::error_message(e);
    return false;
  }
  od::value root;
  if (doc.get_value().get(root)) {
    error = "not a JSON object";
    return false;
  }
  bool schema_seen = false;
  bool ok = each_field(root, [&](const std::string& k, od::value x) {
    return read_top(k, x, r, schema_seen, error);
  });
  if (!ok) {
    if (error.empty()) error = "not a privaudit JSON report";
    return false;
  }
  if (!schema_seen) {
    error = "no \"schema\" key: not a privaudit JSON report";
    return false;
  }
  if (r.tool_version.empty()) r.tool_version = PRIVAUDIT_VERSION;
  if (r.command.empty()) r.command = "scan";
  out = std::move(r);
  return true;
}

bool load_report_file(const std::string& path, Report& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (!parse_report_json(ss.str(), out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

}  // namespace privaudit
