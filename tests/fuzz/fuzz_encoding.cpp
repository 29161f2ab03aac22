// Fuzz target: encoding detection (detect_encoding), conversion of every
// legacy encoding to UTF-8 (Transcoder, fed in two pieces), and repair_utf8.
#include <simdjson.h>

#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <string>

#include "decode/decode.h"

namespace {

// The output of a conversion must be valid UTF-8.
void require_utf8(const std::string& s, std::string_view what) {
  if (simdjson::validate_utf8(s.data(), s.size())) return;
  std::fprintf(stderr, "invalid UTF-8 out of %.*s\n", static_cast<int>(what.size()), what.data());
  __builtin_trap();
}

void transcode(privaudit::Encoding e, const char* p, size_t n) {
  privaudit::Transcoder tc(e);
  if (!tc.ok()) return;
  std::string out, pending;
  size_t half = n / 2;
  pending.assign(p, half);
  size_t used = tc.convert(pending.data(), pending.size(), false, out);
  if (used > pending.size()) __builtin_trap();
  pending.erase(0, used);
  pending.append(p + half, n - half);
  used = tc.convert(pending.data(), pending.size(), true, out);
  if (used > pending.size()) __builtin_trap();
  require_utf8(out, privaudit::encoding_name(e));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* p = reinterpret_cast<const char*>(data);
  size_t bom = 0;
  privaudit::Encoding e = privaudit::detect_encoding(p, size, true, bom);
  if (bom > size) __builtin_trap();
  size_t bom2 = 0;
  privaudit::detect_encoding(p, size, false, bom2);
  if (bom2 > size) __builtin_trap();
  transcode(e, p + bom, size - bom);
  for (auto other : {privaudit::Encoding::cp932, privaudit::Encoding::eucjp,
                     privaudit::Encoding::utf16le})
    if (other != e) transcode(other, p, size);
  std::string repaired;
  privaudit::repair_utf8(std::string_view(p, size), repaired);
  require_utf8(repaired, "repair_utf8");
  return 0;
}
