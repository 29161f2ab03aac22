// The fast paths of the candidate path against simple references: field
// trackers fed in pieces of any size (and their key() against current()),
// the keyword window with and without its cursor, Luhn against the textbook
// loop, and the engine's digit runs around buffer ends.
#define BOOST_TEST_MODULE fastpath
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "match/engine.h"
#include "rules/rule.h"
#include "scan/evidence.h"
#include "scan/fields.h"
#include "core/simd.h"
#include "validate/validators.h"

using namespace privaudit;

namespace {

struct State {
  std::string field, key, stats_key;
  int64_t record;
  uint64_t stats_id;
  std::string key_fast;
  bool operator==(const State&) const = default;
};

State state_of(FieldTracker& t) {
  FieldInfo fi;
  State s;
  s.key_fast = std::string(t.key());
  s.stats_id = t.stats_id();
  t.current(fi);
  s.field = fi.field;
  s.key = fi.key;
  s.stats_key = fi.stats_key;
  s.record = fi.record;
  return s;
}

// Feeds `text` to a new tracker, cut at `cuts` (increasing), and records the
// state at every cut.
template <class Make>
std::vector<State> feed(Make make, const std::string& text, const std::vector<size_t>& cuts) {
  auto t = make();
  std::vector<State> out;
  size_t pos = 0;
  for (size_t c : cuts) {
    t->advance(text.data() + pos, c - pos);
    pos = c;
    out.push_back(state_of(*t));
  }
  t->advance(text.data() + pos, text.size() - pos);
  out.push_back(state_of(*t));
  return out;
}

std::string random_json(std::mt19937& rng, size_t n) {
  static const char* pieces[] = {"{", "}", "[", "]", ",", ":", "\"", "\\", "\\\"", "\\n",
                                 "\n", " ", "key", "my_number", "電話", "123456789018",
                                 "~", "/", "a", "\"id\":", "\"user\":{", "},"};
  std::string s;
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1);
  while (s.size() < n) s += pieces[pick(rng)];
  return s;
}

std::string random_csv(std::mt19937& rng, size_t n) {
  static const char* pieces[] = {",", "\n", "\"", "\"\"", "name", "個人番号", " ", "\r",
                                 "123456789018", "mail@example.com", "x"};
  std::string s = "id,name,個人番号,tel\n";
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1);
  while (s.size() < n) s += pieces[pick(rng)];
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(json_tracker_same_state_whatever_the_pieces) {
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 300; ++iter) {
    std::string text = random_json(rng, 50 + rng() % 400);
    bool lines = iter % 2 == 0;
    auto make = [&] { return std::make_unique<JsonTracker>(lines); };
    // Cuts at random places; the reference reads the text one byte at a time.
    std::vector<size_t> cuts;
    for (size_t c = 0; c < text.size(); c += 1 + rng() % 90) cuts.push_back(c);
    std::vector<size_t> every;
    for (size_t c = 0; c < text.size(); ++c) every.push_back(c);
    auto ref = feed(make, text, every);
    auto got = feed(make, text, cuts);
    for (size_t k = 0; k < cuts.size(); ++k) {
      BOOST_TEST_CONTEXT("text " << text << " cut " << cuts[k]) {
        const State& r = ref[cuts[k]];
        BOOST_TEST(got[k].field == r.field);
        BOOST_TEST(got[k].key == r.key);
        BOOST_TEST(got[k].key_fast == r.key);
        BOOST_TEST(got[k].stats_id == r.stats_id);
        BOOST_TEST(got[k].record == r.record);
      }
    }
    BOOST_TEST((got.back() == ref.back()));
  }
}

BOOST_AUTO_TEST_CASE(json_tracker_keys) {
  const std::string text =
      "{\"a\\\"b\":{\"my/key~\":[1,{\"x\":\"12\\n\"}]},\"long\":\"v\"}\n";
  JsonTracker t(true);
  size_t at = text.find("12");
  t.advance(text.data(), at);
  FieldInfo fi;
  t.current(fi);
  BOOST_TEST(fi.field == "/a\"b/my~1key~0/1/x");
  BOOST_TEST(fi.key == "x");
  BOOST_TEST(std::string(t.key()) == "x");
  // A key much longer than a 64-byte block, cut in the middle of a block.
  std::string long_key(300, 'k');
  std::string doc = "{\"" + long_key + "\":\"1\"}";
  JsonTracker u(false);
  u.advance(doc.data(), 100);
  u.advance(doc.data() + 100, doc.size() - 2 - 100);  // up to the value "1"
  BOOST_TEST(u.key().size() == 256u);  // kept up to 256 bytes
  BOOST_TEST(std::string(u.key()) == long_key.substr(0, 256));
}

BOOST_AUTO_TEST_CASE(csv_tracker_key_is_currents_key) {
  std::mt19937 rng(777);
  for (int iter = 0; iter < 200; ++iter) {
    std::string text = random_csv(rng, 40 + rng() % 300);
    auto make = [&] { return std::make_unique<CsvTracker>(',', text.data(), text.size()); };
    std::vector<size_t> cuts;
    for (size_t c = 0; c < text.size(); c += 1 + rng() % 40) cuts.push_back(c);
    auto got = feed(make, text, cuts);
    for (auto& s : got) BOOST_TEST(s.key_fast == s.key);
    if (iter % 3 == 0) {
      // saw_value() on row 0 turns the header into data.
      CsvTracker t(',', text.data(), text.size());
      t.advance(text.data(), 3);
      t.saw_value();
      t.advance(text.data() + 3, text.size() - 3);
      FieldInfo fi;
      t.current(fi);
      BOOST_TEST(std::string(t.key()) == fi.key);
    }
  }
}

BOOST_AUTO_TEST_CASE(keyword_window_cursor_matches_search) {
  std::vector<Rule> rules;
  std::string err;
  BOOST_REQUIRE(load_builtin_rules(rules, err));
  KeywordIndex kw(rules);
  auto scratch = kw.make_scratch();
  std::mt19937 rng(99);
  static const char* pieces[] = {"個人番号", " ", "\n", "免許証", "tel ", "電話番号 ",
                                 "123456789018", "0312345678", "card ", "xx", ":", "番号"};
  for (int iter = 0; iter < 50; ++iter) {
    std::string text;
    std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1);
    while (text.size() < 2000) text += pieces[pick(rng)];
    std::vector<KeywordIndex::Hit> hits;
    kw.find(*scratch, text.data(), 0, 0, text.size(), hits);
    size_t cursor = 0;
    size_t start = 0;
    while (start + 12 < text.size()) {
      size_t end = start + 1 + rng() % 12;
      uint32_t r = static_cast<uint32_t>(rng() % rules.size());
      int a = kw.window(hits, text.data(), 0, text.size(), start, end, r);
      int b = kw.window(hits, text.data(), 0, text.size(), start, end, r, &cursor);
      BOOST_TEST(a == b);
      start += rng() % 60;  // sometimes the same start again
    }
    // A cursor from a later position still gives the right answer.
    BOOST_TEST(kw.window(hits, text.data(), 0, text.size(), 5, 17, 0, &cursor) ==
               kw.window(hits, text.data(), 0, text.size(), 5, 17, 0));
  }
}

BOOST_AUTO_TEST_CASE(luhn_matches_textbook_loop) {
  auto textbook = [](const std::string& d) {
    if (d.empty()) return false;
    int sum = 0;
    bool dbl = false;
    for (size_t i = d.size(); i-- > 0;) {
      if (d[i] < '0' || d[i] > '9') return false;
      int v = d[i] - '0';
      if (dbl) { v *= 2; if (v > 9) v -= 9; }
      sum += v;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  };
  std::mt19937 rng(4242);
  for (int iter = 0; iter < 20000; ++iter) {
    size_t n = rng() % 22;
    std::string d;
    for (size_t k = 0; k < n; ++k) d.push_back(static_cast<char>('0' + rng() % 10));
    if (iter % 50 == 0 && n > 0) d[rng() % n] = static_cast<char>("a/:\x80"[rng() % 4]);
    BOOST_TEST(validate::luhn(d) == textbook(d), d);
  }
  BOOST_TEST(validate::luhn_card("4111111111111111"));
  BOOST_TEST(!validate::luhn_card("4111111111111112"));
  BOOST_TEST(!validate::luhn_card("1111111111111117"));  // Luhn, no issuer
}

BOOST_AUTO_TEST_CASE(digit_runs_at_buffer_ends) {
  // Values at the very end of the scanned range, with and without a
  // separator after them, in every alignment against the 64-byte blocks.
  std::vector<Rule> rules;
  std::string err;
  BOOST_REQUIRE(load_builtin_rules(rules, err));
  auto engine = Engine::build(rules, err);
  BOOST_REQUIRE(engine);
  auto scratch = engine->make_scratch();
  for (size_t pad = 0; pad < 80; ++pad) {
    for (const char* tail : {"6214 9832 0257", "621498320257", "6214-9832-0257", "6214 9832 ",
                             "6214 ", "090-1234-5678", "03 1234 5678",
                             // digits filling whole 64-byte blocks
                             "1234567890123456789012345678901234567890123456789012345678901234567890"
                             "12345678901234567890123456789012345678901234567890 6214 9832 0257"}) {
      std::string text(pad, 'x');
      text += ' ';
      text += tail;
      std::string padded = text + std::string(64, '\0');
      std::vector<Candidate> whole;
      engine->scan(*scratch, padded.data(), 0, text.size(), whole);
      // The same value followed by more text: same candidates.
      std::string longer = text + "\nabc" + std::string(64, '\0');
      std::vector<Candidate> more;
      engine->scan(*scratch, longer.data(), 0, text.size() + 4, more);
      BOOST_TEST_CONTEXT("pad " << pad << " tail " << tail) {
        if (std::string(tail).find("0257") != std::string::npos) {
          bool found = false;
          for (auto& c : whole) found |= c.norm == "621498320257" && c.valid;
          BOOST_TEST(found);
        }
        BOOST_TEST(whole.size() == more.size());
        for (size_t k = 0; k < std::min(whole.size(), more.size()); ++k) {
          BOOST_TEST(whole[k].start == more[k].start);
          BOOST_TEST(whole[k].end == more[k].end);
          BOOST_TEST(whole[k].norm == more[k].norm);
          BOOST_TEST(whole[k].valid == more[k].valid);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(count_byte_matches_scalar) {
  std::mt19937 rng(31337);
  // Long inputs (more than 63 rounds of 64 bytes), dense in the byte counted,
  // and every length and offset near the block ends.
  for (int iter = 0; iter < 400; ++iter) {
    size_t n = iter < 40 ? 10000 + rng() % 20000 : rng() % 300;
    int density = static_cast<int>(rng() % 4);
    std::string s(n + 64, 'x');
    for (size_t k = 0; k < s.size(); ++k) {
      unsigned r = rng() % 8;
      s[k] = density == 3 || r < static_cast<unsigned>(density) * 2 ? '\n' : static_cast<char>(rng());
    }
    size_t off = rng() % 64;
    size_t len = n > off ? n - off : 0;
    size_t want = 0;
    for (size_t k = 0; k < len; ++k) want += s[off + k] == '\n';
    BOOST_TEST(simd::count_byte(s.data() + off, len, '\n') == want);
  }
}

BOOST_AUTO_TEST_CASE(check_digit_validators_match_their_definitions) {
  std::mt19937 rng(2718);
  for (int iter = 0; iter < 50000; ++iter) {
    size_t n = 10 + rng() % 5;
    std::string d;
    for (size_t k = 0; k < n; ++k) d.push_back(static_cast<char>('0' + rng() % 10));
    if (iter % 20 == 0) d[rng() % n] = static_cast<char>("a/:\x80 "[rng() % 5]);
    bool digits = d.find_first_not_of("0123456789") == std::string::npos;
    bool mn = d.size() == 12 && digits &&
              validate::my_number_check_digit(std::string_view(d).substr(0, 11)) == d[11] - '0';
    bool cn = d.size() == 13 && digits &&
              validate::corporate_number_check_digit(std::string_view(d).substr(1)) == d[0] - '0';
    BOOST_TEST(validate::my_number(d) == mn, d);
    BOOST_TEST(validate::corporate_number(d) == cn, d);
  }
}

BOOST_AUTO_TEST_CASE(luhn_card_matches_issuer_table) {
  // The issuer table as first written: prefix ranges by length, then Luhn.
  auto starts_in = [](const std::string& d, int len, int lo, int hi) {
    if (d.size() < static_cast<size_t>(len)) return false;
    int v = 0;
    for (int i = 0; i < len; ++i) v = v * 10 + (d[i] - '0');
    return v >= lo && v <= hi;
  };
  auto reference = [&](const std::string& d) {
    size_t n = d.size();
    if (n < 13 || n > 19 || !validate::luhn(d)) return false;
    if (d[0] == '4') return n == 13 || n == 16 || n == 19;
    if (starts_in(d, 2, 51, 55) || starts_in(d, 4, 2221, 2720)) return n == 16;
    if (starts_in(d, 2, 34, 34) || starts_in(d, 2, 37, 37)) return n == 15;
    if (starts_in(d, 4, 3528, 3589)) return n >= 16 && n <= 19;
    if (starts_in(d, 3, 300, 305) || starts_in(d, 2, 36, 36) || starts_in(d, 2, 38, 39))
      return n >= 14 && n <= 19;
    if (starts_in(d, 4, 6011, 6011) || starts_in(d, 2, 65, 65) || starts_in(d, 3, 644, 649) ||
        starts_in(d, 6, 622126, 622925))
      return n >= 16 && n <= 19;
    if (starts_in(d, 2, 62, 62)) return n >= 16 && n <= 19;
    if (starts_in(d, 2, 50, 50) || starts_in(d, 2, 56, 69)) return n >= 12;
    return false;
  };
  std::mt19937 rng(16);
  static const char* prefixes[] = {"", "4", "51", "55", "2221", "2720", "34", "37", "3528", "3589",
                                   "300", "305", "36", "38", "39", "6011", "65", "644", "649",
                                   "622126", "622925", "62", "50", "56", "69", "1", "7", "0"};
  for (int iter = 0; iter < 200000; ++iter) {
    std::string d = prefixes[rng() % std::size(prefixes)];
    size_t n = 11 + rng() % 10;
    while (d.size() < n) d.push_back(static_cast<char>('0' + rng() % 10));
    d.resize(n);
    if (iter % 100 == 0) d[rng() % n] = 'x';
    BOOST_TEST(validate::luhn_card(d) == reference(d), d);
  }
}
