// Fuzz target: the identifier engine on arbitrary text (a .txt document:
// encoding detection, digit-run pass, patterns, validators, evidence).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "scan/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  privaudit::ScanResult r;
  privaudit::MemoryReader rd(reinterpret_cast<const char*>(data), size);
  fuzz::scanner().scan("fuzz.txt", rd, r);
  fuzz::check(r);
  return 0;
}
