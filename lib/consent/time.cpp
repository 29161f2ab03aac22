#include "consent/time.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace privaudit::consent {

namespace {

constexpr int64_t kUsPerSec = 1'000'000;
constexpr int64_t kUsPerMin = 60 * kUsPerSec;
constexpr int64_t kUsPerDay = 86'400 * kUsPerSec;

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int64_t m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// a + b and a * b, held at the ends of int64_t instead of overflowing.
int64_t sat_add(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}
int64_t sat_mul(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_mul_overflow(a, b, &r)) return r;
  return (a < 0) != (b < 0) ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
}

// Reads exactly n ASCII digits at s[i].
bool digits(std::string_view s, size_t& i, size_t n, int64_t& v) {
  if (i + n > s.size()) return false;
  v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  i += n;
  return true;
}

bool at(std::string_view s, size_t i, char c) { return i < s.size() && s[i] == c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Parses the offset at s[i..]: Z, +HH:MM, +HHMM, +HH. Must consume the rest.
bool parse_offset(std::string_view s, size_t i, int& minutes) {
  if (i == s.size()) {
    minutes = 0;
    return true;
  }
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    minutes = 0;
    return true;
  }
  if (s[i] != '+' && s[i] != '-' && s.substr(i, 3) != "\xE2\x88\x92") return false;
  int sign = s[i] == '+' ? 1 : -1;
  i += s[i] == '+' || s[i] == '-' ? 1 : 3;
  int64_t hh = 0, mm = 0;
  if (!digits(s, i, 2, hh)) return false;
  if (at(s, i, ':')) ++i;
  if (i < s.size() && !digits(s, i, 2, mm)) return false;
  if (i != s.size() || hh > 23 || mm > 59) return false;
  minutes = sign * static_cast<int>(hh * 60 + mm);
  return true;
}

}  // namespace

bool parse_time(std::string_view s, Instant& out) {
  s = trim(s);
  size_t i = 0;
  int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac_us = 0;
  if (!digits(s, i, 4, y) || !at(s, i, '-')) return false;
  ++i;
  if (!digits(s, i, 2, mo) || !at(s, i, '-')) return false;
  ++i;
  if (!digits(s, i, 2, d)) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return false;
  int offset = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
    ++i;
    if (!digits(s, i, 2, h) || !at(s, i, ':')) return false;
    ++i;
    if (!digits(s, i, 2, mi)) return false;
    if (at(s, i, ':')) {
      ++i;
      if (!digits(s, i, 2, sec)) return false;
      if (at(s, i, '.') || at(s, i, ',')) {
        ++i;
        size_t start = i;
        int64_t scale = 100000;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          frac_us += (s[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
        if (i == start) return false;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
    if (!parse_offset(s, i, offset)) return false;
  }
  int64_t local = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * kUsPerSec + frac_us;
  out.us = local - offset * kUsPerMin;
  out.offset_min = static_cast<int16_t>(offset);
  return true;
}

Instant from_epoch_seconds(double seconds) {
  // Held within the years parse_time() accepts (0000-9999), so that later
  // arithmetic on the instant cannot overflow.
  constexpr double kMin = -62167219200.0, kMax = 253402300799.0;
  if (std::isnan(seconds)) seconds = 0;
  seconds = std::clamp(seconds, kMin, kMax);
  Instant t;
  t.us = static_cast<int64_t>(std::llround(seconds * 1e6));
  return t;
}

std::string format_time(const Instant& t) {
  int64_t local = t.us + t.offset_min * kUsPerMin;
  int64_t days = floor_div(local, kUsPerDay);
  int64_t rem = local - days * kUsPerDay;
  int64_t y, m, d;
  civil_from_days(days, y, m, d);
  int64_t secs = rem / kUsPerSec, us = rem % kUsPerSec;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, secs / 3600,
                                secs / 60 % 60, secs % 60);
  if (us) {
    std::string f = fmt::format("{:06}", us);
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  if (t.offset_min == 0) return out + "Z";
  int off = t.offset_min < 0 ? -t.offset_min : t.offset_min;
  return out + fmt::format("{}{:02}:{:02}", t.offset_min < 0 ? '-' : '+', off / 60, off % 60);
}

int64_t day_start(const Instant& t) {
  int64_t local = t.us + t.offset_min * kUsPerMin;
  return floor_div(local, kUsPerDay) * kUsPerDay - t.offset_min * kUsPerMin;
}

namespace {

// Reads a decimal number (digits, optional '.'/',' fraction) at s[i..] as
// value * 1e6 (so fractions are exact to the microsecond).
bool read_number(std::string_view s, size_t& i, int64_t& micro, bool& has_fraction) {
  size_t start = i;
  int64_t whole = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (whole > 1'000'000'000) return false;
    whole = whole * 10 + (s[i] - '0');
    ++i;
  }
  if (i == start) return false;
  has_fraction = false;
  int64_t frac = 0;
  if (at(s, i, '.') || at(s, i, ',')) {
    ++i;
    size_t fs = i;
    int64_t scale = 100000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == fs) return false;
    has_fraction = true;
  }
  micro = whole * kUsPerSec + frac;
  return true;
}

}  // namespace

bool parse_duration(std::string_view s, Duration& out) {
  s = trim(s);
  if (s.size() < 3 || (s[0] != 'P' && s[0] != 'p')) return false;
  Duration d;
  bool in_time = false, any = false;
  // Designators in the order ISO 8601 requires.
  const std::string_view date_order = "YMWD", time_order = "HMS";
  size_t next_date = 0, next_time = 0;
  size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T' || s[i] == 't') {
      if (in_time) return false;
      in_time = true;
      ++i;
      if (i == s.size()) return false;  // "PT" needs a component
      continue;
    }
    int64_t micro = 0;
    bool frac = false;
    if (!read_number(s, i, micro, frac) || i == s.size()) return false;
    char unit = s[i] >= 'a' && s[i] <= 'z' ? static_cast<char>(s[i] - 32) : s[i];
    ++i;
    std::string_view order = in_time ? time_order : date_order;
    size_t& next = in_time ? next_time : next_date;
    size_t pos = order.find(unit, next);
    if (pos == std::string_view::npos) return false;
    next = pos + 1;
    any = true;
    if (!in_time && (unit == 'Y' || unit == 'M')) {
      if (frac) return false;  // fractional calendar units are ambiguous
      (unit == 'Y' ? d.years : d.months) += micro / kUsPerSec;
      continue;
    }
    int64_t scale = !in_time ? (unit == 'W' ? 7 * 86400 : 86400) : unit == 'H' ? 3600 : unit == 'M' ? 60 : 1;
    d.us = sat_add(d.us, sat_mul(micro, scale));
  }
  if (!any) return false;
  out = d;
  return true;
}

Instant add_duration(const Instant& t, const Duration& d) {
  Instant r = t;
  // Beyond ±100,000 years every instant of a ledger is before (or after) the
  // result: saturate rather than overflow.
  constexpr int64_t kMaxMonths = int64_t{100000} * 12;
  if (d.years || d.months) {
    int64_t local = sat_add(t.us, t.offset_min * kUsPerMin);
    int64_t days = floor_div(local, kUsPerDay);
    int64_t tod = local - days * kUsPerDay;
    int64_t y, m, dd;
    civil_from_days(days, y, m, dd);
    int64_t months = sat_add(sat_mul(d.years, 12), d.months);
    if (months > kMaxMonths || months < -kMaxMonths) {
      r.us = months > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
      return r;
    }
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = floor_div(total, 12), nm = total - ny * 12 + 1;
    int64_t nd = std::min<int64_t>(dd, days_in_month(ny, nm));
    local = sat_add(sat_mul(days_from_civil(ny, nm, nd), kUsPerDay), tod);
    r.us = sat_add(local, -t.offset_min * kUsPerMin);
  }
  r.us = sat_add(r.us, d.us);
  return r;
}

}  // namespace privaudit::consent
