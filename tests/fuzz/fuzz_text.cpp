// Fuzz target: the identifier engine on arbitrary text (a .txt document:
// encoding detection, digit-run pass, patterns, validators, evidence), and
// on the printable strings of what is binary (--binary).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "scan/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (bool binary : {false, true}) {
    privaudit::ScanResult r;
    privaudit::MemoryReader rd(reinterpret_cast<const char*>(data), size);
    fuzz::scanner(binary).scan("fuzz.txt", rd, r);
    fuzz::check(r);
    if (!binary && r.skipped.empty()) break;  // text: the binary scanner would read it alike
  }
  return 0;
}
