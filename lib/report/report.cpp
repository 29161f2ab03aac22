#include "report/report.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <cstdlib>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <ctime>

#include "report/json_writer.h"
#include "report/sections.h"
#include "report/spool.h"

namespace privaudit {

Summary summarize(const Report& r) {
  SummaryBuilder b = r.spool ? r.spool->summary() : SummaryBuilder();
  for (auto& f : r.findings) b.add(f);
  Summary s;
  s.findings = b.findings();
  s.by_rule = b.by_rule();
  s.by_severity = b.by_severity();
  s.distinct_values = b.distinct_values();
  s.suppressed = r.suppressed;
  return s;
}

bool for_each_finding(const Report& r, const std::function<void(const Finding&)>& fn) {
  if (r.spool && !r.spool->for_each(fn)) {
    std::fprintf(stderr, "privaudit: error: %s\n", r.spool->error().c_str());
    return false;
  }
  for (auto& f : r.findings) fn(f);
  return true;
}

uint64_t finding_count(const Report& r) {
  return (r.spool ? r.spool->size() : 0) + r.findings.size();
}

bool materialize(Report& r) {
  if (!r.spool) return true;
  std::vector<Finding> all;
  all.reserve(finding_count(r));
  bool ok = r.spool->for_each([&](const Finding& f) { all.push_back(f); });
  if (!ok) std::fprintf(stderr, "privaudit: error: %s\n", r.spool->error().c_str());
  for (auto& f : r.findings) all.push_back(std::move(f));
  r.findings = std::move(all);
  r.spool.reset();
  return ok;
}

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// The JSON forms of the last few distinct strings seen (rule ids, paths,
// field names and messages repeat from one finding to the next, or
// alternate between a few).
struct EscapedCache {
  static constexpr size_t kSlots = 8;
  std::array<std::string, kSlots> src, json;
  size_t next = 0;
  const std::string& get(const std::string& s) {
    for (size_t i = 0; i < kSlots; ++i)
      if (!json[i].empty() && s.size() == src[i].size() && std::memcmp(s.data(), src[i].data(), s.size()) == 0)
        return json[i];
    size_t i = next;
    next = (next + 1) % kSlots;
    src[i] = s;
    json[i].clear();
    json_escape(json[i], s);
    return json[i];
  }
};

// Appends a finding as JsonWriter writes it: compact, or pretty with its
// keys at `indent` spaces (the closing brace two spaces less). The report
// writers call this for every finding, so it avoids JsonWriter's generality:
// the text is written in place, with the strings' JSON forms reused.
void append_finding(std::string& out, const Finding& f, bool pretty, size_t indent) {
  thread_local EscapedCache rule_c, path_c, field_c, message_c;
  thread_local std::string masked_json, fp_json;
  const std::string& rule = rule_c.get(f.rule);
  const std::string& path = path_c.get(f.path);
  const std::string* field = f.field.empty() ? nullptr : &field_c.get(f.field);
  const std::string& message = message_c.get(f.message);
  // Masked values and fingerprints change with every finding: written as
  // they are when they need no escaping.
  auto one_off = [](const std::string& v, std::string& scratch) -> std::string_view {
    if (v.empty()) return {};
    scratch.clear();
    if (json_plain(v)) {
      scratch.push_back('"');
      scratch.append(v);
      scratch.push_back('"');
    } else {
      json_escape(scratch, v);
    }
    return scratch;
  };
  std::string_view masked_v = one_off(f.masked, masked_json), fp_v = one_off(f.fingerprint, fp_json);
  const std::string_view* masked = masked_v.empty() ? nullptr : &masked_v;
  const std::string_view* fp = fp_v.empty() ? nullptr : &fp_v;
  std::string_view sev = to_string(f.severity), conf = to_string(f.confidence);
  // An upper bound: 12 keys with their separators and indent, 5 numbers,
  // and the values.
  size_t need = 12 * (indent + 20) + 5 * 24 + indent + rule.size() + path.size() + message.size() +
                sev.size() + conf.size() + 8 + (field ? field->size() : 0) +
                (masked ? masked->size() : 0) + (fp ? fp->size() : 0);
  // Written into a stack buffer (a large finding: a heap one), then appended.
  char small[2048];
  std::unique_ptr<char[]> large;
  char* const base = need <= sizeof small ? small : (large = std::make_unique<char[]>(need)).get();
  char* p = base;
  bool first = true;
  auto put = [&](std::string_view t) {
    std::memcpy(p, t.data(), t.size());
    p += t.size();
  };
  auto key = [&](std::string_view k) {
    if (!first) *p++ = ',';
    first = false;
    if (pretty) {
      *p++ = '\n';
      std::memset(p, ' ', indent);
      p += indent;
    }
    *p++ = '"';
    put(k);
    put(pretty ? std::string_view("\": ") : std::string_view("\":"));
  };
  auto num = [&](auto v) { p = std::to_chars(p, p + 24, v).ptr; };
  auto quoted = [&](std::string_view v) {  // a value that needs no escaping
    *p++ = '"';
    put(v);
    *p++ = '"';
  };
  *p++ = '{';
  key("rule"), put(rule);
  key("severity"), quoted(sev);
  key("confidence"), quoted(conf);
  key("path"), put(path);
  if (f.line) key("line"), num(f.line);
  if (f.column) key("column"), num(f.column);
  if (f.has_offset) key("offset"), num(f.offset);
  if (field) key("field"), put(*field);
  if (f.record >= 0) key("record"), num(f.record);
  if (masked) key("masked"), put(*masked);
  if (fp) key("fingerprint"), put(*fp);
  key("message"), put(message);
  if (pretty) {
    *p++ = '\n';
    std::memset(p, ' ', indent - 2);
    p += indent - 2;
  }
  *p++ = '}';
  out.append(base, static_cast<size_t>(p - base));
}

void write_summary(JsonWriter& w, const Summary& s) {
  w.begin_object();
  w.key("findings").value(s.findings);
  w.key("by_rule").begin_object();
  for (auto& [k, v] : s.by_rule) w.key(k).value(v);
  w.end_object();
  w.key("by_severity").begin_object();
  for (auto& [k, v] : s.by_severity) w.key(k).value(v);
  w.end_object();
  w.key("distinct_values").begin_object();
  for (auto& [k, v] : s.distinct_values) w.key(k).value(v);
  w.end_object();
  w.key("suppressed").value(s.suppressed);
  w.end_object();
}

}  // namespace

constexpr size_t kEmitAt = size_t{1} << 20;

namespace {

using RenderOne = std::function<void(std::string& out, const Finding& f)>;

// Renders every finding with `one`, in order, into `out` (handed to `emit`
// whenever it passes kEmitAt). A spool is rendered segment by segment on up
// to r.render_threads threads, a few segments each at a time; the text is the
// same as on one thread. The first `strip_first` bytes of the first finding's
// text are dropped (a separator only the later ones need).
void render_findings(const Report& r, const RenderOne& one, size_t strip_first, std::string& out,
                     const Emit& emit) {
  bool first = true;
  auto add = [&](std::string_view text) {
    if (first && !text.empty()) {
      text.remove_prefix(std::min(strip_first, text.size()));
      first = false;
    }
    out.append(text);
    if (out.size() >= kEmitAt) {
      emit(out);
      out.clear();
    }
  };
  unsigned threads = std::max(1u, r.render_threads);
  if (r.spool && threads > 1 && r.spool->segments() > 1) {
    // `threads` workers render segments in turn, at most `window` ahead of
    // the one written next; this thread writes them in order, each text
    // handed to `emit` as it is (no copy).
    const size_t nseg = r.spool->segments();
    const size_t window = static_cast<size_t>(threads) * 4;
    std::vector<std::string> texts(window);
    std::vector<uint8_t> ready(window, 0);
    size_t next_seg = 0, emitted = 0;
    bool failed = false;
    std::mutex mu;
    std::condition_variable work_cv, done_cv;
    auto worker = [&]() {
      std::unique_lock<std::mutex> lk(mu);
      for (;;) {
        work_cv.wait(lk, [&] { return next_seg >= nseg || next_seg < emitted + window; });
        if (next_seg >= nseg) return;
        size_t k = next_seg++;
        std::string& text = texts[k % window];
        lk.unlock();
        text.clear();
        bool ok = r.spool->for_each_in_segment(k, [&](const Finding& f) { one(text, f); });
        lk.lock();
        if (!ok) failed = true;
        ready[k % window] = 1;
        done_cv.notify_all();
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (size_t k = 0; k < nseg; ++k) {
      std::unique_lock<std::mutex> lk(mu);
      done_cv.wait(lk, [&] { return ready[k % window] != 0; });
      lk.unlock();
      std::string_view text = texts[k % window];
      if (first && !text.empty()) {
        text.remove_prefix(std::min(strip_first, text.size()));
        first = false;
      }
      if (!out.empty()) {
        emit(out);
        out.clear();
      }
      if (!text.empty()) emit(text);
      lk.lock();
      ready[k % window] = 0;
      ++emitted;
      work_cv.notify_all();
    }
    for (auto& th : pool) th.join();
    if (failed) std::fprintf(stderr, "privaudit: error: %s\n", r.spool->error().c_str());
    std::string one_text;
    for (auto& f : r.findings) {
      one_text.clear();
      one(one_text, f);
      add(one_text);
    }
    return;
  }
  // One thread: each finding is rendered straight into `out`.
  for_each_finding(r, [&](const Finding& f) {
    size_t at = out.size();
    one(out, f);
    if (first) {
      out.erase(at, std::min(strip_first, out.size() - at));
      first = false;
    }
    if (out.size() >= kEmitAt) {
      emit(out);
      out.clear();
    }
  });
}

}  // namespace

void render_jsonl_to(const Report& r, const Emit& emit) {
  std::string out;
  render_findings(r, [](std::string& o, const Finding& f) {
    append_finding(o, f, false, 0);
    o.push_back('\n');
  }, 0, out, emit);
  JsonWriter w(out, false);
  w.begin_object().key("summary");
  write_summary(w, summarize(r));
  w.end_object();
  out.push_back('\n');
  emit(out);
}

std::string render_jsonl(const Report& r) {
  std::string out;
  render_jsonl_to(r, [&](std::string_view p) { out.append(p); });
  return out;
}

std::string render_json(const Report& r) {
  std::string out;
  render_json_to(r, [&](std::string_view p) { out.append(p); });
  return out;
}

void render_json_to(const Report& r, const Emit& emit) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("schema").value("privaudit.report/1");
  w.key("tool").begin_object().key("name").value("privaudit").key("version").value(PRIVAUDIT_VERSION).end_object();
  w.key("command").value(r.command);
  w.key("started_at").value(r.started_at);
  w.key("duration_ms").value(r.duration_ms);
  w.key("fingerprint_key").value(r.fingerprint_key);
  w.key("inputs").begin_object();
  w.key("files").value(r.files);
  w.key("bytes").value(r.bytes);
  w.key("skipped").begin_array();
  for (auto& s : r.skipped)
    w.begin_object().key("path").value(s.path).key("reason").value(s.reason).end_object();
  w.end_array();
  w.end_object();
  w.key("errors").begin_array();
  for (auto& e : r.errors)
    w.begin_object().key("path").value(e.path).key("error").value(e.error).end_object();
  w.end_array();
  for (auto& [name, json] : r.sections) w.key(name).raw(json);
  w.key("findings").begin_array();
  if (finding_count(r) > 0) {
    // The writer puts the first finding's line break and indent; each
    // finding after it starts with the comma, line break and indent.
    w.raw("");
    render_findings(r, [](std::string& o, const Finding& f) {
      o.append(",\n    ");
      append_finding(o, f, true, 6);  // an object in the top-level object's array
    }, 6, out, emit);
  }
  w.end_array();
  w.key("summary");
  write_summary(w, summarize(r));
  w.key("rules").begin_array();
  for (auto& rule : r.rules) {
    w.begin_object();
    w.key("id").value(rule.id);
    w.key("name").value(rule.name);
    w.key("description").value(rule.description);
    w.key("severity").value(to_string(rule.severity));
    w.key("tags").begin_array();
    for (auto& t : rule.tags) w.value(t);
    w.end_array();
    w.key("references").begin_array();
    for (auto& ref : rule.references) w.value(ref);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  emit(out);
}

namespace {
const char* severity_color(Severity s) {
  switch (s) {
    case Severity::critical: return "\x1b[1;31m";
    case Severity::high: return "\x1b[31m";
    case Severity::medium: return "\x1b[33m";
    case Severity::low: return "\x1b[36m";
    case Severity::info: return "\x1b[2m";
  }
  return "";
}
}  // namespace

std::string render_text(const Report& r, bool color) {
  std::string out;
  render_text_to(r, color, [&](std::string_view p) { out.append(p); });
  return out;
}

void render_text_to(const Report& r, bool color, const Emit& emit) {
  std::string out;
  render_findings(r, [&](std::string& text, const Finding& f) {
    std::string loc = f.path;
    if (f.line) loc += fmt::format(":{}", f.line);
    if (f.line && f.column) loc += fmt::format(":{}", f.column);
    std::string extra;
    if (!f.field.empty()) extra += fmt::format(" field={}", f.field);
    if (f.record >= 0) extra += fmt::format(" record={}", f.record);
    // Findings of risk, link and consent are explained by their message.
    if (r.command != "scan" && !f.message.empty()) extra += " — " + f.message;
    std::string masked = f.masked.empty() ? std::string() : " " + f.masked;
    if (color)
      text += fmt::format("\x1b[35m{}\x1b[0m: {}{}\x1b[0m ({}, {}){}{}\n", loc, severity_color(f.severity),
                          f.rule, to_string(f.severity), to_string(f.confidence), masked, extra);
    else
      text += fmt::format("{}: {} ({}, {}){}{}\n", loc, f.rule, to_string(f.severity),
                          to_string(f.confidence), masked, extra);
  }, 0, out, emit);
  for (auto& [name, json] : r.sections) out += render_section_text(name, json);
  for (auto& e : r.errors) out += fmt::format("error: {}: {}\n", e.path, e.error);
  emit(out);
}

std::string render_summary_line(const Report& r) {
  Summary s = summarize(r);
  std::string sev;
  static const char* order[] = {"critical", "high", "medium", "low", "info"};
  for (auto* k : order) {
    auto it = s.by_severity.find(k);
    if (it != s.by_severity.end()) sev += fmt::format("{}{} {}", sev.empty() ? "" : ", ", it->second, k);
  }
  std::string line = fmt::format("privaudit {}: {} finding{}{} in {} file{} ({} bytes)", r.command,
                                 s.findings, s.findings == 1 ? "" : "s",
                                 sev.empty() ? "" : " (" + sev + ")", r.files,
                                 r.files == 1 ? "" : "s", r.bytes);
  if (!r.skipped.empty()) line += fmt::format("; {} skipped", r.skipped.size());
  if (s.suppressed) line += fmt::format("; {} suppressed", s.suppressed);
  if (!r.errors.empty()) line += fmt::format("; {} error{}", r.errors.size(), r.errors.size() == 1 ? "" : "s");
  return line + "\n";
}

bool gate_tripped(const Report& r, std::optional<Severity> gate) {
  if (!gate) return false;
  if (r.spool && r.spool->summary().any_at_or_above(*gate)) return true;
  for (auto& f : r.findings)
    if (f.severity >= *gate) return true;
  return false;
}

}  // namespace privaudit
