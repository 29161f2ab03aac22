// gencorpus: writes a synthetic, digit-dense corpus shaped like real releases
// (CSV exports with ID and decoy columns, JSONL events, key=value logs,
// Japanese prose with full-width digits) together with its ground truth, and
// scores a privaudit JSON report against that truth. As in real Japanese
// exports and application logs, most records carry Japanese text (CSV names,
// JSONL names, addresses and notes, log messages); only the DEBUG log lines
// are pure ASCII.
//
//   gencorpus gen OUT_DIR MEGABYTES [SEED [ID_RATE]]   writes OUT_DIR/{residents.csv,events.jsonl,app.log,memo.txt,truth.tsv}
//   gencorpus eval OUT_DIR REPORT.json       prints precision and recall per rule
#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "validate/validators.h"

namespace {

std::mt19937_64 rng;

uint64_t rnd(uint64_t n) { return rng() % n; }

std::string digits(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rnd(10)));
  if (s[0] == '0') s[0] = '1';
  return s;
}

std::string my_number() {
  std::string b = digits(11);
  return b + std::to_string(privaudit::validate::my_number_check_digit(b));
}

std::string bad_my_number() {  // 12 digits, wrong check digit
  std::string b = digits(11);
  int c = privaudit::validate::my_number_check_digit(b);
  return b + std::to_string((c + 1 + rnd(9)) % 10);
}

std::string corporate_number() {
  std::string b = digits(12);
  return std::to_string(privaudit::validate::corporate_number_check_digit(b)) + b;
}

std::string card() {
  std::string b = "4" + digits(14);
  for (int c = 0; c < 10; ++c)
    if (privaudit::validate::luhn(b + std::to_string(c))) return b + std::to_string(c);
  return b + "0";
}

const char* kFw[] = {"０", "１", "２", "３", "４", "５", "６", "７", "８", "９"};

// A written form of a 12-digit value: plain, 4-4-4 with a separator, full-width.
std::string written(const std::string& v, int form) {
  static const char* seps[] = {"-", " ", "\u3000", "\uFF0D", "\u2212", "\u2010", "ー"};
  switch (form % 4) {
    case 0: return v;
    case 1: {
      const char* s = seps[rnd(7)];
      return v.substr(0, 4) + s + v.substr(4, 4) + s + v.substr(8);
    }
    case 2: {
      std::string out;
      for (char c : v) out += kFw[c - '0'];
      return out;
    }
    default: {
      std::string out;
      for (size_t i = 0; i < v.size(); ++i) {
        if (i == 4 || i == 8) out += "－";
        out += kFw[v[i] - '0'];
      }
      return out;
    }
  }
}

struct Out {
  std::string name;
  std::ofstream f;
  uint64_t off = 0;
  std::string buf;
  std::ofstream* truth;
  Out(const std::string& dir, const std::string& n, std::ofstream* t)
      : name(n), f(dir + "/" + n, std::ios::binary), truth(t) {}
  void put(const std::string& s) { buf += s; if (buf.size() > (1 << 20)) flush(); }
  // Writes an identifier and records it in the truth.
  void id(const std::string& rule, const std::string& text) {
    *truth << name << '\t' << (off + buf.size()) << '\t' << rule << '\n';
    put(text);
  }
  void flush() { f.write(buf.data(), static_cast<std::streamsize>(buf.size())); off += buf.size(); buf.clear(); }
  uint64_t size() const { return off + buf.size(); }
};

const char* kNames[] = {"山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健", "伊藤 さくら"};
// Japanese free text carried by JSONL events and log lines, as in real
// municipal exports and application logs. None of it is a rule's context
// word (positive or negative), so it changes no finding's confidence.
const char* kAddresses[] = {"東京都千代田区丸の内", "大阪府大阪市北区梅田", "北海道札幌市中央区大通西",
                            "福岡県福岡市博多区博多駅前", "愛知県名古屋市中村区名駅", "宮城県仙台市青葉区本町"};
const char* kNotes[] = {"窓口で本人確認書類を確認済み。転居に伴う住所変更の手続き。",
                        "オンライン申請。添付書類に不備があったため再提出を依頼した。",
                        "世帯主からの代理申請。委任状を受領し、内容を確認した。",
                        "郵送で届いた申請書を受理した。記載内容に問題なし。",
                        "来庁者の相談を受け、必要な手続きを案内した。"};
const char* kMessages[] = {"ログインに成功しました", "申請を受け付けました", "書類を更新しました",
                           "検索条件に一致する世帯が見つかりません", "セッションの有効期限が切れました",
                           "帳票の出力が完了しました"};

std::string two(uint64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }
std::string date() { return std::to_string(1950 + rnd(60)) + "-" + two(1 + rnd(12)) + "-" + two(1 + rnd(28)); }

// `id_rate`: the share of records that carry identifiers; the rest of every
// record is numbers that are not identifiers (amounts, dates, postal codes,
// order numbers, timestamps, request ids) — digit-dense, like real exports.
int gen(const std::string& dir, uint64_t megabytes, uint64_t seed, double id_rate) {
  rng.seed(seed);
  std::ofstream truth(dir + "/truth.tsv");
  uint64_t target = megabytes << 20;
  Out csv(dir, "residents.csv", &truth), js(dir, "events.jsonl", &truth), log(dir, "app.log", &truth),
      memo(dir, "memo.txt", &truth);
  csv.put("氏名,生年月日,郵便番号,個人番号,注文番号,電話番号,メール,法人番号,数量,金額,更新日時\n");
  auto has_id = [&]() { return static_cast<double>(rnd(1000000)) < id_rate * 1e6; };
  uint64_t row = 0;
  while (csv.size() + js.size() + log.size() + memo.size() < target) {
    ++row;
    // CSV row: a My Number column (some typos: wrong check digit), a decoy
    // order-number column (random 12 digits: some valid by chance, which the
    // column's statistics make low confidence), and many other numbers.
    csv.put(std::string(kNames[rnd(6)]) + "," + date() + "," + std::to_string(100 + rnd(900)) + "-" +
            std::to_string(1000 + rnd(9000)) + ",");
    if (!has_id()) csv.put("");
    else if (rnd(20) == 0) csv.put(bad_my_number());
    else csv.id("jp-my-number", written(my_number(), static_cast<int>(rnd(4))));
    csv.put("," + digits(12) + ",");
    if (has_id()) csv.id("jp-phone", "090-" + digits(4) + "-" + digits(4));
    csv.put(",");
    if (has_id()) csv.id("email", "user" + std::to_string(row) + "@example.co.jp");
    csv.put(",");
    if (has_id()) csv.id("jp-corporate-number", corporate_number());
    csv.put("," + std::to_string(rnd(100)) + "," + std::to_string(rnd(10000000)) + "," + date() + " " +
            two(rnd(24)) + ":" + two(rnd(60)) + ":" + two(rnd(60)) + "\n");
    // JSONL event: epoch-millisecond timestamps (13 digits, like Corporate
    // Numbers: the field's statistics keep them out), ids, amounts, and the
    // resident's name, address and a free-text note in Japanese.
    js.put("{\"ts_ms\":" + std::to_string(1600000000000ULL + rng() % 200000000000ULL) +
           ",\"request_id\":\"" + digits(8) + "-" + digits(4) + "\",\"user\":{\"name\":\"" + kNames[rnd(6)] +
           "\",\"address\":\"" + kAddresses[rnd(6)] + std::to_string(1 + rnd(9)) + "-" +
           std::to_string(1 + rnd(20)) + "-" + std::to_string(1 + rnd(30)) + "\",\"mynumber\":\"");
    if (has_id()) js.id("jp-my-number", written(my_number(), static_cast<int>(rnd(4))));
    js.put("\",\"session\":\"" + digits(12) + digits(4) + "\"},\"order_id\":" + digits(12) +
           ",\"amount\":" + std::to_string(rnd(99999)) + ",\"items\":[" + std::to_string(rnd(1000)) + "," +
           std::to_string(rnd(1000)) + "],\"card\":\"");
    if (has_id()) js.id("credit-card", card());
    js.put("\",\"note\":\"" + std::string(kNotes[rnd(5)]) + "\"}\n");
    // Log lines: key=value with decoys glued to letters/digits/decimals; the
    // INFO line opens with a Japanese message, the DEBUG line is ASCII.
    log.put("2024-05-01T12:00:" + two(rnd(60)) + "." + std::to_string(100 + rnd(900)) +
            " INFO " + kMessages[rnd(6)] + " req=" + digits(8) + " order_id=" + digits(12) + " ip=");
    if (has_id()) log.id("ipv4", "10." + std::to_string(rnd(256)) + "." + std::to_string(rnd(256)) + "." +
                                     std::to_string(1 + rnd(254)));
    else log.put("-");
    log.put(" user_mynumber=");
    if (has_id()) log.id("jp-my-number", my_number());
    else log.put("-");
    log.put(" latency_ms=" + std::to_string(rnd(900)) + " bytes=" + std::to_string(rnd(100000000)) +
            " trace=" + digits(16) + "\n");
    log.put("2024-05-01T12:01:00.000 DEBUG checksum=" + digits(12) + "A serial=X" + my_number() +
            " part=" + my_number() + "7 ratio=3." + my_number() + " count=" + std::to_string(rnd(1000)) + "\n");
    // Japanese prose with full-width digits.
    if (row % 3 == 0) {
      memo.put("令和" + std::string(kFw[1 + rnd(6)]) + "年" + std::string(kFw[1 + rnd(9)]) + "月の件、" +
               std::string(kNames[rnd(6)]) + "様の");
      if (has_id()) {
        memo.put("マイナンバーは");
        memo.id("jp-my-number", written(my_number(), 2 + static_cast<int>(rnd(2))));
      } else {
        memo.put("会員番号は" + written(bad_my_number(), 2));
      }
      memo.put("です。受付番号は" + written(bad_my_number(), 2) + "、金額は" +
               std::string(kFw[1 + rnd(9)]) + "２，３４０円、電話は");
      memo.id("jp-phone", "０３－" + std::string(kFw[rnd(10)]) + "２３４－５６７８");
      memo.put("まで。\n");
    }
  }
  csv.flush();
  js.flush();
  log.flush();
  memo.flush();
  std::printf("wrote %s (%llu rows)\n", dir.c_str(), static_cast<unsigned long long>(row));
  return 0;
}

int eval(const std::string& dir, const std::string& report) {
  using Key = std::tuple<std::string, uint64_t, std::string>;
  std::set<Key> truth;
  std::ifstream t(dir + "/truth.tsv");
  std::string path, rule;
  uint64_t off;
  while (t >> path >> off >> rule) truth.insert({path, off, rule});
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.load(report).get(doc)) {
    std::fprintf(stderr, "cannot parse %s\n", report.c_str());
    return 2;
  }
  std::map<std::string, std::array<uint64_t, 3>> per;  // tp, fp, fn
  std::set<Key> found;
  for (auto f : doc["findings"].get_array()) {
    std::string fp{std::string_view(f["path"])};
    fp = fp.substr(fp.rfind('/') + 1);
    std::string r{std::string_view(f["rule"])};
    uint64_t o = f["offset"];
    Key k{fp, o, r};
    found.insert(k);
    (truth.count(k) ? per[r][0] : per[r][1])++;
  }
  for (auto& k : truth)
    if (!found.count(k)) per[std::get<2>(k)][2]++;
  bool ok = true;
  std::printf("%-22s %9s %9s %9s %10s %8s\n", "rule", "tp", "fp", "fn", "precision", "recall");
  for (auto& [r, c] : per) {
    double prec = c[0] + c[1] ? double(c[0]) / double(c[0] + c[1]) : 1.0;
    double rec = c[0] + c[2] ? double(c[0]) / double(c[0] + c[2]) : 1.0;
    std::printf("%-22s %9llu %9llu %9llu %10.4f %8.4f\n", r.c_str(), (unsigned long long)c[0],
                (unsigned long long)c[1], (unsigned long long)c[2], prec, rec);
    ok = ok && prec >= 0.99 && rec >= 0.99;
  }
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "gen" && argc >= 4)
    return gen(argv[2], std::stoull(argv[3]), argc > 4 ? std::stoull(argv[4]) : 20261123,
               argc > 5 ? std::stod(argv[5]) : 1.0);
  if (mode == "eval" && argc == 4) return eval(argv[2], argv[3]);
  std::fprintf(stderr, "usage: gencorpus gen OUT_DIR MEGABYTES [SEED [ID_RATE]] | gencorpus eval OUT_DIR REPORT.json\n");
  return 2;
}
