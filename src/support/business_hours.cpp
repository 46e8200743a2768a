#include "chatdesk/support/business_hours.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "chatdesk/core/json.hpp"

namespace chatdesk {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr std::array<const char*, 7> day_names = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr minutes whole_day{24 * 60};

std::string hhmm(minutes m) {
  return fmt::format("{:02}:{:02}", m.count() / 60, m.count() % 60);
}

std::string opening_text(const opening& o) {
  return hhmm(o.open) + "-" + hhmm(o.close);
}

/// The openings of one day, checked: each closes after it opens and by
/// 24:00, and each opens after the previous one closes.
result<void> check_day(const std::vector<opening>& day, const std::string& where) {
  for (std::size_t i = 0; i < day.size(); ++i) {
    const auto& o = day[i];
    const auto at = fmt::format("{}[{}]", where, i);
    if (o.open < minutes{0} || o.close > whole_day)
      return make_error(
          "support.invalid_hours",
          fmt::format("the opening {} at {} is outside the day (00:00 to 24:00)", opening_text(o), at), at);
    if (o.close <= o.open)
      return make_error("support.invalid_hours",
                        fmt::format("the opening at {} closes at {}, not after it opens at {}", at,
                                    hhmm(o.close), hhmm(o.open)),
                        at);
    if (i > 0 && o.open < day[i - 1].close)
      return make_error(
          "support.invalid_hours",
          fmt::format("the opening {} at {} starts before the one before it ({}) ends: openings "
                      "must be in order and must not overlap",
                      opening_text(o), at, opening_text(day[i - 1])),
          at);
  }
  return {};
}

std::optional<minutes> parse_hhmm(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  int h = 0;
  int m = 0;
  if (std::from_chars(t.data(), t.data() + 2, h).ptr != t.data() + 2) return std::nullopt;
  if (std::from_chars(t.data() + 3, t.data() + 5, m).ptr != t.data() + 5) return std::nullopt;
  if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return minutes{h * 60 + m};
}

result<std::vector<opening>> parse_openings(const nlohmann::ordered_json& list, const std::string& where) {
  if (!list.is_array())
    return make_error("support.invalid_hours",
                      fmt::format("{} must be a list of openings such as \"09:00-13:00\"", where), where);
  std::vector<opening> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto at = fmt::format("{}[{}]", where, i);
    const auto* text = list[i].get_ptr<const std::string*>();
    const auto dash = text != nullptr ? text->find('-') : std::string::npos;
    std::optional<minutes> open;
    std::optional<minutes> close;
    if (dash != std::string::npos) {
      open = parse_hhmm(std::string_view(*text).substr(0, dash));
      close = parse_hhmm(std::string_view(*text).substr(dash + 1));
    }
    if (!open || !close)
      return make_error("support.invalid_hours",
                        fmt::format("{} is not an opening such as \"09:00-13:00\" (24-hour HH:MM-HH:MM)", at),
                        at);
    out.push_back({*open, *close});
  }
  return out;
}

}  // namespace

result<business_hours> business_hours::make(const weekly_hours& spec) {
  auto zone = time_zone::locate(spec.zone);
  if (!zone) {
    auto e = zone.error();
    e.where = "zone";
    return e;
  }
  for (std::size_t d = 0; d < 7; ++d)
    if (auto ok = check_day(spec.week[d], fmt::format("week.{}", day_names[d])); !ok) return ok.error();
  business_hours h;
  h.spec_ = spec;
  auto& s = *h.spec_;
  for (std::size_t i = 0; i < s.holidays.size(); ++i)
    if (!s.holidays[i].ok())
      return make_error("support.invalid_hours", fmt::format("holidays[{}] is not a date", i),
                        fmt::format("holidays[{}]", i));
  std::sort(s.holidays.begin(), s.holidays.end());
  s.holidays.erase(std::unique(s.holidays.begin(), s.holidays.end()), s.holidays.end());
  for (std::size_t i = 0; i < s.special_days.size(); ++i) {
    const auto where = fmt::format("special_days[{}]", i);
    const auto& sd = s.special_days[i];
    if (!sd.day.ok())
      return make_error("support.invalid_hours", fmt::format("{} is not a date", where), where);
    if (auto ok = check_day(sd.openings, where); !ok) return ok.error();
    if (std::binary_search(s.holidays.begin(), s.holidays.end(), sd.day))
      return make_error(
          "support.invalid_hours",
          fmt::format("{} is {}, which is also a holiday: choose one", where, format_date(sd.day)), where);
  }
  std::stable_sort(s.special_days.begin(), s.special_days.end(),
                   [](const special_day& a, const special_day& b) { return a.day < b.day; });
  for (std::size_t i = 1; i < s.special_days.size(); ++i)
    if (s.special_days[i].day == s.special_days[i - 1].day)
      return make_error(
          "support.invalid_hours",
          fmt::format("{} is given twice among the special days", format_date(s.special_days[i].day)),
          "special_days");
  h.zone_ = *zone;
  return h;
}

result<business_hours> business_hours::parse(std::string_view json) {
  auto doc = parse_json(json, "support.invalid_hours", "the business hours");
  if (!doc) return doc.error();
  const auto& j = *doc;
  if (j.is_string() && j.get<std::string>() == "always") return business_hours{};
  if (!j.is_object())
    return make_error("support.invalid_hours", "business hours must be a JSON object or \"always\"");
  weekly_hours spec;
  for (const auto& [key, value] : j.items()) {
    if (key == "zone") {
      if (!value.is_string())
        return make_error("support.invalid_hours", "zone must be an IANA time zone name", "zone");
      spec.zone = value.get<std::string>();
    } else if (key == "week") {
      if (!value.is_object())
        return make_error("support.invalid_hours", "week must be an object of days (\"mon\" to \"sun\")",
                          "week");
      for (const auto& [day, list] : value.items()) {
        const auto* found = std::find(day_names.begin(), day_names.end(), day);
        if (found == day_names.end())
          return make_error("support.invalid_hours",
                            fmt::format("week.{} is not a day: use mon, tue, wed, thu, fri, sat, sun", day),
                            "week." + day);
        auto openings = parse_openings(list, "week." + day);
        if (!openings) return openings.error();
        spec.week[static_cast<std::size_t>(found - day_names.begin())] = std::move(*openings);
      }
    } else if (key == "holidays") {
      if (!value.is_array())
        return make_error("support.invalid_hours", "holidays must be a list of dates (YYYY-MM-DD)",
                          "holidays");
      for (std::size_t i = 0; i < value.size(); ++i) {
        const auto* text = value[i].get_ptr<const std::string*>();
        const auto day = text != nullptr ? parse_date(*text) : std::nullopt;
        if (!day)
          return make_error("support.invalid_hours",
                            fmt::format("holidays[{}] is not a date (YYYY-MM-DD)", i),
                            fmt::format("holidays[{}]", i));
        spec.holidays.push_back(*day);
      }
    } else if (key == "special_days") {
      if (!value.is_object())
        return make_error("support.invalid_hours", "special_days must be an object of dates to openings",
                          "special_days");
      for (const auto& [text, list] : value.items()) {
        const auto day = parse_date(text);
        if (!day)
          return make_error("support.invalid_hours",
                            fmt::format("special_days.{} is not a date (YYYY-MM-DD)", text),
                            "special_days." + text);
        auto openings = parse_openings(list, "special_days." + text);
        if (!openings) return openings.error();
        if (auto ok = check_day(*openings, "special_days." + text); !ok) return ok.error();
        spec.special_days.push_back({*day, std::move(*openings)});
      }
    } else {
      return make_error(
          "support.invalid_hours",
          fmt::format("'{}' is not a field of business hours (zone, week, holidays, special_days)",
                      key.substr(0, 40)),
          key.substr(0, 40));
    }
  }
  return make(spec);
}

std::string business_hours::to_json() const {
  if (!spec_) return "\"always\"";
  nlohmann::ordered_json j;
  j["zone"] = spec_->zone;
  auto& week = j["week"] = nlohmann::ordered_json::object();
  for (std::size_t d = 0; d < 7; ++d) {
    if (spec_->week[d].empty()) continue;
    auto& list = week[day_names[d]] = nlohmann::ordered_json::array();
    for (const auto& o : spec_->week[d]) list.push_back(opening_text(o));
  }
  auto& holidays = j["holidays"] = nlohmann::ordered_json::array();
  for (const auto& d : spec_->holidays) holidays.push_back(format_date(d));
  auto& special = j["special_days"] = nlohmann::ordered_json::object();
  for (const auto& sd : spec_->special_days) {
    auto& list = special[format_date(sd.day)] = nlohmann::ordered_json::array();
    for (const auto& o : sd.openings) list.push_back(opening_text(o));
  }
  return j.dump();
}

std::vector<std::pair<timestamp, timestamp>> business_hours::openings_on(date::year_month_day day) const {
  std::vector<std::pair<timestamp, timestamp>> out;
  const date::local_days midnight{day};
  if (!spec_) {
    out.emplace_back(zone_.start_of_day(day),
                     zone_.start_of_day(date::year_month_day{midnight + date::days{1}}));
    return out;
  }
  if (std::binary_search(spec_->holidays.begin(), spec_->holidays.end(), day)) return out;
  const std::vector<opening>* list = nullptr;
  const auto special =
      std::lower_bound(spec_->special_days.begin(), spec_->special_days.end(), day,
                       [](const special_day& s, const date::year_month_day& d) { return s.day < d; });
  if (special != spec_->special_days.end() && special->day == day) {
    list = &special->openings;
  } else {
    const auto weekday = date::weekday{midnight}.iso_encoding();  // 1 = Monday
    list = &spec_->week[weekday - 1];
  }
  const local_time start{midnight};
  for (const auto& o : *list) {
    const auto a = zone_.from_local(start + o.open);
    const auto b = zone_.from_local(start + o.close);
    if (b > a) out.emplace_back(a, b);  // an opening inside a skipped hour has no length
  }
  return out;
}

bool business_hours::open_at(timestamp t) const {
  if (!spec_) return true;
  // Openings never cross midnight (they end by 24:00), so the local day holds every candidate.
  const auto day = zone_.local_date(t);
  for (const auto& [a, b] : openings_on(day))
    if (a <= t && t < b) return true;
  return false;
}

std::optional<timestamp> business_hours::next_opening(timestamp t) const {
  return add(t, milliseconds{0});
}

std::optional<timestamp> business_hours::add(timestamp from, milliseconds amount) const {
  if (amount < milliseconds{0}) amount = milliseconds{0};
  if (!spec_) return from + amount;
  auto remaining = amount;
  date::local_days day{zone_.local_date(from)};
  for (int i = 0; i <= search_days; ++i, day += date::days{1}) {
    for (const auto& [a, b] : openings_on(date::year_month_day{day})) {
      if (b <= from) continue;
      const auto start = std::max(a, from);
      const auto room = std::chrono::duration_cast<milliseconds>(b - start);
      if (remaining <= room) return start + remaining;
      remaining -= room;
    }
  }
  return std::nullopt;
}

milliseconds business_hours::between(timestamp from, timestamp to) const {
  if (to <= from) return milliseconds{0};
  if (!spec_) return std::chrono::duration_cast<milliseconds>(to - from);
  milliseconds total{0};
  date::local_days day{zone_.local_date(from)};
  const date::local_days last{zone_.local_date(to)};
  for (; day <= last; day += date::days{1})
    for (const auto& [a, b] : openings_on(date::year_month_day{day})) {
      const auto start = std::max(a, from);
      const auto end = std::min(b, to);
      if (end > start) total += std::chrono::duration_cast<milliseconds>(end - start);
    }
  return total;
}

}  // namespace chatdesk
