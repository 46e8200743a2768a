// Handlers over the feed: filters, order, continue, duplicates, replies
// through the desk's policies and the transport, read receipts, template
// updates applied to the library, errors.
#include <atomic>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/feed/dispatch.hpp"
#include "chatdesk/templates/library.hpp"
#include "chatdesk/wire/send.hpp"
#include "chatdesk/wire/zendesk.hpp"
#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;
using namespace chatdesk::test;

namespace {

/// Keeps the exact request bodies a transport posting to the platform would send.
class posting_transport final : public transport {
 public:
  transport_answer deliver(const outbound_message& m) override {
    auto body = encode_send_request(m.message);
    if (!body) return transport_answer::failed({131009, body.error().message, {}, {}});
    std::lock_guard g(mu_);
    posted.push_back(std::move(*body));
    return transport_answer::accepted(fmt::format("wamid.out{}", posted.size()));
  }
  result<void> mark_read(const read_receipt& r) override {
    if (r.number.id != "n1" || r.customer.empty()) return make_error("test.receipt", "wrong receipt");
    std::lock_guard g(mu_);
    posted.push_back(encode_read_receipt(r.message_id, r.typing).value());
    return {};
  }
  std::vector<std::string> posted;  // read once the threads are done

 private:
  std::mutex mu_;
};

struct bot {
  manual_clock clock{at("2026-03-02T09:00:00Z")};
  memory_store store;
  posting_transport wire;
  chatdesk::desk desk{clock, store, &wire};
  webhook_feed feed{desk};
  dispatcher d{feed, desk};
  std::vector<std::string> seen;  // what handlers did, in order

  bot() { desk.add_business(shop()).value(); }

  webhook_message incoming(std::string id, content c, const char* from = "+393331234567") const {
    webhook_message m;
    m.metadata.phone_number_id = "n1";
    m.message.direction = direction::inbound;
    m.message.id = std::move(id);
    m.message.business_number_id = "n1";
    m.message.customer = number(from);
    m.message.at = clock.now();
    m.message.content = std::move(c);
    m.from = m.message.customer.digits();
    m.profile_name = "Maria";
    m.type = std::string(type_name(m.message.content));
    return m;
  }
  webhook_message text(std::string id, std::string body, const char* from = "+393331234567") const {
    return incoming(std::move(id), text_content{std::move(body), false}, from);
  }
  dispatch_report run(std::vector<webhook_event> events) {
    webhook_batch b;
    b.object = "whatsapp_business_account";
    b.events = std::move(events);
    return d.dispatch(b);
  }
  /// Registers a handler that notes `name` and the text it saw.
  void note(message_filter when, std::string name) {
    d.on_message(std::move(when),
                 [this, name](message_context& m) { seen.push_back(fmt::format("{} {}", name, m.text())); });
  }
};

interactive_content reply_of(interactive_kind kind, std::string id, std::string title) {
  interactive_content c;
  c.kind = kind;
  c.reply_id = std::move(id);
  c.reply_title = std::move(title);
  return c;
}

}  // namespace

TEST_CASE("filters choose messages, and combine with && || !", "[feed][dispatch]") {
  bot b;
  b.note(filters::text_is("stop", match_case::ignore), "stop");
  b.note(filters::starts_with("order ") && !filters::from(number("+393330000000")), "order");
  b.note(filters::matches(std::regex(R"(\b[A-Z]-\d{4}\b)")), "code");
  b.note(filters::contains("PACCO", match_case::ignore), "pacco");
  b.note(filters::media(media_kind::image) || filters::media(media_kind::sticker), "picture");
  b.note(filters::media(), "media");
  b.note(filters::quick_reply("track"), "track");
  b.note(filters::reply_id("row-2"), "row2");
  b.note(filters::interactive(interactive_kind::button_reply), "button");
  b.note(filters::type("location"), "location");
  b.note(filters::referral(), "ad");
  b.note(filters::is_reply() && filters::forwarded(), "forwarded reply");
  b.note(filters::business("shop") && filters::business_number("n1") && filters::text(), "text");
  b.note(filters::any(), "other");

  auto with_context = b.text("m13", "look at this");
  with_context.message.context = reply_context{"wamid.x", "393331234567", true, false, {}, {}};
  auto from_ad = b.text("m14", "I saw your ad");
  from_ad.message.referral =
      referral{"ad", "120", "https://fb.me/x", "Sale", "", "clid", "image", "", "", ""};
  media_content photo{media_kind::image, "", "123", "my cat", "", "image/jpeg", "", false, false};
  media_content voice{media_kind::audio, "", "124", "", "", "audio/ogg", "", true, false};
  const auto report = b.run({
      b.text("m1", "  Stop "),
      b.text("m2", "order A-1042"),
      b.text("m3", "order A-1042", "+393330000000"),
      b.text("m4", "il pacco?"),
      b.incoming("m5", photo),
      b.incoming("m6", voice),
      b.incoming("m7", reply_of(interactive_kind::quick_reply, "track", "Track it")),
      b.incoming("m8", reply_of(interactive_kind::list_reply, "row-2", "Tuesday")),
      b.incoming("m9", reply_of(interactive_kind::button_reply, "yes", "Yes")),
      b.incoming("m10", location_content{"45.4", "9.1", "", ""}),
      b.text("m11", "hello"),
      b.incoming("m12", reaction_content{"wamid.out1", "x"}),
      with_context,
      from_ad,
  });
  CHECK(report.feed.messages == 14);
  CHECK(report.handled == 14);
  CHECK(report.unhandled == 0);
  CHECK(b.seen == std::vector<std::string>{
                      "stop   Stop ",
                      "order order A-1042",
                      "code order A-1042",  // the sender is excluded from "order"
                      "pacco il pacco?",
                      "picture my cat",
                      "media ",
                      "track Track it",
                      "row2 Tuesday",
                      "button Yes",
                      "location ",
                      "text hello",
                      "other ",
                      "forwarded reply look at this",
                      "ad I saw your ad",
                  });
}

TEST_CASE("the first matching handler handles an event unless it continues", "[feed][dispatch]") {
  bot b;
  b.d.on_message(filters::text(), [&](message_context& m) {
    b.seen.push_back("first");
    if (m.text() == "both") m.continue_handling();
  });
  b.d.on_message(filters::text_is("never"), [&](message_context&) { b.seen.push_back("not matching"); });
  b.d.on_message([&](message_context&) { b.seen.push_back("second"); });
  b.d.on_message([&](message_context&) { b.seen.push_back("third"); });
  b.run({b.text("m1", "one"), b.text("m2", "both")});
  CHECK(b.seen == std::vector<std::string>{"first", "first", "second"});
  // A lambda is a filter, and filters compose with it.
  bot c;
  c.d.on_message([](const message_context& m) { return m.text().size() > 3; } && filters::text(),
                 [&](message_context&) { c.seen.emplace_back("long"); });
  c.run({c.text("m1", "hi"), c.text("m2", "hello")});
  CHECK(c.seen == std::vector<std::string>{"long"});
}

TEST_CASE("handlers never see a redelivered event", "[feed][dispatch]") {
  bot b;
  int calls = 0;
  b.d.on_message([&](message_context& m) {
    ++calls;
    (void)m.reply("got it");
  });
  const auto event = b.text("m1", "hello");
  auto first = b.run({event, event});  // twice in one batch, too
  CHECK(first.feed.outcomes == std::vector<event_outcome>{event_outcome::applied, event_outcome::duplicate});
  CHECK(first.handled == 1);
  auto again = b.run({event});
  CHECK(again.feed.outcomes == std::vector<event_outcome>{event_outcome::duplicate});
  CHECK(again.handled == 0);
  CHECK(calls == 1);
  CHECK(b.wire.posted.size() == 1);
  CHECK(to_string(event_outcome::held) == "held");
}

TEST_CASE("replies go through the desk's policies and reach the transport as the platform's requests",
          "[feed][dispatch]") {
  bot b;
  std::vector<send_result> results;
  b.d.on_message(filters::text_is("photo"), [&](message_context& m) {
    media_content pic{
        media_kind::image, "https://shop.example/a.jpg", "", "Your bag", "", "", "", false, false};
    results.push_back(m.reply(pic).value());
  });
  b.d.on_message([&](message_context& m) {
    REQUIRE(m.mark_read(true));
    results.push_back(m.react("\xE2\x9D\xA4").value());
    results.push_back(m.reply("Thanks, " + m.profile_name() + "!", true).value());
  });
  b.run({b.text("wamid.in1", "hello")});
  b.run({b.text("wamid.in2", "photo")});
  REQUIRE(results.size() == 3);
  for (const auto& r : results) CHECK(r.decision.allowed);
  CHECK(b.wire.posted ==
        std::vector<std::string>{
            R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.in1",)"
            R"("typing_indicator":{"type":"text"}})",
            R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393331234567",)"
            R"("type":"reaction","reaction":{"message_id":"wamid.in1","emoji":"❤"}})",
            R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393331234567",)"
            R"("context":{"message_id":"wamid.in1"},"type":"text","text":{"preview_url":false,)"
            R"("body":"Thanks, Maria!"}})",
            R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393331234567",)"
            R"("type":"image","image":{"link":"https://shop.example/a.jpg","caption":"Your bag"}})",
        });

  // A message stamped 25 hours ago (a late retry): the window it opened is
  // closed, so a free-form reply is refused with the reason and nothing is posted.
  bot late;
  std::optional<send_result> refused;
  late.d.on_message([&](message_context& m) { refused = m.reply("too late").value(); });
  auto old = late.text("wamid.old", "hello");
  late.clock.advance(std::chrono::hours(25));
  late.run({old});
  REQUIRE(refused);
  CHECK_FALSE(refused->decision.allowed);
  CHECK(refused->decision.refusal->code == "policy.outside_service_window");
  CHECK(late.wire.posted.empty());
}

TEST_CASE("read receipts: only a customer's messages, through a transport that can send them",
          "[feed][dispatch]") {
  bot b;
  b.run({b.text("wamid.in1", "hello")});
  auto sent = b.desk.send({"shop", "n1", number("+393331234567"), text_content{"hi", false}, "c1"}).value();
  CHECK(b.desk.mark_read("wamid.in1"));
  CHECK(b.wire.posted.back() ==
        R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.in1"})");
  CHECK(b.desk.mark_read(sent.message_id).error().code == "desk.invalid_receipt");
  CHECK(b.desk.mark_read("wamid.nope").error().code == "desk.unknown_message");
  CHECK(b.desk.mark_read("").error().code == "desk.unknown_message");

  desk_fixture f;  // its transport does not override mark_read
  f.customer_writes("+393331234567", "wamid.a");
  const auto e = f.desk.mark_read("wamid.a").error();
  CHECK(e.code == "transport.unsupported");
  CHECK(e.message == "this transport does not send read receipts or typing indicators");

  manual_clock clock{at("2026-03-02T09:00:00Z")};
  memory_store store;
  chatdesk::desk quiet{clock, store};  // no transport at all
  quiet.add_business(shop()).value();
  message m;
  m.id = "wamid.q";
  m.business_number_id = "n1";
  m.customer = number("+393331234567");
  m.at = clock.now();
  m.content = text_content{"hi", false};
  REQUIRE(quiet.receive(m));
  CHECK(quiet.mark_read("wamid.q").error().code == "desk.no_transport");

  CHECK(encode_read_receipt("").error().code == "send.invalid");
  CHECK(encode_read_receipt("\xff").error().code == "send.invalid");
  CHECK(encode_read_receipt("wamid.\"1\"").value() ==
        R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.\"1\""})");
}

TEST_CASE("statuses reach status handlers by kind, error and callback data", "[feed][dispatch]") {
  bot b;
  auto sent = b.desk
                  .send({"shop", "n1", number("+393331234567"),
                         template_content{"order_update", "en_US", template_category::utility}, "c1"})
                  .value();
  std::vector<std::string> seen;
  b.d.on_status(filters::failed_with(131047),
                [&](status_context& s) { seen.push_back("re-engage " + s.message_id()); });
  b.d.on_status(filters::status_is(message_status::delivered) || filters::callback_data("vip"),
                [&](status_context& s) {
                  seen.push_back(fmt::format("{} {} {}", to_string(s.status()), s.business_id(), s.held()));
                });
  const auto status = [&](std::string id, message_status st, const char* text) {
    webhook_status s;
    s.metadata.phone_number_id = "n1";
    s.id = std::move(id);
    s.status = st;
    s.status_text = text;
    s.at = b.clock.now();
    s.recipient = number("+393331234567");
    s.recipient_id = "393331234567";
    return s;
  };
  auto failed = status("wamid.out9", message_status::failed, "failed");
  failed.errors.push_back({131047, "Re-engagement message", "", ""});
  auto r = b.run({status(sent.message_id, message_status::sent, "sent"),
                  status(sent.message_id, message_status::delivered, "delivered"),
                  status(sent.message_id, message_status::delivered, "delivered"), failed});
  CHECK(r.feed.outcomes == std::vector<event_outcome>{event_outcome::applied, event_outcome::applied,
                                                      event_outcome::duplicate, event_outcome::held});
  CHECK(r.handled == 2);    // delivered, and the held failure
  CHECK(r.unhandled == 1);  // sent: no handler matched
  CHECK(seen == std::vector<std::string>{"delivered shop false", "re-engage wamid.out9"});
}

TEST_CASE("a handler that throws is reported and the batch goes on", "[feed][dispatch]") {
  bot b;
  std::vector<dispatch_error> errors;
  b.d.on_error([&](const dispatch_error& e) { errors.push_back(e); });
  b.d.on_message(filters::text_is("boom"),
                 [](message_context&) { throw std::runtime_error("database down"); });
  b.d.on_message([&](message_context& m) { b.seen.emplace_back(m.text()); });
  webhook_message stranger = b.text("m3", "hi");
  stranger.metadata.phone_number_id = "n9";
  stranger.message.business_number_id = "n9";
  const auto r = b.run({b.text("m1", "boom"), b.text("m2", "after"), stranger});
  CHECK(b.seen == std::vector<std::string>{"after"});
  CHECK(r.failures == 1);
  REQUIRE(errors.size() == 2);
  // Refusals come first (the feed applies the batch before handlers run).
  CHECK(errors[0].source == "refused");
  CHECK(errors[0].index == 2);
  CHECK(errors[0].error.code == "desk.unknown_number");
  CHECK(errors[1].source == "handler");
  CHECK(errors[1].index == 0);
  CHECK(errors[1].error.code == "dispatch.handler");
  CHECK(errors[1].error.message == "a handler for message 0 threw: database down");

  webhook_errors platform;
  platform.metadata.phone_number_id = "n1";
  platform.errors.push_back({131056, "Pair rate limit hit", "", ""});
  errors.clear();
  b.run({platform});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].source == "platform");
  CHECK(errors[0].error.code == "platform.pair_rate_limit");
}

TEST_CASE("template updates reach handlers once and keep the library in step",
          "[feed][dispatch][templates]") {
  bot b;
  template_library templates(b.clock);
  auto def =
      parse_template(R"({"name":"order_update","language":"en_US","category":"UTILITY","status":"PENDING",)"
                     R"("components":[{"type":"BODY","text":"Order {{1}} is on its way."}]})")
          .value();
  templates.add("shop", def).value();
  b.desk.set_template_directory(&templates);
  std::vector<std::string> problems;
  b.d.on_template_update([&](const webhook_template_update& u) {
    if (auto ok = apply_template_update(templates, "shop", u); !ok) problems.push_back(ok.error().code);
  });
  const auto update = [&](const char* field, const char* event, const char* current = "") {
    webhook_template_update u;
    u.account_id = "waba";
    u.field = field;
    u.at = b.clock.now();
    u.template_id = "594425479261596";
    u.name = "order_update";
    u.language = "en_US";
    u.event = event;
    u.current = current;
    return u;
  };
  const auto send = [&] {
    template_content t{"order_update", "en_US", template_category::utility, {{"1", "A-1042"}}};
    return b.desk.check({"shop", "n1", number("+393331234567"), t, ""}).value();
  };
  CHECK(send().refusal->code == "policy.template_not_approved");
  const auto approved = update("message_template_status_update", "APPROVED");
  auto r = b.run({approved, approved});
  CHECK(r.feed.outcomes == std::vector<event_outcome>{event_outcome::passed, event_outcome::duplicate});
  CHECK(r.handled == 1);
  CHECK(send().allowed);
  CHECK(b.run({approved}).handled == 0);  // a retried webhook: applied once

  b.clock.advance(std::chrono::minutes(1));
  b.run({update("template_category_update", "", "MARKETING")});
  CHECK(templates.find("shop", "order_update", "en_US")->category == template_category::marketing);
  b.run({update("message_template_status_update", "PAUSED")});
  CHECK(send().refusal->code == "policy.template_not_approved");
  b.run({update("message_template_status_update", "FLAGGED")});  // changes nothing
  CHECK(templates.find("shop", "order_update", "en_US")->status == template_status::paused);
  b.run({update("message_template_status_update", "REINSTATED")});
  CHECK(send().allowed);
  b.run({update("message_template_quality_update", "", "RED")});
  CHECK(templates.find("shop", "order_update", "en_US")->status == template_status::paused);
  b.run({update("message_template_status_update", "DELETED")});
  CHECK(templates.find("shop", "order_update", "en_US")->status == template_status::disabled);
  b.run({update("message_template_status_update", "SOMETHING_NEW")});
  b.run({update("message_template_quality_update", "", "PURPLE")});
  auto other = update("message_template_status_update", "APPROVED");
  other.name = "unknown_template";
  b.run({other});
  CHECK(problems == std::vector<std::string>{"template.unknown_status", "business.unknown_quality",
                                             "template.not_found"});
  CHECK(apply_template_update(templates, "shop", update("account_update", "X")).error().code ==
        "feed.invalid_update");
}

TEST_CASE("account updates and CRM agent messages reach their handlers once", "[feed][dispatch]") {
  bot b;
  std::vector<std::string> seen;
  b.d.on_account_update([&](const webhook_account_update& a) { seen.push_back(a.field + " " + a.event); });
  b.d.on_agent_message([&](const webhook_agent_message& g) { seen.push_back("agent " + g.id); });
  webhook_account_update a;
  a.account_id = "waba";
  a.field = "phone_number_quality_update";
  a.at = b.clock.now();
  a.event = "FLAGGED";
  a.raw_json = R"({"event":"FLAGGED"})";
  webhook_agent_message g;
  g.id = "crm-1";
  g.at = b.clock.now();
  g.content = text_content{"Hello from Anna", false};
  webhook_unknown_field u{"waba", "something_new", "{}"};
  auto r = b.run({a, g, a, g, u});
  CHECK(seen == std::vector<std::string>{"phone_number_quality_update FLAGGED", "agent crm-1"});
  CHECK(r.handled == 2);
  CHECK(r.unhandled == 1);  // the unknown field
  CHECK(r.feed.passed == 3);
  CHECK(r.feed.duplicates == 2);
}

TEST_CASE("a CRM user's message reaches handlers with the customer's number", "[feed][dispatch][zendesk]") {
  manual_clock clock{at("2026-03-02T09:00:00Z")};
  memory_store store;
  posting_transport wire;
  chatdesk::desk d{clock, store, &wire};
  d.add_business(shop()).value();
  customer_table users;
  users.set("e4c4b4ec5e29f7c3f5c4c2e5", number("+393331234567"));
  feed_options options;
  options.customer_of = users.lookup();
  webhook_feed feed{d, options};
  dispatcher bot{feed, d};
  std::string customer;
  bot.on_message([&](message_context& m) {
    customer = m.customer().e164();
    (void)m.reply("Ciao!");
  });
  const auto body =
      R"({"app":{"id":"5ebee0975ac5304b664a12fa"},"webhook":{"id":"5f3ac4bc7f3ef3000d37b1f8","version":"v2"},)"
      R"("events":[{"id":"e1","createdAt":"2026-03-02T09:00:00.000Z","type":"conversation:message",)"
      R"("payload":{"conversation":{"id":"b1b4dd3a36b1ad5e4f8bb7b4","type":"personal"},)"
      R"("message":{"id":"msg-e1","received":"2026-03-02T09:00:00.000Z",)"
      R"("author":{"userId":"e4c4b4ec5e29f7c3f5c4c2e5","displayName":"Maria Rossi","type":"user"},)"
      R"("content":{"type":"text","text":"Ciao"},"source":{"type":"whatsapp","integrationId":"n1"}}}}]})";
  const auto r = bot.dispatch(decode_zendesk_webhook(body).value());
  CHECK(r.handled == 1);
  CHECK(customer == "+393331234567");
  REQUIRE(wire.posted.size() == 1);
  CHECK(wire.posted[0].find(R"("to":"+393331234567")") != std::string::npos);
}

TEST_CASE("the send request of an outbound message quotes what it answers", "[wire][send]") {
  message m;
  m.direction = direction::outbound;
  m.customer = number("+393331234567");
  m.content = text_content{"ok", false};
  CHECK(encode_send_request(m).value() ==
        R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+393331234567","type":"text",)"
        R"("text":{"preview_url":false,"body":"ok"}})");
  m.context = reply_context{"wamid.in1", {}, false, false, {}, {}};
  CHECK(encode_send_request(m).value().find(R"("context":{"message_id":"wamid.in1"})") != std::string::npos);
  send_options o;
  o.reply_to = "wamid.other";
  CHECK(encode_send_request(m, o).value().find(R"("context":{"message_id":"wamid.other"})") !=
        std::string::npos);
}

TEST_CASE("many threads dispatch the same deliveries: each message is handled once",
          "[feed][dispatch][threads]") {
  bot b;
  std::atomic<int> handled{0};
  std::atomic<int> replies{0};
  b.d.on_message([&](message_context& m) {
    ++handled;
    if (m.reply("ok")) ++replies;
  });
  std::vector<webhook_event> events;
  for (int i = 0; i < 200; ++i)
    events.emplace_back(
        b.text(fmt::format("wamid.{}", i), "hi", i % 2 == 0 ? "+393331234567" : "+393339876543"));
  webhook_batch batch;
  batch.events = events;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { (void)b.d.dispatch(batch); });
  for (auto& t : threads) t.join();
  CHECK(handled == 200);
  CHECK(replies == 200);
}
