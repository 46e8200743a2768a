#include <chrono>
#include <string>

#include "chatdesk/support/business_hours.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

namespace {

timestamp at(const char* iso) {
  return parse_timestamp(iso).value();
}

business_hours hours(const char* json) {
  auto h = business_hours::parse(json);
  INFO(json);
  if (!h) INFO(h.error().to_string());
  REQUIRE(h);
  return *h;
}

// Mon-Fri 09:00-17:00 in Rome.
const char* const office = R"({"zone":"Europe/Rome","week":{"mon":["09:00-17:00"],"tue":["09:00-17:00"],
  "wed":["09:00-17:00"],"thu":["09:00-17:00"],"fri":["09:00-17:00"]}})";

}  // namespace

TEST_CASE("business time walks over nights and weekends", "[support][hours]") {
  const auto h = hours(office);
  // The issue's example: created Friday 16:30 with a 1-hour target is due Monday 09:30.
  // 2026-11-27 is a Friday; Rome is UTC+1 in winter.
  CHECK(h.add(at("2026-11-27T15:30:00Z"), 1h) == at("2026-11-30T08:30:00Z"));
  // Exactly at the close: the time is used up at 17:00, not the next morning.
  CHECK(h.add(at("2026-11-27T15:00:00Z"), 1h) == at("2026-11-27T16:00:00Z"));
  // From a closed moment, the walk starts at the next opening.
  CHECK(h.add(at("2026-11-28T10:00:00Z"), 30min) == at("2026-11-30T08:30:00Z"));
  CHECK(h.next_opening(at("2026-11-28T10:00:00Z")) == at("2026-11-30T08:00:00Z"));
  CHECK(h.next_opening(at("2026-11-30T09:00:00Z")) == at("2026-11-30T09:00:00Z"));  // open: now
  // A 24-hour target is three business days of 8 hours.
  CHECK(h.add(at("2026-11-30T08:00:00Z"), 24h) == at("2026-12-02T16:00:00Z"));
  CHECK(h.open_at(at("2026-11-30T08:00:00Z")));
  CHECK_FALSE(h.open_at(at("2026-11-30T16:00:00Z")));  // 17:00 is closed
  CHECK(h.between(at("2026-11-27T15:30:00Z"), at("2026-11-30T08:30:00Z")) == 1h);
  CHECK(h.between(at("2026-11-28T00:00:00Z"), at("2026-11-29T23:00:00Z")) == 0ms);
  CHECK(h.between(at("2026-11-30T08:30:00Z"), at("2026-11-27T15:30:00Z")) == 0ms);
  // Calendar time when always open.
  const business_hours always;
  CHECK(always.add(at("2026-11-27T15:30:00Z"), 1h) == at("2026-11-27T16:30:00Z"));
  CHECK(always.between(at("2026-11-27T15:30:00Z"), at("2026-11-27T16:30:00Z")) == 1h);
}

TEST_CASE("split shifts, holidays and special days", "[support][hours]") {
  const auto h = hours(R"({"zone":"Europe/Rome",
    "week":{"mon":["09:00-13:00","14:00-18:00"],"tue":["09:00-13:00","14:00-18:00"],
            "wed":["09:00-13:00","14:00-18:00"],"thu":["09:00-13:00","14:00-18:00"],
            "fri":["09:00-13:00","14:00-18:00"],"sat":["10:00-12:00"]},
    "holidays":["2026-12-25","2026-12-08"],
    "special_days":{"2026-12-24":["09:00-12:00"],"2026-12-27":["10:00-11:00"]}})");
  // Lunch is closed: 12:30 + 1h is 14:30 + 30 min.
  CHECK(h.add(at("2026-12-01T11:30:00Z"), 1h) == at("2026-12-01T13:30:00Z"));
  CHECK_FALSE(h.open_at(at("2026-12-01T12:30:00Z")));
  // Tuesday 8 December is a holiday: Monday 17:30 + 1h is Wednesday 09:30.
  CHECK(h.add(at("2026-12-07T16:30:00Z"), 1h) == at("2026-12-09T08:30:00Z"));
  // Christmas Eve (Thursday) closes at 12:00, Christmas (Friday) is closed,
  // Saturday opens 10-12, Sunday 27 has a special hour.
  CHECK(h.add(at("2026-12-24T10:00:00Z"), 4h) == at("2026-12-27T10:00:00Z"));
  CHECK(h.between(at("2026-12-24T00:00:00Z"), at("2026-12-28T00:00:00Z")) == 6h);
  // The JSON form reads back to the same schedule.
  const auto again = business_hours::parse(h.to_json());
  REQUIRE(again);
  CHECK(*again->spec() == *h.spec());
  CHECK(business_hours::parse(business_hours{}.to_json())->always_open());
}

TEST_CASE("business time across daylight-saving changes", "[support][hours]") {
  SECTION("Europe/Rome, a night opening over the spring change") {
    // 29 March 2026: clocks go from 02:00 to 03:00. An opening of 00:00-06:00
    // lasts 5 hours that day.
    const auto h = hours(R"({"zone":"Europe/Rome","week":{"sun":["00:00-06:00"],"mon":["09:00-17:00"]}})");
    CHECK(h.between(at("2026-03-28T12:00:00Z"), at("2026-03-29T12:00:00Z")) == 5h);
    // Starting at 00:00 CET (23:00 UTC), 3 hours end at 04:00 CEST (02:00 UTC).
    CHECK(h.add(at("2026-03-28T23:00:00Z"), 3h) == at("2026-03-29T02:00:00Z"));
    // 6 hours are more than Sunday holds: the last one is Monday 09:00-10:00 CEST.
    CHECK(h.add(at("2026-03-28T23:00:00Z"), 6h) == at("2026-03-30T08:00:00Z"));
  }
  SECTION("Europe/Rome, the autumn change") {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET; 00:00-06:00 lasts 7 hours.
    const auto h = hours(R"({"zone":"Europe/Rome","week":{"sun":["00:00-06:00"]}})");
    CHECK(h.between(at("2026-10-24T00:00:00Z"), at("2026-10-26T00:00:00Z")) == 7h);
    // Office hours keep their wall-clock times: 09:00 is 07:00 UTC before and 08:00 UTC after.
    const auto o = hours(office);
    CHECK(o.next_opening(at("2026-10-23T05:00:00Z")) == at("2026-10-23T07:00:00Z"));
    CHECK(o.next_opening(at("2026-10-26T05:00:00Z")) == at("2026-10-26T08:00:00Z"));
    // Friday 16:30 CEST + 1h is Monday 09:30 CET.
    CHECK(o.add(at("2026-10-23T14:30:00Z"), 1h) == at("2026-10-26T08:30:00Z"));
  }
  SECTION("America/New_York") {
    const auto h = hours(
        R"({"zone":"America/New_York","week":{"sat":["09:00-17:00"],"sun":["00:00-04:00","09:00-17:00"]}})");
    // 8 March 2026: 02:00 EST becomes 03:00 EDT; Sunday 00:00-04:00 holds 3 hours.
    CHECK(h.between(at("2026-03-08T05:00:00Z"), at("2026-03-08T08:00:00Z")) == 3h);  // 00:00 EST to 04:00 EDT
    CHECK(h.between(at("2026-03-08T00:00:00Z"), at("2026-03-09T00:00:00Z")) == 3h + 8h);
    // Saturday 16:00 EST + 2h: one hour Saturday, one hour Sunday from midnight.
    CHECK(h.add(at("2026-03-07T21:00:00Z"), 2h) == at("2026-03-08T06:00:00Z"));
    // 1 November 2026: 02:00 EDT becomes 01:00 EST; 00:00-04:00 holds 5 hours.
    CHECK(h.between(at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z")) == 5h + 8h);
  }
}

TEST_CASE("impossible schedules are refused with where they go wrong", "[support][hours]") {
  const auto refused = [](const char* json, const char* code, const char* where) {
    INFO(json);
    const auto h = business_hours::parse(json);
    REQUIRE_FALSE(h);
    CHECK(h.error().code == code);
    CHECK(h.error().where == where);
    CHECK_FALSE(h.error().message.empty());
  };
  refused(R"({"zone":"Europe/Atlantis"})", "time_zone.unknown", "zone");
  refused(R"({"week":{"mon":["09:00-13:00","12:00-18:00"]}})", "support.invalid_hours", "week.mon[1]");
  refused(R"({"week":{"tue":["14:00-18:00","09:00-13:00"]}})", "support.invalid_hours", "week.tue[1]");
  refused(R"({"week":{"wed":["17:00-09:00"]}})", "support.invalid_hours", "week.wed[0]");
  refused(R"({"week":{"thu":["09:00-09:00"]}})", "support.invalid_hours", "week.thu[0]");
  refused(R"({"week":{"fri":["09:00-25:00"]}})", "support.invalid_hours", "week.fri[0]");
  refused(R"({"week":{"fri":["9-17"]}})", "support.invalid_hours", "week.fri[0]");
  refused(R"({"week":{"fri":["09:60-17:00"]}})", "support.invalid_hours", "week.fri[0]");
  refused(R"({"week":{"funday":["09:00-17:00"]}})", "support.invalid_hours", "week.funday");
  refused(R"({"week":{"mon":"09:00-17:00"}})", "support.invalid_hours", "week.mon");
  refused(R"({"holidays":["2026-02-30"]})", "support.invalid_hours", "holidays[0]");
  refused(R"({"holidays":["2026-12-25"],"special_days":{"2026-12-25":["09:00-12:00"]}})",
          "support.invalid_hours", "special_days[0]");
  refused(R"({"special_days":{"2026-12-24":["12:00-09:00"]}})", "support.invalid_hours",
          "special_days.2026-12-24[0]");
  refused(R"({"opening":"soon"})", "support.invalid_hours", "opening");
  refused(R"([1,2)", "support.invalid_hours", "byte 5");
  // A schedule that never opens: no due time, said plainly.
  const auto closed = hours(R"({"zone":"UTC"})");
  CHECK_FALSE(closed.add(at("2026-11-27T15:30:00Z"), 1h));
  CHECK_FALSE(closed.next_opening(at("2026-11-27T15:30:00Z")));
  CHECK_FALSE(closed.open_at(at("2026-11-27T15:30:00Z")));
}
