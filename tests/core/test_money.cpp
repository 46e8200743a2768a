#include <algorithm>
#include <set>
#include <string>

#include <fmt/format.h>

#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/money.hpp"
#include "helpers/catch.hpp"

using chatdesk::currency;
using chatdesk::decimal;
using chatdesk::money;
namespace currencies = chatdesk::currencies;

TEST_CASE("the ISO 4217 table is complete and consistent", "[core][currency]") {
  const auto table = chatdesk::currency_table();
  CHECK(table.size() >= 175);
  CHECK(std::is_sorted(table.begin(), table.end(),
                       [](const auto& a, const auto& b) { return a.code < b.code; }));
  std::set<std::string_view> codes;
  for (const auto& row : table) {
    INFO(row.code);
    CHECK(row.code.size() == 3);
    CHECK(std::all_of(row.code.begin(), row.code.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
    CHECK(row.numeric > 0);
    CHECK(row.numeric < 1000);
    CHECK(row.minor_digits <= 4);
    CHECK_FALSE(row.name.empty());
    CHECK(codes.insert(row.code).second);
  }
  // Minor units that differ from 2, as ISO 4217 lists them.
  const std::pair<const char*, int> digits[] = {
      {"USD", 2}, {"EUR", 2}, {"JPY", 0}, {"KRW", 0}, {"CLP", 0}, {"ISK", 0}, {"VND", 0}, {"XOF", 0},
      {"KWD", 3}, {"BHD", 3}, {"JOD", 3}, {"OMR", 3}, {"TND", 3}, {"LYD", 3}, {"IQD", 3}, {"CLF", 4},
      {"UYW", 4}, {"INR", 2}, {"IDR", 2}, {"BRL", 2}, {"AED", 2}, {"HUF", 2}};
  for (const auto& [code, n] : digits) {
    INFO(code);
    CHECK(currency::from_code(code)->minor_digits() == n);
  }
  CHECK_FALSE(currency::from_code("XAU")->info().has_minor_unit);
  CHECK(currency::from_code("HRK")->info().withdrawn);
}

TEST_CASE("currency constants agree with the table", "[core][currency]") {
  for (const auto c : {currencies::usd, currencies::eur, currencies::gbp, currencies::inr, currencies::idr,
                       currencies::aud, currencies::brl, currencies::mxn, currencies::aed, currencies::jpy,
                       currencies::kwd, currencies::xxx}) {
    INFO(c.code());
    auto looked_up = currency::from_code(c.code());
    REQUIRE(looked_up);
    CHECK(looked_up->numeric() == c.numeric());
    CHECK(looked_up->minor_digits() == c.minor_digits());
  }
  CHECK(currency{} == currencies::xxx);
  CHECK(currencies::usd.info().name == "US Dollar");
}

TEST_CASE("currency lookups refuse unknown codes", "[core][currency]") {
  CHECK(currency::from_numeric(840)->code() == "USD");
  CHECK(currency::from_numeric(532)->code() == "XCG");  // the current code wins over withdrawn ANG
  for (const char* bad : {"usd", "US", "USDD", "ABC", "", "123"}) {
    INFO(bad);
    auto r = currency::from_code(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "currency.unknown");
  }
  CHECK(currency::from_numeric(1).error().code == "currency.unknown");
  CHECK_FALSE(currency::from_numeric(1000));
}

TEST_CASE("money parses and prints amounts in minor units", "[core][money]") {
  CHECK(money::parse("12.34", currencies::usd)->minor_units() == 1234);
  CHECK(money::parse("12.3", currencies::usd)->minor_units() == 1230);
  CHECK(money::parse("1500", currencies::jpy)->minor_units() == 1500);
  CHECK(money::parse("1.250", currencies::kwd)->minor_units() == 1250);
  CHECK(money::parse("-0.5", currencies::eur)->minor_units() == -50);
  CHECK(money::parse("12.34 USD")->currency() == currencies::usd);
  CHECK(money::parse("EUR 9.99")->minor_units() == 999);
  CHECK(money(1230, currencies::usd).amount_string() == "12.30");
  CHECK(money(1500, currencies::jpy).amount_string() == "1500");
  CHECK(money(1250, currencies::kwd).to_string() == "1.250 KWD");
  CHECK(money(-5, currencies::usd).to_string() == "-0.05 USD");
  CHECK(fmt::format("{}", money(1234, currencies::eur)) == "12.34 EUR");
  CHECK(money(1234, currencies::usd).to_decimal() == decimal::parse("12.34").value());
}

TEST_CASE("money refuses amounts it cannot hold exactly", "[core][money]") {
  CHECK(money::parse("12.345", currencies::usd).error().code == "money.too_precise");
  CHECK(money::parse("1.5", currencies::jpy).error().code == "money.too_precise");
  CHECK(money::parse("12,34", currencies::usd).error().code == "money.syntax");
  CHECK(money::parse("", currencies::usd).error().code == "money.empty");
  CHECK(money::parse("12.34 ZZZ").error().code == "currency.unknown");
  CHECK(money::parse("12.34").error().code == "money.syntax");
  CHECK(money::parse("12.34  USD").error().code == "money.syntax");
}

TEST_CASE("money arithmetic is exact and refuses mixed currencies", "[core][money]") {
  const money a(1050, currencies::usd);
  const money b(250, currencies::usd);
  CHECK(a + b == money(1300, currencies::usd));
  CHECK(a - b == money(800, currencies::usd));
  CHECK(a * 3 == money(3150, currencies::usd));
  CHECK(-a == money(-1050, currencies::usd));
  CHECK(a > b);
  const money e(100, currencies::eur);
  CHECK_THROWS_AS(a + e, chatdesk::exception);
  CHECK_THROWS_AS(a - e, chatdesk::exception);
  CHECK_FALSE(a < e);
  CHECK_FALSE(a > e);
  CHECK_FALSE(a == e);
  auto mixed = money::checked_add(a, e);
  REQUIRE_FALSE(mixed);
  CHECK(mixed.error().code == "money.currency_mismatch");
  CHECK(mixed.error().message == "cannot add EUR to USD");
  try {
    (void)(a + e);
  } catch (const chatdesk::exception& ex) {
    CHECK(ex.err().code == "money.currency_mismatch");
  }
  const money big(std::numeric_limits<std::int64_t>::max(), currencies::usd);
  CHECK_THROWS_AS(big + b, chatdesk::exception);
  CHECK(money::checked_add(big, b).error().code == "money.overflow");
  CHECK_THROWS_AS(big * 2, chatdesk::exception);
}

TEST_CASE("settling a decimal total rounds half-even to the minor unit", "[core][money]") {
  using chatdesk::settle;
  auto dec = [](const char* s) { return decimal::parse(s).value(); };
  CHECK(settle(dec("0.125"), currencies::usd) == money(12, currencies::usd));
  CHECK(settle(dec("0.135"), currencies::usd) == money(14, currencies::usd));
  CHECK(settle(dec("0.1251"), currencies::usd) == money(13, currencies::usd));
  CHECK(settle(dec("-0.125"), currencies::usd) == money(-12, currencies::usd));
  CHECK(settle(dec("2.5"), currencies::jpy) == money(2, currencies::jpy));
  CHECK(settle(dec("3.5"), currencies::jpy) == money(4, currencies::jpy));
  CHECK(settle(dec("1.2345"), currencies::kwd) == money(1234, currencies::kwd));
  CHECK(settle(dec("1.2355"), currencies::kwd) == money(1236, currencies::kwd));
  CHECK(settle(dec("0.125"), currencies::usd, chatdesk::rounding::half_up) == money(13, currencies::usd));
  // 10,000 messages at 0.0034 settle exactly.
  CHECK(settle(dec("0.0034") * 10'000, currencies::usd) == money(3400, currencies::usd));
}
