#include <algorithm>
#include <set>

#include "chatdesk/core/country.hpp"
#include "helpers/catch.hpp"

using chatdesk::country;

TEST_CASE("the country table lists every ISO 3166-1 country", "[core][country]") {
  const auto table = chatdesk::country_table();
  const auto iso = std::count_if(table.begin(), table.end(), [](const auto& c) { return c.in_iso3166; });
  CHECK(iso == 249);
  CHECK(std::is_sorted(table.begin(), table.end(),
                       [](const auto& a, const auto& b) { return a.alpha2 < b.alpha2; }));
  std::set<std::string_view> a2;
  std::set<std::string_view> a3;
  for (const auto& c : table) {
    INFO(c.alpha2);
    CHECK(c.alpha2.size() == 2);
    CHECK(c.alpha3.size() == 3);
    CHECK_FALSE(c.name.empty());
    CHECK(a2.insert(c.alpha2).second);
    CHECK(a3.insert(c.alpha3).second);
    CHECK((c.numeric > 0) == c.in_iso3166);
  }
}

TEST_CASE("countries are looked up by alpha-2 code", "[core][country]") {
  CHECK(country::from_alpha2("IT")->name() == "Italy");
  CHECK(country::from_alpha2("it")->alpha2() == "IT");
  CHECK(country::from_alpha2("US")->info()->alpha3 == "USA");
  CHECK(country::from_alpha2("DO")->info()->numeric == 214);
  CHECK(country::from_alpha2("XK")->name() == "Kosovo");
  CHECK_FALSE(country::from_alpha2("XK")->info()->in_iso3166);
  for (const char* bad : {"", "I", "ITA", "ZZ", "1T", "  "}) {
    INFO(bad);
    auto r = country::from_alpha2(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "country.unknown");
  }
  const country none;
  CHECK(none.empty());
  CHECK(none.alpha2().empty());
  CHECK(none.info() == nullptr);
  CHECK(none.name().empty());
}
