// Databases as inputs, against real servers: SQLite files, and private
// PostgreSQL and MariaDB instances this executable starts (db_servers.h) and
// stops, whatever happens. Findings must equal those of the same rows
// exported as CSV; the databases must be unchanged by a scan; a table the
// user may not read is an error while the rest is scanned; a million rows
// scan in bounded memory. Under CI=true a server that cannot start fails the
// test; elsewhere the server's tests are skipped with a message.
#define BOOST_TEST_MODULE stores
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "db_servers.h"
#include "scan/container.h"
#include "scan/run.h"
#include "test_util.h"

using testutil::TempDir;
namespace fs = std::filesystem;

namespace {

// The bound on a scan's peak RSS. Under AddressSanitizer RSS holds shadow
// memory and the 256 MiB quarantine of freed blocks: it is not the
// program's own use, so the sanitizer build only checks for runaway growth.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssLimitKiB = 1L << 20;
#else
constexpr long kRssLimitKiB = 200L << 10;
#endif

std::string q(const std::string& s) { return "'" + s + "'"; }

// ------------------------------------------------------------ fixture data

// A valid My Number from an 11-digit base (official check digit).
std::string my_number(uint64_t base) {
  std::string d = std::to_string(base % 100000000000ULL);
  d.insert(0, 11 - d.size(), '0');
  int sum = 0;
  for (int n = 1; n <= 11; ++n) {
    int p = d[static_cast<size_t>(11 - n)] - '0';
    sum += p * (n <= 6 ? n + 1 : n - 5);
  }
  int r = sum % 11;
  return d + static_cast<char>('0' + (r <= 1 ? 0 : 11 - r));
}

std::string wrong_check(const std::string& valid) {
  std::string s = valid;
  s.back() = static_cast<char>('0' + (s.back() - '0' + 1) % 10);
  return s;
}

std::string fullwidth(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      out += "\xEF\xBC";
      out.push_back(static_cast<char>(0x90 + (c - '0')));
    } else if (c == '-') {
      out += "\xEF\xBC\x8D";  // －
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string grouped(const std::string& s, const std::string& sep) {
  return s.substr(0, 4) + sep + s.substr(4, 4) + sep + s.substr(8, 4);
}

// One row of the residents table (the bytea/BLOB column aside).
struct Resident {
  int id;
  std::string name, number, phone, memo;
  int64_t order;
};

std::vector<Resident> residents() {
  std::vector<Resident> rows;
  for (int i = 1; i <= 60; ++i) {
    std::string mn = my_number(31415926535ULL + static_cast<uint64_t>(i) * 7919);
    Resident r;
    r.id = i;
    r.name = "山田 太郎" + std::to_string(i);
    switch (i % 5) {
      case 0: r.number = wrong_check(mn); break;          // decoy
      case 1: r.number = mn; break;                       // plain
      case 2: r.number = grouped(mn, "-"); break;         // 4-4-4
      case 3: r.number = fullwidth(mn); break;            // full-width
      default: r.number = fullwidth(grouped(mn, "-")); break;
    }
    r.phone = "03-1234-" + std::to_string(1000 + i);
    if (i % 7 == 0) r.memo = "マイナンバーは " + my_number(27182818284ULL + static_cast<uint64_t>(i)) + " です";
    else if (i % 7 == 1) r.memo = "一行目\n二行目\tタブ 個人番号 " + grouped(my_number(16180339887ULL + static_cast<uint64_t>(i)), "\xE3\x80\x80");
    else if (i % 7 == 2) r.memo = "order 1234567890 shipped, decoy " + wrong_check(mn);
    else r.memo = "特になし";
    r.order = 100000000000LL + (static_cast<int64_t>(i) * 982451653LL) % 800000000000LL;
    rows.push_back(r);
  }
  return rows;
}

// Staff codes: valid My Numbers under a name that says nothing (statistics
// decide), and e-mail addresses.
std::vector<std::pair<std::string, std::string>> staff() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (int i = 1; i <= 30; ++i)
    rows.push_back({my_number(55500000000ULL + static_cast<uint64_t>(i) * 104729),
                    "staff" + std::to_string(i) + "@example.co.jp"});
  return rows;
}

// The ten My Numbers the big tables hold (every 1000th row), as a
// PostgreSQL array.
std::string big_numbers_pg_array() {
  std::string s = "ARRAY[";
  for (int k = 0; k < 10; ++k) s += (k ? ",'" : "'") + my_number(90000000000ULL + static_cast<uint64_t>(k) * 12345) + "'";
  return s + "]";
}

// ------------------------------------------------------------ reports

struct Report {
  std::vector<std::map<std::string, std::string>> findings;  // all keys as text
  std::vector<std::pair<std::string, std::string>> errors, skipped;
  std::vector<std::pair<std::string, uint64_t>> sampled;
  bool ok = false;
};

Report parse(const std::string& json) {
  Report r;
  simdjson::dom::parser p;
  simdjson::padded_string ps(json);
  simdjson::dom::element doc;
  if (p.parse(ps).get(doc)) return r;
  r.ok = true;
  for (auto f : doc["findings"].get_array()) {
    std::map<std::string, std::string> m;
    for (auto [k, v] : f.get_object()) {
      std::string_view s;
      if (!v.get(s)) m[std::string(k)] = std::string(s);
      else m[std::string(k)] = simdjson::minify(v);
    }
    r.findings.push_back(std::move(m));
  }
  for (auto e : doc["errors"].get_array())
    r.errors.push_back({std::string(e["path"].get_string().value()), std::string(e["error"].get_string().value())});
  for (auto e : doc["inputs"]["skipped"].get_array())
    r.skipped.push_back({std::string(e["path"].get_string().value()), std::string(e["reason"].get_string().value())});
  simdjson::dom::array sampled;
  if (!doc["sampled"].get(sampled))
    for (auto e : sampled)
      r.sampled.push_back({std::string(e["path"].get_string().value()), e["rows"].get_uint64().value()});
  return r;
}

// rule|masked|field|record of the findings under `path`.
std::multiset<std::string> keys(const Report& r, const std::string& path) {
  std::multiset<std::string> out;
  for (auto& f : r.findings) {
    auto it = f.find("path");
    if (it == f.end() || it->second != path) continue;
    auto get = [&](const char* k) { auto x = f.find(k); return x == f.end() ? std::string("-") : x->second; };
    out.insert(get("rule") + "|" + get("masked") + "|" + get("field") + "|" + get("record"));
  }
  return out;
}

size_t count_in(const Report& r, const std::string& path, const std::string& rule) {
  size_t n = 0;
  for (auto& f : r.findings) n += f.at("path") == path && f.at("rule") == rule;
  return n;
}

bool has_error(const Report& r, const std::string& path, const std::string& text) {
  for (auto& [p, e] : r.errors)
    if (p == path && e.find(text) != std::string::npos) return true;
  return false;
}

// RFC 4180 CSV with every field quoted.
std::string csv_line(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : cells[i]) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out + "\n";
}

// Scans `args` and parses the JSON report.
Report scan_json(const std::string& args, const std::string& env = "", testutil::RunResult* raw = nullptr) {
  auto r = testutil::run("scan -q --format json -j 2 " + args, env);
  if (raw) *raw = r;
  Report rep = parse(r.out);
  BOOST_TEST(rep.ok, "bad JSON from scan " << args << ": " << r.err);
  return rep;
}

// Findings of the CSV file `csv` must equal those of the table at `path`.
void expect_same_as_csv(const Report& db, const std::string& path, const std::string& csv) {
  Report c = scan_json(q(csv));
  auto a = keys(db, path), b = keys(c, csv);
  BOOST_TEST(!a.empty(), path);
  BOOST_TEST(a.size() == b.size(), path << ": " << a.size() << " findings, CSV " << b.size());
  BOOST_TEST((a == b), path << " findings differ from CSV");
  if (a != b) {
    for (auto& k : a) if (!b.count(k)) BOOST_TEST_MESSAGE("db only: " << k);
    for (auto& k : b) if (!a.count(k)) BOOST_TEST_MESSAGE("csv only: " << k);
  }
}

struct Measured {
  int code = -1;
  long maxrss_kb = 0;
  double seconds = 0;
  std::string out;
};

// Runs privaudit ARGS in a child and measures that child alone (wait4).
Measured run_measured(const std::vector<std::string>& args) {
  TempDir t;
  std::string out = (t.path / "out").string();
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    std::vector<char*> argv{const_cast<char*>(PRIVAUDIT_BIN)};
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(PRIVAUDIT_BIN, argv.data());
    _exit(127);
  }
  Measured m;
  int st = 0;
  rusage ru{};
  if (wait4(pid, &st, 0, &ru) == pid) {
    m.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    m.maxrss_kb = ru.ru_maxrss;
  }
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  m.out = testutil::read_file(out);
  return m;
}

std::string sha256_file(const std::string& path) {
  std::string data = testutil::read_file(path);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "false" && std::string(ci) != "0";
}

// ------------------------------------------------------------ SQLite

bool sq_exec(sqlite3* db, const std::string& sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) BOOST_TEST_MESSAGE("sqlite: " << (msg ? msg : "?") << " in " << sql.substr(0, 200));
  sqlite3_free(msg);
  return rc == SQLITE_OK;
}

// Creates a SQLite fixture: residents (with a BLOB column), staff, a view;
// `big_rows` > 0 adds table big.
void make_sqlite(const std::string& path, int big_rows = 0) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sq_exec(db, "BEGIN; CREATE TABLE residents (id INTEGER PRIMARY KEY, 氏名 TEXT, 個人番号 TEXT, "
              "電話番号 TEXT, メモ TEXT, 写真 BLOB, 注文番号 INTEGER);"
              "CREATE TABLE staff (code TEXT, email TEXT);"
              "CREATE VIEW resident_numbers AS SELECT 氏名, 個人番号 FROM residents;");
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO residents VALUES (?,?,?,?,?,?,?)", -1, &st, nullptr);
  for (auto& r : residents()) {
    sqlite3_bind_int(st, 1, r.id);
    sqlite3_bind_text(st, 2, r.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, r.number.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, r.phone.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, r.memo.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 6, "\x00\xff\x12", 3, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, r.order);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "INSERT INTO staff VALUES (?,?)", -1, &st, nullptr);
  for (auto& [code, mail] : staff()) {
    sqlite3_bind_text(st, 1, code.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, mail.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (big_rows > 0) {
    sq_exec(db, "CREATE TABLE big (id INTEGER, name TEXT, acct TEXT, mynum TEXT, note TEXT);"
                "CREATE TEMP TABLE nums (k INTEGER, v TEXT);");
    std::string vals;
    for (int k = 0; k < 10; ++k)
      vals += fmt::format("{}({}, '{}')", k ? "," : "", k, my_number(90000000000ULL + static_cast<uint64_t>(k) * 12345));
    sq_exec(db, "INSERT INTO nums VALUES " + vals);
    sq_exec(db, fmt::format(
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {}) "
        "INSERT INTO big SELECT i, 'user' || i, printf('%012d', 100000000000 + (i * 982451653) % 800000000000), "
        "CASE WHEN i % 1000 = 0 THEN (SELECT v FROM nums WHERE k = (i / 1000) % 10) END, "
        "'order shipped to the Tokyo branch' FROM s",
        big_rows));
  }
  sq_exec(db, "COMMIT");
  sqlite3_close(db);
}

// The residents table (without the BLOB column) and staff as CSV files.
void sqlite_csv(const std::string& db_path, const std::string& table, const std::string& cols,
                const std::string& out) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  BOOST_REQUIRE(sqlite3_prepare_v2(db, ("SELECT " + cols + " FROM " + table).c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::string text;
  std::vector<std::string> header;
  int n = sqlite3_column_count(st);
  for (int i = 0; i < n; ++i) header.push_back(sqlite3_column_name(st, i));
  text += csv_line(header);
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::vector<std::string> cells;
    for (int i = 0; i < n; ++i) {
      auto p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
      cells.emplace_back(p ? p : "");
    }
    text += csv_line(cells);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::ofstream(out, std::ios::binary) << text;
}

const char* kResidentCols = "id, 氏名, 個人番号, 電話番号, メモ, 注文番号";
// Valid My Numbers in residents: 48 in 個人番号 (12 decoys), 17 in メモ.
const size_t kResidentNumbers = 48 + 8 + 9;

}  // namespace

BOOST_AUTO_TEST_CASE(fixture_numbers_are_valid) {
  BOOST_TEST(my_number(12345678901ULL) == "123456789018");
  auto r = testutil::scan_text("個人番号 " + my_number(31415926535ULL) + "\n");
  BOOST_TEST(testutil::count_rule(r, "jp-my-number") == 1u);
}

BOOST_AUTO_TEST_CASE(sqlite_uri_equals_csv_and_is_unchanged) {
  TempDir t;
  std::string db = (t.path / "leak.sqlite3").string();
  make_sqlite(db);
  std::string before = sha256_file(db);
  auto mtime = fs::last_write_time(db);
  std::string uri = "sqlite://" + db;
  testutil::RunResult raw;
  Report r = scan_json(q(uri), "", &raw);
  BOOST_TEST(raw.code == 1);
  std::string res = uri + "!/main.residents", st = uri + "!/main.staff";
  sqlite_csv(db, "residents", kResidentCols, (t.path / "residents.csv").string());
  sqlite_csv(db, "staff", "*", (t.path / "staff.csv").string());
  expect_same_as_csv(r, res, (t.path / "residents.csv").string());
  expect_same_as_csv(r, st, (t.path / "staff.csv").string());
  // 48 of the 60 numbers are valid, in four written forms; decoys are not findings.
  BOOST_TEST(count_in(r, res, "jp-my-number") == kResidentNumbers);
  BOOST_TEST(count_in(r, st, "jp-my-number") == 30u);  // column statistics: a My Number column
  for (auto& f : r.findings) {
    BOOST_TEST(!f.count("line"));
    BOOST_TEST(!f.count("column"));
    BOOST_TEST(!f.count("offset"));
    BOOST_TEST(f.count("field"));
    BOOST_TEST(f.count("record"));
    if (f.at("path") == st && f.at("rule") == "jp-my-number") BOOST_TEST(f.at("confidence") == "high");
  }
  bool blob_skipped = false;
  for (auto& [p, why] : r.skipped) blob_skipped |= p == res && why.find("写真") != std::string::npos;
  BOOST_TEST(blob_skipped);
  BOOST_TEST(keys(r, uri + "!/main.resident_numbers").empty());  // views only with --views
  BOOST_TEST(sha256_file(db) == before);
  BOOST_TEST((fs::last_write_time(db) == mtime));
}

BOOST_AUTO_TEST_CASE(sqlite_tables_views_sample) {
  TempDir t;
  std::string db = (t.path / "leak.db").string();
  make_sqlite(db);
  std::string uri = "sqlite://" + db;
  Report only = scan_json("--table main.staff " + q(uri));
  BOOST_TEST(keys(only, uri + "!/main.residents").empty());
  BOOST_TEST(!keys(only, uri + "!/main.staff").empty());
  Report bare = scan_json("--table staff --table nosuch " + q(uri));
  BOOST_TEST(!keys(bare, uri + "!/main.staff").empty());
  BOOST_TEST(has_error(bare, uri + "!/nosuch", "no such table"));
  Report ex = scan_json("--exclude-table 'res*' " + q(uri));
  BOOST_TEST(keys(ex, uri + "!/main.residents").empty());
  BOOST_TEST(!keys(ex, uri + "!/main.staff").empty());
  Report views = scan_json("--views " + q(uri));
  BOOST_TEST(!keys(views, uri + "!/main.resident_numbers").empty());
  Report s = scan_json("--sample 5 " + q(uri));
  BOOST_TEST(s.sampled.size() == 2u);
  for (auto& [p, rows] : s.sampled) BOOST_TEST(rows == 5u, p);
  BOOST_TEST(count_in(s, uri + "!/main.staff", "jp-my-number") <= 5u);
  auto text = testutil::run("scan --sample 5 " + q(uri));
  BOOST_TEST(text.out.find("sampled: " + uri + "!/main.staff: 5 rows") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sqlite_walked_and_in_archive) {
  TempDir t;
  std::string db = t.file("release/data/leak.db", "");
  fs::remove(db);
  make_sqlite(db);
  t.file("release/readme.txt", "nothing\n");
  std::string dir = (t.path / "release").string();
  Report walked = scan_json(q(dir));
  std::string res = dir + "/data/leak.db!/main.residents";
  BOOST_TEST(count_in(walked, res, "jp-my-number") == kResidentNumbers);

  // Inside an archive: the archive reader hands the member to
  // scan_container_or_document at depth > 0; it is read in memory.
  std::string bytes = testutil::read_file(db);
  privaudit::RunOptions ro;
  privaudit::ScanResult mem;
  static privaudit::KeywordIndex kw(testutil::builtin_engine().rules());
  privaudit::Fingerprinter fp("test-key", true);
  privaudit::DocumentScanner ds(testutil::builtin_engine(), kw, fp, ro.settings);
  privaudit::MemoryReader rd(bytes.data(), bytes.size());
  privaudit::scan_container_or_document("leak.zip!/data/leak.db", rd, ro, ds, mem, 1);
  std::multiset<std::string> a, b = keys(walked, res);
  for (auto& f : mem.findings) {
    BOOST_TEST(f.path.rfind("leak.zip!/data/leak.db!/main.", 0) == 0u, f.path);
    if (f.path == "leak.zip!/data/leak.db!/main.residents")
      a.insert(f.rule + "|" + f.masked + "|" + f.field + "|" + std::to_string(f.record));
  }
  BOOST_TEST((a == b));
  BOOST_TEST(mem.errors.empty());

  // A WAL-mode database image opens too.
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sq_exec(h, "PRAGMA journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE);");
  sqlite3_close(h);
  std::string wal = testutil::read_file(db);
  BOOST_TEST(wal[18] == 2);
  privaudit::ScanResult mem2;
  privaudit::MemoryReader rd2(wal.data(), wal.size());
  privaudit::scan_container_or_document("w.tar!/leak.db", rd2, ro, ds, mem2, 1);
  BOOST_TEST(mem2.errors.empty());
  BOOST_TEST(mem2.findings.size() == mem.findings.size());

  // Not a database after all: an error, and the walk goes on.
  t.file("release/broken.db", std::string("SQLite format 3\0", 16) + std::string(5000, 'x'));
  Report broken = scan_json(q(dir));
  BOOST_TEST(has_error(broken, dir + "/broken.db", "SQLite"));
  BOOST_TEST(count_in(broken, res, "jp-my-number") == kResidentNumbers);
}

BOOST_AUTO_TEST_CASE(sqlite_million_rows_bounded_memory) {
  TempDir t;
  std::string db = (t.path / "big.db").string();
  make_sqlite(db, 1000000);
  auto m = run_measured({"scan", "-q", "--format", "json", "--table", "big", "sqlite://" + db});
  Report r = parse(m.out);
  BOOST_TEST(m.code == 1);
  BOOST_TEST(count_in(r, "sqlite://" + db + "!/main.big", "jp-my-number") == 1000u);
  BOOST_TEST(m.maxrss_kb < kRssLimitKiB, "peak RSS " << m.maxrss_kb << " KB");
  BOOST_TEST_MESSAGE("SQLite 1M rows: " << m.seconds << " s, peak RSS " << m.maxrss_kb / 1024 << " MB");
}

// ------------------------------------------------------------ servers

namespace {

struct Servers {
  dbtest::Postgres pg;
  dbtest::MariaDB my;
  bool pg_ok = false, my_ok = false;
  std::string pg_error, my_error;
};
Servers* g_servers = nullptr;

// ---- PostgreSQL

bool pg_exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  auto s = PQresultStatus(r);
  bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  if (!ok) BOOST_TEST_MESSAGE("pg: " << PQerrorMessage(c) << " in " << sql.substr(0, 200));
  PQclear(r);
  return ok;
}

std::string pg_value(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  std::string v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? PQgetvalue(r, 0, 0) : "?";
  PQclear(r);
  return v;
}

std::string pg_lit(PGconn* c, const std::string& s) {
  char* e = PQescapeLiteral(c, s.data(), s.size());
  std::string out(e);
  PQfreemem(e);
  return out;
}

bool load_postgres(dbtest::Postgres& pg, std::string& err) {
  PGconn* c = PQconnectdb(pg.socket_conninfo("postgres").c_str());
  bool ok = PQstatus(c) == CONNECTION_OK && pg_exec(c, "CREATE DATABASE leak") &&
            pg_exec(c, "CREATE DATABASE plain") &&
            pg_exec(c, "CREATE ROLE auditor LOGIN PASSWORD 'Aud1t-s3cret'");
  PQfinish(c);
  if (!ok) return (err = "cannot create databases"), false;
  c = PQconnectdb(pg.socket_conninfo("leak").c_str());
  std::string sql =
      "CREATE EXTENSION tsm_system_rows;"
      "CREATE TABLE residents (id int PRIMARY KEY, 氏名 text, 個人番号 text, 電話番号 text, メモ text, "
      "  写真 bytea, 注文番号 bigint);"
      "CREATE SCHEMA hr; CREATE TABLE hr.staff (code text, email text);"
      "CREATE TABLE secret (note text); INSERT INTO secret VALUES ('個人番号 " + my_number(11111111111ULL) + "');"
      "CREATE VIEW resident_numbers AS SELECT 氏名, 個人番号 FROM residents;";
  for (auto& r : residents())
    sql += fmt::format("INSERT INTO residents VALUES ({}, {}, {}, {}, {}, '\\x00ff12', {});", r.id, pg_lit(c, r.name),
                       pg_lit(c, r.number), pg_lit(c, r.phone), pg_lit(c, r.memo), r.order);
  for (auto& [code, mail] : staff())
    sql += fmt::format("INSERT INTO hr.staff VALUES ({}, {});", pg_lit(c, code), pg_lit(c, mail));
  sql += "CREATE TABLE big AS SELECT i AS id, 'user' || i AS name, "
         "lpad((100000000000 + (i::bigint * 982451653) % 800000000000)::text, 12, '0') AS acct, "
         "CASE WHEN i % 1000 = 0 THEN (" + big_numbers_pg_array() + ")[(i / 1000) % 10 + 1] END AS mynum, "
         "'order shipped to the Tokyo branch'::text AS note FROM generate_series(1, 1000000) AS i;"
         "ANALYZE;"
         "GRANT USAGE ON SCHEMA public, hr TO auditor;"
         "GRANT SELECT ON ALL TABLES IN SCHEMA public, hr TO auditor;"
         "REVOKE SELECT ON secret FROM auditor;";
  ok = PQstatus(c) == CONNECTION_OK && pg_exec(c, sql);
  PQfinish(c);
  c = PQconnectdb(pg.socket_conninfo("plain").c_str());
  ok = ok && pg_exec(c, "CREATE TABLE t AS SELECT i, 'mail' || i || '@example.jp' AS email FROM generate_series(1, 2000) i");
  PQfinish(c);
  if (!ok) err = "cannot load the PostgreSQL fixture";
  return ok;
}

// md5 of every user table's rows (and the catalogue's size) in database `db`.
std::string pg_checksum(dbtest::Postgres& pg, const std::string& db) {
  PGconn* c = PQconnectdb(pg.socket_conninfo(db).c_str());
  std::string sum = pg_value(c, "SELECT count(*) FROM pg_class");
  PGresult* r = PQexec(c, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n "
                          "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname IN ('public', 'hr') ORDER BY 1");
  for (int i = 0; i < PQntuples(r); ++i) {
    std::string t = PQgetvalue(r, i, 0);
    sum += " " + t + "=" + pg_value(c, "SELECT md5(string_agg(x::text, E'\\n' ORDER BY x::text)) FROM " + t + " x");
  }
  PQclear(r);
  PQfinish(c);
  return sum;
}

// COPY (SELECT cols FROM table) TO a CSV file with a header.
void pg_csv(dbtest::Postgres& pg, const std::string& sql, const std::string& out) {
  PGconn* c = PQconnectdb(pg.socket_conninfo("leak").c_str());
  PGresult* r = PQexec(c, ("COPY (" + sql + ") TO STDOUT WITH (FORMAT csv, HEADER)").c_str());
  BOOST_REQUIRE(PQresultStatus(r) == PGRES_COPY_OUT);
  PQclear(r);
  std::ofstream f(out, std::ios::binary);
  char* buf = nullptr;
  for (int n; (n = PQgetCopyData(c, &buf, 0)) > 0; PQfreemem(buf)) f.write(buf, n);
  while ((r = PQgetResult(c))) PQclear(r);
  PQfinish(c);
}

// ---- MariaDB

bool my_exec(MYSQL* m, const std::string& sql) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
    BOOST_TEST_MESSAGE("mariadb: " << mysql_error(m) << " in " << sql.substr(0, 200));
    return false;
  }
  do {
    if (MYSQL_RES* res = mysql_store_result(m)) mysql_free_result(res);
  } while (mysql_next_result(m) == 0);
  return true;
}

std::string my_lit(MYSQL* m, const std::string& s) {
  std::string out(s.size() * 2 + 1, '\0');
  out.resize(mysql_real_escape_string(m, out.data(), s.data(), s.size()));
  return "'" + out + "'";
}

bool load_mariadb(dbtest::MariaDB& my, std::string& err) {
  MYSQL* m = my.connect();
  if (!m) return (err = "cannot connect as root"), false;
  std::vector<std::string> stmts = {
      "CREATE DATABASE leak CHARACTER SET utf8mb4", "CREATE DATABASE hr CHARACTER SET utf8mb4",
      "CREATE TABLE leak.residents (id int PRIMARY KEY, 氏名 text, 個人番号 varchar(64), 電話番号 varchar(32), "
      "  メモ text, 写真 blob, 注文番号 bigint)",
      "CREATE TABLE hr.staff (code varchar(32), email varchar(64))",
      "CREATE TABLE leak.secret (note text)",
      "INSERT INTO leak.secret VALUES ('個人番号 " + my_number(11111111111ULL) + "')",
      "CREATE VIEW leak.resident_numbers AS SELECT 氏名, 個人番号 FROM leak.residents",
      "CREATE TABLE leak.big (id int, name varchar(32), acct char(12), mynum char(12), note varchar(64))",
      "CREATE TABLE leak.nums (k int, v char(12))",
      "SET SESSION max_recursive_iterations = 1000000",
      "INSERT INTO leak.big SELECT i, CONCAT('user', i), LPAD(100000000000 + (i * 982451653) % 800000000000, 12, '0'), "
      "(SELECT v FROM leak.nums WHERE k = (i DIV 1000) % 10 AND i % 1000 = 0), "
      "'order shipped to the Tokyo branch' "
      "FROM (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200000) SELECT i FROM s) AS seq",
      "CREATE USER IF NOT EXISTS root@'127.0.0.1'", "GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION",
      "CREATE USER auditor@'%' IDENTIFIED BY 'My-s3cret-pw'",
      "GRANT SELECT ON leak.residents TO auditor@'%'",
      "GRANT SELECT ON leak.big TO auditor@'%'",
      "GRANT INSERT ON leak.secret TO auditor@'%'",
      "GRANT SELECT ON hr.* TO auditor@'%'"};
  std::string nums = "INSERT INTO leak.nums VALUES ";
  for (int k = 0; k < 10; ++k) nums += fmt::format("{}({}, '{}')", k ? "," : "", k, my_number(90000000000ULL + static_cast<uint64_t>(k) * 12345));
  stmts.insert(stmts.begin() + 9, nums);
  bool ok = true;
  for (auto& s : stmts) ok = ok && my_exec(m, s);
  for (auto& r : residents())
    ok = ok && my_exec(m, fmt::format("INSERT INTO leak.residents VALUES ({}, {}, {}, {}, {}, x'00ff12', {})", r.id,
                                      my_lit(m, r.name), my_lit(m, r.number), my_lit(m, r.phone), my_lit(m, r.memo), r.order));
  for (auto& [code, mail] : staff())
    ok = ok && my_exec(m, fmt::format("INSERT INTO hr.staff VALUES ({}, {})", my_lit(m, code), my_lit(m, mail)));
  mysql_close(m);
  if (!ok) err = "cannot load the MariaDB fixture";
  return ok;
}

std::string my_checksum(dbtest::MariaDB& my) {
  MYSQL* m = my.connect();
  std::string out;
  if (mysql_query(m, "CHECKSUM TABLE leak.residents, leak.secret, leak.big, leak.nums, hr.staff EXTENDED") == 0) {
    MYSQL_RES* res = mysql_store_result(m);
    while (MYSQL_ROW r = mysql_fetch_row(res)) out += std::string(r[0]) + "=" + (r[1] ? r[1] : "NULL") + " ";
    mysql_free_result(res);
  }
  mysql_close(m);
  return out;
}

void my_csv(dbtest::MariaDB& my, const std::string& sql, const std::string& out) {
  MYSQL* m = my.connect();
  BOOST_REQUIRE(mysql_query(m, sql.c_str()) == 0);
  MYSQL_RES* res = mysql_store_result(m);
  unsigned n = mysql_num_fields(res);
  std::vector<std::string> header;
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned i = 0; i < n; ++i) header.emplace_back(fields[i].name);
  std::string text = csv_line(header);
  while (MYSQL_ROW r = mysql_fetch_row(res)) {
    unsigned long* lens = mysql_fetch_lengths(res);
    std::vector<std::string> cells;
    for (unsigned i = 0; i < n; ++i) cells.emplace_back(r[i] ? std::string(r[i], lens[i]) : "");
    text += csv_line(cells);
  }
  mysql_free_result(res);
  mysql_close(m);
  std::ofstream(out, std::ios::binary) << text;
}

// Starts both servers (their set-up runs side by side) and loads fixtures.
struct ServerFixture {
  ServerFixture() {
    static Servers s;
    g_servers = &s;
    auto t0 = std::chrono::steady_clock::now();
    bool pg_init = s.pg.init(), my_init = s.my.init();
    s.pg_ok = pg_init && s.pg.start() && load_postgres(s.pg, s.pg.error);
    s.my_ok = my_init && s.my.start() && load_mariadb(s.my, s.my.error);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST_MESSAGE("servers ready in " << secs << " s; PostgreSQL: " << (s.pg_ok ? "up" : s.pg.error)
                                           << "; MariaDB: " << (s.my_ok ? "up" : s.my.error));
  }
};

// True when the server is up; else fails the test under CI, skips elsewhere.
bool need(bool up, const std::string& what, const std::string& why) {
  if (up) return true;
  if (in_ci()) BOOST_FAIL(what + " could not start under CI: " + why);
  BOOST_TEST_MESSAGE("skipped: " << what << " could not start: " << why);
  return false;
}

// Both servers start on first use and stop when the program ends.
void start_servers() { static ServerFixture f; }

bool need_pg() {
  start_servers();
  return need(g_servers->pg_ok, "PostgreSQL", g_servers->pg.error);
}
bool need_my() {
  start_servers();
  return need(g_servers->my_ok, "MariaDB", g_servers->my.error);
}

std::string pg_uri(const std::string& user_pw, const std::string& db, const std::string& query = "") {
  return "postgresql://" + user_pw + "@127.0.0.1:" + std::to_string(g_servers->pg.port) + "/" + db + query;
}
std::string my_uri(const std::string& scheme, const std::string& user_pw, const std::string& db) {
  return scheme + "://" + user_pw + "@127.0.0.1:" + std::to_string(g_servers->my.port) + "/" + db;
}

}  // namespace

BOOST_AUTO_TEST_CASE(postgres_equals_csv_and_is_unchanged) {
  if (!need_pg()) return;
  auto& pg = g_servers->pg;
  std::string before = pg_checksum(pg, "leak");
  std::string uri = pg_uri("postgres:" + pg.password, "leak", "?sslmode=disable&application_name=x");
  std::string shown = pg_uri("postgres", "leak");
  testutil::RunResult raw;
  Report r = scan_json("--exclude-table big " + q(uri), "", &raw);
  BOOST_TEST(raw.code == 1);
  BOOST_TEST(r.errors.empty());
  TempDir t;
  pg_csv(pg, "SELECT id, 氏名, 個人番号, 電話番号, メモ, 注文番号 FROM residents", (t.path / "residents.csv").string());
  pg_csv(pg, "SELECT * FROM hr.staff", (t.path / "staff.csv").string());
  expect_same_as_csv(r, shown + "!/public.residents", (t.path / "residents.csv").string());
  expect_same_as_csv(r, shown + "!/hr.staff", (t.path / "staff.csv").string());
  BOOST_TEST(count_in(r, shown + "!/public.residents", "jp-my-number") == kResidentNumbers);
  BOOST_TEST(count_in(r, shown + "!/public.secret", "jp-my-number") == 1u);
  bool bytea_skipped = false;
  for (auto& [p, why] : r.skipped) bytea_skipped |= p == shown + "!/public.residents" && why.find("bytea") != std::string::npos;
  BOOST_TEST(bytea_skipped);
  BOOST_TEST(raw.out.find(pg.password) == std::string::npos);
  BOOST_TEST(raw.err.find(pg.password) == std::string::npos);
  BOOST_TEST(pg_checksum(pg, "leak") == before);
}

BOOST_AUTO_TEST_CASE(postgres_permission_denied_table_is_an_error) {
  if (!need_pg()) return;
  std::string uri = pg_uri("auditor:Aud1t-s3cret", "leak");
  std::string shown = pg_uri("auditor", "leak");
  testutil::RunResult raw;
  Report r = scan_json("--exclude-table big " + q(uri), "", &raw);
  BOOST_TEST(raw.code == 1);  // findings win over incompleteness
  BOOST_TEST(has_error(r, shown + "!/public.secret", "permission denied"));
  BOOST_TEST(count_in(r, shown + "!/public.residents", "jp-my-number") == kResidentNumbers);
  BOOST_TEST(count_in(r, shown + "!/hr.staff", "jp-my-number") == 30u);
  BOOST_TEST((raw.out + raw.err).find("Aud1t-s3cret") == std::string::npos);
  auto no_findings = testutil::run("scan -q --table secret " + q(uri));
  BOOST_TEST(no_findings.code == 2);
}

BOOST_AUTO_TEST_CASE(postgres_environment_ssl_and_connection_failure) {
  if (!need_pg()) return;
  auto& pg = g_servers->pg;
  // PG* variables fill what the URI leaves out.
  std::string env = "PGHOST=127.0.0.1 PGPORT=" + std::to_string(pg.port) + " PGUSER=auditor PGPASSWORD=Aud1t-s3cret";
  Report r = scan_json("--table hr.staff postgresql:///leak", env);
  BOOST_TEST(count_in(r, "postgresql:///leak!/hr.staff", "jp-my-number") == 30u);
  // sslmode is honoured: this server has no TLS.
  testutil::RunResult raw;
  Report ssl = scan_json(q(pg_uri("auditor:Aud1t-s3cret", "leak", "?sslmode=require")), "", &raw);
  BOOST_TEST(has_error(ssl, pg_uri("auditor", "leak"), "SSL"));
  BOOST_TEST(raw.code == 2);
  // A wrong password and a closed port are errors; other inputs are scanned.
  TempDir t;
  auto leak = t.file("leak.txt", "個人番号 " + my_number(31415926535ULL) + "\n");
  int closed = dbtest::free_port();
  Report bad = scan_json(q(pg_uri("auditor:Wrong-pw-123", "leak")) + " " +
                         q("postgresql://auditor:Zz-pw-9@127.0.0.1:" + std::to_string(closed) + "/leak") + " " + q(leak),
                         "", &raw);
  BOOST_TEST(has_error(bad, pg_uri("auditor", "leak"), "password authentication failed"));
  BOOST_TEST(has_error(bad, "postgresql://auditor@127.0.0.1:" + std::to_string(closed) + "/leak", ""));
  BOOST_TEST(count_in(bad, leak, "jp-my-number") == 1u);
  BOOST_TEST((raw.out + raw.err).find("Wrong-pw-123") == std::string::npos);
  BOOST_TEST((raw.out + raw.err).find("Zz-pw-9") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(postgres_sample) {
  if (!need_pg()) return;
  auto& pg = g_servers->pg;
  std::string shown = pg_uri("postgres", "leak");
  Report r = scan_json("--sample 50 --table big " + q(pg_uri("postgres:" + pg.password, "leak")));
  BOOST_REQUIRE(r.sampled.size() == 1u);
  BOOST_TEST(r.sampled[0].first == shown + "!/public.big");
  BOOST_TEST(r.sampled[0].second == 50u);
  auto text = testutil::run("scan --sample 50 --table big " + q(pg_uri("postgres:" + pg.password, "leak")));
  BOOST_TEST(text.out.find("TABLESAMPLE SYSTEM_ROWS") != std::string::npos);
  // Without tsm_system_rows: Bernoulli.
  auto plain = testutil::run("scan --sample 10 " + q(pg_uri("postgres:" + pg.password, "plain")));
  BOOST_TEST(plain.out.find("TABLESAMPLE BERNOULLI") != std::string::npos, plain.out);
  Report p = scan_json("--sample 10 " + q(pg_uri("postgres:" + pg.password, "plain")));
  BOOST_REQUIRE(p.sampled.size() == 1u);
  BOOST_TEST(p.sampled[0].second <= 10u);
  BOOST_TEST(p.sampled[0].second >= 1u);
}

BOOST_AUTO_TEST_CASE(postgres_million_rows_bounded_memory) {
  if (!need_pg()) return;
  auto& pg = g_servers->pg;
  std::string before = pg_checksum(pg, "leak");
  auto m = run_measured({"scan", "-q", "--format", "json", "--table", "public.big",
                         pg_uri("postgres:" + pg.password, "leak")});
  Report r = parse(m.out);
  BOOST_TEST(m.code == 1);
  BOOST_TEST(count_in(r, pg_uri("postgres", "leak") + "!/public.big", "jp-my-number") == 1000u);
  BOOST_TEST(m.maxrss_kb < kRssLimitKiB, "peak RSS " << m.maxrss_kb << " KB");
  BOOST_TEST_MESSAGE("PostgreSQL 1M rows: " << m.seconds << " s (" << 1e6 / m.seconds << " rows/s), peak RSS "
                                            << m.maxrss_kb / 1024 << " MB");
  BOOST_TEST(pg_checksum(pg, "leak") == before);
}

BOOST_AUTO_TEST_CASE(mariadb_equals_csv_and_is_unchanged) {
  if (!need_my()) return;
  auto& my = g_servers->my;
  std::string before = my_checksum(my);
  testutil::RunResult raw;
  // No database in the URI: every user database (leak and hr).
  std::string uri = "mysql://root@127.0.0.1:" + std::to_string(my.port) + "?ssl-mode=DISABLED";
  std::string shown = "mysql://root@127.0.0.1:" + std::to_string(my.port);
  Report r = scan_json("--exclude-table big " + q(uri), "", &raw);
  BOOST_TEST(raw.code == 1);
  BOOST_TEST(r.errors.empty());
  TempDir t;
  my_csv(my, "SELECT id, 氏名, 個人番号, 電話番号, メモ, 注文番号 FROM leak.residents", (t.path / "residents.csv").string());
  my_csv(my, "SELECT * FROM hr.staff", (t.path / "staff.csv").string());
  expect_same_as_csv(r, shown + "!/leak.residents", (t.path / "residents.csv").string());
  expect_same_as_csv(r, shown + "!/hr.staff", (t.path / "staff.csv").string());
  BOOST_TEST(count_in(r, shown + "!/leak.residents", "jp-my-number") == kResidentNumbers);
  bool blob_skipped = false;
  for (auto& [p, why] : r.skipped) blob_skipped |= p == shown + "!/leak.residents" && why.find("blob") != std::string::npos;
  BOOST_TEST(blob_skipped);
  BOOST_TEST(my_checksum(my) == before);
}

BOOST_AUTO_TEST_CASE(mariadb_permission_denied_sample_and_memory) {
  if (!need_my()) return;
  auto& my = g_servers->my;
  std::string uri = my_uri("mariadb", "auditor:My-s3cret-pw", "leak");
  std::string shown = my_uri("mariadb", "auditor", "leak");
  testutil::RunResult raw;
  Report r = scan_json("--exclude-table big " + q(uri), "", &raw);
  BOOST_TEST(raw.code == 1);
  BOOST_TEST(has_error(r, shown + "!/leak.secret", "denied"));
  BOOST_TEST(count_in(r, shown + "!/leak.residents", "jp-my-number") == kResidentNumbers);
  BOOST_TEST((raw.out + raw.err).find("My-s3cret-pw") == std::string::npos);
  Report s = scan_json("--sample 20 --table leak.big " + q(uri));
  BOOST_REQUIRE(s.sampled.size() == 1u);
  BOOST_TEST(s.sampled[0].second == 20u);
  auto m = run_measured({"scan", "-q", "--format", "json", "--table", "big", uri});
  Report big = parse(m.out);
  BOOST_TEST(count_in(big, shown + "!/leak.big", "jp-my-number") == 200u);
  BOOST_TEST(m.maxrss_kb < kRssLimitKiB, "peak RSS " << m.maxrss_kb << " KB");
  BOOST_TEST_MESSAGE("MariaDB 200k rows: " << m.seconds << " s, peak RSS " << m.maxrss_kb / 1024 << " MB");
  Report bad = scan_json(q(my_uri("mysql", "auditor:Not-it-77", "leak")), "", &raw);
  BOOST_TEST(has_error(bad, my_uri("mysql", "auditor", "leak"), "denied"));
  BOOST_TEST((raw.out + raw.err).find("Not-it-77") == std::string::npos);
}
