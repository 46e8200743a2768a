// Send requests byte for byte, the platform's limits, and its answers.
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/templates/catalog.hpp"
#include "chatdesk/templates/library.hpp"
#include "chatdesk/wire/json_writer.hpp"
#include "chatdesk/wire/send.hpp"
#include "helpers/catalog_values.hpp"
#include "helpers/catch.hpp"
#include "templates/test_definitions.hpp"

using namespace chatdesk;

namespace {

const phone_number maria_number = phone_number::parse("+39 333 123 4567").value();

std::string encode(const content& c, const send_options& o = {}) {
  auto r = encode_send_request(maria_number, c, o);
  INFO((r ? std::string() : r.error().to_string()));
  REQUIRE(r);
  return *r;
}

const std::string head =
    R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393331234567")";

interactive_content buttons(std::size_t n, std::string title = "Yes") {
  interactive_content i;
  i.kind = interactive_kind::button;
  i.body = "Confirm the appointment?";
  for (std::size_t k = 0; k < n; ++k) i.options.push_back({"b" + std::to_string(k), title, ""});
  return i;
}

using test::positional;

}  // namespace

TEST_CASE("text, media, location, contacts and reactions encode in the documented shape", "[wire][send]") {
  text_content t;
  t.body = "Ciao \"Maria\"\n\xf0\x9f\x98\x80";
  t.preview_url = true;
  CHECK(encode(t) == head + R"(,"type":"text","text":{"preview_url":true,"body":"Ciao \"Maria\"\n)"
                            "\xf0\x9f\x98\x80"
                            R"("}})");

  media_content doc;
  doc.kind = media_kind::document;
  doc.link = "https://shop.example/r.pdf";
  doc.caption = "Your receipt";
  doc.filename = "receipt-48213.pdf";
  CHECK(encode(doc) == head + R"(,"type":"document","document":{"link":"https://shop.example/r.pdf",)"
                              R"("caption":"Your receipt","filename":"receipt-48213.pdf"}})");
  media_content audio;
  audio.kind = media_kind::audio;
  audio.media_id = "1003383421387258";
  audio.caption = "ignored: audio has no caption";
  CHECK(encode(audio) == head + R"(,"type":"audio","audio":{"id":"1003383421387258"}})");

  CHECK(encode(location_content{"0", "-0.5", "", ""}).find(R"("latitude":0,"longitude":-0.5)") !=
        std::string::npos);
  location_content loc{"45.464203", "-9.189982", "Duomo", "Piazza del Duomo"};
  CHECK(encode(loc) == head + R"(,"type":"location","location":{"latitude":45.464203,"longitude":-9.189982,)"
                              R"("name":"Duomo","address":"Piazza del Duomo"}})");

  contacts_content cards;
  cards.contacts.push_back({"Giulia Bianchi", {"+39 02 1234567"}, {"giulia@example.invalid"}});
  CHECK(encode(cards) ==
        head + R"(,"type":"contacts","contacts":[{"name":{"formatted_name":"Giulia Bianchi"},)"
               R"("phones":[{"phone":"+39 02 1234567"}],"emails":[{"email":"giulia@example.invalid"}]}]})");

  CHECK(encode(reaction_content{"wamid.in1", "\xf0\x9f\x91\x8d"}) ==
        head + R"(,"type":"reaction","reaction":{"message_id":"wamid.in1","emoji":")"
               "\xf0\x9f\x91\x8d"
               R"("}})");
}

TEST_CASE("templates, interactive messages, context and callback data", "[wire][send]") {
  template_content tpl{"order_update", "it", template_category::utility, {{"1", "Maria"}, {"2", "48213"}}};
  send_options o;
  o.reply_to = "wamid.in1";
  o.biz_opaque_callback_data = "order-48213";
  CHECK(encode(tpl, o) ==
        head + R"(,"context":{"message_id":"wamid.in1"},"biz_opaque_callback_data":"order-48213",)"
               R"("type":"template","template":{"name":"order_update","language":{"code":"it"},)"
               R"("components":[{"type":"body","parameters":[{"type":"text","text":"Maria"},)"
               R"({"type":"text","text":"48213"}]}]}})");
  template_content named{"welcome", "en_US", template_category::marketing, {{"first_name", "Ann"}}};
  CHECK(encode(named).find(R"({"type":"text","parameter_name":"first_name","text":"Ann"})") !=
        std::string::npos);

  auto b = buttons(2);
  b.header = "Dentist";
  CHECK(encode(b) ==
        head + R"(,"type":"interactive","interactive":{"type":"button","header":{"type":"text",)"
               R"("text":"Dentist"},"body":{"text":"Confirm the appointment?"},"action":{"buttons":[)"
               R"({"type":"reply","reply":{"id":"b0","title":"Yes"}},{"type":"reply","reply":{"id":"b1",)"
               R"("title":"Yes"}}]}}})");

  interactive_content list;
  list.kind = interactive_kind::list;
  list.body = "Pick a slot";
  list.action_label = "Slots";
  list.options = {{"s1", "Mon 10:00", "Via Roma 1"}, {"s2", "Tue 11:00", ""}};
  CHECK(encode(list) ==
        head + R"(,"type":"interactive","interactive":{"type":"list","body":{"text":"Pick a slot"},)"
               R"("action":{"button":"Slots","sections":[{"rows":[{"id":"s1","title":"Mon 10:00",)"
               R"("description":"Via Roma 1"},{"id":"s2","title":"Tue 11:00"}]}]}}})");

  interactive_content cta;
  cta.kind = interactive_kind::cta_url;
  cta.body = "Track your parcel";
  cta.action_label = "Track";
  cta.url = "https://shop.example/t/48213";
  CHECK(encode(cta) ==
        head + R"(,"type":"interactive","interactive":{"type":"cta_url","body":{"text":)"
               R"("Track your parcel"},"action":{"name":"cta_url","parameters":{"display_text":"Track",)"
               R"("url":"https://shop.example/t/48213"}}}})");
}

TEST_CASE("limits and impossible sends are refused with the rule and nothing is written", "[wire][send]") {
  std::string out = "keep";
  auto refused = [&](const content& c, const char* code) {
    auto r = append_send_request(out, maria_number, c);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK(out == "keep");
    return r.error();
  };
  auto e = refused(buttons(4), "send.limit");
  CHECK(e.message.find("1 to 3 buttons, not 4") != std::string::npos);
  e = refused(buttons(1, "A title of 21 chars!!"), "send.limit");
  CHECK(e.where == "interactive.button.title");
  CHECK(append_send_request(out, maria_number, buttons(1, "Twenty chars exactly")));  // 20 is allowed
  out = "keep";
  refused(text_content{std::string(4097, 'x')}, "send.limit");
  refused(text_content{"bad \xff utf-8"}, "send.invalid");
  refused(location_content{"45,46", "9.18", "", ""}, "send.invalid");
  refused(location_content{"45.46", "09", "", ""}, "send.invalid");  // found by fuzz_send: not a JSON number
  refused(location_content{"45.", "9", "", ""}, "send.invalid");
  refused(location_content{"-", "9", "", ""}, "send.invalid");
  refused(location_content{"1e5", "9", "", ""}, "send.invalid");
  refused(location_content{"90.5", "9", "", ""}, "send.invalid");  // out of range
  refused(location_content{"45", "-180.01", "", ""}, "send.invalid");
  refused(location_content{"4555" + std::string(300, '0'), "9", "", ""},
          "send.invalid");  // found by fuzz_send
  CHECK(append_send_request(out, maria_number, location_content{"-90.000", "180", "", ""}));
  out = "keep";
  refused(media_content{}, "send.invalid");
  interactive_content reply;
  reply.kind = interactive_kind::button_reply;
  reply.body = "x";
  refused(reply, "send.unsupported");
  refused(order_content{}, "send.unsupported");
  refused(unsupported_content{"poll", "{}"}, "send.unsupported");
  interactive_content order;
  order.kind = interactive_kind::order_details;
  order.body = "Pay";
  order.payload_json = "[1]";
  refused(order, "send.invalid");
  CHECK_FALSE(encode_send_request(phone_number{}, text_content{"x"}));
}

TEST_CASE("send responses and API errors decode into typed values", "[wire][send]") {
  auto ok = decode_send_response(
      R"({"messaging_product":"whatsapp","contacts":[{"input":"+393331234567","wa_id":"393331234567"}],)"
      R"("messages":[{"id":"wamid.HBgL","message_status":"accepted"}]})");
  REQUIRE(ok);
  CHECK(ok->wa_id == "393331234567");
  CHECK(ok->message_id == "wamid.HBgL");
  CHECK(ok->message_status == "accepted");
  CHECK(decode_send_response(R"({"messages":[]})").error().code == "send.response");
  CHECK(decode_send_response("<html>").error().code == "send.response");

  auto err = decode_api_error(
      R"({"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,)"
      R"("error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 )"
      R"(hours have passed since the customer last replied to this number."},"fbtrace_id":"AbCd"}})");
  REQUIRE(err);
  CHECK(err->code == 131047);
  CHECK(err->fbtrace_id == "AbCd");
  const auto e = to_error(*err);
  CHECK(e.code == "platform.re_engagement");
  CHECK(e.where == "131047");
  CHECK(e.message.find("send an approved template instead") != std::string::npos);
  CHECK_FALSE(platform_error_retryable(131047));

  CHECK(platform_error_name(131056) == "pair_rate_limit");
  CHECK(platform_error_retryable(131056));
  CHECK(platform_error_name(130429) == "throughput");
  CHECK(platform_error_retryable(130429));
  CHECK(platform_error_name(132000) == "parameter_mismatch");
  CHECK(platform_error_name(999999) == "unknown");
  status_error se;
  se.code = 132000;
  se.title = "Number of parameters does not match the expected number of params";
  CHECK(to_error(se).code == "platform.parameter_mismatch");
  CHECK(decode_api_error(R"({"data":1})").error().code == "send.error_body");
}

TEST_CASE("invalid UTF-8 anywhere is refused, never written", "[wire][send]") {
  // Found by fuzz_send: a template name with invalid bytes produced invalid JSON.
  std::string out = "keep";
  template_content tpl{"order\xff_update", "it", template_category::utility, {{"1", "Maria"}}};
  auto r = append_send_request(out, maria_number, tpl);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "send.invalid");
  CHECK(out == "keep");
  template_content unnamed{"order_update", "it", template_category::utility, {{"", "Maria"}}};
  CHECK(append_send_request(out, maria_number, unnamed).error().code == "send.invalid");
  CHECK(append_send_request(out, maria_number, reaction_content{"wamid.\xc3", "x"}).error().code ==
        "send.invalid");
  contacts_content card;
  card.contacts.push_back({"Giulia", {"+39 \xe2\x82"}, {}});
  CHECK(append_send_request(out, maria_number, card).error().code == "send.invalid");
  CHECK(out == "keep");
}

TEST_CASE("the send request is the platform's shape, byte for byte", "[wire][send]") {
  auto d = positional("Hi {{1}}, order {{2}}");
  d.header = header_format::document;
  d.buttons.push_back({button_type::quick_reply, "Stop", "", "", "", "", {}});
  d.buttons.push_back({button_type::url, "Track", "https://shop.example/t/{{1}}", "", "", "", {}});
  template_arguments a;
  a.add("Maria \"M\"").add("A-1");
  a.set_header(media_parameter{media_kind::document, "https://x.example/r.pdf", "", "receipt.pdf"});
  a.set_button(1, "A-1");
  const auto json =
      send_request_json(bind(d, a).value(), phone_number::parse("+393331234567").value()).value();
  CHECK(
      json ==
      R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393331234567","type":"template",)"
      R"("template":{"name":"t","language":{"code":"en_US"},"components":[)"
      R"({"type":"header","parameters":[{"type":"document","document":{"link":"https://x.example/r.pdf","filename":"receipt.pdf"}}]},)"
      R"({"type":"body","parameters":[{"type":"text","text":"Maria \"M\""},{"type":"text","text":"A-1"}]},)"
      R"({"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"A-1"}]}]}})");
  const auto parsed = nlohmann::json::parse(json);
  CHECK(parsed["template"]["components"].size() == 3);

  auto named = positional("Hi {{first_name}}");
  named.format = parameter_format::named;
  template_arguments n;
  n.set("first_name", "Luca");
  CHECK_THAT(send_request_json(bind(named, n).value(), phone_number::parse("+393331234567").value()).value(),
             test::contains_substring(R"({"type":"text","parameter_name":"first_name","text":"Luca"})"));
}

TEST_CASE("JSON strings are escaped exactly", "[wire][json]") {
  auto escaped = [](std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
  };
  CHECK(escaped("") == R"("")");
  CHECK(escaped("plain text that is long enough") == R"("plain text that is long enough")");
  CHECK(escaped("a\"b\\c") == R"("a\"b\\c")");
  CHECK(escaped("line\nbreak\ttab\r\b\f") == R"("line\nbreak\ttab\r\b\f")");
  CHECK(escaped(std::string_view("\x01\x1f", 2)) == R"("\u0001\u001f")");
  CHECK(escaped("12345678\"12345678") == R"("12345678\"12345678")");  // an escape after a clean 8-byte block
  CHECK(escaped("caffè 😀") == "\"caffè 😀\"");                         // UTF-8 passes through
  for (const char* s : {"x", "\"", "0123456789abcdef\\", "tab\tin the middle of a longer string"}) {
    INFO(s);
    CHECK(nlohmann::json::parse(escaped(s)).get<std::string>() == s);
  }
}

TEST_CASE("typed template values reach the request, and bad ones are refused", "[wire][send]") {
  template_content t{"receipt", "it", template_category::utility, {{"1", "Maria"}}};
  t.parameters.push_back(template_parameter::currency("total", "99,90 EUR", "EUR", 99900));
  t.parameters.push_back(template_parameter::date_time("2", "lun 2 mar 2026"));
  t.header = template_parameter::media(media_kind::image, "", "https://x.example/a.png", "ignored.png");
  t.buttons.push_back({2, template_button_kind::quick_reply, "STOP"});
  t.buttons.push_back({3, template_button_kind::copy_code, "SAVE10"});
  CHECK(
      encode(t) ==
      head +
          R"(,"type":"template","template":{"name":"receipt","language":{"code":"it"},"components":[)"
          R"({"type":"header","parameters":[{"type":"image","image":{"link":"https://x.example/a.png"}}]},)"
          R"({"type":"body","parameters":[{"type":"text","text":"Maria"},)"
          R"({"type":"currency","parameter_name":"total","currency":{"fallback_value":"99,90 EUR","code":"EUR","amount_1000":99900}},)"
          R"({"type":"date_time","date_time":{"fallback_value":"lun 2 mar 2026"}}]},)"
          R"({"type":"button","sub_type":"quick_reply","index":"2","parameters":[{"type":"payload","payload":"STOP"}]},)"
          R"({"type":"button","sub_type":"copy_code","index":"3","parameters":[{"type":"coupon_code","coupon_code":"SAVE10"}]}]}})");
  // A named header text value carries its name.
  template_content named{"welcome", "en_US", template_category::marketing, {}};
  named.header = template_parameter{"shop", "Rossi"};
  CHECK_THAT(
      encode(named),
      test::contains_substring(
          R"({"type":"header","parameters":[{"type":"text","parameter_name":"shop","text":"Rossi"}]})"));

  auto refused = [](const template_content& c) { return encode_send_request(maria_number, c).error(); };
  auto bad = t;
  bad.parameters[1].currency_code = "eur";
  CHECK(refused(bad).code == "send.invalid");
  CHECK(refused(bad).message == "the currency of body 'total' is not a three-letter ISO 4217 code ('eur')");
  bad = t;
  bad.header->link.clear();
  CHECK(refused(bad).message == "the header needs exactly one of a media id and a link");
  bad = t;
  bad.header->media_type = media_kind::sticker;
  CHECK(refused(bad).message == "a template header takes an image, a video or a document, not sticker");
  bad = t;
  bad.parameters.push_back(*t.header);
  CHECK(refused(bad).message == "media goes in a template's header, not its body");
  // Parameter names go into the request as they are: only template names pass (found by fuzz_send).
  bad = t;
  bad.parameters.push_back(
      {"nam\xac"
       "e",
       "Ann"});
  CHECK(refused(bad).where == "body");
  bad.parameters.back().key = "Order Id";
  CHECK(refused(bad).message ==
        "'Order Id' is not a body parameter's position or name (1, 2 ... or up to 64 lower-case letters, "
        "digits and underscores, starting with a letter)");
  bad = t;
  bad.buttons[1].index = 2;
  CHECK(refused(bad).where == "buttons");
  bad.buttons[1].index = max_template_buttons;
  CHECK(refused(bad).where == "buttons");
}

TEST_CASE("every catalog template's request is its binding's content, encoded once", "[wire][send]") {
  // One encoder: a bound template and its content as a desk carries it give
  // the same bytes, and every value appears in the request.
  for (const auto& def : catalog::all()) {
    INFO(def.name << " " << def.language);
    const auto a = test::sample_arguments(def);
    auto bound = bind(def, a);
    INFO((bound ? std::string() : bound.error().to_string()));
    REQUIRE(bound);
    const auto json = send_request_json(*bound, maria_number).value();
    CHECK(json == encode(to_content(*bound)));
    const auto j = nlohmann::json::parse(json);
    CHECK(j["template"]["name"] == def.name);
    std::size_t values = 0;
    for (const auto& c : j["template"]["components"]) values += c["parameters"].size();
    CHECK(values ==
          (bound->header_value ? 1U : 0U) + bound->body_values.size() + bound->button_values.size());
  }
}

TEST_CASE("every catalog template sent through a desk reaches the transport as its binding's request",
          "[wire][send][engine]") {
  // The path an application takes: bind, `to_content`, `desk::send`; the
  // transport encodes what it is given. The bytes must be the binding's own.
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  memory_store store;
  std::vector<std::string> posted;
  function_transport recorder([&](const outbound_message& m) {
    auto body = encode_send_request(m.message.customer, m.message.content);
    posted.push_back(body ? *body : "refused: " + body.error().to_string());
    return transport_answer::accepted("wamid." + std::to_string(posted.size()));
  });
  desk d(clock, store, &recorder);
  business b;
  b.id = "shop";
  b.numbers.push_back({"n1", phone_number::parse("+390551234567").value(), 80});
  d.add_business(b).value();
  template_library library(clock);
  for (const auto& def : catalog::all()) REQUIRE(library.add("shop", def));
  d.set_template_directory(&library);

  std::size_t sent = 0;
  for (const auto& def : catalog::all()) {
    INFO(def.name << " " << def.language);
    auto bound = bind(def, test::sample_arguments(def));
    REQUIRE(bound);
    send_intent intent;
    intent.business_id = "shop";
    intent.customer = maria_number;
    intent.content = to_content(*bound);
    auto r = d.send(std::move(intent));
    REQUIRE(r);
    INFO((r->decision.refusal ? r->decision.refusal->to_string() : std::string()));
    REQUIRE(r->decision.allowed);
    REQUIRE(posted.size() == ++sent);
    CHECK(posted.back() == send_request_json(*bound, maria_number).value());
  }
  CHECK(sent == catalog::all().size());
}
