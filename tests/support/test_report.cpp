// Live support's reports against values computed by hand, over every store.
#include <string>

#include "chatdesk/support/report.hpp"
#include "helpers/catch.hpp"
#include "store/store_fixture.hpp"
#include "support/support_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

const report_figures* find(const std::vector<report_figures>& list, std::string_view id) {
  for (const auto& f : list)
    if (f.id == id) return &f;
  return nullptr;
}

/// A day of a shop in Europe/Rome (UTC+1 in early March), times in UTC:
///   09:00 c1 writes -> ana          09:10 ana answers c1 (first response 10 min, met)
///   09:20 c2 writes -> ana          10:00 ana answers c2 (40 min, missed: target 30)
///   10:05 c1 writes again           10:20 ana answers (next response 15 min, met: target 60)
///   10:30 ana resolves c1 (90 min, met: target 4 h) and sends the survey; 10:35 c1 scores 4
///   11:00 ben comes online, c3 writes -> ben    11:05 ben answers (5 min, met)
///   15:30 ben resolves c3 (4 h 30, missed) and sends the survey (no answer)
///   23:30 c4 writes -> ana (already 3 March in Rome)   23:50 ana answers (20 min, met)
void shop_day(support_fixture& f) {
  support_settings s;
  auto hours = business_hours::parse(
      R"({"zone":"Europe/Rome","week":{"mon":["00:00-24:00"],"tue":["00:00-24:00"],"wed":["00:00-24:00"],
          "thu":["00:00-24:00"],"fri":["00:00-24:00"],"sat":["00:00-24:00"],"sun":["00:00-24:00"]}})");
  REQUIRE(hours);
  s.hours = *hours;
  s.sla.first_response = 30min;
  s.sla.next_response = 1h;
  s.sla.resolution = 4h;
  f.staff({person("ana"), person("ben")}, crew("care", {"ana", "ben"}), s);
  f.online("ana");
  const auto to = [&](const char* t) { f.clock.set(at(t)); };
  to("2026-03-02T09:00:00Z");
  f.writes(1);
  to("2026-03-02T09:10:00Z");
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Ciao!"}));
  to("2026-03-02T09:20:00Z");
  f.writes(2);
  to("2026-03-02T10:00:00Z");
  REQUIRE(f.support->reply(key_of(2), "ana", text_content{"Eccomi"}));
  to("2026-03-02T10:05:00Z");
  f.writes(1, "e la fattura?");
  to("2026-03-02T10:20:00Z");
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Inviata"}));
  to("2026-03-02T10:30:00Z");
  REQUIRE(f.support->resolve(key_of(1), "agent:ana"));
  REQUIRE(f.support->send_survey(key_of(1), "agent:ana"));
  to("2026-03-02T10:35:00Z");
  f.writes(1, "4");
  to("2026-03-02T11:00:00Z");
  f.online("ben");
  f.writes(3);
  REQUIRE(f.holder(3) == "ben");
  to("2026-03-02T11:05:00Z");
  REQUIRE(f.support->reply(key_of(3), "ben", text_content{"Buongiorno"}));
  to("2026-03-02T15:30:00Z");
  REQUIRE(f.support->resolve(key_of(3), "agent:ben"));
  REQUIRE(f.support->send_survey(key_of(3), "agent:ben"));
  to("2026-03-02T23:30:00Z");
  f.writes(4);
  REQUIRE(f.holder(4) == "ana");
  to("2026-03-02T23:50:00Z");
  REQUIRE(f.support->reply(key_of(4), "ana", text_content{"Ci sono"}));
}

}  // namespace

TEST_CASE("a support report gives the hand-computed figures of a day, in the business's time zone",
          "[store][support][report]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  {
    support_fixture f(at("2026-03-02T08:00:00Z"), u.get());
    shop_day(f);
  }
  u.reopen();  // read from what the store kept
  const auto r = make_support_report(u.get(), "shop", "2026-03-02", "2026-03-02");
  REQUIRE(r);
  CHECK(r->time_zone == "Europe/Rome");
  CHECK(r->from == at("2026-03-01T23:00:00Z"));
  CHECK(r->to == at("2026-03-02T23:00:00Z"));
  const auto& b = r->business;
  CHECK(b.conversations == 3);  // c4 came on the 3rd, Rome time
  CHECK(b.assignments == 3);
  CHECK(b.resolved == 2);
  CHECK(b.first_response.count == 3);  // 5, 10, 40 minutes
  CHECK(b.first_response.median == milliseconds{10min});
  CHECK(b.first_response.p90 == milliseconds{40min});
  CHECK(b.first_response.mean == milliseconds{1100s});
  CHECK(b.next_response.count == 1);
  CHECK(b.next_response.median == milliseconds{15min});
  CHECK(b.resolution.median == milliseconds{90min});  // 90 and 270 minutes
  CHECK(b.resolution.p90 == milliseconds{270min});
  CHECK(b.resolution.mean == milliseconds{180min});
  CHECK(b.sla[0] == sla_summary{2, 1});
  CHECK(b.sla[1] == sla_summary{1, 0});
  CHECK(b.sla[2] == sla_summary{1, 1});
  CHECK(b.sla_total == sla_summary{4, 2});
  CHECK(b.csat.sent == 2);
  CHECK(b.csat.answered == 1);
  CHECK(b.csat.average() == 4.0);
  CHECK(b.csat.response_rate() == 0.5);

  REQUIRE(r->agents.size() == 2);
  const auto* ana = find(r->agents, "ana");
  const auto* ben = find(r->agents, "ben");
  REQUIRE(ana != nullptr);
  REQUIRE(ben != nullptr);
  CHECK(ana->conversations == 2);
  CHECK(ana->resolved == 1);
  CHECK(ana->first_response.median == milliseconds{10min});
  CHECK(ana->first_response.p90 == milliseconds{40min});
  CHECK(ana->sla_total == sla_summary{3, 1});
  CHECK(ana->csat.average() == 4.0);
  CHECK(ben->conversations == 1);
  CHECK(ben->resolution.median == milliseconds{270min});
  CHECK(ben->sla_total == sla_summary{1, 1});
  CHECK(ben->csat.sent == 1);
  CHECK(ben->csat.response_rate() == 0.0);
  CHECK_FALSE(ben->csat.average());
  REQUIRE(r->teams.size() == 1);
  CHECK(r->teams[0].id == "care");
  CHECK(r->teams[0].conversations == 3);

  // Two days: c4's first response joins (5, 10, 20, 40 minutes).
  const auto two = make_support_report(u.get(), "shop", "2026-03-02", "2026-03-03");
  REQUIRE(two);
  CHECK(two->business.conversations == 4);
  CHECK(two->business.first_response.median == milliseconds{10min});
  CHECK(two->business.first_response.p90 == milliseconds{40min});
  // The day before holds nothing.
  const auto before = make_support_report(u.get(), "shop", "2026-03-01", "2026-03-01");
  REQUIRE(before);
  CHECK(before->business.conversations == 0);
  CHECK_FALSE(before->business.first_response.median);
  CHECK_FALSE(before->business.sla_total.hit_rate());

  // JSON and CSV carry the same figures.
  const auto j = to_json(*r);
  CHECK(j["from"] == "2026-03-02");
  CHECK(j["totals"]["first_response"]["median_s"] == 600.0);
  CHECK(j["totals"]["sla"]["total"]["hit_rate"] == 0.6667);
  CHECK(j["totals"]["csat"]["average"] == 4.0);
  CHECK(j["agents"][1]["csat"]["average"].is_null());
  const auto csv = to_csv(*r);
  CHECK(
      csv.find("business,shop,3,0,3,2,600.0,2400.0,900.0,900.0,5400.0,16200.0,4,2,0.6667,2,1,4.0,0.5\r\n") !=
      std::string::npos);
  CHECK(csv.find("agent,ben,1,0,1,1,300.0,300.0,,,16200.0,16200.0,1,1,0.5,1,0,,0.0\r\n") !=
        std::string::npos);

  // Forgetting the morning: ten facts before 11:00 and c1, resolved at 10:30.
  support_fixture f(at("2026-03-03T09:00:00Z"), u.get());
  CHECK(f.support->conversation(key_of(1)));
  const auto purged = f.support->purge("shop", at("2026-03-02T11:00:00Z"));
  REQUIRE(purged);
  CHECK(*purged == 11);
  CHECK_FALSE(f.support->conversation(key_of(1)));
  CHECK(f.support->conversation(key_of(3)));
  const auto after = make_support_report(u.get(), "shop", "2026-03-02", "2026-03-02");
  REQUIRE(after);
  CHECK(after->business.conversations == 1);
  CHECK(after->business.first_response.count == 1);
  CHECK(after->business.first_response.median == milliseconds{5min});
  CHECK(after->business.resolved == 1);
  CHECK(*f.support->purge("shop", at("2026-03-02T11:00:00Z")) == 0);
  CHECK(f.support->purge("nobody", at("2026-03-02T11:00:00Z")).error().code == "support.not_configured");
}

TEST_CASE("report periods and percentiles", "[support][report]") {
  const auto s = duration_summary::of({milliseconds{30}, milliseconds{10}, milliseconds{20}, milliseconds{40},
                                       milliseconds{50}, milliseconds{60}, milliseconds{70}, milliseconds{80},
                                       milliseconds{90}, milliseconds{100}, milliseconds{110}});
  CHECK(s.count == 11);
  CHECK(s.median == milliseconds{60});  // rank 6 of 11
  CHECK(s.p90 == milliseconds{100});    // rank ceil(9.9) = 10
  CHECK(s.mean == milliseconds{60});
  CHECK(duration_summary::of({milliseconds{7}}).p90 == milliseconds{7});
  CHECK_FALSE(duration_summary::of({}).median);

  memory_store st;
  CHECK(make_support_report(st, "shop", "2026-03-02", "2026-03-02").error().code == "support.not_configured");
  CHECK(make_support_report(st, "shop", "2026-3-2", "2026-03-02").error().where == "from");
  CHECK(make_support_report(st, "shop", "2026-03-02", "2026-02-30").error().where == "to");
  const auto backwards = make_support_report(st, "shop", "2026-03-02", "2026-03-01");
  CHECK(backwards.error().code == "support.invalid_period");
  CHECK(backwards.error().message == "the period ends (2026-03-01) before it starts (2026-03-02)");
  CHECK(make_support_report(st, "shop", "2026-01-01", "2027-01-02").error().code == "support.invalid_period");
  CHECK(make_support_report(st, "shop", "2026-01-01", "2026-12-31").error().code == "support.not_configured");
}

TEST_CASE("a report's CSV quotes ids that need it", "[support][report]") {
  support_report r;
  r.business_id = "shop, \"north\"";
  report_figures a;
  a.id = "ana\nrossi";
  r.agents.push_back(a);
  const auto csv = to_csv(r);
  CHECK(csv.find("business,\"shop, \"\"north\"\"\",0,") != std::string::npos);
  CHECK(csv.find("agent,\"ana\nrossi\",0,") != std::string::npos);
}
