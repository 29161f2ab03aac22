#include "redact/rewrite.h"

#include <algorithm>
#include <cstring>

#include "core/utf8.h"
#include "link/names.h"
#include "link/values.h"
#include "match/engine.h"
#include "report/json_writer.h"

namespace privaudit::redact {

std::vector<SpanGroup> group_spans(std::vector<ValueSpan>& spans) {
  std::stable_sort(spans.begin(), spans.end(), [](const ValueSpan& a, const ValueSpan& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    return a.length > b.length;
  });
  std::vector<SpanGroup> groups;
  for (size_t i = 0; i < spans.size(); ++i) {
    uint64_t s = spans[i].offset, e = s + spans[i].length;
    if (!groups.empty() && s < groups.back().end) {
      groups.back().end = std::max(groups.back().end, e);
      ++groups.back().count;
      continue;
    }
    groups.push_back({s, e, static_cast<uint32_t>(i), 1});
  }
  return groups;
}

uint64_t DocStats::unresolved_total() const {
  uint64_t n = 0;
  for (auto& [k, v] : unresolved) n += v;
  return n;
}

uint64_t DocStats::changed_total() const {
  uint64_t n = 0;
  for (auto& [k, v] : changes) n += v;
  return n;
}

std::string json_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex4 = [&](size_t i, uint32_t& v) {
    if (i + 4 > s.size()) return false;
    v = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = s[i + k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'u': {
        uint32_t cp;
        if (!hex4(i + 1, cp)) {
          out.push_back('u');
          break;
        }
        i += 4;
        uint32_t lo;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 2 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u' &&
            hex4(i + 3, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        }
        utf8::append_utf8(out, cp);
        break;
      }
      default: out.push_back(e);  // \" \\ \/ and anything unknown
    }
  }
  return out;
}

namespace {

link::ValueKind kind_for_concept(std::string_view c) {
  if (c == "birthdate") return link::ValueKind::date;
  if (c == "sex") return link::ValueKind::sex;
  if (c == "postal_code" || c == "phone") return link::ValueKind::digits;
  if (c == "name" || c == "name_kana") return link::ValueKind::name;
  return link::ValueKind::text;
}

}  // namespace

std::string column_token(const RewriteContext& ctx, std::string_view column, std::string_view value) {
  std::string_view concept_id = link::column_concept(column);
  std::string_view rule_id = link::concept_rule(concept_id);
  if (!rule_id.empty()) {
    for (auto& r : ctx.rules) {
      if (r.id != rule_id) continue;
      std::string n = link::valid_identifier(r, value);
      if (!n.empty()) return ctx.pseudonymiser->token(r.id, n);
    }
  }
  std::string key = "column:" + (concept_id.empty() ? link::normalise_column_name(column) : std::string(concept_id));
  return ctx.pseudonymiser->token(key, link::canonical_value(kind_for_concept(concept_id), nullptr, value));
}

namespace {

// What every format shares: the groups still ahead, how a value is replaced
// and how a whole cell is.
class Base : public Rewriter {
 public:
  Base(const RewriteContext& ctx, const std::vector<ValueSpan>& spans,
       const std::vector<SpanGroup>& groups, Emit emit, DocStats& stats)
      : ctx_(ctx), spans_(spans), groups_(groups), emit_(std::move(emit)), stats_(stats) {}

 protected:
  const RewriteContext& ctx_;
  const std::vector<ValueSpan>& spans_;
  const std::vector<SpanGroup>& groups_;
  Emit emit_;
  DocStats& stats_;
  size_t g_ = 0;     // next group
  uint64_t pos_ = 0; // stream offset of the next byte fed

  const std::string& rule_id(const ValueSpan& s) const { return ctx_.rules[s.rule].id; }

  // Marks the group's values as found but not rewritten.
  void unresolved(const SpanGroup& g, const std::string& why) {
    for (uint32_t k = 0; k < g.count; ++k) ++stats_.unresolved[{rule_id(spans_[g.first + k]), why}];
  }

  // True when every member's bytes are where pass 1 saw them.
  bool verified(const SpanGroup& g, std::string_view raw) {
    for (uint32_t k = 0; k < g.count; ++k) {
      const ValueSpan& s = spans_[g.first + k];
      uint64_t rel = s.offset - g.start;
      if (rel + s.length > raw.size() || span_check(raw.substr(rel, s.length)) != s.check) {
        unresolved(g, "the value's bytes differ between the two passes");
        return false;
      }
    }
    return true;
  }

  // The member whose action wins (strongest; the first on ties).
  const ValueSpan& chosen(const SpanGroup& g) const {
    const ValueSpan* best = &spans_[g.first];
    for (uint32_t k = 1; k < g.count; ++k) {
      const ValueSpan& s = spans_[g.first + k];
      if (ctx_.policy.rule_action(s.rule) > ctx_.policy.rule_action(best->rule)) best = &s;
    }
    return *best;
  }

  // The replacement of one group's bytes by its rule's action.
  std::string replace(const SpanGroup& g, std::string_view raw) {
    if (!verified(g, raw)) return std::string(raw);
    const ValueSpan& s = chosen(g);
    const Rule& rule = ctx_.rules[s.rule];
    Action a = ctx_.policy.rule_action(s.rule);
    std::string out;
    switch (a) {
      case Action::keep:
        ++stats_.kept[{rule.id, ctx_.policy.keep_reason(s.rule)}];
        return std::string(raw);
      case Action::mask: out = mask_written(raw, 4); break;
      case Action::drop: break;
      case Action::pseudonym: {
        std::string norm = normalise_value(rule, raw.substr(s.offset - g.start, s.length));
        if (norm.empty() || !ctx_.pseudonymiser) {
          unresolved(g, "no normalised value to pseudonymise");
          return std::string(raw);
        }
        out = ctx_.pseudonymiser->token(rule.id, norm);
        break;
      }
    }
    ++stats_.changes[{rule.id, std::string(to_string(a))}];
    return out;
  }

  // Groups that start before `off` and were never reached: unresolved.
  void skip_before(uint64_t off, const char* why) {
    while (g_ < groups_.size() && groups_[g_].start < off) unresolved(groups_[g_++], why);
  }

  // Replaces the groups inside a buffered unit (a cell, a JSON token) that
  // starts at stream offset `off`; appends the result to `out`. A group that
  // runs past the unit is unresolved.
  void splice(std::string_view unit, uint64_t off, std::string& out) {
    skip_before(off, "the value is outside any field");
    uint64_t end = off + unit.size();
    size_t pos = 0;
    while (g_ < groups_.size() && groups_[g_].start < end) {
      const SpanGroup& g = groups_[g_++];
      if (g.end > end) {
        unresolved(g, "the value crosses a field boundary");
        continue;
      }
      size_t rel = static_cast<size_t>(g.start - off), len = static_cast<size_t>(g.end - g.start);
      out.append(unit.substr(pos, rel - pos));
      out += replace(g, unit.substr(rel, len));
      pos = rel + len;
    }
    out.append(unit.substr(pos));
  }

  // A whole cell replaced by a column instruction: the groups inside count as
  // changed by it (or kept by it). Verifies them all.
  void cover(std::string_view unit, uint64_t off, const ColumnSpec& spec) {
    skip_before(off, "the value is outside any field");
    uint64_t end = off + unit.size();
    while (g_ < groups_.size() && groups_[g_].start < end) {
      const SpanGroup& g = groups_[g_++];
      if (g.end > end) {
        unresolved(g, "the value crosses a field boundary");
        continue;
      }
      if (!verified(g, unit.substr(static_cast<size_t>(g.start - off), static_cast<size_t>(g.end - g.start))))
        continue;
      const std::string& id = rule_id(chosen(g));
      if (!spec.generalises && spec.action == Action::keep) ++stats_.kept[{id, spec.reason}];
      else ++stats_.changes[{id, "column " + spec.label()}];
    }
  }

  // The new content of a whole value under a column instruction; `changed`
  // false when it stays (keep, blank).
  std::string column_value(const ColumnSpec& spec, std::string_view column, std::string_view value,
                           bool& changed) {
    changed = false;
    if (link::trim_value(value).empty()) return std::string(value);
    std::string out;
    if (spec.generalises) {
      if (!generalise(spec.gen, link::trim_value(value), out)) {
        ++stats_.unparseable[std::string(column)];
        out.clear();
      }
    } else {
      switch (spec.action) {
        case Action::keep: return std::string(value);
        case Action::drop: break;
        case Action::mask: out = mask_written(value, digits_only(value) ? 4 : 0); break;
        case Action::pseudonym: out = column_token(ctx_, column, link::trim_value(value)); break;
      }
    }
    changed = true;
    ++stats_.columns[{std::string(column), spec.label()}];
    return out;
  }

  void finish_groups() {
    while (g_ < groups_.size()) unresolved(groups_[g_++], "the value lies beyond the end of the rewritten text");
  }
};

// ------------------------------------------------------------------ text

class TextRewriter : public Base {
 public:
  using Base::Base;

  void feed(const char* p, size_t n) override {
    while (n > 0) {
      if (in_group_) {
        const SpanGroup& g = groups_[g_];
        size_t need = static_cast<size_t>(g.end - g.start) - raw_.size();
        size_t take = std::min(n, need);
        raw_.append(p, take);
        p += take;
        n -= take;
        pos_ += take;
        if (raw_.size() == g.end - g.start) {
          emit_(replace(g, raw_));
          ++g_;
          in_group_ = false;
        }
        continue;
      }
      uint64_t next = g_ < groups_.size() ? groups_[g_].start : UINT64_MAX;
      if (next < pos_) {
        unresolved(groups_[g_++], "the value overlaps one already replaced");
        continue;
      }
      size_t take = static_cast<size_t>(std::min<uint64_t>(n, next - pos_));
      if (take) emit_(std::string_view(p, take));
      p += take;
      n -= take;
      pos_ += take;
      if (pos_ == next && n > 0) {
        in_group_ = true;
        raw_.clear();
      }
    }
  }

  void finish() override {
    if (in_group_) {
      unresolved(groups_[g_++], "the document ends inside the value");
      emit_(raw_);
      in_group_ = false;
    }
    finish_groups();
  }

 private:
  bool in_group_ = false;
  std::string raw_;
};

// ------------------------------------------------------------------- CSV

constexpr size_t kMaxUnit = size_t{64} << 20;

// The delimiter of a CSV/TSV document: TSV is tab; CSV the most frequent of
// , tab ; | outside quotes in the first line (as the scanner decides).
char detect_delimiter(const char* p, size_t n) {
  size_t counts[4] = {0, 0, 0, 0};
  const char cands[4] = {',', '\t', ';', '|'};
  bool q = false;
  for (size_t i = 0; i < n; ++i) {
    char c = p[i];
    if (c == '"') q = !q;
    if (q) continue;
    if (c == '\n') break;
    for (int k = 0; k < 4; ++k)
      if (c == cands[k]) ++counts[k];
  }
  char d = ',';
  size_t best = 0;
  for (int k = 0; k < 4; ++k)
    if (counts[k] > best) {
      best = counts[k];
      d = cands[k];
    }
  return d;
}

class CsvRewriter : public Base {
 public:
  CsvRewriter(char delimiter, const RewriteContext& ctx, const std::vector<ValueSpan>& spans,
              const std::vector<SpanGroup>& groups, Emit emit, DocStats& stats)
      : Base(ctx, spans, groups, std::move(emit), stats), delim_(delimiter) {}

  void feed(const char* p, size_t n) override {
    if (!delim_) {
      head_.append(p, std::min(n, size_t{65536} - std::min(head_.size(), size_t{65536})));
      if (head_.size() < 65536 && std::memchr(p, '\n', n) == nullptr) {
        pending_.append(p, n);
        return;
      }
      delim_ = detect_delimiter(head_.data(), head_.size());
      std::string first = std::move(pending_);
      pending_.clear();
      if (!first.empty()) consume(first.data(), first.size());
    }
    consume(p, n);
  }

  void finish() override {
    if (!delim_) {
      delim_ = detect_delimiter(head_.data(), head_.size());
      std::string first = std::move(pending_);
      pending_.clear();
      consume(first.data(), first.size());
    }
    if (!cell_.empty() || col_ > 0 || in_quotes_) end_cell();
    finish_groups();
  }

 private:
  char delim_;
  std::string head_, pending_;  // before the delimiter is known
  std::string cell_;            // raw bytes of the current cell
  uint64_t cell_off_ = 0;
  bool in_quotes_ = false, after_quote_ = false;
  uint64_t row_ = 0;
  size_t col_ = 0;
  std::vector<std::string> names_;
  std::vector<const ColumnSpec*> specs_;
  std::string out_;
  bool too_big_ = false;

  void consume(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      char c = p[i];
      if (in_quotes_) {
        cell_.push_back(c);
        if (c == '"') {
          in_quotes_ = false;
          after_quote_ = true;
        }
      } else if (c == '"' && (cell_.empty() || after_quote_)) {
        cell_.push_back(c);
        in_quotes_ = true;
        after_quote_ = false;
      } else if (c == delim_ || c == '\n') {
        std::string_view eol = c == '\n' ? "\n" : std::string_view(&delim_, 1);
        bool cr = c == '\n' && !cell_.empty() && cell_.back() == '\r';
        if (cr) cell_.pop_back();
        end_cell();
        if (cr) emit_("\r");
        emit_(eol);
        if (c == '\n') {
          end_row();
        } else {
          ++col_;
        }
        cell_off_ = pos_ + 1;
      } else {
        cell_.push_back(c);
        after_quote_ = false;
      }
      ++pos_;
      if (cell_.size() > kMaxUnit && !too_big_) {
        too_big_ = true;
        ++stats_.unresolved[{"-", "a CSV field larger than 64 MiB"}];
      }
    }
  }

  static std::string unquote(std::string_view raw, bool& quoted) {
    quoted = raw.size() >= 2 && raw.front() == '"' && raw.back() == '"';
    if (!quoted) return std::string(raw);
    std::string v;
    raw = raw.substr(1, raw.size() - 2);
    for (size_t i = 0; i < raw.size(); ++i) {
      v.push_back(raw[i]);
      if (raw[i] == '"' && i + 1 < raw.size() && raw[i + 1] == '"') ++i;
    }
    return v;
  }

  std::string quote(std::string_view v, bool quoted) const {
    bool need = quoted || v.find_first_of(std::string("\"\r\n") + delim_) != std::string_view::npos;
    if (!need) return std::string(v);
    std::string out = "\"";
    for (char c : v) {
      out.push_back(c);
      if (c == '"') out.push_back('"');
    }
    out.push_back('"');
    return out;
  }

  void end_cell() {
    out_.clear();
    const ColumnSpec* spec = row_ > 0 && col_ < specs_.size() ? specs_[col_] : nullptr;
    if (row_ == 0) {
      bool q;
      names_.push_back(std::string(link::trim_value(unquote(cell_, q))));
    }
    if (spec) {
      bool quoted = false, changed = false;
      std::string v = unquote(cell_, quoted);
      std::string nv = column_value(*spec, names_[col_], v, changed);
      cover(cell_, cell_off_, *spec);
      if (changed) out_ = quote(nv, quoted);
      else out_ = cell_;
    } else {
      splice(cell_, cell_off_, out_);
    }
    emit_(out_);
    cell_.clear();
    in_quotes_ = after_quote_ = false;
  }

  void end_row() {
    if (row_ == 0) {
      specs_.clear();
      for (auto& n : names_) specs_.push_back(ctx_.policy.column(n));
    }
    ++row_;
    col_ = 0;
  }
};

// ------------------------------------------------------------------ JSON

class JsonRewriter : public Base {
 public:
  JsonRewriter(bool lines, const RewriteContext& ctx, const std::vector<ValueSpan>& spans,
               const std::vector<SpanGroup>& groups, Emit emit, DocStats& stats)
      : Base(ctx, spans, groups, std::move(emit), stats), lines_(lines) {}

  void feed(const char* p, size_t n) override {
    for (size_t i = 0; i < n; ++i, ++pos_) {
      char c = p[i];
      if (in_string_) {
        unit_.push_back(c);
        if (escape_) escape_ = false;
        else if (c == '\\') escape_ = true;
        else if (c == '"') end_string();
        check_size();
        continue;
      }
      if (in_bare_) {
        if (!structural(c)) {
          unit_.push_back(c);
          check_size();
          continue;
        }
        end_bare();
      }
      switch (c) {
        case '"':
          in_string_ = true;
          unit_.assign(1, c);
          unit_off_ = pos_;
          is_key_ = !stack_.empty() && stack_.back().object && stack_.back().expect_key;
          continue;
        case '{': stack_.push_back({true, true, std::string()}); break;
        case '[': stack_.push_back({false, false, std::string()}); break;
        case '}':
        case ']':
          if (!stack_.empty()) stack_.pop_back();
          break;
        case ':':
          if (!stack_.empty() && stack_.back().object) stack_.back().expect_key = false;
          break;
        case ',':
          if (!stack_.empty() && stack_.back().object) stack_.back().expect_key = true;
          break;
        case '\n':
          if (lines_) stack_.clear();  // a bad line does not spoil the next
          break;
        case ' ': case '\t': case '\r': break;
        default:
          in_bare_ = true;
          unit_.assign(1, c);
          unit_off_ = pos_;
          continue;
      }
      char s[1] = {c};
      emit_(std::string_view(s, 1));
    }
  }

  void finish() override {
    if (in_string_ || in_bare_) {
      // An unterminated token: values inside are still replaced.
      out_.clear();
      splice(unit_, unit_off_, out_);
      emit_(out_);
      in_string_ = in_bare_ = false;
    }
    finish_groups();
  }

 private:
  struct Frame {
    bool object;
    bool expect_key;
    std::string key;
  };
  bool lines_;
  std::vector<Frame> stack_;
  bool in_string_ = false, escape_ = false, in_bare_ = false, is_key_ = false;
  std::string unit_;
  uint64_t unit_off_ = 0;
  std::string out_;
  bool too_big_ = false;

  static bool structural(char c) {
    return c == ',' || c == ':' || c == '{' || c == '}' || c == '[' || c == ']' || c == ' ' ||
           c == '\t' || c == '\r' || c == '\n' || c == '"';
  }

  void check_size() {
    if (unit_.size() > kMaxUnit && !too_big_) {
      too_big_ = true;
      ++stats_.unresolved[{"-", "a JSON string larger than 64 MiB"}];
    }
  }

  // The column instruction for the value at the current position: the first
  // (outermost) key on its path that names one, by key, dotted path or JSON
  // Pointer. `name` receives what matched.
  const ColumnSpec* column_for(std::string& name) const {
    if (ctx_.policy.columns().empty()) return nullptr;
    std::string dotted, pointer;
    for (auto& f : stack_) {
      if (!f.object) continue;
      dotted += (dotted.empty() ? "" : ".") + f.key;
      pointer += "/" + f.key;
      for (const std::string* cand : std::initializer_list<const std::string*>{&f.key, &dotted, &pointer})
        if (const ColumnSpec* s = ctx_.policy.column(*cand)) {
          name = f.key;
          return s;
        }
    }
    return nullptr;
  }

  void end_string() {
    in_string_ = false;
    out_.clear();
    if (is_key_) {
      splice(unit_, unit_off_, out_);
      stack_.back().key = json_unescape(std::string_view(unit_).substr(1, unit_.size() - 2));
      emit_(out_);
      return;
    }
    std::string name;
    if (const ColumnSpec* spec = column_for(name)) {
      bool changed = false;
      std::string v = json_unescape(std::string_view(unit_).substr(1, unit_.size() - 2));
      std::string nv = column_value(*spec, name, v, changed);
      cover(unit_, unit_off_, *spec);
      if (changed) json_escape(out_, nv);
      else out_ = unit_;
    } else {
      splice(unit_, unit_off_, out_);
    }
    emit_(out_);
  }

  // A number or literal ends: a replaced number becomes a string (null when dropped).
  void end_bare() {
    in_bare_ = false;
    out_.clear();
    bool literal = unit_ == "true" || unit_ == "false" || unit_ == "null";
    std::string name;
    const ColumnSpec* spec = literal ? nullptr : column_for(name);
    bool changed = false;
    std::string nv;
    if (spec) {
      nv = column_value(*spec, name, unit_, changed);
      cover(unit_, unit_off_, *spec);
    } else {
      splice(unit_, unit_off_, nv);
      changed = nv != unit_;
    }
    if (!changed) out_ = unit_;
    else if (nv.empty()) out_ = "null";
    else json_escape(out_, nv);
    emit_(out_);
  }
};

}  // namespace

std::unique_ptr<Rewriter> make_rewriter(DocFormat format, const RewriteContext& ctx,
                                        const std::vector<ValueSpan>& spans,
                                        const std::vector<SpanGroup>& groups, Emit emit,
                                        DocStats& stats) {
  switch (format) {
    case DocFormat::csv:
      return std::make_unique<CsvRewriter>(0, ctx, spans, groups, std::move(emit), stats);
    case DocFormat::tsv:
      return std::make_unique<CsvRewriter>('\t', ctx, spans, groups, std::move(emit), stats);
    case DocFormat::json:
    case DocFormat::jsonl:
      return std::make_unique<JsonRewriter>(format == DocFormat::jsonl, ctx, spans, groups,
                                            std::move(emit), stats);
    case DocFormat::text: break;
  }
  return std::make_unique<TextRewriter>(ctx, spans, groups, std::move(emit), stats);
}

}  // namespace privaudit::redact
