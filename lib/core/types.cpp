#include "core/types.h"

#include <tuple>

namespace privaudit {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::low: return "low";
    case Severity::medium: return "medium";
    case Severity::high: return "high";
    case Severity::critical: return "critical";
  }
  return "info";
}

std::string_view to_string(Confidence c) {
  switch (c) {
    case Confidence::low: return "low";
    case Confidence::medium: return "medium";
    case Confidence::high: return "high";
  }
  return "medium";
}

bool parse_severity(std::string_view s, Severity& out) {
  static const std::pair<std::string_view, Severity> names[] = {
      {"info", Severity::info}, {"low", Severity::low}, {"medium", Severity::medium},
      {"high", Severity::high}, {"critical", Severity::critical}};
  for (auto& [n, v] : names)
    if (n == s) { out = v; return true; }
  return false;
}

bool parse_confidence(std::string_view s, Confidence& out) {
  static const std::pair<std::string_view, Confidence> names[] = {
      {"low", Confidence::low}, {"medium", Confidence::medium}, {"high", Confidence::high}};
  for (auto& [n, v] : names)
    if (n == s) { out = v; return true; }
  return false;
}

bool finding_less(const Finding& a, const Finding& b) {
  // Most comparisons are between findings of one input: equal paths, told
  // apart by offset. Same order as comparing the tuple
  // (path, offset, rule, line, column, field).
  if (int c = a.path.compare(b.path)) return c < 0;
  if (a.offset != b.offset) return a.offset < b.offset;
  if (int c = a.rule.compare(b.rule)) return c < 0;
  if (a.line != b.line) return a.line < b.line;
  if (a.column != b.column) return a.column < b.column;
  return a.field < b.field;
}

}  // namespace privaudit
