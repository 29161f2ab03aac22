#include "table/table.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace privaudit {

namespace {

constexpr size_t kChunk = 1 << 16;

bool ends_with_ci(std::string_view s, std::string_view suf) {
  if (s.size() < suf.size()) return false;
  for (size_t i = 0; i < suf.size(); ++i) {
    char c = s[s.size() - suf.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != suf[i]) return false;
  }
  return true;
}

char detect_delimiter(std::string_view sample) {
  size_t counts[4] = {0, 0, 0, 0};
  const char cands[4] = {',', '\t', ';', '|'};
  bool q = false;
  for (char c : sample) {
    if (c == '"') q = !q;
    if (q) continue;
    if (c == '\n') break;
    for (int k = 0; k < 4; ++k)
      if (c == cands[k]) ++counts[k];
  }
  char best = ',';
  size_t n = 0;
  for (int k = 0; k < 4; ++k)
    if (counts[k] > n) { n = counts[k]; best = cands[k]; }
  return best;
}

void flatten(simdjson::dom::element e, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out, int depth) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT:
      if (depth > 32) {
        out.emplace_back(prefix, simdjson::minify(e));
        return;
      }
      for (auto field : simdjson::dom::object(e)) {
        std::string k = prefix.empty() ? std::string(field.key) : prefix + "." + std::string(field.key);
        flatten(field.value, k, out, depth + 1);
      }
      return;
    case element_type::ARRAY:
      out.emplace_back(prefix, simdjson::minify(e));
      return;
    case element_type::STRING:
      out.emplace_back(prefix, std::string(std::string_view(e)));
      return;
    case element_type::INT64:
      out.emplace_back(prefix, std::to_string(int64_t(e)));
      return;
    case element_type::UINT64:
      out.emplace_back(prefix, std::to_string(uint64_t(e)));
      return;
    case element_type::DOUBLE:
      out.emplace_back(prefix, fmt::format("{}", double(e)));
      return;
    case element_type::BOOL:
      out.emplace_back(prefix, bool(e) ? "true" : "false");
      return;
    case element_type::NULL_VALUE:
      out.emplace_back(prefix, "");
      return;
  }
}

}  // namespace

TableReader::~TableReader() { delete static_cast<simdjson::dom::parser*>(json_parser_); }

std::unique_ptr<TableReader> TableReader::open_file(const std::string& path,
                                                    const TableOptions& opts, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("{}: {}", path, std::strerror(errno));
    return nullptr;
  }
  return open(std::make_unique<FdReader>(fd, true), path, opts, error);
}

std::unique_ptr<TableReader> TableReader::open(std::unique_ptr<ByteReader> in,
                                               const std::string& name, const TableOptions& opts,
                                               std::string& error) {
  std::unique_ptr<TableReader> t(new TableReader());
  t->raw_ = std::move(in);
  t->opts_ = opts;
  t->text_ = std::make_unique<TextReader>(*t->raw_, opts.encoding);
  if (!t->text_->init()) {
    error = fmt::format("{}: read error: {}", name, t->text_->error());
    return nullptr;
  }
  if (t->text_->looks_binary()) {
    error = fmt::format("{}: binary file, not a table", name);
    return nullptr;
  }
  if (!t->start(name)) {
    error = fmt::format("{}: {}", name, t->error_);
    return nullptr;
  }
  return t;
}

void TableReader::problem(std::string msg) {
  ++malformed_;
  if (problems_.size() < 100) problems_.push_back(std::move(msg));
}

bool TableReader::fill() {
  if (eof_) return false;
  size_t have = buf_.size();
  buf_.resize(have + kChunk);
  ssize_t r = text_->read(buf_.data() + have, kChunk);
  if (r < 0) {
    buf_.resize(have);
    error_ = "read error: " + text_->error();
    eof_ = true;
    return false;
  }
  buf_.resize(have + static_cast<size_t>(r));
  if (r == 0) eof_ = true;
  return r > 0;
}

bool TableReader::start(const std::string& name) {
  while (buf_.size() < kChunk && fill()) {
  }
  if (!error_.empty()) return false;
  size_t first = buf_.find_first_not_of(" \t\r\n");
  jsonl_ = opts_.jsonl || ends_with_ci(name, ".jsonl") || ends_with_ci(name, ".ndjson") ||
           (first != std::string::npos && buf_[first] == '{');
  if (jsonl_) {
    json_parser_ = new simdjson::dom::parser();
    return true;
  }
  delim_ = opts_.delimiter ? opts_.delimiter
           : ends_with_ci(name, ".tsv") ? '\t'
                                        : detect_delimiter(buf_);
  special_[static_cast<unsigned char>(delim_)] = true;
  special_[static_cast<unsigned char>('\n')] = true;
  special_[static_cast<unsigned char>('"')] = true;
  std::vector<std::string> header;
  bool ok = true;
  if (!read_csv_record(ok)) {
    error_ = "empty table: no header row";
    return false;
  }
  for (auto& sp : spans_) header.emplace_back(buf_, rec_ + sp.start, sp.len);
  for (auto& h : header) {
    size_t b = h.find_first_not_of(' ');
    size_t e = h.find_last_not_of(' ');
    h = b == std::string::npos ? std::string() : h.substr(b, e - b + 1);
  }
  columns_ = std::move(header);
  record_ = 0;
  return true;
}

int TableReader::column_index(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i] == name) return static_cast<int>(i);
  return -1;
}

// RFC 4180: fields separated by delim_, records by LF or CRLF, fields may be
// quoted with "" escaping a quote and holding delimiters and newlines.
//
// Zero-copy: fields stay in buf_; quoted fields are unescaped in place (the
// write position never passes the read position) and spans_ records where
// each field's value sits, relative to rec_. When the buffer runs out in the
// middle of a record, the consumed prefix of buf_ is dropped and more input
// appended; every position is relative to the record start, so the parse
// resumes where it stopped. Memory holds one record plus one chunk.
bool TableReader::read_csv_record(bool& ok) {
  spans_.clear();
  ok = true;
  auto compact = [&] {
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
  };
  if (pos_ >= buf_.size()) {
    compact();
    if (!fill()) return false;
  }
  record_line_ = line_;
  if (read_plain_record()) return true;
  size_t i = 0, w = 0, fstart = 0;  // relative to the record start pos_
  bool in_q = false, quoted = false, any = false;
  auto note = [&](std::string msg) {
    if (ok) problem(std::move(msg));
    ok = false;
  };
  auto end_field = [&] {
    if (!quoted && w > fstart && buf_[pos_ + w - 1] == '\r') --w;
    spans_.push_back({fstart, w - fstart});
  };
  for (;;) {
    char* b = buf_.data() + pos_;
    size_t size = buf_.size() - pos_;
    // Need more input: a record ends only at a newline or the end of input;
    // a quote at the end of the buffer may be the first half of "".
    bool need = i >= size || (in_q && b[i] == '"' && i + 1 >= size);
    if (need && !eof_) {
      if (i > opts_.max_record_bytes) return skip_oversized(i);
      compact();
      fill();  // appends input, or sets eof_ (also on a read error)
      continue;
    }
    if (i >= size) break;  // end of input
    if (in_q) {
      const void* q = std::memchr(b + i, '"', size - i);
      size_t j = q ? static_cast<size_t>(static_cast<const char*>(q) - b) : size;
      for (size_t k = i; k < j; ++k)
        if (b[k] == '\n') ++line_;
      any = true;
      if (j > i) {
        if (w != i) std::memmove(b + w, b + i, j - i);
        w += j - i;
        i = j;
        continue;  // the quote (if any) is handled once the loop checked the input
      }
      if (i + 1 < size && b[i + 1] == '"') {
        b[w++] = '"';
        i += 2;
      } else {
        in_q = false;
        ++i;
      }
      continue;
    }
    if (!quoted) {
      size_t j = i;
      while (j < size && !special_[static_cast<unsigned char>(b[j])]) ++j;
      if (j > i) {
        if (w != i) std::memmove(b + w, b + i, j - i);
        w += j - i;
        i = j;
        any = true;
        if (i >= size) continue;
      }
    }
    char c = b[i];
    any = true;
    if (c == delim_) {
      end_field();
      ++i;
      w = fstart = i;
      quoted = false;
      continue;
    }
    if (c == '\n') {
      ++line_;
      ++i;
      end_field();
      pos_ += i;
      rec_ = pos_ - i;
      return true;
    }
    if (c == '"') {
      ++i;
      if (w == fstart && !quoted) {
        in_q = quoted = true;
      } else {
        note(fmt::format("line {}: stray quote in an unquoted field", line_));
        b[w++] = '"';
      }
      continue;
    }
    // After a closing quote: a CR is dropped, anything else is kept.
    ++i;
    if (c == '\r') continue;
    note(fmt::format("line {}: text after a closing quote", line_));
    b[w++] = c;
  }
  if (in_q) {
    problem(fmt::format("line {}: quoted field not closed at end of input", record_line_));
    ok = false;
  }
  if (!any) return false;
  end_field();
  pos_ += i;
  rec_ = pos_ - i;
  return true;
}

// The common case, fast: a record with no quote and no CR, whose newline is
// in the buffer. Finds the delimiters and the newline 16 bytes at a time and
// leaves the fields in spans_ exactly as read_csv_record's general loop
// would. False (spans_ empty, nothing consumed) for any other record.
bool TableReader::read_plain_record() {
  const char* b = buf_.data() + pos_;
  size_t size = buf_.size() - pos_;
  size_t fstart = 0;
  // The byte at `at` is a delimiter, newline, quote or CR: 1 when it ended
  // the record, -1 when the record is not plain, 0 to go on.
  auto on_special = [&](size_t at) -> int {
    char c = b[at];
    if (c == delim_) {
      spans_.push_back({fstart, at - fstart});
      fstart = at + 1;
      return 0;
    }
    if (c != '\n') return -1;
    spans_.push_back({fstart, at - fstart});
    ++line_;
    rec_ = pos_;
    pos_ += at + 1;
    return 1;
  };
#ifdef __SSE2__
  const __m128i d = _mm_set1_epi8(delim_), nl = _mm_set1_epi8('\n'), q = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
  for (size_t i = 0; i + 16 <= size; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, nl)), _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, cr)))));
    for (; mask; mask &= mask - 1) {
      int r = on_special(i + static_cast<size_t>(__builtin_ctz(mask)));
      if (r > 0) return true;
      if (r < 0) break;
    }
    if (mask) break;  // a quote or CR
  }
#else
  for (size_t at = 0; at < size; ++at) {
    char c = b[at];
    if (c != delim_ && c != '\n' && c != '"' && c != '\r') continue;
    int r = on_special(at);
    if (r > 0) return true;
    if (r < 0) break;
  }
#endif
  spans_.clear();
  return false;
}

// Drops an oversized record: everything up to the next newline.
bool TableReader::skip_oversized(size_t from) {
  problem(fmt::format("line {}: record larger than {} bytes", record_line_, opts_.max_record_bytes));
  size_t i = pos_ + from;
  for (;;) {
    size_t nl = buf_.find('\n', i);
    if (nl != std::string::npos) {
      pos_ = nl + 1;
      break;
    }
    buf_.clear();
    pos_ = i = 0;
    if (!fill()) break;
  }
  ++line_;
  spans_.clear();
  rec_ = pos_;
  return true;
}

bool TableReader::read_line(std::string& line) {
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      line.assign(buf_, pos_, nl - pos_);
      pos_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      record_line_ = line_++;
      return true;
    }
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    if (buf_.size() > opts_.max_record_bytes) {
      problem(fmt::format("line {}: record larger than {} bytes", line_, opts_.max_record_bytes));
      buf_.clear();
      // Drop the rest of this line.
      while (fill()) {
        size_t n2 = buf_.find('\n');
        if (n2 != std::string::npos) { buf_.erase(0, n2 + 1); break; }
        buf_.clear();
      }
      ++line_;
      continue;
    }
    if (!fill()) {
      if (pos_ >= buf_.size()) return false;
      line.assign(buf_, pos_, std::string::npos);
      pos_ = buf_.size();
      record_line_ = line_++;
      return true;
    }
  }
}

bool TableReader::parse_json_line(const std::string& line, std::vector<std::string>& fields) {
  auto* parser = static_cast<simdjson::dom::parser*>(json_parser_);
  simdjson::padded_string padded(line);
  simdjson::dom::element doc;
  if (auto err = parser->parse(padded).get(doc)) {
    problem(fmt::format("line {}: invalid JSON: {}", record_line_, simdjson::error_message(err)));
    return false;
  }
  if (doc.type() != simdjson::dom::element_type::OBJECT) {
    problem(fmt::format("line {}: a JSON Lines record must be an object", record_line_));
    return false;
  }
  std::vector<std::pair<std::string, std::string>> kv;
  flatten(doc, "", kv, 0);
  fields.assign(columns_.size(), std::string());
  for (auto& [k, v] : kv) {
    int idx = column_index(k);
    if (idx < 0) {
      columns_.push_back(k);
      fields.emplace_back();
      idx = static_cast<int>(columns_.size()) - 1;
    }
    fields[static_cast<size_t>(idx)] = std::move(v);
  }
  return true;
}

// Reads CSV records until one with fields (blank lines and oversized
// records are skipped) and leaves it in spans_, fitted to the header.
bool TableReader::next_csv_spans() {
  for (;;) {
    bool ok = true;
    if (!read_csv_record(ok)) return false;
    if (spans_.empty()) continue;                          // oversized record, skipped
    if (spans_.size() == 1 && spans_[0].len == 0) continue;  // blank line
    ++record_;
    if (spans_.size() != columns_.size()) {
      problem(fmt::format("line {}: {} fields, header has {}", record_line_, spans_.size(),
                          columns_.size()));
      spans_.resize(columns_.size(), Span{0, 0});
    }
    return true;
  }
}

bool TableReader::next_view(std::vector<std::string_view>& fields) {
  if (jsonl_) {
    std::string line;
    while (read_line(line)) {
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      if (parse_json_line(line, json_fields_)) {
        ++record_;
        fields.assign(json_fields_.begin(), json_fields_.end());
        return true;
      }
    }
    return false;
  }
  if (!next_csv_spans()) return false;
  fields.resize(spans_.size());
  const char* base = buf_.data() + rec_;
  for (size_t k = 0; k < spans_.size(); ++k) fields[k] = std::string_view(base + spans_[k].start, spans_[k].len);
  return true;
}

bool TableReader::next(std::vector<std::string>& fields) {
  if (jsonl_) {
    std::string line;
    while (read_line(line)) {
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      if (parse_json_line(line, fields)) {
        ++record_;
        return true;
      }
    }
    return false;
  }
  if (!next_csv_spans()) return false;
  fields.resize(spans_.size());
  for (size_t k = 0; k < spans_.size(); ++k) fields[k].assign(buf_, rec_ + spans_[k].start, spans_[k].len);
  return true;
}

std::vector<std::vector<std::string>> parse_csv_text(std::string_view text, char delimiter) {
  std::vector<std::vector<std::string>> rows;
  TableOptions o;
  o.delimiter = delimiter;
  std::string err;
  auto copy = std::make_shared<std::string>(text);
  struct Holder : MemoryReader {
    std::shared_ptr<std::string> keep;
    explicit Holder(std::shared_ptr<std::string> s) : MemoryReader(s->data(), s->size()), keep(s) {}
  };
  auto t = TableReader::open(std::make_unique<Holder>(copy), "mem.csv", o, err);
  if (!t) return rows;
  rows.push_back(t->columns());
  std::vector<std::string> f;
  while (t->next(f)) rows.push_back(f);
  return rows;
}

}  // namespace privaudit
