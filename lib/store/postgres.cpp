// PostgreSQL through libpq: one read-only transaction per store, each table
// streamed with COPY (SELECT ...) TO STDOUT inside a savepoint, so a table
// that cannot be read does not end the scan.
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "store/store.h"

namespace privaudit::store {

namespace {

// Owns a PGresult.
struct Result {
  PGresult* r = nullptr;
  explicit Result(PGresult* res) : r(res) {}
  ~Result() { PQclear(r); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  bool ok() const {
    auto s = PQresultStatus(r);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }
  std::string value(int row, int col) const { return PQgetvalue(r, row, col); }
};

// libpq's last error, on one line.
std::string conn_error(PGconn* c) {
  std::string e = PQerrorMessage(c);
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  for (char& ch : e)
    if (ch == '\n') ch = ' ';
  return e.empty() ? "unknown PostgreSQL error" : e;
}

// Runs a statement that returns no rows we need; false + err on failure.
bool exec(PGconn* c, const char* sql, std::string& err) {
  Result r(PQexec(c, sql));
  if (r.ok()) return true;
  err = conn_error(c);
  return false;
}

std::string quote_ident(PGconn* c, const std::string& s) {
  char* q = PQescapeIdentifier(c, s.data(), s.size());
  if (!q) return "\"" + s + "\"";
  std::string out(q);
  PQfreemem(q);
  return out;
}

// Decodes one field of COPY's text format into `out`.
void unescape_copy(const char* p, size_t n, std::string& out) {
  for (size_t i = 0; i < n; ++i) {
    // Plain bytes up to the next backslash go in at once.
    const void* bs = std::memchr(p + i, '\\', n - i);
    size_t stop = bs ? static_cast<size_t>(static_cast<const char*>(bs) - p) : n;
    out.append(p + i, stop - i);
    i = stop;
    if (i + 1 >= n) {
      if (i < n) out.push_back(p[i]);
      break;
    }
    char c = p[++i];
    switch (c) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': {
        int v = 0, k = 0;
        while (k < 2 && i + 1 < n && std::isxdigit(static_cast<unsigned char>(p[i + 1]))) {
          char h = p[++i];
          v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
          ++k;
        }
        out.push_back(static_cast<char>(v));
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          int v = c - '0', k = 1;
          while (k < 3 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7') {
            v = v * 8 + (p[++i] - '0');
            ++k;
          }
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(c);
        }
    }
  }
}

class PgCursor : public RowCursor {
 public:
  PgCursor(PGconn* c, size_t ncols) : c_(c), n_(ncols) {}
  ~PgCursor() override {
    while (!done_) {  // stopped early: drain the copy, then end the savepoint
      std::vector<std::string_view> cells;
      if (next(cells) <= 0) break;
    }
    release();
  }

  int next(std::vector<std::string_view>& cells) override {
    if (done_) return 0;
    free_row();
    int n = PQgetCopyData(c_, &row_, 0);
    if (n > 0) {
      parse(row_, static_cast<size_t>(n), cells);
      return 1;
    }
    done_ = true;
    if (n == -2) {
      err_ = conn_error(c_);
      failed_ = true;
      return -1;
    }
    // End of the copy: its final status says whether it completed.
    for (PGresult* r; (r = PQgetResult(c_)) != nullptr;) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        failed_ = true;
        err_ = conn_error(c_);
      }
      PQclear(r);
    }
    return failed_ ? -1 : 0;
  }

 private:
  PGconn* c_;
  size_t n_;
  char* row_ = nullptr;
  bool done_ = false, failed_ = false, released_ = false;
  std::string buf_;
  std::vector<size_t> bounds_;

  void free_row() {
    if (row_) PQfreemem(row_);
    row_ = nullptr;
  }
  void release() {
    free_row();
    if (released_) return;
    released_ = true;
    std::string err;
    exec(c_, failed_ ? "ROLLBACK TO SAVEPOINT privaudit_table" : "RELEASE SAVEPOINT privaudit_table",
         err);
  }
  // Splits one COPY text line into cells (\N, SQL NULL, is empty).
  void parse(const char* p, size_t n, std::vector<std::string_view>& cells) {
    if (n && p[n - 1] == '\n') --n;
    buf_.clear();
    bounds_.clear();
    size_t start = 0;
    for (size_t i = 0; i <= n; ++i) {
      if (i < n && p[i] != '\t') continue;
      size_t len = i - start;
      bounds_.push_back(buf_.size());
      if (!(len == 2 && p[start] == '\\' && p[start + 1] == 'N')) unescape_copy(p + start, len, buf_);
      start = i + 1;
    }
    bounds_.push_back(buf_.size());
    cells.resize(n_);
    for (size_t k = 0; k < n_; ++k)
      cells[k] = k + 1 < bounds_.size()
                     ? std::string_view(buf_.data() + bounds_[k], bounds_[k + 1] - bounds_[k])
                     : std::string_view();
  }
};

class PgStore : public Store {
 public:
  explicit PgStore(PGconn* c) : c_(c) {}
  ~PgStore() override {
    std::string err;
    exec(c_, "ROLLBACK", err);
    PQfinish(c_);
  }

  // Enters the read-only transaction every read happens in.
  bool begin(std::string& err) {
    if (!exec(c_, "BEGIN READ ONLY", err)) return false;
    if (!exec(c_, "SET default_transaction_read_only = on", err)) return false;
    // A table locked by a schema change becomes an error, not a hang.
    if (!exec(c_, "SET LOCAL lock_timeout = '30s'", err)) return false;
    Result r(PQexec(c_, "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'tsm_system_rows'"));
    system_rows_ = r.ok() && PQntuples(r.r) > 0;
    return true;
  }

  bool tables(bool views, std::vector<Table>& out, std::string& err) override {
    std::string sql =
        "SELECT n.nspname, c.relname, c.relkind, c.oid::text "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p'";
    sql += views ? ", 'v', 'm')" : ")";
    sql +=
        " AND NOT c.relispartition"
        " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname !~ '^pg_(toast|temp_)'"
        " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
        "   WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
        " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";
    Result r(PQexec(c_, sql.c_str()));
    if (!r.ok()) {
      err = conn_error(c_);
      return false;
    }
    for (int i = 0; i < PQntuples(r.r); ++i) {
      Table t;
      t.schema = r.value(i, 0);
      t.name = r.value(i, 1);
      t.kind = r.value(i, 2);
      t.id = r.value(i, 3);
      t.view = t.kind == "v" || t.kind == "m";
      out.push_back(std::move(t));
    }
    return true;
  }

  bool columns(const Table& t, std::vector<Column>& out, std::string& err) override {
    const char* sql =
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname, "
        "       coalesce(bt.typname, '') "
        "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype "
        "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
    const char* params[] = {t.id.c_str()};
    Result r(PQexecParams(c_, sql, 1, nullptr, params, nullptr, nullptr, 0));
    if (!r.ok()) {
      err = conn_error(c_);
      return false;
    }
    for (int i = 0; i < PQntuples(r.r); ++i) {
      Column c;
      c.name = r.value(i, 0);
      c.type = r.value(i, 1);
      std::string base = r.value(i, 2), dom = r.value(i, 3);
      c.binary = base == "bytea" || base == "_bytea" || dom == "bytea" || dom == "_bytea";
      out.push_back(std::move(c));
    }
    return true;
  }

  std::unique_ptr<RowCursor> read(const Table& t, const std::vector<Column>& cols, uint64_t sample,
                                  std::string& method, std::string& err) override {
    std::string sel = "SELECT ";
    for (size_t i = 0; i < cols.size(); ++i) sel += (i ? ", " : "") + quote_ident(c_, cols[i].name);
    sel += " FROM " + quote_ident(c_, t.schema) + "." + quote_ident(c_, t.name);
    if (sample) sel += sample_clause(t, sample, method);
    if (!exec(c_, "SAVEPOINT privaudit_table", err)) return nullptr;
    std::string sql = "COPY (" + sel + ") TO STDOUT";
    Result r(PQexec(c_, sql.c_str()));
    if (PQresultStatus(r.r) != PGRES_COPY_OUT) {
      err = conn_error(c_);
      std::string err2;
      exec(c_, "ROLLBACK TO SAVEPOINT privaudit_table", err2);
      return nullptr;
    }
    return std::make_unique<PgCursor>(c_, cols.size());
  }

 private:
  PGconn* c_;
  bool system_rows_ = false;

  // The clause that draws at most n rows at random from `t`.
  std::string sample_clause(const Table& t, uint64_t n, std::string& method) {
    std::string limit = " LIMIT " + std::to_string(n);
    bool plain = t.kind == "r" || t.kind == "m";
    if (plain && system_rows_) {
      method = "TABLESAMPLE SYSTEM_ROWS";
      return " TABLESAMPLE SYSTEM_ROWS(" + std::to_string(n) + ")";
    }
    double rows = plain ? estimated_rows(t) : -1;
    if (rows < 0) {
      method = "ORDER BY random()";
      return " ORDER BY random()" + limit;
    }
    // Bernoulli draws each row with probability p; twice the rows needed,
    // then a random `n` of those.
    double pct = rows <= 0 ? 100.0 : std::min(100.0, 200.0 * static_cast<double>(n) / rows);
    method = "TABLESAMPLE BERNOULLI";
    return " TABLESAMPLE BERNOULLI(" + std::to_string(pct) + ") ORDER BY random()" + limit;
  }

  // The planner's row count of `t`, else an exact count; -1 if unknown.
  double estimated_rows(const Table& t) {
    const char* params[] = {t.id.c_str()};
    Result r(PQexecParams(c_, "SELECT reltuples FROM pg_catalog.pg_class WHERE oid = $1::oid", 1,
                          nullptr, params, nullptr, nullptr, 0));
    double est = r.ok() && PQntuples(r.r) ? std::atof(PQgetvalue(r.r, 0, 0)) : -1;
    if (est > 0) return est;
    std::string sql = "SELECT count(*) FROM " + quote_ident(c_, t.schema) + "." + quote_ident(c_, t.name);
    Result c(PQexec(c_, sql.c_str()));
    return c.ok() && PQntuples(c.r) ? std::atof(PQgetvalue(c.r, 0, 0)) : -1;
  }
};

}  // namespace

std::unique_ptr<Store> open_postgres(const std::string& uri, std::string& err) {
  // The URI is expanded by libpq (PG* variables fill what it leaves out);
  // the client encoding is forced to UTF-8, which the scanner reads.
  const char* keys[] = {"dbname", "fallback_application_name", "client_encoding", "connect_timeout", nullptr};
  const char* vals[] = {uri.c_str(), "privaudit", "UTF8", "10", nullptr};
  if (std::getenv("PGCONNECT_TIMEOUT") || uri.find("connect_timeout") != std::string::npos)
    keys[3] = nullptr;
  PGconn* c = PQconnectdbParams(keys, vals, 1);
  if (!c) {
    err = "out of memory";
    return nullptr;
  }
  if (PQstatus(c) != CONNECTION_OK) {
    err = conn_error(c);
    PQfinish(c);
    return nullptr;
  }
  auto store = std::make_unique<PgStore>(c);
  if (!store->begin(err)) return nullptr;
  return store;
}

}  // namespace privaudit::store
