// The built-in rule pack, embedded from rules/*.json at build time.
#pragma once
#include <cstddef>

namespace privaudit {
struct BuiltinRuleFile {
  const char* name;  // "jp.json"; nullptr ends the table
  const char* data;
  size_t size;
};
const BuiltinRuleFile* builtin_rule_files();
}  // namespace privaudit
