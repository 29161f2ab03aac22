#include "formats/xlsx.h"

#include <expat.h>
#include <fmt/format.h>

#include <deque>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/utf8.h"
#include "scan/fields.h"

namespace privaudit {

namespace {

constexpr size_t kChunk = 65536;
constexpr size_t kMaxCellBytes = size_t{1} << 20;
constexpr size_t kMaxHeaderBytes = 256;

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return r;
}

// The name without its namespace prefix ("x:c" -> "c").
std::string_view local_name(const char* name) {
  std::string_view s(name);
  size_t colon = s.rfind(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

// The value of the attribute whose local name is `name`, or nullptr.
const char* attr(const char** atts, std::string_view name) {
  for (size_t i = 0; atts[i]; i += 2)
    if (local_name(atts[i]) == name) return atts[i + 1];
  return nullptr;
}

// Appends up to the cap, cutting only at a character boundary.
void append_capped(std::string& dst, const char* s, size_t n, size_t cap) {
  if (dst.size() >= cap) return;
  if (dst.size() + n > cap) {
    size_t k = cap - dst.size();
    while (k > 0 && utf8::is_continuation(static_cast<unsigned char>(s[k]))) --k;
    n = k;
  }
  dst.append(s, n);
}

// A SAX parser over expat: subclasses receive elements and text.
class Sax {
 public:
  Sax() : p_(XML_ParserCreate("UTF-8")) {
    XML_SetUserData(p_, this);
    XML_SetElementHandler(
        p_, [](void* u, const char* n, const char** a) { static_cast<Sax*>(u)->start(local_name(n), a); },
        [](void* u, const char* n) { static_cast<Sax*>(u)->end(local_name(n)); });
    XML_SetCharacterDataHandler(p_, [](void* u, const char* s, int len) {
      static_cast<Sax*>(u)->text(s, static_cast<size_t>(len));
    });
  }
  virtual ~Sax() { XML_ParserFree(p_); }
  Sax(const Sax&) = delete;
  Sax& operator=(const Sax&) = delete;

  // Feeds the next bytes; false with `err` on malformed XML.
  bool feed(const char* p, size_t n, bool last, std::string& err) {
    if (XML_Parse(p_, p, static_cast<int>(n), last) == XML_STATUS_OK) return true;
    err = fmt::format("XML error at line {}: {}", XML_GetCurrentLineNumber(p_),
                      XML_ErrorString(XML_GetErrorCode(p_)));
    return false;
  }

 protected:
  virtual void start(std::string_view name, const char** atts) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(const char*, size_t) {}

 private:
  XML_Parser p_;
};

// xl/workbook.xml: sheet names and their relationship ids, in order.
class WorkbookSax : public Sax {
 public:
  std::vector<std::pair<std::string, std::string>> sheets;  // name, r:id

 protected:
  void start(std::string_view name, const char** atts) override {
    if (name != "sheet") return;
    const char* n = attr(atts, "name");
    const char* id = attr(atts, "id");
    if (n && id) sheets.emplace_back(n, id);
  }
  void end(std::string_view) override {}
};

// xl/_rels/workbook.xml.rels: relationship id -> part path.
class RelsSax : public Sax {
 public:
  std::unordered_map<std::string, std::string> targets;

 protected:
  void start(std::string_view name, const char** atts) override {
    if (name != "Relationship") return;
    const char* id = attr(atts, "Id");
    const char* target = attr(atts, "Target");
    if (!id || !target) return;
    std::string t = target;
    if (!t.empty() && t[0] == '/') t.erase(0, 1);
    else t = "xl/" + t;
    while (t.find("/./") != std::string::npos) t.erase(t.find("/./"), 2);
    targets[id] = t;
  }
  void end(std::string_view) override {}
};

// xl/sharedStrings.xml: the text of each <si> (phonetic runs left out),
// bounded by a byte cap.
class SharedStringsSax : public Sax {
 public:
  explicit SharedStringsSax(uint64_t cap) : cap_(cap) {}
  std::vector<std::string> strings;
  bool overflow = false;

 protected:
  void start(std::string_view name, const char**) override {
    if (name == "si") {
      in_si_ = true;
      cur_.clear();
    } else if (name == "rPh") {
      ++in_rph_;
    } else if (name == "t" && in_si_ && in_rph_ == 0) {
      in_t_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "si") {
      in_si_ = false;
      used_ += cur_.size();
      if (used_ > cap_) overflow = true;
      strings.push_back(overflow ? std::string() : std::move(cur_));
      cur_.clear();
    } else if (name == "rPh") {
      --in_rph_;
    } else if (name == "t") {
      in_t_ = false;
    }
  }
  void text(const char* s, size_t n) override {
    if (in_t_) append_capped(cur_, s, n, kMaxCellBytes);
  }

 private:
  uint64_t cap_;
  uint64_t used_ = 0;
  bool in_si_ = false, in_t_ = false;
  int in_rph_ = 0;
  std::string cur_;
};

// What the first pass learns about a workbook.
struct WorkbookInfo {
  std::vector<std::string> strings;                           // shared strings
  std::unordered_map<std::string, std::string> sheet_names;  // part path -> sheet name
};

struct Problem {
  std::string where;  // part path inside the workbook, or empty
  std::string what;
};

// Feeds a whole member to `sax`; false when reading or parsing failed.
bool parse_member(MemberReader& m, Sax& sax, const std::string& part, std::vector<Problem>& problems) {
  std::vector<char> buf(kChunk);
  std::string err;
  for (;;) {
    ssize_t r = m.read(buf.data(), buf.size());
    if (r < 0) r = 0;
    bool last = r == 0;
    if (!sax.feed(buf.data(), static_cast<size_t>(r), last, err)) {
      problems.push_back({part, err});
      return false;
    }
    if (last) return m.status() == MemberStatus::ok;
  }
}

bool is_sheet_part(const std::string& name) {
  return name.rfind("xl/worksheets/", 0) == 0 && name.find('/', 14) == std::string::npos &&
         lower(name).ends_with(".xml");
}

// Pass one: shared strings, sheet names. False when the workbook cannot be read.
bool read_workbook_info(ArchiveReader& ar, const XlsxLimits& lim, WorkbookInfo& info,
                        std::vector<Problem>& problems) {
  WorkbookSax wb;
  RelsSax rels;
  SharedStringsSax ss(lim.max_shared_strings_bytes);
  std::string err;
  for (;;) {
    ArchiveEntry e;
    ArchiveReader::Next n = ar.next(e, err);
    if (n == ArchiveReader::Next::end) break;
    if (n == ArchiveReader::Next::error) {
      problems.push_back({"", "truncated or corrupt workbook: " + err});
      return false;
    }
    std::string name = lower(e.name);
    Sax* sax = name == "xl/workbook.xml"              ? static_cast<Sax*>(&wb)
               : name == "xl/_rels/workbook.xml.rels" ? static_cast<Sax*>(&rels)
               : name == "xl/sharedstrings.xml"       ? static_cast<Sax*>(&ss)
                                                      : nullptr;
    if (sax) parse_member(ar.member(), *sax, e.name, problems);
  }
  if (ss.overflow)
    problems.push_back({"xl/sharedStrings.xml",
                        fmt::format("shared strings above {} bytes; the rest are not scanned",
                                    lim.max_shared_strings_bytes)});
  info.strings = std::move(ss.strings);
  for (auto& [name, id] : wb.sheets) {
    auto it = rels.targets.find(id);
    if (it != rels.targets.end()) info.sheet_names[it->second] = name;
  }
  return true;
}

// Where each cell line starts in the text, for the tracker; produced ahead of
// the scanner, consumed behind it.
struct CellMark {
  uint64_t offset;
  uint32_t sheet, col, row;
};
struct CellTable {
  std::deque<CellMark> marks;
  std::vector<std::string> sheets;
  std::vector<std::unordered_map<uint32_t, std::string>> headers;  // per sheet: column -> header
};

// Reports the cell the scanner is in.
class CellTracker : public FieldTracker {
 public:
  explicit CellTracker(std::shared_ptr<CellTable> t) : t_(std::move(t)) {}
  void advance(const char*, size_t n) override {
    pos_ += n;
    sync();
  }
  void current(FieldInfo& out) override {
    sync();
    out = FieldInfo{};
    if (!has_) return;
    std::string col = xlsx_column_name(cur_.col);
    const std::string& sheet = t_->sheets[cur_.sheet];
    out.field = fmt::format("{}!{}{}", sheet, col, cur_.row);
    out.stats_key = sheet + "!" + col;
    out.record = cur_.row;
    auto& h = t_->headers[cur_.sheet];
    auto it = h.find(cur_.col);
    if (cur_.row > 1 && it != h.end()) out.key = it->second;
  }

 private:
  // Moves to the last cell that starts at or before the position.
  void sync() {
    while (!t_->marks.empty() && t_->marks.front().offset <= pos_) {
      cur_ = t_->marks.front();
      has_ = true;
      t_->marks.pop_front();
    }
  }
  std::shared_ptr<CellTable> t_;
  uint64_t pos_ = 0;
  CellMark cur_{};
  bool has_ = false;
};

// Parses a cell reference ("AB12") into a 0-based column and a row.
bool parse_ref(const char* s, uint32_t& col, uint32_t& row) {
  uint64_t c = 0, r = 0;
  size_t i = 0;
  for (; s[i] >= 'A' && s[i] <= 'Z' && i < 4; ++i) c = c * 26 + static_cast<uint64_t>(s[i] - 'A' + 1);
  if (i == 0 || c == 0) return false;
  size_t j = i;
  for (; s[j] >= '0' && s[j] <= '9' && j < i + 8; ++j) r = r * 10 + static_cast<uint64_t>(s[j] - '0');
  if (s[j] != 0) return false;
  col = static_cast<uint32_t>(c - 1);
  row = j > i ? static_cast<uint32_t>(r) : 0;
  return true;
}

// One worksheet: emits each non-empty cell as a line of text.
class SheetSax : public Sax {
 public:
  SheetSax(uint32_t sheet, const WorkbookInfo& info, CellTable& table, std::string& out, uint64_t& offset)
      : sheet_(sheet), info_(info), table_(table), out_(out), offset_(offset) {}

 protected:
  void start(std::string_view name, const char** atts) override {
    if (name == "row") {
      const char* r = attr(atts, "r");
      row_ = r ? static_cast<uint32_t>(std::strtoul(r, nullptr, 10)) : row_ + 1;
      next_col_ = 0;
      header_row_ = row_ == 1;
      row_headers_.clear();
    } else if (name == "c") {
      const char* r = attr(atts, "r");
      const char* t = attr(atts, "t");
      uint32_t row = row_;
      if (!r || !parse_ref(r, col_, row)) col_ = next_col_;
      if (row != 0) row_ = row;
      type_ = t ? t : "n";
      cell_.clear();
      in_cell_ = true;
    } else if (name == "v" && in_cell_) {
      in_v_ = true;
    } else if (name == "rPh") {
      ++in_rph_;
    } else if (name == "t" && in_cell_ && in_rph_ == 0) {
      in_t_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "v") in_v_ = false;
    else if (name == "t") in_t_ = false;
    else if (name == "rPh") --in_rph_;
    else if (name == "c" && in_cell_) {
      in_cell_ = false;
      emit();
      next_col_ = col_ + 1;
    } else if (name == "row") {
      if (row_ == 1 && header_row_)
        for (auto& [col, text] : row_headers_) table_.headers[sheet_][col] = std::move(text);
      header_row_ = false;
    }
  }
  void text(const char* s, size_t n) override {
    if (in_v_ || in_t_) append_capped(cell_, s, n, kMaxCellBytes);
  }

 private:
  void emit() {
    bool is_string = type_ == "s" || type_ == "inlineStr" || type_ == "str";
    std::string value;
    if (type_ == "s") {
      size_t idx = static_cast<size_t>(std::strtoul(cell_.c_str(), nullptr, 10));
      if (idx < info_.strings.size()) value = info_.strings[idx];
    } else if (type_ == "n") {
      value = xlsx_number_text(cell_);
    } else {
      value = std::move(cell_);
    }
    if (value.empty()) return;
    if (row_ == 1) {
      if (!is_string) header_row_ = false;
      else row_headers_.emplace_back(col_, value.substr(0, kMaxHeaderBytes));
    }
    for (auto& ch : value)
      if (ch == '\n' || ch == '\r') ch = ' ';
    table_.marks.push_back({offset_, sheet_, col_, row_});
    out_ += value;
    out_ += '\n';
    offset_ += value.size() + 1;
  }

  uint32_t sheet_;
  const WorkbookInfo& info_;
  CellTable& table_;
  std::string& out_;
  uint64_t& offset_;
  uint32_t row_ = 0, col_ = 0, next_col_ = 0;
  bool header_row_ = false;
  std::vector<std::pair<uint32_t, std::string>> row_headers_;
  std::string type_, cell_;
  bool in_cell_ = false, in_v_ = false, in_t_ = false;
  int in_rph_ = 0;
};

// Pass two: the cells of every worksheet, as text, pulled by the scanner.
class XlsxText : public ByteReader {
 public:
  XlsxText(ArchiveReader& ar, const WorkbookInfo& info, std::shared_ptr<CellTable> t,
           std::vector<Problem>& problems, const ExpandLimits& limits)
      : ar_(ar), info_(info), t_(std::move(t)), problems_(problems), limits_(limits), buf_(kChunk) {}

  ssize_t read(char* dst, size_t n) override {
    while (pos_ >= out_.size() && pump()) {
    }
    size_t k = std::min(n, out_.size() - pos_);
    std::memcpy(dst, out_.data() + pos_, k);
    pos_ += k;
    if (pos_ == out_.size()) {
      out_.clear();
      pos_ = 0;
    }
    return static_cast<ssize_t>(k);
  }

 private:
  // Produces more text; false at the end of the workbook.
  bool pump() {
    if (done_) return false;
    if (!sheet_) return open_next_sheet();
    MemberReader& m = ar_.member();
    ssize_t r = m.read(buf_.data(), buf_.size());
    bool last = r <= 0;
    std::string err;
    if (!sheet_->feed(buf_.data(), last ? 0 : static_cast<size_t>(r), last, err)) {
      problems_.push_back({part_, err});
      last = true;
    }
    if (last) {
      sheet_.reset();
      if (m.status() != MemberStatus::ok) {
        std::string why = member_stop_reason(m, limits_);
        if (!why.empty()) problems_.push_back({part_, why});
        if (m.status() != MemberStatus::failed) done_ = true;
      }
    }
    return true;
  }

  bool open_next_sheet() {
    std::string err;
    for (;;) {
      ArchiveEntry e;
      ArchiveReader::Next n = ar_.next(e, err);
      if (n == ArchiveReader::Next::end) break;
      if (n == ArchiveReader::Next::error) {
        problems_.push_back({"", "truncated or corrupt workbook: " + err});
        break;
      }
      if (e.type != ArchiveEntry::Type::file || !is_sheet_part(e.name)) continue;
      auto it = info_.sheet_names.find(e.name);
      std::string name = it != info_.sheet_names.end() ? it->second : e.name.substr(14, e.name.size() - 18);
      auto idx = static_cast<uint32_t>(t_->sheets.size());
      t_->sheets.push_back(name);
      t_->headers.emplace_back();
      sheet_ = std::make_unique<SheetSax>(idx, info_, *t_, out_, offset_);
      part_ = e.name;
      return true;
    }
    done_ = true;
    return false;
  }

  ArchiveReader& ar_;
  const WorkbookInfo& info_;
  std::shared_ptr<CellTable> t_;
  std::vector<Problem>& problems_;
  const ExpandLimits& limits_;
  std::vector<char> buf_;
  std::unique_ptr<SheetSax> sheet_;
  std::string part_;
  std::string out_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;
  bool done_ = false;
};

}  // namespace

bool is_xlsx_name(std::string_view name) {
  std::string n = lower(name.substr(name.size() > 5 ? name.size() - 5 : 0));
  return n == ".xlsx" || n == ".xlsm";
}

std::string xlsx_column_name(uint32_t col) {
  std::string s;
  uint64_t c = uint64_t{col} + 1;
  while (c > 0) {
    s.insert(s.begin(), static_cast<char>('A' + (c - 1) % 26));
    c = (c - 1) / 26;
  }
  return s;
}

std::string xlsx_number_text(std::string_view v) {
  size_t i = 0;
  std::string sign;
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) {
    if (v[i] == '-') sign = "-";
    ++i;
  }
  std::string digits;
  size_t int_len = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i, ++int_len) digits.push_back(v[i]);
  if (i < v.size() && v[i] == '.')
    for (++i; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) digits.push_back(v[i]);
  long exp = 0;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    char* end = nullptr;
    std::string e(v.substr(i + 1));
    exp = std::strtol(e.c_str(), &end, 10);
    if (e.empty() || *end != 0) return std::string(v);
    i = v.size();
  }
  if (i != v.size() || digits.empty() || exp > 40 || exp < -40) return std::string(v);
  long point = static_cast<long>(int_len) + exp;  // digits before the decimal point
  if (point < 0) point = 0;
  for (size_t k = static_cast<size_t>(point); k < digits.size(); ++k)
    if (digits[k] != '0') return std::string(v);  // not integral: keep as written
  std::string whole = digits.substr(0, std::min(digits.size(), static_cast<size_t>(point)));
  whole.append(static_cast<size_t>(point) > digits.size() ? static_cast<size_t>(point) - digits.size() : 0, '0');
  size_t nz = whole.find_first_not_of('0');
  whole = nz == std::string::npos ? "0" : whole.substr(nz);
  return whole == "0" ? whole : sign + whole;
}

void scan_xlsx(const std::string& path, ByteReader& in, std::string head, DocumentScanner& ds,
               ScanResult& out, ExpandBudget& budget, bool top_level, const XlsxLimits& limits) {
  // Two passes (shared strings often come after the sheets): re-read the
  // source when it can seek, else hold the workbook in memory.
  std::string spool;
  std::unique_ptr<MemoryReader> mem;
  ByteReader* src = &in;
  auto base = ArchiveReader::RatioBase::top_input;
  if (!in.seekable()) {
    spool = std::move(head);
    head.clear();
    std::string err;
    if (!read_all(in, spool, limits.max_spool_bytes, err)) {
      out.errors.push_back({path, "workbook inside a stream not scanned: " + err});
      return;
    }
    mem = std::make_unique<MemoryReader>(spool.data(), spool.size());
    src = mem.get();
    base = ArchiveReader::RatioBase::own_source;
  }

  std::vector<Problem> problems;
  auto report = [&]() {
    for (auto& p : problems)
      out.errors.push_back({p.where.empty() ? path : path + "!/" + p.where, p.what});
  };
  WorkbookInfo info;
  {
    ArchiveReader ar(*src, head, budget, top_level && !mem, base);
    std::string err;
    if (!ar.open(ContainerKind::zip, err)) {
      out.errors.push_back({path, "cannot read workbook: " + err});
      return;
    }
    if (!read_workbook_info(ar, limits, info, problems)) {
      report();
      return;
    }
  }
  if (!src->seek(0)) {
    out.errors.push_back({path, "cannot re-read workbook: " + src->error()});
    return;
  }
  ArchiveReader ar(*src, std::string(), budget, top_level && !mem, base);
  std::string err;
  if (!ar.open(ContainerKind::zip, err)) {
    out.errors.push_back({path, "cannot read workbook: " + err});
    return;
  }
  auto table = std::make_shared<CellTable>();
  XlsxText text(ar, info, table, problems, budget.limits);
  DocOptions d;
  d.utf8 = true;
  d.no_lines = true;
  d.tracker = [table](const char*, size_t) { return std::make_unique<CellTracker>(table); };
  ds.scan(path, text, out, d);
  report();
}

}  // namespace privaudit
