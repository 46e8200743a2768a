#include "chatdesk/core/time_zone.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <charconv>
#include <exception>
#include <string>

namespace chatdesk {

result<time_zone> time_zone::locate(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") return time_zone{};
  if (name.empty() || name.size() > 64)
    return make_error("time_zone.unknown",
                      fmt::format("'{}' is not an IANA time zone name", name.substr(0, 64)));
  try {
    return time_zone{date::locate_zone(std::string(name))};
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (what.find("not found") != std::string::npos || what.find("not located") != std::string::npos)
      return make_error("time_zone.unknown", fmt::format("'{}' is not an IANA time zone name", name));
    return make_error(
        "time_zone.unavailable",
        fmt::format("the time zone database could not be read while looking up '{}': {}", name, what));
  } catch (const std::exception& e) {
    return make_error(
        "time_zone.unavailable",
        fmt::format("the time zone database could not be read while looking up '{}': {}", name, e.what()));
  }
}

std::string_view time_zone::name() const {
  return zone_ == nullptr ? std::string_view("UTC") : zone_->name();
}

local_time time_zone::to_local(timestamp t) const {
  if (zone_ == nullptr) return local_time{t.time_since_epoch()};
  return zone_->to_local(t);
}

std::chrono::minutes time_zone::offset(timestamp t) const {
  if (zone_ == nullptr) return std::chrono::minutes{0};
  return std::chrono::duration_cast<std::chrono::minutes>(zone_->get_info(t).offset);
}

date::year_month_day time_zone::local_date(timestamp t) const {
  return date::year_month_day{std::chrono::floor<date::days>(to_local(t))};
}

timestamp time_zone::start_of_day(date::year_month_day day) const {
  const date::local_days local{day};
  if (zone_ == nullptr) return timestamp{date::sys_days{day}};
  const auto info = zone_->get_info(local);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:
      return timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(local.time_since_epoch() -
                                                                             info.first.offset)};
    case date::local_info::nonexistent:
    default:
      return timestamp{
          std::chrono::duration_cast<std::chrono::milliseconds>(info.second.begin.time_since_epoch())};
  }
}

timestamp time_zone::from_local(local_time local) const {
  if (zone_ == nullptr) return timestamp{local.time_since_epoch()};
  const auto info = zone_->get_info(local);
  if (info.result == date::local_info::nonexistent)
    return timestamp{
        std::chrono::duration_cast<std::chrono::milliseconds>(info.second.begin.time_since_epoch())};
  return timestamp{
      std::chrono::duration_cast<std::chrono::milliseconds>(local.time_since_epoch() - info.first.offset)};
}

std::pair<local_time, std::string> time_zone::to_local_with_abbreviation(timestamp t) const {
  if (zone_ == nullptr) return {local_time{t.time_since_epoch()}, "UTC"};
  const auto info = zone_->get_info(t);
  return {
      local_time{t.time_since_epoch() + std::chrono::duration_cast<std::chrono::milliseconds>(info.offset)},
      info.abbrev};
}

std::string time_zone::format(timestamp t) const {
  const auto local = std::chrono::floor<std::chrono::minutes>(to_local(t));
  const auto day = std::chrono::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::minutes> tod{local - day};
  const std::string abbrev = zone_ == nullptr ? std::string("UTC") : zone_->get_info(t).abbrev;
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} {}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     tod.hours().count(), tod.minutes().count(), abbrev);
}

std::optional<date::year_month_day> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9')) return std::nullopt;
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  if (std::from_chars(t.data(), t.data() + 4, y).ptr != t.data() + 4) return std::nullopt;
  if (std::from_chars(t.data() + 5, t.data() + 7, mo).ptr != t.data() + 7) return std::nullopt;
  if (std::from_chars(t.data() + 8, t.data() + 10, d).ptr != t.data() + 10) return std::nullopt;
  const date::year_month_day day{date::year{y}, date::month{mo}, date::day{d}};
  if (!day.ok()) return std::nullopt;
  return day;
}

std::string format_date(date::year_month_day day) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                     static_cast<unsigned>(day.day()));
}

result<day_span> check_report_days(day_span days, std::string_view code) {
  const auto invalid = [code](std::string why, const char* where) {
    return make_error(std::string(code), std::move(why), where);
  };
  if (!days.first.ok()) return invalid("the first day of the period is not a date", "from");
  if (!days.last.ok()) return invalid("the last day of the period is not a date", "to");
  const date::sys_days first{days.first};
  const date::sys_days last{days.last};
  if (last < first)
    return invalid(fmt::format("the period ends ({}) before it starts ({})", format_date(days.last),
                               format_date(days.first)),
                   "to");
  if (last - first >= date::days{max_report_days})
    return invalid(fmt::format("a report covers at most {} days, not {}", max_report_days,
                               (last - first + date::days{1}).count()),
                   "to");
  return days;
}

result<day_span> parse_report_days(std::string_view first, std::string_view last, std::string_view code) {
  const auto from = parse_date(first);
  if (!from)
    return make_error(std::string(code), fmt::format("'{}' is not a date (YYYY-MM-DD)", first), "from");
  const auto to = parse_date(last);
  if (!to) return make_error(std::string(code), fmt::format("'{}' is not a date (YYYY-MM-DD)", last), "to");
  return check_report_days({*from, *to}, code);
}

result<void> check_report_period(timestamp from, timestamp to, std::string_view code) {
  if (!(from < to)) return make_error(std::string(code), "the period must end after it begins", "to");
  if (to - from > date::days{max_report_days + 1})
    return make_error(std::string(code), fmt::format("a report covers at most {} days", max_report_days),
                      "to");
  return {};
}

std::pair<timestamp, timestamp> report_period(day_span days, const time_zone& zone) {
  return {zone.start_of_day(days.first),
          zone.start_of_day(date::year_month_day{date::sys_days{days.last} + date::days{1}})};
}

}  // namespace chatdesk
