#include "consent/ledger.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace privaudit::consent {

// ------------------------------------------------------------------ states

namespace {

struct StateName {
  std::string_view short_name, dpv_name;
  State state;
};
constexpr StateName kStates[] = {
    {"given", "ConsentGiven", State::given},
    {"renewed", "RenewedConsentGiven", State::renewed},
    {"withdrawn", "ConsentWithdrawn", State::withdrawn},
    {"revoked", "ConsentRevoked", State::revoked},
    {"refused", "ConsentRefused", State::refused},
    {"expired", "ConsentExpired", State::expired},
    {"invalidated", "ConsentInvalidated", State::invalidated},
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string_view strip_vocabulary_prefix(std::string_view s) {
  for (std::string_view p : {"https://w3id.org/dpv#", "http://w3id.org/dpv#", "https://w3id.org/dpv/owl#", "dpv:"})
    if (s.size() > p.size() && iequals(s.substr(0, p.size()), p)) return s.substr(p.size());
  return s;
}

}  // namespace

bool parse_state(std::string_view s, State& out) {
  std::string_view bare = strip_vocabulary_prefix(s);
  for (auto& n : kStates) {
    if (iequals(s, n.short_name) || iequals(bare, n.dpv_name)) {
      out = n.state;
      return true;
    }
  }
  return false;
}

std::string_view to_string(State s) { return kStates[static_cast<size_t>(s)].short_name; }

// ---------------------------------------------------------------- interner

namespace {
uint64_t hash_name(std::string_view s) {
  uint64_t h = std::hash<std::string_view>{}(s);
  return h ^ (h >> 29);
}
}  // namespace

// The slot holding `s`, or the empty slot where it would go.
size_t Interner::probe(std::string_view s, uint64_t h) const {
  size_t mask = slots_.size() - 1;
  uint64_t tag = h >> 32 << 32;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint64_t v = slots_[i];
    if (v == 0) return i;
    if ((v & ~uint64_t{0xFFFFFFFF}) == tag && name(static_cast<uint32_t>((v & 0xFFFFFFFF) - 1)) == s) return i;
  }
}

void Interner::grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  size_t mask = slots_.size() - 1;
  for (uint64_t v : old) {
    if (!v) continue;
    uint64_t h = hash_name(name(static_cast<uint32_t>((v & 0xFFFFFFFF) - 1)));
    size_t i = h & mask;
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

uint32_t Interner::intern(std::string_view s) {
  if ((size() + 1) * 2 > slots_.size()) grow();
  uint64_t h = hash_name(s);
  size_t i = probe(s, h);
  if (slots_[i]) return static_cast<uint32_t>((slots_[i] & 0xFFFFFFFF) - 1);
  auto id = static_cast<uint32_t>(size());
  arena_.append(s);
  starts_.push_back(arena_.size());
  slots_[i] = (h >> 32 << 32) | (uint64_t{id} + 1);
  return id;
}

int64_t Interner::find(std::string_view s) const {
  if (slots_.empty()) return -1;
  size_t i = probe(s, hash_name(s));
  return slots_[i] ? static_cast<int64_t>((slots_[i] & 0xFFFFFFFF) - 1) : -1;
}

// ----------------------------------------------------------- object parser

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A scalar as text (strings as they are, numbers in decimal); nullopt when
// absent, null, empty, or not a scalar.
std::optional<std::string> scalar(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e)) return std::nullopt;
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view v = trim(std::string_view(e));
      if (v.empty()) return std::nullopt;
      return std::string(v);
    }
    case element_type::INT64: return std::to_string(int64_t(e));
    case element_type::UINT64: return std::to_string(uint64_t(e));
    default: return std::nullopt;
  }
}

// The first of several alias keys that holds a scalar.
std::optional<std::string> scalar_any(object o, std::initializer_list<std::string_view> keys) {
  for (auto k : keys)
    if (auto v = scalar(o, k)) return v;
  return std::nullopt;
}

bool has_key(object o, std::string_view key) {
  element e;
  return !o.at_key(key).get(e);
}

// A string or an array of strings/numbers; false when the key holds
// something else. Absent → true with `out` empty.
bool string_list(object o, std::string_view key, std::vector<std::string>& out) {
  out.clear();
  element e;
  if (o.at_key(key).get(e)) return true;
  if (e.type() == element_type::NULL_VALUE) return true;
  if (e.type() == element_type::STRING || e.type() == element_type::INT64 || e.type() == element_type::UINT64) {
    if (auto v = scalar(o, key)) out.push_back(*v);
    return true;
  }
  if (e.type() != element_type::ARRAY) return false;
  for (element x : simdjson::dom::array(e)) {
    if (x.type() == element_type::STRING) {
      std::string_view v = trim(std::string_view(x));
      if (!v.empty()) out.emplace_back(v);
    } else if (x.type() == element_type::INT64) {
      out.push_back(std::to_string(int64_t(x)));
    } else if (x.type() == element_type::UINT64) {
      out.push_back(std::to_string(uint64_t(x)));
    } else {
      return false;
    }
  }
  return true;
}

// A time given as RFC 3339 text or as epoch seconds (a JSON number).
enum class TimeField { absent, ok, bad };
TimeField time_field(object o, std::initializer_list<std::string_view> keys, Instant& out, std::string& raw) {
  for (auto k : keys) {
    element e;
    if (o.at_key(k).get(e) || e.type() == element_type::NULL_VALUE) continue;
    switch (e.type()) {
      case element_type::STRING:
        raw = std::string(std::string_view(e));
        if (trim(raw).empty()) continue;
        return parse_time(raw, out) ? TimeField::ok : TimeField::bad;
      case element_type::INT64: out = from_epoch_seconds(static_cast<double>(int64_t(e))); return TimeField::ok;
      case element_type::UINT64: out = from_epoch_seconds(static_cast<double>(uint64_t(e))); return TimeField::ok;
      case element_type::DOUBLE: out = from_epoch_seconds(double(e)); return TimeField::ok;
      default: raw = simdjson::minify(e); return TimeField::bad;
    }
  }
  return TimeField::absent;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

// Turns one JSON object of a ledger into events, provision records or issues.
struct Ledger::Sink {
  Ledger& L;
  uint16_t file;
  uint64_t line;
  uint64_t record;

  void issue(std::string msg) { L.issues_.push_back({file, line, record, std::move(msg)}); }

  void object_(element e) {
    ++L.objects_;
    if (e.type() != element_type::OBJECT) {
      issue("a ledger entry must be a JSON object");
      return;
    }
    object o(e);
    if (has_key(o, "piiPrincipalId") && (has_key(o, "services") || has_key(o, "consentTimestamp"))) {
      receipt(o);
      return;
    }
    auto kind = scalar(o, "kind");
    if (!kind) {
      bool provision = has_key(o, "subjects") || (has_key(o, "recipient") && !has_key(o, "state") &&
                                                   !has_key(o, "event_state"));
      provision ? provision_(o) : consent(o);
    } else if (iequals(*kind, "consent")) {
      consent(o);
    } else if (iequals(*kind, "provision")) {
      provision_(o);
    } else {
      issue(fmt::format("unknown kind '{}' (expected consent or provision)", *kind));
    }
  }

  // Parses validity/expires of a consent into `end`; false after an issue.
  bool validity(object o, const Instant& at, int64_t& end, int16_t& end_off) {
    end = kNever;
    end_off = at.offset_min;
    if (auto v = scalar(o, "validity")) {
      Duration d;
      if (!parse_duration(*v, d)) {
        issue(fmt::format("invalid validity '{}' (expected an ISO 8601 duration such as P365D)", *v));
        return false;
      }
      end = add_duration(at, d).us;
    }
    Instant exp;
    std::string raw;
    switch (time_field(o, {"expires", "expiry"}, exp, raw)) {
      case TimeField::bad: issue(fmt::format("invalid expires time '{}'", raw)); return false;
      case TimeField::ok:
        if (exp.us < end) {
          end = exp.us;
          end_off = exp.offset_min;
        }
        break;
      case TimeField::absent: break;
    }
    return true;
  }

  void consent(object o) {
    auto subject = scalar_any(o, {"subject", "pii_principal_id"});
    std::vector<std::string> purposes;
    bool purposes_ok = string_list(o, "purpose", purposes);
    if (purposes_ok && purposes.empty()) purposes_ok = string_list(o, "purposes", purposes);
    auto state_s = scalar_any(o, {"state", "event_state"});
    Instant at;
    std::string raw;
    TimeField tf = time_field(o, {"at", "event_time"}, at, raw);
    std::vector<std::string> missing;
    if (!subject) missing.push_back("subject");
    if (!purposes_ok) {
      issue("purpose must be a string or an array of strings");
      return;
    }
    if (purposes.empty()) missing.push_back("purpose");
    if (!state_s) missing.push_back("state");
    if (tf == TimeField::absent) missing.push_back("at");
    if (!missing.empty()) {
      issue(fmt::format("consent event lacks required field{} {}", missing.size() > 1 ? "s" : "", join(missing)));
      return;
    }
    State state;
    if (!parse_state(*state_s, state)) {
      issue(fmt::format("unknown state '{}' (expected given, renewed, withdrawn, revoked, refused, expired, "
                        "invalidated or their DPV names)",
                        *state_s));
      return;
    }
    if (tf == TimeField::bad) {
      issue(fmt::format("invalid time '{}' in at (expected RFC 3339)", raw));
      return;
    }
    int64_t end;
    int16_t end_off;
    if (!validity(o, at, end, end_off)) return;
    std::vector<std::string> recips;
    if (!string_list(o, "recipients", recips)) {
      issue("recipients must be a string or an array of strings");
      return;
    }
    add_events(*subject, purposes, state, at, end, end_off, recips);
  }

  void add_events(const std::string& subject, const std::vector<std::string>& purposes, State state,
                  const Instant& at, int64_t end, int16_t end_off, const std::vector<std::string>& recips) {
    uint32_t sid = L.subjects_.intern(subject);
    auto rbegin = static_cast<uint32_t>(L.recipient_pool_.size());
    for (auto& r : recips) L.recipient_pool_.push_back(L.recipients_.intern(r));
    for (auto& p : purposes) {
      Event ev;
      ev.at = at.us;
      ev.end = end;
      ev.subject = sid;
      ev.purpose = L.purposes_.intern(p);
      ev.recipients = rbegin;
      ev.nrecipients = static_cast<uint16_t>(std::min<size_t>(recips.size(), UINT16_MAX));
      ev.line = static_cast<uint32_t>(line);
      ev.file = file;
      ev.offset_min = at.offset_min;
      ev.end_offset_min = end_off;
      ev.state = state;
      L.events_.push_back(ev);
    }
  }

  void provision_(object o) {
    auto recipient = scalar(o, "recipient");
    std::vector<std::string> subjects;
    bool subjects_ok = string_list(o, "subjects", subjects);
    Instant at;
    std::string raw;
    TimeField tf = time_field(o, {"at", "event_time"}, at, raw);
    std::vector<std::string> missing;
    if (!recipient) missing.push_back("recipient");
    if (tf == TimeField::absent) missing.push_back("at");
    if (!subjects_ok) {
      issue("subjects must be an array of strings");
      return;
    }
    if (subjects.empty()) missing.push_back("subjects");
    if (!missing.empty()) {
      issue(fmt::format("provision record lacks required field{} {}", missing.size() > 1 ? "s" : "",
                        join(missing)));
      return;
    }
    if (tf == TimeField::bad) {
      issue(fmt::format("invalid time '{}' in at (expected RFC 3339)", raw));
      return;
    }
    bool bulk = false;
    if (auto mode = scalar(o, "record_mode")) {
      if (iequals(*mode, "bulk") || iequals(*mode, "contract")) bulk = true;
      else if (!iequals(*mode, "each")) {
        issue(fmt::format("unknown record_mode '{}' (expected each, bulk or contract)", *mode));
        return;
      }
    }
    ++L.provision_records_;
    uint64_t rid = L.recipients_.intern(*recipient);
    for (auto& s : subjects) {
      uint64_t key = rid << 32 | L.subjects_.intern(s);
      if (bulk) {
        auto [it, fresh] = L.bulk_first_.try_emplace(key, at.us);
        if (!fresh) it->second = std::min(it->second, at.us);
      } else {
        L.each_.push_back({key, at.us});
      }
    }
  }

  // Kantara Consent Receipt v1.1: consent given at consentTimestamp for every
  // services[].purposes[] entry, under its `purpose` and each purposeCategory.
  void receipt(object o) {
    auto subject = scalar(o, "piiPrincipalId");
    Instant at;
    std::string raw;
    TimeField tf = time_field(o, {"consentTimestamp"}, at, raw);
    std::vector<std::string> missing;
    if (!subject) missing.push_back("piiPrincipalId");
    if (tf == TimeField::absent) missing.push_back("consentTimestamp");
    element services;
    bool have_services = !o.at_key("services").get(services) && services.type() == element_type::ARRAY;
    if (!have_services) missing.push_back("services");
    if (!missing.empty()) {
      issue(fmt::format("consent receipt lacks required field{} {}", missing.size() > 1 ? "s" : "",
                        join(missing)));
      return;
    }
    if (tf == TimeField::bad) {
      issue(fmt::format("invalid consentTimestamp '{}'", raw));
      return;
    }
    size_t added = 0;
    for (element svc : simdjson::dom::array(services)) {
      element purposes;
      if (svc.type() != element_type::OBJECT || object(svc).at_key("purposes").get(purposes) ||
          purposes.type() != element_type::ARRAY) {
        issue("consent receipt service without a purposes array");
        return;
      }
      for (element pe : simdjson::dom::array(purposes)) {
        if (pe.type() != element_type::OBJECT) {
          issue("consent receipt purpose must be an object");
          return;
        }
        if (!receipt_purpose(object(pe), *subject, at)) return;
        ++added;
      }
    }
    if (added == 0) issue("consent receipt names no purpose");
  }

  bool receipt_purpose(object p, const std::string& subject, const Instant& at) {
    std::vector<std::string> names, cats;
    if (auto name = scalar(p, "purpose")) names.push_back(*name);
    if (!string_list(p, "purposeCategory", cats)) {
      issue("purposeCategory must be a string or an array of strings");
      return false;
    }
    for (auto& c : cats)
      if (std::find(names.begin(), names.end(), c) == names.end()) names.push_back(c);
    if (names.empty()) {
      issue("consent receipt purpose lacks purpose and purposeCategory");
      return false;
    }
    int64_t end = kNever;
    if (auto term = scalar(p, "termination")) {
      Duration d;
      if (parse_duration(*term, d)) end = add_duration(at, d).us;  // free text otherwise
    }
    std::vector<std::string> recips;
    element disclosure;
    bool disclosed = p.at_key("thirdPartyDisclosure").get(disclosure) ||
                     disclosure.type() != element_type::BOOL || bool(disclosure);
    if (disclosed && !string_list(p, "thirdPartyName", recips)) {
      issue("thirdPartyName must be a string or an array of strings");
      return false;
    }
    add_events(subject, names, State::given, at, end, at.offset_min, recips);
    return true;
  }
};

// ----------------------------------------------------------------- loading

namespace {

bool ends_with(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && iequals(s.substr(s.size() - suf.size()), suf);
}

// Line numbers (1-based) where each top-level element of a JSON array starts.
std::vector<uint64_t> array_element_lines(std::string_view text) {
  std::vector<uint64_t> lines;
  uint64_t line = 1;
  int depth = 0;
  bool in_str = false, esc = false, expect = false;
  for (char c : text) {
    if (c == '\n') ++line;
    if (in_str) {
      if (esc) esc = false;
      else if (c == '\\') esc = true;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (expect && depth == 1 && c != ']') {
      lines.push_back(line);
      expect = false;
    }
    if (c == '"') in_str = true;
    else if (c == '[' || c == '{') {
      if (++depth == 1 && c == '[') expect = true;
    } else if (c == ']' || c == '}') --depth;
    else if (c == ',' && depth == 1) expect = true;
  }
  return lines;
}

}  // namespace

struct Ledger::JsonlState {
  explicit JsonlState(uint16_t f) : file(f) {}
  uint16_t file = 0;
  uint64_t line = 0, record = 0;
  simdjson::dom::parser parser;
};

size_t Ledger::load_jsonl_lines(JsonlState& st, std::string_view text, size_t padded_capacity, bool final) {
  size_t pos = 0;
  if (st.line == 0 && text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos && !final) break;
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    ++st.line;
    std::string_view ln = text.substr(pos, end - pos);
    pos = end + 1;
    std::string_view content = trim(ln);
    if (content.empty() || content == "\r") continue;
    ++st.record;
    Sink sink{*this, st.file, st.line, st.record};
    element doc;
    size_t avail = padded_capacity - static_cast<size_t>(ln.data() - text.data());
    bool padded = avail >= ln.size() + simdjson::SIMDJSON_PADDING;
    if (auto err = st.parser.parse(ln.data(), ln.size(), !padded).get(doc)) {
      ++objects_;
      sink.issue(fmt::format("not valid JSON: {}", simdjson::error_message(err)));
      continue;
    }
    sink.object_(doc);
  }
  return std::min(pos, text.size());
}

void Ledger::load_jsonl(uint16_t file, std::string_view text, size_t padded_capacity) {
  JsonlState st(file);
  load_jsonl_lines(st, text, padded_capacity, true);
}

void Ledger::load_json_document(uint16_t file, std::string_view text, size_t padded_capacity) {
  simdjson::dom::parser parser;
  element doc;
  bool padded = padded_capacity >= text.size() + simdjson::SIMDJSON_PADDING;
  auto err = parser.parse(text.data(), text.size(), !padded).get(doc);
  if (err) {
    // A .json file may still be JSON Lines.
    if (text.find('\n', 0) != std::string_view::npos && text.find('{') < text.find('[')) {
      load_jsonl(file, text, padded_capacity);
      return;
    }
    ++objects_;
    issues_.push_back({file, 1, 1, fmt::format("not valid JSON: {}", simdjson::error_message(err))});
    return;
  }
  if (doc.type() == element_type::ARRAY) {
    std::vector<uint64_t> lines = array_element_lines(text);
    uint64_t i = 0;
    for (element e : simdjson::dom::array(doc)) {
      Sink sink{*this, file, i < lines.size() ? lines[i] : 1, i + 1};
      sink.object_(e);
      ++i;
    }
    return;
  }
  size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  uint64_t line = 1 + static_cast<uint64_t>(std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(
                                                           first == std::string_view::npos ? 0 : first), '\n'));
  Sink{*this, file, line, 1}.object_(doc);
}

void Ledger::load_text(const std::string& name, std::string_view text) {
  files_.push_back(name);
  auto file = static_cast<uint16_t>(files_.size() - 1);
  simdjson::padded_string padded(text);
  std::string_view view(padded.data(), padded.size());
  bool json_doc = ends_with(name, ".json");
  if (!json_doc) {
    size_t first = text.find_first_not_of(" \t\r\n");
    json_doc = first != std::string_view::npos && text[first] == '[';
  }
  size_t cap = padded.size() + simdjson::SIMDJSON_PADDING;
  json_doc ? load_json_document(file, view, cap) : load_jsonl(file, view, cap);
}

namespace {

// Reads up to n bytes, retrying on EINTR; -1 on an error.
ssize_t read_some(int fd, char* dst, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd, dst, n);
    if (r >= 0 || errno != EINTR) return r;
  }
}

// Reads the whole of fd into `out` (with simdjson padding reserved).
bool read_all(int fd, std::string& out) {
  constexpr size_t kChunk = size_t{1} << 20;
  for (;;) {
    size_t have = out.size();
    out.resize(have + kChunk);
    ssize_t r = read_some(fd, out.data() + have, kChunk);
    if (r < 0) return false;
    out.resize(have + static_cast<size_t>(r));
    if (r == 0) break;
  }
  out.reserve(out.size() + simdjson::SIMDJSON_PADDING);
  return true;
}

}  // namespace

bool Ledger::load_file(const std::string& path, std::string& error) {
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("{}: cannot read the ledger: {}", path, std::strerror(errno));
    return false;
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd > 0) ::close(fd);
    }
  } closer{fd};
  files_.push_back(path);
  auto file = static_cast<uint16_t>(files_.size() - 1);
  // Sniff the first bytes: a .json file or a file starting with '[' is one
  // JSON document, read whole; JSON Lines are streamed in chunks.
  constexpr size_t kChunk = size_t{4} << 20;
  std::string buf(kChunk + simdjson::SIMDJSON_PADDING, '\0');
  size_t len = 0;
  bool eof = false;
  auto fill = [&]() -> bool {
    ssize_t r = read_some(fd, buf.data() + len, kChunk - len);
    if (r < 0) return false;
    if (r == 0) eof = true;
    len += static_cast<size_t>(r);
    return true;
  };
  auto fail = [&]() {
    error = fmt::format("{}: cannot read the ledger: {}", path, std::strerror(errno));
    return false;
  };
  while (!eof && len < 4096)
    if (!fill()) return fail();
  std::string_view head(buf.data(), len);
  size_t first = head.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && head.substr(first, 3) == "\xEF\xBB\xBF")
    first = head.find_first_not_of(" \t\r\n", first + 3);
  if (ends_with(path, ".json") || (first != std::string_view::npos && head[first] == '[')) {
    std::string all(buf.data(), len);
    if (!eof && !read_all(fd, all)) return fail();
    size_t cap = all.capacity();
    load_json_document(file, all, cap);
    return true;
  }
  JsonlState st(file);
  for (;;) {
    size_t used = load_jsonl_lines(st, std::string_view(buf.data(), len), buf.size(), eof);
    if (eof) break;
    if (used == 0 && len + simdjson::SIMDJSON_PADDING == buf.size()) {
      // One line longer than the buffer: grow it.
      buf.resize(buf.size() * 2);
    }
    std::memmove(buf.data(), buf.data() + used, len - used);
    len -= used;
    size_t room = buf.size() - simdjson::SIMDJSON_PADDING - len;
    ssize_t r = read_some(fd, buf.data() + len, room);
    if (r < 0) return fail();
    if (r == 0) eof = true;
    len += static_cast<size_t>(r);
  }
  return true;
}

// ---------------------------------------------------------------- indexing

void Ledger::finish() {
  // Group by (subject, purpose) keeping file order, check the order there,
  // then sort each group by time (file order breaks ties).
  std::stable_sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
    return a.subject != b.subject ? a.subject < b.subject : a.purpose < b.purpose;
  });
  check_order_and_withdrawals();
  size_t n = subjects_.size();
  subject_begin_.assign(n + 1, 0);
  subject_first_.assign(n, kNever);
  for (auto& e : events_) {
    ++subject_begin_[e.subject + 1];
    subject_first_[e.subject] = std::min(subject_first_[e.subject], e.at);
  }
  for (size_t i = 0; i < n; ++i) subject_begin_[i + 1] += subject_begin_[i];
  std::sort(each_.begin(), each_.end(),
            [](const Provision& a, const Provision& b) { return a.key != b.key ? a.key < b.key : a.at < b.at; });
}

// For each (subject, purpose) group in file order: events dated before one
// already recorded in the same file; then, in time order, withdrawals of
// consent never given.
void Ledger::check_order_and_withdrawals() {
  for (size_t b = 0; b < events_.size();) {
    size_t e = b;
    while (e < events_.size() && events_[e].subject == events_[b].subject && events_[e].purpose == events_[b].purpose)
      ++e;
    int64_t latest = 0;
    for (size_t i = b; i < e; ++i) {
      const Event& ev = events_[i];
      bool first_in_file = i == b || events_[i - 1].file != ev.file;
      if (!first_in_file && ev.at < latest)
        issues_.push_back({ev.file, ev.line, 0,
                           fmt::format("out of time order: this event for purpose '{}' ({}) is earlier than one "
                                       "already recorded for the same subject and purpose ({})",
                                       purposes_.name(ev.purpose), format_time(Instant{ev.at, ev.offset_min}),
                                       format_time(Instant{latest, 0}))});
      latest = first_in_file ? ev.at : std::max(latest, ev.at);
    }
    std::stable_sort(events_.begin() + static_cast<ptrdiff_t>(b), events_.begin() + static_cast<ptrdiff_t>(e),
                     [](const Event& x, const Event& y) { return x.at < y.at; });
    bool given = false;
    for (size_t i = b; i < e; ++i) {
      const Event& ev = events_[i];
      if (is_active(ev.state)) given = true;
      if ((ev.state == State::withdrawn || ev.state == State::revoked) && !given)
        issues_.push_back({ev.file, ev.line, 0,
                           fmt::format("{} consent for purpose '{}' that was never given (no given or renewed "
                                       "event for this subject and purpose at or before {})",
                                       to_string(ev.state), purposes_.name(ev.purpose),
                                       format_time(Instant{ev.at, ev.offset_min}))});
    }
    b = e;
  }
}

int64_t Ledger::first_event(uint32_t subject) const {
  return subject < subject_first_.size() ? subject_first_[subject] : kNever;
}

const Event* Ledger::deciding(uint32_t subject, uint32_t purpose, int64_t t) const {
  if (subject >= subject_first_.size()) return nullptr;
  auto b = events_.begin() + subject_begin_[subject], e = events_.begin() + subject_begin_[subject + 1];
  auto range = std::equal_range(b, e, purpose, [](const auto& x, const auto& y) {
    if constexpr (std::is_same_v<std::decay_t<decltype(x)>, Event>) return x.purpose < y;
    else return x < y.purpose;
  });
  auto it = std::upper_bound(range.first, range.second, t, [](int64_t v, const Event& ev) { return v < ev.at; });
  if (it == range.first) return nullptr;
  return &*(it - 1);
}

std::vector<uint32_t> Ledger::purposes_before(uint32_t subject, int64_t t) const {
  std::vector<uint32_t> out;
  if (subject >= subject_first_.size()) return out;
  for (uint32_t i = subject_begin_[subject]; i < subject_begin_[subject + 1]; ++i)
    if (events_[i].at <= t && (out.empty() || out.back() != events_[i].purpose)) out.push_back(events_[i].purpose);
  return out;
}

bool Ledger::names_recipient(const Event& e, int64_t recipient) const {
  if (recipient < 0) return false;
  const uint32_t* r = recipients_of(e);
  return std::find(r, r + e.nrecipients, static_cast<uint32_t>(recipient)) != r + e.nrecipients;
}

bool Ledger::provision_covers(int64_t recipient, int64_t subject, const Instant& t) const {
  if (recipient < 0 || subject < 0) return false;
  uint64_t key = static_cast<uint64_t>(recipient) << 32 | static_cast<uint64_t>(subject);
  if (auto it = bulk_first_.find(key); it != bulk_first_.end() && it->second <= t.us) return true;
  auto it = std::upper_bound(each_.begin(), each_.end(), Provision{key, t.us}, [](const Provision& a, const Provision& b) {
    return a.key != b.key ? a.key < b.key : a.at < b.at;
  });
  if (it == each_.begin()) return false;
  --it;
  return it->key == key && it->at >= day_start(t);
}

uint64_t Ledger::consent_subjects() const {
  uint64_t n = 0;
  for (int64_t f : subject_first_)
    if (f != kNever) ++n;
  return n;
}

}  // namespace privaudit::consent
