#include "decode/decode.h"

#include <iconv.h>
#include <simdjson.h>
#include <uchardet/uchardet.h>

#include <cerrno>
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

// Scores how Shift_JIS-like / EUC-JP-like the bytes are: the share of
// multi-byte sequences that are well-formed in each.
void japanese_scores(const unsigned char* p, size_t n, double& sjis, double& euc) {
  size_t sj_ok = 0, sj_bad = 0, eu_ok = 0, eu_bad = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xA1 && c <= 0xDF) { ++sj_ok; ++i; continue; }  // half-width katakana
    if (((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) && i + 1 < n) {
      unsigned char d = p[i + 1];
      if ((d >= 0x40 && d <= 0x7E) || (d >= 0x80 && d <= 0xFC)) ++sj_ok; else ++sj_bad;
      i += 2;
      continue;
    }
    ++sj_bad;
    ++i;
  }
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    if (c == 0x8E && i + 1 < n && p[i + 1] >= 0xA1 && p[i + 1] <= 0xDF) { ++eu_ok; i += 2; continue; }
    if (c >= 0xA1 && c <= 0xFE && i + 1 < n && p[i + 1] >= 0xA1 && p[i + 1] <= 0xFE) {
      ++eu_ok;
      i += 2;
      continue;
    }
    ++eu_bad;
    ++i;
  }
  sjis = sj_ok + sj_bad ? static_cast<double>(sj_ok) / static_cast<double>(sj_ok + sj_bad) : 0;
  euc = eu_ok + eu_bad ? static_cast<double>(eu_ok) / static_cast<double>(eu_ok + eu_bad) : 0;
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
  if (valid_utf8_allowing_cut(p, n, complete)) return Encoding::utf8;
  // UTF-16 without BOM: many NULs in alternate positions.
  size_t even0 = 0, odd0 = 0;
  for (size_t i = 0; i + 1 < n && i < 4096; i += 2) {
    even0 += u[i] == 0;
    odd0 += u[i + 1] == 0;
  }
  size_t pairs = std::min(n, size_t{4096}) / 2;
  if (pairs >= 4 && odd0 * 10 > pairs * 4 && even0 * 10 < pairs) return Encoding::utf16le;
  if (pairs >= 4 && even0 * 10 > pairs * 4 && odd0 * 10 < pairs) return Encoding::utf16be;
  // Legacy Japanese: ask uchardet, then check its answer against byte structure.
  Encoding guess = Encoding::cp932;
  if (uchardet_t ud = uchardet_new()) {
    uchardet_handle_data(ud, p, std::min(n, size_t{65536}));
    uchardet_data_end(ud);
    std::string cs = uchardet_get_charset(ud);
    uchardet_delete(ud);
    for (auto& c : cs)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (cs == "EUC-JP") guess = Encoding::eucjp;
    else if (cs == "SHIFT_JIS" || cs == "CP932" || cs == "WINDOWS-31J") guess = Encoding::cp932;
    else {
      double sj, eu;
      japanese_scores(u, std::min(n, size_t{65536}), sj, eu);
      guess = eu > sj ? Encoding::eucjp : Encoding::cp932;
      if (sj < 0.9 && eu < 0.9) guess = Encoding::latin1;
    }
  }
  return guess;
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
