#include "link/names.h"

#include <array>
#include <utility>

#include "core/utf8.h"

namespace privaudit::link {

namespace {

struct ConceptNames {
  std::string_view concept_id;
  std::string_view rule;  // identifier rule, or ""
  std::initializer_list<std::string_view> names;  // already in normalised form
};

// Names are listed in their normalised form (see normalise_column_name).
const std::array<ConceptNames, 22>& concept_table() {
  static const std::array<ConceptNames, 22> table = {{
      {"my_number", "jp-my-number",
       {"個人番号", "マイナンバー", "mynumber", "individualnumber", "kojinbango", "kojinbangou",
        "mynumberid", "mynumberno", "個人番号カード番号", "マイナンバー番号", "mynum"}},
      {"resident_code", "jp-resident-code",
       {"住民票コード", "住民票番号", "residentcode", "residentregistrycode", "jukicode",
        "juminhyocode", "jukinetcode"}},
      {"corporate_number", "jp-corporate-number",
       {"法人番号", "corporatenumber", "houjinbangou", "hojinbango"}},
      {"passport", "jp-passport",
       {"旅券番号", "パスポート番号", "passport", "passportnumber", "passportno"}},
      {"pension_number", "jp-basic-pension-number",
       {"基礎年金番号", "年金番号", "pensionnumber", "basicpensionnumber"}},
      {"drivers_licence", "jp-drivers-licence",
       {"免許証番号", "運転免許証番号", "運転免許番号", "driverslicence", "driverslicense",
        "driverslicencenumber", "driverslicensenumber", "licencenumber", "licensenumber"}},
      {"ssn", "us-ssn", {"ssn", "socialsecuritynumber"}},
      {"birthdate", "",
       {"生年月日", "誕生日", "birthdate", "birthday", "dob", "dateofbirth", "born", "birth",
        "seinengappi"}},
      {"sex", "", {"性別", "性", "sex", "gender", "seibetsu"}},
      {"postal_code", "",
       {"郵便番号", "〒", "postalcode", "postcode", "zip", "zipcode", "postal", "yubinbango",
        "yuubinbangou"}},
      {"name", "",
       {"氏名", "名前", "姓名", "お名前", "name", "fullname", "personname", "shimei", "namae"}},
      {"name_kana", "",
       {"フリガナ", "ふりがな", "カナ", "氏名カナ", "氏名フリガナ", "カナ氏名", "kana", "namekana",
        "furigana", "fullnamekana"}},
      {"phone", "jp-phone",
       {"電話番号", "電話", "tel", "telno", "phone", "phonenumber", "telephone", "telephonenumber",
        "携帯", "携帯電話", "携帯番号", "携帯電話番号", "mobile", "mobilephone", "cellphone"}},
      {"email", "email",
       {"メール", "メールアドレス", "eメール", "email", "emailaddress", "mail", "mailaddress",
        "電子メール"}},
      {"address", "", {"住所", "所在地", "現住所", "address", "addr", "streetaddress", "jusho"}},
      {"prefecture", "", {"都道府県", "prefecture", "pref", "todofuken"}},
      {"city", "", {"市区町村", "市町村", "city", "municipality", "ward"}},
      {"age", "", {"年齢", "age"}},
      {"occupation", "", {"職業", "occupation", "job", "profession"}},
      {"nationality", "", {"国籍", "nationality", "citizenship"}},
      {"ip_address", "ipv4", {"ipアドレス", "ip", "ipaddress", "ipaddr", "clientip", "remoteaddr"}},
      {"card_number", "credit-card",
       {"カード番号", "クレジットカード番号", "cardnumber", "creditcard", "creditcardnumber", "pan"}},
  }};
  return table;
}

bool dropped_char(uint32_t cp) {
  switch (cp) {
    case '_': case '-': case '.': case ' ': case '(': case ')': case '\t':
    case 0x30FB:  // ・
    case 0xFF08: case 0xFF09:  // （ ）
    case 0x3000:  // ideographic space
      return true;
    default:
      return false;
  }
}

// Decodes one UTF-8 code point at s[i] (invalid bytes are returned as-is).
uint32_t decode_at(std::string_view s, size_t i, size_t& len) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) { len = 1; return c; }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (i + n > s.size() || n == 1) { len = 1; return c; }
  uint32_t cp = c & (0x7Fu >> n);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  len = n;
  return cp;
}

std::string_view lookup(std::string_view norm) {
  if (norm.empty()) return {};
  for (auto& c : concept_table())
    for (auto n : c.names)
      if (n == norm) return c.concept_id;
  return {};
}

}  // namespace

std::string normalise_column_name(std::string_view name) {
  std::string folded = utf8::fold_width(name);
  std::string out;
  out.reserve(folded.size());
  for (size_t i = 0; i < folded.size();) {
    size_t len = 1;
    uint32_t cp = decode_at(folded, i, len);
    if (!dropped_char(cp)) {
      if (cp >= 'A' && cp <= 'Z') out.push_back(static_cast<char>(cp + 32));
      else out.append(folded, i, len);
    }
    i += len;
  }
  return out;
}

std::string_view column_concept(std::string_view name) {
  std::string_view c = lookup(normalise_column_name(name));
  if (!c.empty()) return c;
  size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) return lookup(normalise_column_name(name.substr(dot + 1)));
  return {};
}

std::string_view concept_rule(std::string_view concept_id) {
  for (auto& c : concept_table())
    if (c.concept_id == concept_id) return c.rule;
  return {};
}

}  // namespace privaudit::link
