// The live flow: platform webhook bodies decoded, de-duplicated and applied
// to a desk; the desk feeding a ledger; the platform's pricing checked
// against chatdesk's charges.
#include <atomic>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/feed/webhook_feed.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "chatdesk/wire/zendesk.hpp"
#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;
using namespace chatdesk::test;

namespace {

rate_cards cards() {
  std::ifstream in(CHATDESK_SOURCE_DIR "/data/rate_cards/pmp_2025-2026-01-01-usd.json");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  rate_cards c;
  c.add(parse_rate_card(text).value()).value();
  return c;
}

std::string status_body(const std::string& id, const char* status, timestamp when,
                        const char* pricing_type = nullptr, const char* category = "utility",
                        const std::string& customer = "393331234567") {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
  std::string pricing;
  if (pricing_type != nullptr)
    pricing =
        fmt::format(R"(,"pricing":{{"billable":true,"pricing_model":"PMP","type":"{}","category":"{}"}})",
                    pricing_type, category);
  return fmt::format(
      R"({{"object":"whatsapp_business_account","entry":[{{"id":"waba","changes":[{{"field":"messages","value":{{)"
      R"("metadata":{{"display_phone_number":"390551234567","phone_number_id":"n1"}},"statuses":[{{"id":"{}",)"
      R"("status":"{}","timestamp":"{}","recipient_id":"{}"{}}}]}}}}]}}]}})",
      id, status, seconds, customer, pricing);
}

std::string message_body(const std::string& id, timestamp when, const char* text,
                         const std::string& customer = "393331234567") {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
  return fmt::format(
      R"({{"object":"whatsapp_business_account","entry":[{{"id":"waba","changes":[{{"field":"messages","value":{{)"
      R"("metadata":{{"display_phone_number":"390551234567","phone_number_id":"n1"}},)"
      R"("contacts":[{{"profile":{{"name":"Maria"}},"wa_id":"{}"}}],)"
      R"("messages":[{{"from":"{}","id":"{}","timestamp":"{}","type":"text","text":{{"body":"{}"}}}}]}}}}]}}]}})",
      customer, customer, id, seconds, text);
}

struct live {
  explicit live(business b = shop()) : f(std::move(b)) {
    f.desk.subscribe(&bridge);
    feed.check_pricing_with(&bridge);
  }
  desk_fixture f;
  rate_cards rc = cards();
  ledger l{rc};
  ledger_bridge bridge{l, f.desk};
  webhook_feed feed{f.desk};
  webhook_decoder decoder;

  feed_report apply(const std::string& body) { return feed.apply(decoder.decode(body).value()); }
};

}  // namespace

TEST_CASE("a redelivered webhook changes nothing", "[feed]") {
  live x;
  const auto body = message_body("wamid.in1", x.f.clock.now(), "Ciao");
  auto first = x.apply(body);
  CHECK(first.messages == 1);
  CHECK(first.duplicates == 0);
  const auto window = x.f.desk.window("n1", number("+393331234567"));
  auto again = x.apply(body);
  CHECK(again.messages == 0);
  CHECK(again.duplicates == 1);
  CHECK(x.f.desk.window("n1", number("+393331234567")).service_window_closes_at ==
        window.service_window_closes_at);

  // Statuses too: the same status again is dropped before the desk.
  auto sent = x.f.reply("+393331234567");
  REQUIRE(sent.decision.allowed);
  const auto delivered = status_body(sent.message_id, "delivered", x.f.clock.now());
  CHECK(x.apply(delivered).statuses == 1);
  const auto repeat = x.apply(delivered);
  CHECK(repeat.statuses == 0);
  CHECK(repeat.duplicates == 1);
}

TEST_CASE("the desk feeds the ledger and the platform's pricing is cross-checked", "[feed][pricing]") {
  live x;
  x.f.clock.set(at("2026-03-02T09:00:00Z"));
  // A utility template outside any service window: charged 0.0300 USD for Italy.
  auto notice = x.f.send_template("+393331234567");
  REQUIRE(notice.decision.allowed);
  auto r = x.apply(status_body(notice.message_id, "sent", at("2026-03-02T09:00:01Z"), "regular"));
  CHECK(r.statuses == 1);
  CHECK(x.bridge.take_charges().empty());  // nothing is charged before delivery
  r = x.apply(status_body(notice.message_id, "delivered", at("2026-03-02T09:00:03Z")));
  CHECK(r.statuses == 1);
  CHECK(r.mismatches.empty());  // the platform said "regular utility" on sent: chatdesk agrees
  auto charges = x.bridge.take_charges();
  REQUIRE(charges.size() == 1);
  CHECK(charges[0].message_id == notice.message_id);
  CHECK(charges[0].category == "utility");
  CHECK(charges[0].amount == decimal::parse("0.0300").value());

  // The customer answers; the business replies with a utility template inside the window: free.
  x.f.clock.set(at("2026-03-02T10:00:00Z"));
  CHECK(x.apply(message_body("wamid.in2", x.f.clock.now(), "Grazie")).messages == 1);
  auto in_window = x.f.send_template("+393331234567");
  REQUIRE(in_window.decision.allowed);
  // The platform (wrongly, for this test) calls it regular: reported as a mismatch.
  r = x.apply(status_body(in_window.message_id, "delivered", at("2026-03-02T10:00:05Z"), "regular"));
  REQUIRE(r.mismatches.size() == 1);
  CHECK(r.mismatches[0].message_id == in_window.message_id);
  CHECK(r.mismatches[0].reason.find("chatdesk found it free") != std::string::npos);
  CHECK(r.mismatches[0].charge.reason == charge_reason::utility_in_window);

  // And when the platform says free in the service window, they agree.
  auto second = x.f.send_template("+393331234567");
  r = x.apply(status_body(second.message_id, "read", at("2026-03-02T10:00:09Z"), "free_customer_service"));
  CHECK(r.statuses == 1);
  CHECK(r.mismatches.empty());
  CHECK(x.bridge.take_problems().empty());
  const auto invoice = x.l.invoice();
  CHECK(invoice.total == decimal::parse("0.0300").value());
}

TEST_CASE("events the desk cannot take are reported by index, others passed on", "[feed]") {
  live x;
  auto body = x.decoder.decode(status_body("wamid.unknown", "delivered", x.f.clock.now())).value();
  webhook_template_update t;
  t.field = "message_template_status_update";
  body.events.emplace_back(t);
  webhook_message group;  // not from a phone number
  group.from = "IT.123456";
  group.message.id = "wamid.g1";
  body.events.emplace_back(group);
  auto r = x.feed.apply(body);
  CHECK(r.passed == 1);
  CHECK(r.held == 1);  // the desk knows no wamid.unknown yet: its send may still be answered
  REQUIRE(r.refused.size() == 1);
  CHECK(r.refused[0].first == 2);
  CHECK(r.refused[0].second.code == "feed.customer");
}

TEST_CASE("a status that overtakes its send's answer is applied when the answer comes", "[feed]") {
  live x;
  x.f.customer_writes("+393331234567", "wamid.in1");
  x.f.wire.next_answer = transport_answer::pending();  // the transport has not answered yet
  const auto sent = x.f.reply("+393331234567");
  x.f.events.take();
  // The platform's statuses arrive first: held, not lost, not remembered as seen.
  const auto delivered =
      status_body("wamid.out1", "delivered", x.f.clock.now(), "free_customer_service", "service");
  auto r = x.apply(delivered);
  CHECK(r.held == 1);
  CHECK(r.refused.empty());
  CHECK(x.f.events.take().empty());
  CHECK(x.apply(status_body("wamid.out1", "sent", x.f.clock.now())).held == 1);
  // The answer names the message: both statuses apply, in their order.
  auto answered = x.f.desk.transport_answered(sent.correlation_id, transport_answer::accepted("wamid.out1"));
  REQUIRE(answered);
  CHECK(answered->status == message_status::delivered);
  CHECK(x.f.events.take() == std::vector<std::string>{"status wamid.out1 accepted->delivered"});
  CHECK(x.f.store.find_message("wamid.out1")->status == message_status::delivered);
  // The platform retries: a duplicate now, and nothing moves.
  auto again = x.apply(delivered);
  CHECK(again.duplicates == 1);
  CHECK(again.held == 0);
  // The ledger priced it once.
  CHECK(x.bridge.take_charges().size() == 1);
}

TEST_CASE("a held status is forgotten after the hold and can come again", "[feed]") {
  live x;
  x.f.customer_writes("+393331234567", "wamid.in1");
  x.f.wire.next_answer = transport_answer::pending();
  const auto sent = x.f.reply("+393331234567");
  const auto delivered = status_body("wamid.out1", "delivered", x.f.clock.now());
  CHECK(x.apply(delivered).held == 1);
  x.f.clock.advance(std::chrono::minutes(11));  // past desk_options::early_status_hold
  CHECK(x.apply(status_body("wamid.other", "sent", x.f.clock.now())).held == 1);  // sweeps the old hold
  REQUIRE(x.f.desk.transport_answered(sent.correlation_id, transport_answer::accepted("wamid.out1")));
  CHECK(x.f.store.find_message("wamid.out1")->status == message_status::accepted);
  // The platform's redelivery of the status was never marked seen: it applies now.
  auto r = x.apply(delivered);
  CHECK(r.statuses == 1);
  CHECK(x.f.store.find_message("wamid.out1")->status == message_status::delivered);
}

TEST_CASE("a message for a number registered a moment later is applied when redelivered", "[feed]") {
  desk_fixture f{};
  webhook_feed feed{f.desk};
  webhook_decoder decoder;
  auto body = message_body("wamid.in1", f.clock.now(), "Ciao");
  body.replace(body.find("\"n1\""), 4, "\"n2\"");
  auto first = feed.apply(decoder.decode(body).value());
  REQUIRE(first.refused.size() == 1);
  CHECK(first.refused[0].second.code == "desk.unknown_number");
  auto b = shop();
  b.numbers.push_back({"n2", number("+39 055 123 4568"), 80});
  f.desk.add_business(b).value();
  auto again = feed.apply(decoder.decode(body).value());
  CHECK(again.messages == 1);
  CHECK(again.duplicates == 0);
  CHECK(f.desk.window("n2", number("+393331234567")).service_window_open);
  // Now it is remembered.
  CHECK(feed.apply(decoder.decode(body).value()).duplicates == 1);
}

TEST_CASE("a refusal that cannot change is remembered: the redelivery is a duplicate", "[feed]") {
  live x;
  x.f.customer_writes("+393331234567", "wamid.in1");
  const auto sent = x.f.reply("+393331234567");
  auto body = status_body(sent.message_id, "delivered", x.f.clock.now());
  body.replace(body.find("\"phone_number_id\":\"n1\""), 22, "\"phone_number_id\":\"n9\"");
  auto first = x.apply(body);
  REQUIRE(first.refused.size() == 1);
  CHECK(first.refused[0].second.code == "desk.invalid_status");
  CHECK(first.refused[0].second.where == "business_number_id");
  CHECK(x.f.store.find_message(sent.message_id)->status == message_status::accepted);
  CHECK(x.apply(body).duplicates == 1);
}

TEST_CASE("compare_pricing names each disagreement", "[feed][pricing]") {
  charge c;
  c.model = pricing_model::pmp_2025;
  c.category = "marketing";
  c.amount = decimal::parse("0.0691").value();
  c.reason = charge_reason::volume_tier;
  webhook_pricing p;
  p.pricing_model = "PMP";
  p.type = "regular";
  p.category = "marketing";
  CHECK(compare_pricing(p, c).empty());
  p.category = "utility";
  CHECK(compare_pricing(p, c) == "the platform charges it as utility, chatdesk as marketing");
  p.type = "free_entry_point";
  CHECK(compare_pricing(p, c) ==
        "the platform found it free in an entry point window, chatdesk charged marketing");
  // Free for another reason than the entry point: named.
  c.reason = charge_reason::utility_in_window;
  c.free = true;
  CHECK(compare_pricing(p, c) ==
        "the platform found it free in an entry point window, chatdesk free for utility_in_window");
  // Free in the service window: any free reason agrees.
  p.type = "free_customer_service";
  CHECK(compare_pricing(p, c).empty());
  c.reason = charge_reason::free_entry_point;
  CHECK(compare_pricing(p, c).empty());
  // Only "billable" (older payloads): charged agrees with a charged reason, and disagrees with a free one.
  p.type.clear();
  p.billable = true;
  CHECK(compare_pricing(p, c) ==
        "the platform charges it (utility), chatdesk found it free (free_entry_point)");
  c.reason = charge_reason::volume_tier;
  p.category = "marketing";
  CHECK(compare_pricing(p, c).empty());
  p.pricing_model = "CBP";  // conversation-based pricing is not compared message by message
  CHECK(compare_pricing(p, c).empty());
}

TEST_CASE("compare_pricing under pmp_2026_10: service messages, the free tier and paid_exempt",
          "[feed][pricing]") {
  charge c;
  c.model = pricing_model::pmp_2026_10;
  c.category = "service";
  c.reason = charge_reason::service_message;
  c.amount = decimal::parse("0.0300").value();
  webhook_pricing p;
  p.pricing_model = "PMP";
  p.type = "regular";
  p.category = "service";
  CHECK(compare_pricing(p, c).empty());
  // Within the number's free tier the platform says free_customer_service.
  p.type = "free_customer_service";
  CHECK(compare_pricing(p, c) ==
        "the platform found it free in the service window, chatdesk charged service");
  c.reason = charge_reason::free_tier_service_message;
  c.free = true;
  c.amount = decimal{};
  CHECK(compare_pricing(p, c).empty());
  // An exempt business: regular with the subtype paid_exempt, and free.
  p.type = "regular";
  p.subtype = "paid_exempt";
  c.reason = charge_reason::paid_exempt;
  CHECK(compare_pricing(p, c).empty());
  c.reason = charge_reason::service_message;
  c.free = false;
  CHECK(compare_pricing(p, c) ==
        "the platform exempts it (paid_exempt), chatdesk charged it (service_message)");
  p.subtype.clear();
  c.reason = charge_reason::paid_exempt;
  c.free = true;
  CHECK(compare_pricing(p, c) ==
        "chatdesk exempts it (paid_exempt), the platform does not (regular service)");
  // Utility inside the window is charged now: the platform's regular utility agrees.
  c.reason = charge_reason::volume_tier;
  c.category = "utility";
  c.free = false;
  p.category = "utility";
  CHECK(compare_pricing(p, c).empty());
}

TEST_CASE("an agent's reply from Zendesk goes through the desk's policies", "[feed][zendesk]") {
  live x;
  webhook_agent_message reply;
  reply.id = "zd-msg-1";
  reply.conversation_id = "conv-1";
  reply.author_name = "Giulia";
  reply.content = text_content{"Ciao Maria, controllo subito."};
  const auto maria = number("+393331234567");

  // No customer message yet: a free-form reply is outside the service window.
  auto refused = x.f.desk.send(agent_reply_intent(reply, "shop", maria)).value();
  CHECK_FALSE(refused.decision.allowed);
  REQUIRE(refused.decision.refusal);
  CHECK(refused.decision.refusal->code == "policy.outside_service_window");

  CHECK(x.apply(message_body("wamid.in9", x.f.clock.now(), "Dov'è il pacco?")).messages == 1);
  auto sent = x.f.desk.send(agent_reply_intent(reply, "shop", maria)).value();
  CHECK(sent.decision.allowed);
  CHECK(sent.correlation_id == "zd-msg-1");
  CHECK(x.f.wire.delivered.back() == "zd-msg-1");  // handed to the transport under the CRM's id
}

TEST_CASE("one feed with the pricing cross-check is shared by many threads", "[feed][threads]") {
  auto b = shop(messaging_tier::unlimited);
  b.numbers[0].throughput_per_second = 1000;
  live x{b};
  constexpr int threads = 4;
  constexpr int customers_per_thread = 30;
  std::atomic<int> messages{0}, statuses{0}, duplicates{0}, mismatches{0}, refused{0}, not_allowed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      webhook_decoder decoder;  // a decoder per thread; the feed is shared
      auto apply = [&](const std::string& body) {
        const auto r = x.feed.apply(decoder.decode(body).value());
        messages += static_cast<int>(r.messages);
        statuses += static_cast<int>(r.statuses);
        duplicates += static_cast<int>(r.duplicates);
        mismatches += static_cast<int>(r.mismatches.size());
        refused += static_cast<int>(r.refused.size());
      };
      for (int c = 0; c < customers_per_thread; ++c) {
        const auto customer = fmt::format("39340{:02}{:05}", t, c);
        const auto now = x.f.clock.now();
        apply(message_body(fmt::format("wamid.in-{}-{}", t, c), now, "Ciao", customer));
        send_intent i;
        i.business_id = "shop";
        i.customer = phone_number::parse("+" + customer).value();
        i.content = text_content{"Grazie!"};
        const auto sent = x.f.desk.send(std::move(i)).value();
        if (!sent.decision.allowed) {  // Catch's assertions are for the main thread
          ++not_allowed;
          continue;
        }
        for (const char* st : {"sent", "delivered", "delivered", "read"})  // one redelivery
          apply(status_body(sent.message_id, st, now, "free_customer_service", "service", customer));
      }
    });
  }
  for (auto& th : pool) th.join();
  constexpr int total = threads * customers_per_thread;
  CHECK(not_allowed.load() == 0);
  CHECK(messages.load() == total);
  CHECK(statuses.load() == total * 3);
  CHECK(duplicates.load() == total);
  CHECK(mismatches.load() == 0);
  CHECK(refused.load() == 0);
  CHECK(x.bridge.take_charges().size() == static_cast<std::size_t>(total));
}

TEST_CASE("a business's numbers share its monthly counts in the ledger", "[feed][pricing]") {
  auto two_numbers = shop();
  two_numbers.numbers.push_back({"n2", number("+39 055 765 4321"), 80});
  live x(two_numbers);
  send_intent i;
  i.business_id = "shop";
  i.content = template_content{"order_update", "it", template_category::utility, {{"1", "A-1"}}};
  i.business_number_id = "n1";
  i.customer = number("+393331234567");
  const auto first = x.f.desk.send(i).value();
  i.business_number_id = "n2";
  i.customer = number("+393339876543");
  const auto second = x.f.desk.send(i).value();
  REQUIRE(first.decision.allowed);
  REQUIRE(second.decision.allowed);
  REQUIRE(x.f.desk.apply_status(status(first.message_id, message_status::delivered, x.f.clock.now())));
  REQUIRE(x.f.desk.apply_status(status(second.message_id, message_status::delivered, x.f.clock.now())));
  const auto charges = x.bridge.take_charges();
  REQUIRE(charges.size() == 2);
  // Both are the business's, whichever number sent them: the second is its second utility template this
  // month.
  CHECK(charges[0].business == "shop");
  CHECK(charges[1].business == "shop");
  const auto invoice = x.l.invoice();
  REQUIRE(invoice.lines.size() == 1);
  CHECK(invoice.lines[0].business == "shop");
  CHECK(invoice.lines[0].count == 2);
  CHECK(x.bridge.take_problems().empty());
}

TEST_CASE("Zendesk customers: a CRM user id mapped to the customer's number", "[feed][zendesk]") {
  // A Sunshine Conversations v2 webhook, as Zendesk posts it for a WhatsApp
  // customer's message (the integration id is the desk's number id here).
  const auto sunshine = [](const char* event_id, const char* source_extra) {
    return fmt::format(
        R"({{"app":{{"id":"5ebee0975ac5304b664a12fa"}},"webhook":{{"id":"5f3ac4bc7f3ef3000d37b1f8","version":"v2"}},)"
        R"("events":[{{"id":"{}","createdAt":"2026-03-02T09:00:00.000Z","type":"conversation:message",)"
        R"("payload":{{"conversation":{{"id":"b1b4dd3a36b1ad5e4f8bb7b4","type":"personal"}},)"
        R"("message":{{"id":"msg-{}","received":"2026-03-02T09:00:00.000Z",)"
        R"("author":{{"userId":"e4c4b4ec5e29f7c3f5c4c2e5","displayName":"Maria Rossi","type":"user"}},)"
        R"("content":{{"type":"text","text":"Il pacco non è arrivato"}},)"
        R"("source":{{"type":"whatsapp","integrationId":"n1"{}}}}}}}}}]}})",
        event_id, event_id, source_extra);
  };
  const auto maria = number("+393331234567");
  {
    desk_fixture f;
    webhook_feed feed{f.desk};
    const auto r = feed.apply(decode_zendesk_webhook(sunshine("e1", "")).value());
    REQUIRE(r.refused.size() == 1);
    CHECK(r.refused[0].second.code == "feed.customer");
    CHECK(r.refused[0].second.message ==
          "message msg-e1 is from 'e4c4b4ec5e29f7c3f5c4c2e5', which is not a phone number: map CRM users to "
          "customers with feed_options::customer_of");
  }
  {
    desk_fixture f;
    customer_table users;
    feed_options options;
    options.customer_of = users.lookup();
    webhook_feed feed{f.desk, options};
    const auto body = decode_zendesk_webhook(sunshine("e2", "")).value();
    // Not known yet: refused, and not remembered, so the CRM's retry is applied once the user is known.
    auto r = feed.apply(body);
    REQUIRE(r.refused.size() == 1);
    CHECK(r.refused[0].second.message ==
          "message msg-e2 is from 'e4c4b4ec5e29f7c3f5c4c2e5', which is not a phone number and not a known "
          "customer");
    users.set("e4c4b4ec5e29f7c3f5c4c2e5", maria);
    r = feed.apply(body);
    CHECK(r.messages == 1);
    CHECK(r.refused.empty());
    CHECK(feed.apply(body).duplicates == 1);
    // The customer wrote: the service window is open for Maria, so a free-form reply is allowed.
    CHECK(f.reply("+393331234567").decision.allowed);
    CHECK(users.find("e4c4b4ec5e29f7c3f5c4c2e5") == maria);
    users.erase("e4c4b4ec5e29f7c3f5c4c2e5");
    CHECK_FALSE(users.find("e4c4b4ec5e29f7c3f5c4c2e5"));
  }
  {
    // With includeFullSource the WhatsApp client's externalId is the number: no map needed.
    desk_fixture f;
    webhook_feed feed{f.desk};
    const auto r = feed.apply(
        decode_zendesk_webhook(sunshine("e3", R"(,"client":{"type":"whatsapp","externalId":"393331234567"})"))
            .value());
    CHECK(r.messages == 1);
    CHECK(r.refused.empty());
  }
}
