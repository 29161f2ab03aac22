// The consent ledger: consent events (ISO/IEC TS 27560 / W3C DPV field names,
// SPEC's aliases, Kantara Consent Receipts v1.1) and APPI Art. 29 provision
// records, read from JSONL or JSON files and indexed in memory:
// per subject → per purpose → events sorted by time.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "consent/time.h"

namespace privaudit::consent {

enum class State : uint8_t { given, renewed, withdrawn, revoked, refused, expired, invalidated };

// "given", "dpv:ConsentGiven", "https://w3id.org/dpv#ConsentGiven" ... →
// State. False for anything else.
bool parse_state(std::string_view s, State& out);
std::string_view to_string(State s);
// given or renewed: the consent is in force (until its validity ends).
inline bool is_active(State s) { return s == State::given || s == State::renewed; }
// withdrawn, revoked, refused or invalidated (SPEC's consent-withdrawn).
inline bool is_withdrawal(State s) {
  return s == State::withdrawn || s == State::revoked || s == State::refused || s == State::invalidated;
}

// Strings → dense ids (subjects, purposes, recipients): an open-addressing
// table over one contiguous arena of names (a million subjects cost about
// 16 bytes each plus their text).
class Interner {
 public:
  uint32_t intern(std::string_view s);
  // The id, or -1 if never interned.
  int64_t find(std::string_view s) const;
  // Valid until the next intern().
  std::string_view name(uint32_t id) const {
    return std::string_view(arena_).substr(starts_[id], starts_[id + 1] - starts_[id]);
  }
  size_t size() const { return starts_.size() - 1; }

 private:
  std::string arena_;
  std::vector<uint64_t> starts_{0};  // name i is arena_[starts_[i], starts_[i+1])
  std::vector<uint64_t> slots_;      // 0 = empty, else (hash >> 32) << 32 | (id + 1)
  size_t probe(std::string_view s, uint64_t h) const;
  void grow();
};

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Event {
  int64_t at = 0;       // µs since the epoch
  int64_t end = kNever; // validity end (µs), kNever when open-ended
  uint32_t subject = 0, purpose = 0;
  uint32_t recipients = 0;  // offset into the recipient pool
  uint32_t line = 0;        // ledger line (1-based)
  uint16_t nrecipients = 0;
  uint16_t file = 0;        // index into Ledger::files()
  int16_t offset_min = 0;   // UTC offset the time was written with
  int16_t end_offset_min = 0;
  State state = State::given;
};

// One problem with one ledger line (consent-ledger-invalid).
struct LedgerIssue {
  uint16_t file = 0;
  uint64_t line = 0;
  uint64_t record = 0;  // 1-based object number in the file
  std::string message;
};

class Ledger {
 public:
  // Reads a ledger file: JSONL (one event, provision record or Kantara
  // receipt per line), or a .json file holding one object or an array of
  // them. Bad lines become issues(); returns false with `error` only when the
  // file cannot be read at all.
  bool load_file(const std::string& path, std::string& error);
  // The same from memory (`name` chooses the format like a file name).
  void load_text(const std::string& name, std::string_view text);
  // Sorts and indexes what was loaded; reports withdrawals of consent that
  // was never given. Call once, after the last load.
  void finish();

  // Queries (after finish()).
  int64_t subject_id(std::string_view s) const { return subjects_.find(s); }
  int64_t purpose_id(std::string_view s) const { return purposes_.find(s); }
  int64_t recipient_id(std::string_view s) const { return recipients_.find(s); }
  // The earliest consent event of the subject (any purpose), or kNever.
  int64_t first_event(uint32_t subject) const;
  // The latest event for (subject, purpose) at or before `t`, or nullptr.
  const Event* deciding(uint32_t subject, uint32_t purpose, int64_t t) const;
  // Purposes of the subject's events at or before `t`.
  std::vector<uint32_t> purposes_before(uint32_t subject, int64_t t) const;
  // The event's recipient ids.
  const uint32_t* recipients_of(const Event& e) const { return recipient_pool_.data() + e.recipients; }
  bool names_recipient(const Event& e, int64_t recipient) const;
  // True when a provision record covers an export to `recipient` of
  // `subject` at `t` (SPEC: names both; "each" records dated at or before
  // the export and no earlier than the start of its local calendar day;
  // "bulk"/"contract" records any time at or before it).
  bool provision_covers(int64_t recipient, int64_t subject, const Instant& t) const;

  const std::vector<std::string>& files() const { return files_; }
  const std::vector<LedgerIssue>& issues() const { return issues_; }
  const Interner& subjects() const { return subjects_; }
  const Interner& purposes() const { return purposes_; }
  const Interner& recipients() const { return recipients_; }
  uint64_t events() const { return events_.size(); }
  uint64_t provisions() const { return provision_records_; }
  uint64_t objects() const { return objects_; }
  // Distinct subjects with at least one consent event.
  uint64_t consent_subjects() const;

  // Loader internals, used by the object parser.
  struct Sink;

 private:
  struct Provision {
    uint64_t key;  // recipient << 32 | subject
    int64_t at;
  };
  std::vector<std::string> files_;
  std::vector<LedgerIssue> issues_;
  Interner subjects_, purposes_, recipients_;
  std::vector<Event> events_;
  std::vector<uint32_t> recipient_pool_;
  std::vector<uint32_t> subject_begin_;  // events_ range per subject
  std::vector<int64_t> subject_first_;
  std::vector<Provision> each_;                     // sorted by key, at
  std::unordered_map<uint64_t, int64_t> bulk_first_;  // key → earliest bulk/contract record
  uint64_t provision_records_ = 0;
  uint64_t objects_ = 0;

  struct JsonlState;
  void check_order_and_withdrawals();
  void load_jsonl(uint16_t file, std::string_view text, size_t padded_capacity);
  // Loads the complete lines of `text` (all of it when `final`); returns the
  // bytes consumed.
  size_t load_jsonl_lines(JsonlState& st, std::string_view text, size_t padded_capacity, bool final);
  void load_json_document(uint16_t file, std::string_view text, size_t padded_capacity);
  friend struct Sink;
};

}  // namespace privaudit::consent
