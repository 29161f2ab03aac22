#include "redact/policy.h"

#include <fmt/format.h>

#include "link/names.h"

namespace privaudit::redact {

namespace {
// Splits "LEFT=RIGHT" at the last '=' (column names may hold '=' rarely;
// actions never do).
bool split_item(std::string_view item, std::string& left, std::string& right) {
  auto eq = item.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size()) return false;
  left.assign(item.substr(0, eq));
  right.assign(item.substr(eq + 1));
  return true;
}
}  // namespace

bool Policy::add_action(std::string_view item, std::string& error) {
  std::string target, action;
  auto eq = item.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size()) {
    error = fmt::format("--action: expected RULE|TAG=ACTION, got '{}'", item);
    return false;
  }
  target.assign(item.substr(0, eq));
  action.assign(item.substr(eq + 1));
  Item it;
  it.target = target;
  if (!parse_action(action, it.action, it.reason)) {
    error = fmt::format("--action {}: unknown action '{}' (mask, drop, pseudonym, keep[:REASON])",
                        target, action);
    return false;
  }
  if (it.action == Action::keep && it.reason.empty())
    it.reason = fmt::format("--action {}=keep", target);
  items_.push_back(std::move(it));
  return true;
}

bool Policy::add_column_spec(ColumnSpec spec, std::string& error) {
  spec.norm = link::normalise_column_name(spec.name);
  for (auto& c : columns_)
    if (c.name == spec.name) {
      error = fmt::format("column '{}' is given more than one action", spec.name);
      return false;
    }
  columns_.push_back(std::move(spec));
  return true;
}

bool Policy::add_column(std::string_view item, std::string& error) {
  ColumnSpec spec;
  std::string action;
  if (!split_item(item, spec.name, action) || !parse_action(action, spec.action, spec.reason)) {
    error = fmt::format("--column: expected COL=mask|drop|pseudonym|keep[:REASON], got '{}'", item);
    return false;
  }
  if (spec.action == Action::keep && spec.reason.empty())
    spec.reason = fmt::format("--column {}=keep", spec.name);
  return add_column_spec(std::move(spec), error);
}

bool Policy::add_generalise(std::string_view item, std::string& error) {
  ColumnSpec spec;
  std::string kind;
  spec.generalises = true;
  // COL=date:year: the column is left of the first '=' whose right side parses.
  auto eq = item.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    error = fmt::format("--generalise: expected COL=date:year|date:month|postal:N|age:N, got '{}'", item);
    return false;
  }
  spec.name.assign(item.substr(0, eq));
  kind.assign(item.substr(eq + 1));
  if (!parse_generalisation(kind, spec.gen)) {
    error = fmt::format("--generalise {}: unknown '{}' (date:year, date:month, postal:1-6, age:1-100)",
                        spec.name, kind);
    return false;
  }
  return add_column_spec(std::move(spec), error);
}

bool Policy::resolve(const std::vector<Rule>& rules, std::string& error) {
  actions_.assign(rules.size(), Action::mask);
  reasons_.assign(rules.size(), std::string());
  std::vector<int> level(rules.size(), 0);  // 0 default, 1 '*', 2 tag, 3 id
  for (auto& it : items_) {
    bool any = false;
    for (size_t r = 0; r < rules.size(); ++r) {
      int lv = it.target == "*" ? 1 : rules[r].id == it.target ? 3 : rules[r].has_tag(it.target) ? 2 : 0;
      if (lv == 0) continue;
      any = true;
      if (lv < level[r]) continue;
      level[r] = lv;
      actions_[r] = it.action;
      reasons_[r] = it.reason;
    }
    if (!any) {
      error = fmt::format("--action {}: no enabled rule has this id or tag", it.target);
      return false;
    }
  }
  return true;
}

const ColumnSpec* Policy::column(std::string_view name) const {
  if (columns_.empty() || name.empty()) return nullptr;
  for (auto& c : columns_)
    if (c.name == name) {
      c.matched = true;
      return &c;
    }
  std::string norm = link::normalise_column_name(name);
  if (norm.empty()) return nullptr;
  for (auto& c : columns_)
    if (c.norm == norm) {
      c.matched = true;
      return &c;
    }
  return nullptr;
}

bool Policy::uses_pseudonym() const {
  for (auto& it : items_)
    if (it.action == Action::pseudonym) return true;
  for (auto& c : columns_)
    if (!c.generalises && c.action == Action::pseudonym) return true;
  return false;
}

}  // namespace privaudit::redact
