#include "risk/analyze.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "report/json_writer.h"
#include "table/table.h"

namespace privaudit::risk {

namespace {

// Column index by name; -1 when absent.
int find_column(const std::vector<std::string>& cols, const std::string& name) {
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i] == name) return static_cast<int>(i);
  return -1;
}

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool validate_options(const RiskOptions& o, std::string& error) {
  if (o.qi.empty() && !o.auto_qi) {
    error = "give the quasi-identifiers with --qi COL,COL,... or let --auto-qi propose them";
    return false;
  }
  if (o.k < 1) {
    error = "--k must be at least 1";
    return false;
  }
  if (!(o.risk_threshold >= 0 && o.risk_threshold <= 1)) {
    error = "--risk-threshold must be between 0 and 1";
    return false;
  }
  if (!(o.unique_share > 0 && o.unique_share <= 1)) {
    error = "--unique-share must be in (0, 1]";
    return false;
  }
  if (o.population && !(*o.population >= 1)) {
    error = "--population must be a positive number of people";
    return false;
  }
  return true;
}

// Chooses the quasi-identifier columns: --qi, plus --auto-qi's proposals;
// never a direct identifier (when proposed automatically) or the sensitive
// column. Fills qi_idx and a.qi_names.
bool choose_qis(const RiskOptions& o, const std::vector<std::vector<std::string>>& sample, int sens,
                RiskAnalysis& a, std::vector<size_t>& qi_idx, std::string& error) {
  std::set<size_t> chosen;
  for (auto& raw : o.qi) {
    std::string name = trim(raw);
    if (name.empty()) continue;
    int idx = find_column(a.columns, name);
    if (idx < 0) {
      error = fmt::format("{}: no column '{}' (columns: {})", a.path, name, fmt::join(a.columns, ", "));
      return false;
    }
    if (idx == sens) {
      error = fmt::format("column '{}' cannot be both a quasi-identifier and --sensitive", name);
      return false;
    }
    if (chosen.insert(static_cast<size_t>(idx)).second) qi_idx.push_back(static_cast<size_t>(idx));
  }
  if (o.auto_qi) {
    std::vector<bool> skip(a.columns.size(), false);
    for (auto& d : a.direct) skip[d.column] = true;
    if (sens >= 0) skip[static_cast<size_t>(sens)] = true;
    for (size_t i : qi_idx) skip[i] = true;
    a.auto_qi = propose_qis(a.columns, sample, skip);
    for (auto& p : a.auto_qi)
      if (chosen.insert(p.column).second) qi_idx.push_back(p.column);
  }
  if (qi_idx.empty()) {
    error = fmt::format("{}: no quasi-identifiers: --auto-qi found none; name them with --qi", a.path);
    return false;
  }
  for (size_t i : qi_idx) a.qi_names.push_back(a.columns[i]);
  return true;
}

// Counts records into `counter`: the buffered sample first, then the rest
// of the stream through the zero-copy reader.
void count_records(TableReader& reader, const std::vector<std::vector<std::string>>& sample,
                   const std::vector<size_t>& qi_idx, int sens, ClassCounter& counter) {
  size_t q = qi_idx.size();
  std::vector<std::string_view> qv(q);
  auto sensitive = [&](auto& row) -> std::string_view {
    if (sens < 0 || static_cast<size_t>(sens) >= row.size()) return {};
    return row[static_cast<size_t>(sens)];
  };
  for (auto& row : sample) {
    for (size_t j = 0; j < q; ++j) qv[j] = qi_idx[j] < row.size() ? std::string_view(row[qi_idx[j]]) : std::string_view();
    counter.add(qv.data(), sensitive(row));
  }
  std::vector<std::string_view> row;
  while (reader.next_view(row)) {
    for (size_t j = 0; j < q; ++j) qv[j] = qi_idx[j] < row.size() ? row[qi_idx[j]] : std::string_view();
    counter.add(qv.data(), sensitive(row));
  }
  counter.finish();
}

}  // namespace

void compute_metrics(const ClassCounter& counter, const RiskOptions& opts, RiskAnalysis& a) {
  a.records = counter.records();
  a.classes = counter.classes();
  a.histogram = counter.histogram();
  a.k = a.histogram.empty() ? 0 : a.histogram.front().size;
  a.sample_uniques = 0;
  a.records_at_risk_count = 0;
  a.records_below_k = 0;
  for (auto& e : a.histogram) {
    uint64_t recs = e.size * e.classes;
    if (e.size == 1) a.sample_uniques = e.classes;
    if (1.0 / static_cast<double>(e.size) > opts.risk_threshold) a.records_at_risk_count += recs;
    if (e.size < opts.k) a.records_below_k += recs;
  }
  double n = static_cast<double>(a.records);
  a.sample_uniqueness = a.records ? static_cast<double>(a.sample_uniques) / n : 0;
  a.highest_risk = a.k ? 1.0 / static_cast<double>(a.k) : 0;
  a.average_risk = a.records ? static_cast<double>(a.classes) / n : 0;
  a.records_at_risk = a.records ? static_cast<double>(a.records_at_risk_count) / n : 0;
  if (!opts.sensitive.empty()) a.diversity = counter.diversity();
  if (opts.population && a.records > 0) a.population = estimate_population_uniqueness(a.histogram, *opts.population);
  EncodedClasses enc = encode_classes(counter);
  a.drivers = drivers(enc);
  a.combinations = unique_combinations(enc, opts.unique_share);
}

RiskStatus analyze_risk(const std::string& path, const RiskOptions& opts, const Engine* engine,
                        RiskAnalysis& a, std::string& error) {
  if (!validate_options(opts, error)) return RiskStatus::usage_error;
  a.path = path;
  TableOptions to;
  to.delimiter = opts.delimiter;
  auto reader = TableReader::open_file(path, to, error);
  if (!reader) return RiskStatus::input_error;
  a.format = reader->is_jsonl() ? "jsonl" : "csv";
  a.delimiter = reader->delimiter();

  // Buffer a sample: column contents decide --auto-qi and identifier columns.
  std::vector<std::vector<std::string>> sample;
  std::vector<std::string> row;
  while (sample.size() < opts.sample_records && reader->next(row)) sample.push_back(row);
  a.columns = reader->columns();

  int sens = -1;
  if (!opts.sensitive.empty()) {
    sens = find_column(a.columns, opts.sensitive);
    if (sens < 0) {
      error = fmt::format("{}: no column '{}' for --sensitive (columns: {})", path, opts.sensitive,
                          fmt::join(a.columns, ", "));
      return RiskStatus::usage_error;
    }
  }
  if (engine) a.direct = find_direct_identifiers(*engine, a.columns, sample);
  std::vector<size_t> qi_idx;
  if (!choose_qis(opts, sample, sens, a, qi_idx, error)) return RiskStatus::usage_error;

  ClassCounter counter(qi_idx.size(), sens >= 0);
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  count_records(*reader, sample, qi_idx, sens, counter);
  auto t1 = std::chrono::steady_clock::now();
  std::clock_t c1 = std::clock();
  a.malformed = reader->malformed();
  a.problems = reader->problems();
  a.bytes = reader->bytes_read();
  compute_metrics(counter, opts, a);
  auto t2 = std::chrono::steady_clock::now();
  std::clock_t c2 = std::clock();
  if (std::getenv("PRIVAUDIT_RISK_TIMING"))
    std::fprintf(stderr, "risk timing: count %.3f s (cpu %.3f s), metrics %.3f s (cpu %.3f s), %zu bytes of tables, %zu cells\n",
                 std::chrono::duration<double>(t1 - t0).count(), double(c1 - c0) / CLOCKS_PER_SEC,
                 std::chrono::duration<double>(t2 - t1).count(), double(c2 - c1) / CLOCKS_PER_SEC, counter.memory(), counter.cells());
  if (reader->failed()) {
    a.read_error = reader->error();
    error = fmt::format("{}: {}", path, reader->error());
    return RiskStatus::input_error;
  }
  return RiskStatus::ok;
}

namespace {

struct Bin {
  uint64_t lo, hi;  // inclusive; hi 0 = open
  const char* label;
};
constexpr Bin kBins[] = {{1, 1, "1"},     {2, 2, "2"},       {3, 3, "3"},       {4, 4, "4"},    {5, 9, "5-9"},
                         {10, 19, "10-19"}, {20, 49, "20-49"}, {50, 99, "50-99"}, {100, 0, "100+"}};

void write_optional(JsonWriter& w, const char* key, const std::optional<double>& v) {
  w.key(key);
  if (v) w.value(*v);
  else w.null();
}

void write_population(JsonWriter& w, const PopulationUniqueness& p) {
  w.key("population_uniqueness").begin_object();
  w.key("model").value(p.model);
  w.key("value").value(p.value);
  w.key("population").value(p.population);
  w.key("sampling_fraction").value(p.sampling_fraction);
  w.key("population_uniques").value(p.uniques);
  w.key("estimates").begin_object();
  write_optional(w, "pitman", p.pitman);
  write_optional(w, "zayatz", p.zayatz);
  write_optional(w, "snb", p.snb);
  write_optional(w, "snb_published", p.snb_published);
  w.end_object();
  w.key("decision_rule").value("Dankar et al. (2012) as in ARX: sampling fraction <= 0.1: Pitman, "
                               "else the smaller of Zayatz and SNB; Zayatz when the chosen model has no solution");
  w.end_object();
}

void write_drivers(JsonWriter& w, const RiskAnalysis& a) {
  w.key("drivers").begin_array();
  for (auto& d : a.drivers) {
    w.begin_object();
    w.key("column").value(a.qi_names[d.column]);
    w.key("sample_uniques_without").value(d.sample_uniques_without);
    w.end_object();
  }
  w.end_array();
  const CombinationSearch& s = a.combinations;
  w.key("unique_combinations").begin_array();
  for (auto& c : s.found) {
    w.begin_object();
    w.key("columns").begin_array();
    for (size_t j : c.columns) w.value(a.qi_names[j]);
    w.end_array();
    w.key("sample_uniques").value(c.sample_uniques);
    w.key("share").value(a.records ? static_cast<double>(c.sample_uniques) / static_cast<double>(a.records) : 0.0);
    w.end_object();
  }
  w.end_array();
  w.key("unique_combination_search").begin_object();
  w.key("share").value(s.share);
  w.key("max_size").value(static_cast<uint64_t>(s.max_size));
  w.key("checked").value(static_cast<uint64_t>(s.checked));
  w.key("complete_up_to_size").value(static_cast<uint64_t>(s.searched_size));
  w.key("capped").value(s.capped);
  w.end_object();
}

void write_inputs(JsonWriter& w, const RiskAnalysis& a, const RiskOptions& o) {
  if (o.auto_qi) {
    w.key("auto_qi").begin_array();
    for (auto& p : a.auto_qi) w.begin_object().key("column").value(p.name).key("reason").value(p.reason).end_object();
    w.end_array();
  }
  w.key("direct_identifiers").begin_array();
  for (auto& d : a.direct) {
    w.begin_object();
    w.key("column").value(d.column_name);
    w.key("rule").value(d.rule);
    w.key("matched").value(d.matched);
    w.key("checked").value(d.checked);
    w.key("masked").value(d.masked);
    w.end_object();
  }
  w.end_array();
  w.key("sampled_records").value(static_cast<uint64_t>(std::min<uint64_t>(a.records, o.sample_records)));
}

}  // namespace

std::string risk_section_json(const RiskAnalysis& a, const RiskOptions& o) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("file").value(a.path);
  w.key("format").value(a.format);
  if (a.format == "csv") w.key("delimiter").value(std::string(1, a.delimiter));
  w.key("records").value(a.records);
  w.key("quasi_identifiers").begin_array();
  for (auto& q : a.qi_names) w.value(q);
  w.end_array();
  w.key("equivalence_classes").value(a.classes);
  w.key("k").value(a.k);
  w.key("k_target").value(o.k);
  w.key("sample_uniques").value(a.sample_uniques);
  w.key("sample_uniqueness").value(a.sample_uniqueness);
  w.key("highest_risk").value(a.highest_risk);
  w.key("average_risk").value(a.average_risk);
  w.key("risk_threshold").value(o.risk_threshold);
  w.key("records_at_risk").value(a.records_at_risk);
  w.key("records_at_risk_count").value(a.records_at_risk_count);
  w.key("records_below_k").value(a.records_below_k);
  w.key("class_sizes").begin_array();
  for (auto& b : kBins) {
    uint64_t classes = 0, recs = 0;
    for (auto& e : a.histogram)
      if (e.size >= b.lo && (b.hi == 0 || e.size <= b.hi)) {
        classes += e.classes;
        recs += e.size * e.classes;
      }
    w.begin_object().key("size").value(b.label).key("classes").value(classes).key("records").value(recs).end_object();
  }
  w.end_array();
  if (a.diversity) {
    w.key("l_diversity").begin_object();
    w.key("sensitive").value(o.sensitive);
    w.key("distinct_l").value(a.diversity->distinct_l);
    w.key("entropy_l").value(a.diversity->entropy_l);
    w.end_object();
  }
  if (a.population) write_population(w, *a.population);
  write_drivers(w, a);
  write_inputs(w, a, o);
  w.key("malformed_rows").value(a.malformed);
  w.key("malformed_examples").begin_array();
  for (size_t i = 0; i < a.problems.size() && i < 10; ++i) w.value(a.problems[i]);
  w.end_array();
  w.end_object();
  // Nest under the report's top level: indent by one level, no final newline.
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::string nested;
  for (char c : out) {
    nested.push_back(c);
    if (c == '\n') nested += "  ";
  }
  return nested;
}

std::vector<Finding> risk_findings(const RiskAnalysis& a, const RiskOptions& o) {
  std::vector<Finding> out;
  for (auto& d : a.direct) {
    Finding f;
    f.rule = "risk-direct-identifier";
    f.severity = Severity::high;
    f.confidence = Confidence::high;
    f.path = a.path;
    f.field = d.column_name;
    f.masked = d.masked;
    f.message = fmt::format("column '{}' holds direct identifiers: {} ({}) in {} of {} sampled values",
                            d.column_name, d.rule_name, d.rule, d.matched, d.checked);
    out.push_back(std::move(f));
  }
  if (a.records > 0 && a.k < o.k) {
    Finding f;
    f.rule = "risk-k-anonymity";
    f.severity = Severity::high;
    f.confidence = Confidence::high;
    f.path = a.path;
    f.message = fmt::format("k = {} < {}: {} of {} records are in equivalence classes smaller than {} "
                            "({} sample uniques) on {}",
                            a.k, o.k, a.records_below_k, a.records, o.k, a.sample_uniques, fmt::join(a.qi_names, ", "));
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), finding_less);
  return out;
}

}  // namespace privaudit::risk
