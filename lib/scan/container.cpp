#include "scan/container.h"

#include "scan/database.h"
#include "scan/run.h"
#include "store/store.h"

namespace privaudit {

namespace {

// Reads up to n bytes of `in` into `head` (fewer only at the end); false on
// a read error.
bool read_head(ByteReader& in, size_t n, std::string& head) {
  head.resize(n);
  size_t have = 0;
  while (have < n) {
    ssize_t r = in.read(head.data() + have, n - have);
    if (r < 0) return false;
    if (r == 0) break;
    have += static_cast<size_t>(r);
  }
  head.resize(have);
  return true;
}

}  // namespace

void scan_container_or_document(const std::string& path, ByteReader& in, const RunOptions& opts,
                                DocumentScanner& ds, ScanResult& out, int depth) {
  std::string head;
  if (!read_head(in, 16, head)) {
    out.errors.push_back({path, "read error: " + in.error()});
    return;
  }
  // A SQLite file (on disk, or an archive member: depth > 0) is a database.
  if (store::has_sqlite_header(head.data(), head.size())) {
    scan_sqlite_input(path, in, head, opts.database, opts.max_expanded_bytes, ds, out, depth);
    return;
  }
  ds.scan(path, in, out, head);
}

}  // namespace privaudit
