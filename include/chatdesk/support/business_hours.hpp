/// @file
/// When a business (or a team) answers: a weekly schedule in its own time
/// zone, with split shifts, holidays and special days; and the walk that turns
/// "one hour of business time from Friday 16:30" into Monday 09:30.
#pragma once
#include <date/date.h>
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/time_zone.hpp"
namespace chatdesk {
/// One opening of a day, as a wall clock shows it: from `open` to `close`
/// after local midnight (`close` up to 24:00, later than `open`).
struct CHATDESK_API opening {
  std::chrono::minutes open{0};
  std::chrono::minutes close{0};
  friend bool operator==(const opening&, const opening&) = default;
};
/// A date whose openings replace its weekday's (none: closed all day).
struct CHATDESK_API special_day {
  date::year_month_day day;
  std::vector<opening> openings;
  friend bool operator==(const special_day&, const special_day&) = default;
};
/// A schedule as written: the input of `business_hours::make`.
struct CHATDESK_API weekly_hours {
  /// The IANA time zone the times are in ("Europe/Rome").
  std::string zone = "UTC";
  /// Monday first; several openings a day make split shifts; none: closed.
  std::array<std::vector<opening>, 7> week;
  /// Closed all day on these dates.
  std::vector<date::year_month_day> holidays;
  /// Dates with other hours (a half day on Christmas Eve).
  std::vector<special_day> special_days;
  friend bool operator==(const weekly_hours&, const weekly_hours&) = default;
};
/// A checked schedule. Default-made, it is always open, so its business time
/// is calendar time. Cheap to copy (the zone is a handle).
class CHATDESK_API business_hours {
 public:
  /// How far `add` and `next_opening` look ahead before giving up on a
  /// schedule that never opens again.
  static constexpr int search_days = 3 * 366;
  /// Always open: business time is calendar time.
  business_hours() = default;
  /// Checks `spec`. Errors: `time_zone.unknown` (at "zone"), and
  /// `support.invalid_hours` naming the day and opening ("week.mon[1]",
  /// "special_days[0]") for an opening that closes before it opens, runs past
  /// 24:00, overlaps or is out of order with another, a date given twice, or
  /// a holiday that is also a special day.
  [[nodiscard]] static result<business_hours> make(const weekly_hours& spec);
  /// Reads the JSON form: {"zone":"Europe/Rome","week":{"mon":["09:00-13:00",
  /// "14:00-18:00"],...},"holidays":["2026-12-25"],"special_days":
  /// {"2026-12-24":["09:00-12:00"]}}. Days left out are closed; "24:00" ends a
  /// day. Errors: `support.invalid_hours` with the JSON path, and `make`'s.
  [[nodiscard]] static result<business_hours> parse(std::string_view json);
  /// The JSON form (`parse` reads it back); "always" for calendar time.
  [[nodiscard]] std::string to_json() const;
  /// Whether this schedule is always open (calendar time).
  [[nodiscard]] bool always_open() const noexcept { return !spec_; }
  /// The schedule as given (empty for always open).
  [[nodiscard]] const weekly_hours* spec() const noexcept { return spec_ ? &*spec_ : nullptr; }
  [[nodiscard]] const chatdesk::time_zone& zone() const noexcept { return zone_; }
  /// Whether the business is open at `t`.
  [[nodiscard]] bool open_at(timestamp t) const;
  /// `t` when open then, else the next opening; nullopt when none comes
  /// within `search_days`.
  [[nodiscard]] std::optional<timestamp> next_opening(timestamp t) const;
  /// The instant `amount` of business time after `from`: the walk through
  /// the openings, skipping closed hours, weekends, holidays. nullopt when the
  /// schedule does not hold that much time within `search_days`.
  [[nodiscard]] std::optional<timestamp> add(timestamp from, std::chrono::milliseconds amount) const;
  /// The business time between `from` and `to` (zero when `to` is not later).
  [[nodiscard]] std::chrono::milliseconds between(timestamp from, timestamp to) const;
  /// The same schedule (the zone follows from it).
  friend bool operator==(const business_hours& a, const business_hours& b) { return a.spec_ == b.spec_; }
  /// The openings of local date `day` as instants, in order.
  [[nodiscard]] std::vector<std::pair<timestamp, timestamp>> openings_on(date::year_month_day day) const;

 private:
  std::optional<weekly_hours> spec_;
  chatdesk::time_zone zone_;
};
}  // namespace chatdesk
