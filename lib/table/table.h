// Record-oriented reading of tables (CSV/TSV/PSV/semicolon CSV with RFC 4180
// quoting, and JSON Lines), streaming with bounded memory, for the commands
// that reason over rows: risk, link, consent, redact.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode/decode.h"
#include "decode/text_reader.h"
#include "scan/reader.h"

namespace privaudit {

struct TableOptions {
  char delimiter = 0;                // 0: detect (, ; tab |)
  std::optional<Encoding> encoding;  // unset: detect
  bool jsonl = false;                // force JSON Lines
  size_t max_record_bytes = size_t{64} << 20;
};

class TableReader {
 public:
  // Opens a file (".jsonl"/".ndjson", or content starting with '{', is read
  // as JSON Lines). nullptr with `error` naming the file and the problem.
  static std::unique_ptr<TableReader> open_file(const std::string& path, const TableOptions& opts,
                                                std::string& error);
  // Reads from any byte source; `name` picks the format like a file name.
  static std::unique_ptr<TableReader> open(std::unique_ptr<ByteReader> in, const std::string& name,
                                           const TableOptions& opts, std::string& error);
  ~TableReader();

  // Column names (CSV header; JSONL: keys in order of first appearance,
  // nested objects flattened as "a.b"; more may appear as reading goes on).
  const std::vector<std::string>& columns() const { return columns_; }
  // Index of a column by name, or -1.
  int column_index(std::string_view name) const;

  // Reads the next record into `fields` (one per column; missing → empty).
  // Returns false at the end. Malformed records (wrong field count, bad
  // quoting, invalid JSON) are counted and listed in problems(), and skipped
  // when unusable; wrong field counts are padded/truncated and still returned.
  bool next(std::vector<std::string>& fields);
  // Same records as next(), without copying: each view points into the
  // reader's buffer and stays valid only until the next call to next() or
  // next_view(). The fast path for commands that only look at values.
  bool next_view(std::vector<std::string_view>& fields);

  uint64_t record() const { return record_; }  // 1-based number of the last record returned
  uint64_t line() const { return record_line_; }  // line where it started
  uint64_t malformed() const { return malformed_; }
  const std::vector<std::string>& problems() const { return problems_; }  // first 100
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  char delimiter() const { return delim_; }
  bool is_jsonl() const { return jsonl_; }
  Encoding encoding() const { return text_->encoding(); }
  uint64_t bytes_read() const { return text_->raw_bytes(); }  // raw input bytes so far

 private:
  TableReader() = default;
  std::unique_ptr<ByteReader> raw_;
  std::unique_ptr<TextReader> text_;
  TableOptions opts_;
  bool jsonl_ = false;
  char delim_ = ',';
  std::vector<std::string> columns_;
  std::string buf_;
  size_t pos_ = 0;
  size_t rec_ = 0;  // start of the last CSV record in buf_
  struct Span {
    size_t start, len;  // relative to rec_
  };
  std::vector<Span> spans_;
  std::vector<std::string> json_fields_;
  bool special_[256] = {};
  bool eof_ = false;
  uint64_t line_ = 1;
  uint64_t record_ = 0;
  uint64_t record_line_ = 0;
  uint64_t malformed_ = 0;
  std::vector<std::string> problems_;
  std::string error_;
  void* json_parser_ = nullptr;  // simdjson::ondemand::parser*

  bool start(const std::string& name);
  bool fill();
  bool read_csv_record(bool& ok);
  bool read_plain_record();
  bool next_csv_spans();
  bool skip_oversized(size_t from);
  bool read_line(std::string& line);
  bool parse_json_line(const std::string& line, std::vector<std::string>& fields);
  void problem(std::string msg);
};

// Parses one CSV line-set from memory (tests and small inputs).
std::vector<std::vector<std::string>> parse_csv_text(std::string_view text, char delimiter);

}  // namespace privaudit
