// linkgen: writes two synthetic tables for the `link` benchmark, with known
// overlap and planted identifier conflicts, and the figures a run must find.
//
//   linkgen OUT_DIR ROWS [SHARED] [SEED]
//
// OUT_DIR/a.csv  id,氏名,生年月日,性別,郵便番号,個人番号,電話番号   (My Number 4-4-4 hyphenated)
// OUT_DIR/b.csv  name,birth_date,sex,zip,my_number,email           (My Number in full-width digits)
// OUT_DIR/truth.txt  shared My Numbers and planted conflicts
//
// People are a pure function of their index, so nothing is held in memory:
// with M = ROWS - 100, A holds people [0, M) in order, B people
// [M - SHARED, 2M - SHARED) in a scrambled order: exactly SHARED in both. The last 100 rows of A reuse an earlier A person's number
// under another name; the last 100 rows of B reuse an earlier B-only
// person's number with another birth date.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "validate/validators.h"

namespace {

uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

const char* kFamily[] = {"山", "田", "佐", "藤", "鈴", "木", "高", "橋", "中", "村", "小", "林", "加", "伊",
                         "渡", "辺", "松", "本", "井", "上", "石", "川", "森", "池", "清", "水", "岡", "野",
                         "長", "谷"};
const char* kGiven[] = {"太", "郎", "花", "子", "一", "二", "美", "咲", "翔", "陽", "菜", "蓮", "結", "衣",
                        "大", "輝", "健", "真", "由", "香", "明", "里", "奈", "優", "悠", "人", "和", "也",
                        "彩", "介"};

struct Person {
  std::string my_number, family, given, zip;
  int year, month, day;
  bool male;
};

Person person(uint64_t seed, uint64_t i) {
  Person p;
  // A bijection on [0, 10^11): distinct people get distinct numbers.
  const uint64_t space = 100000000000ULL;
  uint64_t n = (i * 48271ULL * 1000003ULL + 12345678901ULL + seed * 7919ULL) % space;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%011llu", static_cast<unsigned long long>(n));
  p.my_number = std::string(buf) + std::to_string(privaudit::validate::my_number_check_digit(buf));
  uint64_t h = mix(seed * 0x100000001b3ULL ^ i);
  p.family = std::string(kFamily[h % 30]) + kFamily[(h >> 5) % 30];
  p.given = std::string(kGiven[(h >> 10) % 30]) + kGiven[(h >> 15) % 30];
  p.year = 1940 + static_cast<int>((h >> 20) % 66);
  p.month = 1 + static_cast<int>((h >> 27) % 12);
  p.day = 1 + static_cast<int>((h >> 31) % 28);
  p.male = (h >> 36) & 1;
  std::snprintf(buf, sizeof buf, "%07llu", static_cast<unsigned long long>(1000000 + (h >> 37) % 20000 * 331));
  p.zip = buf;
  return p;
}

std::string fullwidth(const std::string& digits) {
  std::string out;
  for (char c : digits) {
    out += "\xEF\xBC";
    out.push_back(static_cast<char>(0x90 + (c - '0')));
  }
  return out;
}

void a_row(FILE* f, uint64_t id, const Person& p, const std::string& name) {
  std::fprintf(f, "%llu,%s,%04d-%02d-%02d,%s,%s-%s,%s-%s-%s,090-%04llu-%04llu\n",
               static_cast<unsigned long long>(id), name.c_str(), p.year, p.month, p.day,
               p.male ? "男" : "女", p.zip.substr(0, 3).c_str(), p.zip.substr(3).c_str(),
               p.my_number.substr(0, 4).c_str(), p.my_number.substr(4, 4).c_str(),
               p.my_number.substr(8).c_str(), static_cast<unsigned long long>(id / 10000 % 10000),
               static_cast<unsigned long long>(id % 10000));
}

void b_row(FILE* f, uint64_t i, const Person& p, int year_shift) {
  std::fprintf(f, "%s　%s,%d/%d/%d,%s,%s,%s,u%llu@example.jp\n", p.family.c_str(), p.given.c_str(),
               p.year + year_shift, p.month, p.day, p.male ? "M" : "F", p.zip.c_str(),
               fullwidth(p.my_number).c_str(), static_cast<unsigned long long>(i));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: linkgen OUT_DIR ROWS [SHARED] [SEED]\n");
    return 2;
  }
  std::string dir = argv[1];
  uint64_t rows = std::strtoull(argv[2], nullptr, 10);
  uint64_t shared = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : rows / 5;
  uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1;
  const uint64_t planted = 100;
  if (rows < 2 * planted + 1 || shared + planted > rows - planted) {
    std::fprintf(stderr, "linkgen: ROWS must exceed 200 and SHARED leave room for 100 B-only people\n");
    return 2;
  }
  FILE* a = std::fopen((dir + "/a.csv").c_str(), "w");
  FILE* b = std::fopen((dir + "/b.csv").c_str(), "w");
  FILE* t = std::fopen((dir + "/truth.txt").c_str(), "w");
  if (!a || !b || !t) {
    std::perror("linkgen");
    return 1;
  }
  static char abuf[1 << 20], bbuf[1 << 20];
  std::setvbuf(a, abuf, _IOFBF, sizeof abuf);
  std::setvbuf(b, bbuf, _IOFBF, sizeof bbuf);

  std::fputs("id,氏名,生年月日,性別,郵便番号,個人番号,電話番号\n", a);
  uint64_t a_main = rows - planted;
  for (uint64_t i = 0; i < a_main; ++i) {
    Person p = person(seed, i);
    a_row(a, i + 1, p, p.family + " " + p.given);
  }
  for (uint64_t k = 0; k < planted; ++k) {  // A-only people: index < a_main - shared
    Person p = person(seed, k * 997 % (a_main - shared));
    a_row(a, a_main + k + 1, p, "偽名 " + std::to_string(k));
  }

  std::fputs("name,birth_date,sex,zip,my_number,email\n", b);
  uint64_t b_main = rows - planted, first_b = a_main - shared;
  // B holds people first_b + perm(j), perm a bijection on [0, b_main) when
  // gcd(7919, b_main) = 1; else in order.
  bool scramble = b_main % 7919 != 0;
  for (uint64_t j = 0; j < b_main; ++j) {
    uint64_t k = scramble ? j * 7919 % b_main : j;
    b_row(b, j, person(seed, first_b + k), 0);
  }
  for (uint64_t k = 0; k < planted; ++k) {  // B-only people: index >= a_main
    uint64_t idx = a_main + k * 991 % (b_main - shared);
    b_row(b, b_main + k, person(seed, idx), 1);
  }
  std::fprintf(t, "rows_a %llu\nrows_b %llu\nshared_my_numbers %llu\nplanted_conflicts_a %llu\nplanted_conflicts_b %llu\n",
               static_cast<unsigned long long>(rows), static_cast<unsigned long long>(rows),
               static_cast<unsigned long long>(shared), static_cast<unsigned long long>(planted),
               static_cast<unsigned long long>(planted));
  std::fclose(a);
  std::fclose(b);
  std::fclose(t);
  return 0;
}
