// What redact does to one value: the actions (mask, drop, pseudonym, keep),
// the written-form mask, and generalisations of whole columns (dates to a
// year or month, postal codes to their first digits, ages to bands).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace privaudit::redact {

// Ordered by how much they remove: when two rules claim one value the
// strongest wins (drop > mask > pseudonym > keep).
enum class Action : uint8_t { keep = 0, pseudonym, mask, drop };

std::string_view to_string(Action a);
// "mask", "drop", "pseudonym", "keep"; `keep:REASON` sets `reason`. False if unknown.
bool parse_action(std::string_view s, Action& out, std::string& reason);

// Masks a value in its written form: every value character (letters and
// digits, ASCII or full-width, and other letters such as kana and kanji) but
// the last `keep` (never more than half of them) becomes '*' (half-width) or
// '＊' (full-width and other wide characters); separators and punctuation
// stay. "1234-5678-9018" → "****-****-9018".
std::string mask_written(std::string_view raw, size_t keep = 4);

// True when every value character of `v` is a digit (ASCII or full-width)
// and there is at least one.
bool digits_only(std::string_view v);

struct Generalisation {
  enum class Kind : uint8_t { date_year, date_month, postal, age } kind = Kind::date_year;
  int arg = 0;  // postal: digits kept (1-6); age: band width (1-100)
};

// Parses "date:year", "date:month", "postal:N", "age:N". False if unknown.
bool parse_generalisation(std::string_view s, Generalisation& out);
std::string to_string(const Generalisation& g);

// The generalised form of a whole value: a date → "1990" / "1990-01" (any
// form normalise_date reads, Japanese eras included), a 7-digit postal code
// → "150-****" (postal:3), an age ("34", "３４歳") → "30-34" (age:5). False
// when the value does not parse (the caller decides what to write).
bool generalise(const Generalisation& g, std::string_view value, std::string& out);

}  // namespace privaudit::redact
