// engine_bench FILE [RULE...]: the matcher alone over a file (read in 1 MiB
// pieces, cut at newlines), counting candidates per rule. For profiling the
// engine apart from the searcher and the report writers.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "match/engine.h"
#include "rules/rule.h"

using namespace privaudit;

class Count : public CandidateSink {
 public:
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> n;
  void candidate(const CandidateRef& c) override {
    auto& v = n[c.rule];
    ++v.first;
    v.second += c.valid;
  }
};

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: engine_bench FILE [RULE...]\n");
    return 2;
  }
  std::vector<Rule> rules;
  std::string err;
  load_builtin_rules(rules, err);
  std::vector<std::string> enable(argv + 2, argv + argc);
  select_rules(rules, enable, {});
  auto engine = Engine::build(rules, err);
  if (!engine) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 2;
  }
  auto scratch = engine->make_scratch();
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<char> buf((1 << 20) + 4096 + 64);
  Count sink;
  uint64_t total = 0;
  double secs = 0;
  size_t carry = 0;
  for (;;) {
    in.read(buf.data() + carry, static_cast<std::streamsize>((1 << 20) + 4096 - carry));
    size_t n = carry + static_cast<size_t>(in.gcount());
    if (n == 0) break;
    size_t cut = n;
    if (in) {
      const void* nl = memrchr(buf.data(), '\n', n);
      cut = nl ? static_cast<size_t>(static_cast<const char*>(nl) - buf.data()) + 1 : n;
    }
    auto t0 = std::chrono::steady_clock::now();
    engine->scan(*scratch, buf.data(), 0, cut, sink);
    secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    total += cut;
    carry = n - cut;
    std::memmove(buf.data(), buf.data() + cut, carry);
    if (!in && carry == 0) break;
  }
  std::printf("%.1f MB in %.3f s: %.1f MB/s\n", static_cast<double>(total) / 1e6, secs,
              static_cast<double>(total) / 1e6 / secs);
  for (auto& [r, c] : sink.n)
    std::printf("  %-24s %10llu candidates %10llu valid\n", engine->rules()[r].id.c_str(),
                static_cast<unsigned long long>(c.first), static_cast<unsigned long long>(c.second));
}
