// Fuzz target: the consent ledger reader (JSONL and .json documents), then
// indexing and a few queries over what it loaded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "consent/ledger.h"

namespace {

void load(const char* name, std::string_view text) {
  privaudit::consent::Ledger l;
  l.load_text(name, text);
  l.finish();
  for (uint32_t s = 0; s < l.subjects().size() && s < 16; ++s) {
    l.first_event(s);
    for (uint32_t p = 0; p < l.purposes().size() && p < 4; ++p) {
      if (const auto* e = l.deciding(s, p, privaudit::consent::kNever - 1)) {
        privaudit::consent::Instant at{e->at, e->offset_min};
        for (int64_t r = 0; r < 2; ++r) {
          l.names_recipient(*e, r);
          l.provision_covers(r, s, at);
        }
      }
      l.purposes_before(s, 0);
    }
  }
  l.consent_subjects();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  load("ledger.jsonl", text);
  load("ledger.json", text);
  return 0;
}
