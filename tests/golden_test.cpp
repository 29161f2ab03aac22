// Optimisations never change results: the JSON report of `scan examples/`
// equals, byte for byte, the one recorded in tests/golden/ (made before the
// streaming report, the spool and file splitting), on one thread and on
// several, with the time fields blanked.
#define BOOST_TEST_MODULE golden
#include <boost/test/unit_test.hpp>

#include <string>

#include "fixtures.h"

namespace {

std::string blank_times(std::string s) {
  auto blank = [&](const std::string& key, const std::string& with, char stop) {
    size_t at = s.find(key);
    if (at == std::string::npos) return;
    size_t from = at + key.size(), to = s.find(stop, from);
    s.replace(from, to - from, with);
  };
  blank("\"started_at\": \"", "0", '"');
  blank("\"duration_ms\": ", "0", ',');
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(scan_examples_json_is_unchanged) {
  std::string golden = fx::source_file("tests/golden/examples-scan.json");
  BOOST_REQUIRE(golden.size() > 1000u);
  for (const char* threads : {"1", "2", "4"}) {
    auto r = fx::run_bin(std::string("scan -q -j") + threads + " --key-file ../tests/golden/key --format json .",
                         "cd '" + std::string(PRIVAUDIT_SOURCE_DIR) + "/examples' && PRIVAUDIT_KEY= ");
    BOOST_TEST_INFO("-j" << threads);
    BOOST_TEST(r.code == 1);  // findings at or above the default gate
    BOOST_TEST((blank_times(r.out) == golden));
  }
}
