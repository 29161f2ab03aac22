// Databases as documents: each selected table of a store is rendered as text,
// one row per line, and run through the DocumentScanner with a tracker that
// maps every position back to its (column, row). Findings are named
// `NAME!/schema.table` with the column as `field` and the 1-based row in scan
// order as `record`; they carry no line, column or offset.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scan/reader.h"
#include "scan/scanner.h"

namespace privaudit {

namespace store {
class Store;
}

struct DatabaseOptions {
  std::vector<std::string> tables;          // --table SCHEMA.TABLE (or TABLE): only these
  std::vector<std::string> exclude_tables;  // --exclude-table GLOB, on SCHEMA.TABLE or TABLE
  bool views = false;                       // --views: views (and materialized views) too
  uint64_t sample = 0;                      // --sample N: at most N random rows per table
};

// True for sqlite://, postgresql://, postgres://, mysql:// and mariadb:// URIs.
bool is_database_uri(std::string_view s);

// Connects to the database a URI names and scans its tables. Every failure
// (connection, a table that cannot be read) is an entry in out.errors under
// the URI without its password; the rest goes on.
void scan_database_uri(const std::string& uri, const DatabaseOptions& opts, DocumentScanner& ds,
                       ScanResult& out);

// Scans a SQLite database met as an input named `path` whose first bytes
// `head` were already read from `in`. At depth 0 a file on disk is opened in
// place, read-only; deeper (an archive member: the archive reader's hook) or
// from stdin it is read into memory, at most `max_bytes`, and opened there.
void scan_sqlite_input(const std::string& path, ByteReader& in, std::string_view head,
                       const DatabaseOptions& opts, uint64_t max_bytes, DocumentScanner& ds,
                       ScanResult& out, int depth);

// Scans the selected tables of an open store, naming them `name!/schema.table`.
// `named` says the user named this store (a URI), so a --table it lacks is an
// error; for files met while walking it is not.
void scan_store(store::Store& db, const std::string& name, const DatabaseOptions& opts, bool named,
                DocumentScanner& ds, ScanResult& out);

}  // namespace privaudit
