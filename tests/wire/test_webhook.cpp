// Platform webhook decoding: every fixture's events against its expected
// lines, typed fields of each message and status type, malformed bodies with
// the code and JSON path of their error, limits, and all-or-nothing decoding.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "chatdesk/wire/detail/webhook_paths.hpp"
#include "chatdesk/wire/webhook.hpp"
#include "helpers/catch.hpp"
#include "wire/fixture_support.hpp"

using namespace chatdesk;

namespace {

const std::filesystem::path& fixtures = chatdesk::test::wire_fixtures();
using chatdesk::test::lines_of;
using chatdesk::test::slurp;

std::vector<std::filesystem::path> files(const std::filesystem::path& dir, const std::string& ext) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

webhook_batch decode_file(const std::string& name) {
  webhook_decoder d;
  auto r = d.decode(slurp(fixtures / "platform" / name));
  INFO(name << ": " << (r ? std::string() : r.error().to_string()));
  REQUIRE(r);
  return std::move(*r);
}

template <class T>
const T& event(const webhook_batch& b, std::size_t i) {
  REQUIRE(i < b.events.size());
  REQUIRE(std::holds_alternative<T>(b.events[i]));
  return std::get<T>(b.events[i]);
}

}  // namespace

TEST_CASE("every fixture decodes to exactly its expected events", "[wire][webhook]") {
  const auto bodies = files(fixtures / "platform", ".json");
  REQUIRE(bodies.size() >= 12);
  webhook_decoder decoder;  // one decoder for all: state must not leak between bodies
  for (const auto& body : bodies) {
    auto expected_path = body;
    expected_path.replace_extension(".jsonl");
    const auto expected = lines_of(slurp(expected_path));
    auto batch = decoder.decode(slurp(body));
    INFO(body.filename().string() << ": " << (batch ? std::string() : batch.error().to_string()));
    REQUIRE(batch);
    std::vector<std::string> actual;
    for (const auto& e : batch->events) actual.push_back(to_json_line(e));
    CHECK(actual == expected);
  }
}

TEST_CASE("every malformed fixture is refused with its code and JSON path", "[wire][webhook]") {
  const auto bodies = files(fixtures / "platform_bad", ".json");
  REQUIRE(bodies.size() >= 15);
  webhook_decoder decoder;
  for (const auto& body : bodies) {
    auto expect_path = body;
    expect_path.replace_extension(".expect");
    std::istringstream expect(slurp(expect_path));
    std::string code, where;
    std::getline(expect, code);
    std::getline(expect, where);
    webhook_batch batch;
    batch.events.emplace_back(webhook_unknown_field{});  // replaced or cleared, never appended to
    auto r = decoder.decode_into(slurp(body), batch);
    INFO(body.filename().string());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK(r.error().where == where);
    CHECK_FALSE(r.error().message.empty());
    CHECK(batch.events.empty());  // nothing partial
  }
}

TEST_CASE("the fast and reference paths give the same events and errors for every fixture",
          "[wire][webhook]") {
  webhook_decoder fast;
  webhook_decoder reference;
  detail::prefer_path(reference, webhook_path::reference);
  std::vector<std::filesystem::path> bodies = files(fixtures / "platform", ".json");
  for (const auto& bad : files(fixtures / "platform_bad", ".json")) bodies.push_back(bad);
  std::size_t fast_count = 0;
  for (const auto& body : bodies) {
    const auto text = slurp(body);
    INFO(body.filename().string());
    auto a = fast.decode(text);
    if (detail::last_path(fast) == webhook_path::fast) ++fast_count;
    auto b = reference.decode(text);
    CHECK(detail::last_path(reference) == webhook_path::reference);
    REQUIRE(a.has_value() == b.has_value());
    if (a) {
      CHECK(a->object == b->object);
      CHECK(a->events == b->events);
    } else {
      CHECK(a.error() == b.error());
      CHECK(detail::last_path(fast) ==
            webhook_path::reference);  // errors are always worded by the reference path
    }
  }
  CHECK(fast_count >= 8);
}

TEST_CASE("a batch reused for the next body holds exactly that body's events", "[wire][webhook]") {
  // Slots are reused with their storage: nothing of an earlier body may show.
  std::vector<std::string> bodies;
  for (const auto& good : files(fixtures / "platform", ".json")) bodies.push_back(slurp(good));
  for (const auto& bad : files(fixtures / "platform_bad", ".json")) bodies.push_back(slurp(bad));
  // Bare bodies, with none of the optional fields the fixtures set.
  const std::string head = R"({"entry":[{"id":"1","changes":[{"field":"messages","value":{)";
  std::string messages, statuses;
  for (int k = 0; k < 12; ++k) {
    const std::string sep = k == 0 ? "" : ",";
    messages +=
        sep + (k % 2 == 0
                   ? R"({"id":"m","from":"16505551234","timestamp":"1","type":"text","text":{"body":"x"}})"
                   : R"({"id":"n","from":"x","timestamp":"2","type":"image","image":{"id":"i"}})");
    statuses += sep + R"({"id":"s","status":"read","timestamp":"1"})";
  }
  bodies.push_back(head + R"("messages":[)" + messages + "]}}]}]}");
  bodies.push_back(head + R"("statuses":[)" + statuses + "]}}]}]}");
  webhook_decoder reused_decoder;
  webhook_decoder fresh_decoder;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    for (std::size_t j = 0; j < bodies.size(); ++j) {
      INFO("body " << i << " then body " << j);
      webhook_batch batch;
      (void)reused_decoder.decode_into(bodies[i], batch);
      auto r = reused_decoder.decode_into(bodies[j], batch);
      webhook_batch fresh;
      auto f = fresh_decoder.decode_into(bodies[j], fresh);
      REQUIRE(r.has_value() == f.has_value());
      CHECK(batch == fresh);
    }
  }
}

TEST_CASE("common bodies take the fast path; raw text and numbers as written take the reference path",
          "[wire][webhook]") {
  webhook_decoder d;
  for (const char* name : {"text.json", "batch_100.json", "media.json", "interactive.json", "statuses.json",
                           "context_referral.json", "reordered_unknown_keys.json", "value_errors.json"}) {
    INFO(name);
    REQUIRE(d.decode(slurp(fixtures / "platform" / name)));
    CHECK(detail::last_path(d) == webhook_path::fast);
    CHECK(to_string(detail::last_path(d)) == "fast");
  }
  // Raw JSON of an unsupported message, account updates, a template update's
  // numeric id, coordinates as numbers.
  for (const char* name :
       {"unsupported.json", "account_updates.json", "batch_entries.json", "location_contacts.json"}) {
    INFO(name);
    REQUIRE(d.decode(slurp(fixtures / "platform" / name)));
    CHECK(detail::last_path(d) == webhook_path::reference);
  }
  CHECK_FALSE(d.decode(slurp(fixtures / "platform_bad" / "truncated.json")));
  CHECK(detail::last_path(d) == webhook_path::reference);
  // Bodies over 1 MiB go to the reference path, which needs no tape.
  std::string big = slurp(fixtures / "platform" / "text.json");
  big.insert(big.find('{') + 1, R"("padding":")" + std::string(std::size_t{1} << 20, 'x') + R"(",)");
  auto big_batch = d.decode(big);
  REQUIRE(big_batch);
  CHECK(detail::last_path(d) == webhook_path::reference);
  CHECK(big_batch->events == decode_file("text.json").events);
  // A string id on the fast path, the same id as a number on the reference path.
  const std::string as_string =
      R"({"entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"42"},)"
      R"("statuses":[{"id":"s","status":"sent","timestamp":"1","recipient_id":"16505551234"}]}}]}]})";
  std::string as_number = as_string;
  as_number.replace(as_number.find(R"("42")"), 4, "42");
  auto a = d.decode(as_string);
  CHECK(detail::last_path(d) == webhook_path::fast);
  auto b = d.decode(as_number);
  CHECK(detail::last_path(d) == webhook_path::reference);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->events == b->events);
}

TEST_CASE("a text message carries metadata, sender, profile and time", "[wire][webhook]") {
  const auto b = decode_file("text.json");
  CHECK(b.object == "whatsapp_business_account");
  REQUIRE(b.events.size() == 1);
  const auto& m = event<webhook_message>(b, 0);
  CHECK(m.metadata.account_id == "102290129340398");
  CHECK(m.metadata.phone_number_id == "106540352242922");
  CHECK(m.metadata.display_phone_number == "15550783881");
  CHECK(m.message.business_number_id == "106540352242922");
  CHECK(m.message.direction == direction::inbound);
  CHECK(m.from == "16505551234");
  CHECK(m.message.customer.e164() == "+16505551234");
  CHECK(m.profile_name == "Sheena Nelson");
  CHECK(m.message.at == timestamp(std::chrono::seconds(1749416383)));
  REQUIRE(std::holds_alternative<text_content>(m.message.content));
  // JSON escapes, including a surrogate pair, decode to UTF-8.
  CHECK(std::get<text_content>(m.message.content).body ==
        "Does it come in another color? \xc3\xa8 \xf0\x9f\x98\x80");
}

TEST_CASE("media, location, contacts, replies, orders and system messages are typed", "[wire][webhook]") {
  const auto media = decode_file("media.json");
  REQUIRE(media.events.size() == 5);
  const auto& audio = std::get<media_content>(event<webhook_message>(media, 2).message.content);
  CHECK(audio.kind == media_kind::audio);
  CHECK(audio.voice);
  CHECK(audio.media_id == "1003383421387258");
  const auto& doc = std::get<media_content>(event<webhook_message>(media, 3).message.content);
  CHECK(doc.kind == media_kind::document);
  CHECK(doc.filename == "receipt.pdf");
  CHECK(doc.caption == "receipt");

  const auto lc = decode_file("location_contacts.json");
  const auto& loc = std::get<location_content>(event<webhook_message>(lc, 0).message.content);
  CHECK(loc.latitude == "45.464203");  // exactly as written, no binary rounding
  CHECK(loc.longitude == "9.189982");
  const auto& cards = std::get<contacts_content>(event<webhook_message>(lc, 1).message.content);
  REQUIRE(cards.contacts.size() == 1);
  CHECK(cards.contacts[0].phones == std::vector<std::string>{"+39 02 1234567", "+39 333 7654321"});

  const auto in = decode_file("interactive.json");
  const auto& button = event<webhook_message>(in, 0);
  CHECK(std::get<interactive_content>(button.message.content).kind == interactive_kind::button_reply);
  CHECK(std::get<interactive_content>(button.message.content).reply_id == "change-date");
  REQUIRE(button.message.context);
  CHECK(button.message.context->message_id == "wamid.out1");
  const auto& quick = event<webhook_message>(in, 3);
  CHECK(quick.type == "button");
  CHECK(std::get<interactive_content>(quick.message.content).kind == interactive_kind::quick_reply);
  CHECK(std::get<interactive_content>(quick.message.content).reply_id == "STOP_PROMOS");

  const auto ros = decode_file("reaction_order_system.json");
  CHECK(std::get<reaction_content>(event<webhook_message>(ros, 1).message.content).emoji.empty());  // removal
  const auto& order = std::get<order_content>(event<webhook_message>(ros, 2).message.content);
  REQUIRE(order.items.size() == 2);
  CHECK(order.items[0].item_price == "12.50");
  CHECK(order.items[0].quantity == 2);
  CHECK(order.items[1].quantity == 1);  // sent as a string
  const auto& sys = std::get<system_content>(event<webhook_message>(ros, 3).message.content);
  CHECK(sys.type == "user_changed_number");
  CHECK(sys.new_wa_id == "16505559999");

  const auto cr = decode_file("context_referral.json");
  const auto& ad = event<webhook_message>(cr, 0);
  REQUIRE(ad.message.referral);
  CHECK(ad.message.referral->source_type == "ad");
  CHECK(ad.message.referral->ctwa_clid == "ARAkLk-clid");
  CHECK(event<webhook_message>(cr, 1).message.context->product_retailer_id == "SKU-1");
  CHECK(event<webhook_message>(cr, 2).message.context->frequently_forwarded);
}

TEST_CASE("unknown message types are kept whole, not dropped or thrown", "[wire][webhook]") {
  const auto b = decode_file("unsupported.json");
  REQUIRE(b.events.size() == 4);
  for (const auto& e : b.events) CHECK(event_kind(e) == "unsupported");
  const auto& platform_unsupported = event<webhook_message>(b, 0);
  REQUIRE(platform_unsupported.errors.size() == 1);
  CHECK(platform_unsupported.errors[0].code == 131051);
  CHECK(platform_unsupported.errors[0].details == "Message type is currently not supported.");
  const auto& poll = std::get<unsupported_content>(event<webhook_message>(b, 1).message.content);
  CHECK(poll.type == "poll");
  CHECK(poll.raw_json.front() == '{');
  CHECK(poll.raw_json.back() == '}');
  CHECK(poll.raw_json.find(R"("question":"Pizza?")") != std::string::npos);
  // A text message without its text object is kept raw too.
  CHECK(std::get<unsupported_content>(event<webhook_message>(b, 3).message.content).type == "text");
}

TEST_CASE("statuses carry pricing, conversation, errors and unmodelled values", "[wire][webhook]") {
  const auto b = decode_file("statuses.json");
  REQUIRE(b.events.size() == 8);
  const auto& sent = event<webhook_status>(b, 0);
  CHECK(sent.status == message_status::sent);
  CHECK(sent.recipient.e164() == "+393331234567");
  CHECK(sent.biz_opaque_callback_data == "order-77");
  REQUIRE(sent.pricing);
  CHECK(sent.pricing->billable == true);
  CHECK(sent.pricing->pricing_model == "PMP");
  CHECK(sent.pricing->type == "regular");
  CHECK(sent.pricing->category == "utility");
  const auto& fep = event<webhook_status>(b, 3);
  REQUIRE(fep.conversation);
  CHECK(fep.conversation->origin == "free_entry_point");
  CHECK_FALSE(fep.pricing->billable.has_value());
  const auto& failed = event<webhook_status>(b, 4);
  CHECK(failed.status == message_status::failed);
  REQUIRE(failed.errors.size() == 1);
  CHECK(failed.errors[0].code == 131047);
  const auto& played = event<webhook_status>(b, 5);
  CHECK(played.status_text == "played");
  CHECK_FALSE(played.status.has_value());
  const auto& cbp = event<webhook_status>(b, 6);
  CHECK(cbp.conversation->expires == timestamp(std::chrono::seconds(1675324800)));
  const auto& group = event<webhook_status>(b, 7);
  CHECK(group.recipient_type == "group");
  CHECK(group.recipient.empty());  // a group id is not a phone number
}

TEST_CASE("batched bodies yield every entry, change, message and status in order", "[wire][webhook]") {
  const auto b = decode_file("batch_entries.json");
  REQUIRE(b.events.size() == 6);
  CHECK(event<webhook_message>(b, 0).metadata.account_id == "111");
  CHECK(event<webhook_status>(b, 2).id == "wamid.e0c1s1");
  CHECK(event<webhook_message>(b, 3).metadata.phone_number_id == "PN2");
  CHECK(event<webhook_message>(b, 4).profile_name == "Cleo");
  const auto& t = event<webhook_template_update>(b, 5);
  CHECK(t.account_id == "222");
  CHECK(t.template_id == "594425479261596");  // a JSON number, kept exactly
  CHECK(t.at == timestamp(std::chrono::seconds(1749420100)));

  const auto hundred = decode_file("batch_100.json");
  REQUIRE(hundred.events.size() == 100);
  for (std::size_t i = 0; i < 100; ++i) {
    const auto& m = event<webhook_message>(hundred, i);
    CHECK(m.message.id == "wamid.batch" +
                              std::string(i < 10    ? "00"
                                          : i < 100 ? "0"
                                                    : "") +
                              std::to_string(i));
    CHECK(m.profile_name == "Customer " + std::to_string(i));
  }
}

TEST_CASE("keys in any order and unknown keys everywhere", "[wire][webhook]") {
  const auto b = decode_file("reordered_unknown_keys.json");
  REQUIRE(b.events.size() == 2);
  // Events come in body order: here the statuses come before the messages.
  const auto& m = event<webhook_message>(b, 1);
  // metadata and contacts came after the messages: still attached.
  CHECK(m.metadata.phone_number_id == "106540352242922");
  CHECK(m.metadata.account_id == "102290129340398");
  CHECK(m.profile_name == "Marco");
  CHECK(m.message.at == timestamp(std::chrono::seconds(1749700000)));  // a number, not a string
  const auto& s = event<webhook_status>(b, 0);
  CHECK(s.pricing->category == "service");
  CHECK(s.metadata.phone_number_id == "106540352242922");
}

TEST_CASE("statuses from October 2026 carry service pricing and the paid_exempt subtype", "[wire][webhook]") {
  const auto b = decode_file("statuses_2026.json");
  REQUIRE(b.events.size() == 4);
  CHECK(event<webhook_status>(b, 0).pricing->type == "free_customer_service");
  CHECK(event<webhook_status>(b, 1).pricing->category == "service");
  CHECK(event<webhook_status>(b, 1).pricing->subtype.empty());
  CHECK(event<webhook_status>(b, 2).pricing->subtype == "paid_exempt");
  CHECK(event<webhook_status>(b, 3).pricing->category == "utility");
}

TEST_CASE("template and account updates and unknown fields are events", "[wire][webhook]") {
  const auto t = decode_file("template_updates.json");
  REQUIRE(t.events.size() == 4);
  CHECK(event<webhook_template_update>(t, 0).reason == "INCORRECT_CATEGORY");
  CHECK(event<webhook_template_update>(t, 1).current == "YELLOW");
  CHECK(event<webhook_template_update>(t, 2).previous == "UTILITY");
  CHECK(event<webhook_template_update>(t, 3).reason.empty());  // null

  const auto a = decode_file("account_updates.json");
  REQUIRE(a.events.size() == 5);
  CHECK(event<webhook_account_update>(a, 0).messaging_limit == "TIER_2K");
  CHECK(event<webhook_account_update>(a, 2).raw_json.find("max_phone_numbers_per_business") !=
        std::string::npos);
  const auto& unknown = event<webhook_unknown_field>(a, 4);
  CHECK(unknown.field == "brand_new_field");
  CHECK(unknown.raw_json == R"({"anything":[1,2,3],"goes":{"here":true}})");
  CHECK(event_kind(a.events[4]) == "unknown_field");
}

TEST_CASE("limits refuse oversized bodies, deep nesting and too many events", "[wire][webhook]") {
  const auto body = slurp(fixtures / "platform" / "batch_100.json");
  webhook_limits small;
  small.max_body_bytes = 1000;
  auto r = webhook_decoder(small).decode(body);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "webhook.too_large");

  webhook_limits few;
  few.max_events = 50;
  r = webhook_decoder(few).decode(body);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "webhook.too_many_events");
  CHECK(r.error().where == "entry[0].changes[0].value.messages[50]");

  webhook_limits shallow;
  shallow.max_depth = 4;
  r = webhook_decoder(shallow).decode(slurp(fixtures / "platform" / "unsupported.json"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "webhook.syntax");
  CHECK(r.error().where == "entry[0].changes[0].value.messages[1]");  // the poll, 5 levels deep
  CHECK(r.error().message.find("nested deeper than 4") != std::string::npos);
  CHECK(webhook_decoder().decode(slurp(fixtures / "platform" / "unsupported.json")));
  // Known structure deeper than the limit is decoded: the limit bounds what is kept raw.
  CHECK(webhook_decoder(shallow).decode(slurp(fixtures / "platform" / "text.json")));
}

TEST_CASE("a decoder is reusable after a refusal", "[wire][webhook]") {
  webhook_decoder d;
  webhook_batch batch;
  REQUIRE(d.decode_into(slurp(fixtures / "platform" / "batch_100.json"), batch));
  CHECK(batch.events.size() == 100);
  CHECK_FALSE(d.decode_into(slurp(fixtures / "platform_bad" / "truncated.json"), batch));
  CHECK(batch.events.empty());
  REQUIRE(d.decode_into(slurp(fixtures / "platform" / "statuses.json"), batch));
  CHECK(batch.events.size() == 8);
}

TEST_CASE("decode_webhook is the decoder's decode, as a free function", "[wire][webhook]") {
  webhook_decoder d;
  for (const auto& name : {"interactive.json", "context_referral.json", "batch_100.json"}) {
    const auto body = slurp(fixtures / "platform" / name);
    const auto a = d.decode(body);
    const auto b = decode_webhook(body);
    REQUIRE(a.has_value() == b.has_value());
    REQUIRE(a);
    CHECK(!a->events.empty());
    CHECK(a->events.size() == b->events.size());
  }
  CHECK(decode_webhook("{").error().code == d.decode("{").error().code);
  webhook_limits tiny;
  tiny.max_body_bytes = 1;
  CHECK(decode_webhook("{}", tiny).error().code == "webhook.too_large");
}
