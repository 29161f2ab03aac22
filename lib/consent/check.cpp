#include "consent/check.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <tuple>

#include "report/json_writer.h"
#include "scan/scanner.h"

namespace privaudit::consent {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Lower-case letters and digits only, after a vocabulary prefix:
// "dpv:LegalObligation" and "legal_obligation" both give "legalobligation".
std::string basis_key(std::string_view s) {
  s = trim(s);
  for (std::string_view p : {"https://w3id.org/dpv#", "dpv:", "gdpr:", "appi:"})
    if (s.size() > p.size() && s.substr(0, p.size()) == p) s.remove_prefix(p.size());
  std::string k;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') k.push_back(static_cast<char>(c + 32));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) k.push_back(c);
  }
  return k;
}

std::string event_ref(const Ledger& L, const Event& e) {
  return fmt::format("{}:{}", L.files()[e.file], e.line);
}

std::string when(const Event& e) { return format_time(Instant{e.at, e.offset_min}); }

std::string quoted_list(const Ledger& L, const Interner& names, const uint32_t* ids, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < 5; ++i) s += fmt::format("{}'{}'", i ? ", " : "", names.name(ids[i]));
  if (n > 5) s += fmt::format(" and {} more", n - 5);
  (void)L;
  return s;
}

}  // namespace

const std::vector<std::string_view>& all_rules() {
  static const std::vector<std::string_view> rules = {kMissing,          kPurposeMismatch, kWithdrawn,
                                                      kExpired,          kRecipient,       kProvisionMissing,
                                                      kMyNumberExport,   kLedgerInvalid};
  return rules;
}

Basis classify_basis(std::string_view basis) {
  std::string k = basis_key(basis);
  if (k.empty() || k.find("consent") != std::string::npos) return Basis::consent;
  static const std::string_view exempt[] = {
      "legalobligation", "law",        "laws",          "lawsandregulations", "basedonlaws",
      "vitalinterest",   "vitalinterests", "protectionoflife", "publicinterest", "publichealth",
      "publictask",      "officialauthority", "stateagency", "cooperationwithstate", "academicresearch",
      "entrustment",     "businesssuccession", "jointuse"};
  for (auto e : exempt)
    if (k == e) return Basis::appi_exempt;
  if (k.rfind("appi271", 0) == 0 || k.rfind("appi275", 0) == 0 || k.rfind("art271", 0) == 0 ||
      k.rfind("article271", 0) == 0)
    return Basis::appi_exempt;
  return Basis::not_consent;
}

bool Record::is_export() const {
  std::string_view a = trim(action);
  if (a.size() != 6) return false;
  for (size_t i = 0; i < 6; ++i)
    if ((a[i] | 0x20) != "export"[i]) return false;
  return true;
}

namespace {

// consent-missing / purpose-mismatch / withdrawn / expired / recipient, the
// first that applies.
void judge_consent(const Ledger& L, const Record& r, int64_t sid, Verdict& v) {
  auto t = [&r]() { return format_time(r.at); };
  int64_t first = sid < 0 ? kNever : L.first_event(static_cast<uint32_t>(sid));
  if (first == kNever) {
    v.consent_rule = kMissing;
    v.consent_message = fmt::format("no consent event for this subject in the ledger (purpose '{}', processed {})",
                                    r.purpose, t());
    return;
  }
  if (first > r.at.us) {
    v.consent_rule = kMissing;
    v.consent_message = fmt::format(
        "no consent event for this subject at or before {} (purpose '{}'); the first is at {}", t(), r.purpose,
        format_time(Instant{first, 0}));
    return;
  }
  auto subject = static_cast<uint32_t>(sid);
  int64_t pid = L.purpose_id(r.purpose);
  const Event* e = pid < 0 ? nullptr : L.deciding(subject, static_cast<uint32_t>(pid), r.at.us);
  if (!e) {
    auto ps = L.purposes_before(subject, r.at.us);
    v.consent_rule = kPurposeMismatch;
    v.consent_message = fmt::format(
        "no consent event for purpose '{}' at or before {}; this subject's consent events are for {}", r.purpose,
        t(), quoted_list(L, L.purposes(), ps.data(), ps.size()));
    return;
  }
  if (is_withdrawal(e->state)) {
    v.consent_rule = kWithdrawn;
    v.consent_message = fmt::format("consent for purpose '{}' was {} at {} ({}); processed {}", r.purpose,
                                    to_string(e->state), when(*e), event_ref(L, *e), t());
    return;
  }
  if (e->state == State::expired) {
    v.consent_rule = kExpired;
    v.consent_message = fmt::format("consent for purpose '{}' was recorded expired at {} ({}); processed {}",
                                    r.purpose, when(*e), event_ref(L, *e), t());
    return;
  }
  if (r.at.us > e->end) {
    v.consent_rule = kExpired;
    v.consent_message = fmt::format("consent for purpose '{}' {} at {} ({}) ran out at {}; processed {}", r.purpose,
                                    to_string(e->state), when(*e), event_ref(L, *e),
                                    format_time(Instant{e->end, e->end_offset_min}), t());
    return;
  }
  if (r.is_export() && !L.names_recipient(*e, L.recipient_id(trim(r.recipient)))) {
    v.consent_rule = kRecipient;
    std::string named = e->nrecipients == 0
                            ? std::string("names no recipient")
                            : "names only " + quoted_list(L, L.recipients(), L.recipients_of(*e), e->nrecipients);
    v.consent_message = fmt::format("export to '{}' at {}: the consent for purpose '{}' {} at {} ({}) {}",
                                    trim(r.recipient), t(), r.purpose, to_string(e->state), when(*e),
                                    event_ref(L, *e), named);
  }
}

}  // namespace

Verdict evaluate(const Ledger& L, const Record& r) { return evaluate(L, r, L.subject_id(r.subject)); }

Verdict evaluate(const Ledger& L, const Record& r, int64_t subject_id) {
  Verdict v;
  Basis basis = classify_basis(r.basis);
  if (basis == Basis::consent) judge_consent(L, r, subject_id, v);
  if (r.is_export() && basis != Basis::appi_exempt) {
    std::string_view recipient = trim(r.recipient);
    if (!L.provision_covers(L.recipient_id(recipient), subject_id, r.at)) {
      v.provision_missing = true;
      v.provision_message = fmt::format(
          "export to '{}' at {} has no provision record (APPI Art. 29) naming the recipient and this subject, "
          "dated from {} to the export (or a bulk/contract record before it)",
          recipient, format_time(r.at), format_time(Instant{day_start(r.at), r.at.offset_min}));
    }
  }
  return v;
}

// ------------------------------------------------------------------ Checker

Checker::Checker(const Ledger& ledger, const Fingerprinter& fp, MyNumberDetector* detector, FieldOptions fields)
    : ledger_(ledger), fp_(fp), detector_(detector), fields_(std::move(fields)) {
  for (auto r : all_rules()) stats_.by_rule.emplace(std::string(r), 0);
  seen_known_.assign(ledger_.subjects().size(), false);
}

namespace {

// "/a/b" (JSON Pointer) → "a.b" (the table's flattened name).
std::string column_name(const std::string& name) {
  if (name.empty() || name[0] != '/') return name;
  std::string out;
  for (size_t i = 1; i < name.size(); ++i) out.push_back(name[i] == '/' ? '.' : name[i]);
  return out;
}

int find_column(const std::vector<std::string>& columns, const std::vector<std::string>& names) {
  for (auto& n : names) {
    std::string want = column_name(n);
    for (size_t i = 0; i < columns.size(); ++i)
      if (columns[i] == want) return static_cast<int>(i);
  }
  return -1;
}

std::string_view cell(const std::vector<std::string>& fields, int i) {
  return i >= 0 && static_cast<size_t>(i) < fields.size() ? trim(fields[static_cast<size_t>(i)])
                                                           : std::string_view();
}

std::string names_list(const std::vector<std::string>& names) {
  std::string s;
  for (auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

void Checker::resolve(const std::vector<std::string>& columns, Columns& c) const {
  if (c.resolved_for == columns.size()) return;
  c.subject = find_column(columns, fields_.subject);
  c.purpose = fields_.fixed_purpose.empty() ? find_column(columns, fields_.purpose) : -1;
  c.time = find_column(columns, fields_.time);
  c.action = find_column(columns, fields_.action);
  c.recipient = find_column(columns, fields_.recipient);
  c.basis = find_column(columns, fields_.basis);
  c.resolved_for = columns.size();
}

void Checker::count_subject(int64_t sid, std::string_view subject) {
  if (sid >= 0) seen_known_[static_cast<size_t>(sid)] = true;
  else if (!seen_unknown_.count(std::string(subject))) seen_unknown_.emplace(subject);
}

Finding Checker::make_finding(std::string_view rule, const std::string& path, uint64_t line, uint64_t record,
                              const std::string& field, std::string_view subject, std::string message) const {
  Finding f;
  f.rule = std::string(rule);
  f.severity = rule == kLedgerInvalid ? Severity::medium : Severity::high;
  f.confidence = Confidence::high;
  f.path = path;
  f.line = line;
  f.record = static_cast<int64_t>(record);
  f.field = field;
  if (!subject.empty()) {
    f.masked = mask_value(subject);
    f.fingerprint = fp_.fingerprint("subject", subject);
  }
  f.message = std::move(message);
  return f;
}

void Checker::check_record(const std::string& path, const std::vector<std::string>& columns,
                           const std::vector<std::string>& fields, uint64_t line, uint64_t record, Columns& c,
                           MyNumberColumns* mn, bool counted, std::vector<Finding>& findings,
                           std::vector<std::string>& problems) {
  resolve(columns, c);
  Record r;
  r.subject = cell(fields, c.subject);
  r.purpose = fields_.fixed_purpose.empty() ? cell(fields, c.purpose) : std::string_view(fields_.fixed_purpose);
  std::string_view time = cell(fields, c.time);
  auto skip = [&](std::string why) {
    ++stats_.skipped;
    problems.push_back(fmt::format("line {}: record {} not checked: {}", line, record, why));
  };
  if (r.subject.empty()) return skip(fmt::format("no subject (field {})", names_list(fields_.subject)));
  if (time.empty()) return skip(fmt::format("no time (field {})", names_list(fields_.time)));
  if (!parse_time(time, r.at)) return skip(fmt::format("invalid time '{}' (expected RFC 3339)", time));
  if (r.purpose.empty()) return skip(fmt::format("no purpose (field {})", names_list(fields_.purpose)));
  r.action = cell(fields, c.action);
  r.recipient = cell(fields, c.recipient);
  r.basis = cell(fields, c.basis);

  ++stats_.records;
  int64_t sid = ledger_.subject_id(r.subject);
  count_subject(sid, r.subject);
  bool exp = r.is_export();
  if (exp) ++stats_.exports;
  if (classify_basis(r.basis) != Basis::consent) ++stats_.exempt;
  const std::string& field = columns[static_cast<size_t>(c.subject)];
  Verdict v = evaluate(ledger_, r, sid);
  auto emit = [&](std::string_view rule, std::string msg) {
    ++stats_.by_rule.find(rule)->second;
    findings.push_back(make_finding(rule, path, line, record, field, r.subject, std::move(msg)));
  };
  if (!v.consent_rule.empty()) emit(v.consent_rule, std::move(v.consent_message));
  if (v.provision_missing) emit(kProvisionMissing, std::move(v.provision_message));
  if (exp && mn) {
    std::string col = mn->find(columns, fields, !counted);
    if (!col.empty())
      emit(kMyNumberExport,
           fmt::format("export to '{}' at {} carries a My Number (field '{}'): My Number Act Art. 19 limits its "
                       "provision to the cases the Act lists, whatever the consent",
                       r.recipient, format_time(r.at), col));
  }
}

void Checker::check_table(const std::string& path, TableReader& table, std::vector<Finding>& findings,
                          std::vector<InputError>& errors) {
  ++stats_.files;
  Columns c;
  std::vector<std::string> problems;
  if (!table.is_jsonl()) {
    resolve(table.columns(), c);
    std::string missing;
    if (c.subject < 0) missing = "a subject field (" + names_list(fields_.subject) + ")";
    else if (c.time < 0) missing = "a time field (" + names_list(fields_.time) + ")";
    else if (c.purpose < 0 && fields_.fixed_purpose.empty())
      missing = "a purpose field (" + names_list(fields_.purpose) + "; or give --purpose)";
    if (!missing.empty()) {
      errors.push_back({path, "no " + missing + " in the header; file not checked"});
      return;
    }
  }
  // The first records are read ahead so that My Number columns are judged
  // on their values before any export is checked.
  constexpr size_t kLookahead = 1024;
  std::unique_ptr<MyNumberColumns> mn = detector_ ? std::make_unique<MyNumberColumns>(*detector_) : nullptr;
  std::vector<Pending> ahead;
  std::vector<std::string> fields;
  while (ahead.size() < kLookahead && table.next(fields)) {
    if (mn) mn->observe(table.columns(), fields);
    ahead.push_back({fields, table.line(), table.record()});
  }
  for (auto& p : ahead)
    check_record(path, table.columns(), p.fields, p.line, p.record, c, mn.get(), true, findings, problems);
  ahead.clear();
  while (table.next(fields))
    check_record(path, table.columns(), fields, table.line(), table.record(), c, mn.get(), false, findings,
                 problems);

  for (auto& p : table.problems()) problems.push_back(p);
  if (table.malformed() > table.problems().size())
    problems.push_back(fmt::format("{} more malformed records", table.malformed() - table.problems().size()));
  if (table.failed()) problems.push_back(table.error());
  constexpr size_t kMaxListed = 20;
  for (size_t i = 0; i < problems.size() && i < kMaxListed; ++i) errors.push_back({path, problems[i]});
  if (problems.size() > kMaxListed)
    errors.push_back({path, fmt::format("{} more problems", problems.size() - kMaxListed)});
}

void Checker::ledger_findings(std::vector<Finding>& findings) {
  // One finding per ledger line; its problems joined.
  std::vector<const LedgerIssue*> issues;
  for (auto& i : ledger_.issues()) issues.push_back(&i);
  std::stable_sort(issues.begin(), issues.end(), [](const LedgerIssue* a, const LedgerIssue* b) {
    return std::tie(a->file, a->line) < std::tie(b->file, b->line);
  });
  for (size_t i = 0; i < issues.size();) {
    size_t j = i;
    std::string msg;
    uint64_t record = 0;
    while (j < issues.size() && issues[j]->file == issues[i]->file && issues[j]->line == issues[i]->line) {
      msg += (msg.empty() ? "" : "; ") + issues[j]->message;
      record = std::max(record, issues[j]->record);
      ++j;
    }
    Finding f = make_finding(kLedgerInvalid, ledger_.files()[issues[i]->file], issues[i]->line, record, "", "",
                             "ledger entry: " + msg);
    if (record == 0) f.record = -1;
    findings.push_back(std::move(f));
    ++stats_.by_rule.find(kLedgerInvalid)->second;
    i = j;
  }
}

std::string Checker::section_json() const {
  uint64_t subjects = seen_unknown_.size();
  for (bool b : seen_known_) subjects += b;
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("records").value(stats_.records);
  w.key("records_skipped").value(stats_.skipped);
  w.key("subjects").value(subjects);
  w.key("exports").value(stats_.exports);
  w.key("non_consent_basis").value(stats_.exempt);
  w.key("data_files").value(stats_.files);
  w.key("ledger_files").value(static_cast<uint64_t>(ledger_.files().size()));
  w.key("ledger_entries").value(ledger_.objects());
  w.key("ledger_events").value(ledger_.events());
  w.key("ledger_subjects").value(ledger_.consent_subjects());
  w.key("provision_records").value(ledger_.provisions());
  w.key("by_rule").begin_object();
  for (auto r : all_rules()) w.key(r).value(stats_.by_rule.find(r)->second);
  w.end_object();
  w.end_object();
  // Indented for its place in the report (a top-level key).
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::string nested;
  for (char ch : out) {
    nested.push_back(ch);
    if (ch == '\n') nested += "  ";
  }
  return nested;
}

// ---------------------------------------------------------------------- run

namespace {

uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

bool run_consent(const RunOptions& opts, const Fingerprinter& fp, Report& report, std::string& error) {
  Ledger ledger;
  for (auto& path : opts.ledgers) {
    if (!ledger.load_file(path, error)) return false;
    ++report.files;
    report.bytes += file_size(path);
  }
  ledger.finish();
  std::unique_ptr<MyNumberDetector> detector;
  if (opts.my_number_check) {
    detector = MyNumberDetector::create(error);
    if (!detector) return false;
  }
  Checker checker(ledger, fp, detector.get(), opts.fields);
  std::vector<Finding> findings;
  checker.ledger_findings(findings);
  for (auto& path : opts.data) {
    std::string err;
    std::unique_ptr<TableReader> table =
        path == "-" ? TableReader::open(std::make_unique<FdReader>(0, false), "-", TableOptions{}, err)
                    : TableReader::open_file(path, TableOptions{}, err);
    if (!table) {
      report.errors.push_back({path, err});
      continue;
    }
    ++report.files;
    report.bytes += file_size(path);
    checker.check_table(path, *table, findings, report.errors);
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.path, a.line, a.rule) < std::tie(b.path, b.line, b.rule);
  });
  report.findings = std::move(findings);
  report.sections.emplace_back("consent", checker.section_json());
  return true;
}

}  // namespace privaudit::consent
