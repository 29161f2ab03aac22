#include "link/profile.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "link/names.h"
#include "redact/pseudonym.h"

namespace privaudit::link {

int TableProfile::find_concept(std::string_view concept_id) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].concept_id == concept_id) return static_cast<int>(i);
  return -1;
}

namespace {

// Rules a column's values may be judged against: rules that need evidence
// only when the column's name names them.
bool rule_allowed(const Rule& r, std::string_view concept_id) {
  return !r.evidence_required || concept_rule(concept_id) == r.id;
}

// Share of `sample` cells that are, whole, one valid value of each rule.
std::map<uint32_t, size_t> whole_value_hits(const Engine& engine, Engine::Scratch& scratch,
                                            const std::vector<std::string>& sample,
                                            size_t& non_empty) {
  std::map<uint32_t, size_t> hits;
  std::vector<Candidate> cands;
  std::string buf;
  non_empty = 0;
  for (auto& cell : sample) {
    std::string_view t = trim_value(cell);
    if (t.empty()) continue;
    ++non_empty;
    buf.assign(t);
    size_t len = buf.size();
    buf.append(64, '\n');  // the engine reads up to 64 bytes past the end
    cands.clear();
    engine.scan(scratch, buf.data(), 0, len, cands);
    std::vector<uint32_t> seen;
    for (auto& c : cands) {
      if (!c.valid || c.start != 0 || c.end != len) continue;
      if (std::find(seen.begin(), seen.end(), c.rule) != seen.end()) continue;
      seen.push_back(c.rule);
      ++hits[c.rule];
    }
  }
  return hits;
}

ValueKind kind_for_concept(std::string_view c) {
  if (c == "birthdate") return ValueKind::date;
  if (c == "sex") return ValueKind::sex;
  if (c == "postal_code" || c == "phone") return ValueKind::digits;
  if (c == "name" || c == "name_kana") return ValueKind::name;
  return ValueKind::text;
}

// A column of redact pseudonyms (pa_<sector>_<token>): compared as written,
// and, when its name says nothing, named after its sector so that two token
// columns of one sector pair up by name. True when the column is one.
bool pseudonym_column(const std::vector<std::string>& sample, const ProfileOptions& opts,
                      ColumnProfile& col) {
  size_t non_empty = 0, tokens = 0;
  std::string_view first;
  for (auto& cell : sample) {
    std::string_view t = trim_value(cell);
    if (t.empty()) continue;
    ++non_empty;
    if (!redact::looks_like_pseudonym(t)) continue;
    if (!tokens++) first = t;
  }
  if (!non_empty || static_cast<double>(tokens) < opts.identifier_share * static_cast<double>(non_empty))
    return false;
  col.kind = ValueKind::text;
  col.rule = -1;
  if (col.concept_id.empty()) {
    std::string_view rest = first.substr(3);
    col.concept_id = "pseudonym:" + std::string(rest.substr(0, rest.rfind('_')));
  }
  return true;
}

}  // namespace

void classify_column(const Engine& engine, Engine::Scratch& scratch,
                     const std::vector<std::string>& sample, const ProfileOptions& opts,
                     ColumnProfile& col) {
  col.norm_name = normalise_column_name(col.name);
  col.concept_id = std::string(column_concept(col.name));
  col.kind = kind_for_concept(col.concept_id);
  if (pseudonym_column(sample, opts, col)) return;
  size_t non_empty = 0;
  auto hits = whole_value_hits(engine, scratch, sample, non_empty);
  // Best rule: highest share; ties go to a rule with a check (validator),
  // then to the rule the column's name names.
  const auto& rules = engine.rules();
  int best = -1;
  double best_share = 0;
  auto rank = [&](uint32_t r) {
    return std::make_tuple(rules[r].validator != nullptr, concept_rule(col.concept_id) == rules[r].id);
  };
  for (auto& [r, n] : hits) {
    if (!rule_allowed(rules[r], col.concept_id)) continue;
    double share = static_cast<double>(n) / static_cast<double>(non_empty);
    if (best < 0 || share > best_share ||
        (share == best_share && rank(r) > rank(static_cast<uint32_t>(best)))) {
      best = static_cast<int>(r);
      best_share = share;
    }
  }
  std::string_view named_rule = concept_rule(col.concept_id);
  if (best >= 0) {
    bool named = named_rule == rules[static_cast<size_t>(best)].id;
    double need = named ? opts.named_identifier_share : opts.identifier_share;
    if (best_share >= need) {
      col.kind = ValueKind::identifier;
      col.rule = best;
      col.rule_share = best_share;
      col.identifier = true;
      return;
    }
  }
  if (!named_rule.empty()) {
    // Named as an identifier but its values do not show it: still compared
    // as one (digits only), not counted as an identifier column.
    for (size_t r = 0; r < rules.size(); ++r)
      if (rules[r].id == named_rule) {
        col.kind = ValueKind::identifier;
        col.rule = static_cast<int>(r);
        auto it = hits.find(static_cast<uint32_t>(r));
        col.rule_share = it == hits.end() || !non_empty
                             ? 0
                             : static_cast<double>(it->second) / static_cast<double>(non_empty);
        return;
      }
  }
  if (col.kind == ValueKind::text && non_empty > 0) {
    size_t dates = 0;
    for (auto& cell : sample)
      if (!normalise_date(cell).empty()) ++dates;
    if (static_cast<double>(dates) >= opts.date_share * static_cast<double>(non_empty))
      col.kind = ValueKind::date;
  }
}

bool profile_table(const std::string& path, const Engine& engine, const KeyedHash& hash,
                   const ProfileOptions& opts, TableProfile& out) {
  out.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) out.bytes = static_cast<uint64_t>(st.st_size);
  auto reader = TableReader::open_file(path, opts.table, out.error);
  if (!reader) return false;

  // Sample the first records, classify the columns, then sketch every record.
  std::vector<std::vector<std::string>> sample;
  std::vector<std::string> fields;
  while (sample.size() < opts.sample && reader->next(fields)) sample.push_back(fields);
  const auto& names = reader->columns();
  auto scratch = engine.make_scratch();
  out.columns.resize(names.size());
  std::vector<std::string> cells;
  for (size_t c = 0; c < names.size(); ++c) {
    cells.clear();
    for (auto& row : sample) cells.push_back(c < row.size() ? row[c] : std::string());
    out.columns[c].name = names[c];
    classify_column(engine, *scratch, cells, opts, out.columns[c]);
  }
  auto add = [&](const std::vector<std::string>& row) {
    ++out.records;
    // JSON Lines may bring new keys later: classify them by name alone.
    for (size_t c = out.columns.size(); c < reader->columns().size(); ++c) {
      ColumnProfile col;
      col.name = reader->columns()[c];
      classify_column(engine, *scratch, {}, opts, col);
      out.columns.push_back(std::move(col));
    }
    for (size_t c = 0; c < row.size() && c < out.columns.size(); ++c) {
      auto& col = out.columns[c];
      const Rule* rule = col.rule >= 0 ? &engine.rules()[static_cast<size_t>(col.rule)] : nullptr;
      std::string v = canonical_value(col.kind, rule, row[c]);
      if (v.empty()) continue;
      ++col.non_empty;
      col.sketch.add(hash(v));
    }
  };
  for (auto& row : sample) add(row);
  sample.clear();
  while (reader->next(fields)) add(fields);
  for (auto& col : out.columns) col.sketch.finish();
  for (auto& p : reader->problems()) out.problems.push_back({path, p});
  if (reader->failed()) {
    out.error = path + ": " + reader->error();
    return false;
  }
  return true;
}

}  // namespace privaudit::link
