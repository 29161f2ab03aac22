#include "scan/fields.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/simd.h"

namespace privaudit {

namespace {
constexpr size_t kMaxName = 256;
constexpr size_t kMaxColumns = 16384;
constexpr size_t kMaxDepth = 256;

bool looks_like_data(const std::string& s) {
  int run = 0;
  for (unsigned char c : s) {
    if (c == '@') return true;
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 6) return true;
  }
  return false;
}
}  // namespace

uint64_t fnv1a(std::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t FieldTracker::stats_id() {
  FieldInfo fi;
  current(fi);
  return fi.stats_key.empty() ? 0 : fnv1a(fi.stats_key) | 1;
}

// ------------------------------------------------------------------- CSV

CsvTracker::CsvTracker(char delimiter, const char* sample, size_t n) : delim_(delimiter) {
  if (delim_ == 0) {
    size_t counts[4] = {0, 0, 0, 0};
    const char cands[4] = {',', '\t', ';', '|'};
    bool q = false;
    for (size_t i = 0; i < n; ++i) {
      char c = sample[i];
      if (c == '"') q = !q;
      if (q) continue;
      if (c == '\n') break;
      for (int k = 0; k < 4; ++k)
        if (c == cands[k]) ++counts[k];
    }
    delim_ = ',';
    size_t best = 0;
    for (int k = 0; k < 4; ++k)
      if (counts[k] > best) { best = counts[k]; delim_ = cands[k]; }
  }
}

void CsvTracker::advance(const char* p, size_t n) {
  const char special[] = {'"', delim_, '\n'};
  for (size_t i = 0; i < n; ++i) {
    if (row_ > 0) {
      // Past the header, only quotes, delimiters and newlines matter.
      size_t j = i + simd::find_any(p + i, n - i, special, in_quotes_ ? 1 : 3);
      if (j > i) {
        if (!in_quotes_) {
          after_quote_ = false;
          for (size_t k = i; k < j; ++k)
            if (p[k] != '\r') { field_start_ = false; break; }
        }
        i = j;
      }
      if (i >= n) break;
    }
    char c = p[i];
    if (in_quotes_) {
      if (c == '"') {
        in_quotes_ = false;
        after_quote_ = true;
      } else if (row_ == 0 && cur_.size() < kMaxName) {
        cur_.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      if (after_quote_) {  // "" inside a quoted field
        in_quotes_ = true;
        after_quote_ = false;
        if (row_ == 0 && cur_.size() < kMaxName) cur_.push_back('"');
      } else if (field_start_) {
        in_quotes_ = true;
      } else if (row_ == 0 && cur_.size() < kMaxName) {
        cur_.push_back(c);
      }
      field_start_ = false;
      continue;
    }
    after_quote_ = false;
    if (c == delim_ || c == '\n') {
      if (row_ == 0 && names_.size() < kMaxColumns) {
        while (!cur_.empty() && (cur_.back() == '\r' || cur_.back() == ' ')) cur_.pop_back();
        size_t b = 0;
        while (b < cur_.size() && cur_[b] == ' ') ++b;
        names_.push_back(cur_.substr(b));
        cur_.clear();
      }
      field_start_ = true;
      if (c == '\n') {
        if (row_ == 0 && header_) {
          header_ = !std::any_of(names_.begin(), names_.end(), looks_like_data);
          // An UTF-8 BOM left on the first name is not part of it.
          if (!names_.empty() && names_[0].rfind("\xEF\xBB\xBF", 0) == 0) names_[0].erase(0, 3);
        }
        ++row_;
        col_ = 0;
      } else {
        ++col_;
      }
      continue;
    }
    if (c == '\r') continue;
    field_start_ = false;
    if (row_ == 0 && cur_.size() < kMaxName) cur_.push_back(c);
  }
}

void CsvTracker::saw_value() {
  if (row_ == 0) header_ = false;
}

void CsvTracker::current(FieldInfo& out) {
  bool named = header_ && row_ > 0 && col_ < names_.size() && !names_[col_].empty();
  if (col_ < kMaxColumns) {
    if (cache_.size() <= col_ || cache_named_ != named) {
      if (cache_named_ != named) cache_.clear();
      cache_named_ = named;
      while (cache_.size() <= col_) {
        size_t c = cache_.size();
        bool nm = named && c < names_.size() && !names_[c].empty();
        FieldInfo fi;
        fi.field = nm ? names_[c] : fmt::format("column {}", c + 1);
        fi.key = nm ? names_[c] : std::string();
        fi.stats_key = fmt::format("{}#{}", c, fi.field);
        cache_.push_back(std::move(fi));
      }
    }
    const FieldInfo& c = cache_[col_];
    out.field.assign(c.field);
    out.key.assign(c.key);
    out.stats_key.assign(c.stats_key);
  } else {
    out.field = fmt::format("column {}", col_ + 1);
    out.key.clear();
    out.stats_key = out.field;
  }
  out.record = header_ ? static_cast<int64_t>(row_) : static_cast<int64_t>(row_ + 1);
}

// ------------------------------------------------------------------ JSON

JsonTracker::JsonTracker(bool lines) : lines_(lines) {}

void JsonTracker::bad(const char* what) {
  if (!line_bad_) problems.push_back(fmt::format("line {}: malformed JSON: {}", line_, what));
  line_bad_ = true;
}

void JsonTracker::advance(const char* p, size_t n) {
  static const char kInString[] = {'"', '\\', '\n'};
  static const char kStructure[] = {'"', '{', '}', '[', ']', ',', ':', '\n'};
  for (size_t i = 0; i < n; ++i) {
    // Skip what cannot change the state: string contents, and values and
    // white space between structural characters.
    if (in_string_ && !escape_) {
      size_t j = i + simd::find_any(p + i, n - i, kInString, 3);
      if (is_key_ && keybuf_.size() < kMaxName)
        keybuf_.append(p + i, std::min(j - i, kMaxName - keybuf_.size()));
      i = j;
    } else if (!in_string_) {
      i += simd::find_any(p + i, n - i, kStructure, 8);
    }
    if (i >= n) break;
    char c = p[i];
    if (in_string_) {
      if (escape_) {
        escape_ = false;
        if (is_key_ && keybuf_.size() < kMaxName) keybuf_.push_back(c == 'n' ? '\n' : c);
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_string_ = false;
        if (is_key_ && !stack_.empty() && depth_ <= kMaxDepth) {
          stack_.back().key = keybuf_;
          stack_.back().key_hash = fnv1a(keybuf_);
        }
      } else if (c == '\n') {
        bad("unterminated string");
        in_string_ = false;
        --i;  // handle the newline below
      } else if (is_key_ && keybuf_.size() < kMaxName) {
        keybuf_.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string_ = true;
        is_key_ = depth_ > 0 && depth_ <= kMaxDepth && !stack_.empty() && stack_.back().object &&
                  expect_key_;
        if (is_key_) keybuf_.clear();
        break;
      case '{':
      case '[':
        if (depth_ == 0) {
          doc_line_ = line_;
          top_array_ = c == '[';
        }
        ++depth_;
        if (depth_ <= kMaxDepth) stack_.push_back({c == '{', std::string(), 0});
        expect_key_ = c == '{';
        break;
      case '}':
      case ']':
        if (depth_ == 0) {
          bad("unbalanced closing bracket");
          break;
        }
        if (depth_ <= kMaxDepth) stack_.pop_back();
        --depth_;
        expect_key_ = false;
        break;
      case ':':
        expect_key_ = false;
        break;
      case ',':
        if (depth_ > 0 && depth_ <= kMaxDepth) {
          if (stack_.back().object) {
            expect_key_ = true;
            stack_.back().key.clear();
            stack_.back().key_hash = 0;
          } else {
            ++stack_.back().index;
          }
        }
        break;
      case '\n':
        if (lines_ && depth_ > 0) {
          bad("record not closed at end of line");
          stack_.clear();
          depth_ = 0;
        }
        ++line_;
        line_bad_ = false;
        break;
      default:
        break;
    }
  }
}

uint64_t JsonTracker::stats_id() {
  uint64_t h = 1469598103934665603ULL;
  for (auto& f : stack_) {
    h = (h ^ (f.object ? f.key_hash : 0x2a)) * 1099511628211ULL;  // '*' for any array index
    h = (h ^ 0x2f) * 1099511628211ULL;
  }
  return stack_.empty() ? 0 : h | 1;
}

void JsonTracker::current(FieldInfo& out) {
  out.field.clear();
  out.key.clear();
  out.stats_key.clear();
  for (auto& f : stack_) {
    out.field.push_back('/');
    out.stats_key.push_back('/');
    if (f.object) {
      for (char ch : f.key) {
        if (ch == '~') out.field += "~0";
        else if (ch == '/') out.field += "~1";
        else out.field.push_back(ch);
      }
      out.stats_key += f.key;
      if (!f.key.empty()) out.key = f.key;
    } else {
      out.field += std::to_string(f.index);
      out.stats_key.push_back('*');
    }
  }
  if (depth_ == 0) out.record = -1;
  else if (top_array_) out.record = stack_.empty() ? -1 : stack_[0].index + 1;
  else out.record = static_cast<int64_t>(doc_line_);
}

}  // namespace privaudit
