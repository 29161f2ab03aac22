// redact: masks that keep the written form and width, pseudonyms (format,
// sector separation, no unkeyed hash), generalisations, the rewriters, and the
// CLI over a mixed corpus (CSV, JSONL, log, Shift_JIS CSV, zip): nothing
// redacted is found again, everything else is unchanged, output is
// deterministic, pseudonymised tables still link within a sector, exit codes.
#define BOOST_TEST_MODULE redact
#include <boost/test/unit_test.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <iconv.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <map>
#include <set>

#include "redact/pseudonym.h"
#include "redact/rewrite.h"
#include "redact/transform.h"
#include "table/table.h"
#include "test_util.h"

using namespace privaudit;
using namespace privaudit::redact;
using testutil::read_file;
using testutil::run;
using testutil::TempDir;

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

// A valid My Number from 11 digits (official check digit).
std::string my_number(const std::string& d11) {
  int sum = 0;
  for (int n = 1; n <= 11; ++n) {
    int p = d11[static_cast<size_t>(11 - n)] - '0';
    sum += p * (n <= 6 ? n + 1 : n - 5);
  }
  int r = sum % 11;
  return d11 + static_cast<char>('0' + (r <= 1 ? 0 : 11 - r));
}

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

std::string convert(const std::string& s, const char* to, const char* from) {
  iconv_t cd = iconv_open(to, from);
  BOOST_REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string out(s.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(s.data());
  size_t inleft = s.size(), outleft = out.size();
  char* o = out.data();
  BOOST_REQUIRE(iconv(cd, &in, &inleft, &o, &outleft) != static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - outleft);
  return out;
}

void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& members) {
  struct archive* w = archive_write_new();
  archive_write_set_format_zip(w);
  BOOST_REQUIRE(archive_write_open_filename(w, path.c_str()) == ARCHIVE_OK);
  for (auto& [name, data] : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_write_header(w, e);
    archive_write_data(w, data.data(), data.size());
    archive_entry_free(e);
  }
  archive_write_close(w);
  archive_write_free(w);
}

std::map<std::string, std::string> read_archive(const std::string& path, std::string* format = nullptr) {
  std::map<std::string, std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_all(a);
  archive_read_support_filter_all(a);
  BOOST_REQUIRE(archive_read_open_filename(a, path.c_str(), 65536) == ARCHIVE_OK);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string data, buf(65536, '\0');
    la_ssize_t n;
    while ((n = archive_read_data(a, buf.data(), buf.size())) > 0) data.append(buf.data(), static_cast<size_t>(n));
    out[archive_entry_pathname(e)] = data;
    if (format) *format = archive_format_name(a);
  }
  archive_read_free(a);
  return out;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  size_t p = 0;
  while (p < s.size()) {
    size_t nl = s.find('\n', p);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(p, nl - p));
    p = nl + 1;
  }
  return out;
}

// ----------------------------------------------------------- the mixed corpus

struct Person {
  std::string mn, email, phone, name;
};

std::vector<Person> people() {
  const char* seeds[] = {"12345678901", "98765432109", "11122233344", "55566677788", "31415926535", "27182818284"};
  const char* names[] = {"山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健太", "伊藤 由美"};
  std::vector<Person> ps;
  for (int i = 0; i < 6; ++i) {
    Person p;
    p.mn = my_number(seeds[i]);
    p.email = "user" + std::to_string(i) + "@example.jp";
    p.phone = "090-0000-" + std::to_string(1000 + i);
    p.name = names[i];
    ps.push_back(p);
  }
  return ps;
}

struct Corpus {
  std::string csv, jsonl, log, sjis_utf8, sjis;
};

Corpus make_corpus() {
  Corpus c;
  auto ps = people();
  c.csv = "id,氏名,個人番号,メール,メモ\r\n";
  for (size_t i = 0; i < ps.size(); ++i)
    c.csv += std::to_string(i + 1) + "," + ps[i].name + "," + (i % 2 ? hyphenated(ps[i].mn) : ps[i].mn) + "," +
             ps[i].email + ",\"note, \"\"quoted\"\" " + std::to_string(i) + "\"\r\n";
  for (size_t i = 0; i < ps.size(); ++i)
    c.jsonl += "{\"id\":" + std::to_string(i + 1) + ",\"user\":{\"mynumber\":\"" + ps[i].mn + "\",\"email\":\"" +
               ps[i].email + "\"},\"note\":\"hello " + std::to_string(i) + "\",\"n\":5}\n";
  c.jsonl += "{\"id\":99,\"card\":4111111111111111,\"ok\":true}\n";
  c.log = "2026-01-01T00:00:00 INFO start\n";
  for (size_t i = 0; i < ps.size(); ++i) {
    c.log += "2026-01-01T00:00:0" + std::to_string(i) + " INFO login user=u" + std::to_string(i) +
             " client_ip=192.0.2." + std::to_string(10 + i) + " user_mynumber=" + ps[i].mn + "\n";
    c.log += "2026-01-01T00:00:0" + std::to_string(i) + " DEBUG cache hit ratio=0.9" + std::to_string(i) + "\n";
  }
  c.sjis_utf8 = "氏名,個人番号,電話番号\n";
  for (auto& p : ps) c.sjis_utf8 += p.name + "," + fullwidth(p.mn) + "," + p.phone + "\n";
  c.sjis = convert(c.sjis_utf8, "CP932", "UTF-8");
  return c;
}

struct CorpusRun {
  TempDir dir;
  Corpus c = make_corpus();
  std::string in, out, key;
  testutil::RunResult r;
  CorpusRun(const std::string& out_name = "out", const std::string& extra = "") {
    in = (dir.path / "in").string();
    out = (dir.path / out_name).string();
    dir.file("in/members.csv", c.csv);
    dir.file("in/events.jsonl", c.jsonl);
    dir.file("in/app.log", c.log);
    dir.file("in/legacy/sjis.csv", c.sjis);
    write_zip((dir.path / "in/bundle.zip").string(), {{"members.csv", c.csv}, {"logs/app.log", c.log}});
    key = dir.file("key", "test-key-for-redact-0123456789");
    r = run("redact " + q(in) + " -o " + q(out) +
            " --action jp-my-number=pseudonym --action email=drop --sector health --key-file " + q(key) +
            " --report json=" + q((dir.path / (out_name + ".json")).string()) + " " + extra);
  }
  std::string output(const std::string& rel) const { return read_file(out + "/" + in.substr(1) + "/" + rel); }
};

bool findings_free(const std::string& text, const std::string& name) {
  auto res = testutil::scan_text(text, name);
  for (auto& f : res.findings) BOOST_TEST_MESSAGE(name << ": " << f.rule << " " << f.masked);
  return res.findings.empty();
}

}  // namespace

// ------------------------------------------------------------------- units

BOOST_AUTO_TEST_CASE(mask_keeps_written_form_and_width) {
  BOOST_TEST(mask_written("1234-5678-9018") == "****-****-9018");
  BOOST_TEST(mask_written(fullwidth("123456789018")) == "＊＊＊＊＊＊＊＊９０１８");
  BOOST_TEST(mask_written("１２３４－５６７８－９０１８") == "＊＊＊＊－＊＊＊＊－９０１８");
  BOOST_TEST(mask_written("6685　9660　8885") == "****　****　8885");
  BOOST_TEST(mask_written("a.b@example.jp") == "*.*@*****le.jp");
  BOOST_TEST(mask_written("123456") == "***456");
  BOOST_TEST(mask_written("1234") == "**34");  // never more than half kept
  BOOST_TEST(mask_written("山田 太郎", 0) == "＊＊ ＊＊");
  BOOST_TEST(digits_only("１２３-45"));
  BOOST_TEST(!digits_only("山田"));
}

BOOST_AUTO_TEST_CASE(actions_and_generalisations_parse) {
  Action a;
  std::string reason;
  BOOST_TEST(parse_action("pseudonym", a, reason));
  BOOST_TEST((a == Action::pseudonym));
  BOOST_TEST(parse_action("keep:public register", a, reason));
  BOOST_TEST((a == Action::keep));
  BOOST_TEST(reason == "public register");
  BOOST_TEST(!parse_action("hash", a, reason));
  Generalisation g;
  std::string out;
  BOOST_TEST(parse_generalisation("date:year", g));
  BOOST_TEST(generalise(g, "平成2年1月2日", out));
  BOOST_TEST(out == "1990");
  BOOST_TEST(parse_generalisation("date:month", g));
  BOOST_TEST(generalise(g, "1990/1/2", out));
  BOOST_TEST(out == "1990-01");
  BOOST_TEST(parse_generalisation("postal:3", g));
  BOOST_TEST(generalise(g, "〒150-0001", out));
  BOOST_TEST(out == "150-****");
  BOOST_TEST(generalise(g, "１５００００１", out));
  BOOST_TEST(out == "150-****");
  BOOST_TEST(!generalise(g, "150-001", out));
  BOOST_TEST(parse_generalisation("age:5", g));
  BOOST_TEST(generalise(g, "34", out));
  BOOST_TEST(out == "30-34");
  BOOST_TEST(generalise(g, "３５歳", out));
  BOOST_TEST(out == "35-39");
  BOOST_TEST(!generalise(g, "unknown", out));
  BOOST_TEST(!parse_generalisation("age:0", g));
  BOOST_TEST(!parse_generalisation("postal:7", g));
}

BOOST_AUTO_TEST_CASE(base32_rfc4648_vectors) {
  BOOST_TEST(base32_lower("f", 2) == "my");
  BOOST_TEST(base32_lower("foobar", 10) == "mzxw6ytboi");
  BOOST_TEST(base32_lower("foobar", 4) == "mzxw");
}

BOOST_AUTO_TEST_CASE(pseudonyms_are_sector_keyed) {
  Fingerprinter key("k1", true), other("k2", true);
  Pseudonymiser health(key, "health"), tax(key, "tax"), health2(other, "health");
  std::string t = health.token("jp-my-number", "123456789018");
  BOOST_TEST(t.size() == std::string("pa_health_").size() + kTokenChars);
  BOOST_TEST(t.rfind("pa_health_", 0) == 0);
  BOOST_TEST(looks_like_pseudonym(t));
  BOOST_TEST(!looks_like_pseudonym("pa_health_short"));
  BOOST_TEST(!looks_like_pseudonym("123456789018"));
  BOOST_TEST(t == health.token("jp-my-number", "123456789018"));
  BOOST_TEST(t != health.token("jp-my-number", "123456789026"));
  BOOST_TEST(t != health.token("jp-resident-code", "123456789018"));
  std::string tt = tax.token("jp-my-number", "123456789018");
  BOOST_TEST(tt.substr(tt.size() - kTokenChars) != t.substr(t.size() - kTokenChars));
  BOOST_TEST(t != health2.token("jp-my-number", "123456789018"));
  BOOST_TEST(valid_sector("city-a1"));
  BOOST_TEST(!valid_sector("Tax"));
  BOOST_TEST(!valid_sector("a_b"));
  BOOST_TEST(!valid_sector(""));
}

BOOST_AUTO_TEST_CASE(tokens_are_no_unkeyed_hash) {
  Fingerprinter key("the real key", true);
  Pseudonymiser ps(key, "health");
  std::string mn = "123456789018";
  std::string tok = ps.token("jp-my-number", mn);
  std::string body = tok.substr(tok.size() - kTokenChars);
  std::vector<std::string> forms = {mn, hyphenated(mn), fullwidth(mn), convert(mn, "UTF-16LE", "UTF-8"),
                                    convert(fullwidth(mn), "CP932", "UTF-8"), convert(mn, "UTF-16BE", "UTF-8")};
  std::vector<std::string> messages;
  for (auto& f : forms) {
    messages.push_back(f);
    messages.push_back(std::string("health") + '\0' + "jp-my-number" + '\0' + f);
    messages.push_back(std::string("jp-my-number") + '\0' + f);
  }
  for (auto& m : messages) {
    unsigned char d[32];
    SHA256(reinterpret_cast<const unsigned char*>(m.data()), m.size(), d);
    std::string sha(reinterpret_cast<char*>(d), 32);
    unsigned int len = 32;
    HMAC(EVP_sha256(), "", 0, reinterpret_cast<const unsigned char*>(m.data()), m.size(), d, &len);
    std::string hm(reinterpret_cast<char*>(d), 32);
    for (auto& digest : {sha, hm}) {
      BOOST_TEST(base32_lower(digest, kTokenChars) != body);
      BOOST_TEST(to_hex(digest).substr(0, kTokenChars) != body);
      BOOST_TEST(tok.find(to_hex(digest).substr(0, 16)) == std::string::npos);
    }
  }
  // The token does not hold the value in any form either.
  for (auto& f : forms) BOOST_TEST(tok.find(f) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(rewriter_refuses_bytes_that_moved) {
  std::vector<Rule> rules;
  std::string err;
  BOOST_REQUIRE(load_builtin_rules(rules, err));
  Policy policy;
  BOOST_REQUIRE(policy.resolve(rules, err));
  RewriteContext ctx{rules, policy, nullptr};
  uint32_t mn = 0;
  while (rules[mn].id != "jp-my-number") ++mn;
  std::string text = "id 123456789018 end\n";
  std::vector<ValueSpan> spans = {{3, 12, mn, span_check("123456789018"), Confidence::high, false}};
  auto groups = group_spans(spans);
  std::string out;
  DocStats st;
  auto rw = make_rewriter(DocFormat::text, ctx, spans, groups, [&](std::string_view s) { out += s; }, st);
  for (char c : text) rw->feed(&c, 1);  // one byte at a time
  rw->finish();
  BOOST_TEST(out == "id ********9018 end\n");
  BOOST_TEST(st.unresolved_total() == 0u);
  // The same span over other bytes: not rewritten, and said so.
  std::string moved = "id 1234567890189 end\n";
  out.clear();
  DocStats st2;
  spans[0].offset = 4;
  auto rw2 = make_rewriter(DocFormat::text, ctx, spans, groups = group_spans(spans),
                           [&](std::string_view s) { out += s; }, st2);
  rw2->feed(moved.data(), moved.size());
  rw2->finish();
  BOOST_TEST(st2.unresolved_total() == 1u);
}

// -------------------------------------------------------------------- CLI

BOOST_AUTO_TEST_CASE(mixed_corpus_redacted_and_otherwise_unchanged) {
  CorpusRun cr;
  BOOST_TEST_INFO(cr.r.err);
  BOOST_REQUIRE(cr.r.code == 0);
  auto ps = people();

  // CSV: same rows and cells, quoting kept; untouched columns identical.
  std::string csv = cr.output("members.csv");
  BOOST_TEST(findings_free(csv, "members.csv"));
  auto a = parse_csv_text(cr.c.csv, ','), b = parse_csv_text(csv, ',');
  BOOST_REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    BOOST_REQUIRE(a[i].size() == b[i].size());
    for (size_t k : {0, 1, 4}) BOOST_TEST(a[i][k] == b[i][k]);
    if (i == 0) continue;
    BOOST_TEST(b[i][2].rfind("pa_health_", 0) == 0);
    BOOST_TEST(b[i][3].empty());
  }
  BOOST_TEST(csv.find("\"note, \"\"quoted\"\" 0\"\r\n") != std::string::npos);
  // The same person gets the same token whether written plain or 4-4-4.
  BOOST_TEST(lines_of(csv).size() == lines_of(cr.c.csv).size());

  // JSONL: structure kept, only the values change; a number becomes a string.
  std::string jsonl = cr.output("events.jsonl");
  BOOST_TEST(findings_free(jsonl, "events.jsonl"));
  auto in_lines = lines_of(cr.c.jsonl), out_lines = lines_of(jsonl);
  BOOST_REQUIRE(in_lines.size() == out_lines.size());
  simdjson::dom::parser parser;
  for (size_t i = 0; i + 1 < out_lines.size(); ++i) {
    simdjson::padded_string ps2(out_lines[i]);
    simdjson::dom::element doc;
    BOOST_REQUIRE(!parser.parse(ps2).get(doc));
    BOOST_TEST(int64_t(doc["id"]) == static_cast<int64_t>(i + 1));
    BOOST_TEST(std::string(std::string_view(doc["note"])) == "hello " + std::to_string(i));
    BOOST_TEST(std::string(std::string_view(doc["user"]["mynumber"])).rfind("pa_health_", 0) == 0);
    BOOST_TEST(std::string_view(doc["user"]["email"]).empty());
  }
  BOOST_TEST(out_lines.back() == "{\"id\":99,\"card\":\"************1111\",\"ok\":true}");

  // Log: the same lines; lines without identifiers byte for byte.
  std::string log = cr.output("app.log");
  BOOST_TEST(findings_free(log, "app.log"));
  auto li = lines_of(cr.c.log), lo = lines_of(log);
  BOOST_REQUIRE(li.size() == lo.size());
  for (size_t i = 0; i < li.size(); ++i)
    if (li[i].find("user_mynumber") == std::string::npos) BOOST_TEST(li[i] == lo[i]);
    else BOOST_TEST(lo[i].find("client_ip=***.*.2.1") != std::string::npos);

  // Shift_JIS stays Shift_JIS; full-width digits masked full-width... or pseudonymised.
  std::string sj = cr.output("legacy/sjis.csv");
  BOOST_TEST(findings_free(sj, "sjis.csv"));
  std::string sj_utf8 = convert(sj, "UTF-8", "CP932");
  BOOST_TEST(sj_utf8.rfind("氏名,個人番号,電話番号\n" + ps[0].name + ",pa_health_", 0) == 0);
  BOOST_TEST(sj_utf8.find("***-****-1000") != std::string::npos);
  BOOST_TEST(sj.find(convert("山田 太郎", "CP932", "UTF-8")) != std::string::npos);

  // The zip is a zip again, with the same members redacted the same way.
  std::string fmt;
  auto members = read_archive(cr.out + "/" + cr.in.substr(1) + "/bundle.zip", &fmt);
  BOOST_TEST(fmt.find("ZIP") != std::string::npos);
  BOOST_REQUIRE(members.size() == 2u);
  BOOST_TEST(members["members.csv"] == csv);
  BOOST_TEST(members["logs/app.log"] == log);

  // No value is left in any output, in any form.
  for (auto& p : ps)
    for (auto& out : {csv, jsonl, log, sj_utf8}) {
      BOOST_TEST(out.find(p.mn) == std::string::npos);
      BOOST_TEST(out.find(p.email) == std::string::npos);
      BOOST_TEST(out.find(fullwidth(p.mn)) == std::string::npos);
    }
  // Tokens agree across files: one person, one token in the sector.
  std::string tok = b[1][2];
  BOOST_TEST(jsonl.find(tok) != std::string::npos);
  BOOST_TEST(sj_utf8.find(tok) != std::string::npos);

  // The report counts the changes per file, rule and action.
  std::string rep = read_file((cr.dir.path / "out.json").string());
  BOOST_TEST(rep.find("\"command\": \"redact\"") != std::string::npos);
  BOOST_TEST(rep.find("\"rule\": \"jp-my-number\",\n          \"action\": \"pseudonym\",\n          \"count\": 6") !=
             std::string::npos);
  BOOST_TEST(rep.find("\"values_not_redacted\": 0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(same_input_key_and_sector_give_identical_bytes) {
  CorpusRun one("out1"), two("out2");
  BOOST_REQUIRE(one.r.code == 0);
  BOOST_REQUIRE(two.r.code == 0);
  for (auto rel : {"members.csv", "events.jsonl", "app.log", "legacy/sjis.csv", "bundle.zip"}) {
    // The two runs differ only in their temporary folder: compare contents.
    BOOST_TEST(!one.output(rel).empty(), rel);
    BOOST_TEST(one.output(rel) == two.output(rel), rel);
  }
}

BOOST_AUTO_TEST_CASE(columns_generalisations_and_keep) {
  TempDir d;
  std::string csv = "氏名,生年月日,年齢,郵便番号,法人番号,個人番号\n"
                    "山田 太郎,平成2年1月2日,34,〒150-0001,3468922942782,123456789018\n"
                    "佐藤 花子,1985-04-12,不明,530-0001,1459374543569,\n";
  std::string in = d.file("t.csv", csv);
  std::string js = d.file("t.jsonl", "{\"age\":34,\"name\":\"山田 太郎\",\"p\":{\"zip\":\"150-0001\"}}\n");
  std::string out = (d.path / "o").string();
  auto r = run("redact " + q(in) + " " + q(js) + " -o " + q(out) +
               " --column 氏名=drop --generalise 生年月日=date:year --generalise 年齢=age:5"
               " --generalise 郵便番号=postal:3 --action 'jp-corporate-number=keep:public register'"
               " --generalise age=age:5 --generalise /p/zip=postal:3 --column name=mask"
               " --report json=" + q((d.path / "r.json").string()));
  BOOST_TEST_INFO(r.err);
  BOOST_REQUIRE(r.code == 0);
  std::string o = read_file(out + "/" + in.substr(1));
  BOOST_TEST(o == "氏名,生年月日,年齢,郵便番号,法人番号,個人番号\n"
                  ",1990,30-34,150-****,3468922942782,********9018\n"
                  ",1985,,530-****,1459374543569,\n");
  std::string oj = read_file(out + "/" + js.substr(1));
  BOOST_TEST(oj == "{\"age\":\"30-34\",\"name\":\"＊＊ ＊＊\",\"p\":{\"zip\":\"150-****\"}}\n");
  std::string rep = read_file((d.path / "r.json").string());
  BOOST_TEST(rep.find("\"reason\": \"public register\"") != std::string::npos);
  BOOST_TEST(rep.find("\"unparseable\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fullwidth_mask_in_text_keeps_width) {
  TempDir d;
  std::string in = d.file("m.txt", "マイナンバー：" + fullwidth("123456789018") + "\n番号 1234-5678-9018 です\n");
  auto r = run("redact " + q(in) + " -o -");
  BOOST_REQUIRE(r.code == 0);
  BOOST_TEST(r.out == "マイナンバー：＊＊＊＊＊＊＊＊９０１８\n番号 ****-****-9018 です\n");
}

BOOST_AUTO_TEST_CASE(pseudonymised_tables_link_within_a_sector_only) {
  TempDir d;
  std::string h = "個人番号,診療科\n", t = "個人番号,税額\n";
  for (int i = 0; i < 40; ++i) {
    std::string mn = my_number(std::to_string(31000000000LL + i * 7919LL));
    if (i < 30) h += mn + ",内科\n";
    if (i >= 10) t += hyphenated(mn) + "," + std::to_string(1000 + i) + "\n";
  }
  std::string hp = d.file("h.csv", h), tp = d.file("t.csv", t), key = d.file("k", "link-key-0123456789");
  auto red = [&](const std::string& in, const std::string& out, const std::string& sector) {
    return run("redact " + q(in) + " -o " + q((d.path / out).string()) +
               " --action jp-my-number=pseudonym --sector " + sector + " --key-file " + q(key) + " -q").code;
  };
  BOOST_REQUIRE(red(hp, "h1.csv", "health") == 0);
  BOOST_REQUIRE(red(tp, "t1.csv", "health") == 0);
  BOOST_REQUIRE(red(tp, "t2.csv", "tax") == 0);
  auto linked = [&](const std::string& a, const std::string& b) {
    auto r = run("link " + q((d.path / a).string()) + " " + q((d.path / b).string()) + " --format json --fail-on never");
    BOOST_REQUIRE(r.code == 0);
    simdjson::dom::parser p;
    simdjson::padded_string ps(r.out);
    simdjson::dom::element doc;
    BOOST_REQUIRE(!p.parse(ps).get(doc));
    return uint64_t(doc["link"]["linked_unique"]);
  };
  BOOST_TEST(linked("h1.csv", "t1.csv") == 20u);
  BOOST_TEST(linked("h1.csv", "t2.csv") == 0u);
  // By values alone: the token column renamed still pairs up.
  std::string t1 = read_file((d.path / "t1.csv").string());
  d.file("t3.csv", "pid" + t1.substr(t1.find(',')));
  BOOST_TEST(linked("h1.csv", "t3.csv") == 20u);
}

BOOST_AUTO_TEST_CASE(exit_codes) {
  TempDir d;
  std::string in = d.file("a.txt", "マイナンバー 123456789018\n");
  std::string out = (d.path / "o").string();
  std::string key = d.file("k", "some-key-0123456789");
  // Clean.
  BOOST_TEST(run("redact " + q(in) + " -o " + q(out) + " -q").code == 0);
  // Pseudonym without a key, without a sector, with a bad sector.
  BOOST_TEST(run("redact " + q(in) + " -o " + q(out) + " --action jp-my-number=pseudonym --sector x -q",
                 "env -u PRIVAUDIT_KEY").code == 2);
  BOOST_TEST(run("redact " + q(in) + " -o " + q(out) + " --action jp-my-number=pseudonym --key-file " + q(key)).code == 2);
  BOOST_TEST(run("redact " + q(in) + " -o " + q(out) + " --action jp-my-number=pseudonym --sector Tax --key-file " + q(key)).code == 2);
  // Unknown action or rule; several inputs to stdout.
  BOOST_TEST(run("redact " + q(in) + " -o " + q(out) + " --action jp-my-number=hash").code == 2);
  BOOST_TEST(run("redact " + q(in) + " -o " + q(out) + " --action no-such-rule=drop").code == 2);
  BOOST_TEST(run("redact " + q(in) + " " + q(in) + " -o -").code == 2);
  // Never overwrite an input.
  auto same = run("redact " + q(in) + " -o " + q(in));
  BOOST_TEST(same.code == 2);
  BOOST_TEST(read_file(in) == "マイナンバー 123456789018\n");
  // A binary file is not written.
  std::string bin = d.file("b/x.bin", std::string("\x00\x01\x02 123456789018", 16));
  auto rb = run("redact " + q(bin) + " -o " + q((d.path / "ob").string()));
  BOOST_TEST(rb.code == 2);
  BOOST_TEST(!std::filesystem::exists(d.path / "ob"));
  // A value found but not rewritten (it crosses JSON tokens): exit 2, not written.
  std::string bad = d.file("bad.json", "{\"mynumber\": 1234 5678 9018}\n");
  auto rv = run("redact " + q(bad) + " -o " + q((d.path / "obad.json").string()));
  BOOST_TEST(rv.code == 2);
  BOOST_TEST(rv.err.find("not rewritten") != std::string::npos);
  BOOST_TEST(!std::filesystem::exists(d.path / "obad.json"));
  // --allow-incomplete never excuses a value left behind.
  BOOST_TEST(run("redact " + q(bad) + " -o " + q((d.path / "obad.json").string()) + " --allow-incomplete").code == 2);
}

BOOST_AUTO_TEST_CASE(output_encoding_and_tar_gz) {
  TempDir d;
  Corpus c = make_corpus();
  std::string in = d.file("s.csv", c.sjis);
  auto r = run("redact " + q(in) + " -o - --output-encoding utf-8");
  BOOST_REQUIRE(r.code == 0);
  BOOST_TEST(r.out.rfind("氏名,個人番号,電話番号\n山田 太郎,＊＊＊＊", 0) == 0);
  // tar.gz written back as tar.gz.
  std::string dir = (d.path / "t").string();
  d.file("t/a.log", c.log);
  BOOST_REQUIRE(std::system(("tar czf " + q((d.path / "x.tar.gz").string()) + " -C " + q(dir) + " a.log").c_str()) == 0);
  auto rt = run("redact " + q((d.path / "x.tar.gz").string()) + " -o " + q((d.path / "y.tar.gz").string()));
  BOOST_TEST_INFO(rt.err);
  BOOST_REQUIRE(rt.code == 0);
  std::string fmt;
  auto m = read_archive((d.path / "y.tar.gz").string(), &fmt);
  BOOST_TEST(fmt.find("tar") != std::string::npos);
  BOOST_REQUIRE(m.count("a.log") == 1u);
  BOOST_TEST(findings_free(m["a.log"], "a.log"));
  BOOST_TEST(lines_of(m["a.log"]).size() == lines_of(c.log).size());
}
