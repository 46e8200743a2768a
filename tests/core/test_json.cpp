// JSON from outside: nesting is refused before anything recursive sees it.
#include <string>

#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

namespace {

std::string nested(std::size_t depth, const char* open = "{\"a\":", const char* close = "}") {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += open;
  s += "1";
  for (std::size_t i = 0; i < depth; ++i) s += close;
  return s;
}

}  // namespace

TEST_CASE("json_nesting_depth counts brackets outside strings", "[core][json]") {
  CHECK(json_nesting_depth("1") == 0);
  CHECK(json_nesting_depth("[]") == 1);
  CHECK(json_nesting_depth(R"({"a":[{"b":"[[[["}]})") == 3);
  CHECK(json_nesting_depth(R"(["\"[["])") == 1);
  CHECK(json_nesting_depth(nested(100'000)) == 100'000);
}

TEST_CASE("parse_json refuses deep nesting with the caller's code", "[core][json]") {
  CHECK(parse_json(nested(64), "template.json", "the file"));
  auto deep = parse_json(nested(65), "template.json", "the file");
  REQUIRE_FALSE(deep);
  CHECK(deep.error().code == "template.json");
  CHECK(deep.error().message == "the file nests arrays and objects deeper than 64 levels");
  auto huge = parse_json(nested(120'000, "[", "]"), "pricing.invalid_card", "'card.json'");
  REQUIRE_FALSE(huge);
  CHECK(huge.error().code == "pricing.invalid_card");

  auto bad = parse_json(R"({"a": tru})", "pricing.invalid_plan", "'plan.json'");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "pricing.invalid_plan");
  CHECK(bad.error().message.rfind("'plan.json' is not valid JSON", 0) == 0);
  CHECK(bad.error().where.rfind("byte ", 0) == 0);
}

TEST_CASE("parse_json's syntax errors are valid UTF-8 whatever the input", "[core][json]") {
  // The parser quotes the bytes it last read: here a lone 0xF2 (found by fuzz_template).
  const std::string text = "{\"name\":\xf2\"x\"}";
  auto j = parse_json(text, "test.json", "the file");
  REQUIRE_FALSE(j);
  CHECK(j.error().code == "test.json");
  CHECK(utf8::valid(j.error().message));
  CHECK(j.error().message.find("\\xf2") != std::string::npos);
  CHECK(j.error().where == "byte 9");
}

TEST_CASE("json_too_deep measures a parsed value without recursion", "[core][json]") {
  CHECK_FALSE(json_too_deep(nlohmann::ordered_json(1)));
  CHECK_FALSE(json_too_deep(nlohmann::ordered_json::parse(nested(64))));
  CHECK(json_too_deep(nlohmann::ordered_json::parse(nested(65))));
  CHECK(json_too_deep(nlohmann::json::parse(nested(3, "[", "]")), 2));
  // Built in code, 100,000 deep: measured without overflowing the stack (and freed without recursion).
  nlohmann::ordered_json v = 1;
  for (int i = 0; i < 100'000; ++i) {
    nlohmann::ordered_json outer = nlohmann::ordered_json::array();
    outer.push_back(std::move(v));
    v = std::move(outer);
  }
  CHECK(json_too_deep(v));
}
