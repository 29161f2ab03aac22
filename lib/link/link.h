// Linkage between two tables: which columns join them (keys), how many of
// the left table's records the keys join to exactly one record of the right
// table, which identifier values both hold, and identifier values recorded
// with different names or birth dates (within either table or across them).
//
// Memory is bounded by distinct values, not by file size: the left table's
// key tuples are kept as 64-bit keyed hashes with two counters, identifier
// values as hashes with a column mask and hashes of the name and birth date
// first recorded for them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"
#include "crypto/fingerprint.h"
#include "link/hash.h"
#include "link/profile.h"
#include "match/engine.h"

namespace privaudit {
class JsonWriter;
}

namespace privaudit::link {

struct KeyPair {
  int left = -1, right = -1;  // column indexes
  std::string left_name, right_name;
  std::string how;            // "name", "values" or "--on"
  std::string concept_id;     // shared concept, if found by name
  ValueKind kind = ValueKind::text;  // how the pair's values are compared
  int rule = -1;              // identifier rule (engine index) for kind identifier
  double overlap = -1;        // estimated containment of the value sets; -1 unknown
};

// One `--on` item: LEFT=RIGHT, or NAME for both.
struct OnSpec {
  std::string left, right;
};
// Parses "a=b" / "a"; false on an empty side.
bool parse_on(const std::string& item, OnSpec& out);

// Resolves --on items against the two tables (exact column name first, then
// the normalised name). False with `error` naming a column that is missing.
bool resolve_on(const std::vector<OnSpec>& on, const TableProfile& a, const TableProfile& b,
                std::vector<KeyPair>& keys, std::string& error);

struct DiscoveryOptions {
  double min_containment = 0.5;  // value-overlap keys: |A∩B| / min(|A|,|B|)
  double min_distinct = 20;      // ... on at least this many distinct values per column
};

// Key discovery: columns whose names are equal or name one concept, then,
// among the rest, pairs whose value sets overlap (DiscoveryOptions). A
// name-matched pair whose value sets are known to be disjoint (both sketches
// exact, nothing shared) goes to `unused` instead.
void discover_keys(const TableProfile& a, const TableProfile& b, const DiscoveryOptions& opts,
                   std::vector<KeyPair>& keys, std::vector<KeyPair>& unused);

struct SharedIdentifier {
  std::string left, right;  // column names
  std::string rule;
  uint64_t shared_values = 0;  // exact count of distinct values in both (64-bit hashes)
};

struct PairResult {
  std::string left_path, right_path;
  uint64_t left_records = 0, right_records = 0;
  std::vector<KeyPair> keys, unused_keys;
  uint64_t linked_unique = 0, linked_ambiguous = 0, unlinked = 0;
  double expected_correct_links = 0;
  std::vector<SharedIdentifier> shared_identifiers;
  uint64_t conflicts_within_left = 0, conflicts_within_right = 0, conflicts_across = 0;
  std::vector<Finding> findings;
  std::vector<InputError> errors;

  double linkage_rate() const {
    return left_records ? static_cast<double>(linked_unique) / static_cast<double>(left_records) : 0;
  }
  // Keys, shared identifier values or conflicts across the two.
  bool shares_anything() const;
};

struct LinkContext {
  const Engine& engine;
  const KeyedHash& hash;
  const Fingerprinter& fp;
  TableOptions table;
};

// Reads A, then B, once each. False when a table cannot be read (the reason
// is in out.errors); findings are in out.findings.
bool link_pair(const LinkContext& ctx, const TableProfile& a, const TableProfile& b,
               std::vector<KeyPair> keys, std::vector<KeyPair> unused, PairResult& out);

// Writes the pair's JSON object (the `link` section in two-table mode, one
// element of `pairs` otherwise).
void write_pair(JsonWriter& w, const PairResult& r);
std::string pair_json(const PairResult& r);

}  // namespace privaudit::link
