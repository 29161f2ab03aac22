#include "report/report.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
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

// Appends a finding as JsonWriter writes it: compact, or pretty with its
// keys at `indent` spaces (the closing brace two spaces less). The report
// writers call this for every finding, so it avoids JsonWriter's generality.
void append_finding(std::string& out, const Finding& f, bool pretty, size_t indent) {
  bool first = true;
  auto key = [&](std::string_view k) {
    if (!first) out.push_back(',');
    first = false;
    if (pretty) {
      out.push_back('\n');
      out.append(indent, ' ');
    }
    out.push_back('"');
    out.append(k);
    out.append(pretty ? "\": " : "\":");
  };
  auto num = [&](auto v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<size_t>(r.ptr - buf));
  };
  out.push_back('{');
  key("rule"), json_escape(out, f.rule);
  key("severity"), json_escape(out, to_string(f.severity));
  key("confidence"), json_escape(out, to_string(f.confidence));
  key("path"), json_escape(out, f.path);
  if (f.line) key("line"), num(f.line);
  if (f.column) key("column"), num(f.column);
  if (f.has_offset) key("offset"), num(f.offset);
  if (!f.field.empty()) key("field"), json_escape(out, f.field);
  if (f.record >= 0) key("record"), num(f.record);
  if (!f.masked.empty()) key("masked"), json_escape(out, f.masked);
  if (!f.fingerprint.empty()) key("fingerprint"), json_escape(out, f.fingerprint);
  key("message"), json_escape(out, f.message);
  if (pretty) {
    out.push_back('\n');
    out.append(indent - 2, ' ');
  }
  out.push_back('}');
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
    const size_t nseg = r.spool->segments();
    const size_t batch = static_cast<size_t>(threads) * 2;
    std::vector<std::string> texts(batch);
    std::vector<uint8_t> failed(threads, 0);
    for (size_t base = 0; base < nseg; base += batch) {
      size_t n = std::min(batch, nseg - base);
      auto work = [&](unsigned t) {
        for (size_t k = t; k < n; k += threads) {
          texts[k].clear();
          if (!r.spool->for_each_in_segment(base + k, [&](const Finding& f) { one(texts[k], f); }))
            failed[t] = 1;
        }
      };
      std::vector<std::thread> pool;
      for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
      for (size_t k = 0; k < n; ++k) add(texts[k]);
    }
    for (uint8_t f : failed)
      if (f) {
        std::fprintf(stderr, "privaudit: error: %s\n", r.spool->error().c_str());
        break;
      }
    std::string one_text;
    for (auto& f : r.findings) {
      one_text.clear();
      one(one_text, f);
      add(one_text);
    }
    return;
  }
  std::string one_text;
  for_each_finding(r, [&](const Finding& f) {
    one_text.clear();
    one(one_text, f);
    add(one_text);
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
  render_findings(r, [&](std::string& out, const Finding& f) {
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
      out += fmt::format("\x1b[35m{}\x1b[0m: {}{}\x1b[0m ({}, {}){}{}\n", loc, severity_color(f.severity),
                         f.rule, to_string(f.severity), to_string(f.confidence), masked, extra);
    else
      out += fmt::format("{}: {} ({}, {}){}{}\n", loc, f.rule, to_string(f.severity),
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
