// The pricing module's JSON documents: invoices (written and read back, and
// refused when their numbers do not add up), charges and the businesses file.
#include <string>
#include <vector>

#include "chatdesk/pricing/formats.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "helpers/catch.hpp"
#include "pricing/test_cards.hpp"

using namespace chatdesk;
using ojson = nlohmann::ordered_json;

namespace {

timestamp at(const char* iso) {
  return parse_timestamp(iso).value();
}
phone_number num(const char* s) {
  return phone_number::parse(s).value();
}

/// An invoice with charged lines, free lines and a problem, from a real ledger.
invoice sample() {
  rate_cards cards;
  REQUIRE(cards.add(parse_rate_card(testing::card_json("pmp_2025", "2018-01-01"), "test.json").value()));
  ledger l(cards);
  const auto maria = num("+393331234567");
  const auto priya = num("+919876543210");
  REQUIRE(l.inbound(at("2025-08-01T08:00:00Z"), "b1", maria, "in1"));
  REQUIRE(l.outbound(at("2025-08-01T08:01:00Z"), "b1", maria, "reply", false, std::nullopt));
  REQUIRE(l.outbound(at("2025-08-01T08:02:00Z"), "b1", maria, "promo", true, template_category::marketing));
  for (const char* id : {"u1", "u2", "u3"})
    REQUIRE(l.outbound(at("2025-08-01T08:03:00Z"), "b1", priya, id, true, template_category::utility));
  for (const char* id : {"reply", "promo", "u1", "u2", "u3"})
    REQUIRE(l.status(at("2025-08-01T09:00:00Z"), id, message_status::delivered));
  l.report({7, make_error("pricing.syntax", "line 7 is not JSON")});
  return l.invoice();
}

}  // namespace

TEST_CASE("an invoice reads back as it was written", "[pricing][formats]") {
  const auto inv = sample();
  REQUIRE(inv.lines.size() >= 3);  // Italy marketing, India utility in two tiers
  REQUIRE_FALSE(inv.free.empty());
  const auto j = to_json(inv);
  auto back = invoice_from_json(j);
  REQUIRE(back);
  CHECK(to_json(*back) == j);
  CHECK(back->total == inv.total);
  CHECK(back->total_settled == inv.total_settled);
  CHECK(back->free[0].reason == inv.free[0].reason);
  CHECK(back->problems_total == 1);
  CHECK(back->problems.at(0).problem.code == "pricing.syntax");
}

TEST_CASE("an invoice whose numbers do not add up is refused by path", "[pricing][formats]") {
  const auto good = to_json(sample());
  auto j = good;
  j["lines"][0]["amount"] = "99.99";
  auto r = invoice_from_json(j);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "pricing.invalid_invoice");
  CHECK(r.error().where == "$.lines[0].amount");

  j = good;
  j["total"] = "1000.00";
  CHECK(invoice_from_json(j).error().where == "$.total");

  j = good;
  j["free"][0]["reason"] = "volume_tier";  // a charged reason cannot be free
  CHECK(invoice_from_json(j).error().where == "$.free[0]");
  j["free"][0]["reason"] = "cheap";
  CHECK(invoice_from_json(j).error().where == "$.free[0].reason");

  j = good;
  j["lines"][0]["model"] = "pmp_2030";
  CHECK(invoice_from_json(j).error().where == "$.lines[0].model");
  j = good;
  j.erase("currency");
  CHECK(invoice_from_json(j).error().where == "$.currency");
  CHECK(invoice_from_json(ojson::array()).error().where == "$");
}

TEST_CASE("a charge as JSON names its reason", "[pricing][formats]") {
  rate_cards cards;
  REQUIRE(cards.add(parse_rate_card(testing::card_json("pmp_2025", "2018-01-01"), "test.json").value()));
  ledger l(cards);
  const auto priya = num("+919876543210");
  REQUIRE(l.inbound(at("2025-08-01T08:00:00Z"), "b1", priya, "in1"));
  REQUIRE(l.outbound(at("2025-08-01T08:01:00Z"), "b1", priya, "m1", true, template_category::utility));
  const auto c = l.status(at("2025-08-01T09:00:00Z"), "m1", message_status::delivered);
  REQUIRE(c);
  REQUIRE(c->has_value());
  const auto j = to_json(**c);
  CHECK(j["id"] == "m1");
  CHECK(j["reason"] == "utility_in_window");
  CHECK(j["free"] == true);
  CHECK(j["delivered_at"] == "2025-08-01T09:00:00Z");
}

TEST_CASE("the businesses file reads and writes", "[pricing][formats]") {
  const auto j = ojson::parse(
      R"({"b1": {"time_zone": "Europe/Rome", "country": "IT", "auth_international_from": "2025-08-01"},
          "b2": {}})");
  auto b = pricing_businesses_from_json(j);
  REQUIRE(b);
  REQUIRE(b->size() == 2);
  CHECK((*b)[0].id == "b1");
  CHECK((*b)[0].zone.name() == "Europe/Rome");
  CHECK((*b)[0].home_country.alpha2() == "IT");
  CHECK((*b)[0].auth_international_from == date::year{2025} / 8 / 1);
  CHECK((*b)[1].home_country.empty());
  CHECK(to_json(*b) == j);

  auto bad = pricing_businesses_from_json(ojson::parse(R"({"b1": {"time_zone": "Mars/Olympus"}})"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "pricing.businesses");
  CHECK(bad.error().where == "$.b1.time_zone");
  CHECK(pricing_businesses_from_json(ojson::parse(R"({"b1": {"auth_international_from": "2025-8-1"}})"))
            .error()
            .where == "$.b1.auth_international_from");
  CHECK(pricing_businesses_from_json(ojson::parse(R"({"b1": {"country": 39}})")).error().where ==
        "$.b1.country");
  CHECK(pricing_businesses_from_json(ojson::parse(R"([])")).error().where == "$");
}
