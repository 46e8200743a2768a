// Twilio and Zendesk adapters: fixtures against their expected events,
// typed fields, signatures with independent test vectors, encoders, refusals.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatdesk/templates/binding.hpp"
#include "chatdesk/templates/catalog.hpp"
#include "chatdesk/wire/twilio.hpp"
#include "chatdesk/wire/zendesk.hpp"
#include "helpers/catalog_values.hpp"
#include "helpers/catch.hpp"
#include "wire/fixture_support.hpp"

using namespace chatdesk;

namespace {

const std::filesystem::path& fixtures = chatdesk::test::wire_fixtures();
using chatdesk::test::lines_of;
using chatdesk::test::slurp;

const timestamp received = parse_timestamp("2025-10-01T10:00:00Z").value();
const phone_number maria = phone_number::parse("+393331234567").value();
const phone_number sender = phone_number::parse("+14155238886").value();

}  // namespace

TEST_CASE("Twilio fixtures decode to exactly their expected events", "[wire][twilio]") {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures / "twilio")) {
    if (entry.path().extension() != ".form") continue;
    ++n;
    auto expected_path = entry.path();
    expected_path.replace_extension(".jsonl");
    auto batch = decode_twilio_webhook(slurp(entry.path()), received);
    INFO(entry.path().filename().string() << ": " << (batch ? std::string() : batch.error().to_string()));
    REQUIRE(batch);
    std::vector<std::string> actual;
    for (const auto& e : batch->events) actual.push_back(to_json_line(e));
    CHECK(actual == lines_of(slurp(expected_path)));
  }
  CHECK(n >= 7);
}

TEST_CASE("Twilio inbound messages and status callbacks are typed events", "[wire][twilio]") {
  auto text = decode_twilio_webhook(slurp(fixtures / "twilio/inbound_text.form"), received).value();
  const auto& m = std::get<webhook_message>(text.events.at(0));
  CHECK(m.message.customer == maria);
  CHECK(m.metadata.phone_number_id == "14155238886");
  CHECK(m.metadata.account_id == "AC0123456789abcdef0123456789abcdef");
  CHECK(m.message.at == received);
  CHECK(std::get<text_content>(m.message.content).body == "Ciao, \xc3\xa8 arrivato il pacco?");

  auto failed = decode_twilio_webhook(slurp(fixtures / "twilio/status_undelivered.form"), received).value();
  const auto& s = std::get<webhook_status>(failed.events.at(0));
  CHECK(s.status == message_status::failed);
  CHECK(s.status_text == "undelivered");
  CHECK(s.recipient == maria);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].code == 63016);

  auto sending = decode_twilio_webhook(slurp(fixtures / "twilio/status_sending.form"), received).value();
  CHECK_FALSE(std::get<webhook_status>(sending.events.at(0)).status.has_value());

  CHECK(decode_twilio_webhook("From=whatsapp%3A%2B393331234567&To=whatsapp%3A%2B14155238886", received)
            .error()
            .code == "twilio.missing");
  auto sms =
      decode_twilio_webhook("MessageSid=SM1&From=%2B393331234567&To=whatsapp%3A%2B14155238886", received);
  REQUIRE_FALSE(sms);
  CHECK(sms.error().code == "twilio.address");
  CHECK(sms.error().where == "From");
  CHECK(decode_twilio_webhook("MessageSid=SM1&From=%ZZ", received).error().code == "form.malformed");
  CHECK(decode_twilio_webhook(
            "MessageSid=SM1&NumMedia=x&From=whatsapp%3A%2B393331234567&To=whatsapp%3A%2B1415523"
            "8886",
            received)
            .error()
            .code == "form.malformed");
}

TEST_CASE("Twilio addresses, forms and message parameters", "[wire][twilio]") {
  CHECK(twilio_address(maria) == "whatsapp:+393331234567");
  CHECK(parse_twilio_address("whatsapp:+393331234567").value() == maria);
  CHECK(parse_twilio_address("+393331234567").error().code == "twilio.address");
  CHECK(parse_twilio_address("whatsapp:393331234567").error().code == "twilio.address");

  const form_parameters p{{"Body", "Ciao è tutto ok? 100% sì"}, {"To", "whatsapp:+39"}};
  const auto encoded = encode_form(p);
  CHECK(encoded == "Body=Ciao%20%C3%A8%20tutto%20ok%3F%20100%25%20s%C3%AC&To=whatsapp%3A%2B39");
  CHECK(parse_form(encoded).value() == p);

  template_content tpl{"order_update", "it", template_category::utility, {{"1", "Maria"}, {"2", "48213"}}};
  auto msg = to_twilio_message(maria, sender, tpl, "HXb5b62575e6e4ff6129ad7c8efe1f983e");
  REQUIRE(msg);
  auto params = twilio_message_parameters(*msg).value();
  CHECK(form_value(params, "To") == "whatsapp:+393331234567");
  CHECK(form_value(params, "From") == "whatsapp:+14155238886");
  CHECK(form_value(params, "ContentSid") == "HXb5b62575e6e4ff6129ad7c8efe1f983e");
  CHECK(form_value(params, "ContentVariables") == R"({"1":"Maria","2":"48213"})");

  media_content pdf;
  pdf.kind = media_kind::document;
  pdf.link = "https://shop.example/r.pdf";
  pdf.caption = "Your receipt";
  params = twilio_message_parameters(to_twilio_message(maria, sender, pdf).value()).value();
  CHECK(form_value(params, "MediaUrl") == "https://shop.example/r.pdf");
  CHECK(form_value(params, "Body") == "Your receipt");

  CHECK(to_twilio_message(maria, sender, tpl).error().code == "twilio.invalid");  // no Content SID
  CHECK(to_twilio_message(maria, sender, tpl, "HX123").error().code == "twilio.invalid");
  CHECK(to_twilio_message(maria, sender, reaction_content{"m", "x"}).error().code == "twilio.unsupported");
  twilio_message bad;
  bad.to = maria;
  bad.from = sender;
  bad.body = "x";
  bad.content_variables = {{"1", "x"}};
  CHECK(twilio_message_parameters(bad).error().code == "twilio.invalid");  // variables without ContentSid
  bad.content_sid = "HXb5b62575e6e4ff6129ad7c8efe1f983e";
  bad.content_variables = {{"a_name_of_17_char", "x"}};
  CHECK(twilio_message_parameters(bad).error().code == "twilio.limit");
  bad.content_variables.assign(101, {"1", "x"});
  CHECK(twilio_message_parameters(bad).error().code == "twilio.limit");
  bad.content_variables.clear();
  bad.body = std::string(1601, 'x');
  CHECK(twilio_message_parameters(bad).error().code == "twilio.limit");
}

#if CHATDESK_WITH_OPENSSL
TEST_CASE("X-Twilio-Signature over the URL and sorted parameters", "[wire][twilio][signature]") {
  // Expected values computed independently (Python's hmac module).
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const form_parameters params{{"Digits", "1234"},
                               {"To", "+18005551212"},
                               {"From", "+12349013030"},
                               {"Caller", "+12349013030"},
                               {"CallSid", "CA1234567890ABCDE"}};
  CHECK(twilio_signature(url, params, "12345").value() == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  // An auth token longer than SHA-1's block (reference value from `openssl dgst -sha1 -mac HMAC`).
  CHECK(twilio_signature("https://example.com/hook", {}, std::string(80, 't')).value() ==
        "T9t86R/p/0ykJeZ95WgUskKTzS0=");
  CHECK(verify_twilio_signature(url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345"));
  // The same URL with its default port written out still verifies.
  CHECK(verify_twilio_signature("https://mycompany.com:443/myapp.php?foo=1&bar=2", params,
                                "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345"));
  CHECK(verify_twilio_signature(url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12346").error().code ==
        "signature.mismatch");
  auto changed = params;
  changed[0].second = "1235";
  CHECK(verify_twilio_signature(url, changed, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345").error().code ==
        "signature.mismatch");
  CHECK(verify_twilio_signature(url, params, "", "12345").error().code == "signature.missing");
  CHECK(verify_twilio_signature(url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "").error().code ==
        "signature.no_secret");

  const std::string body = R"({"property": "value", "boolean": true})";
  const std::string json_url =
      "https://mycompany.com/"
      "myapp.php?bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  CHECK(verify_twilio_json_signature(json_url, body, "y77kIzt2vzLz71DgmJGsen2scGs=", "12345"));
  CHECK(verify_twilio_json_signature(json_url, body + " ", "y77kIzt2vzLz71DgmJGsen2scGs=", "12345")
            .error()
            .code == "signature.body_hash");
  CHECK(verify_twilio_json_signature("https://mycompany.com/myapp.php", body,
                                     "y77kIzt2vzLz71DgmJGsen2scGs=", "12345")
            .error()
            .code == "signature.body_hash");
  // Whenever the URL carries bodySHA256 the body is checked: verify_twilio_request picks the scheme,
  // and the form check refuses to ignore the hash.
  CHECK(verify_twilio_request(json_url, body, "y77kIzt2vzLz71DgmJGsen2scGs=", "12345"));
  CHECK(verify_twilio_request(json_url, body + " ", "y77kIzt2vzLz71DgmJGsen2scGs=", "12345").error().code ==
        "signature.body_hash");
  CHECK(verify_twilio_signature(json_url, {}, "y77kIzt2vzLz71DgmJGsen2scGs=", "12345").error().code ==
        "signature.body_hash");
  CHECK(verify_twilio_request(
      url,
      "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212",
      "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345"));
  // A limit of Twilio's scheme (documented): names and values are signed with nothing between them.
  CHECK(twilio_signature(url, {{"Body", "Ciao"}}, "12345").value() ==
        twilio_signature(url, {{"BodyC", "iao"}}, "12345").value());
}
#endif

TEST_CASE("Twilio form values that are not UTF-8 once decoded are refused by name", "[wire][twilio]") {
  const std::string base =
      "MessageSid=SM1&AccountSid=AC1&From=whatsapp%3A%2B393331234567&To=whatsapp%3A%2B390551234567";
  REQUIRE(decode_twilio_webhook(base + "&Body=Ciao", timestamp{}));
  auto bad = decode_twilio_webhook(base + "&Body=%FF", timestamp{});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "twilio.invalid");
  CHECK(bad.error().where == "Body");
  auto bad_name = decode_twilio_webhook(base + "&%C3=x", timestamp{});
  REQUIRE_FALSE(bad_name);
  CHECK(bad_name.error().code == "twilio.invalid");
  CHECK(bad_name.error().where == "\\xc3");
}

TEST_CASE("Zendesk v2 events decode to exactly their expected events", "[wire][zendesk]") {
  auto batch = decode_zendesk_webhook(slurp(fixtures / "zendesk/events.json"));
  REQUIRE(batch);
  std::vector<std::string> actual;
  for (const auto& e : batch->events) actual.push_back(to_json_line(e));
  CHECK(actual == lines_of(slurp(fixtures / "zendesk/events.jsonl")));

  const auto& customer = std::get<webhook_message>(batch->events.at(0));
  CHECK(customer.conversation_id == "b1b4dd3a36b1ad5e4f8bb7b4");
  CHECK(customer.metadata.account_id == "5ebee0975ac5304b664a12fa");
  CHECK(customer.message.at == parse_timestamp("2025-09-30T15:17:09.979Z").value());
  const auto& agent = std::get<webhook_agent_message>(batch->events.at(1));
  CHECK(agent.author_name == "Giulia (support)");
  CHECK(std::get<text_content>(agent.content).body == "Ciao Maria, controllo subito.");
  CHECK(std::get<webhook_status>(batch->events.at(2)).status == message_status::sent);
  CHECK(std::get<webhook_status>(batch->events.at(3)).status == message_status::delivered);
  CHECK(std::get<webhook_status>(batch->events.at(4)).status == message_status::read);
  const auto& postback = std::get<webhook_message>(batch->events.at(5));
  CHECK(std::get<interactive_content>(postback.message.content).reply_id == "TRACK_48213");
  const auto& failure = std::get<webhook_status>(batch->events.at(6));
  CHECK(failure.status == message_status::failed);
  CHECK(failure.errors.at(0).code == 131047);
  CHECK(event_kind(batch->events.at(7)) == "unknown_field");
}

TEST_CASE("malformed Zendesk bodies are refused with the path", "[wire][zendesk]") {
  CHECK(decode_zendesk_webhook("nope").error().code == "zendesk.syntax");
  CHECK(decode_zendesk_webhook("[]").error().code == "zendesk.type");
  CHECK(decode_zendesk_webhook(R"({"app":{"id":"a"}})").error().code == "zendesk.missing");
  auto e = decode_zendesk_webhook(
      R"({"events":[{"type":"conversation:message","payload":{"message":{"id":"m"}}}]})");
  REQUIRE_FALSE(e);
  CHECK(e.error().code == "zendesk.missing");
  CHECK(e.error().where == "events[0].payload.message.author");
  e = decode_zendesk_webhook(R"({"events":[{"type":7,"payload":{}}]})");
  CHECK(e.error().where == "events[0].type");
  e = decode_zendesk_webhook(
      R"({"events":[{"type":"conversation:read","createdAt":"yesterday","payload":{}}]})");
  CHECK(e.error().code == "zendesk.value");
  CHECK(decode_zendesk_webhook(std::string(100, '[') + std::string(100, ']')).error().code ==
        "zendesk.too_deep");
  CHECK(decode_zendesk_webhook(R"({"events":[]})", 5).error().code == "zendesk.too_large");
}

TEST_CASE("Zendesk message posts and the shared secret", "[wire][zendesk]") {
  zendesk_author bot;
  bot.display_name = "Shop bot";
  CHECK(
      zendesk_message_body(text_content{"Ciao!"}, bot).value() ==
      R"({"author":{"type":"business","displayName":"Shop bot"},"content":{"type":"text","text":"Ciao!"}})");
  interactive_content buttons;
  buttons.kind = interactive_kind::button;
  buttons.body = "Confirm?";
  buttons.options = {{"yes", "Yes", ""}, {"no", "No", ""}};
  const auto j = nlohmann::json::parse(zendesk_message_body(buttons).value());
  CHECK(j["content"]["actions"].size() == 2);
  CHECK(j["content"]["actions"][0]["type"] == "reply");
  CHECK(j["content"]["actions"][0]["payload"] == "yes");
  media_content img;
  img.kind = media_kind::image;
  img.link = "https://media.example/p.jpg";
  CHECK(nlohmann::json::parse(zendesk_message_body(img).value())["content"]["mediaUrl"] == img.link);
  CHECK(zendesk_message_body(media_content{}).error().code == "zendesk.invalid");
  CHECK(zendesk_message_body(template_content{}).error().code == "zendesk.unsupported");
  CHECK(zendesk_messages_path("app1", "conv1") == "/v2/apps/app1/conversations/conv1/messages");

  CHECK(verify_zendesk_secret("s3cret", "s3cret"));
  CHECK(verify_zendesk_secret("s3cret ", "s3cret"));
  CHECK(verify_zendesk_secret("s3creT", "s3cret").error().code == "signature.mismatch");
  CHECK(verify_zendesk_secret("", "s3cret").error().code == "signature.missing");
  CHECK(verify_zendesk_secret("x", "").error().code == "signature.no_secret");
}

TEST_CASE("Zendesk posts refuse invalid UTF-8 instead of throwing", "[wire][zendesk]") {
  zendesk_author a;
  a.avatar_url = "https://x.invalid/\xff.png";
  CHECK(zendesk_message_body(text_content{"ok"}, a).error().code == "zendesk.invalid");
  CHECK(zendesk_message_body(text_content{"bad \xc3"}).error().code == "zendesk.invalid");
}

TEST_CASE("every catalog template becomes Content API variables Twilio accepts", "[wire][twilio]") {
  const std::string sid = "HXb5b62575e6e4ff6129ad7c8efe1f983e";
  for (const auto& def : catalog::all()) {
    INFO(def.name << " " << def.language);
    auto bound = bind(def, test::sample_arguments(def));
    REQUIRE(bound);
    const auto content = to_content(*bound);
    auto msg = to_twilio_message(maria, sender, content, sid);
    INFO((msg ? std::string() : msg.error().to_string()));
    REQUIRE(msg);
    auto params = twilio_message_parameters(*msg);
    REQUIRE(params);
    const auto variables = nlohmann::json::parse(form_value(*params, "ContentVariables").empty()
                                                     ? std::string_view("{}")
                                                     : form_value(*params, "ContentVariables"));
    // Every text value is sent once (a name used in the header and the body
    // is one variable); a media header is the Content template's own.
    const bool media_header = bound->header_value && bound->header != header_format::text;
    std::set<std::string> names;
    if (bound->header_value && !media_header) names.insert(bound->header_value->key);
    for (const auto& v : bound->body_values) names.insert(v.key);
    CHECK(variables.size() ==
          (bound->format == parameter_format::named
               ? names.size()
               : (bound->header_value && !media_header ? 1U : 0U) + bound->body_values.size()) +
              bound->button_values.size());
    for (const auto& v : bound->body_values) {
      bool found = false;
      for (const auto& [k, text] : variables.items()) found = found || text == v.text;
      CHECK(found);
    }
    for (const auto& [k, text] : variables.items()) {
      CHECK(k.size() <= 16);
      CHECK(k.find('.') == std::string::npos);
    }
  }
}

TEST_CASE("Content variables: default numbering, names and an explicit map", "[wire][twilio]") {
  // Positional: the header's variable first, then the body's, then the buttons'.
  template_content positional{
      "boarding", "en_US", template_category::utility, {{"1", "Maria"}, {"2", "AZ 610"}}};
  positional.header = template_parameter{"1", "Gate 12"};
  positional.buttons.push_back({0, template_button_kind::url, "PNR42"});
  auto vars = twilio_content_variables(positional).value();
  using pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(vars == pairs{{"1", "Gate 12"}, {"2", "Maria"}, {"3", "AZ 610"}, {"4", "PNR42"}});

  // Named: names kept, buttons numbered; a currency sends the text it shows.
  template_content named{
      "order_confirmation", "en_US", template_category::utility, {{"customer_name", "Maria"}}};
  named.parameters.push_back(template_parameter::currency("total", "54.90 EUR", "EUR", 54'900));
  named.header = template_parameter{"order_number", "A-1"};
  named.buttons.push_back({1, template_button_kind::url, "A-1"});
  vars = twilio_content_variables(named).value();
  CHECK(vars ==
        pairs{{"order_number", "A-1"}, {"customer_name", "Maria"}, {"total", "54.90 EUR"}, {"1", "A-1"}});

  // A media header sends nothing unless mapped, and then its link.
  template_content pass{"boarding_pass", "en_US", template_category::utility, {{"1", "Maria"}}};
  pass.header = template_parameter::media(media_kind::document, "", "https://x.example/p.pdf", "p.pdf");
  CHECK(twilio_content_variables(pass).value() == pairs{{"1", "Maria"}});
  const std::vector<twilio_variable> map{{twilio_variable::part::header, "", "pdf"},
                                         {twilio_variable::part::body, "1", "name"}};
  CHECK(twilio_content_variables(pass, map).value() ==
        pairs{{"pdf", "https://x.example/p.pdf"}, {"name", "Maria"}});
  pass.header = template_parameter::media(media_kind::document, "4490", "", "p.pdf");
  CHECK(twilio_content_variables(pass, map).error().code == "twilio.unsupported");

  // With a map, every value needs its place; names the Content API refuses are refused here.
  const std::vector<twilio_variable> partial{{twilio_variable::part::body, "customer_name", "1"}};
  auto unmapped = twilio_content_variables(named, partial);
  CHECK(unmapped.error().code == "twilio.unmapped");
  CHECK(unmapped.error().message ==
        "the header value of template 'order_confirmation' has no Content variable in the map");
  template_content long_name{
      "t", "en_US", template_category::utility, {{"estimated_delivery_day", "Monday"}}};
  auto refused = twilio_content_variables(long_name);
  CHECK(refused.error().code == "twilio.limit");
  CHECK(
      refused.error().message ==
      "'estimated_delivery_day' cannot be a Content variable (1 to 16 letters, digits or underscores): give "
      "template 't' a variable map");
  const std::vector<twilio_variable> renamed{{twilio_variable::part::body, "estimated_delivery_day", "eta"}};
  CHECK(twilio_content_variables(long_name, renamed).value() == pairs{{"eta", "Monday"}});
}
