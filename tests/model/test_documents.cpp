// A message as JSON and back, every field of every kind of content kept.
#include <string>
#include <vector>

#include "chatdesk/core/country.hpp"
#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/model/documents.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

namespace {

phone_number num(const char* s) {
  return phone_number::parse(s).value();
}

std::vector<content> every_content() {
  template_content t{"order_update", "it", template_category::marketing, {{"1", "Maria"}}};
  t.parameters.push_back(template_parameter::currency("total", "54,90 €", "EUR", 54'900));
  t.parameters.push_back(template_parameter::date_time("when", "3 marzo"));
  t.header = template_parameter::media(media_kind::document, "", "https://shop.example/r.pdf", "receipt.pdf");
  t.buttons.push_back({0, template_button_kind::url, "A-1042"});
  t.buttons.push_back({2, template_button_kind::copy_code, "SAVE10"});
  interactive_content list;
  list.kind = interactive_kind::list;
  list.header = "Delivery";
  list.body = "Pick a day";
  list.footer = "Bottega Rossi";
  list.action_label = "Days";
  list.options = {{"mon", "Monday", "9-12"}, {"tue", "Tuesday", ""}};
  interactive_content reply;
  reply.kind = interactive_kind::flow_reply;
  reply.reply_id = "flow-1";
  reply.payload_json = R"({"answer":"yes"})";
  return {
      text_content{"Ciao \xF0\x9F\x91\x8B \"quoted\"\nnew line", true},
      t,
      media_content{media_kind::image, "", "1479537139650973", "my cat", "", "image/jpeg", "abc=", false,
                    false},
      media_content{media_kind::audio, "", "99", "", "", "audio/ogg; codecs=opus", "", true, false},
      media_content{media_kind::sticker, "https://x.example/s.webp", "", "", "", "image/webp", "", false,
                    true},
      media_content{media_kind::document, "", "7", "", "invoice.pdf", "application/pdf", "", false, false},
      location_content{"45.4642", "-9.19", "Duomo", "Piazza del Duomo, Milano"},
      contacts_content{
          {{"Maria Rossi", {"+393331234567", "+390551234567"}, {"maria@example.com"}}, {"Luca", {}, {}}}},
      list,
      reply,
      reaction_content{"wamid.out1", "\xE2\x9D\xA4"},
      order_content{"cat-1", "for Friday", {{"sku-1", 2, "12.50", "EUR"}, {"sku-2", 1, "0.99", "EUR"}}},
      system_content{"user_changed_number", "Maria changed her number", "393339999999"},
      unsupported_content{"poll", R"({"type":"poll","poll":{"q":"?"}})"},
  };
}

}  // namespace

TEST_CASE("every message reads back as the message written", "[model][json]") {
  for (const auto& c : every_content()) {
    message m;
    m.direction = is_template(c) ? direction::outbound : direction::inbound;
    m.id = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRCRDY0";
    m.correlation_id = is_template(c) ? "c-7" : "";
    m.business_number_id = "106540352242922";
    m.customer = num("+393331234567");
    m.at = parse_timestamp("2026-03-02T09:00:00.123Z").value();
    m.content = c;
    m.context = reply_context{"wamid.prev", "393331234567", true, true, "cat-1", "sku-1"};
    m.referral =
        referral{"ad", "120", "https://fb.me/x", "Sale", "All -20%", "clid", "image", "https://i", "", ""};
    const auto text = to_json(m);
    INFO(text);
    const auto back = parse_message(text);
    REQUIRE(back);
    CHECK(*back == m);
    CHECK(text.find('\n') == std::string::npos);
  }
  message bare;  // no context, no referral, no customer
  bare.content = text_content{"x", false};
  CHECK(parse_message(to_json(bare)).value() == bare);
  CHECK(to_json(bare).find("\"content\":{\"type\":\"text\",\"body\":\"x\",\"preview_url\":false}") !=
        std::string::npos);
}

TEST_CASE("a stored message that cannot be read names the field", "[model][json]") {
  const auto error_of = [](const char* text) { return parse_message(text).error(); };
  CHECK(error_of("not json").code == "message.json");
  CHECK(error_of("[]").message == "a stored message's  is not an object");
  CHECK(error_of(R"({"direction":"sideways","content":{"type":"text"}})").message ==
        "a stored message's direction 'sideways' is not one of inbound, outbound");
  CHECK(error_of(R"({"direction":"inbound"})").message == "a stored message's content is missing");
  CHECK(error_of(R"({"direction":"inbound","content":{"type":"hologram"}})").where == "content.type");
  CHECK(error_of(R"({"direction":"inbound","content":{"type":"text","body":7}})").message ==
        "a stored message's content.body is not a string");
  CHECK(error_of(R"({"direction":"inbound","customer":"+1","content":{"type":"text"}})").where == "customer");
  CHECK(error_of(R"({"direction":"inbound","at_ms":1.5,"content":{"type":"text"}})").where == "at_ms");
  CHECK(error_of(R"({"direction":"inbound","content":{"type":"order","items":[{"quantity":-1}]}})").where ==
        "content.items[0].quantity");
  CHECK(error_of(R"({"direction":"inbound","content":{"type":"contacts","contacts":[{"phones":[1]}]}})")
            .where == "content.contacts[0].phones[0]");
  std::string deep(100, '[');
  CHECK(error_of(deep.c_str()).code == "message.json");
}

TEST_CASE("a business reads back as the business written", "[model][json]") {
  business b;
  b.id = "bottega";
  b.display_name = "Bottega \"Rossi\"";
  b.zone = time_zone::locate("Europe/Rome").value();
  b.home_country = country::from_alpha2("IT").value();
  b.billing_currency = currency::from_code("EUR").value();
  b.numbers.push_back({"n1", num("+390551234567"), 80});
  b.numbers.push_back({"n2", num("+390557654321"), 1000});
  b.tier = messaging_tier::tier_10k;
  b.quality = quality_rating::yellow;
  b.paid_exempt = true;
  b.auth_international_from = parse_timestamp("2026-05-01T00:00:00Z").value();
  b.opt_out_keywords = {"STOP", "BASTA"};
  b.opt_in_keywords = {};
  const auto text = to_json(b);
  INFO(text);
  const auto back = parse_business(text).value();
  CHECK(to_json(back) == text);
  CHECK(back.zone == b.zone);
  CHECK(back.numbers[1].throughput_per_second == 1000);
  CHECK(back.opt_out_keywords == b.opt_out_keywords);
  CHECK(back.opt_in_keywords.empty());
  CHECK(back.auth_international_from == b.auth_international_from);

  business plain;  // the defaults: UTC, no country, unknown quality
  plain.id = "p";
  plain.numbers.push_back({"n9", num("+14155550100"), 80});
  CHECK(to_json(parse_business(to_json(plain)).value()) == to_json(plain));
  business by_id;  // a number registered by its id alone (scripts do this) reads back too
  by_id.id = "q";
  by_id.numbers.push_back({"n1", phone_number{}, 80});
  const auto again = parse_business(to_json(by_id));
  REQUIRE(again);
  CHECK(again->numbers.at(0).number.empty());

  CHECK(parse_business(R"({"id":"x","zone":"Mars/Olympus"})").error().where == "zone");
  CHECK(parse_business(R"({"id":"x","tier":"1K","quality":"GREEN","numbers":[]})").error().code ==
        "business.invalid");
  CHECK(parse_business(R"({"id":"x","numbers":[{"id":"n","number":"12"}]})").error().code == "business.json");
}
