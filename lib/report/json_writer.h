// A minimal streaming JSON writer with deterministic output (keys in the
// order written, two-space indentation or compact).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace privaudit {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out, bool pretty = true) : out_(out), pretty_(pretty) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(unsigned v) { return value(static_cast<uint64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& null();
  // Inserts already-serialised JSON as a value.
  JsonWriter& raw(std::string_view json);

 private:
  std::string& out_;
  bool pretty_;
  struct Level {
    bool first = true;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
  void before_value();
  void newline();
};

// Appends s as a JSON string literal (with quotes). Bytes that are not UTF-8
// become U+FFFD, so the output is always valid JSON.
void json_escape(std::string& out, std::string_view s);
// True when json_escape would write s unchanged between its quotes
// (printable ASCII other than '"' and '\\').
bool json_plain(std::string_view s);
// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
size_t utf8_sequence_length(std::string_view s, size_t i);

}  // namespace privaudit
