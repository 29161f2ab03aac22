// Databases as inputs: SQLite files, PostgreSQL and MariaDB/MySQL servers,
// always opened read-only. A Store lists its user tables and their columns
// and streams the rows of one table at a time; it knows nothing of rules or
// findings (lib/scan/database.h turns rows into a document).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace privaudit::store {

struct Table {
  std::string schema;  // SQLite: "main" (or an attached name); MariaDB: the database
  std::string name;
  bool view = false;
  std::string id;       // store-specific handle (PostgreSQL: the oid)
  std::string kind;     // store-specific relation kind (PostgreSQL relkind)
  std::string qualified() const { return schema + "." + name; }
};

struct Column {
  std::string name;
  std::string type;     // declared type, as the store names it
  bool binary = false;  // bytes, not text: never read
};

// One table's rows, pulled one at a time.
class RowCursor {
 public:
  virtual ~RowCursor() = default;
  // Fills `cells` with the next row, one view per requested column (NULL is
  // empty); the views stay valid until the next call. Returns 1 for a row,
  // 0 at the end, -1 on an error (error() says what).
  virtual int next(std::vector<std::string_view>& cells) = 0;
  const std::string& error() const { return err_; }

 protected:
  std::string err_;
};

class Store {
 public:
  virtual ~Store() = default;
  // The user tables (and views when `views`), sorted by schema and name;
  // system catalogues are never listed.
  virtual bool tables(bool views, std::vector<Table>& out, std::string& err) = 0;
  // The columns of `t` in declaration order.
  virtual bool columns(const Table& t, std::vector<Column>& out, std::string& err) = 0;
  // Starts reading `cols` of `t`: every row, or with `sample` > 0 a random
  // sample of at most `sample` rows (`method` then says how it was drawn).
  // Only one cursor may be open at a time. Returns null and fills `err` when
  // the table cannot be read.
  virtual std::unique_ptr<RowCursor> read(const Table& t, const std::vector<Column>& cols,
                                          uint64_t sample, std::string& method,
                                          std::string& err) = 0;
};

enum class Kind { none, sqlite, postgresql, mariadb };

// The store a URI names by its scheme: sqlite://, postgresql:// or
// postgres://, mysql:// or mariadb://; Kind::none for anything else.
Kind uri_kind(std::string_view uri);

// The URI as reports show it: no password, no query string.
// "postgresql://ann:pw@db:5432/x?sslmode=require" -> "postgresql://ann@db:5432/x".
std::string display_uri(std::string_view uri);

// True when `p` (n bytes) starts with the SQLite file header.
bool has_sqlite_header(const char* p, size_t n);

// Connects to / opens the store a URI names, read-only. Returns null and
// fills `err` (never holding the password) on failure.
std::unique_ptr<Store> open_uri(const std::string& uri, std::string& err);

// Opens a SQLite file read-only; `immutable` also promises SQLite that
// nobody changes the file (read-only media), so it takes no locks.
std::unique_ptr<Store> open_sqlite_file(const std::string& path, bool immutable, std::string& err);
// Opens a SQLite database image held in memory (an archive member), read-only.
std::unique_ptr<Store> open_sqlite_image(std::string image, std::string& err);

// Per-store openers behind open_uri.
std::unique_ptr<Store> open_postgres(const std::string& uri, std::string& err);
std::unique_ptr<Store> open_mariadb(const std::string& uri, std::string& err);

// Decodes %XX escapes ("a%40b" -> "a@b"); invalid escapes are kept as is.
std::string percent_decode(std::string_view s);

}  // namespace privaudit::store
