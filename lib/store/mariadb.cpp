// MariaDB and MySQL through libmariadb: a read-only transaction with a
// consistent snapshot; each table streamed with mysql_use_result.
#include <mysql.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "store/store.h"

namespace privaudit::store {

namespace {

// The parts of mysql://user:password@host:port/db?socket=...&ssl-mode=...
struct MyUri {
  std::string user, password, host, db, socket, ssl_mode, ssl_ca;
  bool has_user = false, has_password = false;
  unsigned port = 0;
};

bool parse_my_uri(const std::string& uri, MyUri& u, std::string& err) {
  size_t p = uri.find("://");
  std::string_view rest = std::string_view(uri).substr(p + 3);
  size_t q = rest.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  rest = rest.substr(0, q);
  size_t slash = rest.find('/');
  std::string_view auth = rest.substr(0, slash);
  if (slash != std::string_view::npos) u.db = percent_decode(rest.substr(slash + 1));
  size_t at = auth.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view ui = auth.substr(0, at);
    size_t colon = ui.find(':');
    u.user = percent_decode(ui.substr(0, colon));
    u.has_user = true;
    if (colon != std::string_view::npos) {
      u.password = percent_decode(ui.substr(colon + 1));
      u.has_password = true;
    }
    auth = auth.substr(at + 1);
  }
  std::string_view hostport = auth;
  size_t colon = std::string_view::npos;
  if (!hostport.empty() && hostport[0] == '[') {  // [IPv6]:port
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      err = "bad IPv6 host in the URI";
      return false;
    }
    u.host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') colon = close + 1;
  } else {
    colon = hostport.rfind(':');
    u.host = percent_decode(hostport.substr(0, colon));
  }
  if (colon != std::string_view::npos) {
    std::string port(hostport.substr(colon + 1));
    char* end = nullptr;
    unsigned long v = std::strtoul(port.c_str(), &end, 10);
    if (port.empty() || *end || v == 0 || v > 65535) {
      err = "bad port in the URI";
      return false;
    }
    u.port = static_cast<unsigned>(v);
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    size_t eq = kv.find('=');
    std::string key(kv.substr(0, eq));
    std::string val = eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1));
    if (key == "socket" || key == "unix_socket") u.socket = val;
    else if (key == "ssl-mode" || key == "ssl_mode" || key == "sslmode") u.ssl_mode = val;
    else if (key == "ssl-ca" || key == "ssl_ca") u.ssl_ca = val;
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return true;
}

std::string quote_ident(const std::string& s) {
  std::string out = "`";
  for (char c : s) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  return out + "`";
}

// DATA_TYPE values that hold bytes or geometry, not text.
bool binary_type(const std::string& t) {
  static const char* kinds[] = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob",
                                "bit", "geometry", "point", "linestring", "polygon", "multipoint",
                                "multilinestring", "multipolygon", "geometrycollection"};
  for (const char* k : kinds)
    if (t == k) return true;
  return false;
}

class MyCursor : public RowCursor {
 public:
  MyCursor(MYSQL* m, MYSQL_RES* res, size_t ncols) : m_(m), res_(res), n_(ncols) {}
  ~MyCursor() override { mysql_free_result(res_); }  // reads what is left

  int next(std::vector<std::string_view>& cells) override {
    MYSQL_ROW row = mysql_fetch_row(res_);
    if (!row) {
      if (mysql_errno(m_)) {
        err_ = mysql_error(m_);
        return -1;
      }
      return 0;
    }
    unsigned long* lens = mysql_fetch_lengths(res_);
    cells.resize(n_);
    for (size_t i = 0; i < n_; ++i)
      cells[i] = row[i] ? std::string_view(row[i], lens[i]) : std::string_view();
    return 1;
  }

 private:
  MYSQL* m_;
  MYSQL_RES* res_;
  size_t n_;
};

class MyStore : public Store {
 public:
  MyStore(MYSQL* m, std::string db) : m_(m), db_(std::move(db)) {}
  ~MyStore() override {
    mysql_query(m_, "ROLLBACK");
    mysql_close(m_);
  }

  // Enters the read-only transaction every read happens in.
  bool begin(std::string& err) {
    return exec("SET SESSION TRANSACTION READ ONLY", err) &&
           exec("SET SESSION net_write_timeout = 3600", err) &&
           exec("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT", err);
  }

  bool tables(bool views, std::vector<Table>& out, std::string& err) override {
    std::string sql =
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') "
        "AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED'";
    sql += views ? ", 'VIEW')" : ")";
    if (!db_.empty()) sql += " AND TABLE_SCHEMA = " + literal(db_);
    sql += " ORDER BY BINARY TABLE_SCHEMA, BINARY TABLE_NAME";
    return query_rows(sql, 3, err, [&](MYSQL_ROW r) {
      Table t;
      t.schema = r[0];
      t.name = r[1];
      t.kind = r[2];
      t.view = t.kind == "VIEW";
      out.push_back(std::move(t));
    });
  }

  bool columns(const Table& t, std::vector<Column>& out, std::string& err) override {
    std::string sql =
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = " + literal(t.schema) + " AND TABLE_NAME = " + literal(t.name) +
        " ORDER BY ORDINAL_POSITION";
    return query_rows(sql, 3, err, [&](MYSQL_ROW r) {
      Column c;
      c.name = r[0];
      c.type = r[2];
      c.binary = binary_type(r[1]);
      out.push_back(std::move(c));
    });
  }

  std::unique_ptr<RowCursor> read(const Table& t, const std::vector<Column>& cols, uint64_t sample,
                                  std::string& method, std::string& err) override {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + quote_ident(cols[i].name);
    sql += " FROM " + quote_ident(t.schema) + "." + quote_ident(t.name);
    if (sample) {
      // ORDER BY ... LIMIT sorts with a priority queue of `sample` rows.
      sql += " ORDER BY RAND() LIMIT " + std::to_string(sample);
      method = "ORDER BY RAND()";
    }
    if (mysql_real_query(m_, sql.data(), sql.size()) != 0) {
      err = mysql_error(m_);
      return nullptr;
    }
    MYSQL_RES* res = mysql_use_result(m_);
    if (!res) {
      err = mysql_error(m_);
      return nullptr;
    }
    return std::make_unique<MyCursor>(m_, res, cols.size());
  }

 private:
  MYSQL* m_;
  std::string db_;

  bool exec(const char* sql, std::string& err) {
    if (mysql_query(m_, sql) == 0) return true;
    err = mysql_error(m_);
    return false;
  }
  std::string literal(const std::string& s) {
    std::string out(s.size() * 2 + 1, '\0');
    unsigned long n = mysql_real_escape_string(m_, out.data(), s.data(), s.size());
    out.resize(n);
    return "'" + out + "'";
  }
  // Runs a query and hands each row (of `ncols` non-null columns) to `f`.
  template <class F>
  bool query_rows(const std::string& sql, unsigned ncols, std::string& err, F f) {
    if (mysql_real_query(m_, sql.data(), sql.size()) != 0) {
      err = mysql_error(m_);
      return false;
    }
    MYSQL_RES* res = mysql_store_result(m_);
    if (!res) {
      err = mysql_error(m_);
      return false;
    }
    while (MYSQL_ROW r = mysql_fetch_row(res)) {
      bool complete = mysql_num_fields(res) >= ncols;
      for (unsigned i = 0; complete && i < ncols; ++i) complete = r[i] != nullptr;
      if (complete) f(r);
    }
    mysql_free_result(res);
    return true;
  }
};

// Applies the URI's TLS choice: ssl-mode=REQUIRED (or VERIFY_CA,
// VERIFY_IDENTITY) refuses a plain connection.
void set_tls(MYSQL* m, const MyUri& u) {
  std::string mode = u.ssl_mode;
  for (char& c : mode) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  my_bool yes = 1;
  if (mode == "REQUIRED" || mode == "VERIFY_CA" || mode == "VERIFY_IDENTITY" || mode == "TRUE")
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &yes);
  if (mode == "VERIFY_CA" || mode == "VERIFY_IDENTITY")
    mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
  if (!u.ssl_ca.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CA, u.ssl_ca.c_str());
}

}  // namespace

std::unique_ptr<Store> open_mariadb(const std::string& uri, std::string& err) {
  MyUri u;
  if (!parse_my_uri(uri, u, err)) return nullptr;
  MYSQL* m = mysql_init(nullptr);
  if (!m) {
    err = "out of memory";
    return nullptr;
  }
  unsigned timeout = 10;
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, "client");  // ~/.my.cnf [client], as mysql(1) does
  set_tls(m, u);
  const char* pw = u.has_password ? u.password.c_str() : std::getenv("MYSQL_PWD");
  const char* user = u.has_user ? u.user.c_str() : nullptr;
  if (!mysql_real_connect(m, u.host.empty() ? nullptr : u.host.c_str(), user, pw,
                          u.db.empty() ? nullptr : u.db.c_str(), u.port,
                          u.socket.empty() ? nullptr : u.socket.c_str(), 0)) {
    err = mysql_error(m);
    mysql_close(m);
    return nullptr;
  }
  auto store = std::make_unique<MyStore>(m, u.db);
  if (!store->begin(err)) return nullptr;
  return store;
}

}  // namespace privaudit::store
