// The second pass of redact: streams a document's decoded text and writes it
// again with every found value replaced, keeping the format. Text and logs
// are copied byte for byte around the values; CSV/TSV is parsed cell by cell
// (quoting kept, whole columns replaced or generalised); JSON and JSON Lines
// token by token (structure kept, keys tracked for whole-column actions).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "redact/policy.h"
#include "redact/pseudonym.h"
#include "rules/rule.h"
#include "scan/scanner.h"

namespace privaudit::redact {

// One value to replace, or several that overlap: [start, end) in the decoded
// stream; its members are spans[first, first + count).
struct SpanGroup {
  uint64_t start = 0, end = 0;
  uint32_t first = 0, count = 0;
};

// Sorts the spans by offset (longer first) and groups overlapping ones.
std::vector<SpanGroup> group_spans(std::vector<ValueSpan>& spans);

// What one document's rewrite did.
struct DocStats {
  // (rule id, action or generalisation) -> values changed
  std::map<std::pair<std::string, std::string>, uint64_t> changes;
  // (column, action or generalisation) -> cells changed
  std::map<std::pair<std::string, std::string>, uint64_t> columns;
  // (rule id or column, reason) -> values left as they were on purpose
  std::map<std::pair<std::string, std::string>, uint64_t> kept;
  // generalised cells that did not parse (written empty), by column
  std::map<std::string, uint64_t> unparseable;
  // (rule id, reason) -> values found but not rewritten
  std::map<std::pair<std::string, std::string>, uint64_t> unresolved;
  uint64_t unresolved_total() const;
  uint64_t changed_total() const;
};

struct RewriteContext {
  const std::vector<Rule>& rules;
  const Policy& policy;
  const Pseudonymiser* pseudonymiser = nullptr;  // set when some action is pseudonym
};

using Emit = std::function<void(std::string_view)>;

class Rewriter {
 public:
  virtual ~Rewriter() = default;
  // Consumes the next decoded bytes of the document (any split).
  virtual void feed(const char* p, size_t n) = 0;
  // End of the document: flushes, and counts values never reached as unresolved.
  virtual void finish() = 0;
};

// A rewriter for the format; `spans` and `groups` (from group_spans) must
// outlive it. Output goes to `emit` in order.
std::unique_ptr<Rewriter> make_rewriter(DocFormat format, const RewriteContext& ctx,
                                        const std::vector<ValueSpan>& spans,
                                        const std::vector<SpanGroup>& groups, Emit emit,
                                        DocStats& stats);

// The token for a whole cell of a pseudonymised column: a valid identifier
// of the rule the column's name names (個人番号 → jp-my-number) gets the same
// token it gets when found by that rule; anything else is keyed by the
// column's concept or normalised name ("column:name") and its normalised value.
std::string column_token(const RewriteContext& ctx, std::string_view column, std::string_view value);

// JSON string content (between the quotes) without its escapes.
std::string json_unescape(std::string_view content);

}  // namespace privaudit::redact
