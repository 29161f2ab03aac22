// Fuzz target: the CSV/TSV reader (TableReader), delimiter detection and
// encoding detection included; and the same bytes as a scanned .csv document.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "scan/reader.h"
#include "table/table.h"

namespace {

// A reader that owns its copy of the input.
class OwnedReader : public privaudit::ByteReader {
 public:
  explicit OwnedReader(std::string d) : d_(std::move(d)), m_(d_.data(), d_.size()) {}
  ssize_t read(char* dst, size_t n) override { return m_.read(dst, n); }

 private:
  std::string d_;
  privaudit::MemoryReader m_;
};

void read_table(const std::string& data, const std::string& name, char delimiter) {
  privaudit::TableOptions o;
  o.delimiter = delimiter;
  o.max_record_bytes = 1 << 16;
  std::string err;
  auto t = privaudit::TableReader::open(std::make_unique<OwnedReader>(data), name, o, err);
  if (!t) return;
  std::vector<std::string> fields;
  for (int i = 0; i < 100000 && t->next(fields); ++i) {
    if (fields.size() != t->columns().size() && !t->is_jsonl()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  read_table(s, "fuzz.csv", 0);
  read_table(s, "fuzz.tsv", '\t');
  privaudit::ScanResult r;
  privaudit::MemoryReader rd(s.data(), s.size());
  fuzz::scanner().scan("fuzz.csv", rd, r);
  fuzz::check(r);
  return 0;
}
