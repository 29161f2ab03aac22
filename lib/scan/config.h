// The scan configuration file: .privaudit.json in the working directory, or
// --config FILE. Every key is optional; command-line flags win over it.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace privaudit {

struct ScanConfig {
  std::string path;  // the file it came from
  std::optional<std::vector<std::string>> rules, enable, disable, include, exclude;
  std::optional<std::string> fail_on, min_confidence, key_file, baseline;
};

// Name of the file looked for in the working directory.
constexpr const char* kDefaultConfigName = ".privaudit.json";

// Parses a configuration: one JSON object with the keys rules (paths),
// enable, disable, include, exclude (a string or an array of strings),
// fail_on, min_confidence, key_file and baseline (strings). Relative paths in
// rules, key_file and baseline are resolved against `base_dir`. False with
// `error` naming the problem (unknown key, wrong type, bad value).
bool parse_scan_config(std::string_view json, const std::string& base_dir, ScanConfig& out,
                       std::string& error);

// Reads and parses the file at `path`; `error` starts with the path.
bool load_scan_config(const std::string& path, ScanConfig& out, std::string& error);

}  // namespace privaudit
