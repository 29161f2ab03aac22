#include "report/json_writer.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

namespace privaudit {

size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (n == 0 || (c >= 0xF5) || i + n > s.size()) return 0;
  auto c1 = static_cast<unsigned char>(s[i + 1]);
  // Overlong forms, surrogates and code points past U+10FFFF are invalid.
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 > 0x8F))
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

namespace {
// Length of the prefix of s made of printable ASCII other than '"' and '\\'
// (bytes that appear in JSON as they are), eight bytes at a time.
size_t plain_prefix(std::string_view s) {
  constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  auto has_zero = [](uint64_t v) { return (v - ones) & ~v & highs; };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    // A byte under 0x20, at or over 0x7f, or '"' or '\\' stops the run.
    uint64_t bad = ((v - ones * 0x20) | v | (v + ones * 0x01)) & highs;
    bad |= has_zero(v ^ (ones * '"')) | has_zero(v ^ (ones * '\\'));
    if (bad) break;
  }
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
  }
  return i;
}
}  // namespace

bool json_plain(std::string_view s) { return plain_prefix(s) == s.size(); }

void json_escape(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t plain = plain_prefix(s);
  if (plain == s.size()) {
    out.append(s);
    out.push_back('"');
    return;
  }
  size_t run = 0;  // start of the pending run of characters that need no escape
  for (size_t i = plain; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence_length(s, i);
      if (n) {
        i += n;
        continue;
      }
      out.append(s.data() + run, i - run);
      out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
      run = ++i;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    run = ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: out += fmt::format("\\u{:04x}", c);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void JsonWriter::newline() {
  if (!pretty_) return;
  out_.push_back('\n');
  out_.append(stack_.size() * 2, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!stack_.empty()) {
    if (!stack_.back().first) out_.push_back(',');
    stack_.back().first = false;
    newline();
  }
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  stack_.push_back({});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  bool empty = stack_.back().first;
  stack_.pop_back();
  if (!empty) newline();
  out_.push_back('}');
  if (stack_.empty() && pretty_) out_.push_back('\n');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  stack_.push_back({});
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  bool empty = stack_.back().first;
  stack_.pop_back();
  if (!empty) newline();
  out_.push_back(']');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  json_escape(out_, k);
  out_ += pretty_ ? ": " : ":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  before_value();
  json_escape(out_, s);
  return *this;
}

JsonWriter& JsonWriter::value(int64_t v) {
  before_value();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::value(uint64_t v) {
  before_value();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  before_value();
  if (!std::isfinite(v)) out_ += "null";
  else if (v == std::floor(v) && std::fabs(v) < 1e15) out_ += fmt::format("{:.1f}", v);
  else out_ += fmt::format("{}", v);  // shortest round-trip form
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  before_value();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_.append(json);
  return *this;
}

}  // namespace privaudit
