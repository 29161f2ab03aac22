#include "scan/database.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstring>
#include <deque>

#include "decode/decode.h"
#include "scan/fields.h"
#include "store/store.h"

namespace privaudit {

namespace {

// Where each cell of the rendered stream starts, from the row reader (which
// runs ahead) to the tracker (which follows the scanner). Holds the cells of
// at most the scanner's read-ahead (about one chunk).
struct CellQueue {
  struct Cell {
    uint64_t offset;  // stream offset of the cell's first byte
    uint32_t column;  // index into the columns read
    int64_t row;      // 1-based, in scan order
  };
  std::deque<Cell> cells;
};

// True when every byte of s is ASCII and not NUL.
bool plain_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c == 0 || c >= 0x80) return false;
  return true;
}

// Renders a table's rows as text: cells separated by a tab, rows ended by a
// newline; values go in as they are, except that invalid UTF-8 becomes U+FFFD
// and NUL a space. Cells are located by offset, not by delimiters, so tabs
// and newlines inside values need no escaping.
class RowReader : public ByteReader {
 public:
  RowReader(store::RowCursor& cur, CellQueue& q) : cur_(cur), q_(q) {}

  ssize_t read(char* dst, size_t n) override {
    while (pos_ == buf_.size()) {
      if (failed_) return -1;
      if (eof_) return 0;
      refill();
    }
    size_t k = std::min(n, buf_.size() - pos_);
    std::memcpy(dst, buf_.data() + pos_, k);
    pos_ += k;
    return static_cast<ssize_t>(k);
  }
  uint64_t rows() const { return rows_; }

 private:
  store::RowCursor& cur_;
  CellQueue& q_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t base_ = 0;  // stream offset of buf_[0]
  uint64_t rows_ = 0;
  bool eof_ = false, failed_ = false;
  std::vector<std::string_view> cells_;

  // Renders rows until about 64 KiB are buffered, the table ends or fails.
  void refill() {
    base_ += buf_.size();
    buf_.clear();
    pos_ = 0;
    while (buf_.size() < 65536) {
      int r = cur_.next(cells_);
      if (r < 0) {
        err_ = cur_.error();
        failed_ = true;
        return;
      }
      if (r == 0) {
        eof_ = true;
        return;
      }
      ++rows_;
      render(cells_);
    }
  }

  void render(const std::vector<std::string_view>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      q_.cells.push_back({base_ + buf_.size(), static_cast<uint32_t>(i), static_cast<int64_t>(rows_)});
      append_clean(cells[i]);
      buf_.push_back(i + 1 < cells.size() ? '\t' : '\n');
    }
  }

  void append_clean(std::string_view v) {
    if (plain_ascii(v)) {
      buf_.append(v);
      return;
    }
    size_t from = buf_.size();
    repair_utf8(v, buf_);
    std::replace(buf_.begin() + static_cast<std::ptrdiff_t>(from), buf_.end(), '\0', ' ');
  }
};

// Answers "which column and row is this position in?" from the cell queue.
class CellTracker : public FieldTracker {
 public:
  CellTracker(const std::vector<store::Column>& cols, CellQueue& q) : q_(q) {
    for (size_t i = 0; i < cols.size(); ++i) {
      FieldInfo fi;
      fi.field = cols[i].name;
      fi.key = cols[i].name;
      fi.stats_key = std::to_string(i) + "#" + cols[i].name;
      info_.push_back(std::move(fi));
    }
  }
  void advance(const char*, size_t n) override {
    pos_ += n;
    while (q_.cells.size() > 1 && q_.cells[1].offset <= pos_) q_.cells.pop_front();
  }
  void current(FieldInfo& out) override {
    if (q_.cells.empty() || q_.cells.front().offset > pos_) {
      out = FieldInfo();
      return;
    }
    const auto& c = q_.cells.front();
    const FieldInfo& fi = info_[c.column];
    out.field.assign(fi.field);
    out.key.assign(fi.key);
    out.stats_key.assign(fi.stats_key);
    out.record = c.row;
  }

 private:
  CellQueue& q_;
  uint64_t pos_ = 0;
  std::vector<FieldInfo> info_;
};

bool named_by(const std::string& spec, const store::Table& t) {
  return spec == t.qualified() || (spec.find('.') == std::string::npos && spec == t.name);
}

bool excluded(const DatabaseOptions& o, const store::Table& t) {
  std::string q = t.qualified();
  for (auto& g : o.exclude_tables)
    if (fnmatch(g.c_str(), q.c_str(), 0) == 0 || fnmatch(g.c_str(), t.name.c_str(), 0) == 0)
      return true;
  return false;
}

// The tables to scan: named by --table (or all, views only with --views),
// minus --exclude-table. A --table naming nothing is an error when `named`.
bool select_tables(store::Store& db, const std::string& name, const DatabaseOptions& o, bool named,
                   std::vector<store::Table>& out, ScanResult& res) {
  std::vector<store::Table> all;
  std::string err;
  if (!db.tables(o.views || !o.tables.empty(), all, err)) {
    res.errors.push_back({name, "cannot list tables: " + err});
    return false;
  }
  for (auto& spec : o.tables) {
    bool found = std::any_of(all.begin(), all.end(), [&](auto& t) { return named_by(spec, t); });
    if (!found && named) res.errors.push_back({name + "!/" + spec, "no such table"});
  }
  for (auto& t : all) {
    bool want = o.tables.empty()
                    ? (!t.view || o.views)
                    : std::any_of(o.tables.begin(), o.tables.end(), [&](auto& s) { return named_by(s, t); });
    if (want && !excluded(o, t)) out.push_back(t);
  }
  return true;
}

// Scans one table as a document named `path`.
void scan_table(store::Store& db, const store::Table& t, const std::string& path,
                const DatabaseOptions& o, DocumentScanner& ds, ScanResult& out) {
  std::vector<store::Column> all, text;
  std::string err;
  if (!db.columns(t, all, err)) {
    out.errors.push_back({path, "cannot list columns: " + err});
    return;
  }
  for (auto& c : all) {
    if (c.binary) out.skipped.push_back({path, "binary column " + c.name + " (" + c.type + ")"});
    else text.push_back(c);
  }
  if (text.empty()) {
    out.skipped.push_back({path, "no text columns"});
    return;
  }
  std::string method;
  auto cur = db.read(t, text, o.sample, method, err);
  if (!cur) {
    out.errors.push_back({path, "cannot read: " + err});
    return;
  }
  CellQueue q;
  RowReader rd(*cur, q);
  CellTracker tracker(text, q);
  size_t first = out.findings.size();
  DocOptions dopts;
  dopts.borrowed_tracker = &tracker;
  dopts.utf8 = true;
  dopts.no_lines = true;
  ds.scan(path, rd, out, dopts);
  // Rows are located by field and record; line and column of the rendering
  // mean nothing to the user. The offset stays only to keep scan order.
  for (size_t i = first; i < out.findings.size(); ++i) {
    out.findings[i].line = 0;
    out.findings[i].column = 0;
    out.findings[i].has_offset = false;
  }
  if (o.sample) out.sampled.push_back({path, rd.rows(), method});
}

}  // namespace

bool is_database_uri(std::string_view s) { return store::uri_kind(s) != store::Kind::none; }

void scan_store(store::Store& db, const std::string& name, const DatabaseOptions& opts, bool named,
                DocumentScanner& ds, ScanResult& out) {
  std::vector<store::Table> tables;
  if (!select_tables(db, name, opts, named, tables, out)) return;
  for (auto& t : tables) scan_table(db, t, name + "!/" + t.qualified(), opts, ds, out);
}

void scan_database_uri(const std::string& uri, const DatabaseOptions& opts, DocumentScanner& ds,
                       ScanResult& out) {
  std::string name = store::display_uri(uri), err;
  auto db = store::open_uri(uri, err);
  if (!db) {
    out.errors.push_back({name, err});
    return;
  }
  scan_store(*db, name, opts, true, ds, out);
}

void scan_sqlite_input(const std::string& path, ByteReader& in, std::string_view head,
                       const DatabaseOptions& opts, uint64_t max_bytes, DocumentScanner& ds,
                       ScanResult& out, int depth) {
  std::string err;
  std::unique_ptr<store::Store> db;
  if (depth == 0 && path != "-") {
    db = store::open_sqlite_file(path, false, err);
  } else {
    std::string image(head);
    char buf[65536];
    for (ssize_t r; (r = in.read(buf, sizeof buf)) != 0;) {
      if (r < 0) {
        out.errors.push_back({path, "read error: " + in.error()});
        return;
      }
      if (image.size() + static_cast<size_t>(r) > max_bytes) {
        out.errors.push_back({path, "SQLite database larger than --max-expanded-bytes"});
        return;
      }
      image.append(buf, static_cast<size_t>(r));
    }
    db = store::open_sqlite_image(std::move(image), err);
  }
  if (!db) {
    out.errors.push_back({path, "cannot open as a SQLite database: " + err});
    return;
  }
  scan_store(*db, path, opts, false, ds, out);
}

}  // namespace privaudit
