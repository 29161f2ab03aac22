// Fuzz target: JSON and JSON Lines, as the scanner reads them (the JSON
// field tracker, on a .json and a .jsonl name) and as the table reader
// reads JSONL.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "scan/reader.h"
#include "table/table.h"

namespace {

class OwnedReader : public privaudit::ByteReader {
 public:
  explicit OwnedReader(std::string d) : d_(std::move(d)), m_(d_.data(), d_.size()) {}
  ssize_t read(char* dst, size_t n) override { return m_.read(dst, n); }

 private:
  std::string d_;
  privaudit::MemoryReader m_;
};

void scan_as(const std::string& s, const std::string& name) {
  privaudit::ScanResult r;
  privaudit::MemoryReader rd(s.data(), s.size());
  fuzz::scanner().scan(name, rd, r);
  fuzz::check(r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  scan_as(s, "fuzz.json");
  scan_as(s, "fuzz.jsonl");
  privaudit::TableOptions o;
  o.jsonl = true;
  o.max_record_bytes = 1 << 16;
  std::string err;
  auto t = privaudit::TableReader::open(std::make_unique<OwnedReader>(s), "fuzz.jsonl", o, err);
  if (!t) return 0;
  std::vector<std::string> fields;
  for (int i = 0; i < 100000 && t->next(fields); ++i) {
  }
  return 0;
}
