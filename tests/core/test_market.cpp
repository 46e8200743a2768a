#include <string>

#include "chatdesk/core/market.hpp"
#include "support/catch.hpp"

using chatdesk::market_rule;
using chatdesk::market_table;
using chatdesk::phone_number;

namespace {
std::string market_of(const char* number) {
  return std::string(market_table::platform().find(phone_number::parse(number).value()));
}
}  // namespace

TEST_CASE("the platform's market table (PLATFORM.md 1d)", "[core][market]") {
  CHECK(market_of("+393331234567") == "Italy");
  CHECK(market_of("+4915123456789") == "Germany");
  CHECK(market_of("+919876543210") == "India");
  CHECK(market_of("+14155551234") == "North America");          // US
  CHECK(market_of("+16135551234") == "North America");          // Canada
  CHECK(market_of("+18095551234") == "Rest of Latin America");  // Dominican Republic
  CHECK(market_of("+18295551234") == "Rest of Latin America");
  CHECK(market_of("+18765551234") == "Rest of Latin America");  // Jamaica
  CHECK(market_of("+16585551234") == "Rest of Latin America");
  CHECK(market_of("+17875551234") == "Rest of Latin America");  // Puerto Rico
  CHECK(market_of("+19395551234") == "Rest of Latin America");
  // The other +1 countries are in no market (PLATFORM.md Part A): Barbados, the
  // Bahamas, Bermuda, Antigua, Grenada, Trinidad and Tobago.
  for (const char* n :
       {"+12465551234", "+12425551234", "+14415551234", "+12685551234", "+14735551234", "+18685551234"}) {
    INFO(n);
    CHECK(market_of(n) == "Other");
  }
  CHECK(market_of("+59171234567") == "Rest of Latin America");  // Bolivia
  CHECK(market_of("+61412345678") == "Rest of Asia Pacific");
  CHECK(market_of("+35312345678") == "Rest of Western Europe");
  CHECK(market_of("+380501234567") == "Rest of Central & Eastern Europe");
  CHECK(market_of("+254712345678") == "Rest of Africa");
  CHECK(market_of("+97312345678") == "Rest of Middle East");
  CHECK(market_of("+9715012345678") == "United Arab Emirates");
  CHECK(market_of("+79123456789") == "Russia");
  CHECK(market_of("+77123456789") == "Other");  // Kazakhstan shares +7, not Russia's market
  CHECK(market_of("+447700900123") == "United Kingdom");
  CHECK(market_of("+441481123456") == "Other");  // Guernsey
  CHECK(market_of("+441534123456") == "Other");  // Jersey
  CHECK(market_of("+441624123456") == "Other");  // Isle of Man
  CHECK(market_of("+390669812345") == "Other");  // Vatican City shares +39
  CHECK(market_of("+358181234567") == "Other");  // Åland shares +358 with Finland
  CHECK(market_of("+358401234567") == "Rest of Western Europe");
  CHECK(market_of("+8613812345678") == "Rest of Asia Pacific");
  CHECK(market_of("+35212345678") == "Other");  // Luxembourg
  CHECK(market_of("+80012345678") == "Other");  // non-geographic
  CHECK(market_table::platform().default_market() == "Other");
  CHECK(market_table::platform().rules().size() == 31);
}

TEST_CASE("a rate card can bring its own market table", "[core][market]") {
  auto t = market_table::create(
      {{"North America", {"1"}, {}}, {"Caribbean", {}, {"809", "876"}}, {"Italy", {"39"}, {}}}, "Elsewhere");
  REQUIRE(t);
  CHECK(t->find(phone_number::parse("+18765550000").value()) == "Caribbean");
  CHECK(t->find(phone_number::parse("+12125550000").value()) == "North America");
  CHECK(t->find(phone_number::parse("+390612345678").value()) == "Italy");
  CHECK(t->find(phone_number::parse("+33612345678").value()) == "Elsewhere");
}

TEST_CASE("markets can name countries, which win over calling codes", "[core][market]") {
  market_rule north{"North America", {"1"}, {}, {"CA"}};
  market_rule caribbean{"Caribbean", {}, {}, {"BS", "BB", "DO"}};
  market_rule central_asia{"Central Asia", {}, {}, {"KZ"}};
  market_rule russia{"Russia", {"7"}, {}, {}};
  auto t = market_table::create({north, caribbean, central_asia, russia});
  REQUIRE(t);
  auto of = [&](const char* n) { return std::string(t->find(phone_number::parse(n).value())); };
  CHECK(of("+12125550000") == "North America");  // the United States: +1's main country
  CHECK(of("+16135550000") == "North America");  // Canada, by name
  CHECK(of("+12425550000") == "Caribbean");      // the Bahamas
  CHECK(of("+18095550000") == "Caribbean");      // the Dominican Republic
  CHECK(of("+18685550000") == "Other");          // Trinidad and Tobago: named nowhere
  CHECK(of("+77123456789") == "Central Asia");
  CHECK(of("+79123456789") == "Russia");

  auto bad = market_table::create({{"A", {}, {}, {"XX"}}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "market.invalid_rule");
  CHECK(bad.error().where == "markets[0].countries[0]");
  auto twice = market_table::create({{"A", {}, {}, {"CA"}}, {"B", {}, {}, {"CA"}}});
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == "market.duplicate_code");
  CHECK(twice.error().message == "country CA is claimed by both 'A' and 'B'");
}

TEST_CASE("a market table refuses rules it cannot apply", "[core][market]") {
  auto dup = market_table::create({{"A", {"39"}, {}}, {"B", {"44", "39"}, {}}});
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == "market.duplicate_code");
  CHECK(dup.error().where == "markets[1].calling_codes[1]");
  CHECK(dup.error().message == "calling code 39 is claimed by both 'A' and 'B'");

  auto dup_area = market_table::create({{"A", {}, {"809"}}, {"B", {}, {"809"}}});
  CHECK(dup_area.error().code == "market.duplicate_code");

  const std::vector<std::vector<market_rule>> bad = {
      {{"", {"39"}, {}}},   {{"A", {"1234"}, {}}}, {{"A", {"3x"}, {}}},  {{"A", {""}, {}}},
      {{"A", {"039"}, {}}}, {{"A", {}, {"80"}}},   {{"A", {}, {"109"}}}, {{"A", {}, {"8o9"}}},
  };
  for (const auto& rules : bad) {
    auto r = market_table::create(rules);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "market.invalid_rule");
    CHECK(r.error().where.rfind("markets[0]", 0) == 0);
  }
  CHECK(market_table::create({}, "").error().where == "default_market");
}
