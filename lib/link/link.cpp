#include "link/link.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "link/names.h"
#include "report/json_writer.h"
#include "scan/scanner.h"

namespace privaudit::link {

// ---------------------------------------------------------------- keys

bool parse_on(const std::string& item, OnSpec& out) {
  auto eq = item.find('=');
  out.left = std::string(trim_value(item.substr(0, eq)));
  out.right = eq == std::string::npos ? out.left : std::string(trim_value(item.substr(eq + 1)));
  return !out.left.empty() && !out.right.empty();
}

namespace {

// How a pair of columns is compared: as identifiers when either side is one,
// else by the more specific kind of the two.
void set_pair_kind(const ColumnProfile& l, const ColumnProfile& r, KeyPair& k) {
  if (l.kind == ValueKind::identifier || r.kind == ValueKind::identifier) {
    k.kind = ValueKind::identifier;
    k.rule = l.kind == ValueKind::identifier ? l.rule : r.rule;
    return;
  }
  for (ValueKind v : {ValueKind::date, ValueKind::sex, ValueKind::digits, ValueKind::name})
    if (l.kind == v || r.kind == v) {
      k.kind = v;
      return;
    }
  k.kind = ValueKind::text;
}

KeyPair make_key(const TableProfile& a, const TableProfile& b, size_t i, size_t j,
                 std::string how) {
  KeyPair k;
  k.left = static_cast<int>(i);
  k.right = static_cast<int>(j);
  k.left_name = a.columns[i].name;
  k.right_name = b.columns[j].name;
  k.how = std::move(how);
  if (a.columns[i].concept_id == b.columns[j].concept_id) k.concept_id = a.columns[i].concept_id;
  set_pair_kind(a.columns[i], b.columns[j], k);
  Overlap o = estimate_overlap(a.columns[i].sketch, b.columns[j].sketch);
  k.overlap = o.containment;
  return k;
}

int find_column(const TableProfile& t, const std::string& name) {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].name == name) return static_cast<int>(i);
  std::string norm = normalise_column_name(name);
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].norm_name == norm) return static_cast<int>(i);
  return -1;
}

bool names_match(const ColumnProfile& l, const ColumnProfile& r) {
  if (!l.concept_id.empty() || !r.concept_id.empty()) return l.concept_id == r.concept_id;
  return !l.norm_name.empty() && l.norm_name == r.norm_name;
}

}  // namespace

bool resolve_on(const std::vector<OnSpec>& on, const TableProfile& a, const TableProfile& b,
                std::vector<KeyPair>& keys, std::string& error) {
  for (auto& s : on) {
    int i = find_column(a, s.left), j = find_column(b, s.right);
    if (i < 0 || j < 0) {
      error = fmt::format("--on {}={}: no column '{}' in {}", s.left, s.right,
                          i < 0 ? s.left : s.right, i < 0 ? a.path : b.path);
      return false;
    }
    keys.push_back(make_key(a, b, static_cast<size_t>(i), static_cast<size_t>(j), "--on"));
  }
  return true;
}

void discover_keys(const TableProfile& a, const TableProfile& b, const DiscoveryOptions& opts,
                   std::vector<KeyPair>& keys, std::vector<KeyPair>& unused) {
  std::vector<bool> used_a(a.columns.size()), used_b(b.columns.size());
  // 1. Names: the same normalised name, or one concept.
  for (size_t i = 0; i < a.columns.size(); ++i) {
    for (size_t j = 0; j < b.columns.size(); ++j) {
      if (used_b[j] || !names_match(a.columns[i], b.columns[j])) continue;
      used_a[i] = used_b[j] = true;
      KeyPair k = make_key(a, b, i, j, "name");
      Overlap o = estimate_overlap(a.columns[i].sketch, b.columns[j].sketch);
      bool disjoint = o.exact && o.shared == 0;
      (disjoint ? unused : keys).push_back(std::move(k));
      break;
    }
  }
  // 2. Values: strong overlap of the distinct values, best pairs first.
  struct Cand {
    double containment;
    size_t i, j;
  };
  std::vector<Cand> cands;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    if (used_a[i]) continue;
    for (size_t j = 0; j < b.columns.size(); ++j) {
      if (used_b[j]) continue;
      Overlap o = estimate_overlap(a.columns[i].sketch, b.columns[j].sketch);
      if (std::min(o.left_distinct, o.right_distinct) < opts.min_distinct) continue;
      if (o.containment >= opts.min_containment) cands.push_back({o.containment, i, j});
    }
  }
  std::stable_sort(cands.begin(), cands.end(),
                   [](const Cand& x, const Cand& y) { return x.containment > y.containment; });
  for (auto& c : cands) {
    if (used_a[c.i] || used_b[c.j]) continue;
    used_a[c.i] = used_b[c.j] = true;
    keys.push_back(make_key(a, b, c.i, c.j, "values"));
  }
}

bool PairResult::shares_anything() const {
  return !keys.empty() || !shared_identifiers.empty() || conflicts_across > 0;
}

// ---------------------------------------------------------------- the passes

namespace {

constexpr uint16_t kHasPerson = 1u << 14;  // name/birth date of a first record are set
constexpr uint16_t kFirstRight = 1u << 15; // ... and that record is in the right table
constexpr size_t kMaxSlots = 14;

// Per distinct identifier value: which identifier columns hold it, and the
// name and birth date (32-bit hashes) of the first record holding it in a
// conflict column.
struct IdEntry {
  uint32_t name = 0, dob = 0;
  uint32_t first_record = 0;  // saturates at 2^32 - 1
  uint16_t mask = 0;
};

struct KeyCounts {
  uint32_t left = 0, right = 0;  // records of A / of B with this key tuple
};

enum class Side { left, right };

struct IdColumn {
  int column;
  const Rule* rule;
  int slot = -1;          // bit in IdEntry::mask, or -1 (conflict column only)
  bool conflict = false;  // feeds name / birth date conflict detection
};

// The columns of one table the pass reads identifiers from, and where
// conflict detection finds a record's name and birth date.
struct TableRoles {
  std::vector<IdColumn> ids;
  int name_col = -1, dob_col = -1;
};

bool person_rule(const Rule& r) { return r.has_tag("national-id"); }

uint32_t hash32(const KeyedHash& h, std::string_view v) {
  if (v.empty()) return 0;
  uint64_t x = h(v);
  auto r = static_cast<uint32_t>(x >> 32);
  return r ? r : 1;
}

class PairLinker {
 public:
  PairLinker(const LinkContext& ctx, const TableProfile& a, const TableProfile& b, PairResult& out)
      : ctx_(ctx), a_(a), b_(b), out_(out) {}

  bool run() {
    assign_roles();
    reserve();
    if (!pass(Side::left)) return false;
    if (!pass(Side::right)) return false;
    finish();
    return true;
  }

 private:
  const LinkContext& ctx_;
  const TableProfile& a_;
  const TableProfile& b_;
  PairResult& out_;
  TableRoles roles_[2];
  HashTable<KeyCounts> keys_;
  HashTable<IdEntry> ids_;
  // Extra name / birth-date variants of values already in conflict, so that
  // one variant is reported once: key → (kind << 32 | hash32).
  std::unordered_map<uint64_t, std::vector<uint64_t>> variants_;
  std::string tuple_;

  const Rule& rule_at(int idx) const { return ctx_.engine.rules()[static_cast<size_t>(idx)]; }

  void assign_roles() {
    size_t slots = 0;
    const TableProfile* t[2] = {&a_, &b_};
    for (int s = 0; s < 2; ++s) {
      const TableProfile& me = *t[s];
      const TableProfile& other = *t[1 - s];
      TableRoles& r = roles_[s];
      bool have_conflict = false;
      for (size_t c = 0; c < me.columns.size(); ++c) {
        const auto& col = me.columns[c];
        if (!col.identifier) continue;
        IdColumn ic{static_cast<int>(c), &rule_at(col.rule)};
        bool shared_rule = std::any_of(other.columns.begin(), other.columns.end(), [&](auto& o) {
          return o.identifier && o.rule == col.rule;
        });
        if (shared_rule && slots < kMaxSlots) ic.slot = static_cast<int>(slots++);
        if (!have_conflict && person_rule(*ic.rule)) ic.conflict = have_conflict = true;
        if (ic.slot >= 0 || ic.conflict) r.ids.push_back(ic);
      }
      r.name_col = me.find_concept("name");
      if (r.name_col < 0) r.name_col = me.find_concept("name_kana");
      r.dob_col = me.find_concept("birthdate");
      if (r.name_col < 0 && r.dob_col < 0)
        for (auto& ic : r.ids) ic.conflict = false;
    }
  }

  // Sizes the tables from the profiles, so they are not regrown while
  // streaming: A's records bound its key tuples; the union of the identifier
  // columns' sketches estimates the distinct identifier values.
  void reserve() {
    if (!out_.keys.empty()) keys_.reserve(a_.records);
    KmvSketch all;
    const TableProfile* t[2] = {&a_, &b_};
    for (int s = 0; s < 2; ++s)
      for (auto& ic : roles_[s].ids) all.merge(t[s]->columns[static_cast<size_t>(ic.column)].sketch);
    all.finish();
    ids_.reserve(static_cast<size_t>(all.distinct() * 1.05));
  }

  // The key tuple's hash for this record, or 0 when a key value is missing.
  uint64_t key_hash(Side side, const std::vector<std::string>& f) {
    if (out_.keys.empty()) return 0;
    tuple_.clear();
    for (auto& k : out_.keys) {
      int col = side == Side::left ? k.left : k.right;
      const Rule* rule = k.rule >= 0 ? &rule_at(k.rule) : nullptr;
      std::string v = canonical_value(k.kind, rule, static_cast<size_t>(col) < f.size() ? f[static_cast<size_t>(col)] : std::string());
      if (v.empty()) return 0;
      tuple_ += v;
      tuple_.push_back('\x1f');
    }
    return ctx_.hash(tuple_);
  }

  // One record's work, computed first (normalising, hashing) and applied to
  // the tables in a second step, so that a batch of records can prefetch the
  // table slots it will touch: the tables are far larger than the caches.
  struct IdHit {
    const IdColumn* column;
    uint64_t key;
    std::string norm;
    uint32_t name = 0, dob = 0;
  };
  struct Pending {
    uint64_t key_hash;  // 0: a key value is missing
    uint64_t line, record;
    size_t first_hit, hits;
  };
  static constexpr size_t kBatch = 64;
  std::vector<Pending> batch_;
  std::vector<IdHit> hits_;

  bool pass(Side side) {
    const TableProfile& t = side == Side::left ? a_ : b_;
    std::string err;
    auto reader = TableReader::open_file(t.path, ctx_.table, err);
    if (!reader) {
      out_.errors.push_back({t.path, err});
      return false;
    }
    std::vector<std::string> f;
    uint64_t records = 0;
    batch_.clear();
    hits_.clear();
    while (reader->next(f)) {
      ++records;
      prepare(side, *reader, f);
      if (batch_.size() == kBatch) apply(side, t);
    }
    apply(side, t);
    if (reader->failed()) {
      out_.errors.push_back({t.path, reader->error()});
      return false;
    }
    (side == Side::left ? out_.left_records : out_.right_records) = records;
    return true;
  }

  // Normalises and hashes what the record contributes: its key tuple and its
  // valid identifier values (with the record's name and birth date).
  void prepare(Side side, const TableReader& reader, const std::vector<std::string>& f) {
    const TableRoles& r = roles_[side == Side::left ? 0 : 1];
    auto cell = [&](int c) -> std::string_view {
      return c >= 0 && static_cast<size_t>(c) < f.size() ? std::string_view(f[static_cast<size_t>(c)])
                                                         : std::string_view();
    };
    Pending p{key_hash(side, f), reader.line(), reader.record(), hits_.size(), 0};
    for (auto& ic : r.ids) {
      std::string norm = valid_identifier(*ic.rule, cell(ic.column));
      if (norm.empty()) continue;
      IdHit h{&ic, ctx_.hash(ic.rule->id + '\0' + norm), std::move(norm)};
      if (ic.conflict) {
        h.name = hash32(ctx_.hash, canonical_value(ValueKind::name, nullptr, cell(r.name_col)));
        h.dob = hash32(ctx_.hash, canonical_value(ValueKind::date, nullptr, cell(r.dob_col)));
      }
      hits_.push_back(std::move(h));
      ++p.hits;
    }
    batch_.push_back(p);
  }

  // Applies the batch to the tables, in record order.
  void apply(Side side, const TableProfile& t) {
    for (auto& p : batch_)
      if (p.key_hash) keys_.prefetch(p.key_hash);
    for (auto& h : hits_) ids_.prefetch(h.key);
    for (auto& p : batch_) {
      if (p.key_hash) {
        bool inserted = false;
        if (side == Side::left) {
          ++keys_.find_or_insert(p.key_hash, inserted).left;
        } else if (KeyCounts* kc = keys_.find(p.key_hash)) {
          ++kc->right;
        }
      }
      for (size_t i = p.first_hit; i < p.first_hit + p.hits; ++i) {
        const IdHit& h = hits_[i];
        bool inserted = false;
        IdEntry& e = ids_.find_or_insert(h.key, inserted);
        if (h.column->slot >= 0) e.mask = static_cast<uint16_t>(e.mask | (1u << h.column->slot));
        if (h.column->conflict) check_conflict(side, t, p, h, e);
      }
    }
    batch_.clear();
    hits_.clear();
  }

  bool seen_variant(uint64_t key, uint64_t kind, uint32_t h) {
    auto it = variants_.find(key);
    if (it == variants_.end()) return false;
    uint64_t v = kind << 32 | h;
    return std::find(it->second.begin(), it->second.end(), v) != it->second.end();
  }

  // Records the first name and birth date seen for an identifier value, and
  // reports a record that brings a new, different one.
  void check_conflict(Side side, const TableProfile& t, const Pending& p, const IdHit& h,
                      IdEntry& e) {
    const IdColumn& ic = *h.column;
    const uint64_t key = h.key;
    const std::string& norm = h.norm;
    const uint32_t name = h.name, dob = h.dob;
    if (!(e.mask & kHasPerson)) {
      e.mask = static_cast<uint16_t>(e.mask | kHasPerson | (side == Side::right ? kFirstRight : 0));
      e.name = name;
      e.dob = dob;
      e.first_record = static_cast<uint32_t>(std::min<uint64_t>(p.record, UINT32_MAX));
      return;
    }
    bool name_differs = name && e.name && name != e.name && !seen_variant(key, 1, name);
    bool dob_differs = dob && e.dob && dob != e.dob && !seen_variant(key, 2, dob);
    if (!e.name) e.name = name;
    if (!e.dob) e.dob = dob;
    if (!name_differs && !dob_differs) return;
    auto& vars = variants_[key];
    if (name_differs) vars.push_back(uint64_t{1} << 32 | name);
    if (dob_differs) vars.push_back(uint64_t{2} << 32 | dob);

    bool first_right = e.mask & kFirstRight;
    const std::string& first_path = first_right ? b_.path : a_.path;
    if (side == Side::left) ++out_.conflicts_within_left;
    else if (first_right) ++out_.conflicts_within_right;
    else ++out_.conflicts_across;

    Finding fd;
    fd.rule = "link-identifier-conflict";
    fd.severity = Severity::high;
    fd.confidence = Confidence::high;
    fd.path = t.path;
    fd.line = p.line;
    fd.record = static_cast<int64_t>(p.record);
    fd.field = t.columns[static_cast<size_t>(ic.column)].name;
    fd.masked = mask_value(norm);
    fd.fingerprint = ctx_.fp.fingerprint(ic.rule->id, norm);
    std::string what = name_differs && dob_differs ? "name and birth date"
                       : name_differs              ? "name"
                                                   : "birth date";
    fd.message = fmt::format("{} value recorded with a different {} than in {} record {}",
                             ic.rule->id, what, first_path, e.first_record);
    out_.findings.push_back(std::move(fd));
  }

  void finish() {
    keys_.for_each([&](uint64_t, const KeyCounts& kc) {
      if (kc.right == 1) out_.linked_unique += kc.left;
      if (kc.right > 1) {
        out_.linked_ambiguous += kc.left;
        out_.expected_correct_links += static_cast<double>(kc.left) / static_cast<double>(kc.right);
      }
    });
    out_.expected_correct_links += static_cast<double>(out_.linked_unique);
    out_.unlinked = out_.left_records - out_.linked_unique - out_.linked_ambiguous;
    shared_identifiers();
    findings();
  }

  void shared_identifiers() {
    for (auto& l : roles_[0].ids) {
      if (l.slot < 0) continue;
      for (auto& r : roles_[1].ids) {
        if (r.slot < 0 || r.rule != l.rule) continue;
        uint16_t both = static_cast<uint16_t>((1u << l.slot) | (1u << r.slot));
        uint64_t n = 0;
        ids_.for_each([&](uint64_t, const IdEntry& e) { n += (e.mask & both) == both; });
        if (!n) continue;
        out_.shared_identifiers.push_back({a_.columns[static_cast<size_t>(l.column)].name,
                                           b_.columns[static_cast<size_t>(r.column)].name,
                                           l.rule->id, n});
      }
    }
  }

  void findings() {
    for (auto& s : out_.shared_identifiers) {
      const Rule* rule = nullptr;
      for (auto& r : ctx_.engine.rules())
        if (r.id == s.rule) rule = &r;
      if (rule && rule->severity == Severity::info) continue;  // public numbers (法人番号)
      Finding f;
      f.rule = "link-shared-identifier";
      f.severity = Severity::high;
      f.confidence = Confidence::high;
      f.path = a_.path;
      f.field = s.left;
      bool one = s.shared_values == 1;
      f.message = fmt::format("{} distinct {} value{} in column '{}' also occur{} in column '{}' of {}",
                              s.shared_values, s.rule, one ? "" : "s", s.left, one ? "s" : "",
                              s.right, b_.path);
      out_.findings.push_back(std::move(f));
    }
    bool quasi = std::any_of(out_.keys.begin(), out_.keys.end(), [&](const KeyPair& k) {
      return !a_.columns[static_cast<size_t>(k.left)].identifier &&
             !b_.columns[static_cast<size_t>(k.right)].identifier;
    });
    if (quasi && out_.linked_unique > 0) {
      std::string names;
      for (auto& k : out_.keys)
        names += (names.empty() ? "" : ", ") +
                 (k.left_name == k.right_name ? k.left_name : k.left_name + "=" + k.right_name);
      Finding f;
      f.rule = "link-unique-match";
      f.severity = Severity::medium;
      f.confidence = Confidence::high;
      f.path = a_.path;
      f.message = fmt::format("{} of {} records ({:.1f}%) link to exactly one record of {} on {}",
                              out_.linked_unique, out_.left_records, 100 * out_.linkage_rate(),
                              b_.path, names);
      out_.findings.push_back(std::move(f));
    }
  }
};

}  // namespace

bool link_pair(const LinkContext& ctx, const TableProfile& a, const TableProfile& b,
               std::vector<KeyPair> keys, std::vector<KeyPair> unused, PairResult& out) {
  out.left_path = a.path;
  out.right_path = b.path;
  out.keys = std::move(keys);
  out.unused_keys = std::move(unused);
  PairLinker linker(ctx, a, b, out);
  return linker.run();
}

// ---------------------------------------------------------------- JSON

namespace {

double round4(double v) { return std::round(v * 10000.0) / 10000.0; }

void write_key(JsonWriter& w, const KeyPair& k) {
  w.begin_object();
  w.key("left").value(k.left_name);
  w.key("right").value(k.right_name);
  w.key("how").value(k.how);
  if (!k.concept_id.empty()) w.key("concept").value(k.concept_id);
  w.key("compare").value(to_string(k.kind));
  if (k.overlap >= 0) w.key("overlap").value(round4(k.overlap));
  w.end_object();
}

}  // namespace

void write_pair(JsonWriter& w, const PairResult& r) {
  w.begin_object();
  w.key("left").value(r.left_path);
  w.key("right").value(r.right_path);
  w.key("left_records").value(r.left_records);
  w.key("right_records").value(r.right_records);
  w.key("keys").begin_array();
  for (auto& k : r.keys) write_key(w, k);
  w.end_array();
  if (!r.unused_keys.empty()) {
    w.key("unused_keys").begin_array();
    for (auto& k : r.unused_keys) write_key(w, k);
    w.end_array();
  }
  w.key("linked_unique").value(r.linked_unique);
  w.key("linked_ambiguous").value(r.linked_ambiguous);
  w.key("unlinked").value(r.unlinked);
  w.key("linkage_rate").value(round4(r.linkage_rate()));
  w.key("expected_correct_links").value(round4(r.expected_correct_links));
  w.key("shared_identifiers").begin_array();
  for (auto& s : r.shared_identifiers)
    w.begin_object()
        .key("left").value(s.left)
        .key("right").value(s.right)
        .key("rule").value(s.rule)
        .key("shared_values").value(s.shared_values)
        .end_object();
  w.end_array();
  w.key("identifier_conflicts").begin_object();
  w.key("within_left").value(r.conflicts_within_left);
  w.key("within_right").value(r.conflicts_within_right);
  w.key("across").value(r.conflicts_across);
  w.end_object();
  w.end_object();
}

std::string pair_json(const PairResult& r) {
  std::string out;
  JsonWriter w(out);
  write_pair(w, r);
  return out;
}

}  // namespace privaudit::link
