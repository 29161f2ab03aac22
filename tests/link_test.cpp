// link: keyed hashing, name and value normalisation, key discovery, exact
// shared-identifier counts, linkage figures against a brute-force reference,
// planted identifier conflicts, folder mode, renderers, and the CLI.
#define BOOST_TEST_MODULE link
#include <boost/test/unit_test.hpp>

#include <iconv.h>
#include <simdjson.h>

#include <map>
#include <random>
#include <set>

#include "link/hash.h"
#include "link/names.h"
#include "link/render.h"
#include "link/run.h"
#include "link/sketch.h"
#include "link/values.h"
#include "test_util.h"
#include "validate/validators.h"

using namespace privaudit;
using testutil::run;
using testutil::TempDir;

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

// ----------------------------------------------------------- a synthetic population

struct Person {
  std::string my_number;  // 12 ASCII digits
  std::string family, given;
  int month = 1, day = 1;  // born in 1990
  bool male = true;
  std::string zip;  // 7 digits
};

std::string hyphenated(const std::string& mn) {
  return mn.substr(0, 4) + "-" + mn.substr(4, 4) + "-" + mn.substr(8, 4);
}

std::string fullwidth(const std::string& digits) {
  std::string out;
  for (char c : digits) {
    out += "\xEF\xBC";
    out.push_back(static_cast<char>(0x90 + (c - '0')));
  }
  return out;
}

std::string iso(const Person& p, int year = 1990) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, p.month, p.day);
  return buf;
}

// The same date as B writes it: three spellings in turn.
std::string b_date(const Person& p, size_t i, int year = 1990) {
  switch (i % 3) {
    case 0: return std::to_string(year) + "/" + std::to_string(p.month) + "/" + std::to_string(p.day);
    case 1: return "平成" + std::to_string(year - 1988) + "年" + std::to_string(p.month) + "月" + std::to_string(p.day) + "日";
    default: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d%02d%02d", year, p.month, p.day);
      return buf;
    }
  }
}

// What the brute-force reference compares on the quasi-identifier keys.
std::string qi_truth(const Person& p, int year = 1990) {
  return iso(p, year) + "|" + (p.male ? "m" : "f") + "|" + p.zip;
}

struct Population {
  std::vector<Person> shared, a_only, b_only;
};

Population make_population(uint64_t seed, size_t shared, size_t a_only, size_t b_only) {
  std::mt19937_64 rng(seed);
  static const char* family[] = {"山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"};
  static const char* given[] = {"太郎", "花子", "一郎", "次郎", "美咲", "翔太", "陽菜", "蓮", "結衣", "大輝"};
  std::set<std::string> used;
  auto person = [&] {
    Person p;
    do {
      std::string b;
      for (int i = 0; i < 11; ++i) b.push_back(static_cast<char>('0' + rng() % 10));
      if (b[0] == '0') b[0] = '1';
      p.my_number = b + std::to_string(validate::my_number_check_digit(b));
    } while (!used.insert(p.my_number).second);
    p.family = family[rng() % 10];
    p.given = given[rng() % 10];
    p.month = static_cast<int>(1 + rng() % 12);
    p.day = static_cast<int>(1 + rng() % 28);
    p.male = rng() % 2;
    p.zip = std::to_string(1000000 + 1000 * (rng() % 12) + 1);
    return p;
  };
  Population pop;
  for (size_t i = 0; i < shared; ++i) pop.shared.push_back(person());
  for (size_t i = 0; i < a_only; ++i) pop.a_only.push_back(person());
  for (size_t i = 0; i < b_only; ++i) pop.b_only.push_back(person());
  return pop;
}

// Two tables over a population with planted identifier conflicts, and the
// ground truth a test checks against.
struct Fixture {
  TempDir dir;
  std::string a_path, b_path;
  std::vector<std::string> a_truth, b_truth;  // per record: qi_truth
  std::set<std::pair<std::string, int64_t>> conflicts;  // (path, record) expected
  size_t within_a = 0, within_b = 0, across = 0;
};

std::string a_row(size_t id, const Person& p, const std::string& name) {
  return std::to_string(id) + "," + name + "," + iso(p) + "," + (p.male ? "男" : "女") + "," +
         p.zip.substr(0, 3) + "-" + p.zip.substr(3) + "," + hyphenated(p.my_number) + "\n";
}

std::string b_row(size_t i, const Person& p, const std::string& name, int year = 1990) {
  return name + "," + b_date(p, i, year) + "," + (p.male ? "M" : "F") + "," + p.zip + "," +
         fullwidth(p.my_number) + "\n";
}

std::unique_ptr<Fixture> make_fixture(uint64_t seed = 7) {
  auto fx = std::make_unique<Fixture>();
  Population pop = make_population(seed, 2000, 3000, 2500);
  std::mt19937_64 rng(seed + 1);

  // A: shared + A-only people in shuffled order, then 5 planted records that
  // reuse an A-only person's number under another name.
  std::vector<const Person*> a_people;
  for (auto& p : pop.shared) a_people.push_back(&p);
  for (auto& p : pop.a_only) a_people.push_back(&p);
  std::shuffle(a_people.begin(), a_people.end(), rng);
  std::string a = "id,氏名,生年月日,性別,郵便番号,個人番号\n";
  for (size_t i = 0; i < a_people.size(); ++i) {
    const Person& p = *a_people[i];
    a += a_row(i + 1, p, p.family + " " + p.given);
    fx->a_truth.push_back(qi_truth(p));
  }
  fx->a_path = (fx->dir.path / "a.csv").string();
  for (size_t k = 0; k < 5; ++k) {
    const Person& p = pop.a_only[k * 7];
    a += a_row(fx->a_truth.size() + 1, p, "偽名 " + std::to_string(k));
    fx->a_truth.push_back(qi_truth(p));
    fx->conflicts.insert({fx->a_path, static_cast<int64_t>(fx->a_truth.size())});
    ++fx->within_a;
  }
  fx->dir.file("a.csv", a);

  // B: shared + B-only people shuffled; six shared people carry another
  // person's name (one number, two people, across the tables); then 4
  // planted records reuse a B-only person's number with another birth date.
  std::vector<const Person*> b_people;
  for (auto& p : pop.shared) b_people.push_back(&p);
  for (auto& p : pop.b_only) b_people.push_back(&p);
  std::shuffle(b_people.begin(), b_people.end(), rng);
  std::set<const Person*> renamed;
  for (size_t k = 0; k < 6; ++k) renamed.insert(&pop.shared[k * 11]);
  fx->b_path = (fx->dir.path / "b.csv").string();
  std::string b = "name,birth_date,sex,zip,my_number\n";
  for (size_t i = 0; i < b_people.size(); ++i) {
    const Person& p = *b_people[i];
    bool other = renamed.count(&p) > 0;
    // Written without the space, or with an ideographic one: same name.
    std::string name = other ? "別人" + std::to_string(i) : p.family + (i % 2 ? "　" : "") + p.given;
    b += b_row(i, p, name);
    fx->b_truth.push_back(qi_truth(p));
    if (other) {
      fx->conflicts.insert({fx->b_path, static_cast<int64_t>(i + 1)});
      ++fx->across;
    }
  }
  for (size_t k = 0; k < 4; ++k) {
    const Person& p = pop.b_only[k * 13];
    b += b_row(k, p, p.family + p.given, 1991);
    fx->b_truth.push_back(qi_truth(p, 1991));
    fx->conflicts.insert({fx->b_path, static_cast<int64_t>(fx->b_truth.size())});
    ++fx->within_b;
  }
  fx->dir.file("b.csv", b);
  return fx;
}

struct Reference {
  uint64_t unique = 0, ambiguous = 0, unlinked = 0;
  double expected = 0;
};

// For every record of A, the number of records of B with the same true
// quasi-identifiers, the slow way.
Reference brute_force(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  Reference r;
  for (auto& x : a) {
    size_t n = 0;
    for (auto& y : b) n += x == y;
    if (n == 0) ++r.unlinked;
    if (n == 1) ++r.unique;
    if (n > 1) ++r.ambiguous;
    if (n) r.expected += 1.0 / static_cast<double>(n);
  }
  return r;
}

const Fingerprinter& test_fp() {
  static Fingerprinter fp("link-test-key", true);
  return fp;
}

bool link_files(const std::vector<std::string>& files, link::LinkOptions opts, link::LinkRun& out) {
  std::string err;
  bool ok = link::run_link(files, testutil::builtin_engine(), test_fp(), opts, out, err);
  if (!ok) BOOST_TEST_MESSAGE("run_link: " << err);
  return ok;
}

const link::KeyPair* find_key(const link::PairResult& r, const std::string& left) {
  for (auto& k : r.keys)
    if (k.left_name == left) return &k;
  return nullptr;
}

link::TableProfile profile_text(const TempDir& d, const std::string& name, const std::string& text) {
  link::TableProfile p;
  link::KeyedHash h(test_fp());
  BOOST_REQUIRE(link::profile_table(d.file(name, text), testutil::builtin_engine(), h, {}, p));
  return p;
}

std::string to_cp932(const std::string& utf8) {
  iconv_t cd = iconv_open("CP932", "UTF-8");
  BOOST_REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t inleft = utf8.size(), outleft = out.size();
  char* o = out.data();
  BOOST_REQUIRE(iconv(cd, &in, &inleft, &o, &outleft) != static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - outleft);
  return out;
}

}  // namespace

// ------------------------------------------------------------------ building blocks

BOOST_AUTO_TEST_CASE(siphash_reference_vectors) {
  // SipHash-2-4, key 00 01 .. 0f (the paper's Appendix A).
  uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
  BOOST_TEST(link::siphash24(k0, k1, "") == 0x726fdb47dd0e0e31ULL);
  std::string msg;
  for (int i = 0; i < 15; ++i) msg.push_back(static_cast<char>(i));
  BOOST_TEST(link::siphash24(k0, k1, msg) == 0xa129ca6149be45e5ULL);
  link::KeyedHash a(Fingerprinter("k1", true)), b(Fingerprinter("k2", true));
  BOOST_TEST(a("123456789018") != b("123456789018"));  // keyed
  BOOST_TEST(a("123456789018") == link::KeyedHash(Fingerprinter("k1", true))("123456789018"));
}

BOOST_AUTO_TEST_CASE(column_names_across_languages) {
  using link::column_concept;
  for (const char* n : {"個人番号", "マイナンバー", "my_number", "MyNumber", "individual number", "INDIVIDUAL-NUMBER", "ｍｙ＿ｎｕｍｂｅｒ"})
    BOOST_TEST(column_concept(n) == "my_number", n);
  for (const char* n : {"生年月日", "birthdate", "birth_date", "Birth Date", "dob", "DOB", "date_of_birth"})
    BOOST_TEST(column_concept(n) == "birthdate", n);
  for (const char* n : {"性別", "sex", "Gender"}) BOOST_TEST(column_concept(n) == "sex", n);
  for (const char* n : {"郵便番号", "postal_code", "zip", "ZipCode", "postcode", "post-code"})
    BOOST_TEST(column_concept(n) == "postal_code", n);
  for (const char* n : {"氏名", "name", "full_name", "FullName"}) BOOST_TEST(column_concept(n) == "name", n);
  for (const char* n : {"電話番号", "phone", "tel", "TEL"}) BOOST_TEST(column_concept(n) == "phone", n);
  for (const char* n : {"メール", "email", "e-mail", "E_Mail"}) BOOST_TEST(column_concept(n) == "email", n);
  BOOST_TEST(column_concept("person.birth_date") == "birthdate");
  BOOST_TEST(column_concept("order_id").empty());
  BOOST_TEST(link::normalise_column_name("Birth_Date") == "birthdate");
  BOOST_TEST(link::concept_rule("my_number") == "jp-my-number");
}

BOOST_AUTO_TEST_CASE(dates_in_every_spelling) {
  using link::normalise_date;
  for (const char* d : {"1990-01-02", "1990/1/2", "1990.01.02", "19900102", "1990年1月2日", "平成2年1月2日",
                        "H2.1.2", "h2/1/2", "１９９０－０１－０２", "１９９０年１月２日", "1990-01-02T09:00:00",
                        " 1990/01/02 "})
    BOOST_TEST(normalise_date(d) == "1990-01-02", d);
  BOOST_TEST(normalise_date("平成元年1月8日") == "1989-01-08");
  BOOST_TEST(normalise_date("昭和64年1月7日") == "1989-01-07");
  BOOST_TEST(normalise_date("令和元年5月1日") == "2019-05-01");
  BOOST_TEST(normalise_date("S50.3.4") == "1975-03-04");
  for (const char* bad : {"1990-02-30", "1990-13-01", "19900132", "hello", "1990", "1234-5678-9018", "1991-02-29"})
    BOOST_TEST(normalise_date(bad).empty(), bad);
  BOOST_TEST(normalise_date("2000-02-29") == "2000-02-29");
}

BOOST_AUTO_TEST_CASE(value_canonical_forms) {
  using link::canonical_value;
  using link::ValueKind;
  BOOST_TEST(canonical_value(ValueKind::name, nullptr, " 山田　太郎 ") == "山田太郎");
  BOOST_TEST(canonical_value(ValueKind::name, nullptr, "Yamada Taro") == canonical_value(ValueKind::name, nullptr, "ＹＡＭＡＤＡ　ＴＡＲＯ"));
  BOOST_TEST(canonical_value(ValueKind::sex, nullptr, "男") == canonical_value(ValueKind::sex, nullptr, "M"));
  BOOST_TEST(canonical_value(ValueKind::sex, nullptr, "女性") == canonical_value(ValueKind::sex, nullptr, "female"));
  BOOST_TEST(canonical_value(ValueKind::digits, nullptr, "〒150-0001") == "1500001");
  BOOST_TEST(canonical_value(ValueKind::text, nullptr, "  Tokyo ").size() == 5u);
  BOOST_TEST(canonical_value(ValueKind::text, nullptr, "   ").empty());
  const auto& rules = testutil::builtin_engine().rules();
  const Rule* mn = nullptr;
  for (auto& r : rules)
    if (r.id == "jp-my-number") mn = &r;
  BOOST_REQUIRE(mn);
  BOOST_TEST(link::valid_identifier(*mn, "1234-5678-9018") == "123456789018");
  BOOST_TEST(link::valid_identifier(*mn, "１２３４５６７８９０１８") == "123456789018");
  BOOST_TEST(link::valid_identifier(*mn, "１２３４　５６７８　９０１８") == "123456789018");
  BOOST_TEST(link::valid_identifier(*mn, "123456789019").empty());       // check digit
  BOOST_TEST(link::valid_identifier(*mn, "no 123456789018").empty());    // not the whole cell
  BOOST_TEST(link::valid_identifier(*mn, "1234567890185").empty());      // 13 digits
}

BOOST_AUTO_TEST_CASE(kmv_sketch_estimates) {
  link::KeyedHash h(test_fp());
  link::KmvSketch small, small2;
  for (int i = 0; i < 300; ++i) small.add(h("v" + std::to_string(i)));
  for (int i = 150; i < 450; ++i) small2.add(h("v" + std::to_string(i)));
  small.finish();
  small2.finish();
  auto o = link::estimate_overlap(small, small2);
  BOOST_TEST(o.exact);
  BOOST_TEST(o.shared == 150.0);
  BOOST_TEST(o.containment == 0.5);
  link::KmvSketch big, big2;  // 200k vs 200k, 100k shared
  for (int i = 0; i < 200000; ++i) big.add(h("v" + std::to_string(i)));
  for (int i = 100000; i < 300000; ++i) big2.add(h("v" + std::to_string(i)));
  for (int i = 0; i < 1000; ++i) big.add(h("v" + std::to_string(i)));  // repeats change nothing
  big.finish();
  big2.finish();
  BOOST_TEST(!big.exact());
  BOOST_TEST(std::abs(big.distinct() - 200000) < 200000 * 0.1);
  auto ob = link::estimate_overlap(big, big2);
  BOOST_TEST(std::abs(ob.containment - 0.5) < 0.1);
}

// ------------------------------------------------------------------ key discovery

BOOST_AUTO_TEST_CASE(discovery_by_equivalent_names) {
  TempDir d;
  auto a = profile_text(d, "a.csv",
                        "マイナンバー,生年月日,性別,郵便番号,氏名,電話番号,メール,備考\n"
                        "1234-5678-9018,1990-01-02,男,150-0001,山田 太郎,03-1234-5678,taro@example.jp,x\n"
                        "6214-9832-0257,1985-03-04,女,100-0005,佐藤 花子,090-1234-5678,hana@example.jp,y\n");
  auto b = profile_text(d, "b.csv",
                        "note,individual_number,DOB,Gender,postcode,full_name,tel,e-mail\n"
                        "a,１２３４５６７８９０１８,平成2年1月2日,M,1500001,山田太郎,0312345678,TARO@example.jp\n");
  std::vector<link::KeyPair> keys, unused;
  link::discover_keys(a, b, {}, keys, unused);
  std::map<std::string, std::string> got;
  for (auto& k : keys) {
    got[k.left_name] = k.right_name;
    BOOST_TEST(k.how == "name");
  }
  BOOST_TEST(got["マイナンバー"] == "individual_number");
  BOOST_TEST(got["生年月日"] == "DOB");
  BOOST_TEST(got["性別"] == "Gender");
  BOOST_TEST(got["郵便番号"] == "postcode");
  BOOST_TEST(got["氏名"] == "full_name");
  BOOST_TEST(got["電話番号"] == "tel");
  BOOST_TEST(got["メール"] == "e-mail");
  BOOST_TEST(got.count("備考") == 0u);
  BOOST_TEST(a.columns[0].identifier);
  BOOST_TEST(b.columns[1].identifier);
  BOOST_TEST((a.columns[1].kind == link::ValueKind::date));
}

BOOST_AUTO_TEST_CASE(discovery_by_value_overlap) {
  TempDir d;
  // code_a: K0001..K0100; ref: K0051..K0150 (containment 0.5 → key).
  // weak_a / weak_b: 30 of 100 shared (0.3 → no key). lvl: 5 values (< 20 → no key).
  std::string a = "code_a,weak_a,lvl\n", b = "ref,weak_b,level_x\n";
  char buf[64];
  for (int i = 1; i <= 100; ++i) {
    std::snprintf(buf, sizeof buf, "K%04d,W%04d,L%d\n", i, i, i % 5);
    a += buf;
    std::snprintf(buf, sizeof buf, "K%04d,W%04d,L%d\n", i + 50, i + 70, i % 5);
    b += buf;
  }
  auto pa = profile_text(d, "a.csv", a), pb = profile_text(d, "b.csv", b);
  std::vector<link::KeyPair> keys, unused;
  link::discover_keys(pa, pb, {}, keys, unused);
  BOOST_REQUIRE(keys.size() == 1u);
  BOOST_TEST(keys[0].left_name == "code_a");
  BOOST_TEST(keys[0].right_name == "ref");
  BOOST_TEST(keys[0].how == "values");
  BOOST_TEST(keys[0].overlap == 0.5);
}

BOOST_AUTO_TEST_CASE(name_keys_with_disjoint_values_are_not_used) {
  TempDir d;
  auto a = profile_text(d, "a.csv", "name,dob\n山田太郎,1990-01-02\n佐藤花子,1985-03-04\n");
  auto b = profile_text(d, "b.csv", "name,dob\nYamada Taro,1990-01-02\nSato Hanako,1985-03-04\n");
  std::vector<link::KeyPair> keys, unused;
  link::discover_keys(a, b, {}, keys, unused);
  BOOST_REQUIRE(keys.size() == 1u);
  BOOST_TEST(keys[0].left_name == "dob");
  BOOST_REQUIRE(unused.size() == 1u);
  BOOST_TEST(unused[0].left_name == "name");
}

// ------------------------------------------------------------------ the generated pair

BOOST_AUTO_TEST_CASE(shared_identifiers_counted_exactly) {
  auto fx = make_fixture();
  link::LinkRun r;
  BOOST_REQUIRE(link_files({fx->a_path, fx->b_path}, {}, r));
  BOOST_REQUIRE(r.pairs.size() == 1u);
  auto& p = r.pairs[0];
  BOOST_TEST(p.left_records == fx->a_truth.size());
  BOOST_TEST(p.right_records == fx->b_truth.size());
  BOOST_REQUIRE(p.shared_identifiers.size() == 1u);
  BOOST_TEST(p.shared_identifiers[0].left == "個人番号");
  BOOST_TEST(p.shared_identifiers[0].right == "my_number");
  BOOST_TEST(p.shared_identifiers[0].rule == "jp-my-number");
  BOOST_TEST(p.shared_identifiers[0].shared_values == 2000u);
  // Keys found by name; `id` has no partner.
  for (auto [l, rname] : std::vector<std::pair<std::string, std::string>>{
           {"氏名", "name"}, {"生年月日", "birth_date"}, {"性別", "sex"}, {"郵便番号", "zip"}, {"個人番号", "my_number"}}) {
    auto* k = find_key(p, l);
    BOOST_REQUIRE_MESSAGE(k, l);
    BOOST_TEST(k->right_name == rname);
    BOOST_TEST(k->how == "name");
  }
  BOOST_TEST(!find_key(p, "id"));
  size_t shared_findings = 0;
  for (auto& f : r.findings) shared_findings += f.rule == "link-shared-identifier";
  BOOST_TEST(shared_findings == 1u);
}

BOOST_AUTO_TEST_CASE(linkage_equals_brute_force_reference) {
  auto fx = make_fixture(11);
  link::LinkOptions opts;
  for (auto item : {"生年月日=birth_date", "性別=sex", "郵便番号=zip"}) {
    link::OnSpec s;
    BOOST_REQUIRE(link::parse_on(item, s));
    opts.on.push_back(s);
  }
  link::LinkRun r;
  BOOST_REQUIRE(link_files({fx->a_path, fx->b_path}, opts, r));
  auto& p = r.pairs[0];
  Reference ref = brute_force(fx->a_truth, fx->b_truth);
  BOOST_TEST(ref.unique > 0u);
  BOOST_TEST(ref.ambiguous > 0u);
  BOOST_TEST(ref.unlinked > 0u);
  BOOST_TEST(p.linked_unique == ref.unique);
  BOOST_TEST(p.linked_ambiguous == ref.ambiguous);
  BOOST_TEST(p.unlinked == ref.unlinked);
  BOOST_TEST(std::abs(p.expected_correct_links - ref.expected) < 1e-6);
  BOOST_TEST(std::abs(p.linkage_rate() - static_cast<double>(ref.unique) / static_cast<double>(fx->a_truth.size())) < 1e-12);
  BOOST_REQUIRE(p.keys.size() == 3u);
  for (auto& k : p.keys) BOOST_TEST(k.how == "--on");
  size_t unique_findings = 0;
  for (auto& f : r.findings)
    if (f.rule == "link-unique-match") {
      ++unique_findings;
      BOOST_TEST(f.severity == Severity::medium);
    }
  BOOST_TEST(unique_findings == 1u);
  // The identifiers are still compared with --on.
  BOOST_REQUIRE(p.shared_identifiers.size() == 1u);
  BOOST_TEST(p.shared_identifiers[0].shared_values == 2000u);
}

BOOST_AUTO_TEST_CASE(planted_conflicts_all_found_none_false) {
  auto fx = make_fixture(5);
  link::LinkRun r;
  BOOST_REQUIRE(link_files({fx->a_path, fx->b_path}, {}, r));
  std::set<std::pair<std::string, int64_t>> found;
  for (auto& f : r.findings) {
    if (f.rule != "link-identifier-conflict") continue;
    found.insert({f.path, f.record});
    BOOST_TEST(f.severity == Severity::high);
    BOOST_TEST(f.masked.size() == 12u);
    BOOST_TEST(f.masked.substr(0, 8) == "********");
    BOOST_TEST(f.fingerprint.size() == 16u);
    BOOST_TEST(f.line == static_cast<uint64_t>(f.record + 1));
  }
  BOOST_TEST(found.size() == fx->conflicts.size());
  BOOST_TEST((found == fx->conflicts));
  auto& p = r.pairs[0];
  BOOST_TEST(p.conflicts_within_left == fx->within_a);
  BOOST_TEST(p.conflicts_within_right == fx->within_b);
  BOOST_TEST(p.conflicts_across == fx->across);
}

BOOST_AUTO_TEST_CASE(shift_jis_table_links_the_same) {
  auto fx = make_fixture(3);
  std::string sjis = (fx->dir.path / "b_sjis.csv").string();
  {
    std::ofstream out(sjis, std::ios::binary);
    out << to_cp932(testutil::read_file(fx->b_path));
  }
  link::LinkRun r;
  BOOST_REQUIRE(link_files({fx->a_path, sjis}, {}, r));
  BOOST_REQUIRE(r.pairs[0].shared_identifiers.size() == 1u);
  BOOST_TEST(r.pairs[0].shared_identifiers[0].shared_values == 2000u);
  BOOST_TEST(r.pairs[0].keys.size() == 5u);
}

// ------------------------------------------------------------------ folders, CLI, renderers

BOOST_AUTO_TEST_CASE(folder_mode_pairs) {
  TempDir d;
  d.file("t/a.csv", "個人番号,生年月日\n1234-5678-9018,1990-01-02\n6214-9832-0257,1985-03-04\n");
  d.file("t/b.csv", "my_number,dob\n123456789018,1990/1/2\n");
  d.file("t/sub/c.jsonl", "{\"person\": {\"birth_date\": \"19900102\"}, \"note\": \"x\"}\n");
  d.file("t/d.csv", "product,price\napple,100\n");
  d.file("t/readme.txt", "not a table\n");
  auto res = run("link -q --format json " + q((d.path / "t").string()), "PRIVAUDIT_KEY=k");
  BOOST_TEST(res.code == 1);  // a shared My Number: high
  simdjson::dom::parser parser;
  simdjson::padded_string json(res.out);
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(json).get(doc));
  auto link = doc["link"];
  BOOST_TEST(int64_t(link["pairs_compared"]) == 6);
  BOOST_TEST(simdjson::dom::array(link["files"]).size() == 4u);
  std::set<std::pair<std::string, std::string>> pairs;
  for (auto p : simdjson::dom::array(link["pairs"])) {
    std::string l{std::string_view(p["left"])}, rr{std::string_view(p["right"])};
    pairs.insert({l.substr(l.rfind('/') + 1), rr.substr(rr.rfind('/') + 1)});
  }
  std::set<std::pair<std::string, std::string>> want = {{"a.csv", "b.csv"}, {"a.csv", "c.jsonl"}, {"b.csv", "c.jsonl"}};
  BOOST_TEST((pairs == want));
  auto ab = simdjson::dom::array(link["pairs"]).at(0);
  BOOST_TEST(int64_t(simdjson::dom::array(ab["shared_identifiers"]).at(0)["shared_values"]) == 1);
  BOOST_TEST(res.out.find("123456789018") == std::string::npos);
  BOOST_TEST(res.out.find("1234-5678-9018") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(cli_exit_codes_and_formats) {
  auto fx = make_fixture(9);
  std::string ab = q(fx->a_path) + " " + q(fx->b_path);
  auto j = run("link -q --format json --on 生年月日=birth_date,性別=sex --on 郵便番号=zip " + ab, "PRIVAUDIT_KEY=k");
  BOOST_TEST(j.code == 1);
  simdjson::dom::parser parser;
  simdjson::padded_string json(j.out);
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(json).get(doc));
  BOOST_TEST(std::string_view(doc["command"]) == "link");
  Reference ref = brute_force(fx->a_truth, fx->b_truth);
  BOOST_TEST(uint64_t(doc["link"]["linked_unique"]) == ref.unique);
  BOOST_TEST(uint64_t(doc["link"]["linked_ambiguous"]) == ref.ambiguous);
  BOOST_TEST(uint64_t(doc["link"]["unlinked"]) == ref.unlinked);
  BOOST_TEST(simdjson::dom::array(doc["link"]["keys"]).size() == 3u);
  BOOST_TEST(j.out.find("\"how\": \"--on\"") != std::string::npos);

  BOOST_TEST(run("link -q --fail-on never " + ab).code == 0);
  BOOST_TEST(run("link -q --on nosuch " + ab).code == 2);
  BOOST_TEST(run("link -q " + q(fx->a_path)).code == 2);
  BOOST_TEST(run("link -q " + q(fx->a_path) + " /no/such.csv").code == 2);
  BOOST_TEST(run("link -q --fail-on bogus " + ab).code == 2);
  BOOST_TEST(run("link --help").out.find("--on") != std::string::npos);

  // Only QI keys and nothing shared above medium: --fail-on high passes, medium trips.
  TempDir d;
  std::string x = d.file("x.csv", "dob,sex\n1990-01-02,M\n1985-03-04,F\n");
  std::string y = d.file("y.csv", "birthdate,gender\n1990/1/2,男\n");
  BOOST_TEST(run("link -q " + q(x) + " " + q(y)).code == 0);
  BOOST_TEST(run("link -q --fail-on medium " + q(x) + " " + q(y)).code == 1);
  auto t = run("link " + q(x) + " " + q(y));
  BOOST_TEST(t.out.find("link-unique-match") != std::string::npos);
  BOOST_TEST(t.out.find("linkage rate        50.0%") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(renderers_escape_data) {
  std::string section = R"({"left": "<b>a.csv</b>", "right": "b|c.csv", "left_records": 4, "right_records": 3,
    "keys": [{"left": "<script>x</script>", "right": "n|m", "how": "name", "compare": "name"}],
    "linked_unique": 2, "linked_ambiguous": 1, "unlinked": 1, "linkage_rate": 0.5, "expected_correct_links": 2.5,
    "shared_identifiers": [{"left": "個人番号", "right": "my_number", "rule": "jp-my-number", "shared_values": 2}],
    "identifier_conflicts": {"within_left": 1, "within_right": 0, "across": 2}})";
  std::string html = link::render_html(section);
  BOOST_TEST(html.find("<svg") != std::string::npos);
  BOOST_TEST(html.find("<script>") == std::string::npos);
  BOOST_TEST(html.find("&lt;script&gt;") != std::string::npos);
  BOOST_TEST(html.find("<b>") == std::string::npos);
  std::string md = link::render_markdown(section);
  BOOST_TEST(md.find("b\\|c.csv") != std::string::npos);
  BOOST_TEST(md.find("50.0%") != std::string::npos);
  std::string text = link::render_text(section);
  BOOST_TEST(text.find("2 unique, 1 ambiguous, 1 unlinked") != std::string::npos);
  BOOST_TEST(text.find("1 within left, 0 within right, 2 across") != std::string::npos);
  // Folder layout: a map with every file as a node.
  std::string multi = R"({"files": [{"path": "d/a.csv", "records": 1}, {"path": "d/b.csv", "records": 1}, {"path": "d/c.csv", "records": 1}],
    "pairs_compared": 3, "pairs": [)" + section + "]}";
  std::string mh = link::render_html(multi);
  BOOST_TEST(mh.find("3 files, 3 pairs compared, 1 linkable") != std::string::npos);
  size_t circles = 0;
  for (size_t p = 0; (p = mh.find("<circle", p)) != std::string::npos; ++p) ++circles;
  BOOST_TEST(circles == 3u);
}
