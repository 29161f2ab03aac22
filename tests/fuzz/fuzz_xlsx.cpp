// Fuzz target: the XLSX reader (zip container, workbook, relationships,
// shared strings, sheets) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "formats/xlsx.h"
#include "fuzz_common.h"
#include "scan/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  privaudit::ExpandBudget budget;
  budget.limits.max_expanded_bytes = uint64_t{64} << 20;
  privaudit::XlsxLimits limits;
  limits.max_shared_strings_bytes = uint64_t{16} << 20;
  limits.max_spool_bytes = uint64_t{16} << 20;
  privaudit::ScanResult r;
  privaudit::MemoryReader rd(reinterpret_cast<const char*>(data), size);
  privaudit::scan_xlsx("fuzz.xlsx", rd, std::string(), fuzz::scanner(), r, budget, true, limits);
  fuzz::check(r);
  return 0;
}
