// Text encodings: detection (BOM, UTF-8 validity, uchardet for legacy
// Japanese encodings) and streaming conversion to UTF-8 with iconv.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace privaudit {

enum class Encoding { utf8, utf16le, utf16be, cp932, eucjp, latin1 };

std::string_view encoding_name(Encoding e);
// Parses a --encoding value (utf-8, utf-16le, utf-16be, cp932, shift_jis,
// sjis, euc-jp, latin1). False if unknown.
bool parse_encoding(std::string_view s, Encoding& out);

// Guesses the encoding of a document from its first bytes. `bom` receives the
// byte-order mark's length (to skip). `complete`: the sample is the whole
// document (so a character cut at its end is an error, not a cut).
Encoding detect_encoding(const char* p, size_t n, bool complete, size_t& bom);

// Converts a legacy encoding to UTF-8 incrementally. Bytes that cannot be
// decoded become U+FFFD and are counted.
class Transcoder {
 public:
  explicit Transcoder(Encoding from);
  ~Transcoder();
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<void*>(-1); }

  // Converts in[0, n) appending to out. Returns bytes consumed; a trailing
  // incomplete sequence is left unconsumed unless `eof`.
  size_t convert(const char* in, size_t n, bool eof, std::string& out);
  uint64_t replaced() const { return replaced_; }

 private:
  void* cd_;
  Encoding from_;
  uint64_t replaced_ = 0;
};

// Replaces invalid UTF-8 sequences with U+FFFD; returns how many.
uint64_t repair_utf8(std::string_view in, std::string& out);

}  // namespace privaudit
