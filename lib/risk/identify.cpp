#include "risk/identify.h"

#include <algorithm>

#include "scan/evidence.h"
#include "scan/scanner.h"

namespace privaudit::risk {

namespace {

struct ColumnTally {
  uint64_t checked = 0;
  std::vector<uint64_t> matched;    // per rule
  std::vector<std::string> example;  // per rule: first normalised match
};

// Which rules may count for a column: not public data, and evidence rules
// only where the column's name names them.
std::vector<bool> usable_rules(const Engine& engine, const KeywordIndex& kw, const std::string& name) {
  const auto& rules = engine.rules();
  std::vector<bool> ok(rules.size(), false);
  for (uint32_t r = 0; r < rules.size(); ++r) {
    if (rules[r].has_tag("public") || rules[r].severity == Severity::info) continue;
    if (rules[r].evidence_required && kw.classify_name(name, r) <= 0) continue;
    ok[r] = true;
  }
  return ok;
}

}  // namespace

std::vector<DirectIdentifier> find_direct_identifiers(const Engine& engine,
                                                      const std::vector<std::string>& columns,
                                                      const std::vector<std::vector<std::string>>& sample,
                                                      size_t max_values) {
  std::vector<DirectIdentifier> out;
  const auto& rules = engine.rules();
  KeywordIndex kw(rules);
  auto scratch = engine.make_scratch();
  std::vector<Candidate> cands;
  std::string buf;
  for (size_t col = 0; col < columns.size(); ++col) {
    std::vector<bool> usable = usable_rules(engine, kw, columns[col]);
    ColumnTally t;
    t.matched.assign(rules.size(), 0);
    t.example.assign(rules.size(), std::string());
    std::vector<bool> seen(rules.size());
    for (auto& row : sample) {
      if (t.checked >= max_values) break;
      if (col >= row.size() || row[col].empty()) continue;
      ++t.checked;
      buf.assign(row[col]);
      size_t len = buf.size();
      buf.append(64, '\0');  // the engine may read 64 bytes past the end
      cands.clear();
      engine.scan(*scratch, buf.data(), 0, len, cands);
      std::fill(seen.begin(), seen.end(), false);
      for (auto& c : cands) {
        if (!c.valid || !usable[c.rule] || seen[c.rule]) continue;
        seen[c.rule] = true;
        ++t.matched[c.rule];
        if (t.example[c.rule].empty()) t.example[c.rule] = c.norm;
      }
    }
    if (t.checked == 0) continue;
    auto best = std::max_element(t.matched.begin(), t.matched.end());
    if (best == t.matched.end() || *best * 2 <= t.checked) continue;
    auto r = static_cast<size_t>(best - t.matched.begin());
    DirectIdentifier d;
    d.column = col;
    d.column_name = columns[col];
    d.rule = rules[r].id;
    d.rule_name = rules[r].name;
    d.matched = *best;
    d.checked = t.checked;
    d.masked = mask_value(t.example[r]);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace privaudit::risk
