// Core value types shared by every module: severities, confidences, findings,
// and the accounting of inputs (skipped, failed).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace privaudit {

enum class Severity : uint8_t { info = 0, low, medium, high, critical };
enum class Confidence : uint8_t { low = 0, medium, high };

std::string_view to_string(Severity s);
std::string_view to_string(Confidence c);
// Parse a name; returns false on an unknown one.
bool parse_severity(std::string_view s, Severity& out);
bool parse_confidence(std::string_view s, Confidence& out);

// One identifier (or risk/link/consent result) found in an input.
struct Finding {
  std::string rule;
  Severity severity = Severity::info;
  Confidence confidence = Confidence::medium;
  std::string path;        // "a.zip!/dir/b.csv"
  uint64_t line = 0;       // 1-based; 0 = absent
  uint64_t column = 0;     // 1-based, code points in the decoded line; 0 = absent
  uint64_t offset = 0;     // byte offset in the decoded stream
  bool has_offset = false;
  std::string field;       // CSV header, JSON Pointer, XLSX cell; empty = absent
  int64_t record = -1;     // 1-based record number; -1 = absent
  std::string masked;      // never the whole value
  std::string fingerprint; // keyed HMAC, 16 hex digits
  std::string message;
};

struct Skipped {
  std::string path;
  std::string reason;
};

struct InputError {
  std::string path;
  std::string error;
};

// Orders findings as the report requires: path, then offset, then rule.
bool finding_less(const Finding& a, const Finding& b);

}  // namespace privaudit
