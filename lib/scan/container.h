// Dispatch of one input: an archive (or compressed file) is opened in memory
// and each member scanned in turn, recursively; anything else is a document.
#pragma once
#include <string>

#include "scan/reader.h"
#include "scan/scanner.h"

namespace privaudit {

struct RunOptions;

// Scans `in`, named `path`, as an archive when it is one, else as a document.
// `depth` is the archive nesting level of `in` (0 for a file on disk).
// `release`, when set, takes a plain document's findings as it is read (see
// DocOptions::release).
void scan_container_or_document(const std::string& path, ByteReader& in, const RunOptions& opts,
                                DocumentScanner& ds, ScanResult& out, int depth, ReleaseFn release = {});

}  // namespace privaudit
