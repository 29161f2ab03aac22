// Evidence for a value's confidence: context keywords near it, and the name
// of the field (CSV header, JSON key, `key=` log field) it sits in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.h"

namespace privaudit {

class KeywordIndex {
 public:
  explicit KeywordIndex(const std::vector<Rule>& rules);

  // +1: the text names rule `r` (one of its context keywords); -1: it names
  // something else (another rule's keyword, or one of r's negative
  // keywords); 0: neither.
  int classify_name(std::string_view name, uint32_t r) const;

  // Looks for the keyword nearest to a value at [start, end) in buf, on the
  // same line: up to `before` bytes before it and a few bytes after it. Same
  // return convention as classify_name.
  int window(const char* buf, size_t lo, size_t hi, size_t start, size_t end, uint32_t r) const;

 private:
  struct Keyword {
    std::string text;  // lower-cased
    bool ascii;        // matched on word boundaries
    std::vector<uint32_t> positive;  // rules it names
    std::vector<uint32_t> negative;  // rules it is a negative keyword of
  };
  std::vector<Keyword> kws_;
  // Finds the occurrence of any keyword in hay (lower-cased) ending nearest to
  // hay's end (`from_end`) or starting nearest its start; returns index or -1.
  int nearest(std::string_view hay, bool from_end, size_t& distance) const;
  int verdict(const Keyword& k, uint32_t r) const;
};

// The `key` of a `key=value` / `key: value` / `"key": "value"` field whose
// value starts at `start`; empty if none. Looks back at most 64 bytes, on the
// same line.
std::string_view log_field_key(const char* buf, size_t lo, size_t start);

}  // namespace privaudit
