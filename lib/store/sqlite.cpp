// SQLite: files opened with SQLITE_OPEN_READONLY (and `immutable=1` on
// request), images in memory deserialized read-only.
#include <sqlite3.h>

#include <algorithm>

#include "store/store.h"

namespace privaudit::store {

namespace {

// "name" with embedded quotes doubled: an SQL identifier.
std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

bool contains_nocase(std::string s, std::string_view needle) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  return s.find(needle) != std::string::npos;
}

// A prepared statement, finalized when it goes.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
  bool prepare(sqlite3* db, const std::string& sql, std::string& err) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr) == SQLITE_OK)
      return true;
    err = sqlite3_errmsg(db);
    return false;
  }
  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, col))) : std::string();
  }
};

class SqliteCursor : public RowCursor {
 public:
  SqliteCursor(sqlite3* db, std::unique_ptr<Stmt> st, size_t ncols)
      : db_(db), st_(std::move(st)), n_(ncols) {}
  int next(std::vector<std::string_view>& cells) override {
    int rc = sqlite3_step(st_->s);
    if (rc == SQLITE_DONE) return 0;
    if (rc != SQLITE_ROW) {
      err_ = sqlite3_errmsg(db_);
      return -1;
    }
    cells.resize(n_);
    for (size_t i = 0; i < n_; ++i) {
      int c = static_cast<int>(i);
      // Text of any storage class: integers and reals as SQLite prints them,
      // blobs in a text column as their bytes.
      auto p = reinterpret_cast<const char*>(sqlite3_column_text(st_->s, c));
      cells[i] = p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_->s, c)))
                   : std::string_view();
    }
    return 1;
  }

 private:
  sqlite3* db_;
  std::unique_ptr<Stmt> st_;
  size_t n_;
};

class SqliteStore : public Store {
 public:
  explicit SqliteStore(sqlite3* db, std::unique_ptr<std::string> image = nullptr)
      : db_(db), image_(std::move(image)) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  bool tables(bool views, std::vector<Table>& out, std::string& err) override {
    // pragma_table_list (SQLite 3.37): type is table, view, virtual or shadow.
    // Virtual and shadow tables (FTS indexes) repeat what their content
    // tables hold and may need modules this build lacks: not listed.
    std::string sql =
        "SELECT schema, name, type FROM pragma_table_list "
        "WHERE schema <> 'temp' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND type IN ('table'";
    sql += views ? ", 'view')" : ")";
    sql += " ORDER BY schema, name";
    Stmt st;
    if (!st.prepare(db_, sql, err)) return false;
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
      Table t;
      t.schema = st.text(0);
      t.name = st.text(1);
      t.kind = st.text(2);
      t.view = t.kind == "view";
      out.push_back(std::move(t));
    }
    if (rc != SQLITE_DONE) {
      err = sqlite3_errmsg(db_);
      return false;
    }
    return true;
  }

  bool columns(const Table& t, std::vector<Column>& out, std::string& err) override {
    Stmt st;
    if (!st.prepare(db_, "SELECT name, type FROM pragma_table_xinfo(?1, ?2) WHERE hidden IN (0, 2, 3)",
                    err))
      return false;
    sqlite3_bind_text(st.s, 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.s, 2, t.schema.c_str(), -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
      Column c;
      c.name = st.text(0);
      c.type = st.text(1);
      c.binary = contains_nocase(c.type, "BLOB");
      out.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) {
      err = sqlite3_errmsg(db_);
      return false;
    }
    return true;
  }

  std::unique_ptr<RowCursor> read(const Table& t, const std::vector<Column>& cols, uint64_t sample,
                                  std::string& method, std::string& err) override {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + quote_ident(cols[i].name);
    sql += " FROM " + quote_ident(t.schema) + "." + quote_ident(t.name);
    if (sample) {
      // SQLite keeps only the best `sample` rows while sorting: one pass over
      // the table, memory bounded by the sample.
      sql += " ORDER BY random() LIMIT " + std::to_string(sample);
      method = "ORDER BY random()";
    }
    auto st = std::make_unique<Stmt>();
    if (!st->prepare(db_, sql, err)) return nullptr;
    return std::make_unique<SqliteCursor>(db_, std::move(st), cols.size());
  }

 private:
  sqlite3* db_;
  std::unique_ptr<std::string> image_;  // the bytes of an in-memory database, kept alive
};

// "file:" URI for `path`: every byte outside [A-Za-z0-9/._-] percent-encoded.
std::string file_uri(const std::string& path, bool immutable) {
  static const char* hex = "0123456789ABCDEF";
  std::string u = "file:";
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '.' || c == '_' || c == '-';
    if (plain) {
      u.push_back(static_cast<char>(c));
    } else {
      u.push_back('%');
      u.push_back(hex[c >> 4]);
      u.push_back(hex[c & 15]);
    }
  }
  return u + (immutable ? "?mode=ro&immutable=1" : "?mode=ro");
}

// Opens and proves the database readable (a schema query), read-only.
sqlite3* open_checked(const std::string& uri, std::string& err) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    rc = sqlite3_exec(db, "PRAGMA query_only = ON; SELECT count(*) FROM sqlite_schema", nullptr,
                      nullptr, nullptr);
  }
  if (rc != SQLITE_OK) {
    err = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return nullptr;
  }
  return db;
}

}  // namespace

std::unique_ptr<Store> open_sqlite_file(const std::string& path, bool immutable, std::string& err) {
  sqlite3* db = open_checked(file_uri(path, immutable), err);
  if (!db && !immutable) {
    // A WAL database in a folder we cannot write, or one with a hot journal,
    // cannot be opened plainly read-only; as an immutable file it can.
    std::string err2;
    db = open_checked(file_uri(path, true), err2);
  }
  if (!db) return nullptr;
  return std::make_unique<SqliteStore>(db);
}

std::unique_ptr<Store> open_sqlite_image(std::string bytes, std::string& err) {
  // On the heap, so the buffer SQLite reads stays put when the store moves.
  auto image = std::make_unique<std::string>(std::move(bytes));
  if (image->size() >= 20 && (*image)[18] == 2 && (*image)[19] == 2) {
    // WAL mode: without its -wal file the image reads as a rollback database.
    (*image)[18] = 1;
    (*image)[19] = 1;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    err = db ? sqlite3_errmsg(db) : "cannot open SQLite";
    sqlite3_close_v2(db);
    return nullptr;
  }
  auto sz = static_cast<sqlite3_int64>(image->size());
  int rc = sqlite3_deserialize(db, "main", reinterpret_cast<unsigned char*>(image->data()), sz, sz,
                               SQLITE_DESERIALIZE_READONLY);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db, "PRAGMA query_only = ON; SELECT count(*) FROM sqlite_schema", nullptr,
                      nullptr, nullptr);
  if (rc != SQLITE_OK) {
    err = sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    return nullptr;
  }
  return std::make_unique<SqliteStore>(db, std::move(image));
}

}  // namespace privaudit::store
