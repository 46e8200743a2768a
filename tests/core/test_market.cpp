#include <string>

#include "chatdesk/core/market.hpp"
#include "helpers/catch.hpp"

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

TEST_CASE("the platform's markets by date: the standalone markets of July and October 2026",
          "[core][market]") {
  using namespace date;
  auto on = [](year_month_day day, const char* number) {
    return std::string(market_table::platform(day).find(phone_number::parse(number).value()));
  };
  const auto june_30 = year{2026} / 6 / 30;
  const auto july_1 = year{2026} / 7 / 1;
  const auto sept_30 = year{2026} / 9 / 30;
  const auto oct_1 = year{2026} / 10 / 1;
  struct row {
    const char* number;
    const char* before;
    const char* alone;
    year_month_day from;
  };
  const row rows[] = {
      {"+85251234567", "Rest of Asia Pacific", "Hong Kong", july_1},
      {"+36201234567", "Rest of Central & Eastern Europe", "Hungary", july_1},
      {"+97433123456", "Rest of Middle East", "Qatar", july_1},
      {"+40721234567", "Rest of Central & Eastern Europe", "Romania", july_1},
      {"+6581234567", "Rest of Asia Pacific", "Singapore", july_1},
      {"+48512345678", "Rest of Central & Eastern Europe", "Poland", july_1},
      {"+8801712345678", "Rest of Asia Pacific", "Bangladesh", oct_1},
      {"+9647901234567", "Rest of Middle East", "Iraq", oct_1},
      {"+9779841234567", "Rest of Asia Pacific", "Nepal", oct_1},
      {"+94712345678", "Rest of Asia Pacific", "Sri Lanka", oct_1},
      {"+96550012345", "Rest of Middle East", "Kuwait", oct_1},
      {"+96892123456", "Rest of Middle East", "Oman", oct_1},
      {"+212612345678", "Rest of Africa", "Morocco", oct_1},
      {"+380501234567", "Rest of Central & Eastern Europe", "Ukraine", oct_1},
      {"+77011234567", "Other", "Kazakhstan", oct_1},
  };
  for (const auto& r : rows) {
    INFO(r.number);
    const auto day_before = year_month_day{sys_days{r.from} - days{1}};
    CHECK(on(day_before, r.number) == r.before);
    CHECK(on(r.from, r.number) == r.alone);
    CHECK(on(year{2027} / 1 / 1, r.number) == r.alone);
  }
  // The 1d table is the one before July 2026; Russia keeps +7 for its own numbers.
  CHECK(&market_table::platform(june_30) == &market_table::platform());
  CHECK(on(oct_1, "+79121234567") == "Russia");
  CHECK(on(sept_30, "+77011234567") == "Other");
  // The regions keep their other countries.
  CHECK(on(oct_1, "+84912345678") == "Rest of Asia Pacific");  // Vietnam
  CHECK(on(oct_1, "+971501234567") == "United Arab Emirates");
  CHECK(on(oct_1, "+96277123456") == "Rest of Middle East");  // Jordan
  CHECK(on(oct_1, "+233241234567") == "Rest of Africa");      // Ghana
}
