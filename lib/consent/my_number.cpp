#include "consent/my_number.h"

#include "rules/rule.h"

namespace privaudit::consent {

std::unique_ptr<MyNumberDetector> MyNumberDetector::create(std::string& error) {
  std::vector<Rule> rules;
  if (!load_builtin_rules(rules, error)) return nullptr;
  select_rules(rules, {"jp-my-number"}, {});
  if (rules.size() != 1) {
    error = "the built-in rule pack has no jp-my-number rule";
    return nullptr;
  }
  std::unique_ptr<MyNumberDetector> d(new MyNumberDetector());
  d->keywords_ = std::make_unique<KeywordIndex>(rules);
  d->engine_ = Engine::build(std::move(rules), error);
  if (!d->engine_) return nullptr;
  d->scratch_ = d->engine_->make_scratch();
  return d;
}

MyNumberDetector::CellScan MyNumberDetector::scan_cell(std::string_view cell) {
  CellScan out;
  if (cell.size() < 12) return out;  // 12 ASCII digits at least
  buf_.assign(cell);
  buf_.append(64, '\0');  // the engine reads up to 64 bytes past the end
  cands_.clear();
  engine_->scan(*scratch_, buf_.data(), 0, cell.size(), cands_);
  for (auto& c : cands_) {
    out.candidate = true;
    out.valid = out.valid || c.valid;
  }
  return out;
}

int MyNumberDetector::classify_column(std::string_view name) const { return keywords_->classify_name(name, 0); }

MyNumberColumns::Stats& MyNumberColumns::stats(const std::vector<std::string>& columns, size_t i) {
  if (stats_.size() <= i) stats_.resize(columns.size() > i ? columns.size() : i + 1);
  Stats& s = stats_[i];
  if (s.name == 2) s.name = i < columns.size() ? d_.classify_column(columns[i]) : 0;
  return s;
}

bool MyNumberColumns::qualifies(const Stats& s) const {
  if (s.name > 0) return true;
  if (s.name < 0) return false;
  // Random 12-digit values pass the check ~10% of the time; two or more
  // values with at least 90% valid is a My Number column.
  return s.candidates >= 2 && s.valid * 10 >= s.candidates * 9;
}

void MyNumberColumns::observe(const std::vector<std::string>& columns, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].size() < 12) continue;
    auto c = d_.scan_cell(fields[i]);
    Stats& s = stats(columns, i);
    s.candidates += c.candidate;
    s.valid += c.valid;
  }
}

std::string MyNumberColumns::find(const std::vector<std::string>& columns, const std::vector<std::string>& fields,
                                  bool count) {
  std::vector<size_t> valid;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].size() < 12) continue;
    auto c = d_.scan_cell(fields[i]);
    Stats& s = stats(columns, i);
    if (count) {
      s.candidates += c.candidate;
      s.valid += c.valid;
    }
    if (c.valid) valid.push_back(i);
  }
  for (size_t i : valid)
    if (qualifies(stats_[i])) return i < columns.size() ? columns[i] : std::string("?");
  return {};
}

}  // namespace privaudit::consent
