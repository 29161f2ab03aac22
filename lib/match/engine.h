// The matcher: finds candidate identifier values in UTF-8 text and confirms
// them with each rule's validator.
//
// Two passes share one contract:
//  * the digit-run pass serves every rule with a `digits` shape: it finds runs
//    of ASCII/full-width digits joined by one consistent separator, applies
//    SPEC's boundary rules, and matches lengths/groupings;
//  * a vectorscan database (compiled once, no start-of-match reporting) holds
//    the patterns of every other rule; a hit is confirmed by a per-rule
//    start-of-match database over a small window around it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rules/rule.h"

namespace privaudit {

struct Candidate {
  uint32_t rule = 0;   // index into the engine's rules
  size_t start = 0;    // byte offsets into the scanned buffer
  size_t end = 0;
  std::string norm;    // normalised value (ASCII digits, lower-cased address, ...)
  bool valid = false;  // passed the rule's validator (or the rule has none)
};

// A candidate as the engine reports it: `norm` points into engine memory and
// lives until the call returns.
struct CandidateRef {
  uint32_t rule;
  size_t start, end;
  std::string_view norm;
  bool valid;
};

// Receives candidates in increasing start order.
class CandidateSink {
 public:
  virtual ~CandidateSink() = default;
  virtual void candidate(const CandidateRef& c) = 0;
};

class Engine {
 public:
  // Compiles the rules; on failure returns nullptr and names the rule.
  static std::unique_ptr<Engine> build(std::vector<Rule> rules, std::string& error);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::vector<Rule>& rules() const { return rules_; }

  // Per-thread working memory.
  class Scratch;
  struct ScratchDeleter {
    void operator()(Scratch* s) const;
  };
  using ScratchPtr = std::unique_ptr<Scratch, ScratchDeleter>;
  ScratchPtr make_scratch() const;

  // Scans buf[begin, end). buf[0, begin) is left context, already scanned;
  // end must not split a value (the caller cuts after a character that cannot
  // be part of one, or at end of input). Hands every candidate (valid or not:
  // invalid ones have the shape of a rule and feed field statistics) to the
  // sink in increasing start order.
  void scan(Scratch& scratch, const char* buf, size_t begin, size_t end, CandidateSink& sink) const;
  // The same, collected into a vector.
  void scan(Scratch& scratch, const char* buf, size_t begin, size_t end,
            std::vector<Candidate>& out) const;

  // Longest value (bytes) a rule can match: callers keep this much context.
  static constexpr size_t kMaxValueBytes = 512;

 private:
  Engine() = default;
  // Which digit rules a shape fits: by ungrouped length, and by grouping
  // (group lengths packed 5 bits each, plus the group count).
  std::vector<std::vector<uint32_t>> by_length_;  // [digit count] -> rules
  std::vector<std::pair<uint64_t, std::vector<uint32_t>>> by_grouping_;
  size_t max_groups_ = 0;
  const std::vector<uint32_t>* rules_for(const size_t* groups, size_t n) const;
  struct PatternRule {
    uint32_t rule;
    void* som_db = nullptr;  // hs_database_t*, block mode, start-of-match
  };
  struct Impl;

  std::vector<Rule> rules_;
  bool has_digit_rules_ = false;
  std::vector<PatternRule> pattern_rules_;   // index = pattern-rule slot
  std::vector<uint32_t> pattern_to_slot_;    // vectorscan id -> pattern_rules_ slot
  void* prefilter_db_ = nullptr;              // hs_database_t*
  size_t max_digits_ = 0;

  void digit_pass(Scratch& s, const char* buf, size_t begin, size_t end, CandidateSink& sink) const;
  void pattern_pass(Scratch& s, const char* buf, size_t begin, size_t end) const;
  friend class EngineTestAccess;
};

// Normalises a matched value for a rule: full-width digits folded to ASCII;
// digit validators keep digits only; IBAN upper-cased without spaces; e-mail
// lower-cased.
std::string normalise_value(const Rule& rule, std::string_view raw);

}  // namespace privaudit
