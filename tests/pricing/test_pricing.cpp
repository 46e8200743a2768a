#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/pricing/events.hpp"
#include "chatdesk/pricing/forecast.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "helpers/catch.hpp"
#include "pricing/test_cards.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;
using chatdesk::testing::card_json;

namespace {

timestamp at(const char* iso) {
  return parse_timestamp(iso).value();
}
phone_number num(const char* s) {
  return phone_number::parse(s).value();
}
decimal dec(const char* s) {
  return decimal::parse(s).value();
}

rate_card card(const std::string& json) {
  return parse_rate_card(json, "test.json").value();
}

struct fixture {
  rate_cards cards;
  ledger book{cards};
  /// Every message explained unless `options` says otherwise; `forced` is the model.
  explicit fixture(std::optional<pricing_model> forced = std::nullopt,
                   ledger_options options = {.explain_all = true}) {
    for (const char* m : {"legacy_2018", "cbp_2022", "cbp_2023", "pmp_2025"})
      REQUIRE(cards.add(card(card_json(m, "2018-01-01"))));
    options.model = forced;
    book = ledger(cards, std::move(options));
  }
  void in(const char* when, const char* customer, const char* id, bool referral = false,
          const char* biz = "b1") {
    REQUIRE(book.inbound(at(when), biz, num(customer), id, referral));
  }
  void out(const char* when, const char* customer, const char* id, std::optional<template_category> cat,
           const char* biz = "b1") {
    REQUIRE(book.outbound(at(when), biz, num(customer), id, cat.has_value(), cat));
  }
  std::optional<charge> delivered(const char* when, const char* id,
                                  message_status s = message_status::delivered) {
    auto r = book.status(at(when), id, s);
    REQUIRE(r);
    return *r;
  }
};

constexpr auto marketing = template_category::marketing;
constexpr auto utility = template_category::utility;
constexpr auto authentication = template_category::authentication;
const char* const maria = "+393331234567";
const char* const priya = "+919876543210";

/// Two invoices with the same lines, free counts and total.
void check_same(const invoice& a, const invoice& b) {
  CHECK(a.total == b.total);
  REQUIRE(a.lines.size() == b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    CHECK(a.lines[i].business == b.lines[i].business);
    CHECK(a.lines[i].month == b.lines[i].month);
    CHECK(a.lines[i].model == b.lines[i].model);
    CHECK(a.lines[i].market == b.lines[i].market);
    CHECK(a.lines[i].category == b.lines[i].category);
    CHECK(a.lines[i].tier == b.lines[i].tier);
    CHECK(a.lines[i].count == b.lines[i].count);
    CHECK(a.lines[i].amount == b.lines[i].amount);
  }
  REQUIRE(a.free.size() == b.free.size());
  for (std::size_t i = 0; i < a.free.size(); ++i) {
    CHECK(a.free[i].business == b.free[i].business);
    CHECK(a.free[i].reason == b.free[i].reason);
    CHECK(a.free[i].count == b.free[i].count);
  }
}

}  // namespace

TEST_CASE("the shipped 2026-01-01 USD card loads and prices by market", "[pricing][card]") {
  std::ifstream in(CHATDESK_SOURCE_DIR "/data/rate_cards/pmp_2025-2026-01-01-usd.json");
  REQUIRE(in);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto c = parse_rate_card(text, "pmp_2025-2026-01-01-usd.json");
  REQUIRE(c);
  CHECK(c->model() == pricing_model::pmp_2025);
  CHECK(c->currency() == currencies::usd);
  CHECK(c->effective_from() == date::year{2026} / 1 / 1);
  CHECK(c->rate("Italy", "marketing") == dec("0.0691"));
  CHECK(c->rate("Netherlands", "marketing") == dec("0.1597"));
  CHECK(c->rate("Colombia", "utility") == dec("0.0008"));
  CHECK(c->rate("Other", "authentication") == dec("0.0077"));
  CHECK(c->authentication_international("India") == dec("0.0280"));
  CHECK_FALSE(c->authentication_international("Italy"));
  CHECK(c->markets().find(num("+18095550100")) == "Rest of Latin America");
  CHECK(c->markets().find(num("+18765550100")) == "Rest of Latin America");
  CHECK(c->markets().find(num("+12125550100")) == "North America");
  CHECK(c->markets().find(num("+35212345678")) == "Other");
}

TEST_CASE("bad rate cards are refused with the file, the JSON path and the reason", "[pricing][card]") {
  struct bad_case {
    std::string json;
    const char* where;
    const char* says;
  };
  const std::string good = card_json("pmp_2025", "2026-01-01");
  auto replace = [&](std::string s, const std::string& from, const std::string& to) {
    const auto p = s.find(from);
    REQUIRE(p != std::string::npos);
    return s.replace(p, from.size(), to);
  };
  const bad_case cases[] = {
      {replace(good, R"("model":"pmp_2025")", R"("model":"pmp_2030")"), "$.model", "not a pricing model"},
      {replace(good, R"("currency":"USD")", R"("currency":"XYZ")"), "$.currency", "ISO 4217"},
      {replace(good, R"("effective_from":"2026-01-01")", R"("effective_from":"2026-02-30")"),
       "$.effective_from", "not a date"},
      {replace(good, R"("Italy":{"marketing":"0.0691","utility":"0.0300","authentication":"0.0300"},)", ""),
       "$.rates", "market 'Italy' has no 'marketing' rate"},
      {replace(good, R"("0.0691")", R"("-0.0691")"), "$.rates.Italy.marketing", "negative"},
      {replace(good, R"("0.0691")", R"("cheap")"), "$.rates.Italy.marketing", "not a rate"},
      {replace(good, R"("0.0691")", R"("1000000.000001")"), "$.rates.Italy.marketing",
       "above 1000000, the most a message may cost"},
      {replace(good, R"("0.0691")", "0.0691"), "$.rates.Italy.marketing", "exact decimal string"},
      {replace(good, R"({"up_to":2,"rate":"0.0014"},{"up_to":null)",
               R"({"up_to":2,"rate":"0.0014"},{"up_to":2)"),
       "$.tiers.India.utility[1].up_to", "tiers overlap"},
      {replace(good, R"({"up_to":null,"rate":"0.0012"})", R"({"up_to":5,"rate":"0.0012"})"),
       "$.tiers.India.utility", "open-ended"},
      {replace(good, R"("Italy":{"marketing")", R"("Atlantis":{"marketing")"), "$.rates.Atlantis",
       "not a market"},
      {replace(good, R"("marketing":"0.0691")", R"("service":"0.0691")"), "$.rates.Italy.service",
       "not a rate of model"},
      {"[1,2]", "$", "JSON object"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto r = parse_rate_card(c.json, "cards/bad.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().where == c.where);
    CHECK_THAT(r.error().message, test::contains_substring(c.says));
    CHECK_THAT(r.error().message, test::contains_substring("cards/bad.json"));
  }
  CHECK(parse_rate_card(replace(good, R"("0.0691")", R"("1000000")")));  // the highest rate is taken
  CHECK(parse_rate_card("{", "x.json").error().code == "pricing.invalid_card");
  CHECK(parse_rate_card(replace(good, R"("model":"pmp_2025")", R"("model":"flat")"), "x.json").error().code ==
        "pricing.unknown_model");
}

TEST_CASE("the card in force is the latest not after the charge's date", "[pricing][card]") {
  rate_cards cards;
  REQUIRE(cards.add(card(card_json("pmp_2025", "2025-07-01"))));
  auto newer = card_json("pmp_2025", "2026-01-01");
  newer.replace(newer.find("0.0691"), 6, "0.0800");
  REQUIRE(cards.add(card(newer)));
  CHECK(cards.find(pricing_model::pmp_2025, date::year{2025} / 12 / 31)->rate("Italy", "marketing") ==
        dec("0.0691"));
  CHECK(cards.find(pricing_model::pmp_2025, date::year{2026} / 1 / 1)->rate("Italy", "marketing") ==
        dec("0.0800"));
  CHECK(cards.find(pricing_model::pmp_2025, date::year{2025} / 6 / 30) == nullptr);
  CHECK(cards.add(card(card_json("pmp_2025", "2025-07-01"))).error().code == "pricing.invalid_card");

  // In the business's zone: 23:30 UTC on 31 December is already 2026 in Rome.
  ledger book(cards, {.model = pricing_model::pmp_2025});
  book.add_business(
      {"rome", time_zone::locate("Europe/Rome").value(), country::unchecked("IT"), std::nullopt});
  REQUIRE(book.outbound(at("2025-12-31T20:00:00Z"), "rome", num(maria), "m1", true, marketing));
  CHECK((*book.status(at("2025-12-31T23:30:00Z"), "m1", message_status::delivered))->amount == dec("0.0800"));
  REQUIRE(book.outbound(at("2025-12-31T20:00:00Z"), "rome", num(maria), "m2", true, marketing));
  CHECK((*book.status(at("2025-12-31T22:59:59Z"), "m2", message_status::delivered))->amount == dec("0.0691"));
}

TEST_CASE("model in force by date", "[pricing]") {
  CHECK(model_in_force(date::year{2022} / 1 / 31) == pricing_model::legacy_2018);
  CHECK(model_in_force(date::year{2022} / 2 / 1) == pricing_model::cbp_2022);
  CHECK(model_in_force(date::year{2023} / 5 / 31) == pricing_model::cbp_2022);
  CHECK(model_in_force(date::year{2023} / 6 / 1) == pricing_model::cbp_2023);
  CHECK(model_in_force(date::year{2025} / 6 / 30) == pricing_model::cbp_2023);
  CHECK(model_in_force(date::year{2025} / 7 / 1) == pricing_model::pmp_2025);
}

TEST_CASE("legacy_2018: free for 24 hours after the customer's message, then per message",
          "[pricing][legacy]") {
  fixture f(pricing_model::legacy_2018);
  f.in("2020-03-01T09:00:00Z", maria, "in1");
  f.out("2020-03-02T08:59:59Z", maria, "m1", std::nullopt);  // 23:59:59 after
  f.out("2020-03-02T09:00:00Z", maria, "m2", utility);       // exactly 24 h after
  f.out("2020-03-02T09:00:00Z", priya, "m3", std::nullopt);
  auto free = f.delivered("2020-03-02T10:00:00Z", "m1");
  CHECK(free->reason == charge_reason::inside_service_window);
  CHECK(free->free);
  CHECK(free->amount.is_zero());
  auto paid = f.delivered("2020-03-02T10:00:00Z", "m2");
  CHECK_FALSE(paid->free);
  CHECK(paid->amount == dec("0.0500"));
  CHECK(paid->category == "message");
  CHECK(f.delivered("2020-03-02T10:00:00Z", "m3")->amount == dec("0.0100"));
}

TEST_CASE("pmp_2025: templates by category, utility free in the window, free-form free", "[pricing][pmp]") {
  fixture f(pricing_model::pmp_2025);
  f.in("2025-07-03T09:00:00Z", maria, "in1");
  f.out("2025-07-03T09:10:00Z", maria, "reply", std::nullopt);
  f.out("2025-07-03T09:20:00Z", maria, "u_in", utility);
  f.out("2025-07-03T09:30:00Z", maria, "mk_in", marketing);
  f.out("2025-07-04T09:00:00Z", maria, "u_out", utility);  // exactly 24 h: the window is closed
  f.out("2025-07-04T10:00:00Z", maria, "auth", authentication);
  CHECK(f.delivered("2025-07-03T09:10:01Z", "reply")->reason == charge_reason::free_form);
  CHECK(f.delivered("2025-07-03T09:20:01Z", "u_in")->reason == charge_reason::utility_in_window);
  CHECK(f.delivered("2025-07-03T09:30:01Z", "mk_in")->amount == dec("0.0691"));
  CHECK(f.delivered("2025-07-04T09:00:01Z", "u_out")->amount == dec("0.0300"));
  CHECK(f.delivered("2025-07-04T10:00:01Z", "auth", message_status::read)->amount == dec("0.0300"));

  // A status again, late or out of order, charges nothing more.
  CHECK_FALSE(f.delivered("2025-07-04T11:00:00Z", "auth", message_status::delivered).has_value());
  CHECK_FALSE(f.delivered("2025-07-04T11:00:00Z", "auth", message_status::read).has_value());
  // A failed message costs nothing; statuses after it change nothing.
  f.out("2025-07-05T10:00:00Z", maria, "lost", marketing);
  CHECK_FALSE(f.delivered("2025-07-05T10:00:01Z", "lost", message_status::sent).has_value());
  CHECK_FALSE(f.delivered("2025-07-05T10:00:02Z", "lost", message_status::failed).has_value());
  CHECK_FALSE(f.delivered("2025-07-05T10:00:03Z", "lost", message_status::delivered).has_value());
  CHECK(f.book.status(at("2025-07-05T10:00:00Z"), "ghost", message_status::delivered).error().code ==
        "pricing.unknown_message");

  const auto inv = f.book.invoice();
  decimal sum;
  for (const auto& l : inv.lines) sum += l.amount;
  CHECK(sum == inv.total);
  CHECK(inv.total == dec("0.1291"));
  CHECK(inv.total_settled == money(13, currencies::usd));
  CHECK(
      f.book.explain("u_out")->explanation ==
      "pmp_2025: a utility template delivered 2025-07-04T09:00:01Z to +393331234567 (market Italy): 0.03 USD "
      "utility (tier 0:MAX), charged 1 of the month for this category and market");
}

TEST_CASE("pmp_2025: volume tiers count charged messages per business, category, market and month",
          "[pricing][pmp][tiers]") {
  fixture f(pricing_model::pmp_2025);
  // A free utility message (inside the window) does not count toward the tier.
  f.in("2025-08-01T08:00:00Z", priya, "in1");
  f.out("2025-08-01T08:30:00Z", priya, "free", utility);
  CHECK(f.delivered("2025-08-01T08:30:01Z", "free")->reason == charge_reason::utility_in_window);
  f.in("2025-08-01T08:00:00Z", priya, "in1");  // harmless repeat
  for (int i = 1; i <= 3; ++i) {
    const auto id = fmt::format("u{}", i);
    REQUIRE(f.book.outbound(at("2025-08-03T09:00:00Z"), "b1", num(priya), id, true, utility));
    auto c = *f.book.status(at("2025-08-03T09:00:01Z"), id, message_status::delivered);
    INFO(i);
    CHECK(c->amount ==
          (i <= 2 ? dec("0.0014") : dec("0.0012")));  // the last of tier 1, then the first of tier 2
    CHECK(c->tier == (i <= 2 ? "0:2" : "3:MAX"));
  }
  // A new month starts again at tier 1.
  REQUIRE(f.book.outbound(at("2025-09-01T00:00:00Z"), "b1", num(priya), "sep", true, utility));
  CHECK((*f.book.status(at("2025-09-01T00:00:01Z"), "sep", message_status::delivered))->tier == "0:2");
  // Another business counts on its own.
  REQUIRE(f.book.outbound(at("2025-08-03T09:00:00Z"), "b2", num(priya), "b2u", true, utility));
  CHECK((*f.book.status(at("2025-08-03T09:00:01Z"), "b2u", message_status::delivered))->tier == "0:2");
}

TEST_CASE("pmp_2025: a month boundary in the business's time zone", "[pricing][pmp][tiers]") {
  fixture f(pricing_model::pmp_2025);
  f.book.add_business(
      {"rome", time_zone::locate("Europe/Rome").value(), country::unchecked("IT"), std::nullopt});
  for (int i = 1; i <= 2; ++i) {
    const auto id = fmt::format("jul{}", i);
    REQUIRE(f.book.outbound(at("2025-07-31T10:00:00Z"), "rome", num(priya), id, true, utility));
    REQUIRE(f.book.status(at("2025-07-31T10:00:01Z"), id, message_status::delivered));
  }
  // 22:30 UTC on 31 July is 00:30 on 1 August in Rome: a new month, tier 1 again.
  REQUIRE(f.book.outbound(at("2025-07-31T22:00:00Z"), "rome", num(priya), "aug", true, utility));
  auto c = *f.book.status(at("2025-07-31T22:30:00Z"), "aug", message_status::delivered);
  CHECK(c->month == "2025-08");
  CHECK(c->tier == "0:2");
}

TEST_CASE("pmp_2025: authentication-international on and off", "[pricing][pmp][auth]") {
  fixture f(pricing_model::pmp_2025);
  f.book.add_business({"it_shop", time_zone::utc(), country::unchecked("IT"), date::year{2025} / 8 / 1});
  f.book.add_business({"in_shop", time_zone::utc(), country::unchecked("IN"), date::year{2025} / 8 / 1});
  auto auth = [&](const char* biz, const char* when, const char* id) {
    REQUIRE(f.book.outbound(at(when), biz, num(priya), id, true, authentication));
    return (*f.book.status(at(when), id, message_status::delivered))->amount;
  };
  CHECK(auth("it_shop", "2025-07-31T23:59:59Z", "before") == dec("0.0014"));  // not yet eligible
  CHECK(auth("it_shop", "2025-08-01T00:00:00Z", "from") == dec("0.0280"));    // eligible, another country
  CHECK(auth("in_shop", "2025-08-02T00:00:00Z", "home") == dec("0.0014"));    // same country
  CHECK(f.book.explain("from")->category == "authentication_international");
}

TEST_CASE("free entry point: 72 hours from the answer to a referral, if within 24 hours", "[pricing][fep]") {
  for (auto model : {pricing_model::pmp_2025, pricing_model::cbp_2023, pricing_model::cbp_2022}) {
    INFO(to_string(model));
    fixture f(model);
    f.in("2024-03-01T09:00:00Z", maria, "ad", true);
    f.out("2024-03-02T08:59:00Z", maria, "answer", std::nullopt);
    CHECK(f.delivered("2024-03-02T08:59:59Z", "answer")->reason ==
          charge_reason::free_entry_point);  // 23:59:59 after
    f.out("2024-03-05T08:00:00Z", maria, "inside", marketing);
    CHECK(f.delivered("2024-03-05T08:59:58Z", "inside")->reason ==
          charge_reason::free_entry_point);  // 72 h - 1 s
    f.out("2024-03-05T08:00:00Z", maria, "after", marketing);
    // Exactly 72 h: no longer the entry point (cbp_2022 may still count it among the month's free 1,000).
    CHECK(f.delivered("2024-03-05T08:59:59Z", "after")->reason != charge_reason::free_entry_point);
  }
  fixture late(pricing_model::pmp_2025);
  late.in("2025-08-01T09:00:00Z", maria, "ad", true);
  late.out("2025-08-02T08:00:00Z", maria, "slow", marketing);
  CHECK_FALSE(late.delivered("2025-08-02T09:00:00Z", "slow")->free);  // delivered exactly 24 h after
}

TEST_CASE("cbp_2022: conversations, user- or business-initiated, 1,000 free a month", "[pricing][cbp2022]") {
  fixture f(pricing_model::cbp_2022);
  f.in("2022-05-02T09:00:00Z", maria, "in1");
  f.out("2022-05-02T09:10:00Z", maria, "reply", std::nullopt);
  auto first = f.delivered("2022-05-02T09:10:01Z", "reply");
  CHECK(first->category == "user_initiated");
  CHECK(first->reason == charge_reason::free_tier_conversation);
  f.out("2022-05-03T09:10:00Z", maria, "same_conv", utility);
  CHECK(f.delivered("2022-05-03T09:10:00Z", "same_conv")->reason == charge_reason::conversation_open);
  // 999 more conversations with other customers make 1,000, all free; the 1,001st is not.
  for (int i = 0; i < 1000; ++i) {
    const auto id = fmt::format("c{}", i);
    const auto customer = num(fmt::format("+3934000{:05}", i).c_str());
    REQUIRE(f.book.outbound(at("2022-05-10T10:00:00Z"), "b1", customer, id, true, marketing));
    auto c = *f.book.status(at("2022-05-10T10:00:01Z"), id, message_status::delivered);
    if (i < 999) {
      REQUIRE(c->reason == charge_reason::free_tier_conversation);
    } else {
      CHECK_FALSE(c->free);
      CHECK(c->reason == charge_reason::opened_conversation);  // the 1,001st conversation of May
      CHECK(c->category == "business_initiated");
      CHECK(c->amount == dec("0.0600"));
    }
  }
  // June starts a new count.
  f.out("2022-06-01T00:00:00Z", priya, "june", marketing);
  CHECK(f.delivered("2022-06-01T00:00:01Z", "june")->reason == charge_reason::free_tier_conversation);
}

TEST_CASE("cbp_2023: one conversation per category; service only when nothing is open",
          "[pricing][cbp2023]") {
  fixture f(pricing_model::cbp_2023);
  f.out("2024-02-01T00:00:00Z", maria, "mk", marketing);
  CHECK(f.delivered("2024-02-01T00:00:01Z", "mk")->amount == dec("0.0691"));
  f.out("2024-02-01T04:00:00Z", maria, "u1", utility);
  CHECK(f.delivered("2024-02-01T04:00:01Z", "u1")->amount == dec("0.0300"));  // a utility conversation opens
  f.out("2024-02-01T10:00:00Z", maria, "u2", utility);
  CHECK(f.delivered("2024-02-01T10:00:01Z", "u2")->reason == charge_reason::category_conversation_open);
  f.in("2024-02-01T11:00:00Z", maria, "in1");
  f.out("2024-02-01T11:10:00Z", maria, "svc", std::nullopt);
  CHECK(f.delivered("2024-02-01T11:10:01Z", "svc")->reason == charge_reason::conversation_open);
  // Once every conversation has closed, a free-form reply opens a service conversation: free within 1,000
  // before November 2024.
  f.in("2024-02-03T09:00:00Z", maria, "in2");
  f.out("2024-02-03T09:10:00Z", maria, "svc2", std::nullopt);
  auto svc2 = f.delivered("2024-02-03T09:10:01Z", "svc2");
  CHECK(svc2->reason == charge_reason::free_tier_service);
  CHECK(svc2->category == "service");
  // From 2024-11-01 service conversations are free whatever the count.
  f.in("2024-11-01T09:00:00Z", maria, "in3");
  f.out("2024-11-01T09:10:00Z", maria, "svc3", std::nullopt);
  CHECK(f.delivered("2024-11-01T09:10:01Z", "svc3")->reason == charge_reason::service_conversation_free);
}

TEST_CASE("auto: the model in force when the message was sent, in the business's zone", "[pricing]") {
  fixture f;
  f.book.add_business(
      {"rome", time_zone::locate("Europe/Rome").value(), country::unchecked("IT"), std::nullopt});
  // 22:30 UTC on 30 June 2025 is already 1 July in Rome: per-message pricing.
  REQUIRE(f.book.outbound(at("2025-06-30T22:30:00Z"), "rome", num(maria), "m", true, marketing));
  CHECK((*f.book.status(at("2025-06-30T22:31:00Z"), "m", message_status::delivered))->model ==
        pricing_model::pmp_2025);
  REQUIRE(f.book.outbound(at("2025-06-30T21:30:00Z"), "rome", num(maria), "c", true, marketing));
  CHECK((*f.book.status(at("2025-06-30T21:31:00Z"), "c", message_status::delivered))->model ==
        pricing_model::cbp_2023);
}

TEST_CASE("bad events are refused without changing any charge", "[pricing]") {
  fixture f(pricing_model::pmp_2025);
  f.out("2025-07-03T09:00:00Z", maria, "m1", marketing);
  CHECK(f.book.outbound(at("2025-07-03T09:00:00Z"), "b1", num(maria), "m1", true, marketing).error().code ==
        "pricing.duplicate_id");
  CHECK(
      f.book.outbound(at("2025-07-03T09:00:00Z"), "b1", num(maria), "m2", true, std::nullopt).error().code ==
      "pricing.invalid_event");
  CHECK(f.book.outbound(at("2025-07-03T09:00:00Z"), "b1", phone_number{}, "m3", false, std::nullopt)
            .error()
            .code == "pricing.invalid_event");
  CHECK(f.delivered("2025-07-03T09:00:01Z", "m1")->amount == dec("0.0691"));
  CHECK(f.book.invoice().total == dec("0.0691"));
}

TEST_CASE("forecasts split planned sends across tiers and leave window sends free", "[pricing][forecast]") {
  rate_cards cards;
  const char* json = R"({"model":"pmp_2025","effective_from":"2026-01-01","currency":"USD",
    "markets":[{"name":"India","calling_codes":["91"]},{"name":"Italy","calling_codes":["39"]}],
    "rates":{"India":{"marketing":"0.0118"},"Italy":{"marketing":"0.0691","utility":"0.0300","authentication":"0.0300"},
             "Other":{"marketing":"0.0604","utility":"0.0077","authentication":"0.0077"}},
    "tiers":{"India":{"utility":[{"up_to":25000000,"rate":"0.0014"},{"up_to":null,"rate":"0.0012"}],
                      "authentication":[{"up_to":null,"rate":"0.0014"}]}}})";
  REQUIRE(cards.add(parse_rate_card(json).value()));
  auto plan =
      forecast_plan_from_json(nlohmann::ordered_json::parse(R"({"model":"pmp_2025","date":"2026-03-01",
    "sends":[{"market":"India","category":"utility","count":100,"share_in_window":"0.30","volume_so_far":24999990},
             {"market":"Italy","category":"marketing","count":1000,"share_in_window":"0.50"}]})"));
  REQUIRE(plan);
  auto f = estimate(cards, *plan);
  REQUIRE(f);
  REQUIRE(f->lines.size() == 3);
  CHECK(f->lines[0].tier == "0:25000000");
  CHECK(f->lines[0].count == 10);  // the last 10 of tier 1
  CHECK(f->lines[1].tier == "25000001:MAX");
  CHECK(f->lines[1].count == 60);    // 70 charged utility messages in all
  CHECK(f->lines[2].count == 1000);  // marketing is charged inside the window too
  CHECK(f->free == 30);
  CHECK(f->total == dec("0.0140") + dec("0.0720") + dec("69.1"));

  // legacy_2018: everything inside the window is free.
  rate_cards old;
  REQUIRE(old.add(card(card_json("legacy_2018", "2018-01-01"))));
  forecast_plan legacy;
  legacy.model = pricing_model::legacy_2018;
  legacy.date = date::year{2020} / 1 / 1;
  legacy.sends = {{"Italy", template_category::marketing, 10, dec("0.2"), 0}};
  auto l = estimate(old, legacy).value();
  CHECK(l.total == dec("0.4000"));  // 8 charged at 0.0500
  CHECK(l.free == 2);

  legacy.sends[0].share_in_window = dec("1.5");
  CHECK(estimate(old, legacy).error().code == "pricing.invalid_plan");
  legacy.sends[0].share_in_window = dec("0.2");
  // Counts that would wrap around, and costs beyond the exact range, are refused by name.
  legacy.sends[0].count = 18'446'744'073'709'551'615ULL;
  auto wrap = estimate(old, legacy);
  REQUIRE_FALSE(wrap);
  CHECK(wrap.error().code == "pricing.invalid_plan");
  CHECK(wrap.error().where == "sends[0].count");
  legacy.sends[0].count = 10;
  legacy.sends[0].volume_so_far = 18'446'744'073'709'551'615ULL;
  CHECK(estimate(old, legacy).error().where == "sends[0].volume_so_far");
  legacy.sends[0].volume_so_far = 0;
  rate_cards dear;
  REQUIRE(dear.add(card(R"({"model":"legacy_2018","effective_from":"2018-01-01","currency":"USD",
    "markets":[{"name":"Italy","calling_codes":["39"]}],"default_market":"Other",
    "rates":{"Italy":{"message":"1000000"},"Other":{"message":"1"}}})")));
  legacy.sends[0].count = 1'000'000'000'000;
  auto too_large = estimate(dear, legacy);
  REQUIRE_FALSE(too_large);
  CHECK(too_large.error().code == "pricing.too_large");
  CHECK(too_large.error().where == "sends[0]");
  legacy.sends[0].count = 10;
  CHECK(estimate(dear, legacy).value().total == dec("8000000"));  // 8 charged at the highest rate
  legacy.date = date::year{2010} / 1 / 1;
  CHECK(estimate(old, legacy).error().code == "pricing.no_rate_card");
  for (
      const char* bad :
      {R"([])", R"({"model":"x","date":"2026-01-01","sends":[]})",
       R"({"model":"pmp_2025","date":"2026-13-01","sends":[]})",
       R"({"model":"pmp_2025","date":"2026-01-01","sends":[{"market":"India","category":"promo","count":1}]})",
       R"({"model":"pmp_2025","date":"2026-01-01","sends":[{"market":"India","category":"utility","count":-1}]})",
       R"({"model":"pmp_2025","date":"2026-01-01","sends":[{"market":"India","category":"utility","count":1,"share_in_window":0.3}]})"}) {
    INFO(bad);
    CHECK(forecast_plan_from_json(nlohmann::ordered_json::parse(bad)).error().code == "pricing.invalid_plan");
  }
}

TEST_CASE("record_status prices exactly as status does, without building charges", "[pricing]") {
  // The same stream through both calls, across all four models and several markets.
  fixture with_charges;
  fixture in_short(std::nullopt, {});
  const char* const customers[] = {maria, priya, "+12125550100", "+18095550100", "+4915112345678"};
  const template_category categories[] = {marketing, utility, authentication};
  auto t = at("2021-12-20T08:00:00Z");
  for (int i = 0; i < 3000; ++i) {
    const auto* customer = customers[i % 5];
    const auto id = fmt::format("m{}", i);
    if (i % 4 == 0) {
      REQUIRE(with_charges.book.inbound(t, "b1", num(customer), "in", i % 8 == 0));
      REQUIRE(in_short.book.inbound(t, "b1", num(customer), "in", i % 8 == 0));
    }
    const bool is_template = i % 3 != 0;
    const auto cat = is_template ? std::optional{categories[i % 3]} : std::nullopt;
    REQUIRE(with_charges.book.outbound(t, "b1", num(customer), id, is_template, cat));
    REQUIRE(in_short.book.outbound(t, "b1", num(customer), id, is_template, cat));
    const auto status = i % 11 == 0 ? message_status::failed : message_status::delivered;
    const auto later = t + std::chrono::minutes{1 + i % 7};
    auto c = with_charges.book.status(later, id, status);
    auto e = in_short.book.record_status(later, id, status);
    REQUIRE(c);
    REQUIRE(e);
    REQUIRE(c->has_value() == e->priced);
    if (e->priced) {
      CHECK((*c)->amount == e->amount);
      CHECK((*c)->free == e->free);
      CHECK((*c)->reason == e->reason);
    }
    // A read after the delivery changes nothing.
    auto r = in_short.book.record_status(later + 1s, id, message_status::read);
    REQUIRE(r);
    CHECK_FALSE(r->priced);
    t += std::chrono::hours{11};  // about 3.8 years in all: every model, many months
  }
  const auto a = with_charges.book.invoice();
  const auto b = in_short.book.invoice();
  check_same(a, b);
  CHECK(a.total > decimal{});
  // Every model priced something (cbp_2022's conversations all fell in the free tier).
  for (auto m : {pricing_model::legacy_2018, pricing_model::cbp_2023, pricing_model::pmp_2025})
    CHECK(std::any_of(a.lines.begin(), a.lines.end(), [m](const invoice_line& l) { return l.model == m; }));
  CHECK(std::any_of(a.free.begin(), a.free.end(), [](const invoice_free& l) {
    return l.reason == charge_reason::free_tier_conversation || l.reason == charge_reason::free_tier_service;
  }));
}

TEST_CASE("finished ids are remembered for a bounded time and number", "[pricing]") {
  SECTION("by time: at least the window, forgotten after two") {
    fixture f(pricing_model::pmp_2025,
              {.remember_ids_for = 1h, .remember_ids_at_most = 1000, .explain_all = true});
    f.out("2025-07-03T09:00:00Z", maria, "m0", marketing);
    f.delivered("2025-07-03T09:00:01Z", "m0");
    f.out("2025-07-03T11:00:00Z", maria, "m1", marketing);
    f.delivered("2025-07-03T11:00:01Z", "m1");  // a new generation: m0 is still remembered
    CHECK_FALSE(f.delivered("2025-07-03T11:30:00Z", "m0", message_status::read));
    f.out("2025-07-03T13:00:00Z", maria, "m2", marketing);
    f.delivered("2025-07-03T13:00:01Z", "m2");  // another: m0 is forgotten, m1 is not
    auto late = f.book.status(at("2025-07-03T13:30:00Z"), "m0", message_status::read);
    REQUIRE_FALSE(late);
    CHECK(late.error().code == "pricing.unknown_message");
    CHECK_FALSE(f.delivered("2025-07-03T13:30:00Z", "m1", message_status::read));
    CHECK(f.book.invoice().total == dec("0.2073"));  // three marketing templates, each charged once
  }
  SECTION("by number: at most about twice the generation size") {
    // Generations of two ids.
    fixture f(pricing_model::pmp_2025,
              {.remember_ids_for = 48h, .remember_ids_at_most = 4, .explain_all = true});
    for (const char* id : {"a", "b", "c", "d", "e"}) {
      f.out("2025-07-03T09:00:00Z", maria, id, marketing);
      f.delivered("2025-07-03T09:00:01Z", id);
    }
    CHECK(f.book.status(at("2025-07-03T09:01:00Z"), "a", message_status::read).error().code ==
          "pricing.unknown_message");
    CHECK(f.book.status(at("2025-07-03T09:01:00Z"), "b", message_status::read).error().code ==
          "pricing.unknown_message");
    CHECK_FALSE(f.delivered("2025-07-03T09:01:00Z", "c", message_status::read));
    CHECK_FALSE(f.delivered("2025-07-03T09:01:00Z", "d", message_status::read));
    CHECK_FALSE(f.delivered("2025-07-03T09:01:00Z", "e", message_status::read));
    // A remembered id is refused when sent again; a forgotten one is a new message.
    CHECK(f.book.outbound(at("2025-07-03T09:02:00Z"), "b1", num(maria), "d", true, marketing).error().code ==
          "pricing.duplicate_id");
    CHECK(f.book.outbound(at("2025-07-03T09:02:00Z"), "b1", num(maria), "a", true, marketing));
  }
  SECTION("by default a read two days later is still recognised") {
    fixture f(pricing_model::pmp_2025);
    f.out("2025-07-03T09:00:00Z", maria, "m0", marketing);
    f.delivered("2025-07-03T09:00:01Z", "m0");
    f.out("2025-07-05T08:00:00Z", maria, "m1", marketing);
    f.delivered("2025-07-05T08:00:01Z", "m1");
    CHECK_FALSE(f.delivered("2025-07-05T09:00:00Z", "m0", message_status::read));
  }
}

namespace {

/// A mixed stream over every model: referrals, templates and free-form,
/// failures, late reads, and events that must be refused (an id sent twice, a
/// status for an unknown id, an outbound without a customer, a template
/// without its category). `ids` keeps the events' strings.
std::vector<pricing_event> mixed_stream(std::vector<std::string>& ids) {
  const char* const customers[] = {maria, priya, "+12125550100", "+18095550100", "+4915112345678"};
  const template_category categories[] = {marketing, utility, authentication};
  std::vector<pricing_event> events;
  ids.reserve(4000);
  auto t = at("2021-12-20T08:00:00Z");
  for (int i = 0; i < 1500; ++i) {
    const auto customer = num(customers[i % 5]);
    const std::string& id =
        ids.emplace_back(fmt::format("m{}", i % 997 == 5 ? i - 1 : i));  // some reuse an id
    if (i % 4 == 0) {
      pricing_event in;
      in.type = pricing_event::kind::inbound;
      in.at = t;
      in.business = i % 3 == 0 ? "b2" : "b1";
      in.customer = customer;
      in.referral = i % 8 == 0;
      events.push_back(in);
    }
    pricing_event out;
    out.type = pricing_event::kind::outbound;
    out.at = t;
    out.business = i % 3 == 0 ? "b2" : "b1";
    out.id = id;
    out.customer = i % 101 == 7 ? phone_number{} : customer;  // refused: no customer
    out.is_template = i % 3 != 0;
    out.category = out.is_template && i % 131 != 9 ? std::optional{categories[i % 3]} : std::nullopt;
    events.push_back(out);
    pricing_event st;
    st.type = pricing_event::kind::status;
    st.at = t + std::chrono::minutes{1 + i % 7};
    st.id = id;
    st.status = i % 11 == 0 ? message_status::failed : message_status::delivered;
    events.push_back(st);
    st.at += 1s;
    st.status = message_status::read;  // late: changes nothing
    events.push_back(st);
    if (i % 50 == 0) {
      st.id = ids.emplace_back(fmt::format("nobody{}", i));  // refused: unknown id
      events.push_back(st);
    }
    t += std::chrono::hours{11};
  }
  return events;
}

/// Applies one event through the one-event calls; the error if refused.
std::optional<error> one(ledger& book, const pricing_event& e) {
  switch (e.type) {
    case pricing_event::kind::inbound:
      if (auto r = book.inbound(e.at, e.business, e.customer, e.id, e.referral); !r) return r.error();
      break;
    case pricing_event::kind::outbound:
      if (auto r = book.outbound(e.at, e.business, e.customer, e.id, e.is_template, e.category); !r)
        return r.error();
      break;
    case pricing_event::kind::status:
      if (auto r = book.record_status(e.at, e.id, e.status); !r) return r.error();
      break;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("apply prices a run of events exactly as one call per event does", "[pricing]") {
  std::vector<std::string> ids;
  const auto events = mixed_stream(ids);
  fixture by_call;
  std::vector<std::pair<std::size_t, std::string>> refused_by_call;
  for (std::size_t i = 0; i < events.size(); ++i)
    if (auto e = one(by_call.book, events[i])) refused_by_call.emplace_back(i, e->to_string());
  // Every kind of refusal is in the stream.
  for (const char* code : {"pricing.duplicate_id", "pricing.unknown_message", "pricing.invalid_event"})
    CHECK(std::any_of(refused_by_call.begin(), refused_by_call.end(), [code](const auto& r) {
      return r.second.find(fmt::format("[chatdesk.{}]", code)) == 0;
    }));

  // In runs of several lengths (1 event, a few, more than the look-ahead, the rest).
  for (std::size_t run :
       {std::size_t{1}, std::size_t{3}, std::size_t{17}, std::size_t{1000}, events.size()}) {
    INFO("runs of " << run);
    fixture by_run;
    std::vector<std::pair<std::size_t, std::string>> refused;
    for (std::size_t from = 0; from < events.size(); from += run) {
      const auto n = std::min(run, events.size() - from);
      for (auto& p : by_run.book.apply(std::span(events).subspan(from, n)))
        refused.emplace_back(from + p.line, p.problem.to_string());  // the code, the words and where
    }
    CHECK(refused == refused_by_call);
    check_same(by_run.book.invoice(), by_call.book.invoice());
    // Explanations are kept the same way.
    for (const char* id : {"m1", "m2", "m100", "m1499"}) {
      const auto a = by_run.book.explain(id);
      const auto b = by_call.book.explain(id);
      REQUIRE(a.has_value() == b.has_value());
      if (a) CHECK(a->explanation == b->explanation);
    }
  }
  CHECK(by_call.book.invoice().total > decimal{});
}

TEST_CASE("reserve changes no price, before a stream or in the middle of one", "[pricing]") {
  std::vector<std::string> ids;
  const auto events = mixed_stream(ids);
  fixture plain;
  const auto refused = plain.book.apply(events);
  const auto half = events.size() / 2;
  // Reserved for less than comes (the tables grow past it), for far more, and
  // in the middle of the stream, when the tables already hold pairs and ids.
  for (const auto& [pairs, messages, at_event] :
       {std::tuple{std::size_t{2}, std::size_t{3}, std::size_t{0}},
        std::tuple{std::size_t{100'000}, std::size_t{2'000'000}, std::size_t{0}},
        std::tuple{std::size_t{50'000}, std::size_t{400'000}, half}}) {
    INFO(pairs << " pairs, " << messages << " messages, reserved at event " << at_event);
    fixture reserved;
    std::vector<pricing_problem> got;
    for (auto& p : reserved.book.apply(std::span(events).first(at_event))) got.push_back(std::move(p));
    reserved.book.reserve(pairs, messages);
    for (auto& p : reserved.book.apply(std::span(events).subspan(at_event))) {
      p.line += at_event;
      got.push_back(std::move(p));
    }
    REQUIRE(got.size() == refused.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].line == refused[i].line);
      CHECK(got[i].problem == refused[i].problem);
    }
    check_same(reserved.book.invoice(), plain.book.invoice());
    CHECK(reserved.book.outbound(at("2030-01-01T00:00:00Z"), "b1", num(maria), "m1499", true, marketing)
              .error()
              .code == "pricing.duplicate_id");
  }
  // What the tables hold when the reserve moves them is still there after it:
  // a finished id, a message in flight and the pair's window.
  fixture f;
  f.in("2025-08-01T10:00:00Z", maria, "i1");
  f.out("2025-08-01T10:01:00Z", maria, "done", utility);
  REQUIRE(f.book.record_status(at("2025-08-01T10:02:00Z"), "done", message_status::delivered));
  f.out("2025-08-01T10:03:00Z", maria, "flying", utility);
  f.book.reserve(200'000, 3'000'000);
  CHECK(f.book.outbound(at("2025-08-01T10:04:00Z"), "b1", num(maria), "done", true, utility).error().code ==
        "pricing.duplicate_id");
  const auto flying = f.book.status(at("2025-08-01T10:05:00Z"), "flying", message_status::delivered);
  REQUIRE(flying);
  REQUIRE(flying->has_value());
  CHECK((*flying)->reason == charge_reason::utility_in_window);  // the window opened before the reserve
}

TEST_CASE("problems are listed up to a limit and all counted by code", "[pricing]") {
  fixture f(std::nullopt, {.problems_listed = 10});
  for (std::size_t line = 1; line <= 5000; ++line)
    f.book.report({line, make_error(line % 3 == 0 ? "pricing.syntax" : "pricing.out_of_order",
                                    fmt::format("line {} is bad", line))});
  // A refused status is reported by the caller, as price_events does.
  auto refused = f.book.record_status(at("2025-07-01T00:00:00Z"), "nobody", message_status::read);
  REQUIRE_FALSE(refused);
  f.book.report({5001, refused.error()});
  const auto inv = f.book.invoice();
  REQUIRE(inv.problems.size() == 10);
  for (std::size_t i = 0; i < 10; ++i) {  // the first ones, in order
    CHECK(inv.problems[i].line == i + 1);
    CHECK(inv.problems[i].problem.message == fmt::format("line {} is bad", i + 1));
  }
  CHECK(inv.problems_total == 5001);
  const std::vector<problem_count> expected{
      {"pricing.out_of_order", 3334}, {"pricing.syntax", 1666}, {"pricing.unknown_message", 1}};
  CHECK(inv.problem_counts == expected);
  // None listed, all still counted.
  fixture quiet(std::nullopt, {.problems_listed = 0});
  quiet.book.report({1, make_error("pricing.syntax", "bad")});
  CHECK(quiet.book.invoice().problems.empty());
  CHECK(quiet.book.invoice().problems_total == 1);
  // The default lists the first 1,000.
  fixture plain;
  for (std::size_t line = 1; line <= 1001; ++line)
    plain.book.report({line, make_error("pricing.syntax", "bad")});
  CHECK(plain.book.invoice().problems.size() == 1000);
  CHECK(plain.book.invoice().problems.back().line == 1000);
  // reset forgets them all.
  f.book.reset();
  CHECK(f.book.invoice().problems_total == 0);
  CHECK(f.book.invoice().problem_counts.empty());
}

TEST_CASE("a message that cannot be priced is refused once, with the reason", "[pricing]") {
  rate_cards cards;
  REQUIRE(cards.add(card(card_json("pmp_2025", "2025-07-01"))));
  ledger book(cards);
  // Sent and delivered before the only card is in force.
  const auto early = at("2025-06-30T10:00:00Z");
  REQUIRE(book.outbound(early, "b1", num(maria), "early", true, marketing));
  const auto refused = book.record_status(early + 1s, "early", message_status::delivered);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "pricing.no_rate_card");
  CHECK(refused.error().message ==
        "no cbp_2023 rate card is in force on 2025-06-30 (the business's date in UTC) for message 'early'");
  // Finished: its read status changes nothing, its id is not taken again.
  CHECK(book.record_status(early + 2s, "early", message_status::read));
  CHECK(book.outbound(early + 3s, "b1", num(maria), "early", true, marketing).error().code ==
        "pricing.duplicate_id");
  CHECK(book.invoice().total == decimal{});

  // (`pricing.no_rate` is not reached with cards that load: a card must give every market a rate for
  // every key of its model.)
}

TEST_CASE("a message not delivered within 30 days is finished unpriced", "[pricing]") {
  using std::chrono::days;
  fixture f;
  const auto sent = at("2025-08-01T10:00:00Z");
  REQUIRE(f.book.outbound(sent, "b1", num(maria), "lost", true, marketing));
  REQUIRE(f.book.outbound(sent + 1s, "b1", num(maria), "late", true, marketing));
  // 29 days on, both are still waited for.
  REQUIRE(f.book.outbound(sent + days{29}, "b1", num(priya), "silent", true, marketing));
  REQUIRE(f.book.record_status(sent + days{29} + 1s, "late", message_status::delivered)->priced);
  // 30 days and a moment on, "lost" is past its time-to-live: its status changes nothing...
  const auto status = f.book.record_status(sent + days{30} + 2s, "lost", message_status::delivered);
  REQUIRE(status);
  CHECK_FALSE(status->priced);
  // ...and it stays finished: its id is not taken again.
  CHECK(f.book.outbound(sent + days{30} + 3s, "b1", num(maria), "lost", true, marketing).error().code ==
        "pricing.duplicate_id");
  std::uint64_t charged = 0;
  for (const auto& l : f.book.invoice().lines) charged += l.count;
  CHECK(charged == 1);  // "late" only

  // A message left without any status is finished when a later send lets the
  // ledger look (at most an eighth of the time-to-live after it expired)...
  REQUIRE(f.book.outbound(sent + days{64}, "b1", num(priya), "x2", true, marketing));
  // ...and is held no more: once its generation of finished ids is forgotten
  // (two more generations of 48 hours), its id is unknown.
  for (int day : {67, 70}) {
    const auto t = sent + days{day};
    const auto id = fmt::format("later{}", day);
    REQUIRE(f.book.outbound(t, "b1", num(priya), id, true, marketing));
    REQUIRE(f.book.record_status(t + 1s, id, message_status::delivered));
  }
  CHECK(f.book.record_status(sent + days{71}, "silent", message_status::read).error().code ==
        "pricing.unknown_message");

  // A shorter time-to-live (an authentication template's), set by the caller.
  fixture g(std::nullopt, {.undelivered_after = std::chrono::minutes{10}, .explain_all = true});
  REQUIRE(g.book.outbound(sent, "b1", num(maria), "code", true, authentication));
  REQUIRE(g.book.outbound(sent + 9min, "b1", num(maria), "a", true, marketing));
  REQUIRE(g.book.outbound(sent + 11min, "b1", num(maria), "b", true, marketing));
  CHECK_FALSE(g.book.record_status(sent + 12min, "code", message_status::delivered)->priced);
  CHECK(g.book.record_status(sent + 12min, "a", message_status::delivered)->priced);
}

TEST_CASE("an explanation can be kept for the messages asked for only", "[pricing]") {
  rate_cards cards;
  REQUIRE(cards.add(card(card_json("pmp_2025", "2018-01-01"))));
  ledger book(cards, {.explain = {"wanted"}});
  const auto t = at("2025-07-03T09:00:00Z");
  for (const char* id : {"other", "wanted", "third"}) {
    REQUIRE(book.outbound(t, "b1", num(maria), id, true, marketing));
    REQUIRE(book.record_status(t + 1s, id, message_status::delivered));
  }
  const auto wanted = book.explain("wanted");
  REQUIRE(wanted.has_value());
  CHECK(wanted->explanation.find("pmp_2025: a marketing template") == 0);
  CHECK_FALSE(book.explain("other").has_value());
  CHECK_FALSE(book.explain("third").has_value());
}

TEST_CASE("reset forgets everything priced and keeps the cards and businesses", "[pricing]") {
  std::vector<std::string> ids;
  const auto events = mixed_stream(ids);
  fixture fresh;
  pricing_business b2{"b2", time_zone::locate("Asia/Kolkata").value(), country::unchecked("IN"),
                      date::year{2020} / 1 / 1};
  fresh.book.add_business(b2);
  (void)fresh.book.apply(events);

  fixture reused;
  reused.book.add_business(b2);
  (void)reused.book.apply(events);
  reused.book.report({1, make_error("pricing.syntax", "a bad line")});
  REQUIRE(reused.book.explain("m1").has_value());
  const auto later = at("2030-01-01T00:00:00Z");
  // The last ids are remembered (finished or pending) before the reset.
  CHECK(reused.book.outbound(later, "b1", num(maria), "m1499", true, marketing).error().code ==
        "pricing.duplicate_id");
  REQUIRE(reused.book.outbound(later, "b1", num(maria), "pending", true, marketing));
  reused.book.reset();
  // Forgotten after it: both are new messages again, and the status of one not sent again is unknown.
  CHECK(reused.book.outbound(later, "b1", num(maria), "m1499", true, marketing));
  CHECK(reused.book.record_status(later, "pending", message_status::delivered).error().code ==
        "pricing.unknown_message");
  reused.book.reset();
  // Nothing priced is left...
  const auto empty = reused.book.invoice();
  CHECK(empty.total == decimal{});
  CHECK(empty.lines.empty());
  CHECK(empty.free.empty());
  CHECK(empty.problems.empty());
  CHECK_FALSE(reused.book.explain("m1").has_value());
  // ...so the same stream prices as on a new ledger (ids are new again, b2 keeps its zone).
  (void)reused.book.apply(events);
  check_same(reused.book.invoice(), fresh.book.invoice());
  const auto lines = reused.book.invoice().lines;
  CHECK(std::any_of(lines.begin(), lines.end(), [](const invoice_line& l) { return l.business == "b2"; }));
}

TEST_CASE("a referral answered under legacy_2018 opens no entry point for later models",
          "[pricing][legacy]") {
  fixture f;  // the model in force at each send
  f.in("2022-01-31T12:00:00Z", maria, "ad", true);
  f.out("2022-01-31T13:00:00Z", maria, "answer", utility);  // legacy_2018: inside the window
  CHECK(f.delivered("2022-01-31T13:00:01Z", "answer")->reason == charge_reason::inside_service_window);
  // The next day cbp_2022 is in force: within 72 h of the answer, but no entry point was opened.
  f.out("2022-02-01T10:00:00Z", maria, "next", marketing);
  const auto next = f.delivered("2022-02-01T10:00:01Z", "next");
  CHECK(next->model == pricing_model::cbp_2022);
  CHECK(next->reason == charge_reason::free_tier_conversation);
  CHECK(next->category == "user_initiated");
  // The same referral answered under cbp_2022 does open one.
  f.in("2022-02-03T12:00:00Z", priya, "ad2", true);
  f.out("2022-02-03T13:00:00Z", priya, "answer2", utility);
  CHECK(f.delivered("2022-02-03T13:00:01Z", "answer2")->reason == charge_reason::free_entry_point);
}

TEST_CASE("price_events reports its progress every so many lines", "[pricing][events]") {
  fixture f;
  std::string text;
  for (int i = 0; i < 10; ++i)
    text += fmt::format(
        R"({{"at":"2025-07-01T10:00:{:02}Z","type":"inbound","business":"b1","customer":"+393331234567","id":"in{}"}})"
        "\n",
        i, i);
  text += "not json\n";
  std::istringstream in(text);
  std::vector<std::pair<std::size_t, std::size_t>> seen;  // lines, problems
  price_options options;
  options.progress_every = 4;
  options.progress = [&](const pricing_run& so_far) { seen.emplace_back(so_far.lines, so_far.problems); };
  const auto run = price_events(in, {&f.book}, options);
  CHECK(run.lines == 11);
  CHECK(run.events == 10);
  CHECK(run.problems == 1);
  // Called at lines 4 and 8 (before each is applied), never for the rest.
  CHECK(seen == std::vector<std::pair<std::size_t, std::size_t>>{{4, 0}, {8, 0}});
}
