// The October 2026 model (pmp_2026_10): service messages charged beyond a
// monthly free tier per business phone number, utility templates charged
// inside the window, reactions free, exempt businesses, the entry point's
// length, and the change of model at the business's midnight.
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/pricing/forecast.hpp"
#include "chatdesk/pricing/formats.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "helpers/catch.hpp"
#include "pricing/test_cards.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

namespace {

timestamp at(const std::string& iso) {
  return parse_timestamp(iso).value();
}
phone_number num(const char* s) {
  return phone_number::parse(s).value();
}
decimal dec(const char* s) {
  return decimal::parse(s).value();
}

const char* const maria = "+393331234567";
const char* const priya = "+919876543210";

struct book {
  rate_cards cards;
  ledger l{cards};
  int next = 0;
  book() {
    for (const char* m : {"pmp_2025", "pmp_2026_10"})
      REQUIRE(cards.add(parse_rate_card(testing::card_json(m, "2018-01-01"), "test.json").value()));
    l = ledger(cards, ledger_options{.explain_all = true});
  }
  /// Sends and delivers one second later; returns the charge.
  charge send(timestamp when, const std::string& business, const char* customer,
              std::optional<template_category> category, const std::string& number = {},
              bool reaction = false) {
    const auto id = fmt::format("m{}", ++next);
    REQUIRE(l.outbound(when, business, num(customer), id, category.has_value(), category, number, reaction));
    auto c = l.status(when + 1s, id, message_status::delivered);
    REQUIRE(c);
    REQUIRE(c->has_value());
    return **c;
  }
  /// `n` free-form replies from `number`, each inside a window the customer opened.
  std::vector<charge> replies(std::size_t n, timestamp from, const std::string& business,
                              const char* customer, const std::string& number = {}) {
    std::vector<charge> out;
    REQUIRE(l.inbound(from, business, num(customer), "in", false));
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(send(from + std::chrono::seconds(i), business, customer, std::nullopt, number));
    return out;
  }
};

std::uint64_t free_count(const invoice& inv, charge_reason r) {
  std::uint64_t n = 0;
  for (const auto& f : inv.free)
    if (f.reason == r) n += f.count;
  return n;
}

}  // namespace

TEST_CASE("pmp_2026_10: the 1,000th service message of a number is free, the 1,001st costs the utility rate",
          "[pricing][pmp2026]") {
  book b;
  const auto c = b.replies(1001, at("2026-10-05T08:00:00Z"), "shop", maria, "n1");
  CHECK(c[999].reason == charge_reason::free_tier_service_message);
  CHECK(c[999].free);
  CHECK(c[1000].reason == charge_reason::service_message);
  CHECK(c[1000].amount == dec("0.0300"));  // Italy's utility rate, as the card has no service rate
  CHECK(c[1000].category == "service");
  CHECK(c[1000].tier == "0:MAX");
  CHECK(c[1000].explanation.find(
            "service message 1001 of the month from this number, beyond the first 1,000") !=
        std::string::npos);
  const auto inv = b.l.invoice();
  REQUIRE(inv.lines.size() == 1);
  CHECK(inv.lines[0].category == "service");
  CHECK(inv.lines[0].count == 1);
  CHECK(inv.total == dec("0.0300"));
  CHECK(free_count(inv, charge_reason::free_tier_service_message) == 1000);
}

TEST_CASE("pmp_2026_10: two numbers of one business have a free tier each; templates count per business",
          "[pricing][pmp2026]") {
  book b;
  const auto one = b.replies(1000, at("2026-10-05T08:00:00Z"), "shop", maria, "n1");
  const auto two = b.replies(1000, at("2026-10-06T08:00:00Z"), "shop", maria, "n2");
  CHECK(one.back().free);
  CHECK(two.back().free);
  // The next one from either number is charged.
  REQUIRE(b.l.inbound(at("2026-10-07T08:00:00Z"), "shop", num(maria), "in", false));
  CHECK_FALSE(b.send(at("2026-10-07T08:00:01Z"), "shop", maria, std::nullopt, "n1").free);
  CHECK_FALSE(b.send(at("2026-10-07T08:00:02Z"), "shop", maria, std::nullopt, "n2").free);
  // A business that names no number has one free tier.
  const auto sole = b.replies(1001, at("2026-10-08T08:00:00Z"), "kiosk", maria);
  CHECK(sole[999].free);
  CHECK_FALSE(sole[1000].free);
}

TEST_CASE(
    "pmp_2026_10: the free tier starts again at midnight of the month's first day, in the business's zone",
    "[pricing][pmp2026]") {
  for (const char* zone : {"Pacific/Kiritimati", "America/Los_Angeles"}) {
    INFO(zone);
    book b;
    const auto tz = time_zone::locate(zone).value();
    b.l.add_business({"shop", tz, country::unchecked("IT"), std::nullopt});
    // 1,001 replies late in October (local), then one just after local midnight of 1 November.
    const auto october_end = tz.start_of_day(date::year{2026} / 11 / 1);
    const auto c = b.replies(1001, october_end - 2h, "shop", maria, "n1");
    CHECK(c.back().month == "2026-10");
    CHECK_FALSE(c.back().free);
    REQUIRE(b.l.inbound(october_end - 1s, "shop", num(maria), "late", false));
    // Sent and delivered in the last second of October: the 1,002nd, charged.
    const auto id = "last";
    REQUIRE(b.l.outbound(october_end - 2s, "shop", num(maria), id, false, std::nullopt, "n1"));
    CHECK_FALSE((*b.l.status(october_end - 1s, id, message_status::delivered))->free);
    // Delivered at midnight: November's first, free.
    const auto nov = b.send(october_end - 1s, "shop", maria, std::nullopt, "n1");
    CHECK(nov.month == "2026-11");
    CHECK(nov.reason == charge_reason::free_tier_service_message);
    CHECK(nov.explanation.find("service message 1 of the month") != std::string::npos);
  }
}

TEST_CASE("pmp_2026_10: reactions are free and use no free tier; exempt businesses pay nothing beyond it",
          "[pricing][pmp2026]") {
  book b;
  REQUIRE(b.l.inbound(at("2026-10-05T08:00:00Z"), "shop", num(maria), "in", false));
  for (int i = 0; i < 5; ++i)
    CHECK(b.send(at("2026-10-05T08:01:00Z"), "shop", maria, std::nullopt, "n1", true).reason ==
          charge_reason::reaction);
  const auto c = b.replies(1000, at("2026-10-05T09:00:00Z"), "shop", maria, "n1");
  CHECK(c.back().reason == charge_reason::free_tier_service_message);  // reactions took none of the 1,000
  CHECK(b.l.outbound(at("2026-10-05T10:00:00Z"), "shop", num(maria), "both", true, template_category::utility,
                     "n1", true)
            .error()
            .code == "pricing.invalid_event");

  b.l.add_business({"city", time_zone::utc(), country::unchecked("IT"), std::nullopt, true});
  const auto exempt = b.replies(1002, at("2026-10-06T08:00:00Z"), "city", maria, "c1");
  CHECK(exempt[999].reason == charge_reason::free_tier_service_message);
  CHECK(exempt[1000].reason == charge_reason::paid_exempt);
  CHECK(exempt[1001].free);
  // Exempt from service charges only: templates are charged as for anyone.
  CHECK(b.send(at("2026-10-07T08:00:00Z"), "city", maria, template_category::marketing).amount ==
        dec("0.0691"));
}

TEST_CASE(
    "pmp_2026_10: utility templates inside the window are charged from 2026-10-01 at the business's midnight",
    "[pricing][pmp2026]") {
  book b;
  const auto rome = time_zone::locate("Europe/Rome").value();
  b.l.add_business({"shop", rome, country::unchecked("IT"), std::nullopt});
  const auto midnight = rome.start_of_day(date::year{2026} / 10 / 1);  // 2026-09-30T22:00:00Z
  CHECK(format_timestamp(midnight) == "2026-09-30T22:00:00Z");
  REQUIRE(b.l.inbound(midnight - 1h, "shop", num(maria), "in", false));
  // Sent at 23:59:59 on 30 September, Rome time: pmp_2025, free in the window (so is a reply).
  auto before = b.send(midnight - 1s, "shop", maria, template_category::utility);
  CHECK(before.model == pricing_model::pmp_2025);
  CHECK(before.reason == charge_reason::utility_in_window);
  CHECK(b.send(midnight - 1s, "shop", maria, std::nullopt).reason == charge_reason::free_form);
  // Sent at 00:00:00 on 1 October: pmp_2026_10, charged as any utility template.
  auto after = b.send(midnight, "shop", maria, template_category::utility);
  CHECK(after.model == pricing_model::pmp_2026_10);
  CHECK(after.reason == charge_reason::volume_tier);
  CHECK(after.amount == dec("0.0300"));
  CHECK(b.send(midnight, "shop", maria, std::nullopt).reason == charge_reason::free_tier_service_message);
  // Volume tiers as before: India's tiered utility, counted per business and market.
  REQUIRE(b.l.inbound(midnight, "shop", num(priya), "in2", false));
  CHECK(b.send(midnight + 1h, "shop", priya, template_category::utility).tier == "0:2");
  CHECK(b.send(midnight + 1h, "shop", priya, template_category::utility).tier == "0:2");
  CHECK(b.send(midnight + 1h, "shop", priya, template_category::utility).tier == "3:MAX");
}

TEST_CASE("pmp_2026_10: a free entry point lasts 72 hours, or the business's setting up to 7 days",
          "[pricing][pmp2026][fep]") {
  book b;
  b.l.add_business({"ads", time_zone::utc(), country::unchecked("IT"), std::nullopt, false, 24h * 5});
  b.l.add_business({"plain", time_zone::utc(), country::unchecked("IT"), std::nullopt});
  b.l.add_business({"long", time_zone::utc(), country::unchecked("IT"), std::nullopt, false, 24h * 30});
  for (const char* biz : {"ads", "plain", "long"}) {
    INFO(biz);
    const auto t0 = at("2026-10-10T08:00:00Z");
    REQUIRE(b.l.inbound(t0, biz, num(maria), "ad", true));
    const auto answer = b.send(t0 + 1h, biz, maria, std::nullopt);  // opens the window at t0 + 1h + 1s
    CHECK(answer.reason == charge_reason::free_entry_point);
    const auto opened = t0 + 1h + 1s;
    const auto length = std::string(biz) == "plain" ? 72h : std::string(biz) == "ads" ? 24h * 5 : 24h * 7;
    // The last second inside is free; the first outside is charged.
    CHECK(b.send(opened + length - 2s, biz, maria, template_category::marketing).reason ==
          charge_reason::free_entry_point);
    CHECK(b.send(opened + length - 1s, biz, maria, template_category::marketing).reason ==
          charge_reason::volume_tier);
  }
}

TEST_CASE("pmp_2026_10: one call per event and apply give the same invoice", "[pricing][pmp2026]") {
  std::vector<std::string> ids;
  std::vector<pricing_event> events;
  const auto customer = num(maria);
  auto add = [&](pricing_event e) { events.push_back(e); };
  timestamp t = at("2026-10-02T08:00:00Z");
  ids.reserve(10'000);
  events.reserve(20'100);
  for (int i = 0; i < 10000; ++i) ids.push_back(fmt::format("e{}", i));
  for (int i = 0; i < 10000; ++i) {
    t += 7s;
    if (i % 100 == 0) {
      pricing_event in;
      in.type = pricing_event::kind::inbound;
      in.at = t;
      in.business = (i / 100) % 2 == 0 ? "shop" : "city";
      in.customer = customer;
      in.id = "in";
      in.referral = i == 1400;  // the shop, once: its free entry point covers 72 hours of the run
      add(in);
    }
    pricing_event out;
    out.type = pricing_event::kind::outbound;
    out.at = t;
    out.business = i % 5 == 0 ? "city" : "shop";
    out.number = i % 5 == 0 ? "c1" : i % 3 == 0 ? "n1" : "n2";  // the city has one number
    out.customer = customer;
    out.id = ids[static_cast<std::size_t>(i)];
    out.reaction = i % 11 == 0;
    if (i % 4 == 0) {
      out.is_template = true;
      out.reaction = false;
      out.category = static_cast<template_category>(i % 3);
    }
    add(out);
    pricing_event st;
    st.type = pricing_event::kind::status;
    st.at = t + 1s;
    st.id = out.id;
    st.status = i % 9 == 0 ? message_status::failed : message_status::delivered;
    add(st);
  }
  book one;
  book all;
  for (auto* b : {&one, &all})
    b->l.add_business({"city", time_zone::utc(), country::unchecked("IT"), std::nullopt, true});
  for (const auto& e : events) {
    switch (e.type) {
      case pricing_event::kind::inbound:
        REQUIRE(one.l.inbound(e.at, e.business, e.customer, e.id, e.referral));
        break;
      case pricing_event::kind::outbound:
        REQUIRE(one.l.outbound(e.at, e.business, e.customer, e.id, e.is_template, e.category, e.number,
                               e.reaction));
        break;
      case pricing_event::kind::status:
        REQUIRE(one.l.record_status(e.at, e.id, e.status));
        break;
    }
  }
  CHECK(all.l.apply(events).empty());
  const auto a = one.l.invoice();
  const auto b = all.l.invoice();
  CHECK(a.total == b.total);
  CHECK(a.total > decimal{});
  REQUIRE(a.lines.size() == b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    CHECK(a.lines[i].category == b.lines[i].category);
    CHECK(a.lines[i].count == b.lines[i].count);
    CHECK(a.lines[i].amount == b.lines[i].amount);
  }
  REQUIRE(a.free.size() == b.free.size());
  for (std::size_t i = 0; i < a.free.size(); ++i) CHECK(a.free[i].count == b.free[i].count);
  for (auto r : {charge_reason::reaction, charge_reason::free_tier_service_message,
                 charge_reason::paid_exempt, charge_reason::free_entry_point}) {
    INFO(to_string(r));
    CHECK(free_count(a, r) > 0);
  }
}

TEST_CASE("the shipped 2026-10-01 card: cited rates, and rates it could not find refused with why",
          "[pricing][pmp2026][card]") {
  std::ifstream in(CHATDESK_SOURCE_DIR "/data/rate_cards/pmp_2026_10-2026-10-01-usd.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto card = parse_rate_card(text, "pmp_2026_10-2026-10-01-usd.json");
  REQUIRE(card);
  CHECK(card->model() == pricing_model::pmp_2026_10);
  CHECK(card->rate("India", "utility") == dec("0.0014"));
  CHECK(card->authentication_international("India") == dec("0.0304"));
  CHECK(card->authentication_international("Morocco") == dec("0.0811"));
  CHECK(card->rate("France", "marketing") == dec("0.0859"));
  CHECK(card->rate("Italy", "utility") == dec("0.0300"));
  CHECK_FALSE(card->rate("Italy", "marketing"));
  CHECK(card->unpriced("Italy", "marketing")->find("raised 2026-07-01") != std::string_view::npos);
  CHECK_FALSE(card->unpriced("Italy", "utility"));
  // Its markets are the platform's of 2026-10-01.
  CHECK(card->markets().find(num("+77011234567")) == "Kazakhstan");
  CHECK(card->markets().find(num("+85251234567")) == "Hong Kong");

  rate_cards cards;
  REQUIRE(cards.add(std::move(*card)));
  ledger l(cards);
  REQUIRE(l.inbound(at("2026-10-05T08:00:00Z"), "shop", num(priya), "in", false));
  REQUIRE(l.outbound(at("2026-10-05T08:01:00Z"), "shop", num(priya), "u", true, template_category::utility));
  CHECK((*l.status(at("2026-10-05T08:01:01Z"), "u", message_status::delivered))->amount == dec("0.0014"));
  REQUIRE(
      l.outbound(at("2026-10-05T08:02:00Z"), "shop", num(maria), "m", true, template_category::marketing));
  auto refused = l.status(at("2026-10-05T08:02:01Z"), "m", message_status::delivered);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "pricing.no_rate");
  CHECK(refused.error().message.find("no 'marketing' rate for market 'Italy': marketing raised 2026-07-01") !=
        std::string::npos);
}

TEST_CASE("a card's 'unpriced' notes are checked", "[pricing][card]") {
  auto with = [](const std::string& extra) {
    return parse_rate_card(
        R"({"model":"pmp_2026_10","effective_from":"2026-10-01","currency":"USD","markets":[{"name":"Italy","calling_codes":["39"]}],"rates":{"Italy":{"utility":"0.03","authentication":"0.03"},"Other":{"marketing":"0.06","utility":"0.0077","authentication":"0.0077","service":"0.0077"}})" +
            extra + "}",
        "t.json");
  };
  CHECK(with("").error().message.find("market 'Italy' has no 'marketing' rate") != std::string::npos);
  CHECK(with(R"(,"unpriced":{"Italy":{"marketing":"not found"}})"));
  CHECK(
      with(R"(,"unpriced":{"Italy":{"marketing":""}})").error().message.find("say why the rate is missing") !=
      std::string::npos);
  CHECK(with(R"(,"unpriced":{"Italy":{"marketing":"x","utility":"y"}})")
            .error()
            .message.find("has a 'utility' rate and calls it unpriced") != std::string::npos);
  CHECK(with(R"(,"unpriced":{"Spain":{"marketing":"x"}})").error().where == "$.unpriced.Spain");
  CHECK(with(R"(,"unpriced":{"Italy":{"tip":"x"}})").error().where == "$.unpriced.Italy.tip");
}

TEST_CASE("the businesses file carries paid_exempt and the entry point's length", "[pricing][formats]") {
  auto j = nlohmann::ordered_json::parse(
      R"({"city":{"time_zone":"Europe/Rome","paid_exempt":true,"entry_point_hours":168},"shop":{}})");
  auto b = pricing_businesses_from_json(j);
  REQUIRE(b);
  CHECK((*b)[0].paid_exempt);
  CHECK((*b)[0].entry_point_window == std::chrono::hours{168});
  CHECK_FALSE((*b)[1].paid_exempt);
  auto again = pricing_businesses_from_json(to_json(*b));
  REQUIRE(again);
  CHECK(to_json(*again) == to_json(*b));
  CHECK(to_json(*b)["city"]["entry_point_hours"] == 168);
  CHECK(pricing_businesses_from_json(nlohmann::ordered_json::parse(R"({"x":{"entry_point_hours":169}})"))
            .error()
            .where == "$.x.entry_point_hours");
  CHECK(pricing_businesses_from_json(nlohmann::ordered_json::parse(R"({"x":{"paid_exempt":"yes"}})"))
            .error()
            .where == "$.x.paid_exempt");
}

TEST_CASE("forecasts apply each number's free tier of service messages", "[pricing][pmp2026][forecast]") {
  book b;
  forecast_plan plan;
  plan.model = pricing_model::pmp_2026_10;
  plan.date = date::year{2026} / 10 / 1;
  // A shop with two numbers: 1,500 replies from n1 (to Italy, then India), 300 from n2.
  plan.service = {{"n1", "Italy", 1200, 0}, {"n1", "India", 300, 0}, {"n2", "Italy", 300, 0}};
  plan.sends = {{"Italy", template_category::utility, 100, dec("0.5"), 0}};
  auto f = estimate(b.cards, plan);
  REQUIRE(f);
  // n1: 1,000 free, then 200 Italy at 0.0300 and 300 India at 0.0014 (utility's first tier); n2: free.
  // Utility templates: all 100 charged at 0.0300, inside the window or not.
  CHECK(f->free == 1300);
  CHECK(f->total == dec("0.0300") * 200 + dec("0.0014") * 300 + dec("0.0300") * 100);
  // Under pmp_2025 replies and in-window utility templates were free.
  plan.model = pricing_model::pmp_2025;
  auto before = estimate(b.cards, plan);
  REQUIRE(before);
  CHECK(before->free == 1800 + 50);
  CHECK(before->total == dec("0.0300") * 50);
  // An exempt business pays for none of its replies.
  plan.model = pricing_model::pmp_2026_10;
  plan.paid_exempt = true;
  CHECK(estimate(b.cards, plan)->total == dec("0.0300") * 100);
  // From JSON, with the number's replies so far this month.
  auto j = nlohmann::ordered_json::parse(
      R"({"model":"pmp_2026_10","date":"2026-10-20","sends":[],"service":[{"number":"n1","market":"Italy","count":10,"sent_so_far":995}]})");
  auto read = forecast_plan_from_json(j);
  REQUIRE(read);
  auto g = estimate(b.cards, *read);
  REQUIRE(g);
  CHECK(g->free == 5);
  CHECK(g->total == dec("0.1500"));
  CHECK(
      forecast_plan_from_json(
          nlohmann::ordered_json::parse(
              R"({"model":"pmp_2026_10","date":"2026-10-20","sends":[],"service":[{"market":"Italy","count":1}]})"))
          .error()
          .where == "$.service[0].number");
}

TEST_CASE("a market that became standalone in July 2026 is priced in its region on 06-30 and alone on 07-01",
          "[pricing][pmp2026][markets]") {
  // Two pmp_2025 cards without their own market lists: each takes the platform's table of its date.
  const auto card = [](const char* from, const char* hong_kong) {
    std::string rates =
        R"("Rest of Asia Pacific":{"marketing":"0.0732","utility":"0.0113","authentication":"0.0113"})";
    if (*hong_kong != '\0')
      rates += fmt::format(R"(,"Hong Kong":{{"marketing":"0.0732","utility":"{}","authentication":"{}"}})",
                           hong_kong, hong_kong);
    return fmt::format(
        R"({{"model":"pmp_2025","effective_from":"{}","currency":"USD","rates":{{{}}},"unpriced":{{}}}})",
        from, rates);
  };
  // Every other market of the platform's tables is unpriced in these small cards.
  auto complete = [](std::string json, const date::year_month_day day) {
    auto j = nlohmann::ordered_json::parse(json);
    for (const auto& rule : market_table::platform(day).rules())
      if (!j["rates"].contains(rule.name))
        for (const char* k : {"marketing", "utility", "authentication"})
          j["unpriced"][rule.name][k] = "not in this test";
    for (const char* k : {"marketing", "utility", "authentication"})
      j["unpriced"]["Other"][k] = "not in this test";
    return j.dump();
  };
  rate_cards cards;
  REQUIRE(cards.add(
      parse_rate_card(complete(card("2026-01-01", ""), date::year{2026} / 1 / 1), "jan.json").value()));
  REQUIRE(cards.add(
      parse_rate_card(complete(card("2026-07-01", "0.0150"), date::year{2026} / 7 / 1), "jul.json").value()));
  ledger l(cards);
  const char* hk = "+85251234567";
  auto utility = [&](const char* sent, const char* id) {
    REQUIRE(l.outbound(at(sent), "shop", num(hk), id, true, template_category::utility));
    return **l.status(at(sent) + 1s, id, message_status::delivered);
  };
  const auto june = utility("2026-06-30T12:00:00Z", "june");
  CHECK(june.market == "Rest of Asia Pacific");
  CHECK(june.amount == dec("0.0113"));
  const auto july = utility("2026-07-01T12:00:00Z", "july");
  CHECK(july.market == "Hong Kong");
  CHECK(july.amount == dec("0.0150"));
  // The shipped cards of July and October load.
  for (const char* file : {"pmp_2025-2026-07-01-usd.json", "pmp_2026_10-2026-10-01-usd.json"}) {
    std::ifstream in(std::string(CHATDESK_SOURCE_DIR) + "/data/rate_cards/" + file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(file);
    CHECK(parse_rate_card(text, file));
  }
}
