// Evidence for a value's confidence: context keywords near it, and the name
// of the field (CSV header, JSON key, `key=` log field) it sits in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/rule.h"

namespace privaudit {

class KeywordIndex {
 public:
  explicit KeywordIndex(const std::vector<Rule>& rules);
  ~KeywordIndex();
  KeywordIndex(const KeywordIndex&) = delete;
  KeywordIndex& operator=(const KeywordIndex&) = delete;

  // Where keywords occur in a buffer: found once per scanned region with one
  // multi-literal vectorscan pass, then looked up per value.
  struct Hit {
    size_t end;    // byte after the keyword
    uint32_t kw;   // keyword index
  };
  class Scratch;
  struct ScratchDeleter {
    void operator()(Scratch* s) const;
  };
  using ScratchPtr = std::unique_ptr<Scratch, ScratchDeleter>;
  ScratchPtr make_scratch() const;

  // Finds every keyword occurrence ending in (from, to] of buf (scanning from
  // `lo`, so keywords that start before `from` are found too). Appends to
  // hits in increasing end order. When at least 64 bytes past `to` may be
  // read (`readable_after`), buf is scanned in place, else a padded copy.
  void find(Scratch& s, const char* buf, size_t lo, size_t from, size_t to,
            std::vector<Hit>& hits, size_t readable_after = 0) const;

  // +1: the text names rule `r` (one of its context keywords); -1: it names
  // something else (another rule's keyword, or one of r's negative
  // keywords); 0: neither.
  int classify_name(std::string_view name, uint32_t r) const;

  // The keyword nearest to a value at [start, end) on the same line — up to
  // 48 bytes before it, or 16 after — decides: +1 if it names rule r; -1 if
  // it names something else and sits right before the value; else 0. `hits`
  // covers the buffer around the value, sorted by end. `cursor`, when given,
  // carries a position in `hits` from one call to the next (start it at 0 for
  // new hits): values asked about in increasing start order are then found
  // without a binary search over all hits.
  int window(const std::vector<Hit>& hits, const char* buf, size_t lo, size_t hi, size_t start,
             size_t end, uint32_t r, size_t* cursor = nullptr) const;

  size_t size() const { return kws_.size(); }

 private:
  struct Keyword {
    std::string text;  // lower-cased
    bool ascii;        // matched on word boundaries
    std::vector<uint32_t> positive;  // rules it names
    std::vector<uint32_t> negative;  // rules it is a negative keyword of
  };
  std::vector<Keyword> kws_;
  void* db_ = nullptr;  // hs_database_t*
  int verdict(const Keyword& k, uint32_t r) const;
  bool boundary_ok(const Keyword& k, const char* buf, size_t lo, size_t hi, size_t kend) const;
};

// The `key` of a `key=value` / `key: value` / `"key": "value"` field whose
// value starts at `start`; empty if none. Looks back at most 64 bytes, on the
// same line.
std::string_view log_field_key(const char* buf, size_t lo, size_t start);

}  // namespace privaudit
