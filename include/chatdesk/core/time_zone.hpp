/// @file
/// IANA time zones through Howard Hinnant's date-tz and the operating system's
/// zone database; the one seam through which chatdesk touches time zones.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <date/date.h>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace chatdesk {

/// A local date and time with millisecond precision, as a wall clock shows it.
using local_time = date::local_time<std::chrono::milliseconds>;

/// An IANA time zone ("Europe/Rome"); a pointer-sized handle into the database.
class CHATDESK_API time_zone {
 public:
  /// UTC.
  time_zone() noexcept = default;

  /// The zone named `name`. Error `time_zone.unknown` when the database has no
  /// such zone, `time_zone.unavailable` when there is no database at all.
  [[nodiscard]] static result<time_zone> locate(std::string_view name);
  /// UTC (always available, even without a zone database).
  [[nodiscard]] static time_zone utc() noexcept { return {}; }

  /// "Europe/Rome", or "UTC".
  [[nodiscard]] std::string_view name() const;
  /// The wall-clock time in this zone at `t`.
  [[nodiscard]] local_time to_local(timestamp t) const;
  /// The UTC offset in force at `t`.
  [[nodiscard]] std::chrono::minutes offset(timestamp t) const;
  /// The calendar date in this zone at `t`.
  [[nodiscard]] date::year_month_day local_date(timestamp t) const;
  /// The first instant of local day `day` (midnight, or the first instant after
  /// a gap when midnight does not exist).
  [[nodiscard]] timestamp start_of_day(date::year_month_day day) const;
  /// The instant a wall clock in this zone shows `local`. A time skipped by a
  /// change to summer time (02:30 on the day clocks go from 02:00 to 03:00)
  /// is taken as the first instant after the gap (03:00); a time shown twice
  /// (when clocks go back) as the first of the two.
  [[nodiscard]] timestamp from_local(local_time local) const;
  /// The wall-clock time at `t` and the zone's abbreviation then ("CET"), from one database look-up.
  [[nodiscard]] std::pair<local_time, std::string> to_local_with_abbreviation(timestamp t) const;
  /// `t` as local time with its abbreviation: "2026-03-29 03:30 CEST".
  [[nodiscard]] std::string format(timestamp t) const;

  friend bool operator==(const time_zone& a, const time_zone& b) noexcept { return a.zone_ == b.zone_; }

 private:
  explicit time_zone(const date::time_zone* zone) noexcept : zone_(zone) {}
  const date::time_zone* zone_ = nullptr;  // nullptr is UTC
};

/// A calendar date as ISO 8601: "2026-03-02".
[[nodiscard]] CHATDESK_API std::string format_date(date::year_month_day day);
/// Reads a calendar date written as ISO 8601 ("2026-03-02", exactly ten
/// characters); none when it is not one or names no real day.
[[nodiscard]] CHATDESK_API std::optional<date::year_month_day> parse_date(std::string_view text);

/// The most days a report covers (a leap year's).
inline constexpr int max_report_days = 366;

/// Local days `first` to `last`, both included: the period of a report.
struct day_span {
  date::year_month_day first;
  date::year_month_day last;
};

/// Checks `days` as a report's period: two real dates, the last not before the
/// first, at most `max_report_days`. The error has `code` (the module's
/// "*.invalid_period") and names "from" or "to".
[[nodiscard]] CHATDESK_API result<day_span> check_report_days(day_span days, std::string_view code);
/// The same for days written as ISO 8601 dates ("2026-12-01").
[[nodiscard]] CHATDESK_API result<day_span> parse_report_days(std::string_view first, std::string_view last,
                                                              std::string_view code);
/// Checks [from, to) as a report's period: `to` after `from`, at most
/// `max_report_days` + 1 days (room for 366 local days across any change of
/// a zone's clocks). The error has `code` and names "to".
[[nodiscard]] CHATDESK_API result<void> check_report_period(timestamp from, timestamp to,
                                                            std::string_view code);
/// [the start of `days.first`, the start of the day after `days.last`) in `zone`.
[[nodiscard]] CHATDESK_API std::pair<timestamp, timestamp> report_period(day_span days,
                                                                         const time_zone& zone);

}  // namespace chatdesk
