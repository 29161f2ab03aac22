#include "scan/fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/simd.h"

#include <emmintrin.h>

#include <cstring>

namespace privaudit {

namespace {
constexpr size_t kMaxName = 256;
static_assert(kMaxName <= JsonTracker::kMaxKey, "a JSON key fits its frame");
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

std::string_view FieldTracker::key() {
  current(key_info_);
  return key_info_.key;
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

// One byte of the state machine (past the header, only quotes, delimiters
// and newlines reach it).
void CsvTracker::on_byte(char c) {
  if (in_quotes_) {
    if (c == '"') {
      in_quotes_ = false;
      after_quote_ = true;
    } else if (row_ == 0 && cur_.size() < kMaxName) {
      cur_.push_back(c);
    }
    return;
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
    return;
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
    return;
  }
  if (c == '\r') return;
  field_start_ = false;
  if (row_ == 0 && cur_.size() < kMaxName) cur_.push_back(c);
}

void CsvTracker::advance(const char* p, size_t n) {
  size_t i = 0;
  // The header row byte by byte (its names are collected).
  for (; i < n && row_ == 0; ++i) on_byte(p[i]);
  // Past the header, 64 bytes at a time: only quotes, delimiters and
  // newlines matter; the bytes between them only end a field's start (any
  // byte but '\r') and a closing quote's effect.
  const __m128i vq = _mm_set1_epi8('"'), vd = _mm_set1_epi8(delim_), vn = _mm_set1_epi8('\n'),
                vr = _mm_set1_epi8('\r');
  alignas(16) char tmp[64];
  for (; i < n; i += 64) {
    const size_t len = std::min<size_t>(64, n - i);
    const char* blk = p + i;
    if (len < 64) {
      std::memset(tmp, 0, sizeof tmp);
      std::memcpy(tmp, blk, len);
    }
    const char* src = len < 64 ? tmp : blk;
    uint64_t quote = 0, special = 0, cr = 0;
    for (int k = 0; k < 4; ++k) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 16 * k));
      auto bits = [&](__m128i x) {
        return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(x))) << (16 * k);
      };
      __m128i q = _mm_cmpeq_epi8(v, vq);
      quote |= bits(q);
      special |= bits(_mm_or_si128(q, _mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vn))));
      cr |= bits(_mm_cmpeq_epi8(v, vr));
    }
    const uint64_t valid = len < 64 ? (uint64_t{1} << len) - 1 : ~uint64_t{0};
    quote &= valid;
    special &= valid;
    size_t pos = 0;
    while (pos < len) {
      const uint64_t live = ~uint64_t{0} << pos;
      const uint64_t x = (in_quotes_ ? quote : special) & live;
      const size_t j = x ? static_cast<size_t>(__builtin_ctzll(x)) : len;
      if (j > pos && !in_quotes_) {
        after_quote_ = false;
        const uint64_t upto = j >= 64 ? ~uint64_t{0} : (uint64_t{1} << j) - 1;
        if (~cr & live & upto) field_start_ = false;
      }
      if (j >= len) break;
      on_byte(blk[j]);
      pos = j + 1;
    }
  }
}

void CsvTracker::saw_value() {
  if (row_ == 0) header_ = false;
}

std::string_view CsvTracker::key() {
  // As current(): the header's name of a named column, else none.
  bool named = header_ && row_ > 0 && col_ < names_.size() && !names_[col_].empty();
  if (!named || col_ >= kMaxColumns) return {};
  return names_[col_];
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

// Out of line, so that the copy is a call to memcpy rather than an inlined
// `rep movs`, slow for the few bytes of a key.
__attribute__((noinline)) void JsonTracker::set_key(Frame& f, const char* s, size_t n) {
  std::memcpy(f.key, s, n);
  f.key_len = static_cast<uint32_t>(n);
  f.hash_due = true;
}

void JsonTracker::bad(const char* what) {
  if (!line_bad_) problems.push_back(fmt::format("line {}: malformed JSON: {}", line_, what));
  line_bad_ = true;
}

namespace {
// Bit masks over 64 bytes (fewer at the end of input): quotes, backslashes,
// newlines, and the structural characters { } [ ] , :
struct JsonMasks {
  uint64_t quote = 0, backslash = 0, newline = 0, structure = 0;
};

JsonMasks json_masks(const char* p, size_t len) {
  alignas(16) char tmp[64];
  if (len < 64) {
    std::memset(tmp, ' ', sizeof tmp);
    std::memcpy(tmp, p, len);
    p = tmp;
  }
  JsonMasks m;
  const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), nl = _mm_set1_epi8('\n'),
                ob = _mm_set1_epi8('{'), cb = _mm_set1_epi8('}'), oa = _mm_set1_epi8('['),
                ca = _mm_set1_epi8(']'), co = _mm_set1_epi8(','), cl = _mm_set1_epi8(':');
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    auto bits = [&](__m128i x) {
      return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(x))) << (16 * k);
    };
    m.quote |= bits(_mm_cmpeq_epi8(v, q));
    m.backslash |= bits(_mm_cmpeq_epi8(v, bs));
    m.newline |= bits(_mm_cmpeq_epi8(v, nl));
    __m128i st = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, ob), _mm_cmpeq_epi8(v, cb)),
                              _mm_or_si128(_mm_cmpeq_epi8(v, oa), _mm_cmpeq_epi8(v, ca)));
    st = _mm_or_si128(st, _mm_or_si128(_mm_cmpeq_epi8(v, co), _mm_cmpeq_epi8(v, cl)));
    m.structure |= bits(st);
  }
  if (len < 64) {
    uint64_t keep = (uint64_t{1} << len) - 1;
    m.quote &= keep;
    m.backslash &= keep;
    m.newline &= keep;
    m.structure &= keep;
  }
  return m;
}
}  // namespace

// A comma: the next key of an object, or the next index of an array.
void JsonTracker::on_comma() {
  if (depth_ == 0 || depth_ > kMaxDepth) return;
  Frame& f = stack_[depth_ - 1];
  if (f.object) {
    expect_key_ = true;
    f.key_len = 0;
    f.hash_due = false;
    f.key_hash = 0;
  } else {
    ++f.index;
  }
}

void JsonTracker::on_char(char c) {
  if (in_string_) {
    if (escape_) {
      escape_ = false;
      if (is_key_ && keybuf_.size() < kMaxName) keybuf_.push_back(c == 'n' ? '\n' : c);
      return;
    }
    if (c == '\\') {
      escape_ = true;
      return;
    }
    if (c == '"') {
      in_string_ = false;
      if (is_key_ && depth_ > 0 && depth_ <= kMaxDepth) {
        Frame& f = stack_[depth_ - 1];
        set_key(f, keybuf_.data(), keybuf_.size());
      }
      return;
    }
    if (c != '\n') return;
    bad("unterminated string");
    in_string_ = false;  // and handle the newline below
  }
  switch (c) {
    case '"':
      in_string_ = true;
      is_key_ = depth_ > 0 && depth_ <= kMaxDepth && stack_[depth_ - 1].object && expect_key_;
      if (is_key_) keybuf_.clear();
      break;
    case '{':
    case '[':
      if (depth_ == 0) {
        doc_line_ = line_;
        top_array_ = c == '[';
      }
      ++depth_;
      if (depth_ <= kMaxDepth) {
        // Frames are reused, so their key strings keep their memory.
        if (stack_.size() < depth_) stack_.emplace_back();
        Frame& f = stack_[depth_ - 1];
        f.object = c == '{';
        f.key_len = 0;
        f.hash_due = false;
        f.index = 0;
        f.key_hash = 0;
      }
      expect_key_ = c == '{';
      break;
    case '}':
    case ']':
      if (depth_ == 0) {
        bad("unbalanced closing bracket");
        break;
      }
      --depth_;
      expect_key_ = false;
      break;
    case ':':
      expect_key_ = false;
      break;
    case ',':
      on_comma();
      break;
    case '\n':
      if (lines_ && depth_ > 0) {
        bad("record not closed at end of line");
        depth_ = 0;
      }
      ++line_;
      line_bad_ = false;
      break;
    default:
      break;
  }
}

void JsonTracker::advance(const char* p, size_t n) {
  // on_char() for every byte that matters, with the common cases (string
  // text up to the next quote, backslash or newline; closing and opening a
  // string; ',' and ':') handled here. A key's text is appended to keybuf_
  // a segment at a time: p[seg, ...) is key text not yet in keybuf_.
  size_t seg = 0;
  auto flush = [&](size_t to) {
    if (keybuf_.size() < kMaxName) keybuf_.append(p + seg, std::min(to - seg, kMaxName - keybuf_.size()));
  };
  for (size_t i = 0; i < n; i += 64) {
    const size_t len = std::min<size_t>(64, n - i);
    const char* blk = p + i;
    const JsonMasks m = json_masks(blk, len);
    const uint64_t in_str = m.quote | m.backslash | m.newline;
    const uint64_t out_str = m.quote | m.structure | m.newline;
    size_t pos = 0;
    while (pos < len) {
      if (in_string_) {
        if (escape_) {
          on_char(blk[pos++]);
          seg = i + pos;
          continue;
        }
        const uint64_t x = in_str & (~uint64_t{0} << pos);
        if (!x) break;  // the rest of the block is string text
        const size_t k = static_cast<size_t>(__builtin_ctzll(x));
        pos = k + 1;
        const char c = blk[k];
        if (c == '"' && is_key_ && keybuf_.empty()) {
          // The whole key lies in p (the common case): no copy to keybuf_.
          in_string_ = false;
          if (depth_ > 0 && depth_ <= kMaxDepth) {
            Frame& f = stack_[depth_ - 1];
            set_key(f, p + seg, std::min(i + k - seg, kMaxName));
          }
          continue;
        }
        if (is_key_) flush(i + k);
        if (c == '\\') {
          escape_ = true;
        } else if (c == '"') {
          in_string_ = false;
          if (is_key_ && depth_ > 0 && depth_ <= kMaxDepth) {
            Frame& f = stack_[depth_ - 1];
            set_key(f, keybuf_.data(), keybuf_.size());
          }
        } else {
          on_char(c);  // a newline ends the string (malformed)
        }
        continue;
      }
      const uint64_t x = out_str & (~uint64_t{0} << pos);
      if (!x) break;
      const size_t k = static_cast<size_t>(__builtin_ctzll(x));
      pos = k + 1;
      const char c = blk[k];
      if (c == '"') {
        in_string_ = true;
        is_key_ = expect_key_ && depth_ > 0 && depth_ <= kMaxDepth && stack_[depth_ - 1].object;
        if (is_key_) {
          keybuf_.clear();
          seg = i + pos;
        }
      } else if (c == ':') {
        expect_key_ = false;
      } else if (c == ',') {
        on_comma();
      } else {
        on_char(c);
      }
    }
  }
  if (in_string_ && is_key_ && !escape_) flush(n);
}

uint64_t JsonTracker::stats_id() {
  uint64_t h = 1469598103934665603ULL;
  size_t live = std::min(depth_, stack_.size());
  for (size_t k = 0; k < live; ++k) {
    Frame& f = stack_[k];
    if (f.hash_due) {
      f.key_hash = fnv1a(f.key_view());
      f.hash_due = false;
    }
    h = (h ^ (f.object ? f.key_hash : 0x2a)) * 1099511628211ULL;  // '*' for any array index
    h = (h ^ 0x2f) * 1099511628211ULL;
  }
  return live == 0 ? 0 : h | 1;
}

std::string_view JsonTracker::key() {
  // As current(): the innermost non-empty key of an object frame.
  size_t live = std::min(depth_, stack_.size());
  for (size_t k = live; k-- > 0;) {
    const Frame& f = stack_[k];
    if (f.object && f.key_len != 0) return f.key_view();
  }
  return {};
}

void JsonTracker::current(FieldInfo& out) {
  out.field.clear();
  out.key.clear();
  out.stats_key.clear();
  size_t live = std::min(depth_, stack_.size());
  for (size_t k = 0; k < live; ++k) {
    const Frame& f = stack_[k];
    out.field.push_back('/');
    out.stats_key.push_back('/');
    if (f.object) {
      const std::string_view key = f.key_view();
      if (key.find_first_of("~/") == std::string_view::npos) {
        out.field += key;
      } else {
        for (char ch : key) {
          if (ch == '~') out.field += "~0";
          else if (ch == '/') out.field += "~1";
          else out.field.push_back(ch);
        }
      }
      out.stats_key += key;
      if (!key.empty()) out.key = key;
    } else {
      char digits[24];
      out.field.append(digits, std::to_chars(digits, digits + sizeof digits, f.index).ptr);
      out.stats_key.push_back('*');
    }
  }
  if (depth_ == 0) out.record = -1;
  else if (top_array_) out.record = live == 0 ? -1 : stack_[0].index + 1;
  else out.record = static_cast<int64_t>(doc_line_);
}

}  // namespace privaudit
