// Small UTF-8 helpers for the characters SPEC gives meaning to: full-width
// digits and the separators a grouped identifier may use.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace privaudit::utf8 {

inline bool is_ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool is_ascii_letter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Full-width digit ０-９ (EF BC 90-99) at p, with at least 3 bytes available.
inline bool is_fullwidth_digit(const unsigned char* p) {
  return p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99;
}

// If p starts a separator SPEC allows inside a grouped identifier, returns its
// length in bytes and sets cp; else 0. `avail` is the number of bytes readable.
inline size_t separator_at(const unsigned char* p, size_t avail, uint32_t& cp) {
  if (avail == 0) return 0;
  if (p[0] == ' ') { cp = 0x20; return 1; }
  if (p[0] == '-') { cp = 0x2D; return 1; }
  if (avail < 3) return 0;
  if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) { cp = 0x3000; return 3; }
  if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8D) { cp = 0xFF0D; return 3; }
  if (p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92) { cp = 0x2212; return 3; }
  if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x94) {
    cp = 0x2010u + (p[2] - 0x90u);
    return 3;
  }
  if (p[0] == 0xE3 && p[1] == 0x83 && p[2] == 0xBC) { cp = 0x30FC; return 3; }
  return 0;
}

inline bool is_space_separator(uint32_t cp) { return cp == 0x20 || cp == 0x3000; }

// Number of code points in [p, p+n) (counts non-continuation bytes).
size_t count_code_points(const char* p, size_t n);

// Start of the character containing position i (never before `lo`).
inline size_t char_start(const char* buf, size_t lo, size_t i) {
  while (i > lo && is_continuation(static_cast<unsigned char>(buf[i]))) --i;
  return i;
}

// Folds full-width ASCII (U+FF01..U+FF5E) to ASCII and ideographic space to
// space; other characters are copied.
std::string fold_width(std::string_view s);

// Appends the code point as UTF-8.
void append_utf8(std::string& out, uint32_t cp);

}  // namespace privaudit::utf8
