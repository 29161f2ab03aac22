// XLSX workbooks: cell text read with libarchive + expat (streaming SAX,
// never a DOM) and scanned as a text document of one line per cell, whose
// findings carry the cell (`Sheet1!H12`) as field and the row as record.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/archive.h"
#include "scan/reader.h"
#include "scan/scanner.h"

namespace privaudit {

// Bounds on what a workbook may hold in memory.
struct XlsxLimits {
  uint64_t max_shared_strings_bytes = uint64_t{256} << 20;
  // A workbook that cannot be re-read (an archive member, stdin) is held in
  // memory for its second pass, up to this size.
  uint64_t max_spool_bytes = uint64_t{512} << 20;
};

// True for names that are XLSX workbooks (.xlsx, .xlsm).
bool is_xlsx_name(std::string_view name);

// Numeric cell text as written digits: an integral value loses its exponent
// and trailing ".0" (1.23456789018E+11 -> 123456789018); anything else is
// returned unchanged.
std::string xlsx_number_text(std::string_view v);

// Column letters of a 0-based column index (0 -> A, 27 -> AB).
std::string xlsx_column_name(uint32_t col);

// Scans the workbook read from `in` (whose first bytes `head` were already
// read from it) as one document named `path`. Expanded bytes count against
// `budget`; problems (bad XML, limits) go to out.errors.
void scan_xlsx(const std::string& path, ByteReader& in, std::string head, DocumentScanner& ds,
               ScanResult& out, ExpandBudget& budget, bool top_level,
               const XlsxLimits& limits = {});

}  // namespace privaudit
