#include "scan/container.h"

#include "scan/run.h"

namespace privaudit {

void scan_container_or_document(const std::string& path, ByteReader& in, const RunOptions&,
                                DocumentScanner& ds, ScanResult& out, int) {
  ds.scan(path, in, out);
}

}  // namespace privaudit
