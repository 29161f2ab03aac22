#include "report/sampled_section.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <vector>

namespace privaudit {

namespace {

struct Entry {
  std::string path, method;
  uint64_t rows = 0;
};

std::vector<Entry> parse(std::string_view json) {
  std::vector<Entry> out;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::array arr;
  if (parser.parse(padded).get(arr)) return out;
  for (auto e : arr) {
    Entry x;
    std::string_view s;
    if (!e["path"].get(s)) x.path = std::string(s);
    if (!e["method"].get(s)) x.method = std::string(s);
    uint64_t n = 0;
    if (!e["rows"].get(n)) x.rows = n;
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace

std::string render_sampled_text(std::string_view json) {
  std::string out;
  for (auto& e : parse(json)) out += fmt::format("sampled: {}: {} rows ({})\n", e.path, e.rows, e.method);
  return out;
}

std::string render_sampled_markdown(std::string_view json) {
  auto entries = parse(json);
  if (entries.empty()) return {};
  std::string out = "\n## Sampled tables\n\nThese tables were read as a random sample, not in full.\n\n";
  for (auto& e : entries) out += fmt::format("- `{}`: {} rows ({})\n", e.path, e.rows, e.method);
  return out;
}

}  // namespace privaudit
