// Where a value sits in a structured document: CSV/TSV (header, record) and
// JSON/JSONL (JSON Pointer, record). A tracker consumes the decoded text in
// order and answers "which field is the current position in?".
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace privaudit {

struct FieldInfo {
  std::string field;     // reported name: CSV header, JSON Pointer
  std::string key;       // name used for evidence (header, last JSON key)
  std::string stats_key; // groups values of one column/key for statistics
  int64_t record = -1;
};

class FieldTracker {
 public:
  virtual ~FieldTracker() = default;
  // Consumes the next n bytes of the document.
  virtual void advance(const char* p, size_t n) = 0;
  // The field at the current position.
  virtual void current(FieldInfo& out) = 0;
  // A number naming the current field for statistics (0: none), cheaper than
  // current(): values of one column or key share it.
  virtual uint64_t stats_id();
  // The name used for evidence at the current position (FieldInfo::key of
  // current()), cheaper than current(); valid until the next call on the
  // tracker.
  virtual std::string_view key();
  // A value that looks like an identifier was seen at the current position
  // (the CSV tracker uses it to tell a header row from a data row).
  virtual void saw_value() {}
  // Problems found (malformed JSONL lines), drained by the caller.
  std::vector<std::string> problems;

 private:
  FieldInfo key_info_;  // for the default key()
};

// FNV-1a, for naming fields by number.
uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ULL);

// CSV/TSV with RFC 4180 quoting. `delimiter` 0 = detect from `sample` (the
// first bytes of the document).
class CsvTracker : public FieldTracker {
 public:
  CsvTracker(char delimiter, const char* sample, size_t n);
  void advance(const char* p, size_t n) override;
  void current(FieldInfo& out) override;
  uint64_t stats_id() override { return col_ + 1; }
  std::string_view key() override;
  void saw_value() override;
  char delimiter() const { return delim_; }

 private:
  void on_byte(char c);
  char delim_;
  bool in_quotes_ = false;
  bool after_quote_ = false;  // a closing quote just passed ("" escapes)
  bool field_start_ = true;
  uint64_t row_ = 0;  // 0-based physical record index
  size_t col_ = 0;
  bool header_ = true;  // row 0 is a header until shown otherwise
  std::vector<std::string> names_;
  std::string cur_;
  std::vector<FieldInfo> cache_;  // per column, built on first use
  bool cache_named_ = false;
};

// JSON (one document, or JSON Lines / concatenated documents).
class JsonTracker : public FieldTracker {
 public:
  explicit JsonTracker(bool lines);
  void advance(const char* p, size_t n) override;
  void current(FieldInfo& out) override;
  uint64_t stats_id() override;
  std::string_view key() override;

  static constexpr size_t kMaxKey = 256;  // bytes of a key kept

 private:
  struct Frame {
    bool object;
    uint32_t key_len = 0;
    bool hash_due = false;  // key_hash not yet computed for key (stats_id() does it)
    int64_t index;
    uint64_t key_hash = 0;
    char key[kMaxKey];
    std::string_view key_view() const { return {key, key_len}; }
  };
  static void set_key(Frame& f, const char* s, size_t n);
  bool lines_;
  std::vector<Frame> stack_;  // frames [0, min(depth_, kMaxDepth)) are live; the rest are kept for reuse
  size_t depth_ = 0;
  bool in_string_ = false, escape_ = false, is_key_ = false, expect_key_ = false;
  std::string keybuf_;
  uint64_t line_ = 1;
  uint64_t doc_line_ = 0;
  bool top_array_ = false;
  bool line_bad_ = false;
  void bad(const char* what);
  void on_char(char c);
  void on_comma();
};

}  // namespace privaudit
