// The consent checks (SPEC "consent"): each processing record against the
// ledger, with the rules' precedence, the APPI Art. 29 provision-record check
// and the My Number Act Art. 19 export check; and the run that streams the
// data files and fills the report.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "consent/ledger.h"
#include "consent/my_number.h"
#include "consent/time.h"
#include "core/types.h"
#include "crypto/fingerprint.h"
#include "report/report.h"
#include "table/table.h"

namespace privaudit::consent {

// Rule ids, in the order of SPEC's table (the consent-* precedence first).
inline constexpr std::string_view kMissing = "consent-missing";
inline constexpr std::string_view kPurposeMismatch = "consent-purpose-mismatch";
inline constexpr std::string_view kWithdrawn = "consent-withdrawn";
inline constexpr std::string_view kExpired = "consent-expired";
inline constexpr std::string_view kRecipient = "consent-recipient";
inline constexpr std::string_view kProvisionMissing = "provision-record-missing";
inline constexpr std::string_view kMyNumberExport = "consent-my-number-export";
inline constexpr std::string_view kLedgerInvalid = "consent-ledger-invalid";
// Every rule, in report order of the section's by_rule.
const std::vector<std::string_view>& all_rules();

// Which checks a record's legal basis leaves.
enum class Basis {
  consent,        // empty, "consent", "dpv:Consent", "explicit_consent" ...: every check
  not_consent,    // contract, legitimate interest ...: no consent-* finding; provision records still apply
  appi_exempt,    // APPI Art. 27(1) items (legal obligation, vital interest, public interest/health,
                  // public task, academic research) and Art. 27(5) (entrustment, business
                  // succession, joint use): no consent-* finding and no provision record needed
};
Basis classify_basis(std::string_view basis);

// One processing record, as the checks see it.
struct Record {
  std::string_view subject, purpose, action, recipient, basis;
  Instant at;
  bool is_export() const;
};

// The ledger's verdict on one record (the My Number check needs the data and
// is made by Checker).
struct Verdict {
  std::string_view consent_rule;  // empty: no consent-* finding
  std::string consent_message;
  bool provision_missing = false;
  std::string provision_message;
};

// Judges one record: at most one consent-* rule (missing, purpose-mismatch,
// withdrawn, expired, recipient: the first that applies), and, for an
// export, whether a provision record covers it.
Verdict evaluate(const Ledger& ledger, const Record& r);
// The same with the subject's ledger id already looked up (-1: unknown).
Verdict evaluate(const Ledger& ledger, const Record& r, int64_t subject_id);

// Which fields of a data record hold what. Each list is tried in order; the
// first name present in the table is used.
struct FieldOptions {
  std::vector<std::string> subject{"subject", "subject_id", "pii_principal_id", "person_id"};
  std::vector<std::string> purpose{"purpose"};
  std::string fixed_purpose;  // --purpose: every record has this purpose
  std::vector<std::string> time{"at", "time", "timestamp", "processed_at"};
  std::vector<std::string> action{"action"};
  std::vector<std::string> recipient{"recipient"};
  std::vector<std::string> basis{"basis", "legal_basis"};
};

struct CheckStats {
  uint64_t records = 0;  // checked
  uint64_t skipped = 0;  // unusable (no subject, time or purpose)
  uint64_t exports = 0;
  uint64_t exempt = 0;   // legal basis other than consent
  uint64_t files = 0;
  std::map<std::string, uint64_t, std::less<>> by_rule;
};

class Checker {
 public:
  // `detector` may be null (no My Number check).
  Checker(const Ledger& ledger, const Fingerprinter& fp, MyNumberDetector* detector, FieldOptions fields);

  // Checks every record of one table, appending findings and the records it
  // could not use (as errors naming the line).
  void check_table(const std::string& path, TableReader& table, std::vector<Finding>& findings,
                   std::vector<InputError>& errors);
  // One consent-ledger-invalid finding per ledger line with problems.
  void ledger_findings(std::vector<Finding>& findings);
  // The report's "consent" section.
  std::string section_json() const;
  const CheckStats& stats() const { return stats_; }

 private:
  struct Columns {
    int subject = -1, purpose = -1, time = -1, action = -1, recipient = -1, basis = -1;
    size_t resolved_for = SIZE_MAX;  // column count they were resolved against
  };
  struct Pending {
    std::vector<std::string> fields;
    uint64_t line, record;
  };
  const Ledger& ledger_;
  const Fingerprinter& fp_;
  MyNumberDetector* detector_;
  FieldOptions fields_;
  CheckStats stats_;
  std::vector<bool> seen_known_;                   // data subjects known to the ledger
  std::unordered_set<std::string> seen_unknown_;  // and the others

  void resolve(const std::vector<std::string>& columns, Columns& c) const;
  void check_record(const std::string& path, const std::vector<std::string>& columns,
                    const std::vector<std::string>& fields, uint64_t line, uint64_t record, Columns& c,
                    MyNumberColumns* mn, bool counted, std::vector<Finding>& findings,
                    std::vector<std::string>& problems);
  Finding make_finding(std::string_view rule, const std::string& path, uint64_t line, uint64_t record,
                       const std::string& field, std::string_view subject, std::string message) const;
  void count_subject(int64_t sid, std::string_view subject);
};

// Everything one `privaudit consent` run needs.
struct RunOptions {
  std::vector<std::string> ledgers;
  std::vector<std::string> data;  // files, or "-" for stdin
  FieldOptions fields;
  bool my_number_check = true;
};

// Loads the ledgers, checks every data file, and fills the report: findings
// (sorted by path, line, rule), errors, inputs and the "consent" section.
// Returns false with `error` when a ledger cannot be read at all.
bool run_consent(const RunOptions& opts, const Fingerprinter& fp, Report& report, std::string& error);

}  // namespace privaudit::consent
