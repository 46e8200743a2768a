#include <algorithm>
#include <cctype>
#include <string>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/templates/definition.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

namespace {

template_definition simple() {
  template_definition d;
  d.name = "order_update";
  d.language = "en_US";
  d.category = template_category::utility;
  d.body = "Hi {{1}}, order {{2}} is on its way.";
  return d;
}

std::vector<std::string> codes(const template_definition& d) {
  std::vector<std::string> out;
  for (const auto& p : validate(d)) out.push_back(p.error.code);
  return out;
}

bool has(const template_definition& d, const std::string& code) {
  const auto c = codes(d);
  return std::find(c.begin(), c.end(), code) != c.end();
}

std::string repeat(std::string_view unit, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += unit;
  return s;
}

}  // namespace

TEST_CASE("UTF-8 is validated and counted in code points", "[templates][utf8]") {
  CHECK(utf8::length("abc") == 3u);
  CHECK(utf8::length("caffè") == 5u);
  CHECK(utf8::length("😀👍") == 2u);
  CHECK(utf8::length("日本") == 2u);
  CHECK(utf8::length("") == 0u);
  CHECK_FALSE(utf8::length("\xC3"));              // truncated
  CHECK_FALSE(utf8::length("\xC0\xAF"));          // overlong
  CHECK_FALSE(utf8::length("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(utf8::length("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(utf8::length("\xFF"));
  CHECK(utf8::first_invalid("ok\x80") == 2u);
  CHECK(utf8::valid("Grazie è tutto"));
}

TEST_CASE("placeholders are scanned exactly", "[templates][placeholders]") {
  auto ps = scan_placeholders("Hi {{1}}, {{first_name}}! {single} {{2}}").value();
  REQUIRE(ps.size() == 3);
  CHECK(ps[0].name == "1");
  CHECK(ps[0].positional);
  CHECK(ps[0].offset == 3);
  CHECK(ps[0].length == 5);
  CHECK(ps[1].name == "first_name");
  CHECK_FALSE(ps[1].positional);
  CHECK(ps[2].name == "2");
  for (const char* bad : {"{{}}", "{{ 1 }}", "{{01}}", "{{Name}}", "{{1", "{{a-b}}", "{{_x}}"}) {
    INFO(bad);
    auto r = scan_placeholders(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "template.malformed_placeholder");
  }
}

TEST_CASE("a valid definition has no problems", "[templates][validate]") {
  CHECK(validate(simple()).empty());
}

TEST_CASE("names, language and body are required", "[templates][validate]") {
  auto d = simple();
  d.name = "Order-Update";
  CHECK(has(d, "template.invalid_name"));
  d.name = repeat("a", 512);
  CHECK_FALSE(has(d, "template.invalid_name"));
  d.name = repeat("a", 513);
  CHECK(has(d, "template.invalid_name"));
  d = simple();
  d.language.clear();
  d.body.clear();
  CHECK(has(d, "template.missing_language"));
  CHECK(has(d, "template.missing_body"));
}

TEST_CASE("component lengths are limited in characters, at their exact boundaries", "[templates][validate]") {
  auto d = simple();
  d.header = header_format::text;
  d.header_text = repeat("a", 60);
  CHECK(validate(d).empty());
  d.header_text = repeat("è", 60);  // 120 bytes, 60 characters
  CHECK(validate(d).empty());
  d.header_text = repeat("😀", 61);
  auto problems = validate(d);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].error.code == "template.too_long");
  CHECK(problems[0].component == "header");
  CHECK(problems[0].limit == 60u);
  CHECK(problems[0].actual == 61u);
  CHECK(problems[0].error.message == "the header has 61 characters: the limit is 60");

  d = simple();
  d.body = repeat("x", 1024);
  CHECK(validate(d).empty());
  d.body = repeat("ñ", 1025);
  CHECK(validate(d).front().actual == 1025u);

  d = simple();
  d.footer = repeat("ü", 60);
  CHECK(validate(d).empty());
  d.footer += "!";
  CHECK(validate(d).front().component == "footer");

  d = simple();
  d.buttons.push_back({button_type::quick_reply, repeat("é", 25), "", "", "", "", {}});
  CHECK(validate(d).empty());
  d.buttons[0].text += "é";
  auto b = validate(d);
  REQUIRE(b.size() == 1);
  CHECK(b[0].component == "buttons[0]");
  CHECK(b[0].limit == 25u);
  CHECK(b[0].actual == 26u);
}

TEST_CASE("invalid UTF-8 is an error, not a crash", "[templates][validate]") {
  auto d = simple();
  d.body = "Hi \xC3\x28 {{1}}";
  const auto problems = validate(d);
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0].error.code == "template.invalid_utf8");
  CHECK(problems[0].error.message == "the body is not valid UTF-8 (at byte 3)");
}

TEST_CASE("variables: numbered without gaps, one in the header, none in the footer, never mixed",
          "[templates][validate]") {
  auto d = simple();
  d.body = "{{1}} and {{3}}";
  CHECK(has(d, "template.parameter_gap"));
  d.body = "{{2}} and {{1}} and {{2}}";
  CHECK(validate(d).empty());
  d.body = "{{1}} and {{name}}";
  CHECK(has(d, "template.mixed_parameters"));
  d.body = "Hi {{name}}";
  CHECK(has(d, "template.wrong_parameter_format"));
  d.format = parameter_format::named;
  CHECK(validate(d).empty());
  d.body = "Hi {{1}}";
  CHECK(has(d, "template.wrong_parameter_format"));

  d = simple();
  d.header = header_format::text;
  d.header_text = "{{1}} and {{2}}";
  CHECK(has(d, "template.too_many_parameters"));
  d.header_text = "Order {{2}}";
  CHECK(has(d, "template.parameter_gap"));
  d.header_text = "Order {{1}}";
  CHECK(validate(d).empty());

  d = simple();
  d.footer = "Reply {{1}}";
  CHECK(has(d, "template.footer_parameters"));
  d.footer = "Bad {{ }}";
  CHECK(has(d, "template.malformed_placeholder"));
}

TEST_CASE("button rules", "[templates][validate]") {
  auto d = simple();
  auto quick = [](const char* t) { return template_button{button_type::quick_reply, t, "", "", "", "", {}}; };
  auto url = [](const char* u) { return template_button{button_type::url, "Open", u, "", "", "", {}}; };
  for (int i = 0; i < 10; ++i) d.buttons.push_back(quick("Reply"));
  CHECK(validate(d).empty());
  d.buttons.push_back(quick("One more"));
  auto p = validate(d);
  REQUIRE(p.size() == 1);
  CHECK(p[0].error.code == "template.too_many_buttons");
  CHECK(p[0].limit == 10u);
  CHECK(p[0].actual == 11u);

  d = simple();
  d.buttons = {url("https://a.example/{{1}}"), url("https://b.example/x"), url("https://c.example/y")};
  CHECK(validate(d).front().error.message == "3 URL buttons: the limit is 2");
  d.buttons.pop_back();
  CHECK(validate(d).empty());
  d.buttons[0].url = "https://a.example/{{1}}/details";
  CHECK(has(d, "template.url_variable_not_last"));
  d.buttons[0].url = "https://a.example/{{1}}{{2}}";
  CHECK(has(d, "template.url_variable_not_last"));
  d.buttons[0].url = "";
  CHECK(has(d, "template.missing_url"));

  d = simple();
  d.buttons = {{button_type::phone_number, "Call", "", "+390551234567", "", "", {}},
               {button_type::phone_number, "Call 2", "", "", "", "", {}}};
  CHECK(has(d, "template.too_many_buttons"));
  CHECK(has(d, "template.missing_phone_number"));

  d = simple();
  d.buttons = {{button_type::copy_code, "", "", "", "SAVE10", "", {}},
               {button_type::copy_code, "", "", "", "X", "", {}}};
  CHECK(has(d, "template.too_many_buttons"));
  d.buttons.pop_back();
  d.buttons[0].example = repeat("A", 16);
  CHECK(has(d, "template.too_long"));

  d = simple();
  d.buttons = {quick("A"), url("https://x.example"), quick("B")};
  CHECK(has(d, "template.quick_replies_not_grouped"));
  d.buttons = {quick("A"), quick("B"), url("https://x.example")};
  CHECK(validate(d).empty());
  d.buttons[0].text.clear();
  CHECK(has(d, "template.button_missing_text"));
}

TEST_CASE("authentication templates need an OTP button, and only they may have one",
          "[templates][validate]") {
  auto d = simple();
  d.category = template_category::authentication;
  d.body = "{{1}} is your code.";
  CHECK(has(d, "template.missing_otp_button"));
  d.buttons.push_back({button_type::otp, "Copy code", "", "", "", "COPY_CODE", {}});
  CHECK(validate(d).empty());
  d.category = template_category::marketing;
  CHECK(has(d, "template.otp_outside_authentication"));
}

TEST_CASE("header formats", "[templates][validate]") {
  auto d = simple();
  d.header = header_format::text;
  CHECK(has(d, "template.header_format_mismatch"));
  d.header = header_format::document;
  d.header_text = "text";
  CHECK(has(d, "template.header_format_mismatch"));
  d.header_text.clear();
  CHECK(validate(d).empty());
}

TEST_CASE("the platform's template JSON loads and saves, keeping unknown fields", "[templates][json]") {
  const char* text = R"({
    "name": "reservation_confirmation", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
    "id": "546151681022936", "parameter_format": "NAMED", "sub_category": "CUSTOM",
    "quality_score": {"score": "GREEN", "date": 1700000000},
    "components": [
      {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1h"]}},
      {"type": "BODY", "text": "*You're all set!*\n\nYour reservation for {{number_of_guests}} on {{day}}, {{date}}, at {{time}}, is confirmed.",
       "example": {"body_text_named_params": [{"param_name": "number_of_guests", "example": "4"}]}},
      {"type": "FOOTER", "text": "Lucky Shrub Eatery"},
      {"type": "BUTTONS", "buttons": [
        {"type": "URL", "text": "Change reservation", "url": "https://www.luckyshrubeater.com/reservations", "extra_key": 1},
        {"type": "PHONE_NUMBER", "text": "Call us", "phone_number": "+15550783881"},
        {"type": "QUICK_REPLY", "text": "Cancel reservation"},
        {"type": "FLOW", "text": "Book again", "flow_id": "123"}]},
      {"type": "CAROUSEL", "cards": []}
    ]})";
  auto d = parse_template(text);
  REQUIRE(d);
  CHECK(d->name == "reservation_confirmation");
  CHECK(d->id == "546151681022936");
  CHECK(d->format == parameter_format::named);
  CHECK(d->quality == quality_rating::green);
  CHECK(d->header == header_format::image);
  CHECK(d->buttons.size() == 4);
  CHECK(d->buttons[1].phone_number == "+15550783881");
  CHECK(d->buttons[3].type == button_type::other);
  CHECK(d->extra["sub_category"] == "CUSTOM");
  CHECK(d->unknown_components.size() == 1);

  const auto saved = to_json(*d);
  const auto original = nlohmann::ordered_json::parse(text);
  CHECK(saved["sub_category"] == "CUSTOM");
  CHECK(saved["quality_score"]["date"] == 1700000000);
  CHECK(saved["components"][0]["example"] == original["components"][0]["example"]);
  CHECK(saved["components"][1]["example"] == original["components"][1]["example"]);
  CHECK(saved["components"][3]["buttons"][0]["extra_key"] == 1);
  CHECK(saved["components"][3]["buttons"][3]["type"] == "FLOW");
  CHECK(saved["components"][3]["buttons"][3]["flow_id"] == "123");
  CHECK(saved["components"][4]["type"] == "CAROUSEL");
  // Loading what was saved gives the same definition.
  auto again = template_from_json(saved);
  REQUIRE(again);
  CHECK(to_json(*again) == saved);
}

TEST_CASE("header formats and button types are read in any case and written as the platform spells them",
          "[templates][json]") {
  for (const char* format : {"text", "IMAGE", "Video", "document", "LOCATION"}) {
    INFO(format);
    const std::string text =
        std::string(R"({"name":"a","language":"en","category":"UTILITY","components":[)") +
        R"({"type":"HEADER","format":")" + format + R"(","text":"Hi"},)" +
        R"({"type":"BODY","text":"x"},{"type":"BUTTONS","buttons":[)" +
        R"({"type":"quick_reply","text":"Yes"},{"type":"Url","text":"Go","url":"https://x.example"},)" +
        R"({"type":"copy_code","example":"ABC"},{"type":"catalog","text":"View"}]}]})";
    auto d = parse_template(text);
    REQUIRE(d);
    CHECK(d->buttons[0].type == button_type::quick_reply);
    CHECK(d->buttons[1].type == button_type::url);
    CHECK(d->buttons[2].type == button_type::copy_code);
    CHECK(d->buttons[3].type == button_type::other);
    const auto saved = to_json(*d);
    std::string upper = format;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    CHECK(saved["components"][0]["format"] == upper);
    CHECK(saved["components"][2]["buttons"][0]["type"] == "QUICK_REPLY");
    CHECK(saved["components"][2]["buttons"][1]["type"] == "URL");
    CHECK(saved["components"][2]["buttons"][2]["type"] == "COPY_CODE");
    CHECK(saved["components"][2]["buttons"][3]["type"] == "catalog");  // kept as it came
  }
}

TEST_CASE("numbers JSON cannot hold are refused, not thrown (found by fuzzing)", "[templates][json]") {
  auto r = parse_template(R"({"name":"x","language":27.5e78770})");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "template.json");
}

TEST_CASE("malformed template JSON is refused with the JSON path", "[templates][json]") {
  struct bad_case {
    const char* json;
    const char* code;
    const char* where;
  };
  const bad_case cases[] = {
      {"{", "template.json", "byte 2"},
      {"[]", "template.json", "$"},
      {R"({"language":"en","category":"UTILITY","components":[{"type":"BODY","text":"x"}]})", "template.json",
       "$.name"},
      {R"({"name":1,"language":"en","category":"UTILITY","components":[]})", "template.json", "$.name"},
      {R"({"name":"a","language":"en","category":"PROMO","components":[{"type":"BODY","text":"x"}]})",
       "template.unknown_value", "$.category"},
      {R"({"name":"a","language":"en","category":"UTILITY","components":{}})", "template.json",
       "$.components"},
      {R"({"name":"a","language":"en","category":"UTILITY","components":[{"type":"HEADER","format":"GIF"},{"type":"BODY","text":"x"}]})",
       "template.unknown_value", "$.components[0].format"},
      {R"({"name":"a","language":"en","category":"UTILITY","components":[{"type":"HEADER","format":"NONE"},{"type":"BODY","text":"x"}]})",
       "template.unknown_value", "$.components[0].format"},
      {R"({"name":"a","language":"en","category":"UTILITY","components":[{"type":"BODY"}]})", "template.json",
       "$.components[0].text"},
      {R"({"name":"a","language":"en","category":"UTILITY","components":[{"type":"FOOTER","text":"f"}]})",
       "template.json", "$.components"},
      {R"({"name":"a","language":"en","category":"UTILITY","components":[{"type":"BODY","text":"x"},{"type":"BUTTONS","buttons":[{"text":"t"}]}]})",
       "template.json", "$.components[1].buttons[0].type"},
      {R"({"name":"a","language":"en","category":"UTILITY","status":"LIVE","components":[{"type":"BODY","text":"x"}]})",
       "template.unknown_value", "$.status"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto r = parse_template(c.json);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
    CHECK(r.error().where == c.where);
  }
}

TEST_CASE("a definition nested too deep is refused before it is copied", "[templates][json]") {
  // A valid template with one unknown field nested 100,000 deep: the unknown
  // fields are kept by copying, which recursed once per level and overflowed the stack.
  std::string deep;
  for (int i = 0; i < 100'000; ++i) deep += "{\"a\":";
  deep += "1";
  deep += std::string(100'000, '}');
  const std::string text =
      R"({"x_extra":)" + deep +
      R"(,"name":"t","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"Hi"}]})";
  auto parsed = chatdesk::parse_template(text);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code == "template.json");
  CHECK(parsed.error().message == "the file nests arrays and objects deeper than 64 levels");
  // The same value built in code and handed over already parsed.
  nlohmann::ordered_json inner = 1;
  for (int i = 0; i < 100'000; ++i) {
    nlohmann::ordered_json outer = nlohmann::ordered_json::object();
    outer["a"] = std::move(inner);
    inner = std::move(outer);
  }
  auto j = nlohmann::ordered_json::parse(
      R"({"name":"t","language":"en_US","category":"UTILITY","components":[{"type":"BODY","text":"Hi"}]})");
  CHECK(chatdesk::template_from_json(j));
  j["x_extra"] = std::move(inner);
  auto refused = chatdesk::template_from_json(j);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "the definition nests arrays and objects deeper than 64 levels");
}
