#include "redact/redact.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "decode/text_reader.h"
#include "redact/stream.h"
#include "report/json_writer.h"
#include "scan/evidence.h"
#include "scan/run.h"

namespace privaudit::redact {

namespace fs = std::filesystem;

bool archive_magic(std::string_view h) {
  auto starts = [&](std::string_view m, size_t at = 0) {
    return h.size() >= at + m.size() && h.substr(at, m.size()) == m;
  };
  return starts("PK\x03\x04") || starts("PK\x05\x06") || starts("\x1f\x8b") || starts("BZh") ||
         starts(std::string_view("\xFD" "7zXZ\x00", 6)) || starts("\x28\xB5\x2F\xFD") ||
         starts("7z\xBC\xAF\x27\x1C") || starts("ustar", 257) || starts("070701") ||
         starts("070702") || starts("070707");
}

namespace {

std::string_view format_label(DocFormat f) {
  switch (f) {
    case DocFormat::text: return "text";
    case DocFormat::csv: return "csv";
    case DocFormat::tsv: return "tsv";
    case DocFormat::json: return "json";
    case DocFormat::jsonl: return "jsonl";
  }
  return "text";
}

// A lone compressed file's inner name: "dump.csv.gz" → "dump.csv".
std::string strip_compression(const std::string& name) {
  for (std::string_view ext : {".gz", ".bz2", ".xz", ".zst", ".lz4", ".z", ".Z"}) {
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      return name.substr(0, name.size() - ext.size());
  }
  return name;
}

// A document's bytes, readable more than once: a file on disk or a spool.
class Source {
 public:
  explicit Source(std::string path) : path_(std::move(path)) {}
  explicit Source(const Spool& s) : spool_(&s) {}

  std::unique_ptr<ByteReader> open(std::string& error) const {
    if (spool_) return spool_->reader();
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = std::strerror(errno);
      return nullptr;
    }
    return std::make_unique<FdReader>(fd, true);
  }

  // Opens the libarchive reader on the bytes (seekable, so zip's central
  // directory is used).
  int open_archive(struct archive* a) const {
    if (!spool_) return archive_read_open_filename(a, path_.c_str(), 1 << 16);
    if (const std::string* m = spool_->memory()) return archive_read_open_memory(a, m->data(), m->size());
    int fd = spool_->fd();
    ::lseek(fd, 0, SEEK_SET);
    return archive_read_open_fd(a, fd, 1 << 16);
  }

  // The first bytes (up to n).
  std::string head(size_t n) const {
    std::string err, out(n, '\0');
    auto rd = open(err);
    size_t have = 0;
    while (rd && have < n) {
      ssize_t r = rd->read(out.data() + have, n - have);
      if (r <= 0) break;
      have += static_cast<size_t>(r);
    }
    out.resize(have);
    return out;
  }

 private:
  std::string path_;
  const Spool* spool_ = nullptr;
};

la_ssize_t write_to_sink(struct archive*, void* client, const void* buf, size_t n) {
  auto* sink = static_cast<Sink*>(client);
  return sink->write(std::string_view(static_cast<const char*>(buf), n)) ? static_cast<la_ssize_t>(n) : -1;
}

// An error in the scanner's list that means the document was not read whole.
bool fatal_scan_error(const std::string& e) {
  return e.rfind("read error", 0) == 0 || e.rfind("cannot decode", 0) == 0 ||
         e.rfind("mostly undecodable", 0) == 0;
}

class Redactor {
 public:
  Redactor(const Engine& engine, const Policy& policy, const Pseudonymiser* ps,
           const Fingerprinter& fp, const Options& opts, Result& res)
      : kw_(engine.rules()), ds_(engine, kw_, fp, opts.settings), ctx_{engine.rules(), policy, ps},
        opts_(opts), res_(res) {}

  // Redacts one top-level input (archive or document) into `out`. False when
  // nothing usable was written; `complete` false when members were left out.
  bool input(const std::string& name, const Source& src, Sink& out, const std::string& out_name,
             bool& complete) {
    uint64_t budget = opts_.max_expanded_bytes;
    complete = true;
    if (archive_magic(src.head(512))) return archive(name, src, out, out_name, 1, budget, complete);
    complete = document(name, name, src, out, out_name);
    return complete;
  }

 private:
  KeywordIndex kw_;
  DocumentScanner ds_;
  RewriteContext ctx_;
  const Options& opts_;
  Result& res_;
  std::vector<ValueSpan> spans_;

  void error(const std::string& path, std::string msg) { res_.errors.push_back({path, std::move(msg)}); }

  bool document(const std::string& name, const std::string& format_name, const Source& src,
                Sink& out, const std::string& out_name) {
    FileResult fr;
    fr.path = name;
    DocFormat format = format_for_name(format_name);
    fr.format = std::string(format_label(format));
    bool ok = rewrite_document(name, format, src, out, out_name, fr);
    fr.written = ok;
    if (ok) fr.output = out_name;
    res_.files.push_back(std::move(fr));
    return ok;
  }

  // Pass 1: the values, as the scanner finds them. False (with an error) when
  // the document cannot be redacted at all.
  bool find_values(const std::string& name, const Source& src, FileResult& fr) {
    std::string err;
    auto r1 = src.open(err);
    if (!r1) {
      error(name, err + ": not written");
      return false;
    }
    spans_.clear();
    ScanResult sr;
    ds_.capture_spans(&spans_);
    ds_.scan(name, *r1, sr);
    ds_.capture_spans(nullptr);
    ++res_.documents;
    res_.bytes += sr.bytes;
    if (!sr.skipped.empty()) {
      error(name, "binary file: cannot be redacted, not written");
      return false;
    }
    for (auto& e : sr.errors) {
      if (fatal_scan_error(e.error)) {
        error(name, e.error + ": not written");
        return false;
      }
      fr.notes.push_back(e.error);
    }
    return true;
  }

  bool rewrite_document(const std::string& name, DocFormat format, const Source& src, Sink& out,
                        const std::string& out_name, FileResult& fr) {
    if (!find_values(name, src, fr)) return false;
    std::vector<SpanGroup> groups = group_spans(spans_);
    std::string err;
    auto r2 = src.open(err);
    if (!r2) {
      error(name, err + ": not written");
      return false;
    }
    std::optional<Encoding> forced;
    if (opts_.settings.force_encoding) forced = opts_.settings.encoding;
    TextReader tr(*r2, forced);
    if (!tr.init()) {
      error(name, "read error: " + tr.error() + ": not written");
      return false;
    }
    Encoding in = tr.encoding(), oe = opts_.output_encoding.value_or(in);
    fr.encoding = std::string(encoding_name(in));
    fr.output_encoding = std::string(encoding_name(oe));
    Encoder enc(oe, out);
    if (!enc.ok()) {
      error(name, fmt::format("cannot encode {}: not written", encoding_name(oe)));
      return false;
    }
    bool wok = true;
    bool utf16_out = oe == Encoding::utf16le || oe == Encoding::utf16be;
    if (tr.bom() > 0 && oe == in) wok = out.write(bom_bytes(in));
    else if (oe != in && utf16_out) wok = out.write(bom_bytes(oe));
    auto rw = make_rewriter(format, ctx_, spans_, groups,
                            [&](std::string_view s) { wok = wok && enc.write(s); }, fr.stats);
    std::string buf(size_t{1} << 16, '\0');
    for (;;) {
      ssize_t n = tr.read(buf.data(), buf.size());
      if (n < 0) {
        error(name, "read error: " + tr.error() + ": not written");
        return false;
      }
      if (n == 0) break;
      rw->feed(buf.data(), static_cast<size_t>(n));
    }
    rw->finish();
    wok = wok && enc.finish();
    fr.unencodable = enc.unencodable();
    if (!wok) {
      error(name, fmt::format("cannot write {}: {}", out_name, out.error()));
      return false;
    }
    if (uint64_t un = fr.stats.unresolved_total()) {
      res_.unresolved += un;
      const auto& first = fr.stats.unresolved.begin()->first;
      error(name, fmt::format("{} value{} found but not rewritten ({}: {}): not written", un,
                              un == 1 ? "" : "s", first.first, first.second));
      return false;
    }
    if (uint64_t bad = tr.replaced())
      fr.notes.push_back(fmt::format("{} undecodable byte{} written as U+FFFD (or '?')", bad, bad == 1 ? "" : "s"));
    if (fr.unencodable)
      fr.notes.push_back(fmt::format("{} character{} not representable in {} written as '?'",
                                     fr.unencodable, fr.unencodable == 1 ? "" : "s", fr.output_encoding));
    return true;
  }

  // A writer for the same archive type as `a` (after its first header).
  struct archive* open_writer(struct archive* a, Sink& out, std::string& err) {
    struct archive* w = archive_write_new();
    int format = archive_format(a);
    const char* fname = archive_format_name(a);
    if (archive_write_set_format(w, format) != ARCHIVE_OK) {
      err = fmt::format("cannot write {} archives (libarchive has no writer for them): not redacted, not written",
                        fname ? fname : "this kind of");
      archive_write_free(w);
      return nullptr;
    }
    int filters = 0;
    for (int i = 0; i < archive_filter_count(a); ++i) {
      int code = archive_filter_code(a, i);
      if (code == ARCHIVE_FILTER_NONE) continue;
      ++filters;
      if (archive_write_add_filter(w, code) != ARCHIVE_OK) {
        const char* n = archive_filter_name(a, i);
        err = fmt::format("cannot write {} compression: not redacted, not written", n ? n : "this");
        archive_write_free(w);
        return nullptr;
      }
    }
    // Plain tar keeps its 10240-byte blocking; everything else ends where its data does.
    if ((format & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_TAR || filters > 0)
      archive_write_set_bytes_in_last_block(w, 1);
    if (archive_write_open(w, &out, nullptr, write_to_sink, nullptr) != ARCHIVE_OK) {
      err = fmt::format("cannot write the archive: {}", archive_error_string(w) ? archive_error_string(w) : "");
      archive_write_free(w);
      return nullptr;
    }
    return w;
  }

  // Reads the current entry's data into `sp`, within the budget. False with `err`.
  bool read_member(struct archive* a, Spool& sp, uint64_t& budget, std::string& err) {
    std::string buf(size_t{1} << 16, '\0');
    for (;;) {
      la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
      if (n == 0) return true;
      if (n < 0) {
        const char* e = archive_error_string(a);
        err = fmt::format("cannot read the member: {}", e ? e : "unknown error");
        return false;
      }
      if (static_cast<uint64_t>(n) > budget) {
        err = "stopped by --max-expanded-bytes";
        return false;
      }
      budget -= static_cast<uint64_t>(n);
      if (!sp.write(std::string_view(buf.data(), static_cast<size_t>(n)))) {
        err = sp.error();
        return false;
      }
    }
  }

  // Writes one redacted member: its header with the new size, then its data.
  bool write_member(struct archive* w, struct archive_entry* e, const Spool& data, std::string& err) {
    struct archive_entry* e2 = archive_entry_clone(e);
    archive_entry_set_size(e2, static_cast<la_int64_t>(data.size()));
    bool ok = archive_write_header(w, e2) == ARCHIVE_OK;
    archive_entry_free(e2);
    auto rd = data.reader();
    std::string buf(size_t{1} << 16, '\0');
    while (ok) {
      ssize_t n = rd->read(buf.data(), buf.size());
      if (n <= 0) {
        ok = n == 0;
        break;
      }
      ok = archive_write_data(w, buf.data(), static_cast<size_t>(n)) == n;
    }
    if (!ok) err = archive_error_string(w) ? archive_error_string(w) : "write error";
    return ok;
  }

  // One archive member: a nested archive or a document, redacted into a
  // spool and written. False when it was left out.
  bool member(struct archive* w, struct archive_entry* e, const std::string& name,
              const std::string& format_name, const std::string& out_name, const Spool& data,
              int depth, uint64_t& budget, bool& complete) {
    Source src(data);
    Spool out;
    bool ok;
    if (archive_magic(src.head(512))) {
      if (depth >= opts_.max_archive_depth) {
        error(name, "nested deeper than --max-archive-depth: not written");
        return false;
      }
      ok = archive(name, src, out, out_name, depth + 1, budget, complete);
    } else {
      ok = document(name, format_name, src, out, out_name);
    }
    if (!ok) return false;
    std::string err;
    if (!write_member(w, e, out, err)) {
      error(name, "cannot write the member: " + err);
      return false;
    }
    return true;
  }

  bool archive(const std::string& name, const Source& src, Sink& out, const std::string& out_name,
               int depth, uint64_t& budget, bool& complete) {
    struct archive* a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    archive_read_support_format_raw(a);
    if (src.open_archive(a) != ARCHIVE_OK) {
      error(name, fmt::format("cannot open the archive: {}: not written",
                              archive_error_string(a) ? archive_error_string(a) : "unknown error"));
      archive_read_free(a);
      return false;
    }
    struct archive* w = nullptr;
    bool usable = true;
    for (;;) {
      struct archive_entry* e = nullptr;
      int r = archive_read_next_header(a, &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) {
        error(name, fmt::format("{}: the rest of the archive is not written",
                                archive_error_string(a) ? archive_error_string(a) : "read error"));
        complete = false;
        break;
      }
      if (!w) {
        std::string err;
        w = open_writer(a, out, err);
        if (!w) {
          error(name, err);
          usable = false;
          break;
        }
      }
      bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
      const char* pn = archive_entry_pathname(e);
      std::string path = pn ? pn : "";
      std::string mname = raw ? name : name + "!/" + path;
      std::string mout = raw ? out_name : out_name + "!/" + path;
      if (archive_entry_filetype(e) != AE_IFREG) {
        if (archive_write_header(w, e) != ARCHIVE_OK) {
          error(mname, "cannot write the entry: not written");
          complete = false;
        }
        continue;
      }
      Spool data;
      std::string err;
      if (!read_member(a, data, budget, err)) {
        error(mname, err + ": not written");
        complete = false;
        if (err.rfind("stopped", 0) == 0) break;
        continue;
      }
      if (!member(w, e, mname, raw ? strip_compression(name) : path, mout, data, depth, budget, complete))
        complete = false;
    }
    if (!w && usable) {
      std::string err;
      w = open_writer(a, out, err);  // an empty archive stays an empty archive
      if (!w) {
        error(name, err);
        usable = false;
      }
    }
    if (w) {
      if (archive_write_close(w) != ARCHIVE_OK) {
        error(name, fmt::format("cannot finish the archive: {}",
                                archive_error_string(w) ? archive_error_string(w) : "write error"));
        usable = false;
      }
      archive_write_free(w);
    }
    archive_read_free(a);
    return usable;
  }
};

// ------------------------------------------------------------------ the run

struct Item {
  std::string path;  // as given / walked
  bool is_stdin = false;
};

bool under(const fs::path& p, const fs::path& dir) {
  auto pi = p.begin(), di = dir.begin();
  for (; di != dir.end(); ++di, ++pi)
    if (pi == p.end() || *pi != *di) return false;
  return true;
}

// Files to redact: the inputs, folders walked (symlinks inside are skipped,
// and so is the output folder).
std::vector<Item> collect(const Options& o, const fs::path& out_dir, Result& res) {
  std::vector<Item> items;
  fs::path out_canon = out_dir.empty() ? fs::path() : fs::weakly_canonical(out_dir);
  auto excluded = [&](const std::string& p, bool is_dir) {
    for (auto& g : o.exclude)
      if (glob_match(g, p, is_dir)) return true;
    if (!is_dir && !o.include.empty()) {
      for (auto& g : o.include)
        if (glob_match(g, p, false)) return false;
      return true;
    }
    return false;
  };
  for (auto& p : o.inputs) {
    if (p == "-") {
      items.push_back({"-", true});
      continue;
    }
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec) {
      res.errors.push_back({p, ec.message()});
      continue;
    }
    if (!fs::is_directory(st)) {
      if (fs::is_regular_file(st)) items.push_back({p, false});
      else res.skipped.push_back({p, "not a regular file"});
      continue;
    }
    std::vector<Item> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::none, ec), end;
    if (ec) {
      res.errors.push_back({p, ec.message()});
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      const fs::directory_entry& e = *it;
      std::string path = e.path().string();
      if (e.is_symlink(ec)) {
        res.skipped.push_back({path, "symlink"});
        continue;
      }
      if (e.is_directory(ec)) {
        if ((!out_canon.empty() && under(fs::weakly_canonical(e.path()), out_canon)) || excluded(path, true))
          it.disable_recursion_pending();
        continue;
      }
      if (!e.is_regular_file(ec)) continue;
      if (excluded(path, false)) continue;
      found.push_back({path, false});
    }
    if (ec) res.errors.push_back({p, "cannot read folder: " + ec.message()});
    std::sort(found.begin(), found.end(), [](const Item& a, const Item& b) { return a.path < b.path; });
    items.insert(items.end(), found.begin(), found.end());
  }
  return items;
}

// Where a file's copy goes: its path, normalised, under the output folder
// ("../x/a.csv" and "/x/a.csv" both become OUT/x/a.csv).
std::string mirror(const fs::path& out_dir, const std::string& input) {
  fs::path rel;
  for (auto& part : fs::path(input).lexically_normal().relative_path()) {
    if (part == ".." || part == "." || part.empty()) continue;
    rel /= part;
  }
  return (out_dir / rel).string();
}

enum class Mode { folder, file, stdout_ };

// Writes through a temporary file next to `dest`, renamed over it only when
// the redaction is usable (no half-redacted file is ever left behind).
class FileTarget {
 public:
  bool open(const std::string& dest, std::string& err) {
    dest_ = dest;
    std::error_code ec;
    fs::path parent = fs::path(dest).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) {
      err = fmt::format("cannot create {}: {}", parent.string(), ec.message());
      return false;
    }
    tmp_ = dest + ".privaudit-XXXXXX";
    fd_ = ::mkstemp(tmp_.data());
    if (fd_ < 0) {
      err = fmt::format("cannot write {}: {}", dest, std::strerror(errno));
      return false;
    }
    return true;
  }
  int fd() const { return fd_; }
  bool commit(mode_t mode, std::string& err) {
    ::fchmod(fd_, mode);
    bool ok = ::close(fd_) == 0;
    fd_ = -1;
    if (ok && ::rename(tmp_.c_str(), dest_.c_str()) == 0) return true;
    err = fmt::format("cannot write {}: {}", dest_, std::strerror(errno));
    ::unlink(tmp_.c_str());
    return false;
  }
  ~FileTarget() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(tmp_.c_str());
    }
  }

 private:
  std::string dest_, tmp_;
  int fd_ = -1;
};

}  // namespace

bool run(const Engine& engine, const Policy& policy, const Pseudonymiser* ps, const Fingerprinter& fp,
         const Options& o, Result& res, std::string& error) {
  Mode mode = Mode::folder;
  std::error_code ec;
  bool out_is_dir = fs::is_directory(o.output, ec) || (!o.output.empty() && o.output.back() == '/');
  bool single = o.inputs.size() == 1 && (o.inputs[0] == "-" || fs::is_regular_file(o.inputs[0], ec));
  if (o.output == "-") mode = Mode::stdout_;
  else if (single && !out_is_dir) mode = Mode::file;
  if (mode != Mode::folder && !single) {
    error = "-o FILE and -o - take one input file (or -); give a folder for several inputs";
    return false;
  }
  fs::path out_dir = mode == Mode::folder ? fs::path(o.output) : fs::path();
  std::vector<Item> items = collect(o, out_dir, res);

  // Every input's identity, so no output ever replaces one.
  std::set<std::pair<dev_t, ino_t>> inputs;
  for (auto& it : items) {
    struct stat st {};
    if (!it.is_stdin && ::stat(it.path.c_str(), &st) == 0) inputs.insert({st.st_dev, st.st_ino});
  }

  Redactor rd(engine, policy, ps, fp, o, res);
  std::set<std::string> dests;
  for (auto& it : items) {
    std::unique_ptr<Spool> stdin_spool;
    std::unique_ptr<Source> src;
    mode_t perm = 0644;
    if (it.is_stdin) {
      if (mode == Mode::folder) {
        res.errors.push_back({"-", "standard input needs -o FILE or -o -: not written"});
        continue;
      }
      stdin_spool = std::make_unique<Spool>();
      FdReader in(0, false);
      std::string buf(size_t{1} << 16, '\0');
      bool ok = true;
      for (;;) {
        ssize_t n = in.read(buf.data(), buf.size());
        if (n <= 0) {
          ok = n == 0;
          break;
        }
        if (!stdin_spool->write(std::string_view(buf.data(), static_cast<size_t>(n)))) {
          ok = false;
          break;
        }
      }
      if (!ok) {
        res.errors.push_back({"-", "read error: not written"});
        continue;
      }
      src = std::make_unique<Source>(*stdin_spool);
    } else {
      struct stat st {};
      if (::stat(it.path.c_str(), &st) == 0) perm = st.st_mode & 0666;
      src = std::make_unique<Source>(it.path);
    }
    bool complete = true;
    if (mode == Mode::stdout_) {
      Spool out;
      if (rd.input(it.path, *src, out, "-", complete)) {
        FdSink so(1);
        if (!out.copy_to(so) || !so.flush()) res.errors.push_back({it.path, "cannot write to standard output"});
      }
      continue;
    }
    std::string dest = mode == Mode::file ? o.output : mirror(out_dir, it.path);
    if (!dests.insert(dest).second) {
      res.errors.push_back({it.path, fmt::format("another input was already written to {}: not written", dest)});
      continue;
    }
    struct stat dst {};
    if (::stat(dest.c_str(), &dst) == 0 && inputs.count({dst.st_dev, dst.st_ino})) {
      res.errors.push_back({it.path, fmt::format("the output {} is an input: not written", dest)});
      continue;
    }
    FileTarget target;
    std::string err;
    if (!target.open(dest, err)) {
      res.errors.push_back({it.path, err});
      continue;
    }
    FdSink sink(target.fd());
    if (!rd.input(it.path, *src, sink, dest, complete)) continue;
    if (!sink.flush()) {
      res.errors.push_back({it.path, fmt::format("cannot write {}: {}", dest, sink.error())});
      continue;
    }
    if (!target.commit(perm, err)) res.errors.push_back({it.path, err});
  }
  for (auto& c : policy.columns())
    if (!c.matched) res.unmatched_columns.push_back(c.name);
  return true;
}

// ---------------------------------------------------------------- report

std::string section_json(const Result& r, const Options& o, const Pseudonymiser* ps) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("output").value(o.output);
  if (ps) {
    w.key("sector").value(ps->sector());
    w.key("pseudonym").begin_object();
    w.key("form").value("pa_<sector>_<base32>");
    w.key("mac").value("HMAC-SHA-256(key, sector 0x00 rule 0x00 normalised value)");
    w.key("token_bits").value(uint64_t{kTokenChars * 5});
    w.end_object();
  }
  std::map<std::string, uint64_t> by_rule, by_action;
  uint64_t written = 0, not_written = 0, changed = 0, kept = 0, unresolved = 0, cells = 0;
  w.key("files").begin_array();
  for (auto& f : r.files) {
    w.begin_object();
    w.key("path").value(f.path);
    if (f.written) w.key("output").value(f.output);
    else w.key("output").null();
    w.key("written").value(f.written);
    w.key("format").value(f.format);
    if (!f.encoding.empty()) w.key("encoding").value(f.encoding);
    if (!f.output_encoding.empty()) w.key("output_encoding").value(f.output_encoding);
    w.key("changes").begin_array();
    for (auto& [k, n] : f.stats.changes) {
      w.begin_object().key("rule").value(k.first).key("action").value(k.second).key("count").value(n).end_object();
      by_rule[k.first] += n;
      by_action[k.second] += n;
      changed += n;
    }
    w.end_array();
    w.key("columns").begin_array();
    for (auto& [k, n] : f.stats.columns) {
      w.begin_object().key("column").value(k.first).key("action").value(k.second).key("count").value(n).end_object();
      cells += n;
    }
    w.end_array();
    w.key("kept").begin_array();
    for (auto& [k, n] : f.stats.kept) {
      w.begin_object().key("rule").value(k.first).key("reason").value(k.second).key("count").value(n).end_object();
      kept += n;
    }
    w.end_array();
    if (!f.stats.unparseable.empty()) {
      w.key("unparseable").begin_array();
      for (auto& [c, n] : f.stats.unparseable)
        w.begin_object().key("column").value(c).key("count").value(n).key("written").value("empty").end_object();
      w.end_array();
    }
    w.key("not_redacted").begin_array();
    for (auto& [k, n] : f.stats.unresolved) {
      w.begin_object().key("rule").value(k.first).key("reason").value(k.second).key("count").value(n).end_object();
      unresolved += n;
    }
    w.end_array();
    if (f.unencodable) w.key("unencodable").value(f.unencodable);
    if (!f.notes.empty()) {
      w.key("notes").begin_array();
      for (auto& n : f.notes) w.value(n);
      w.end_array();
    }
    w.end_object();
    (f.written ? written : not_written) += 1;
  }
  w.end_array();
  w.key("totals").begin_object();
  w.key("files_written").value(written);
  w.key("files_not_written").value(not_written);
  w.key("values_changed").value(changed);
  w.key("cells_changed").value(cells);
  w.key("values_kept").value(kept);
  w.key("values_not_redacted").value(unresolved);
  w.key("by_rule").begin_object();
  for (auto& [k, n] : by_rule) w.key(k).value(n);
  w.end_object();
  w.key("by_action").begin_object();
  for (auto& [k, n] : by_action) w.key(k).value(n);
  w.end_object();
  w.end_object();
  w.key("unmatched_columns").begin_array();
  for (auto& c : r.unmatched_columns) w.value(c);
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace privaudit::redact
