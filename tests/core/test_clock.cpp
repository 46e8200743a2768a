#include <chrono>
#include <thread>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "helpers/catch.hpp"

using namespace std::chrono_literals;
using chatdesk::format_timestamp;
using chatdesk::parse_timestamp;
using chatdesk::time_zone;
using chatdesk::timestamp;

namespace {
timestamp at(const char* iso) {
  return parse_timestamp(iso).value();
}
}  // namespace

TEST_CASE("ISO 8601 timestamps parse exactly", "[core][clock]") {
  CHECK(at("1970-01-01T00:00:00Z").time_since_epoch().count() == 0);
  CHECK(at("2025-07-03T09:00:00Z").time_since_epoch() == 1751533200s);
  CHECK(at("2025-07-03T11:00:00+02:00") == at("2025-07-03T09:00:00Z"));
  CHECK(at("2025-07-03T04:30:00-04:30") == at("2025-07-03T09:00:00Z"));
  CHECK(at("2025-07-03T09:00:00.250Z") - at("2025-07-03T09:00:00Z") == 250ms);
  CHECK(at("2025-07-03T09:00:00.5Z") - at("2025-07-03T09:00:00Z") == 500ms);
  CHECK(at("2025-07-03T09:00:00.123000Z") - at("2025-07-03T09:00:00Z") == 123ms);
  CHECK(at("2024-02-29T23:59:59Z") + 1s == at("2024-03-01T00:00:00Z"));
  CHECK(format_timestamp(at("2025-07-03T09:00:00Z")) == "2025-07-03T09:00:00Z");
  CHECK(format_timestamp(at("2025-07-03T09:00:00.007Z")) == "2025-07-03T09:00:00.007Z");
  CHECK(format_timestamp(at("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59Z");
  CHECK(format_timestamp(at("9999-12-31T23:59:59.999Z")) == "9999-12-31T23:59:59.999Z");
  CHECK(format_timestamp(at("0000-01-01T00:00:00Z")) == "0000-01-01T00:00:00Z");
  CHECK(chatdesk::parse_unix_seconds("1749416383")->time_since_epoch() == 1749416383s);
}

TEST_CASE("malformed timestamps are refused with the place", "[core][clock]") {
  const char* syntax[] = {"",
                          "2025-07-03",
                          "2025-07-03T09:00:00",
                          "2025/07/03T09:00:00Z",
                          "2025-07-03T09:00Z",
                          "2025-07-03T09:00:00ZZ",
                          "2025-07-03T09:00:00+0200",
                          "2025-07-03T09:00:00.Z",
                          "2025-07-03T09:00:00.1234Z",
                          "25-07-03T09:00:00Z",
                          "2025-7-03T09:00:00Z"};
  for (const char* s : syntax) {
    INFO(s);
    auto r = parse_timestamp(s);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "time.syntax");
  }
  for (const char* s :
       {"2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-07-03T24:00:00Z", "2025-07-03T09:60:00Z",
        "2025-07-03T09:00:60Z", "2025-00-10T00:00:00Z", "2025-07-03T09:00:00+24:00"}) {
    INFO(s);
    auto r = parse_timestamp(s);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "time.invalid");
  }
  CHECK(parse_timestamp("2025-07-03T09:00:00").error().where == "character 20");
  for (const char* s : {"", "-1", "12a", "1234567890123"}) {
    CHECK(chatdesk::parse_unix_seconds(s).error().code == "time.syntax");
  }
  CHECK(chatdesk::parse_unix_seconds("253402300799").has_value());
  CHECK(chatdesk::parse_unix_seconds("253402300800").error().code == "time.invalid");
}

TEST_CASE("a manual clock moves only when told, from any thread", "[core][clock][threads]") {
  chatdesk::manual_clock clock(at("2025-07-03T09:00:00Z"));
  const chatdesk::clock& c = clock;
  CHECK(c.now() == at("2025-07-03T09:00:00Z"));
  CHECK(c.now() == at("2025-07-03T09:00:00Z"));
  clock.advance(24h);
  CHECK(c.now() == at("2025-07-04T09:00:00Z"));
  clock.set(at("2020-01-01T00:00:00Z"));
  CHECK(c.now() == at("2020-01-01T00:00:00Z"));

  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 1000; ++j) clock.advance(1ms);
    });
  for (auto& t : threads) t.join();
  CHECK(c.now() == at("2020-01-01T00:00:04Z"));

  chatdesk::system_clock sys;
  CHECK(sys.now() > at("2020-01-01T00:00:00Z"));
}

TEST_CASE("time zones come from the OS database through date-tz", "[core][time_zone]") {
  auto rome = time_zone::locate("Europe/Rome");
  if (!rome && rome.error().code == "time_zone.unavailable") {
    WARN("no time-zone database on this machine: " << rome.error().to_string());
    return;
  }
  REQUIRE(rome);
  CHECK(rome->name() == "Europe/Rome");
  CHECK(rome->offset(at("2026-01-15T12:00:00Z")) == 60min);
  CHECK(rome->offset(at("2026-07-15T12:00:00Z")) == 120min);
  // The spring-forward instant: 01:59:59 UTC on 2026-03-29 is still CET, 02:00 is not... 01:00 UTC is.
  CHECK(rome->offset(at("2026-03-29T00:59:59Z")) == 60min);
  CHECK(rome->offset(at("2026-03-29T01:00:00Z")) == 120min);
  CHECK(rome->format(at("2026-03-29T01:30:00Z")) == "2026-03-29 03:30 CEST");
  // A month boundary: 23:30 UTC on 31 January is already February in Rome.
  CHECK(rome->local_date(at("2026-01-31T23:30:00Z")) == date::year{2026} / 2 / 1);
  CHECK(time_zone::utc().local_date(at("2026-01-31T23:30:00Z")) == date::year{2026} / 1 / 31);
  CHECK(rome->start_of_day(date::year{2026} / 2 / 1) == at("2026-01-31T23:00:00Z"));

  // Wall-clock times back to instants: plain, skipped by spring-forward, shown twice in autumn.
  const auto local = [](date::year_month_day d, int h, int m) {
    return chatdesk::local_time{date::local_days{d}} + std::chrono::hours(h) + std::chrono::minutes(m);
  };
  CHECK(rome->from_local(local(date::year{2026} / 1 / 15, 9, 0)) == at("2026-01-15T08:00:00Z"));
  CHECK(rome->from_local(local(date::year{2026} / 3 / 29, 2, 30)) == at("2026-03-29T01:00:00Z"));
  CHECK(rome->from_local(local(date::year{2026} / 3 / 29, 3, 0)) == at("2026-03-29T01:00:00Z"));
  CHECK(rome->from_local(local(date::year{2026} / 10 / 25, 2, 30)) == at("2026-10-25T00:30:00Z"));
  CHECK(rome->from_local(local(date::year{2026} / 10 / 25, 3, 0)) == at("2026-10-25T02:00:00Z"));
  CHECK(time_zone::utc().from_local(local(date::year{2026} / 1 / 15, 9, 0)) == at("2026-01-15T09:00:00Z"));

  auto ny = time_zone::locate("America/New_York");
  REQUIRE(ny);
  CHECK(ny->from_local(local(date::year{2026} / 3 / 8, 2, 15)) == at("2026-03-08T07:00:00Z"));
  CHECK(ny->format(at("2026-07-04T16:00:00Z")) == "2026-07-04 12:00 EDT");
  auto kolkata = time_zone::locate("Asia/Kolkata");
  REQUIRE(kolkata);
  CHECK(kolkata->offset(at("2026-07-04T16:00:00Z")) == 330min);
  // Sao Paulo had a midnight DST start in 2018: that day began at 01:00 local.
  auto sp = time_zone::locate("America/Sao_Paulo");
  REQUIRE(sp);
  CHECK(sp->start_of_day(date::year{2018} / 11 / 4) == at("2018-11-04T03:00:00Z"));

  for (const char* bad : {"Europe/Atlantis", "", "../../etc/passwd", "Not A Zone"}) {
    INFO(bad);
    auto r = time_zone::locate(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "time_zone.unknown");
  }
  CHECK(time_zone::locate("UTC")->name() == "UTC");
  CHECK(time_zone::utc().format(at("2026-07-04T16:00:00Z")) == "2026-07-04 16:00 UTC");
}

TEST_CASE("a report's period is one to 366 whole days, refused with the field to fix", "[core][time_zone]") {
  using chatdesk::check_report_days;
  using chatdesk::check_report_period;
  using chatdesk::parse_report_days;
  using date::year;
  const auto code = "test.invalid_period";

  auto one = check_report_days({year{2026} / 3 / 2, year{2026} / 3 / 2}, code);
  REQUIRE(one);
  CHECK(one->first == year{2026} / 3 / 2);
  CHECK(check_report_days({year{2028} / 1 / 1, year{2028} / 12 / 31}, code));  // a leap year: 366 days

  const auto backwards = check_report_days({year{2026} / 3 / 2, year{2026} / 3 / 1}, code);
  REQUIRE_FALSE(backwards);
  CHECK(backwards.error().code == code);
  CHECK(backwards.error().where == "to");
  CHECK(backwards.error().message == "the period ends (2026-03-01) before it starts (2026-03-02)");
  const auto long_one = check_report_days({year{2026} / 1 / 1, year{2027} / 1 / 2}, code);
  REQUIRE_FALSE(long_one);
  CHECK(long_one.error().message == "a report covers at most 366 days, not 367");
  CHECK(check_report_days({year{2026} / 2 / 30, year{2026} / 3 / 1}, code).error().where == "from");
  CHECK(check_report_days({year{2026} / 3 / 1, year{2026} / 2 / 30}, code).error().where == "to");

  const auto days = parse_report_days("2026-03-01", "2026-03-31", code);
  REQUIRE(days);
  CHECK(days->last == year{2026} / 3 / 31);
  const auto not_a_day = parse_report_days("2026-3-1", "2026-03-31", code);
  REQUIRE_FALSE(not_a_day);
  CHECK(not_a_day.error().message == "'2026-3-1' is not a date (YYYY-MM-DD)");
  CHECK(not_a_day.error().where == "from");
  CHECK(parse_report_days("2026-03-01", "tomorrow", code).error().where == "to");

  CHECK(check_report_period(at("2026-03-01T00:00:00Z"), at("2026-03-01T00:00:01Z"), code));
  CHECK(check_report_period(at("2026-03-01T00:00:00Z"), at("2026-03-01T00:00:00Z"), code).error().code ==
        code);
  CHECK_FALSE(check_report_period(at("2026-03-02T00:00:00Z"), at("2026-03-01T00:00:00Z"), code));
  CHECK(check_report_period(at("2026-01-01T00:00:00Z"), at("2027-01-03T00:00:00Z"), code));  // 367 days
  CHECK_FALSE(check_report_period(at("2026-01-01T00:00:00Z"), at("2027-01-03T00:00:01Z"), code));

  // The instants of local days, across a change of clocks: Rome's March 2026 has 30 days and 23 hours.
  auto rome = time_zone::locate("Europe/Rome");
  if (!rome) return;  // no zone database: the test above warned
  const auto [from, to] = chatdesk::report_period(days.value(), *rome);
  CHECK(from == at("2026-02-28T23:00:00Z"));
  CHECK(to == at("2026-03-31T22:00:00Z"));
  CHECK(check_report_period(from, to, code));
  // A whole leap year in a zone with summer time fits, too.
  const auto [year_from, year_to] =
      chatdesk::report_period({year{2028} / 1 / 1, year{2028} / 12 / 31}, *rome);
  CHECK(check_report_period(year_from, year_to, code));
}
