// Instants and durations for the consent checks: RFC 3339 / ISO 8601 times
// with their UTC offsets kept (a provision record's "calendar day" is the
// export's own local day), and ISO 8601 durations with calendar arithmetic
// for years and months.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace privaudit::consent {

// A point in time: microseconds since 1970-01-01T00:00:00Z, and the UTC
// offset (minutes) it was written with.
struct Instant {
  int64_t us = 0;
  int16_t offset_min = 0;
};

// Parses "2024-04-01T09:00:00+09:00", "...Z", fractional seconds (kept to the
// microsecond), "T" or a space between date and time, offsets as +HH:MM,
// +HHMM or +HH. A time without an offset is UTC. A date alone
// ("2024-04-01") is the start of that day in UTC. Returns false on anything
// else, or on an impossible date or time.
bool parse_time(std::string_view s, Instant& out);

// Seconds since the epoch (Kantara consentTimestamp), as a UTC instant;
// held within the years 0000-9999 (NaN is the epoch).
Instant from_epoch_seconds(double seconds);

// RFC 3339 in the instant's own offset ("Z" for UTC); fractional seconds only
// when non-zero.
std::string format_time(const Instant& t);

// The start of the instant's calendar day in its own offset, as microseconds
// since the epoch.
int64_t day_start(const Instant& t);

// An ISO 8601 duration: years and months counted on the calendar, the rest
// (weeks, days, hours, minutes, seconds) as exact microseconds.
struct Duration {
  int64_t years = 0;
  int64_t months = 0;
  int64_t us = 0;
};

// Parses "P365D", "P1Y6M", "P2W", "PT12H", "P1DT0.5S" ... (a decimal
// fraction is accepted on weeks, days, hours, minutes and seconds). Returns
// false on anything else, a negative or an empty duration.
bool parse_duration(std::string_view s, Duration& out);

// t + d: years and months are added to the local date (the day is clamped
// to the month's last day: Jan 31 + P1M = Feb 28/29), keeping the local time
// of day; then the exact part is added. The result keeps t's offset.
Instant add_duration(const Instant& t, const Duration& d);

}  // namespace privaudit::consent
