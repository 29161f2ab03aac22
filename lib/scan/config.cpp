#include "scan/config.h"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/types.h"

namespace privaudit {

namespace {

namespace od = simdjson::ondemand;

bool read_string(od::value v, const std::string& key, std::string& out, std::string& error) {
  std::string_view sv;
  if (v.get_string().get(sv)) {
    error = "\"" + key + "\" must be a string";
    return false;
  }
  out.assign(sv);
  return true;
}

bool read_list(od::value v, const std::string& key, std::vector<std::string>& out, std::string& error) {
  od::json_type t;
  if (v.type().get(t)) {
    error = "\"" + key + "\": unreadable value";
    return false;
  }
  if (t == od::json_type::string) {
    std::string s;
    if (!read_string(v, key, s, error)) return false;
    out.push_back(std::move(s));
    return true;
  }
  od::array arr;
  if (t != od::json_type::array || v.get_array().get(arr)) {
    error = "\"" + key + "\" must be a string or an array of strings";
    return false;
  }
  for (auto item : arr) {
    std::string_view sv;
    if (item.get_string().get(sv)) {
      error = "\"" + key + "\" must be an array of strings";
      return false;
    }
    out.emplace_back(sv);
  }
  return true;
}

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p[0] == '/' || base_dir.empty() || base_dir == ".") return p;
  return (std::filesystem::path(base_dir) / p).string();
}

bool read_key(const std::string& k, od::value v, const std::string& base, ScanConfig& c, std::string& error) {
  auto list = [&](std::optional<std::vector<std::string>>& dst) {
    dst.emplace();
    return read_list(v, k, *dst, error);
  };
  auto str = [&](std::optional<std::string>& dst) {
    dst.emplace();
    return read_string(v, k, *dst, error);
  };
  if (k == "rules") {
    if (!list(c.rules)) return false;
    for (auto& p : *c.rules) p = resolve(base, p);
    return true;
  }
  if (k == "enable") return list(c.enable);
  if (k == "disable") return list(c.disable);
  if (k == "include") return list(c.include);
  if (k == "exclude") return list(c.exclude);
  if (k == "fail_on") {
    if (!str(c.fail_on)) return false;
    Severity s;
    if (*c.fail_on != "never" && !parse_severity(*c.fail_on, s)) {
      error = "\"fail_on\": expected info, low, medium, high, critical or never, not \"" + *c.fail_on + "\"";
      return false;
    }
    return true;
  }
  if (k == "min_confidence") {
    if (!str(c.min_confidence)) return false;
    Confidence conf;
    if (!parse_confidence(*c.min_confidence, conf)) {
      error = "\"min_confidence\": expected low, medium or high, not \"" + *c.min_confidence + "\"";
      return false;
    }
    return true;
  }
  if (k == "key_file") {
    if (!str(c.key_file)) return false;
    *c.key_file = resolve(base, *c.key_file);
    return true;
  }
  if (k == "baseline") {
    if (!str(c.baseline)) return false;
    *c.baseline = resolve(base, *c.baseline);
    return true;
  }
  error = "unknown key \"" + k +
          "\" (known: rules, enable, disable, include, exclude, fail_on, min_confidence, key_file, baseline)";
  return false;
}

}  // namespace

bool parse_scan_config(std::string_view json, const std::string& base_dir, ScanConfig& out,
                       std::string& error) {
  ScanConfig c;
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
  od::object obj;
  if (auto e = parser.iterate(padded).get(doc)) {
    error = std::string("not JSON: ") + simdjson::error_message(e);
    return false;
  }
  if (doc.get_object().get(obj)) {
    error = "expected a JSON object";
    return false;
  }
  for (auto fr : obj) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(fr).get(field)) {
      error = std::string("not JSON: ") + simdjson::error_message(e);
      return false;
    }
    if (field.unescaped_key().get(key)) {
      error = "unreadable key";
      return false;
    }
    if (!read_key(std::string(key), field.value(), base_dir, c, error)) return false;
  }
  out = std::move(c);
  return true;
}

bool load_scan_config(const std::string& path, ScanConfig& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read the configuration file";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string base = std::filesystem::path(path).parent_path().string();
  if (!parse_scan_config(ss.str(), base, out, error)) {
    error = path + ": " + error;
    return false;
  }
  out.path = path;
  return true;
}

}  // namespace privaudit
