#include "report/escape.h"

#include <fmt/format.h>

#include "report/json_writer.h"

namespace privaudit {

namespace {

// Appends s with invalid UTF-8 replaced, passing each ASCII byte to `ascii`.
template <typename Fn>
void each_char(std::string& out, std::string_view s, Fn&& ascii) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ascii(out, static_cast<char>(c));
      ++i;
      continue;
    }
    size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  each_char(out, s, [](std::string& o, char c) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') || c == 0x7F) o += ' ';
        else o.push_back(c);
    }
  });
  return out;
}

std::string markdown_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  each_char(out, s, [](std::string& o, char c) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\n': case '\r': case '\t': o += ' '; break;
      case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#':
      case '!': case '~': case '(': case ')': case '{': case '}': case '+': case '-':
      case '.': case '@': case ':':
        o.push_back('\\');
        o.push_back(c);
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) o += ' ';
        else o.push_back(c);
    }
  });
  return out;
}

std::string path_to_uri(std::string_view path) {
  std::string out;
  while (path.size() > 2 && path.substr(0, 2) == "./") path.remove_prefix(2);
  if (!path.empty() && path[0] == '/') out = "file://";
  for (unsigned char c : path) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '!';
    if (keep) out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace privaudit
