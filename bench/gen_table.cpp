// Generates a synthetic CSV for benchmarking `privaudit risk`: ROWS records
// with 6 quasi-identifier columns (birth year, sex, prefecture code,
// occupation, nationality, marital status) drawn from skewed distributions,
// plus a record number and a sensitive diagnosis column. Deterministic for
// a seed.
//
//   gen_table ROWS [SEED] > table.csv
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {  // splitmix64
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  // Skewed index in [0, n): small indices are much more likely.
  size_t skewed(size_t n, double power) {
    double u = uniform();
    double v = u;
    for (double p = 1; p < power; ++p) v *= u;
    return static_cast<size_t>(v * static_cast<double>(n));
  }
};

const std::vector<std::string> kOccupations = {
    "clerical", "sales", "service", "professional", "manager", "technician", "craft", "transport",
    "farming", "student", "retired", "homemaker", "unemployed", "public-servant", "teacher",
    "nurse", "engineer", "driver", "cook", "researcher"};
const std::vector<std::string> kNationalities = {"JP", "CN", "KR", "VN", "PH", "BR", "NP", "ID", "US", "TH"};
const std::vector<std::string> kMarital = {"married", "never-married", "divorced", "widowed", "separated"};
const std::vector<std::string> kDiagnoses = {"none", "hypertension", "diabetes", "asthma", "depression",
                                             "arthritis", "migraine", "allergy"};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_table ROWS [SEED] > table.csv\n");
    return 2;
  }
  uint64_t rows = std::strtoull(argv[1], nullptr, 10);
  Rng rng{argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 42};
  std::string out = "record,birth_year,sex,prefecture,occupation,nationality,marital_status,diagnosis\n";
  out.reserve(1 << 22);
  for (uint64_t i = 1; i <= rows; ++i) {
    int year = 1935 + static_cast<int>((rng.uniform() + rng.uniform() + rng.uniform()) / 3 * 70);
    out += std::to_string(i);
    out += ',';
    out += std::to_string(year);
    out += rng.next() & 1 ? ",F," : ",M,";
    size_t pref = 1 + rng.skewed(47, 2);  // JIS prefecture code 01-47
    out += static_cast<char>('0' + pref / 10);
    out += static_cast<char>('0' + pref % 10);
    out += ',';
    out += kOccupations[rng.skewed(kOccupations.size(), 2)];
    out += ',';
    out += kNationalities[rng.skewed(kNationalities.size(), 4)];
    out += ',';
    out += kMarital[rng.skewed(kMarital.size(), 2)];
    out += ',';
    out += kDiagnoses[rng.skewed(kDiagnoses.size(), 2)];
    out += '\n';
    if (out.size() >= (1 << 22) - 256) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
