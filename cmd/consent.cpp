// privaudit consent --ledger LEDGER DATA...: records processed without an
// active consent (or provision record) for their subject and purpose.
#include <chrono>
#include <memory>

#include "common.h"
#include "consent/check.h"
#include "crypto/fingerprint.h"

namespace privaudit::cli {

namespace {

struct ConsentArgs {
  CommonOptions common;
  std::vector<std::string> ledgers;
  std::vector<std::string> data;
  std::string subject_field, purpose_field, purpose, time_field, action_field, recipient_field, basis_field;
  std::string fail_on = "high";
  std::string key_file;
  bool allow_incomplete = false;
  bool no_my_number = false;
};

// Applies the --*-field options: a given name replaces the default list.
void set_field(const std::string& given, std::vector<std::string>& names) {
  if (!given.empty()) names = {given};
}

int run(ConsentArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  Report report;
  report.command = "consent";
  report.started_at = now_rfc3339();
  std::optional<Severity> gate;
  if (!parse_gate(a.fail_on, gate)) {
    print_error("--fail-on: expected info, low, medium, high, critical or never");
    return kExitError;
  }
  std::string err;
  Fingerprinter fp = Fingerprinter::random();
  if (!load_key(a.key_file, fp, report)) return kExitError;

  consent::RunOptions ro;
  ro.ledgers = a.ledgers;
  ro.data = a.data;
  ro.my_number_check = !a.no_my_number;
  set_field(a.subject_field, ro.fields.subject);
  set_field(a.purpose_field, ro.fields.purpose);
  ro.fields.fixed_purpose = a.purpose;
  set_field(a.time_field, ro.fields.time);
  set_field(a.action_field, ro.fields.action);
  set_field(a.recipient_field, ro.fields.recipient);
  set_field(a.basis_field, ro.fields.basis);
  if (!consent::run_consent(ro, fp, report, err)) {
    print_error(err);
    return kExitError;
  }
  report.duration_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  if (!write_reports(report, a.common)) return kExitError;
  return exit_code_for(report, gate, a.allow_incomplete);
}

}  // namespace

void register_consent(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ConsentArgs>();
  CLI::App* sub = app.add_subcommand(
      "consent", "Records processed without an active consent (or provision record) for their subject and purpose");
  sub->add_option("--ledger", a->ledgers,
                  "Consent ledger: JSONL (ISO/IEC TS 27560 / DPV names) or Kantara Consent Receipt JSON "
                  "(repeatable)")
      ->required()
      ->allow_extra_args(false);
  sub->add_option("data", a->data, "Processing logs or exports: CSV/TSV or JSONL, or - for stdin")->required();
  add_common_options(*sub, a->common);
  sub->add_option("--subject-field", a->subject_field,
                  "Field naming the subject (default: subject, subject_id, pii_principal_id, person_id)");
  auto* pf = sub->add_option("--purpose-field", a->purpose_field, "Field naming the purpose (default: purpose)");
  auto* pp = sub->add_option("--purpose", a->purpose, "Every record has this purpose");
  pf->excludes(pp);
  pp->excludes(pf);
  sub->add_option("--time-field", a->time_field,
                  "Field with the processing time, RFC 3339 (default: at, time, timestamp, processed_at)");
  sub->add_option("--action-field", a->action_field, "Field with the action; 'export' is checked for recipients "
                                                     "and provision records (default: action)");
  sub->add_option("--recipient-field", a->recipient_field, "Field naming an export's recipient (default: recipient)");
  sub->add_option("--basis-field", a->basis_field, "Field with the legal basis (default: basis, legal_basis)");
  sub->add_option("--fail-on", a->fail_on,
                  "Exit 1 on a finding at or above: info, low, medium, high, critical, never (default high)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical", "never"}));
  sub->add_option("--key-file", a->key_file, "Key for subject fingerprints (else PRIVAUDIT_KEY, else random per run)");
  sub->add_flag("--allow-incomplete", a->allow_incomplete, "Unreadable inputs or records are a warning, not exit 2");
  sub->add_flag("--no-my-number-check", a->no_my_number, "Do not look for My Numbers in exported records");
  sub->callback([a, &exit_code]() { exit_code = run(*a); });
}

}  // namespace privaudit::cli
