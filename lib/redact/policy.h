// What redact does to what: an action per rule (by id, tag, or '*'), and
// whole-column actions or generalisations by CSV header / JSON key.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "redact/transform.h"
#include "rules/rule.h"

namespace privaudit::redact {

// A whole-column instruction: an action, or a generalisation.
struct ColumnSpec {
  std::string name;   // as given
  std::string norm;   // link::normalise_column_name(name)
  bool generalises = false;
  Action action = Action::mask;
  Generalisation gen;
  std::string reason;  // keep:REASON
  mutable bool matched = false;  // some header or key named it (set by Policy::column)
  // "drop", "mask", ... or "date:year", "postal:3" ...
  std::string label() const { return generalises ? to_string(gen) : std::string(to_string(action)); }
};

class Policy {
 public:
  // RULE|TAG|*=ACTION (`--action`). False with `error` on a malformed item.
  bool add_action(std::string_view item, std::string& error);
  // COL=ACTION (`--column`).
  bool add_column(std::string_view item, std::string& error);
  // COL=KIND:ARG (`--generalise`).
  bool add_generalise(std::string_view item, std::string& error);

  // Settles the action of every rule of the run: a rule's id first, then its
  // tags (the last --action naming one wins), then '*', else mask. False with
  // `error` when an --action names no enabled rule or tag.
  bool resolve(const std::vector<Rule>& rules, std::string& error);

  Action rule_action(uint32_t rule) const { return actions_[rule]; }
  // Why a kept rule is kept (its keep:REASON, else the option that said so).
  const std::string& keep_reason(uint32_t rule) const { return reasons_[rule]; }
  // The column instruction for a header / key: exact name first, then the
  // normalised name (Birth_Date = "birth date"). nullptr if none.
  const ColumnSpec* column(std::string_view name) const;
  const std::vector<ColumnSpec>& columns() const { return columns_; }
  // True when some rule or column is pseudonymised (a key and sector are needed).
  bool uses_pseudonym() const;

 private:
  struct Item {
    std::string target;
    Action action;
    std::string reason;
  };
  std::vector<Item> items_;
  std::vector<ColumnSpec> columns_;
  std::vector<Action> actions_;
  std::vector<std::string> reasons_;
  bool add_column_spec(ColumnSpec spec, std::string& error);
};

}  // namespace privaudit::redact
