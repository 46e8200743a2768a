#include <string>
#include <vector>

#include "chatdesk/templates/catalog.hpp"
#include "chatdesk/templates/library.hpp"
#include "helpers/catch.hpp"
#include "support/support_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

namespace {

support_settings with_sla(std::optional<std::chrono::seconds> first, std::optional<std::chrono::seconds> next,
                          std::optional<std::chrono::seconds> resolution, bool hours_only = false) {
  support_settings s;
  s.sla.first_response = first;
  s.sla.next_response = next;
  s.sla.resolution = resolution;
  s.sla.business_hours_only = hours_only;
  return s;
}

business_hours office() {
  return business_hours::parse(R"({"zone":"Europe/Rome","week":{"mon":["09:00-17:00"],"tue":["09:00-17:00"],
    "wed":["09:00-17:00"],"thu":["09:00-17:00"],"fri":["09:00-17:00"]}})")
      .value();
}

}  // namespace

TEST_CASE("first response: a warning at 80%, a breach at the target, each told once by tick",
          "[support][sla]") {
  support_fixture f;
  f.staff({person("ana")}, crew("care", {"ana"}), with_sla(10min, std::nullopt, std::nullopt));
  f.online("ana");
  f.writes(1);
  auto c = f.support->conversation(key_of(1));
  CHECK(c->clock_of(sla_metric::first_response).due == f.clock.now() + 10min);
  f.clock.advance(7min);
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_warning) == 0);
  f.clock.advance(1min);  // 8 of 10 minutes
  f.support->tick();
  f.support->tick();
  REQUIRE(f.log.count(support_event_kind::sla_warning) == 1);
  CHECK(f.log.of(support_event_kind::sla_warning)[0].metric == sla_metric::first_response);
  f.clock.advance(2min);
  f.support->tick();
  const auto breached = f.log.of(support_event_kind::sla_breached);
  REQUIRE(breached.size() == 1);
  CHECK(breached[0].due == at("2026-03-02T09:10:00Z"));
  CHECK(breached[0].agent == "ana");
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_breached) == 1);
  // The late reply stops the clock; the record says it was late.
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Sorry for the wait"}));
  c = f.support->conversation(key_of(1));
  const auto& frt = c->clock_of(sla_metric::first_response);
  CHECK(frt.stopped == f.clock.now());
  CHECK(frt.consumed == 10min);
  CHECK(frt.breached);
  CHECK_FALSE(frt.running());
}

TEST_CASE("clocks pause while pending or snoozed; a snooze ends by itself", "[support][sla]") {
  support_fixture f;
  f.staff({person("ana")}, crew("care", {"ana"}), with_sla(std::nullopt, std::nullopt, 1h));
  f.online("ana");
  f.writes(1);
  f.clock.advance(20min);
  REQUIRE(f.support->set_pending(key_of(1), "agent:ana"));
  f.clock.advance(3h);  // waiting on the customer: not counted
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_breached) == 0);
  f.writes(1, "here are the details");  // the customer answers: open again
  auto c = f.support->conversation(key_of(1));
  CHECK(c->status == support_status::open);
  CHECK(c->clock_of(sla_metric::resolution).consumed == 20min);
  CHECK(c->clock_of(sla_metric::resolution).due == f.clock.now() + 40min);
  f.clock.advance(10min);
  REQUIRE(f.support->snooze(key_of(1), f.clock.now() + 2h, "agent:ana"));
  CHECK(f.support->snooze(key_of(1), f.clock.now() - 1min, "agent:ana").error().code ==
        "support.invalid_snooze");
  f.clock.advance(2h);
  f.support->tick();  // the snooze ends: open, the clock runs again with 30 minutes left
  c = f.support->conversation(key_of(1));
  CHECK(c->status == support_status::open);
  CHECK(f.log.of(support_event_kind::reopened).back().reason == "the snooze ended");
  CHECK(c->clock_of(sla_metric::resolution).due == f.clock.now() + 30min);
  f.clock.advance(30min);
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_breached) == 1);
  REQUIRE(f.support->resolve(key_of(1), "agent:ana"));
  c = f.support->conversation(key_of(1));
  CHECK(c->status == support_status::resolved);
  CHECK(c->clock_of(sla_metric::resolution).consumed == 60min);
  CHECK(f.holding("ana") == 0);
}

TEST_CASE("business-hours SLAs: created Friday 16:30 with a 1-hour target is due Monday 09:30",
          "[support][sla][hours]") {
  // 2026-11-27 is a Friday; 15:30 UTC is 16:30 in Rome.
  support_fixture f(at("2026-11-27T15:30:00Z"));
  auto s = with_sla(1h, std::nullopt, 8h, true);
  s.hours = office();
  f.staff({person("ana")}, crew("care", {"ana"}), s);
  f.online("ana");
  f.writes(1);
  auto c = f.support->conversation(key_of(1));
  CHECK(c->clock_of(sla_metric::first_response).due == at("2026-11-30T08:30:00Z"));
  // 8 business hours: 30 minutes on Friday and 7.5 on Monday.
  CHECK(c->clock_of(sla_metric::resolution).due == at("2026-11-30T15:30:00Z"));
  CHECK(c->clock_of(sla_metric::first_response).warn_at == at("2026-11-30T08:18:00Z"));  // 48 of 60 minutes
  // Exactly at the boundary: not yet at 09:29:59.999, breached at 09:30.
  f.clock.set(at("2026-11-30T08:29:59.999Z"));
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_breached) == 0);
  f.clock.set(at("2026-11-30T08:30:00Z"));
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_breached) == 1);
  // Pending over the weekend and back on Monday: only business time counted.
  f.clock.set(at("2026-11-30T09:00:00Z"));  // Monday 10:00 Rome
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Let me check"}));
  REQUIRE(f.support->set_pending(key_of(1), "agent:ana"));
  c = f.support->conversation(key_of(1));
  CHECK(c->clock_of(sla_metric::first_response).consumed == 90min);  // 30 Friday + 60 Monday
  CHECK(c->clock_of(sla_metric::resolution).consumed == 90min);
}

TEST_CASE("next response runs from the oldest unanswered customer message to the agent's reply",
          "[support][sla]") {
  support_fixture f;
  f.staff({person("ana")}, crew("care", {"ana"}), with_sla(5min, 15min, std::nullopt));
  f.online("ana");
  f.writes(1);
  f.clock.advance(2min);
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Hi, how can I help?"}));
  auto c = f.support->conversation(key_of(1));
  CHECK(c->first_response == f.clock.now());
  CHECK(c->clock_of(sla_metric::next_response).started == never);  // nothing to answer yet
  f.clock.advance(1min);
  const auto asked = f.clock.now();
  f.writes(1, "my parcel has not arrived");
  f.clock.advance(5min);
  f.writes(1, "hello?");  // a second message does not restart the clock
  c = f.support->conversation(key_of(1));
  CHECK(c->clock_of(sla_metric::next_response).started == asked);
  CHECK(c->waiting_since == asked);
  // A bot's or the application's own message does not answer the customer.
  send_intent bot;
  bot.business_id = "shop";
  bot.customer = customer_number(1);
  bot.content = text_content{"An agent will be with you shortly"};
  REQUIRE(f.desk->send(bot)->decision.allowed);
  c = f.support->conversation(key_of(1));
  CHECK(c->waiting_since == asked);
  f.clock.advance(5min);
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"It is on its way"}));
  c = f.support->conversation(key_of(1));
  CHECK(c->waiting_since == never);
  CHECK(c->next_responses == 1);
  CHECK(c->next_response_time == 10min);
  CHECK(c->next_responses_late == 0);
  CHECK_FALSE(c->clock_of(sla_metric::next_response).running());
}

TEST_CASE("a next-response clock paused while pending stops at the agent's next reply", "[support][sla]") {
  support_fixture f;
  f.staff({person("ana")}, crew("care", {"ana"}), with_sla(30min, 10min, std::nullopt));
  f.online("ana");
  f.writes(1);
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Ciao"}));
  f.clock.advance(1min);
  f.writes(1, "and the invoice?");  // the next-response clock starts
  f.clock.advance(2min);
  REQUIRE(f.support->set_pending(key_of(1), "agent:ana"));  // pauses it
  f.clock.advance(30min);
  REQUIRE(f.support->reopen(key_of(1), "agent:ana"));  // the agent takes it up again: it resumes
  f.clock.advance(1min);
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Here it is"}));
  const auto c = f.support->conversation(key_of(1));
  REQUIRE(c);
  CHECK_FALSE(c->clock_of(sla_metric::next_response).running());
  CHECK(c->next_responses == 1);
  CHECK(c->next_response_time == 3min);  // 2 before the pause, 1 after: the 30 pending do not count
  f.clock.advance(1h);
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_breached) == 0);
}

TEST_CASE("a reply the transport does not accept does not count", "[support][sla]") {
  support_fixture f;
  f.staff({person("ana")}, crew("care", {"ana"}), with_sla(5min, std::nullopt, std::nullopt));
  f.online("ana");
  f.writes(1);
  f.wire.next_answer = transport_answer::failed(status_error{131000, "Something went wrong", "", ""});
  const auto r = f.support->reply(key_of(1), "ana", text_content{"hi"});
  REQUIRE(r);
  CHECK(r->sent.transport_error);
  auto c = f.support->conversation(key_of(1));
  CHECK(c->first_response == never);
  CHECK(c->clock_of(sla_metric::first_response).running());
  CHECK(f.log.count(support_event_kind::agent_replied) == 0);
}

TEST_CASE("outside hours the conversation waits, with one out-of-office reply a day", "[support][hours]") {
  support_fixture f(at("2026-11-28T10:00:00Z"));  // Saturday
  support_settings s;
  s.hours = office();
  s.out_of_office = "We are closed now and will answer on Monday from 9:00.";
  f.staff({person("ana")}, crew("care", {"ana"}), s);
  f.online("ana");
  f.writes(1);
  CHECK(f.holder(1).empty());
  CHECK(f.log.of(support_event_kind::queued)[0].reason ==
        "queued: team care is outside its hours; it opens 2026-11-30 09:00 CET");
  CHECK(f.wire.delivered.size() == 1);
  CHECK(f.log.count(support_event_kind::out_of_office) == 1);
  f.clock.advance(1h);
  f.writes(1, "hello?");
  CHECK(f.wire.delivered.size() == 1);  // once a day
  // Monday 09:00 Rome: tick offers the queue.
  f.clock.set(at("2026-11-30T08:00:00Z"));
  f.support->tick();
  CHECK(f.holder(1) == "ana");
}

TEST_CASE("an agent's reply after the window closed is refused with templates to send instead",
          "[support][window]") {
  manual_clock templates_clock{at("2026-03-02T09:00:00Z")};
  template_library lib(templates_clock);
  for (const auto* name : {"shipping_update", "delivery_notice"})
    for (const auto* lang : {"it", "en_US"}) REQUIRE(lib.add("shop", catalog::get(name, lang).value()));
  support_options o;
  o.templates = &lib;
  support_fixture f(at("2026-03-02T09:00:00Z"), std::make_unique<memory_store>(), o);
  f.staff({person("ana")}, crew("care", {"ana"}));
  f.online("ana");
  f.writes(1, "Buongiorno, dov'è il mio ordine?");
  // The desk tells the holder ahead of time.
  f.clock.advance(23h + 30min);
  f.desk->tick();
  const auto closing = f.log.of(support_event_kind::window_closing);
  REQUIRE(closing.size() == 1);
  CHECK(closing[0].agent == "ana");
  CHECK(closing[0].due == at("2026-03-03T09:00:00Z"));
  f.clock.advance(1h);
  const auto r = f.support->reply(key_of(1), "ana", text_content{"Eccoci"});
  REQUIRE(r);
  CHECK_FALSE(r->sent.decision.allowed);
  CHECK(r->sent.decision.refusal->code == "policy.outside_service_window");
  CHECK(r->suggested_templates == std::vector<std::string>{"delivery_notice", "shipping_update"});
  const auto refused = f.log.of(support_event_kind::reply_refused);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].detail == "delivery_notice,shipping_update");
  CHECK(f.support->conversation(key_of(1))->first_response == never);
}
