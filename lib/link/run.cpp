#include "link/run.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <thread>
#include <unordered_set>

#include "report/json_writer.h"

namespace privaudit::link {

namespace fs = std::filesystem;

bool is_table_name(std::string_view path) {
  std::string lower(path);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  for (std::string_view ext : {".csv", ".tsv", ".psv", ".jsonl", ".ndjson"})
    if (lower.size() >= ext.size() && lower.compare(lower.size() - ext.size(), ext.size(), ext) == 0)
      return true;
  return false;
}

std::vector<std::string> collect_tables(const std::vector<std::string>& paths,
                                        std::vector<InputError>& errors) {
  std::vector<std::string> out;
  for (auto& p : paths) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      errors.push_back({p, "no such file or folder"});
      continue;
    }
    if (!fs::is_directory(st)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && !it->is_symlink(ec) && is_table_name(it->path().string()))
        found.push_back(it->path().string());
    }
    if (ec) errors.push_back({p, ec.message()});
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

namespace {

unsigned worker_count(unsigned wanted, size_t jobs) {
  unsigned n = wanted ? wanted : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<size_t>(n, std::max<size_t>(jobs, 1)));
}

// Runs job(i) for i in [0, n) on `threads` workers.
template <typename F>
void parallel_for(size_t n, unsigned threads, F&& job) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) job(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
}

// Identity of a finding for de-duplication across pairs: a conflict is the
// same whichever earlier record it was compared with.
std::string finding_identity(const Finding& f) {
  std::string id = f.rule + '\0' + f.path + '\0' + std::to_string(f.record) + '\0' + f.field +
                   '\0' + f.fingerprint;
  if (f.rule != "link-identifier-conflict") id += '\0' + f.message;
  return id;
}

// Indents a pretty JSON value to sit one level deep in the report.
std::string indent_section(std::string json) {
  while (!json.empty() && json.back() == '\n') json.pop_back();
  std::string out;
  out.reserve(json.size() + json.size() / 8);
  for (char c : json) {
    out.push_back(c);
    if (c == '\n') out += "  ";
  }
  return out;
}

}  // namespace

std::string section_json(const std::vector<TableProfile>& tables,
                         const std::vector<PairResult>& pairs, bool multi) {
  std::string out;
  JsonWriter w(out);
  if (!multi && pairs.size() == 1) {
    write_pair(w, pairs[0]);
    return indent_section(std::move(out));
  }
  w.begin_object();
  w.key("files").begin_array();
  for (auto& t : tables)
    w.begin_object().key("path").value(t.path).key("records").value(t.records).end_object();
  w.end_array();
  w.key("pairs_compared").value(static_cast<uint64_t>(pairs.size()));
  w.key("pairs").begin_array();
  for (auto& p : pairs)
    if (p.shares_anything()) write_pair(w, p);
  w.end_array();
  w.end_object();
  return indent_section(std::move(out));
}

bool run_link(const std::vector<std::string>& tables, const Engine& engine,
              const Fingerprinter& fp, const LinkOptions& opts, LinkRun& out, std::string& error) {
  KeyedHash hash(fp);
  // 1. Profile every table (in parallel).
  std::vector<TableProfile> profiles(tables.size());
  std::vector<char> ok(tables.size());
  parallel_for(tables.size(), worker_count(opts.threads, tables.size()), [&](size_t i) {
    ok[i] = profile_table(tables[i], engine, hash, opts.profile, profiles[i]);
  });
  std::vector<TableProfile> good;
  for (size_t i = 0; i < tables.size(); ++i) {
    out.errors.insert(out.errors.end(), profiles[i].problems.begin(), profiles[i].problems.end());
    if (!ok[i]) {
      out.errors.push_back({tables[i], profiles[i].error});
      continue;
    }
    out.files += 1;
    out.bytes += profiles[i].bytes;
    good.push_back(std::move(profiles[i]));
  }
  if (good.size() < 2) {
    if (out.errors.empty()) error = "link needs at least two tables (CSV, TSV or JSON Lines)";
    else error = "fewer than two readable tables";
    return false;
  }
  // 2. Keys for every pair.
  struct Job {
    size_t a, b;
    std::vector<KeyPair> keys, unused;
  };
  std::vector<Job> jobs;
  for (size_t i = 0; i < good.size(); ++i)
    for (size_t j = i + 1; j < good.size(); ++j) {
      Job job{i, j, {}, {}};
      if (!opts.on.empty()) {
        std::string err;
        if (!resolve_on(opts.on, good[i], good[j], job.keys, err) && !opts.multi) {
          error = err;
          return false;
        }
        if (!err.empty()) job.keys.clear();  // a folder: pairs without those columns get none
      } else {
        discover_keys(good[i], good[j], opts.discovery, job.keys, job.unused);
      }
      jobs.push_back(std::move(job));
    }
  // 3. Link the pairs (in parallel).
  LinkContext ctx{engine, hash, fp, opts.profile.table};
  out.pairs.resize(jobs.size());
  parallel_for(jobs.size(), worker_count(opts.threads, jobs.size()), [&](size_t k) {
    auto& job = jobs[k];
    link_pair(ctx, good[job.a], good[job.b], std::move(job.keys), std::move(job.unused), out.pairs[k]);
  });
  for (auto& p : out.pairs) {
    out.errors.insert(out.errors.end(), p.errors.begin(), p.errors.end());
    for (auto& f : p.findings) out.findings.push_back(f);
  }
  std::stable_sort(out.findings.begin(), out.findings.end(), finding_less);
  std::vector<Finding> unique;
  std::unordered_set<std::string> seen;
  for (auto& f : out.findings)
    if (seen.insert(finding_identity(f)).second) unique.push_back(std::move(f));
  out.findings = std::move(unique);
  out.section = section_json(good, out.pairs, opts.multi);
  return true;
}

}  // namespace privaudit::link
