// A whole `link` run: the tables named on the command line (files, or every
// table in a folder), profiled in parallel, then every pair linked; the
// report's `link` section, findings and errors.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"
#include "crypto/fingerprint.h"
#include "link/link.h"
#include "link/profile.h"
#include "match/engine.h"

namespace privaudit::link {

// Extensions read as tables when walking a folder.
bool is_table_name(std::string_view path);

// Expands folders (recursively, sorted; only table files) and keeps files as
// given. Paths that do not exist are listed in `errors`.
std::vector<std::string> collect_tables(const std::vector<std::string>& paths,
                                        std::vector<InputError>& errors);

struct LinkOptions {
  std::vector<OnSpec> on;  // empty: discover keys
  DiscoveryOptions discovery;
  ProfileOptions profile;
  unsigned threads = 0;  // 0: all cores
  bool multi = false;    // `pairs` layout (a folder, or more than two tables)
};

struct LinkRun {
  std::string section;  // the `link` section (JSON, indented for the report)
  std::vector<Finding> findings;  // sorted, one per (rule, path, record, field, fingerprint)
  std::vector<InputError> errors;
  uint64_t files = 0, bytes = 0;
  std::vector<PairResult> pairs;  // every pair linked (also those sharing nothing)
};

// Links every pair of `tables`. False with `error` on a usage error (fewer
// than two readable tables, an --on column missing in two-table mode);
// unreadable tables are listed in out.errors and skipped.
bool run_link(const std::vector<std::string>& tables, const Engine& engine,
              const Fingerprinter& fp, const LinkOptions& opts, LinkRun& out, std::string& error);

// The `link` section for these results (exposed for tests).
std::string section_json(const std::vector<TableProfile>& tables,
                         const std::vector<PairResult>& pairs, bool multi);

}  // namespace privaudit::link
