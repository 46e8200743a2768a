#include <cstdint>
#include <limits>
#include <string>

#include "chatdesk/core/decimal.hpp"
#include "helpers/catch.hpp"

using chatdesk::decimal;
using chatdesk::rounding;

namespace {
decimal d(const char* s) {
  return decimal::parse(s).value();
}
}  // namespace

TEST_CASE("decimal parses exact decimal strings", "[core][decimal]") {
  CHECK(d("12").units() == 12'000'000);
  CHECK(d("12.3456").units() == 12'345'600);
  CHECK(d("0.0034").units() == 3'400);
  CHECK(d("-0.0034").units() == -3'400);
  CHECK(d("+1.5").units() == 1'500'000);
  CHECK(d("0.000001").units() == 1);
  CHECK(d("1.50000000").units() == 1'500'000);  // extra zeros are exact
  CHECK(d("9223372036854.775807").units() == std::numeric_limits<std::int64_t>::max());
  CHECK(d("-9223372036854.775807").units() == -std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("decimal refuses what is not an exact decimal", "[core][decimal]") {
  struct bad_case {
    const char* text;
    const char* code;
  };
  const bad_case cases[] = {
      {"", "decimal.empty"},
      {"abc", "decimal.syntax"},
      {"1.2.3", "decimal.syntax"},
      {"1e5", "decimal.syntax"},
      {" 1", "decimal.syntax"},
      {"1 ", "decimal.syntax"},
      {"1,5", "decimal.syntax"},
      {".5", "decimal.syntax"},
      {"5.", "decimal.syntax"},
      {"-", "decimal.syntax"},
      {"+", "decimal.syntax"},
      {"--1", "decimal.syntax"},
      {"0.0000001", "decimal.too_precise"},
      {"1.1234567", "decimal.too_precise"},
      {"9223372036854.775808", "decimal.overflow"},
      {"99999999999999", "decimal.overflow"},
      {"NaN", "decimal.syntax"},
      {"inf", "decimal.syntax"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = decimal::parse(c.text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
    CHECK_FALSE(r.error().message.empty());
  }
  CHECK(decimal::parse("1.2x").error().where == "character 4");
}

TEST_CASE("decimal prints its shortest exact form", "[core][decimal]") {
  CHECK(d("0.0034").to_string() == "0.0034");
  CHECK(d("12").to_string() == "12");
  CHECK(d("-1.5").to_string() == "-1.5");
  CHECK(d("0").to_string() == "0");
  CHECK(d("12").to_string(2) == "12.00");
  CHECK(d("-1.5").to_string(2) == "-1.50");
  CHECK(d("0.000001").to_string(2) == "0.000001");
  CHECK(decimal::from_units(std::numeric_limits<std::int64_t>::min()).to_string() == "-9223372036854.775808");
  for (const char* s : {"0.0691", "123.456789", "-0.000001", "9223372036854.775807"}) {
    CHECK(d(s).to_string() == s);  // round trip
  }
}

TEST_CASE("decimal arithmetic is exact and checked", "[core][decimal]") {
  CHECK(d("0.1") + d("0.2") == d("0.3"));
  CHECK(d("0.0034") * 1'000'000 == d("3400"));
  CHECK(3 * d("0.0691") == d("0.2073"));
  CHECK(d("1") - d("1.000001") == d("-0.000001"));
  CHECK(-d("2.5") == d("-2.5"));
  decimal sum;
  for (int i = 0; i < 1000; ++i) sum += d("0.0077");
  CHECK(sum == d("7.7"));
  CHECK(d("0.0034") < d("0.0035"));

  const auto max = decimal::from_units(std::numeric_limits<std::int64_t>::max());
  CHECK_THROWS_AS(max + d("0.000001"), chatdesk::exception);
  CHECK_THROWS_AS(-max - d("0.000002"), chatdesk::exception);
  CHECK_THROWS_AS(max * 2, chatdesk::exception);
  CHECK_THROWS_AS(-decimal::from_units(std::numeric_limits<std::int64_t>::min()), chatdesk::exception);
  CHECK_THROWS_AS(decimal::from_integer(9'223'372'036'855), chatdesk::exception);
  try {
    (void)(max * 2);
  } catch (const chatdesk::exception& e) {
    CHECK(e.err().code == "decimal.overflow");
  }
}

TEST_CASE("decimal rounds half-even by default", "[core][decimal]") {
  CHECK(d("0.125").round(2) == d("0.12"));
  CHECK(d("0.135").round(2) == d("0.14"));
  CHECK(d("0.125001").round(2) == d("0.13"));  // just above the tie
  CHECK(d("-0.125").round(2) == d("-0.12"));
  CHECK(d("-0.135").round(2) == d("-0.14"));
  CHECK(d("2.5").round(0) == d("2"));
  CHECK(d("3.5").round(0) == d("4"));
  CHECK(d("0.125").round(2, rounding::half_up) == d("0.13"));
  CHECK(d("-0.125").round(2, rounding::half_up) == d("-0.13"));
  CHECK(d("0.129").round(2, rounding::toward_zero) == d("0.12"));
  CHECK(d("-0.129").round(2, rounding::toward_zero) == d("-0.12"));
  CHECK(d("0.126").round(2) == d("0.13"));
  CHECK(d("0.124").round(2) == d("0.12"));
  CHECK(d("1.234567").round(6) == d("1.234567"));
}

TEST_CASE("decimal divides by counts with rounding", "[core][decimal]") {
  CHECK(d("1").divide(3) == d("0.333333"));
  CHECK(d("2").divide(3) == d("0.666667"));
  CHECK(d("0.000001").divide(2) == d("0"));         // tie to even (0)
  CHECK(d("0.000003").divide(2) == d("0.000002"));  // tie to even (2)
  CHECK(d("1").divide(-4) == d("-0.25"));
  CHECK_THROWS_AS(d("1").divide(0), chatdesk::exception);
}
