// The first pass over a table: what each column holds (its concept from the
// name, identifier rule and value kind from a sample of values) and a sketch
// of its distinct values for overlap discovery. Memory per table: the sample
// plus 8 KiB per column.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"
#include "link/hash.h"
#include "link/sketch.h"
#include "link/values.h"
#include "match/engine.h"
#include "table/table.h"

namespace privaudit::link {

struct ColumnProfile {
  std::string name;
  std::string norm_name;   // normalise_column_name(name)
  std::string concept_id;  // column_concept(name), "" if none
  ValueKind kind = ValueKind::text;
  int rule = -1;              // engine rule index when kind is identifier
  bool identifier = false;    // most sampled values are whole valid values of `rule`
  double rule_share = 0;      // share of sampled non-empty values valid for `rule`
  uint64_t non_empty = 0;
  KmvSketch sketch;
};

struct TableProfile {
  std::string path;
  uint64_t records = 0;
  uint64_t bytes = 0;  // decoded bytes are not counted: the file's size
  std::vector<ColumnProfile> columns;
  std::vector<InputError> problems;  // malformed records (the reader's first 100)
  std::string error;                 // non-empty: the table could not be read
  // Index of the first column with this concept, or -1.
  int find_concept(std::string_view concept_id) const;
};

struct ProfileOptions {
  TableOptions table;
  size_t sample = 1000;           // records sampled for kinds and rules
  double identifier_share = 0.6;  // share of valid values that makes an identifier column
  double named_identifier_share = 0.3;  // ... when the column's name names the rule
  double date_share = 0.8;        // share of parseable dates that makes a date column
};

// Reads the table at `path` once. False (with out.error) when it cannot be
// opened or read; malformed records are listed in out.problems and skipped.
bool profile_table(const std::string& path, const Engine& engine, const KeyedHash& hash,
                   const ProfileOptions& opts, TableProfile& out);

// Decides kind, rule and identifier flag of one column from its name and a
// sample of its cells (exposed for tests).
void classify_column(const Engine& engine, Engine::Scratch& scratch,
                     const std::vector<std::string>& sample, const ProfileOptions& opts,
                     ColumnProfile& col);

}  // namespace privaudit::link
