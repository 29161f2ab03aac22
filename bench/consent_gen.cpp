// Generates a synthetic consent ledger and processing log for
// bench/consent_bench.sh: consent_gen OUT_DIR EVENTS RECORDS [SEED].
// Writes OUT_DIR/ledger.jsonl (about EVENTS consent events in time order,
// one provision record per subject, a few broken lines) and OUT_DIR/log.csv
// (RECORDS processing records, a tenth of them exports). Subjects ("s<N>")
// have about four events each; most records are covered, so the findings are
// a realistic minority (missing, mismatches, withdrawals, expiries, unnamed
// recipients, missing provision records).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace {

std::string rfc3339(int64_t t, int offset_min) {
  time_t local = static_cast<time_t>(t + offset_min * 60);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (offset_min == 0) return std::string(buf) + "Z";
  int o = offset_min < 0 ? -offset_min : offset_min;
  return fmt::format("{}{}{:02}:{:02}", buf, offset_min < 0 ? '-' : '+', o / 60, o % 60);
}

bool write_file(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

struct Line {
  int64_t at;
  std::string text;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: consent_gen OUT_DIR EVENTS RECORDS [SEED]\n");
    return 2;
  }
  std::string dir = argv[1];
  const uint64_t events = std::strtoull(argv[2], nullptr, 10);
  const uint64_t records = std::strtoull(argv[3], nullptr, 10);
  std::mt19937_64 rng(argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1);
  auto pick = [&](uint64_t n) { return rng() % n; };
  const uint64_t subjects = std::max<uint64_t>(1, events / 4);
  const int64_t base = 1704067200;  // 2024-01-01T00:00:00Z
  const int64_t day = 86400;
  const int offsets[] = {0, 540, -300};
  const char* validity[] = {"", "", ",\"validity\":\"P365D\"", ",\"validity\":\"P1Y6M\"", ",\"validity\":\"P2W\""};
  // Per subject: the purpose it never consented to, and its two recipients.
  std::vector<uint8_t> no_purpose(subjects), rec_a(subjects), rec_b(subjects);
  std::vector<Line> lines;
  lines.reserve(events + subjects + 16);
  for (uint64_t s = 0; s < subjects; ++s) {
    no_purpose[s] = static_cast<uint8_t>(pick(4));
    rec_a[s] = static_cast<uint8_t>(pick(5));
    rec_b[s] = static_cast<uint8_t>((rec_a[s] + 1 + pick(4)) % 5);
    for (uint64_t p = 0; p < 4; ++p) {
      if (p == no_purpose[s]) continue;
      int64_t at = base + static_cast<int64_t>(pick(30 * day));
      lines.push_back({at, fmt::format(
                               R"({{"kind":"consent","record_id":"cr-{}-{}","subject":"s{}","controller":"city-a","purpose":"p{}","state":"{}","at":"{}"{},"recipients":["r{}","r{}"]}})",
                               s, p, s, p, pick(2) ? "given" : "dpv:ConsentGiven", rfc3339(at, offsets[pick(3)]),
                               validity[pick(5)], rec_a[s], rec_b[s])});
    }
    // The fourth event: a later withdrawal (one in five) or a renewal.
    uint64_t p = (no_purpose[s] + 1 + pick(3)) % 4;
    int64_t at = base + 60 * day + static_cast<int64_t>(pick(90 * day));
    bool withdraw = pick(5) == 0;
    lines.push_back({at, fmt::format(
                             R"({{"kind":"consent","record_id":"cr-{}-{}","pii_principal_id":"s{}","purpose":"p{}","event_state":"{}","event_time":"{}"{}}})",
                             s, p, s, p, withdraw ? "dpv:ConsentWithdrawn" : "renewed",
                             rfc3339(at, offsets[pick(3)]),
                             withdraw ? "" : fmt::format(R"(,"validity":"P365D","recipients":["r{}","r{}"])", rec_a[s],
                                                         rec_b[s]))});
    // A provision record: bulk/contract from the start, or one day's record.
    bool bulk = pick(10) < 7;
    int64_t pat = bulk ? base : base + static_cast<int64_t>(pick(150)) * day;
    lines.push_back({pat, fmt::format(
                              R"({{"kind":"provision","provider":"city-a","recipient":"r{}","at":"{}","subjects":["s{}"],"categories":["contact"]{}}})",
                              rec_a[s], rfc3339(pat, 0), s, bulk ? R"(,"record_mode":"bulk")" : "")});
  }
  for (int i = 0; i < 10; ++i) lines.push_back({base + i, "{\"kind\":\"consent\",\"subject\":\"broken"});
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.at < b.at; });
  std::string ledger;
  ledger.reserve(lines.size() * 200);
  for (auto& l : lines) (ledger += l.text) += '\n';
  lines.clear();
  lines.shrink_to_fit();

  std::string log = "subject_id,purpose,processed_at,action,recipient,legal_basis,note\n";
  log.reserve(records * 90);
  const char* bases[] = {"consent", "consent", "consent", "", "", "", "", "contract", "legal_obligation"};
  for (uint64_t i = 0; i < records; ++i) {
    uint64_t s = pick(50) == 0 ? subjects + pick(subjects) : pick(subjects);  // 2% unknown
    uint64_t known = s < subjects ? s : 0;
    uint64_t p = pick(20) == 0 ? no_purpose[known] : (no_purpose[known] + 1 + pick(3)) % 4;
    int64_t at = base + 20 * day + static_cast<int64_t>(pick(150 * day));
    bool exp = pick(10) == 0;
    uint64_t r = pick(10) == 0 ? pick(5) : rec_a[known];
    log += fmt::format("s{},p{},{},{},{},{},ok\n", s, p, rfc3339(at, offsets[pick(3)]), exp ? "export" : "use",
                       exp ? fmt::format("r{}", r) : std::string(), bases[pick(9)]);
  }
  if (!write_file(dir + "/ledger.jsonl", ledger) || !write_file(dir + "/log.csv", log)) {
    std::perror(dir.c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %s/ledger.jsonl (%zu bytes) and %s/log.csv (%zu bytes)\n", dir.c_str(), ledger.size(),
               dir.c_str(), log.size());
  return 0;
}
