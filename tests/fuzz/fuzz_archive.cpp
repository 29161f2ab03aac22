// Fuzz target: the archive walker. The bytes are read as a top-level input
// (sniffed, opened with libarchive, members scanned, nested archives
// followed) through scan_container_or_document over a MemoryReader. The
// first byte picks the input's name, which steers format choices (a .xlsx
// zip, a lone .gz, a .csv inside).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "scan/container.h"
#include "scan/reader.h"
#include "scan/run.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kNames[] = {"fuzz.zip", "fuzz.tar.gz", "fuzz.csv.gz", "fuzz.xlsx",
                                       "fuzz.7z",  "fuzz.jsonl.xz", "fuzz.bin", "fuzz.tar"};
  if (size == 0) return 0;
  std::string name = kNames[data[0] % (sizeof kNames / sizeof kNames[0])];
  privaudit::RunOptions o;
  o.max_expanded_bytes = uint64_t{64} << 20;
  o.max_archive_entries = 10000;
  privaudit::ScanResult r;
  privaudit::MemoryReader rd(reinterpret_cast<const char*>(data) + 1, size - 1);
  privaudit::scan_container_or_document(name, rd, o, fuzz::scanner(), r, 0);
  fuzz::check(r);
  return 0;
}
