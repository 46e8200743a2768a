#include <string>

#include "chatdesk/core/decimal.hpp"
#include "chatdesk/core/error.hpp"
#include "helpers/catch.hpp"

using chatdesk::decimal;
using chatdesk::error;
using chatdesk::make_error;
using chatdesk::result;

namespace {
result<int> half(int v) {
  if (v % 2 != 0) return make_error("test.odd", "the value is odd", "v");
  return v / 2;
}
}  // namespace

TEST_CASE("error prints its code, message and place", "[core][error]") {
  CHECK(make_error("phone.too_short", "too short", "character 3").to_string() ==
        "[chatdesk.phone.too_short] too short (at character 3)");
  CHECK(make_error("x.y", "no place").to_string() == "[chatdesk.x.y] no place");
}

TEST_CASE("result holds a value or an error", "[core][error]") {
  auto ok = half(4);
  REQUIRE(ok.has_value());
  CHECK(*ok == 2);
  CHECK(ok.value_or(7) == 2);

  auto bad = half(3);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "test.odd");
  CHECK(bad.error().where == "v");
  CHECK(bad.value_or(7) == 7);
}

TEST_CASE("result::value on an error throws chatdesk::exception with that error", "[core][error]") {
  auto bad = half(5);
  try {
    (void)bad.value();
    FAIL("value() did not throw");
  } catch (const chatdesk::exception& e) {
    CHECK(e.err().code == "test.odd");
    CHECK(std::string(e.what()) == "[chatdesk.test.odd] the value is odd (at v)");
  }
}

TEST_CASE("result<std::string> moves its value out", "[core][error]") {
  result<std::string> r = std::string("hello");
  std::string s = std::move(r).value();
  CHECK(s == "hello");
  result<std::string> e = chatdesk::failure(make_error("a.b", "c"));
  CHECK_FALSE(e.has_value());
  CHECK(e.error().message == "c");
}

TEST_CASE("result<void> is success or an error", "[core][error]") {
  result<void> ok;
  CHECK(ok.has_value());
  CHECK_NOTHROW(ok.value());
  result<void> bad = make_error("a.b", "broken");
  CHECK_FALSE(bad);
  CHECK(bad.error().code == "a.b");
  CHECK_THROWS_AS(bad.value(), chatdesk::exception);
}

TEST_CASE("an error's message and place are valid UTF-8 whatever they quote", "[core][error]") {
  const auto e = make_error("x.bad", std::string("got '\xd1' and '\xff'"), std::string("$.k\xc3"));
  CHECK(e.message == "got '\\xd1' and '\\xff'");
  CHECK(e.where == "$.k\\xc3");
  CHECK(make_error("x.ok", "caf\u00e9").message == "caf\u00e9");  // valid text is kept as it is
  // A character split by the parser is named whole.
  const auto d = decimal::parse("9.2\u045f7");
  REQUIRE_FALSE(d);
  CHECK(d.error().message == "'9.2\u045f7' is not a decimal number: unexpected '\u045f'");
}
