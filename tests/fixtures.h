// Test helpers: temporary folders, fixtures built at test time (archives
// with libarchive's writer, legacy encodings with iconv, minimal XLSX
// workbooks), and running a scan in-process or through the binary.
#pragma once
#include <archive.h>
#include <archive_entry.h>
#include <iconv.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/fingerprint.h"
#include "match/engine.h"
#include "rules/rule.h"
#include "scan/run.h"

namespace fx {

namespace fs = std::filesystem;

// A temporary folder removed with everything in it.
struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "privaudit-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

inline void write_file(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string source_file(const std::string& rel) {
  return read_file(std::string(PRIVAUDIT_SOURCE_DIR) + "/" + rel);
}

// Converts UTF-8 text to `to` with iconv; empty on failure.
inline std::string iconv_to(const std::string& in, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return {};
  std::string out(in.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t left = in.size(), room = out.size();
  char* dst = out.data();
  size_t r = iconv(cd, &src, &left, &dst, &room);
  iconv_close(cd);
  if (r == static_cast<size_t>(-1)) return {};
  out.resize(out.size() - room);
  return out;
}

// One archive member: literal data, or `fill_size` bytes of `fill` written
// in blocks (for multi-GiB members), or a symlink/directory.
struct Member {
  std::string name;
  std::string data;
  uint64_t fill_size = 0;
  char fill = '\0';
  int type = AE_IFREG;
  std::string link;
};

inline Member file(std::string name, std::string data) { return Member{std::move(name), std::move(data)}; }
inline Member filled(std::string name, uint64_t size, char c) {
  Member m{std::move(name), {}};
  m.fill_size = size;
  m.fill = c;
  return m;
}

// Writes an archive with libarchive: `format` "zip", "7zip", "cpio",
// "iso9660", "ustar", "raw"; `filter` "", "gzip", "bzip2", "xz", "zstd".
// `options` go to archive_write_set_options; `passphrase` encrypts.
inline bool write_archive(const std::string& path, const std::string& format,
                          const std::string& filter, const std::vector<Member>& members,
                          const std::string& options = "", const std::string& passphrase = "") {
  struct archive* a = archive_write_new();
  if (archive_write_set_format_by_name(a, format.c_str()) != ARCHIVE_OK) return false;
  if (!filter.empty() && archive_write_add_filter_by_name(a, filter.c_str()) != ARCHIVE_OK) return false;
  if (!options.empty() && archive_write_set_options(a, options.c_str()) != ARCHIVE_OK) return false;
  if (!passphrase.empty() && archive_write_set_passphrase(a, passphrase.c_str()) != ARCHIVE_OK) return false;
  fs::create_directories(fs::path(path).parent_path());
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) return false;
  bool ok = true;
  std::string block(1 << 20, '\0');
  for (const Member& m : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    archive_entry_set_filetype(e, static_cast<unsigned>(m.type));
    archive_entry_set_perm(e, m.type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    if (m.type == AE_IFLNK) archive_entry_set_symlink(e, m.link.c_str());
    uint64_t size = m.type == AE_IFREG ? (m.fill_size ? m.fill_size : m.data.size()) : 0;
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    ok = ok && archive_write_header(a, e) == ARCHIVE_OK;
    archive_entry_free(e);
    if (!ok) break;
    if (m.fill_size) {
      std::fill(block.begin(), block.end(), m.fill);
      for (uint64_t done = 0; done < m.fill_size;) {
        size_t k = static_cast<size_t>(std::min<uint64_t>(block.size(), m.fill_size - done));
        if (archive_write_data(a, block.data(), k) < 0) return false;
        done += k;
      }
    } else if (!m.data.empty()) {
      ok = archive_write_data(a, m.data.data(), m.data.size()) >= 0;
    }
  }
  ok = archive_write_close(a) == ARCHIVE_OK && ok;
  archive_write_free(a);
  return ok;
}

// A minimal XLSX workbook holding `rows` on one sheet named `sheet`. Cells
// whose text is all digits are written as numbers (`sci`: in 1.23E+11
// notation); others as shared strings, which are stored after the sheet as
// Excel does. `inline_str` writes strings inline instead.
inline bool write_xlsx(const std::string& path, const std::string& sheet,
                       const std::vector<std::vector<std::string>>& rows, bool sci = false,
                       bool inline_str = false) {
  auto esc = [](const std::string& s) {
    std::string r;
    for (char c : s) {
      if (c == '&') r += "&amp;";
      else if (c == '<') r += "&lt;";
      else if (c == '>') r += "&gt;";
      else r += c;
    }
    return r;
  };
  auto col_name = [](size_t c) {
    std::string s;
    for (++c; c > 0; c = (c - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (c - 1) % 26));
    return s;
  };
  std::vector<std::string> strings;
  std::string sheet_xml =
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
  for (size_t r = 0; r < rows.size(); ++r) {
    sheet_xml += "<row r=\"" + std::to_string(r + 1) + "\">";
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& v = rows[r][c];
      if (v.empty()) continue;
      std::string ref = col_name(c) + std::to_string(r + 1);
      bool digits = v.size() < 16 && std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (digits) {
        std::string num = v;
        if (sci && v.size() > 1) {
          std::string mant = v.substr(0, 1) + "." + v.substr(1);
          while (mant.back() == '0') mant.pop_back();
          if (mant.back() == '.') mant.pop_back();
          num = mant + "E+" + std::to_string(v.size() - 1);
        }
        sheet_xml += "<c r=\"" + ref + "\"><v>" + num + "</v></c>";
      } else if (inline_str) {
        sheet_xml += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + esc(v) + "</t></is></c>";
      } else {
        sheet_xml += "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(strings.size()) + "</v></c>";
        strings.push_back(v);
      }
    }
    sheet_xml += "</row>";
  }
  sheet_xml += "</sheetData></worksheet>";
  std::string sst = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                    R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)";
  for (auto& s : strings) sst += "<si><t>" + esc(s) + "</t></si>";
  sst += "</sst>";
  std::string workbook =
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
      R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
      R"(<sheets><sheet name=")" + esc(sheet) + R"(" sheetId="1" r:id="rId1"/></sheets></workbook>)";
  std::string rels =
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
      R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)"
      R"(</Relationships>)";
  std::string types =
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)";
  std::vector<Member> members{file("[Content_Types].xml", types), file("xl/workbook.xml", workbook),
                              file("xl/_rels/workbook.xml.rels", rels),
                              file("xl/worksheets/sheet1.xml", sheet_xml)};
  if (!inline_str) members.push_back(file("xl/sharedStrings.xml", sst));
  return write_archive(path, "zip", "", members);
}

// Splits simple CSV (no quoting) into rows of cells.
inline std::vector<std::vector<std::string>> split_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    size_t s = 0;
    for (size_t i = 0; i <= line.size(); ++i)
      if (i == line.size() || line[i] == ',') {
        cells.push_back(line.substr(s, i - s));
        s = i + 1;
      }
    rows.push_back(cells);
  }
  return rows;
}

// Scans in-process with the built-in rules and a fixed key.
inline privaudit::ScanResult scan(const std::vector<std::string>& paths,
                                  const std::function<void(privaudit::RunOptions&)>& tweak = {}) {
  std::vector<privaudit::Rule> rules;
  std::string err;
  if (!privaudit::load_builtin_rules(rules, err)) throw std::runtime_error(err);
  auto engine = privaudit::Engine::build(std::move(rules), err);
  if (!engine) throw std::runtime_error(err);
  privaudit::Fingerprinter fp("test-key", true);
  privaudit::RunOptions o;
  o.paths = paths;
  o.threads = 1;
  if (tweak) tweak(o);
  return privaudit::run_scan(*engine, fp, o);
}

// Findings as comparable strings: rule, masked, confidence, and (when
// `where`) line, column, offset, field and record. Sorted.
inline std::vector<std::string> sig(const privaudit::ScanResult& r, bool where = true) {
  std::vector<std::string> v;
  for (auto& f : r.findings) {
    std::string s = f.rule + "|" + f.masked + "|" + std::string(privaudit::to_string(f.confidence));
    if (where)
      s += "|" + std::to_string(f.line) + ":" + std::to_string(f.column) + "@" + std::to_string(f.offset) +
           "|" + f.field + "|" + std::to_string(f.record);
    v.push_back(s);
  }
  std::sort(v.begin(), v.end());
  return v;
}

inline std::string errors_text(const privaudit::ScanResult& r) {
  std::string s;
  for (auto& e : r.errors) s += e.path + ": " + e.error + "\n";
  return s;
}

inline bool has_error(const privaudit::ScanResult& r, const std::string& path, const std::string& what) {
  for (auto& e : r.errors)
    if (e.path == path && e.error.find(what) != std::string::npos) return true;
  return false;
}

inline bool has_skipped(const privaudit::ScanResult& r, const std::string& path, const std::string& reason) {
  for (auto& s : r.skipped)
    if (s.path == path && s.reason == reason) return true;
  return false;
}

inline size_t count_path(const privaudit::ScanResult& r, const std::string& path) {
  return static_cast<size_t>(std::count_if(r.findings.begin(), r.findings.end(),
                                           [&](auto& f) { return f.path == path; }));
}

// Runs the binary with `args` (a shell fragment), after `prefix` (a command
// such as setpriv); returns exit code and stdout.
struct RunResult {
  int code = -1;
  std::string out;
};
inline RunResult run_bin(const std::string& args, const std::string& prefix = "") {
  RunResult r;
  std::string cmd = prefix + std::string(PRIVAUDIT_BIN) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace fx
