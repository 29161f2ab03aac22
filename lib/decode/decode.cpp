#include "decode/decode.h"

#include <iconv.h>
#include <simdjson.h>
#include <uchardet/uchardet.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

namespace privaudit {

std::string_view encoding_name(Encoding e) {
  switch (e) {
    case Encoding::utf8: return "utf-8";
    case Encoding::utf16le: return "utf-16le";
    case Encoding::utf16be: return "utf-16be";
    case Encoding::cp932: return "cp932";
    case Encoding::eucjp: return "euc-jp";
    case Encoding::latin1: return "latin1";
  }
  return "utf-8";
}

bool parse_encoding(std::string_view s, Encoding& out) {
  std::string v(s);
  for (auto& c : v)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  if (v == "utf-8" || v == "utf8") out = Encoding::utf8;
  else if (v == "utf-16le" || v == "utf16le") out = Encoding::utf16le;
  else if (v == "utf-16be" || v == "utf16be") out = Encoding::utf16be;
  else if (v == "cp932" || v == "shift_jis" || v == "sjis" || v == "shift-jis" ||
           v == "windows-31j" || v == "ms932")
    out = Encoding::cp932;
  else if (v == "euc-jp" || v == "eucjp") out = Encoding::eucjp;
  else if (v == "latin1" || v == "iso-8859-1") out = Encoding::latin1;
  else return false;
  return true;
}

namespace {

// Length of the longest valid UTF-8 prefix, allowing a truncated final
// character when !complete.
bool valid_utf8_allowing_cut(const char* p, size_t n, bool complete) {
  if (simdjson::validate_utf8(p, n)) return true;
  if (complete) return false;
  // Retry without a possibly cut final character (at most 3 bytes).
  for (size_t cut = 1; cut <= 3 && cut < n; ++cut) {
    auto c = static_cast<unsigned char>(p[n - cut]);
    if ((c & 0xC0) == 0xC0) return simdjson::validate_utf8(p, n - cut);
    if ((c & 0xC0) != 0x80) break;
  }
  return false;
}

// How plausible the bytes are as Japanese text in one encoding: well-formed
// double-byte characters in common ranges (kana, level-1 kanji, full-width
// digits and punctuation) score high, rare ones low, malformed sequences
// count as errors. Short inputs decide on this; uchardet needs more text.
struct JaScore {
  double score = 0;
  size_t chars = 0;  // non-ASCII characters seen
  size_t bad = 0;    // malformed sequences
};

JaScore score_sjis(const unsigned char* p, size_t n, bool complete) {
  JaScore s;
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    ++s.chars;
    if (c >= 0xA1 && c <= 0xDF) { s.score += 0.2; ++i; continue; }  // half-width katakana
    bool lead = (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC);
    if (!lead) { ++s.bad; ++i; continue; }
    if (i + 1 >= n) { if (complete) ++s.bad; break; }
    unsigned char d = p[i + 1];
    if (!((d >= 0x40 && d <= 0x7E) || (d >= 0x80 && d <= 0xFC))) { ++s.bad; ++i; continue; }
    if (c == 0x82 || c == 0x83) s.score += 1.0;                  // digits, latin, kana
    else if (c == 0x81) s.score += 0.6;                          // punctuation, symbols
    else if (c >= 0x88 && c <= 0x98) s.score += 1.0;             // level-1 kanji
    else if (c == 0x87 || (c >= 0x99 && c <= 0x9F) || (c >= 0xE0 && c <= 0xEA)) s.score += 0.5;
    else if (c >= 0xED && c <= 0xEE) s.score += 0.3;             // NEC-selected IBM extensions
    else if (c >= 0xFA && c <= 0xFC) s.score += 0.3;             // IBM extensions
    else if (c >= 0xF0 && c <= 0xF9) s.score -= 1.0;             // user-defined area
    else s.score += 0.1;
    i += 2;
  }
  return s;
}

JaScore score_eucjp(const unsigned char* p, size_t n, bool complete) {
  JaScore s;
  auto trail = [](unsigned char d) { return d >= 0xA1 && d <= 0xFE; };
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    ++s.chars;
    size_t need = c == 0x8F ? 3 : 2;
    if (i + need > n) { if (complete) ++s.bad; break; }
    if (c == 0x8E) {  // half-width katakana
      if (p[i + 1] >= 0xA1 && p[i + 1] <= 0xDF) { s.score += 0.2; i += 2; } else { ++s.bad; ++i; }
      continue;
    }
    if (c == 0x8F) {  // JIS X 0212
      if (trail(p[i + 1]) && trail(p[i + 2])) { s.score += 0.3; i += 3; } else { ++s.bad; ++i; }
      continue;
    }
    if (!trail(c) || !trail(p[i + 1])) { ++s.bad; ++i; continue; }
    if (c == 0xA3 || c == 0xA4 || c == 0xA5) s.score += 1.0;     // digits, latin, kana
    else if (c == 0xA1 || c == 0xA2) s.score += 0.6;             // punctuation, symbols
    else if (c >= 0xB0 && c <= 0xCF) s.score += 1.0;             // level-1 kanji
    else if (c >= 0xD0 && c <= 0xF4) s.score += 0.5;             // level-2 kanji
    else if (c == 0xAD || (c >= 0xA6 && c <= 0xA8)) s.score += 0.3;
    else s.score -= 1.0;                                         // unassigned, user-defined
    i += 2;
  }
  return s;
}

// UTF-16 without a BOM: a text with some ASCII (NUL high bytes) whose code
// units fall in common ranges in one byte order.
bool looks_utf16(const unsigned char* p, size_t n, bool le) {
  size_t units = std::min(n, size_t{65536}) / 2, common = 0, ascii = 0;
  if (units < 2) return false;
  for (size_t i = 0; i < units; ++i) {
    unsigned hi = le ? p[2 * i + 1] : p[2 * i], lo = le ? p[2 * i] : p[2 * i + 1];
    unsigned u = hi << 8 | lo;
    if (hi == 0 && (lo == '\t' || lo == '\n' || lo == '\r' || (lo >= 0x20 && lo < 0x7F))) {
      ++common;
      ++ascii;
    } else if ((u >= 0x3000 && u <= 0x30FF) || (u >= 0x4E00 && u <= 0x9FFF) ||
               (u >= 0xFF00 && u <= 0xFFEF) || (u >= 0x00A0 && u <= 0x024F) ||
               (u >= 0x2010 && u <= 0x2312) || (u >= 0xD800 && u <= 0xDFFF)) {
      ++common;
    }
  }
  return ascii > 0 && common * 100 >= units * 95;
}

// Shift_JIS (CP932) or EUC-JP, by structure and score; latin1 when neither
// fits; uchardet breaks what the scores leave open.
Encoding guess_legacy(const char* p, size_t n, bool complete) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  size_t m = std::min(n, size_t{65536});
  bool whole = complete && m == n;
  JaScore sj = score_sjis(u, m, whole), eu = score_eucjp(u, m, whole);
  auto fits = [](const JaScore& s) { return s.chars > 0 && s.bad * 50 <= s.chars && s.score > 0; };
  if (fits(sj) && !fits(eu)) return Encoding::cp932;
  if (fits(eu) && !fits(sj)) return Encoding::eucjp;
  if (fits(sj) && fits(eu)) {
    double a = sj.score - 3.0 * static_cast<double>(sj.bad);
    double b = eu.score - 3.0 * static_cast<double>(eu.bad);
    if (a > b * 1.1) return Encoding::cp932;
    if (b > a * 1.1) return Encoding::eucjp;
  }
  std::string cs;
  if (uchardet_t ud = uchardet_new()) {
    uchardet_handle_data(ud, p, m);
    uchardet_data_end(ud);
    cs = uchardet_get_charset(ud);
    uchardet_delete(ud);
  }
  for (auto& c : cs)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  if (cs == "EUC-JP") return Encoding::eucjp;
  if (cs == "SHIFT_JIS" || cs == "CP932" || cs == "WINDOWS-31J") return Encoding::cp932;
  if (fits(sj) || fits(eu)) return sj.score >= eu.score ? Encoding::cp932 : Encoding::eucjp;
  return Encoding::latin1;
}

}  // namespace

Encoding detect_encoding(const char* p, size_t n, bool complete, size_t& bom) {
  bom = 0;
  auto u = reinterpret_cast<const unsigned char*>(p);
  if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
    bom = 3;
    return Encoding::utf8;
  }
  if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
    bom = 2;
    return Encoding::utf16le;
  }
  if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
    bom = 2;
    return Encoding::utf16be;
  }
  // UTF-16 without BOM: NULs only occur there (or in binary data).
  if (std::memchr(p, 0, std::min(n, size_t{65536}))) {
    if (looks_utf16(u, n, true)) return Encoding::utf16le;
    if (looks_utf16(u, n, false)) return Encoding::utf16be;
    return Encoding::utf8;  // binary: the caller skips it
  }
  if (valid_utf8_allowing_cut(p, n, complete)) return Encoding::utf8;
  return guess_legacy(p, n, complete);
}

Transcoder::Transcoder(Encoding from) : from_(from) {
  const char* name = "UTF-8";
  switch (from) {
    case Encoding::utf8: name = "UTF-8"; break;
    case Encoding::utf16le: name = "UTF-16LE"; break;
    case Encoding::utf16be: name = "UTF-16BE"; break;
    case Encoding::cp932: name = "CP932"; break;
    case Encoding::eucjp: name = "EUC-JP-MS"; break;
    case Encoding::latin1: name = "ISO-8859-1"; break;
  }
  iconv_t cd = iconv_open("UTF-8", name);
  if (cd == reinterpret_cast<iconv_t>(-1) && from == Encoding::eucjp) cd = iconv_open("UTF-8", "EUC-JP");
  cd_ = cd;
}

Transcoder::~Transcoder() {
  if (ok()) iconv_close(static_cast<iconv_t>(cd_));
}

size_t Transcoder::convert(const char* in, size_t n, bool eof, std::string& out) {
  auto cd = static_cast<iconv_t>(cd_);
  size_t consumed = 0;
  char tmp[16384];
  while (consumed < n) {
    char* src = const_cast<char*>(in + consumed);
    size_t src_left = n - consumed;
    char* dst = tmp;
    size_t dst_left = sizeof tmp;
    size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
    int err = errno;
    out.append(tmp, static_cast<size_t>(dst - tmp));
    consumed = n - src_left;
    if (r != static_cast<size_t>(-1)) continue;
    if (err == E2BIG) continue;
    if (err == EINVAL && !eof) break;  // incomplete sequence: wait for more input
    // EILSEQ (or a cut sequence at end of input): replace one unit and go on.
    out.append("\xEF\xBF\xBD");
    ++replaced_;
    size_t unit = (from_ == Encoding::utf16le || from_ == Encoding::utf16be) ? 2 : 1;
    consumed += std::min(unit, n - consumed);
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  return consumed;
}

uint64_t repair_utf8(std::string_view in, std::string& out) {
  uint64_t bad = 0;
  out.reserve(out.size() + in.size() + 16);
  auto u = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = u[i];
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) { out.push_back(static_cast<char>(c)); ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      if ((u[i + k] & 0xC0) != 0x80) ok = false;
      else cp = (cp << 6) | (u[i + k] & 0x3F);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
      ok = false;
    if (!ok) {
      out.append("\xEF\xBF\xBD");
      ++bad;
      ++i;
      continue;
    }
    out.append(in.data() + i, len);
    i += len;
  }
  return bad;
}

}  // namespace privaudit
