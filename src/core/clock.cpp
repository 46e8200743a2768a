#include "chatdesk/core/clock.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

timestamp system_clock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

namespace {

/// Reads exactly `count` digits at `pos`; false if they are not all digits.
bool read_digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

error syntax(std::string_view text, std::size_t pos, std::string_view expected) {
  return make_error("time.syntax",
                    fmt::format("'{}' is not an ISO 8601 time such as 2025-07-03T09:00:00Z: expected {}",
                                utf8::printable(text), expected),
                    fmt::format("character {}", pos + 1));
}

}  // namespace

result<timestamp> parse_timestamp(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_digits(text, 0, 4, y)) return syntax(text, 0, "a 4-digit year");
  if (text.size() <= 4 || text[4] != '-') return syntax(text, 4, "'-'");
  if (!read_digits(text, 5, 2, mo)) return syntax(text, 5, "a 2-digit month");
  if (text.size() <= 7 || text[7] != '-') return syntax(text, 7, "'-'");
  if (!read_digits(text, 8, 2, d)) return syntax(text, 8, "a 2-digit day");
  if (text.size() <= 10 || (text[10] != 'T' && text[10] != 't' && text[10] != ' '))
    return syntax(text, 10, "'T'");
  if (!read_digits(text, 11, 2, h)) return syntax(text, 11, "a 2-digit hour");
  if (text.size() <= 13 || text[13] != ':') return syntax(text, 13, "':'");
  if (!read_digits(text, 14, 2, mi)) return syntax(text, 14, "2-digit minutes");
  if (text.size() <= 16 || text[16] != ':') return syntax(text, 16, "':'");
  if (!read_digits(text, 17, 2, s)) return syntax(text, 17, "2-digit seconds");
  std::size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits >= 3) {
        if (text[pos] != '0')
          return make_error("time.syntax",
                            fmt::format("'{}' has more than millisecond precision", utf8::printable(text)),
                            fmt::format("character {}", pos + 1));
        continue;
      }
      millis = millis * 10 + (text[pos] - '0');
    }
    if (digits == 0) return syntax(text, pos, "digits after '.'");
    for (std::size_t i = digits; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!read_digits(text, pos + 1, 2, oh)) return syntax(text, pos + 1, "a 2-digit offset hour");
    if (pos + 3 >= text.size() || text[pos + 3] != ':') return syntax(text, pos + 3, "':' in the offset");
    if (!read_digits(text, pos + 4, 2, om)) return syntax(text, pos + 4, "2-digit offset minutes");
    if (oh > 23 || om > 59)
      return make_error("time.invalid",
                        fmt::format("'{}' has an impossible UTC offset", utf8::printable(text)));
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return syntax(text, pos, "'Z' or a UTC offset such as +02:00");
  }
  if (pos != text.size()) return syntax(text, pos, "the end of the text");

  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59)
    return make_error("time.invalid", fmt::format("'{}' is not a real date and time", utf8::printable(text)));
  const auto t = date::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
                 std::chrono::seconds{s} + std::chrono::milliseconds{millis} -
                 std::chrono::minutes{offset_minutes};
  const date::year_month_day utc_day{std::chrono::floor<date::days>(t)};
  if (utc_day.year() < date::year{0} || utc_day.year() > date::year{9999})
    return make_error("time.invalid",
                      fmt::format("'{}' falls outside the years 0000 to 9999 in UTC", utf8::printable(text)));
  return timestamp{t};
}

result<timestamp> parse_unix_seconds(std::string_view text) {
  if (text.empty() || text.size() > 12)
    return make_error("time.syntax", fmt::format("'{}' is not a Unix time in seconds (1 to 12 digits)",
                                                 utf8::printable(text)));
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return make_error("time.syntax",
                        fmt::format("'{}' is not a Unix time in seconds", utf8::printable(text)));
    v = v * 10 + (c - '0');
  }
  constexpr std::int64_t last_second_of_9999 = 253'402'300'799;
  if (v > last_second_of_9999)
    return make_error("time.invalid", fmt::format("'{}' is after the year 9999", utf8::printable(text)));
  return timestamp{std::chrono::seconds{v}};
}

std::string format_timestamp(timestamp t) {
  const auto day = std::chrono::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::milliseconds> tod{t - day};
  const auto ms = tod.subseconds().count();
  const auto base = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                tod.hours().count(), tod.minutes().count(), tod.seconds().count());
  return ms == 0 ? base + "Z" : fmt::format("{}.{:03}Z", base, ms);
}

}  // namespace chatdesk
