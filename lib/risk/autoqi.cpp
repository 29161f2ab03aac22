#include "risk/autoqi.h"

#include <fmt/format.h>

#include <set>
#include <string_view>

namespace privaudit::risk {

namespace {

struct NameRule {
  const char* kind;
  std::vector<const char*> keywords;  // ASCII keywords match whole words; others substrings
};

const std::vector<NameRule>& name_rules() {
  static const std::vector<NameRule> rules = {
      {"birth date", {"生年月日", "誕生日", "生年", "birthdate", "birth_date", "birthday", "date of birth",
                      "date_of_birth", "dateofbirth", "dob", "birth", "born"}},
      {"sex", {"性別", "sex", "gender"}},
      {"postal code", {"郵便番号", "〒", "postal", "postcode", "post code", "post_code", "zip", "zipcode",
                       "zip_code"}},
      {"address", {"住所", "所在地", "居住地", "都道府県", "市区町村", "address", "addr", "prefecture", "city",
                   "municipality"}},
      {"age", {"年齢", "age", "年代", "age_group"}},
      {"occupation", {"職業", "職種", "occupation", "job", "profession"}},
      {"nationality", {"国籍", "nationality", "citizenship", "native-country", "native_country", "country"}},
      {"marital status", {"婚姻", "配偶者", "未既婚", "marital", "married"}},
      {"race", {"人種", "民族", "race", "ethnicity", "ethnic"}},
      {"education", {"学歴", "最終学歴", "education", "degree"}},
  };
  return rules;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

bool word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// `kw` occurs in `name` on word boundaries (ASCII letters and digits form words).
bool has_word(std::string_view name, std::string_view kw) {
  for (size_t p = name.find(kw); p != std::string_view::npos; p = name.find(kw, p + 1)) {
    bool left = p == 0 || !word_char(name[p - 1]);
    size_t e = p + kw.size();
    bool right = e >= name.size() || !word_char(name[e]);
    if (left && right) return true;
  }
  return false;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (one or two digit month and day),
// YYYY年M月D日, optionally followed by a time.
bool looks_like_date(std::string_view v) {
  size_t i = 0;
  auto digits = [&](size_t lo, size_t hi) {
    size_t s = i;
    while (i < v.size() && is_digit(v[i]) && i - s < hi) ++i;
    return i - s >= lo;
  };
  if (!digits(4, 4)) return false;
  int year = std::stoi(std::string(v.substr(0, 4)));
  if (year < 1800 || year > 2200) return false;
  if (v.substr(i, 3) == "年") {
    i += 3;
    if (!digits(1, 2) || v.substr(i, 3) != "月") return false;
    i += 3;
    if (!digits(1, 2) || v.substr(i, 3) != "日") return false;
    i += 3;
    return true;
  }
  if (i >= v.size()) return false;
  char sep = v[i];
  if (sep != '-' && sep != '/' && sep != '.') return false;
  ++i;
  if (!digits(1, 2) || i >= v.size() || v[i] != sep) return false;
  ++i;
  if (!digits(1, 2)) return false;
  return i == v.size() || v[i] == 'T' || v[i] == ' ';
}

// NNN-NNNN, optionally after 〒.
bool looks_like_postal_code(std::string_view v) {
  if (v.substr(0, 3) == "〒") v.remove_prefix(3);
  if (v.size() != 8 || v[3] != '-') return false;
  for (size_t i = 0; i < 8; ++i)
    if (i != 3 && !is_digit(v[i])) return false;
  return true;
}

struct ColumnStats {
  size_t nonempty = 0, dates = 0, postal = 0;
  std::set<std::string_view> distinct;  // capped
};

constexpr size_t kDistinctCap = 64;
constexpr size_t kMaxCategories = 20;

std::string content_reason(const ColumnStats& s) {
  if (s.nonempty == 0) return {};
  double n = static_cast<double>(s.nonempty);
  if (static_cast<double>(s.dates) >= 0.9 * n)
    return fmt::format("values: dates ({:.0f}% of {} sampled)", 100.0 * static_cast<double>(s.dates) / n, s.nonempty);
  if (static_cast<double>(s.postal) >= 0.9 * n)
    return fmt::format("values: postal codes NNN-NNNN ({:.0f}% of {} sampled)",
                       100.0 * static_cast<double>(s.postal) / n, s.nonempty);
  size_t k = s.distinct.size();
  // A categorical attribute: few categories, each seen several times.
  if (s.nonempty >= 20 && k >= 2 && k <= kMaxCategories && k * 5 <= s.nonempty)
    return fmt::format("values: categorical, {} distinct in {} sampled", k, s.nonempty);
  return {};
}

}  // namespace

std::string qi_kind_from_name(const std::string& name) {
  std::string n = lower(name);
  // Contact and network addresses are identifiers, not quasi-identifiers.
  if (n.find("mail") != std::string::npos || n.find("メール") != std::string::npos || has_word(n, "ip") ||
      n.find("url") != std::string::npos)
    return {};
  for (auto& rule : name_rules()) {
    for (const char* kw : rule.keywords) {
      std::string_view k(kw);
      bool hit = is_ascii(k) ? has_word(n, k) : n.find(k) != std::string::npos;
      // ASCII names also match as a prefix of a longer word: "birthdate2", "zipcode".
      if (!hit && is_ascii(k) && k.size() >= 5) hit = n.find(k) != std::string::npos;
      if (hit) return rule.kind;
    }
  }
  return {};
}

std::vector<QiProposal> propose_qis(const std::vector<std::string>& columns,
                                    const std::vector<std::vector<std::string>>& sample,
                                    const std::vector<bool>& skip) {
  std::vector<QiProposal> out;
  for (size_t col = 0; col < columns.size(); ++col) {
    if (col < skip.size() && skip[col]) continue;
    std::string kind = qi_kind_from_name(columns[col]);
    if (!kind.empty()) {
      out.push_back({col, columns[col], "name: " + kind});
      continue;
    }
    ColumnStats s;
    for (auto& row : sample) {
      if (col >= row.size() || row[col].empty()) continue;
      const std::string& v = row[col];
      ++s.nonempty;
      s.dates += looks_like_date(v);
      s.postal += looks_like_postal_code(v);
      if (s.distinct.size() <= kDistinctCap) s.distinct.insert(v);
    }
    std::string why = content_reason(s);
    if (!why.empty()) out.push_back({col, columns[col], why});
  }
  return out;
}

}  // namespace privaudit::risk
