// Tests of `privaudit consent`: times and durations, each rule and their
// precedence, ledger errors, Kantara receipts, legal bases, My Number
// exports, the report section, the CLI, and a generated ledger + log checked
// against a brute-force reference written here.
#define BOOST_TEST_MODULE consent
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "consent/check.h"
#include "consent/ledger.h"
#include "consent/time.h"
#include "report/consent_section.h"
#include "report/report.h"

using namespace privaudit;
using namespace privaudit::consent;

namespace {

int64_t T(const char* s) {
  Instant i;
  BOOST_REQUIRE_MESSAGE(parse_time(s, i), s);
  return i.us;
}

Instant I(const char* s) {
  Instant i;
  BOOST_REQUIRE_MESSAGE(parse_time(s, i), s);
  return i;
}

std::string ledger_issues(const Ledger& L) {
  std::string s;
  for (auto& i : L.issues()) s += fmt::format("{}: {}\n", i.line, i.message);
  return s;
}

// A ledger from JSONL text, finished.
std::unique_ptr<Ledger> make_ledger(const std::string& text, const std::string& name = "ledger.jsonl") {
  auto L = std::make_unique<Ledger>();
  L->load_text(name, text);
  L->finish();
  return L;
}

struct Rec {
  std::string subject, purpose, action, recipient, basis;
  std::string at;
};

Verdict judge(const Ledger& L, const Rec& r) {
  Record x;
  x.subject = r.subject;
  x.purpose = r.purpose;
  x.action = r.action;
  x.recipient = r.recipient;
  x.basis = r.basis;
  x.at = I(r.at.c_str());
  return evaluate(L, x);
}

std::string rule_of(const Ledger& L, const Rec& r) { return std::string(judge(L, r).consent_rule); }

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/consent_test.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = path + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

std::string read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kGiven =
    R"({"kind":"consent","record_id":"cr-001","subject":"p1","controller":"city-a","purpose":"tax-notice","state":"given","at":"2024-04-01T09:00:00+09:00","validity":"P365D","recipients":["welfare-office"]})";

}  // namespace

// ------------------------------------------------------------------- time

BOOST_AUTO_TEST_CASE(parses_rfc3339_times) {
  BOOST_TEST(T("2024-04-01T09:00:00+09:00") == T("2024-04-01T00:00:00Z"));
  BOOST_TEST(T("2024-04-01T00:00:00z") == T("2024-04-01 00:00:00+00:00"));
  BOOST_TEST(T("2024-04-01T09:00:00+0900") == T("2024-04-01T00:00:00Z"));
  BOOST_TEST(T("2024-04-01T09:00:00+09") == T("2024-04-01T00:00:00Z"));
  BOOST_TEST(T("2024-04-01T00:00:00.250Z") - T("2024-04-01T00:00:00Z") == 250000);
  BOOST_TEST(T("2024-04-01T00:00:00.123456789Z") - T("2024-04-01T00:00:00Z") == 123456);
  BOOST_TEST(T("2024-04-01") == T("2024-04-01T00:00:00Z"));  // date only: start of day, UTC
  BOOST_TEST(T("2024-04-01T00:00") == T("2024-04-01T00:00:00Z"));  // no offset: UTC
  BOOST_TEST(T("1970-01-01T00:00:00Z") == 0);
  BOOST_TEST(T("2024-02-29T00:00:00Z") - T("2024-02-28T00:00:00Z") == int64_t{86400} * 1000000);
  Instant x;
  for (const char* bad : {"", "2024-4-01", "2023-02-29", "2024-13-01", "2024-04-31", "2024-04-01T25:00:00Z",
                          "2024-04-01T09:00:00+24:00", "2024-04-01T09:00:00 junk", "1711929600", "2024/04/01"})
    BOOST_TEST(!parse_time(bad, x), bad);
}

BOOST_AUTO_TEST_CASE(formats_in_the_written_offset) {
  BOOST_TEST(format_time(I("2024-04-01T09:00:00+09:00")) == "2024-04-01T09:00:00+09:00");
  BOOST_TEST(format_time(I("2024-04-01T09:00:00.5-05:30")) == "2024-04-01T09:00:00.5-05:30");
  BOOST_TEST(format_time(I("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59Z");
  BOOST_TEST(format_time(from_epoch_seconds(1711929600)) == "2024-04-01T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(day_start_is_local) {
  // 00:30 in Tokyo is 15:30Z the day before; its day began at 15:00Z.
  BOOST_TEST(day_start(I("2024-04-02T00:30:00+09:00")) == T("2024-04-01T15:00:00Z"));
  BOOST_TEST(day_start(I("2024-04-01T23:30:00-05:00")) == T("2024-04-01T05:00:00Z"));
  BOOST_TEST(day_start(I("1969-12-31T12:00:00Z")) == T("1969-12-31T00:00:00Z"));
}

BOOST_AUTO_TEST_CASE(parses_iso8601_durations) {
  Duration d;
  BOOST_REQUIRE(parse_duration("P365D", d));
  BOOST_TEST(d.us == int64_t{365} * 86400 * 1000000);
  BOOST_REQUIRE(parse_duration("P1Y6M", d));
  BOOST_TEST((d.years == 1 && d.months == 6 && d.us == 0));
  BOOST_REQUIRE(parse_duration("P2W", d));
  BOOST_TEST(d.us == int64_t{14} * 86400 * 1000000);
  BOOST_REQUIRE(parse_duration("PT12H", d));
  BOOST_TEST(d.us == int64_t{12} * 3600 * 1000000);
  BOOST_REQUIRE(parse_duration("P1DT1H30M0.5S", d));
  BOOST_TEST(d.us == (int64_t{86400 + 5400} * 1000000 + 500000));
  BOOST_REQUIRE(parse_duration("PT1M", d));  // minutes after T
  BOOST_TEST(d.us == 60000000);
  for (const char* bad : {"", "P", "PT", "P1H", "1D", "-P1D", "P1.5Y", "P1M1Y", "P1DT", "PXD", "P1D2"})
    BOOST_TEST(!parse_duration(bad, d), bad);
}

BOOST_AUTO_TEST_CASE(calendar_arithmetic) {
  Duration m1{0, 1, 0}, y1{1, 0, 0};
  auto plus = [](const char* t, const Duration& d) { return format_time(add_duration(I(t), d)); };
  BOOST_TEST(plus("2024-01-31T10:00:00Z", m1) == "2024-02-29T10:00:00Z");  // leap year month end
  BOOST_TEST(plus("2023-01-31T10:00:00Z", m1) == "2023-02-28T10:00:00Z");
  BOOST_TEST(plus("2024-03-31T10:00:00Z", m1) == "2024-04-30T10:00:00Z");
  BOOST_TEST(plus("2024-12-31T10:00:00Z", m1) == "2025-01-31T10:00:00Z");
  BOOST_TEST(plus("2024-02-29T10:00:00Z", y1) == "2025-02-28T10:00:00Z");
  BOOST_TEST(plus("2024-02-29T10:00:00Z", Duration{4, 0, 0}) == "2028-02-29T10:00:00Z");
  // Calendar months count in the time's own offset: Jan 31 01:00 in Tokyo
  // is Jan 30 in UTC, but one month later is Feb 29 in Tokyo.
  BOOST_TEST(plus("2024-01-31T01:00:00+09:00", m1) == "2024-02-29T01:00:00+09:00");
  Duration d;
  BOOST_REQUIRE(parse_duration("P1Y6M", d));
  BOOST_TEST(plus("2024-08-31T00:00:00Z", d) == "2026-02-28T00:00:00Z");
}

// ----------------------------------------------------------------- ledger

BOOST_AUTO_TEST_CASE(reads_states_and_aliases) {
  State s;
  BOOST_TEST((parse_state("given", s) && s == State::given));
  BOOST_TEST((parse_state("dpv:ConsentWithdrawn", s) && s == State::withdrawn));
  BOOST_TEST((parse_state("dpv:RenewedConsentGiven", s) && s == State::renewed));
  BOOST_TEST((parse_state("https://w3id.org/dpv#ConsentRevoked", s) && s == State::revoked));
  BOOST_TEST((parse_state("dpv:ConsentInvalidated", s) && s == State::invalidated));
  BOOST_TEST((parse_state("dpv:ConsentExpired", s) && s == State::expired));
  BOOST_TEST((parse_state("dpv:ConsentRefused", s) && s == State::refused));
  BOOST_TEST(!parse_state("dpv:ConsentRequested", s));
  BOOST_TEST(!parse_state("maybe", s));
  auto L = make_ledger(
      R"({"pii_principal_id":"p1","purpose":"tax","event_state":"dpv:ConsentGiven","event_time":"2024-04-01T00:00:00Z"})"
      "\n");
  BOOST_TEST(L->issues().empty(), ledger_issues(*L));
  BOOST_TEST(L->events() == 1u);
  BOOST_TEST(rule_of(*L, {"p1", "tax", "use", "", "", "2024-04-02T00:00:00Z"}) == "");
}

BOOST_AUTO_TEST_CASE(ledger_errors_name_their_lines) {
  auto L = make_ledger(std::string(kGiven) + "\n" +
                       "{not json\n"                                                                    // 2
                       R"({"kind":"consent","subject":"p1","state":"given","at":"2024-04-01T00:00:00Z"})"  // 3
                       "\n"
                       R"({"kind":"consent","subject":"p1","purpose":"tax","state":"perhaps","at":"2024-04-01T00:00:00Z"})"  // 4
                       "\n"
                       R"({"kind":"consent","subject":"p2","purpose":"tax","state":"withdrawn","at":"2024-04-01T00:00:00Z"})"  // 5
                       "\n"
                       R"({"kind":"consent","subject":"p1","purpose":"tax-notice","state":"renewed","at":"2024-03-01T00:00:00Z"})"  // 6
                       "\n"
                       R"({"kind":"provision","recipient":"x","at":"2024-04-01T00:00:00Z"})"  // 7
                       "\n"
                       R"({"kind":"consent","subject":"p1","purpose":"tax","state":"given","at":"2024-04-01","validity":"one year"})"  // 8
                       "\n\n"
                       R"({"kind":"consent","subject":"p1","purpose":"tax","state":"given","at":"yesterday"})"  // 10
                       "\n"
                       R"({"kind":"receipt","subject":"p1"})"  // 11
                       "\n"
                       R"({"kind":"provision","recipient":"x","at":"2024-04-01T00:00:00Z","subjects":["p1"],"record_mode":"weekly"})"  // 12
                       "\n"
                       R"([1,2])"  // 13
                       "\n");
  std::map<uint64_t, std::string> by_line;
  for (auto& i : L->issues()) by_line[i.line] += i.message;
  BOOST_TEST(by_line.size() == 11u, ledger_issues(*L));
  BOOST_TEST(by_line[2].find("not valid JSON") != std::string::npos);
  BOOST_TEST(by_line[3].find("lacks required field purpose") != std::string::npos);
  BOOST_TEST(by_line[4].find("unknown state 'perhaps'") != std::string::npos);
  BOOST_TEST(by_line[5].find("never given") != std::string::npos);
  BOOST_TEST(by_line[6].find("out of time order") != std::string::npos);
  BOOST_TEST(by_line[7].find("lacks required field subjects") != std::string::npos);
  BOOST_TEST(by_line[8].find("invalid validity") != std::string::npos);
  BOOST_TEST(by_line[10].find("invalid time") != std::string::npos);
  BOOST_TEST(by_line[11].find("unknown kind") != std::string::npos);
  BOOST_TEST(by_line[12].find("record_mode") != std::string::npos);
  BOOST_TEST(by_line[13].find("JSON object") != std::string::npos);
  // Semantic problems keep the event: the withdrawal on line 5 decides.
  BOOST_TEST(rule_of(*L, {"p2", "tax", "use", "", "", "2024-05-01T00:00:00Z"}) == "consent-withdrawn");
  // A withdrawal after the given event is fine; one at the same instant after it in the file too.
  auto ok = make_ledger(std::string(kGiven) + "\n" +
                        R"({"kind":"consent","subject":"p1","purpose":"tax-notice","state":"withdrawn","at":"2024-04-01T09:00:00+09:00"})"
                        "\n");
  BOOST_TEST(ok->issues().empty(), ledger_issues(*ok));
}

BOOST_AUTO_TEST_CASE(reads_spec_example_and_checks_each_rule) {
  auto L = make_ledger(std::string(kGiven) + "\n" +
                       R"({"kind":"consent","record_id":"cr-001","subject":"p1","purpose":"tax-notice","state":"withdrawn","at":"2024-06-01T12:00:00+09:00"})"
                       "\n"
                       R"({"kind":"provision","provider":"city-a","recipient":"welfare-office","at":"2024-05-01T00:00:00+09:00","subjects":["p1"],"categories":["contact","income"],"basis":"consent","consent_record_ids":["cr-001"]})"
                       "\n");
  BOOST_TEST(L->issues().empty(), ledger_issues(*L));
  BOOST_TEST(L->events() == 2u);
  BOOST_TEST(L->provisions() == 1u);
  // Covered: consent given, export to a named recipient with a same-day provision record.
  auto v = judge(*L, {"p1", "tax-notice", "export", "welfare-office", "", "2024-05-01T10:00:00+09:00"});
  BOOST_TEST(v.consent_rule == "");
  BOOST_TEST(!v.provision_missing);
  BOOST_TEST(rule_of(*L, {"p9", "tax-notice", "use", "", "", "2024-05-01T10:00:00+09:00"}) == "consent-missing");
  BOOST_TEST(rule_of(*L, {"p1", "tax-notice", "use", "", "", "2024-04-01T08:59:59+09:00"}) == "consent-missing");
  BOOST_TEST(rule_of(*L, {"p1", "tax-notice", "use", "", "", "2024-04-01T09:00:00+09:00"}) == "");  // at the event
  BOOST_TEST(rule_of(*L, {"p1", "marketing", "use", "", "", "2024-05-01T10:00:00+09:00"}) ==
             "consent-purpose-mismatch");
  BOOST_TEST(rule_of(*L, {"p1", "tax-notice", "use", "", "", "2024-06-01T12:00:00+09:00"}) == "consent-withdrawn");
  BOOST_TEST(rule_of(*L, {"p1", "tax-notice", "export", "police", "", "2024-05-01T10:00:00+09:00"}) ==
             "consent-recipient");
  // The next day, the "each" provision record no longer covers.
  v = judge(*L, {"p1", "tax-notice", "export", "welfare-office", "", "2024-05-02T00:00:00+09:00"});
  BOOST_TEST(v.provision_missing);
  BOOST_TEST(v.provision_message.find("2024-05-02T00:00:00+09:00") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(expiry_by_validity_and_expires) {
  auto L = make_ledger(
      R"({"subject":"p1","purpose":"a","state":"given","at":"2024-01-31T10:00:00Z","validity":"P1M"})"
      "\n"
      R"({"subject":"p1","purpose":"b","state":"given","at":"2024-01-01T00:00:00Z","expires":"2024-03-01T00:00:00+09:00"})"
      "\n"
      R"({"subject":"p1","purpose":"c","state":"given","at":"2024-01-01T00:00:00Z","validity":"P1Y","expires":"2024-02-01T00:00:00Z"})"
      "\n"
      R"({"subject":"p1","purpose":"d","state":"given","at":"2024-01-01T00:00:00Z","validity":"PT12H"})"
      "\n"
      R"({"subject":"p1","purpose":"d","state":"renewed","at":"2024-01-02T00:00:00Z","validity":"PT12H"})"
      "\n"
      R"({"subject":"p1","purpose":"e","state":"given","at":"2024-01-01T00:00:00Z"})"
      "\n"
      R"({"subject":"p1","purpose":"e","state":"dpv:ConsentExpired","at":"2024-06-01T00:00:00Z"})"
      "\n");
  BOOST_TEST(L->issues().empty(), ledger_issues(*L));
  auto at = [&](const char* purpose, const char* t) { return rule_of(*L, {"p1", purpose, "use", "", "", t}); };
  BOOST_TEST(at("a", "2024-02-29T10:00:00Z") == "");  // month end, leap year: valid through Feb 29 10:00
  BOOST_TEST(at("a", "2024-02-29T10:00:01Z") == "consent-expired");
  BOOST_TEST(at("b", "2024-02-29T14:59:59Z") == "");
  BOOST_TEST(at("b", "2024-02-29T15:00:01Z") == "consent-expired");
  BOOST_TEST(at("c", "2024-02-01T00:00:01Z") == "consent-expired");  // the earlier of validity and expires
  BOOST_TEST(at("d", "2024-01-01T13:00:00Z") == "consent-expired");
  BOOST_TEST(at("d", "2024-01-02T11:00:00Z") == "");  // renewed
  BOOST_TEST(at("e", "2030-01-01T00:00:00Z") == "consent-expired");
  BOOST_TEST(at("e", "2024-05-31T00:00:00Z") == "");
}

BOOST_AUTO_TEST_CASE(precedence_of_consent_rules) {
  // p1 purpose a: given with validity PT1H and no recipients, then withdrawn.
  auto L = make_ledger(
      R"({"subject":"p1","purpose":"a","state":"given","at":"2024-01-01T00:00:00Z","validity":"PT1H"})"
      "\n"
      R"({"subject":"p1","purpose":"a","state":"withdrawn","at":"2024-01-02T00:00:00Z"})"
      "\n"
      R"({"subject":"p1","purpose":"b","state":"given","at":"2024-01-03T00:00:00Z"})"
      "\n");
  // Before any event: missing, even for an export to an unnamed recipient.
  BOOST_TEST(rule_of(*L, {"p1", "a", "export", "x", "", "2023-12-31T00:00:00Z"}) == "consent-missing");
  // Purpose b does not exist yet on Jan 2: mismatch beats everything after.
  BOOST_TEST(rule_of(*L, {"p1", "b", "export", "x", "", "2024-01-02T12:00:00Z"}) == "consent-purpose-mismatch");
  // Withdrawn beats expired (the given event ran out too) and recipient.
  BOOST_TEST(rule_of(*L, {"p1", "a", "export", "x", "", "2024-01-02T12:00:00Z"}) == "consent-withdrawn");
  // Expired beats recipient.
  BOOST_TEST(rule_of(*L, {"p1", "a", "export", "x", "", "2024-01-01T02:00:00Z"}) == "consent-expired");
  // In force, exported to a recipient it does not name (it names none).
  BOOST_TEST(rule_of(*L, {"p1", "a", "export", "x", "", "2024-01-01T00:30:00Z"}) == "consent-recipient");
  BOOST_TEST(rule_of(*L, {"p1", "a", "EXPORT", "x", "", "2024-01-01T00:30:00Z"}) == "consent-recipient");
  BOOST_TEST(rule_of(*L, {"p1", "a", "use", "x", "", "2024-01-01T00:30:00Z"}) == "");
  // provision-record-missing is judged on its own.
  auto v = judge(*L, {"p1", "a", "export", "x", "", "2023-12-31T00:00:00Z"});
  BOOST_TEST(v.consent_rule == "consent-missing");
  BOOST_TEST(v.provision_missing);
}

BOOST_AUTO_TEST_CASE(time_zones_decide_order) {
  // An event at 23:00Z on Apr 1 is after a record at 00:30+09:00 on Apr 2 (15:30Z Apr 1).
  auto L = make_ledger(
      R"({"subject":"p1","purpose":"a","state":"given","at":"2024-04-01T23:00:00Z","recipients":["r"]})"
      "\n"
      R"({"kind":"provision","recipient":"r","subjects":["p1"],"at":"2024-04-01T14:59:59Z"})"
      "\n"
      R"({"kind":"provision","recipient":"r","subjects":["p2"],"at":"2024-04-01T15:00:00Z"})"
      "\n"
      R"({"subject":"p2","purpose":"a","state":"given","at":"2024-04-01T15:00:00Z","recipients":["r"]})"
      "\n");
  BOOST_TEST(L->issues().empty(), ledger_issues(*L));
  auto v = judge(*L, {"p1", "a", "export", "r", "", "2024-04-02T00:30:00+09:00"});
  BOOST_TEST(v.consent_rule == "consent-missing");
  // The p1 provision record is one second before the export's local day began.
  BOOST_TEST(v.provision_missing);
  BOOST_TEST(rule_of(*L, {"p1", "a", "use", "", "", "2024-04-02T08:00:00+09:00"}) == "");
  // p2's record is at the very start of the export's local day: covers.
  v = judge(*L, {"p2", "a", "export", "r", "", "2024-04-02T00:30:00+09:00"});
  BOOST_TEST(v.consent_rule == "");
  BOOST_TEST(!v.provision_missing);
  // Seen from UTC the same export is on Apr 1, when the p1 record also counts.
  BOOST_TEST(!judge(*L, {"p1", "a", "export", "r", "", "2024-04-01T15:30:00Z"}).provision_missing);
}

BOOST_AUTO_TEST_CASE(provision_record_modes) {
  auto L = make_ledger(
      R"({"subject":"p1","purpose":"a","state":"given","at":"2024-01-01T00:00:00Z","recipients":["r","s"]})"
      "\n"
      R"({"kind":"provision","recipient":"r","subjects":["p1"],"at":"2024-01-01T00:00:00Z","record_mode":"bulk"})"
      "\n"
      R"({"kind":"provision","recipient":"s","subjects":"p1","at":"2024-01-01T00:00:00Z","record_mode":"contract"})"
      "\n"
      R"({"kind":"provision","recipient":"t","subjects":["p1"],"at":"2024-03-01T00:00:00Z"})"
      "\n");
  BOOST_TEST(L->issues().empty(), ledger_issues(*L));
  BOOST_TEST(!judge(*L, {"p1", "a", "export", "r", "", "2024-06-01T00:00:00Z"}).provision_missing);
  BOOST_TEST(!judge(*L, {"p1", "a", "export", "s", "", "2024-06-01T00:00:00Z"}).provision_missing);
  BOOST_TEST(judge(*L, {"p1", "a", "export", "r", "", "2023-12-31T23:59:59Z"}).provision_missing);
  BOOST_TEST(judge(*L, {"p1", "a", "export", "t", "", "2024-03-02T00:00:00Z"}).provision_missing);
  BOOST_TEST(!judge(*L, {"p1", "a", "export", "t", "", "2024-03-01T23:59:59Z"}).provision_missing);
  BOOST_TEST(judge(*L, {"p2", "a", "export", "r", "", "2024-06-01T00:00:00Z"}).provision_missing);
  BOOST_TEST(!judge(*L, {"p1", "a", "use", "r", "", "2024-06-01T00:00:00Z"}).provision_missing);
}

BOOST_AUTO_TEST_CASE(legal_bases) {
  BOOST_TEST((classify_basis("") == Basis::consent));
  BOOST_TEST((classify_basis("dpv:Consent") == Basis::consent));
  BOOST_TEST((classify_basis("explicit_consent") == Basis::consent));
  BOOST_TEST((classify_basis("legal_obligation") == Basis::appi_exempt));
  BOOST_TEST((classify_basis("dpv:LegalObligation") == Basis::appi_exempt));
  BOOST_TEST((classify_basis("vital_interest") == Basis::appi_exempt));
  BOOST_TEST((classify_basis("public_interest") == Basis::appi_exempt));
  BOOST_TEST((classify_basis("APPI-27-1") == Basis::appi_exempt));
  BOOST_TEST((classify_basis("contract") == Basis::not_consent));
  BOOST_TEST((classify_basis("legitimate_interest") == Basis::not_consent));
  auto L = make_ledger("");
  auto v = judge(*L, {"p1", "a", "export", "r", "legal_obligation", "2024-01-01T00:00:00Z"});
  BOOST_TEST(v.consent_rule == "");
  BOOST_TEST(!v.provision_missing);
  v = judge(*L, {"p1", "a", "export", "r", "contract", "2024-01-01T00:00:00Z"});
  BOOST_TEST(v.consent_rule == "");
  BOOST_TEST(v.provision_missing);
  v = judge(*L, {"p1", "a", "export", "r", "consent", "2024-01-01T00:00:00Z"});
  BOOST_TEST(v.consent_rule == "consent-missing");
}

BOOST_AUTO_TEST_CASE(kantara_receipts) {
  const std::string receipt = R"({
  "version": "KI-CR-v1.1.0",
  "jurisdiction": "JP",
  "consentTimestamp": 1711929600,
  "collectionMethod": "web form",
  "consentReceiptID": "0a5b6c1e-0000-4000-8000-000000000001",
  "language": "ja",
  "piiPrincipalId": "p1",
  "piiControllers": [{"piiController": "City A", "contact": "privacy", "address": {}, "email": "privacy@example.jp", "phone": "00-0000-0000"}],
  "policyUrl": "https://example.jp/privacy",
  "services": [{"service": "tax", "purposes": [
    {"purpose": "tax-notice", "purposeCategory": ["notification"], "consentType": "EXPLICIT",
     "piiCategory": ["contact"], "primaryPurpose": true, "termination": "P1Y",
     "thirdPartyDisclosure": true, "thirdPartyName": "welfare-office"}]}],
  "sensitive": false
})";
  auto L = make_ledger(receipt, "receipt.json");
  BOOST_TEST(L->issues().empty(), ledger_issues(*L));
  BOOST_TEST(L->events() == 2u);  // purpose and its category
  BOOST_TEST(rule_of(*L, {"p1", "tax-notice", "export", "welfare-office", "", "2024-04-02T00:00:00Z"}) == "");
  BOOST_TEST(rule_of(*L, {"p1", "notification", "use", "", "", "2024-04-02T00:00:00Z"}) == "");
  BOOST_TEST(rule_of(*L, {"p1", "tax-notice", "use", "", "", "2024-03-31T23:59:59Z"}) == "consent-missing");
  BOOST_TEST(rule_of(*L, {"p1", "tax-notice", "use", "", "", "2025-04-02T00:00:00Z"}) == "consent-expired");
  BOOST_TEST(rule_of(*L, {"p1", "tax-notice", "export", "police", "", "2024-04-02T00:00:00Z"}) ==
             "consent-recipient");
  // An array of receipts; a bad one is reported on its own line.
  std::string arr = "[\n" + receipt + ",\n" + R"({"piiPrincipalId":"p2","services":[]})" + "\n]\n";
  auto A = make_ledger(arr, "receipts.json");
  BOOST_REQUIRE(A->issues().size() == 1u);
  BOOST_TEST(A->issues()[0].line == 18u);
  BOOST_TEST(A->issues()[0].record == 2u);
  BOOST_TEST(A->events() == 2u);
  // A receipt as one JSONL line.
  std::string one_line = receipt;
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  auto J = make_ledger(one_line + "\n");
  BOOST_TEST(J->issues().empty(), ledger_issues(*J));
  BOOST_TEST(J->events() == 2u);
}

// ------------------------------------------------------ run and My Number

namespace {

// The My Number check digit (My Number Act enforcement ordinance Art. 5),
// written independently of lib/validate.
char my_number_check_digit(const std::string& d11) {
  int sum = 0;
  for (int n = 1; n <= 11; ++n) {
    int p = d11[static_cast<size_t>(11 - n)] - '0';
    int q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  int r = sum % 11;
  return static_cast<char>('0' + (r <= 1 ? 0 : 11 - r));
}

std::string make_my_number(std::mt19937_64& rng) {
  std::string d;
  for (int i = 0; i < 11; ++i) d.push_back(static_cast<char>('0' + rng() % 10));
  return d + my_number_check_digit(d);
}

}  // namespace

BOOST_AUTO_TEST_CASE(my_number_check_digit_reference) {
  BOOST_TEST(my_number_check_digit("12345678901") == '8');  // the published example 1234 5678 9018
}

BOOST_AUTO_TEST_CASE(my_number_exports_and_report) {
  TempDir dir;
  std::string ledger = dir.write("ledger.jsonl",
                                 R"({"subject":"p1","purpose":"a","state":"given","at":"2024-01-01T00:00:00Z","recipients":["r"]})"
                                 "\n"
                                 R"({"kind":"provision","recipient":"r","subjects":["p1"],"at":"2024-01-01T00:00:00Z","record_mode":"bulk"})"
                                 "\n"
                                 "garbage\n");
  // my_number holds valid My Numbers (named, and grouped or full-width);
  // order_no holds a value that passes the check by chance (named as
  // something else); code holds unnamed values that mostly fail.
  std::string data = dir.write(
      "log.csv",
      "subject,purpose,at,action,recipient,my_number,order_no,code\n"
      "p1,a,2024-02-01T00:00:00Z,export,r,1234-5678-9018,,\n"               // 2: my number
      "p1,a,2024-02-01T00:00:00Z,export,r,,123456789018,\n"                 // 3: order number only
      "p1,a,2024-02-01T00:00:00Z,use,r,123456789018,,\n"                    // 4: not an export
      "p1,a,2024-02-01T00:00:00Z,export,r,,,123456789018\n"                 // 5: unnamed column at chance rate
      "p1,a,2024-02-01T00:00:00Z,export,r,,,123456789010\n"
      "p1,a,2024-02-01T00:00:00Z,export,r,,,123456789011\n"
      "p1,a,2024-02-01T00:00:00Z,export,r,\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96"
      "\xEF\xBC\x97\xEF\xBC\x98\xEF\xBC\x99\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x98,,\n"  // 8: full-width
      "p1,a,2024-02-01T00:00:00Z,export,r,123456789019,,\n"                 // 9: invalid check digit
      "p1,a,not-a-time,use,r,,,\n"                                          // 10: skipped
      "p9,a,2024-02-01T09:00:00+09:00,use,r,,,\n");                          // 11: missing
  RunOptions ro;
  ro.ledgers = {ledger};
  ro.data = {data};
  Report report;
  std::string err;
  Fingerprinter fp("k", true);
  BOOST_REQUIRE_MESSAGE(run_consent(ro, fp, report, err), err);
  std::map<std::string, std::vector<uint64_t>> lines;
  for (auto& f : report.findings) lines[f.rule].push_back(f.line);
  BOOST_TEST(lines["consent-my-number-export"] == (std::vector<uint64_t>{2, 8}), fmt::format("{}", fmt::join(lines["consent-my-number-export"], ",")));
  BOOST_TEST(lines["consent-missing"] == std::vector<uint64_t>{11});
  BOOST_TEST(lines["consent-ledger-invalid"] == std::vector<uint64_t>{3});
  BOOST_TEST(report.findings.size() == 4u);
  BOOST_REQUIRE(report.errors.size() == 1u);
  BOOST_TEST(report.errors[0].error.find("line 10") != std::string::npos);
  for (auto& f : report.findings) {
    if (f.rule == "consent-ledger-invalid") {
      BOOST_TEST(f.path == ledger);
      BOOST_TEST((f.severity == Severity::medium));
      continue;
    }
    BOOST_TEST(f.path == data);
    BOOST_TEST((f.severity == Severity::high));
    BOOST_TEST(f.field == "subject");
    BOOST_TEST(f.masked == (f.rule == "consent-missing" ? "*9" : "*1"));
    BOOST_TEST(f.fingerprint == fp.fingerprint("subject", f.rule == "consent-missing" ? "p9" : "p1"));
    BOOST_TEST(f.record == static_cast<int64_t>(f.line - 1));
    BOOST_TEST(!f.message.empty());
  }
  BOOST_REQUIRE(report.sections.size() == 1u);
  const std::string& sec = report.sections[0].second;
  BOOST_TEST(sec.find("\"records\": 9") != std::string::npos, sec);
  BOOST_TEST(sec.find("\"records_skipped\": 1") != std::string::npos, sec);
  BOOST_TEST(sec.find("\"subjects\": 2") != std::string::npos, sec);
  BOOST_TEST(sec.find("\"ledger_events\": 1") != std::string::npos, sec);
  BOOST_TEST(sec.find("\"provision_records\": 1") != std::string::npos, sec);
  BOOST_TEST(sec.find("\"consent-my-number-export\": 2") != std::string::npos, sec);
  BOOST_TEST(render_consent_text(sec).find("consent-my-number-export") != std::string::npos);
  BOOST_TEST(render_consent_html(sec).find("<code>consent-ledger-invalid</code></td><td>1<") != std::string::npos);
  BOOST_TEST(render_consent_markdown(sec).find("| records checked | 9 |") != std::string::npos);
  // No report text holds the My Number.
  std::string json = render_json(report);
  BOOST_TEST(json.find("123456789018") == std::string::npos);
  BOOST_TEST(json.find("9018") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(jsonl_data_and_field_options) {
  TempDir dir;
  std::string ledger = dir.write("ledger.jsonl",
                                 R"({"subject":"u1","purpose":"mail","state":"given","at":"2024-01-01T00:00:00Z"})"
                                 "\n");
  std::string data = dir.write(
      "log.jsonl",
      R"({"who":{"id":"u1"},"when":"2024-02-01T00:00:00Z","what":"send"})"
      "\n"
      R"({"who":{"id":"u2"},"when":"2024-02-01T00:00:00Z","what":"send"})"
      "\n"
      "{broken\n"
      R"({"who":{"id":"u1"},"when":"2023-02-01T00:00:00Z","what":"send"})"
      "\n");
  RunOptions ro;
  ro.ledgers = {ledger};
  ro.data = {data};
  ro.fields.subject = {"/who/id"};
  ro.fields.time = {"when"};
  ro.fields.fixed_purpose = "mail";
  Report report;
  std::string err;
  Fingerprinter fp("k", true);
  BOOST_REQUIRE_MESSAGE(run_consent(ro, fp, report, err), err);
  BOOST_REQUIRE(report.findings.size() == 2u);
  BOOST_TEST(report.findings[0].line == 2u);
  BOOST_TEST(report.findings[1].line == 4u);
  BOOST_TEST(report.findings[1].record == 3);
  BOOST_TEST(report.findings[0].field == "who.id");
  BOOST_TEST(report.errors.size() == 1u);  // the broken line
  // A CSV without a subject column is an error naming the file.
  std::string bad = dir.write("bad.csv", "name,at\nx,2024-01-01\n");
  ro.data = {bad};
  ro.fields = FieldOptions{};
  Report r2;
  BOOST_REQUIRE(run_consent(ro, fp, r2, err));
  BOOST_REQUIRE(r2.errors.size() == 1u);
  BOOST_TEST(r2.errors[0].error.find("subject") != std::string::npos);
  // An unreadable ledger is a configuration error.
  ro.ledgers = {dir.path + "/nope.jsonl"};
  Report r3;
  BOOST_TEST(!run_consent(ro, fp, r3, err));
  BOOST_TEST(err.find("nope.jsonl") != std::string::npos);
}

// --------------------------------------------------------------------- CLI

namespace {

int run_cli(const std::string& args, const std::string& out) {
  std::string cmd = std::string(PRIVAUDIT_BIN) + " " + args + " > '" + out + "' 2>/dev/null";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(cli_exit_codes_and_formats) {
  TempDir dir;
  std::string ledger = dir.write("l.jsonl", std::string(kGiven) + "\nnot json\n");
  std::string ok = dir.write("ok.csv", "subject,purpose,at\np1,tax-notice,2024-05-01T00:00:00Z\n");
  std::string bad = dir.write("bad.csv", "subject,purpose,at\np2,tax-notice,2024-05-01T00:00:00Z\n");
  std::string out = dir.path + "/out";
  // Only a medium ledger finding: below the default gate.
  BOOST_TEST(run_cli("consent --ledger " + ledger + " " + ok + " --format json", out) == 0);
  std::string json = read_file(out);
  BOOST_TEST(json.find("\"command\": \"consent\"") != std::string::npos);
  BOOST_TEST(json.find("\"consent\": {") != std::string::npos);
  BOOST_TEST(json.find("\"consent-ledger-invalid\": 1") != std::string::npos);
  BOOST_TEST(run_cli("consent --ledger " + ledger + " " + ok + " --fail-on medium", out) == 1);
  BOOST_TEST(run_cli("consent --ledger " + ledger + " " + bad, out) == 1);
  BOOST_TEST(read_file(out).find("consent-missing") != std::string::npos);
  BOOST_TEST(run_cli("consent --ledger " + ledger + " " + bad + " --fail-on never", out) == 0);
  BOOST_TEST(run_cli("consent --ledger " + ledger + " " + dir.path + "/missing.csv", out) == 2);
  BOOST_TEST(run_cli("consent --ledger " + ledger + " " + dir.path + "/missing.csv --allow-incomplete", out) == 0);
  BOOST_TEST(run_cli("consent --ledger " + dir.path + "/none.jsonl " + ok, out) == 2);
  BOOST_TEST(run_cli("consent " + ok, out) == 2);
  BOOST_TEST(run_cli("consent --ledger " + ledger + " " + ok + " --purpose a --purpose-field b", out) == 2);
  BOOST_TEST(run_cli("consent --ledger " + ledger + " --purpose tax-notice --subject-field subject " + bad, out) == 1);
}

// --------------------------------------------------------------- generated

namespace {

// A generated world: subjects, ledger lines, provision records and
// processing records, with the expected findings computed by brute force.
struct GenEvent {
  int subject, purpose;
  int state;  // index into kStateNames
  int64_t at;  // seconds
  int offset;  // minutes
  int validity_kind;  // 0 none, 1 days, 2 hours, 3 months, 4 years
  int validity_n;
  bool has_expires;
  int64_t expires;
  int expires_offset;
  std::vector<int> recipients;
  uint64_t line = 0;
  bool valid = true;
};
struct GenProvision {
  int recipient;
  std::vector<int> subjects;
  int64_t at;
  int offset;
  int mode;  // 0 each (implicit), 1 each, 2 bulk, 3 contract
};
struct GenRecord {
  int subject, purpose;
  int64_t at;
  int offset;
  bool export_;
  int recipient;
  int basis;  // 0 none, 1 consent, 2 legal_obligation, 3 contract
  bool my_number;
  std::string mn, order;
};

const char* kStateNames[] = {"given", "renewed", "withdrawn", "revoked", "refused", "expired", "invalidated"};
const char* kDpvNames[] = {"dpv:ConsentGiven",  "dpv:RenewedConsentGiven", "dpv:ConsentWithdrawn",
                           "dpv:ConsentRevoked", "dpv:ConsentRefused",     "dpv:ConsentExpired",
                           "dpv:ConsentInvalidated"};
const char* kBases[] = {"", "consent", "legal_obligation", "contract"};
const int kOffsets[] = {0, 540, -300, 330, -600};

// RFC 3339 of epoch seconds in an offset, via libc (not lib/consent).
std::string rfc3339(int64_t t, int offset_min) {
  time_t local = static_cast<time_t>(t + offset_min * 60);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (offset_min == 0) return std::string(buf) + "Z";
  int o = offset_min < 0 ? -offset_min : offset_min;
  return fmt::format("{}{}{:02}:{:02}", buf, offset_min < 0 ? '-' : '+', o / 60, o % 60);
}

// Adds calendar months in the local offset, clamping to the month's end.
int64_t add_months(int64_t t, int offset_min, int months) {
  time_t local = static_cast<time_t>(t + offset_min * 60);
  std::tm tm{};
  gmtime_r(&local, &tm);
  int total = tm.tm_year * 12 + tm.tm_mon + months;
  std::tm last{};  // day 0 of the month after: the target month's last day
  last.tm_year = total / 12;
  last.tm_mon = total % 12 + 1;
  last.tm_mday = 0;
  time_t x = timegm(&last);
  gmtime_r(&x, &last);
  tm.tm_year = total / 12;
  tm.tm_mon = total % 12;
  tm.tm_mday = std::min(tm.tm_mday, last.tm_mday);
  return static_cast<int64_t>(timegm(&tm)) - offset_min * 60;
}

int64_t event_end(const GenEvent& e) {
  int64_t end = INT64_MAX;
  switch (e.validity_kind) {
    case 1: end = e.at + int64_t{e.validity_n} * 86400; break;
    case 2: end = e.at + int64_t{e.validity_n} * 3600; break;
    case 3: end = add_months(e.at, e.offset, e.validity_n); break;
    case 4: end = add_months(e.at, e.offset, 12 * e.validity_n); break;
    default: break;
  }
  if (e.has_expires) end = std::min(end, e.expires);
  return end;
}

std::string validity_text(const GenEvent& e) {
  switch (e.validity_kind) {
    case 1: return fmt::format("P{}D", e.validity_n);
    case 2: return fmt::format("PT{}H", e.validity_n);
    case 3: return fmt::format("P{}M", e.validity_n);
    case 4: return fmt::format("P{}Y", e.validity_n);
    default: return "";
  }
}

struct World {
  int subjects, purposes = 3, recipients = 3;
  std::vector<GenEvent> events;  // in file order
  std::vector<GenProvision> provisions;
  std::vector<std::pair<uint64_t, std::string>> junk;  // invalid lines: line, text
  std::vector<GenRecord> records;
  std::string ledger_text;
};

World generate(uint64_t seed, int n_subjects, int n_records) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  World w;
  w.subjects = n_subjects;
  const int64_t base = 1704067200;  // 2024-01-01T00:00:00Z
  auto random_time = [&]() { return base + int64_t{pick(24 * 90)} * 1800; };  // a half-hour grid: ties happen
  int n_events = n_subjects * 4;
  for (int i = 0; i < n_events; ++i) {
    GenEvent e;
    e.subject = pick(n_subjects);
    e.purpose = pick(w.purposes);
    int s = pick(10);
    e.state = s < 4 ? 0 : s < 5 ? 1 : s - 3;  // given is most common
    e.at = random_time();
    e.offset = kOffsets[pick(5)];
    e.validity_kind = pick(5);
    e.validity_n = 1 + pick(e.validity_kind >= 3 ? 2 : 40);
    e.has_expires = pick(6) == 0;
    e.expires = random_time();
    e.expires_offset = kOffsets[pick(5)];
    for (int r = 0; r < w.recipients; ++r)
      if (pick(2)) e.recipients.push_back(r);
    w.events.push_back(e);
  }
  for (int i = 0; i < n_subjects; ++i) {
    GenProvision p;
    p.recipient = pick(w.recipients);
    int k = 1 + pick(3);
    for (int j = 0; j < k; ++j) p.subjects.push_back(pick(n_subjects));
    p.at = random_time();
    p.offset = kOffsets[pick(5)];
    p.mode = pick(4);
    w.provisions.push_back(p);
  }
  // Interleave events, provisions and junk into the ledger's lines.
  std::vector<std::string> lines;
  size_t ei = 0, pi = 0;
  const char* junk[] = {
      "{not json",
      R"({"kind":"consent","subject":"s0","state":"given","at":"2024-01-01T00:00:00Z"})",
      R"({"kind":"consent","subject":"s0","purpose":"p0","state":"pondering","at":"2024-01-01T00:00:00Z"})",
      R"({"kind":"consent","subject":"s0","purpose":"p0","state":"given","at":"the 1st of January"})",
      R"({"kind":"provision","recipient":"r0","at":"2024-01-01T00:00:00Z"})"};
  while (ei < w.events.size() || pi < w.provisions.size()) {
    int choice = pick(20);
    uint64_t line = lines.size() + 1;
    if (choice == 0) {
      std::string j = junk[pick(5)];
      w.junk.emplace_back(line, j);
      lines.push_back(j);
    } else if (choice < 4 && pi < w.provisions.size()) {
      auto& p = w.provisions[pi++];
      std::string subs;
      for (int s : p.subjects) subs += fmt::format("{}\"s{}\"", subs.empty() ? "" : ",", s);
      std::string mode = p.mode == 1 ? R"(,"record_mode":"each")"
                         : p.mode == 2 ? R"(,"record_mode":"bulk")"
                         : p.mode == 3 ? R"(,"record_mode":"contract")"
                                       : "";
      lines.push_back(fmt::format(R"({{"kind":"provision","recipient":"r{}","at":"{}","subjects":[{}]{}}})",
                                  p.recipient, rfc3339(p.at, p.offset), subs, mode));
    } else if (ei < w.events.size()) {
      auto& e = w.events[ei++];
      e.line = line;
      std::string extra;
      if (e.validity_kind) extra += fmt::format(R"(,"validity":"{}")", validity_text(e));
      if (e.has_expires) extra += fmt::format(R"(,"expires":"{}")", rfc3339(e.expires, e.expires_offset));
      std::string rs;
      for (int r : e.recipients) rs += fmt::format("{}\"r{}\"", rs.empty() ? "" : ",", r);
      bool alias = pick(4) == 0;
      lines.push_back(fmt::format(
          R"({{"kind":"consent","{}":"s{}","purpose":"p{}","{}":"{}","{}":"{}"{},"recipients":[{}]}})",
          alias ? "pii_principal_id" : "subject", e.subject, e.purpose, alias ? "event_state" : "state",
          pick(2) ? kStateNames[e.state] : kDpvNames[e.state], alias ? "event_time" : "at", rfc3339(e.at, e.offset),
          extra, rs));
    }
  }
  for (auto& l : lines) w.ledger_text += l + "\n";
  for (int i = 0; i < n_records; ++i) {
    GenRecord r;
    r.subject = pick(n_subjects + n_subjects / 10 + 1);  // some unknown to the ledger
    r.purpose = pick(w.purposes);
    r.at = random_time() + pick(3) * 900;
    r.offset = kOffsets[pick(5)];
    r.export_ = pick(3) == 0;
    r.recipient = pick(w.recipients);
    r.basis = pick(8) == 0 ? 2 + pick(2) : pick(2);
    r.my_number = r.export_ ? pick(5) == 0 : pick(5) == 0;
    if (r.my_number) r.mn = make_my_number(rng);
    if (pick(3) == 0) {  // an order number that may pass the check by chance
      for (int k = 0; k < 12; ++k) r.order.push_back(static_cast<char>('0' + pick(10)));
    }
    w.records.push_back(r);
  }
  return w;
}

// The expected findings: (data record index or ledger line, rule).
std::multiset<std::pair<uint64_t, std::string>> expected_data(const World& w) {
  std::multiset<std::pair<uint64_t, std::string>> out;
  for (size_t i = 0; i < w.records.size(); ++i) {
    const GenRecord& r = w.records[i];
    bool consent_basis = r.basis <= 1;
    if (consent_basis) {
      std::string rule;
      const GenEvent* deciding = nullptr;
      bool any = false;
      for (auto& e : w.events) {
        if (e.subject != r.subject || e.at > r.at) continue;
        any = true;
        if (e.purpose != r.purpose) continue;
        if (!deciding || e.at > deciding->at || (e.at == deciding->at && e.line > deciding->line)) deciding = &e;
      }
      if (!any) rule = "consent-missing";
      else if (!deciding) rule = "consent-purpose-mismatch";
      else if (deciding->state >= 2 && deciding->state != 5) rule = "consent-withdrawn";
      else if (deciding->state == 5 || r.at > event_end(*deciding)) rule = "consent-expired";
      else if (r.export_ && std::find(deciding->recipients.begin(), deciding->recipients.end(), r.recipient) ==
                                deciding->recipients.end())
        rule = "consent-recipient";
      if (!rule.empty()) out.emplace(i, rule);
    }
    if (r.export_ && r.basis != 2) {
      int64_t local = r.at + r.offset * 60;
      int64_t day = (local / 86400) * 86400 - r.offset * 60;
      bool covered = false;
      for (auto& p : w.provisions) {
        if (p.recipient != r.recipient || p.at > r.at) continue;
        if (std::find(p.subjects.begin(), p.subjects.end(), r.subject) == p.subjects.end()) continue;
        if (p.mode >= 2 || p.at >= day) covered = true;
      }
      if (!covered) out.emplace(i, "provision-record-missing");
    }
    if (r.export_ && r.my_number) out.emplace(i, "consent-my-number-export");
  }
  return out;
}

std::set<uint64_t> expected_ledger_lines(const World& w) {
  std::set<uint64_t> lines;
  for (auto& [line, text] : w.junk) lines.insert(line);
  std::map<std::pair<int, int>, int64_t> latest;
  for (auto& e : w.events) {
    auto key = std::make_pair(e.subject, e.purpose);
    auto it = latest.find(key);
    if (it != latest.end() && e.at < it->second) lines.insert(e.line);
    latest[key] = it == latest.end() ? e.at : std::max(it->second, e.at);
    if (e.state == 2 || e.state == 3) {
      bool given = false;
      for (auto& g : w.events)
        if (g.subject == e.subject && g.purpose == e.purpose && g.state <= 1 &&
            (g.at < e.at || (g.at == e.at && g.line < e.line)))
          given = true;
      if (!given) lines.insert(e.line);
    }
  }
  return lines;
}

std::string csv_of(const World& w) {
  std::string s = "subject_id,purpose,processed_at,action,recipient,legal_basis,my_number,order_no\n";
  for (auto& r : w.records)
    s += fmt::format("s{},p{},{},{},r{},{},{},{}\n", r.subject, r.purpose, rfc3339(r.at, r.offset),
                     r.export_ ? "export" : "use", r.recipient, kBases[r.basis], r.mn, r.order);
  return s;
}

std::string jsonl_of(const World& w) {
  std::string s;
  for (auto& r : w.records) {
    s += fmt::format(R"({{"person_id":"s{}","purpose":"p{}","timestamp":"{}","action":"{}","recipient":"r{}")",
                     r.subject, r.purpose, rfc3339(r.at, r.offset), r.export_ ? "export" : "view", r.recipient);
    if (r.basis) s += fmt::format(R"(,"basis":"{}")", kBases[r.basis]);
    if (!r.mn.empty()) s += fmt::format(R"(,"kojin_bangou":"{}")", r.mn);
    if (!r.order.empty()) s += fmt::format(R"(,"order_no":"{}")", r.order);
    s += "}\n";
  }
  return s;
}

// Checks one generated world in CSV and in JSONL; returns the expected
// count per rule (ledger lines under consent-ledger-invalid).
std::map<std::string, uint64_t> check_world(uint64_t seed, int subjects, int records) {
  World w = generate(seed, subjects, records);
  auto want = expected_data(w);
  auto want_ledger = expected_ledger_lines(w);
  std::map<std::string, uint64_t> expected;
  for (auto& [i, rule] : want) ++expected[rule];
  expected["consent-ledger-invalid"] = want_ledger.size();
  TempDir dir;
  std::string ledger = dir.write("ledger.jsonl", w.ledger_text);
  for (bool jsonl : {false, true}) {
    std::string data = jsonl ? dir.write("log.jsonl", jsonl_of(w)) : dir.write("log.csv", csv_of(w));
    RunOptions ro;
    ro.ledgers = {ledger};
    ro.data = {data};
    Report report;
    std::string err;
    Fingerprinter fp("key", true);
    BOOST_REQUIRE_MESSAGE(run_consent(ro, fp, report, err), err);
    BOOST_TEST(report.errors.empty());
    std::multiset<std::pair<uint64_t, std::string>> got;
    std::set<uint64_t> got_ledger;
    for (auto& f : report.findings) {
      if (f.rule == "consent-ledger-invalid") got_ledger.insert(f.line);
      else got.emplace(static_cast<uint64_t>(f.record - 1), f.rule);
    }
    std::map<std::string, uint64_t> want_counts, got_counts;
    for (auto& [i, rule] : want) ++want_counts[rule];
    for (auto& [i, rule] : got) ++got_counts[rule];
    BOOST_TEST(got_counts == want_counts, "seed " << seed << (jsonl ? " jsonl" : " csv"));
    BOOST_TEST(got_ledger == want_ledger, "seed " << seed);
    if (got != want) {
      std::vector<std::pair<uint64_t, std::string>> diff;
      std::set_symmetric_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(diff));
      for (size_t k = 0; k < diff.size() && k < 5; ++k)
        BOOST_ERROR("seed " << seed << " record " << diff[k].first + 1 << ": " << diff[k].second
                            << (got.count(diff[k]) ? " reported, not expected" : " expected, not reported"));
    }
    // The section counts what the findings say.
    const std::string& sec = report.sections.at(0).second;
    for (auto& [rule, n] : want_counts)
      BOOST_TEST(sec.find(fmt::format("\"{}\": {}", rule, n)) != std::string::npos, rule);
    BOOST_TEST(sec.find(fmt::format("\"records\": {}", w.records.size())) != std::string::npos);
  }
  return expected;
}

}  // namespace

BOOST_AUTO_TEST_CASE(generated_worlds_match_brute_force) {
  for (uint64_t seed = 1; seed <= 12; ++seed) check_world(seed, 5 + static_cast<int>(seed) * 7, 400);
  auto counts = check_world(99, 300, 3000);
  // The big world exercises every rule.
  for (auto rule : all_rules()) {
    BOOST_TEST_MESSAGE(rule << ": " << counts[std::string(rule)]);
    BOOST_TEST(counts[std::string(rule)] > 0u, rule);
  }
}
