#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"

using namespace std::chrono_literals;
using namespace chatdesk;
using chatdesk::test::at;
using chatdesk::test::desk_fixture;
using chatdesk::test::full_observer;
using chatdesk::test::number;
using chatdesk::test::shop;

namespace {
constexpr const char* maria = "+39 333 123 4567";
constexpr const char* luca = "+39 347 765 4321";
}  // namespace

TEST_CASE("the customer service window is open for exactly 24 hours", "[engine][window]") {
  desk_fixture f;
  auto r = f.customer_writes(maria, "wamid.in1");
  CHECK_FALSE(r.duplicate);
  CHECK(r.window_opened);
  CHECK(r.window.service_window_open);
  CHECK(r.window.service_window_closes_at == at("2026-03-03T09:00:00Z"));

  f.clock.advance(23h + 59min + 59s);
  auto inside = f.reply(maria);
  CHECK(inside.decision.allowed);
  CHECK(inside.decision.charge == charge_reason::free_form);

  f.clock.advance(1s);  // exactly 24:00:00 after the customer's message
  auto outside = f.reply(maria, "Still there?");
  REQUIRE_FALSE(outside.decision.allowed);
  CHECK(outside.decision.policy == "service_window");
  CHECK(outside.decision.refusal->code == "policy.outside_service_window");
  CHECK_THAT(outside.decision.refusal->message, test::contains_substring("closed at 2026-03-03T09:00:00Z"));
  CHECK_THAT(outside.decision.refusal->message, test::contains_substring("send an approved template"));

  // A template is what may be sent now, and it is billable.
  auto tmpl = f.send_template(maria);
  CHECK(tmpl.decision.allowed);
  CHECK(tmpl.decision.charge == charge_reason::volume_tier);
}

TEST_CASE("every customer message restarts the window", "[engine][window]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  f.clock.advance(20h);
  auto again = f.customer_writes(maria, "in2");
  CHECK_FALSE(again.window_opened);
  CHECK(again.window.service_window_closes_at == at("2026-03-04T05:00:00Z"));
  f.clock.advance(23h);
  CHECK(f.reply(maria).decision.allowed);
  CHECK(f.desk.window("n1", number(maria)).service_window_closes_at == at("2026-03-03T09:00:00Z") + 20h);
}

TEST_CASE("a customer who never wrote gets templates only", "[engine][window]") {
  desk_fixture f;
  auto r = f.reply(luca);
  REQUIRE_FALSE(r.decision.allowed);
  CHECK(r.decision.refusal->code == "policy.outside_service_window");
  CHECK_THAT(r.decision.refusal->message, test::contains_substring("never written"));
  CHECK(f.events.take() == std::vector<std::string>{"refused +393477654321 policy.outside_service_window"});
}

TEST_CASE("charge classes inside and outside the window", "[engine][charge]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  CHECK(f.send_template(maria, template_category::utility).decision.charge ==
        charge_reason::utility_in_window);
  CHECK(f.send_template(maria, template_category::marketing).decision.charge == charge_reason::volume_tier);
  CHECK(f.send_template(maria, template_category::authentication).decision.charge ==
        charge_reason::volume_tier);
  CHECK(f.send_template(luca, template_category::utility).decision.charge == charge_reason::volume_tier);
}

TEST_CASE("a duplicate inbound message changes nothing", "[engine][idempotency]") {
  desk_fixture f;
  f.customer_writes(maria, "wamid.same");
  f.clock.advance(2h);
  auto dup = f.customer_writes(maria, "wamid.same");
  CHECK(dup.duplicate);
  CHECK_FALSE(dup.window_opened);
  const auto state = f.desk.conversation("n1", number(maria)).value();
  CHECK(state.inbound_count == 1);
  CHECK(state.last_inbound == at("2026-03-02T09:00:00Z"));  // not moved by the redelivery
  CHECK(f.events.take() ==
        std::vector<std::string>{"received wamid.same", "window_opened +393331234567 2026-03-03T09:00:00Z"});
}

TEST_CASE("statuses never move a message backwards and duplicates are no-ops", "[engine][status]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  auto sent = f.reply(maria);
  REQUIRE(sent.message_id == "wamid.1");
  f.events.take();
  auto apply = [&](message_status s) {
    return f.desk.apply_status(test::status("wamid.1", s, f.clock.now())).value();
  };
  CHECK(apply(message_status::sent).change == status_change::advanced);
  CHECK(apply(message_status::read).change == status_change::advanced);
  auto late = apply(message_status::delivered);  // delivered arrives after read
  CHECK(late.change == status_change::stale);
  CHECK(late.status == message_status::read);
  CHECK(apply(message_status::read).change == status_change::duplicate);
  CHECK(apply(message_status::failed).change == status_change::stale);
  CHECK(f.events.take() ==
        std::vector<std::string>{"status wamid.1 accepted->sent", "status wamid.1 sent->read"});
  CHECK(f.store.find_message("wamid.1")->status == message_status::read);
}

TEST_CASE("the status ordering rule", "[engine][status]") {
  using s = message_status;
  CHECK(compare_status(s::accepted, s::sent) == status_change::advanced);
  CHECK(compare_status(s::sent, s::delivered) == status_change::advanced);
  CHECK(compare_status(s::accepted, s::read) == status_change::advanced);  // read implies delivered
  CHECK(compare_status(s::delivered, s::sent) == status_change::stale);
  CHECK(compare_status(s::read, s::delivered) == status_change::stale);
  CHECK(compare_status(s::sent, s::failed) == status_change::advanced);
  CHECK(compare_status(s::delivered, s::failed) == status_change::stale);
  CHECK(compare_status(s::failed, s::sent) == status_change::stale);
  CHECK(compare_status(s::failed, s::delivered) == status_change::advanced);  // proof of delivery wins
  CHECK(compare_status(s::failed, s::failed) == status_change::duplicate);
  CHECK(compare_status(s::sent, s::sent) == status_change::duplicate);
}

TEST_CASE("a referral answered within 24 hours opens a 72-hour free entry point", "[engine][fep]") {
  desk_fixture f;
  f.customer_writes(maria, "in1", "I saw your ad", true);
  CHECK(f.desk.window("n1", number(maria)).entry_point_pending);
  f.clock.advance(23h + 59min + 59s);  // the last moment to answer
  auto answer = f.reply(maria, "Welcome!");
  CHECK(answer.decision.charge == charge_reason::free_entry_point);
  const auto opened = f.clock.now();
  auto w = f.desk.window("n1", number(maria));
  CHECK(w.entry_point_open);
  CHECK_FALSE(w.entry_point_pending);
  CHECK(w.entry_point_closes_at == opened + 72h);

  // Every message inside the window is free, templates included.
  f.clock.advance(2s);  // the service window has closed now
  CHECK(f.send_template(maria, template_category::marketing).decision.charge ==
        charge_reason::free_entry_point);
  f.clock.set(opened + 72h - 1ms);
  CHECK(f.send_template(maria, template_category::marketing).decision.charge ==
        charge_reason::free_entry_point);
  f.clock.set(opened + 72h);
  CHECK(f.send_template(maria, template_category::marketing).decision.charge == charge_reason::volume_tier);
  CHECK(f.desk.conversation("n1", number(maria))->entry_point_start == opened);
}

TEST_CASE("a referral not answered within 24 hours opens nothing", "[engine][fep]") {
  desk_fixture f;
  f.customer_writes(maria, "in1", "I saw your ad", true);
  f.clock.advance(24h);
  CHECK_FALSE(f.desk.window("n1", number(maria)).entry_point_pending);
  auto t = f.send_template(maria, template_category::marketing);
  CHECK(t.decision.charge == charge_reason::volume_tier);
  CHECK_FALSE(f.desk.window("n1", number(maria)).entry_point_open);
}

TEST_CASE("a message without referral opens no entry point", "[engine][fep]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  CHECK(f.reply(maria).decision.charge == charge_reason::free_form);
  CHECK_FALSE(f.desk.window("n1", number(maria)).entry_point_open);
}

TEST_CASE("the messaging limit counts unique customers in a moving 24 hours", "[engine][limits]") {
  desk_fixture f(test::shop(messaging_tier::tier_250));
  const auto start = f.clock.now();
  std::vector<std::string> customers;
  for (int i = 0; i < 251; ++i) customers.push_back(fmt::format("+3934700{:05}", i));
  for (int i = 0; i < 250; ++i) {
    INFO(i);
    REQUIRE(f.send_template(customers[static_cast<std::size_t>(i)].c_str()).decision.allowed);
    f.clock.advance(1s);  // well under the throughput limit
  }
  auto over = f.send_template(customers[250].c_str());
  REQUIRE_FALSE(over.decision.allowed);
  CHECK(over.decision.refusal->code == "policy.messaging_limit");
  CHECK_THAT(over.decision.refusal->message, test::contains_substring("250 unique customers"));
  // A customer already reached may be messaged again.
  CHECK(f.send_template(customers[249].c_str()).decision.allowed);
  // Replies inside a service window are not business-initiated and do not count.
  f.customer_writes(customers[250].c_str(), "in-250");
  CHECK(f.reply(customers[250].c_str()).decision.allowed);
  CHECK(f.send_template(customers[250].c_str()).decision.allowed);

  // The first customer was reached at `start`: exactly 24 hours later it no longer counts.
  const auto c2 = "+39347999999";
  f.clock.set(start + 24h - 1ms);
  CHECK_FALSE(f.send_template(c2).decision.allowed);
  f.clock.set(start + 24h);
  CHECK(f.send_template(c2).decision.allowed);

  const auto events = f.events.take();
  CHECK(std::count(events.begin(), events.end(), "limit_near shop 200/250") == 1);
  // Reached at 250 sends, and again when c2 took the place of the customer who aged out.
  CHECK(std::count(events.begin(), events.end(), "limit_near shop 250/250") == 2);
}

TEST_CASE("an unlimited tier never refuses", "[engine][limits]") {
  desk_fixture f(test::shop(messaging_tier::unlimited));
  for (int i = 0; i < 300; ++i) {
    REQUIRE(f.send_template(fmt::format("+3934800{:05}", i).c_str()).decision.allowed);
    f.clock.advance(1s);
  }
  CHECK(limit_of(messaging_tier::tier_2k) == 2000u);
  CHECK(limit_of(messaging_tier::tier_1k) == 1000u);
  CHECK_FALSE(limit_of(messaging_tier::unlimited).has_value());
  CHECK(parse_messaging_tier("TIER_10K").value() == messaging_tier::tier_10k);
  CHECK(parse_messaging_tier("bogus").error().code == "business.unknown_tier");
}

TEST_CASE("opt-out by keyword, service replies still allowed, opt-in again", "[engine][consent]") {
  desk_fixture f;
  f.customer_writes(maria, "in1", "  stop ");
  const auto c = f.desk.customer("shop", number(maria)).value();
  CHECK(c.consent.opted_out());
  CHECK(c.profile_name == "Maria");

  auto t = f.send_template(maria);
  REQUIRE_FALSE(t.decision.allowed);
  CHECK(t.decision.refusal->code == "policy.opted_out");
  CHECK_THAT(t.decision.refusal->message, test::contains_substring("opted out on 2026-03-02T09:00:00Z"));
  CHECK(f.reply(maria, "You will get no more notices.").decision.allowed);

  f.clock.advance(1h);
  auto back = f.customer_writes(maria, "in2", "START");
  CHECK(back.opted_in);
  CHECK(f.send_template(maria).decision.allowed);

  f.clock.advance(1h);
  f.desk.opt_out("shop", number(maria)).value();
  CHECK_FALSE(f.send_template(maria).decision.allowed);
  f.clock.advance(1min);
  f.desk.opt_in("shop", number(maria), "web form").value();
  CHECK(f.send_template(maria).decision.allowed);
  CHECK(f.desk.customer("shop", number(maria))->consent.opt_in_source == "web form");

  const auto events = f.events.take();
  CHECK(std::count(events.begin(), events.end(), "consent shop +393331234567 out") == 2);
  CHECK(std::count(events.begin(), events.end(), "consent shop +393331234567 in") == 2);
}

TEST_CASE("a business that sets no keywords has the usual ones, and an empty list has none",
          "[engine][consent]") {
  auto b = shop();
  b.opt_out_keywords = business{}.opt_out_keywords;  // the defaults
  b.opt_in_keywords = business{}.opt_in_keywords;
  CHECK(b.opt_out_keywords == std::vector<std::string>{"STOP", "STOPALL", "UNSUBSCRIBE"});
  desk_fixture f{b};
  f.customer_writes(maria, "in1", "Stop");  // what the catalog's footers ask for
  CHECK(f.desk.customer("shop", number(maria))->consent.opted_out());
  f.clock.advance(1min);
  CHECK(f.customer_writes(maria, "in2", "unstop").opted_in);
  f.clock.advance(1min);
  f.customer_writes(maria, "in3", "cancel");  // not a default: in a shop it usually means an order
  CHECK_FALSE(f.desk.customer("shop", number(maria))->consent.opted_out());

  auto quiet = shop();
  quiet.opt_out_keywords.clear();
  desk_fixture g{quiet};
  g.customer_writes(maria, "in1", "STOP");
  CHECK_FALSE(g.desk.customer("shop", number(maria))->consent.opted_out());
}

TEST_CASE("opt-out can be configured to block service replies too", "[engine][consent]") {
  manual_clock clock(at("2026-03-02T09:00:00Z"));
  memory_store store;
  desk_options o;
  o.opt_out_blocks_service_replies = true;
  chatdesk::desk d(clock, store, nullptr, o);
  d.add_business(test::shop()).value();
  message m;
  m.id = "in1";
  m.business_number_id = "n1";
  m.customer = number(maria);
  m.content = text_content{"STOP"};
  REQUIRE(d.receive(m).value().opted_out);
  send_intent i{"shop", "", number(maria), text_content{"ok"}, ""};
  CHECK(d.check(i).value().refusal->code == "policy.opted_out");
}

TEST_CASE("a blocked customer gets nothing", "[engine][consent]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  f.desk.set_blocked("shop", number(maria), true).value();
  auto r = f.reply(maria);
  REQUIRE_FALSE(r.decision.allowed);
  CHECK(r.decision.refusal->code == "policy.customer_blocked");
  CHECK_THAT(r.decision.refusal->message, test::contains_substring("Bottega Rossi blocked +393331234567"));
  f.desk.set_blocked("shop", number(maria), false).value();
  CHECK(f.reply(maria).decision.allowed);
}

TEST_CASE("marketing templates to US numbers are refused since 2025-04-01", "[engine][us]") {
  desk_fixture f;
  auto us = f.send_template("+1 212 555 0100", template_category::marketing);
  REQUIRE_FALSE(us.decision.allowed);
  CHECK(us.decision.refusal->code == "policy.us_marketing");
  CHECK(f.send_template("+1 212 555 0100", template_category::utility).decision.allowed);
  CHECK(f.send_template("+1 416 555 0100", template_category::marketing).decision.allowed);  // Canada
  CHECK(f.send_template("+1 787 555 0100", template_category::marketing).decision.allowed);  // Puerto Rico

  desk_fixture before;
  before.clock.set(at("2025-03-31T23:59:59Z"));
  CHECK(before.send_template("+1 212 555 0101", template_category::marketing).decision.allowed);
  before.clock.set(at("2025-04-01T00:00:00Z"));
  auto since = before.send_template("+1 212 555 0102", template_category::marketing);
  REQUIRE_FALSE(since.decision.allowed);
  CHECK(since.decision.refusal->message ==
        "marketing templates are not delivered to United States numbers since 2025-04-01 (+12125550102)");
}

TEST_CASE("the pair rate allows bursts of 45, then one message per 6 seconds", "[engine][limits]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  for (int i = 0; i < 45; ++i) {
    INFO(i);
    REQUIRE(f.reply(maria).decision.allowed);
  }
  auto over = f.reply(maria);
  REQUIRE_FALSE(over.decision.allowed);
  CHECK(over.decision.refusal->code == "policy.pair_rate");
  CHECK_THAT(over.decision.refusal->message, test::contains_substring("retry in 6.000 s"));
  f.clock.advance(5999ms);
  CHECK_FALSE(f.reply(maria).decision.allowed);
  f.clock.advance(1ms);
  CHECK(f.reply(maria).decision.allowed);
  CHECK_FALSE(f.reply(maria).decision.allowed);
  // Another customer is not affected.
  f.customer_writes(luca, "in2");
  CHECK(f.reply(luca).decision.allowed);
}

TEST_CASE("a number's throughput is limited per second", "[engine][limits]") {
  auto b = test::shop(messaging_tier::unlimited);
  b.numbers[0].throughput_per_second = 80;
  desk_fixture f(b);
  for (int i = 0; i < 80; ++i) {
    INFO(i);
    REQUIRE(f.send_template(fmt::format("+3934900{:05}", i).c_str()).decision.allowed);
  }
  auto over = f.send_template("+393490099999");
  REQUIRE_FALSE(over.decision.allowed);
  CHECK(over.decision.refusal->code == "policy.throughput");
  CHECK_THAT(over.decision.refusal->message, test::contains_substring("80 messages per second"));
  f.clock.advance(12ms);
  CHECK_FALSE(f.send_template("+393490099999").decision.allowed);
  f.clock.advance(1ms);  // 12.5 ms per message at 80 per second
  CHECK(f.send_template("+393490099999").decision.allowed);
}

namespace {
class fake_directory final : public template_directory {
 public:
  std::optional<template_info> find(std::string_view, std::string_view name,
                                    std::string_view language) const override {
    if (name == "order_update" && language == "it")
      return template_info{template_status::approved, template_category::utility, {}};
    if (name == "spring_sale")
      return template_info{template_status::paused, template_category::marketing, "quality RED"};
    if (name == "old_promo")
      return template_info{template_status::disabled, template_category::marketing, {}};
    if (name == "new_one") return template_info{template_status::pending, template_category::utility, {}};
    return std::nullopt;
  }
};
}  // namespace

TEST_CASE("only approved templates may be sent", "[engine][templates]") {
  desk_fixture f;
  fake_directory dir;
  f.desk.set_template_directory(&dir);
  CHECK(f.send_template(maria, template_category::marketing, "order_update").decision.allowed);
  auto paused = f.send_template(maria, template_category::marketing, "spring_sale");
  REQUIRE_FALSE(paused.decision.allowed);
  CHECK(paused.decision.refusal->code == "policy.template_not_approved");
  CHECK(paused.decision.refusal->message ==
        "template 'spring_sale' (it) is PAUSED (quality RED): only APPROVED templates can be sent");
  CHECK(f.send_template(maria, template_category::utility, "old_promo").decision.refusal->code ==
        "policy.template_not_approved");
  CHECK(f.send_template(maria, template_category::utility, "new_one").decision.refusal->code ==
        "policy.template_not_approved");
  CHECK(f.send_template(maria, template_category::utility, "nope").decision.refusal->code ==
        "policy.unknown_template");
  // The directory's category wins over the intent's: order_update is utility.
  f.customer_writes(luca, "in1");
  CHECK(f.send_template(luca, template_category::marketing, "order_update").decision.charge ==
        charge_reason::utility_in_window);
}

namespace {
class quiet_hours final : public send_policy {
 public:
  std::string_view name() const noexcept override { return "quiet_hours"; }
  std::optional<error> check(const send_context& ctx) const override {
    const auto local = ctx.biz.zone.to_local(ctx.now);
    const auto hour =
        std::chrono::floor<std::chrono::hours>(local - std::chrono::floor<date::days>(local)).count();
    if (hour >= 8 && hour < 21) return std::nullopt;
    return make_error("custom.quiet_hours", "no messages between 21:00 and 08:00 business time");
  }
};
}  // namespace

TEST_CASE("callers add their own rules", "[engine][policy]") {
  desk_fixture f;
  f.desk.add_policy(std::make_shared<quiet_hours>());
  f.customer_writes(maria, "in1");
  CHECK(f.reply(maria).decision.allowed);
  f.clock.set(at("2026-03-02T22:00:00Z"));
  auto r = f.reply(maria);
  REQUIRE_FALSE(r.decision.allowed);
  CHECK(r.decision.policy == "quiet_hours");
  CHECK(r.decision.refusal->code == "custom.quiet_hours");
}

TEST_CASE("check() decides without changing anything", "[engine][policy]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  send_intent i{"shop", "", number(maria), text_content{"hi"}, ""};
  for (int k = 0; k < 100; ++k) CHECK(f.desk.check(i).value().allowed);  // no pair-rate budget used
  CHECK(f.desk.conversation("n1", number(maria))->outbound_count == 0);
  CHECK(f.wire.delivered.empty());
}

TEST_CASE("allowed sends go to the transport and its answer is fed back", "[engine][transport]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  auto ok = f.reply(maria);
  CHECK(ok.message_id == "wamid.1");
  CHECK(f.wire.delivered == std::vector<std::string>{ok.correlation_id});
  CHECK(f.store.find_message("wamid.1")->correlation_id == ok.correlation_id);

  f.wire.next_answer = transport_answer::failed([] {
    status_error e;
    e.code = 131047;
    e.title = "Re-engagement message";
    e.details = "more than 24 hours";
    return e;
  }());
  auto failed = f.reply(maria);
  CHECK(failed.status == message_status::failed);
  REQUIRE(failed.transport_error);
  CHECK(failed.transport_error->code == 131047);
  CHECK(f.store.find_message(failed.correlation_id)->error->title == "Re-engagement message");

  // An asynchronous transport answers later.
  f.wire.next_answer = transport_answer::pending();
  send_intent i{"shop", "", number(maria), text_content{"later"}, "my-own-id"};
  auto pending = f.desk.send(i).value();
  CHECK(pending.correlation_id == "my-own-id");
  CHECK(pending.message_id.empty());
  CHECK(f.desk.transport_answered("my-own-id", transport_answer::accepted("wamid.async")).value().change ==
        status_change::advanced);
  CHECK(f.desk.apply_status(test::status("wamid.async", message_status::delivered, f.clock.now()))
            .value()
            .status == message_status::delivered);
  // The same correlation id twice is refused.
  CHECK(f.desk.send(i).error().code == "desk.duplicate_correlation_id");
  CHECK(f.desk.transport_answered("nope", transport_answer::accepted("x")).error().code ==
        "desk.unknown_message");
}

TEST_CASE("observers hear windows opening, closing and closing soon", "[engine][observer]") {
  desk_fixture f;
  f.customer_writes(maria, "in1");
  f.events.take();
  f.clock.advance(22h);
  f.desk.tick();
  CHECK(f.events.take().empty());
  f.clock.advance(1h);  // one hour before the close: the default notice
  f.desk.tick();
  CHECK(f.events.take() == std::vector<std::string>{"window_closing +393331234567 2026-03-03T09:00:00Z"});
  f.clock.advance(1h);
  f.desk.tick();
  CHECK(f.events.take() == std::vector<std::string>{"window_closed +393331234567 2026-03-03T09:00:00Z"});
  f.desk.tick();
  CHECK(f.events.take().empty());

  // A window extended by a new message is followed to its new end.
  f.customer_writes(luca, "in2");
  f.clock.advance(10h);
  f.customer_writes(luca, "in3");
  f.events.take();
  f.clock.advance(14h);  // the first end: nothing closes
  f.desk.tick();
  CHECK(f.events.take().empty());
  f.clock.advance(9h);
  f.desk.tick();
  CHECK(f.events.take() == std::vector<std::string>{"window_closing +393477654321 2026-03-04T19:00:00Z"});
  f.clock.advance(1h);
  f.desk.tick();
  CHECK(f.events.take() == std::vector<std::string>{"window_closed +393477654321 2026-03-04T19:00:00Z"});
  // A tick long after a window closed reports the close, not a closing.
  f.customer_writes(maria, "in4");
  f.events.take();
  f.clock.advance(48h);
  f.desk.tick();
  CHECK(f.events.take() == std::vector<std::string>{"window_closed +393331234567 2026-03-05T19:00:00Z"});
}

TEST_CASE("bad input is refused with a clear error", "[engine][errors]") {
  desk_fixture f;
  message m;
  m.id = "x";
  m.business_number_id = "nope";
  m.customer = number(maria);
  CHECK(f.desk.receive(m).error().code == "desk.unknown_number");
  m.business_number_id = "n1";
  m.id.clear();
  CHECK(f.desk.receive(m).error().code == "desk.invalid_message");
  m.id = "x";
  m.customer = phone_number{};
  CHECK(f.desk.receive(m).error().where == "customer");
  m.customer = number(maria);
  m.direction = direction::outbound;
  CHECK(f.desk.receive(m).error().code == "desk.invalid_message");

  // A status for a message not known yet is held for its send's answer, not refused.
  CHECK(f.desk.apply_status(test::status("wamid.unknown", message_status::read, {})).value().change ==
        status_change::held);
  CHECK(f.desk.apply_status(test::status("", message_status::read, {})).error().code ==
        "desk.unknown_message");
  m.direction = direction::inbound;
  (void)f.desk.receive(m).value();
  CHECK(f.desk.apply_status(test::status("x", message_status::read, {})).error().code ==
        "desk.invalid_status");

  send_intent i{"ghost", "", number(maria), text_content{"hi"}, ""};
  CHECK(f.desk.send(i).error().code == "desk.unknown_business");
  i.business_id = "shop";
  i.business_number_id = "n9";
  CHECK(f.desk.send(i).error().code == "desk.unknown_number");
  i.business_number_id.clear();
  i.content = template_content{"", "it", template_category::utility, {}};
  CHECK(f.desk.send(i).error().code == "desk.invalid_intent");

  business bad;
  bad.id = "b2";
  CHECK(f.desk.add_business(bad).error().code == "business.invalid");
  auto taken = test::shop();
  taken.id = "other";
  CHECK(f.desk.add_business(taken).error().code == "desk.number_taken");
}

TEST_CASE("unsupported inbound content is kept, not dropped", "[engine][messages]") {
  desk_fixture f;
  message m;
  m.id = "wamid.poll";
  m.business_number_id = "n1";
  m.customer = number(maria);
  m.content = unsupported_content{"poll", R"({"type":"poll","poll":{}})"};
  auto r = f.desk.receive(m).value();
  CHECK(r.window.service_window_open);
  CHECK(f.store.find_message("wamid.poll")->type == "poll");
  CHECK(f.store.messages({"n1", number(maria)}).size() == 1);
}

TEST_CASE("time stamps from outside are bounded by the desk's clock", "[engine][time]") {
  desk_fixture f;
  const auto now = f.clock.now();
  auto inbound = [&](const char* id, timestamp when) {
    message m;
    m.direction = direction::inbound;
    m.id = id;
    m.business_number_id = "n1";
    m.customer = number(maria);
    m.at = when;
    m.content = text_content{"hello"};
    return f.desk.receive(m);
  };
  // Year 5138: refused, and the window is not pinned open.
  auto far = inbound("in-far", at("5138-11-16T09:46:40Z"));
  REQUIRE_FALSE(far);
  CHECK(far.error().code == "desk.future_time");
  CHECK(far.error().where == "at");
  CHECK(far.error().message.find("more than 5 minutes ahead") != std::string::npos);
  CHECK_FALSE(f.desk.window("n1", number(maria)).service_window_open);
  // Two seconds ahead (the platform's clock runs fast): taken as now, so an immediate reply is allowed.
  REQUIRE(inbound("in-skew", now + std::chrono::seconds(2)));
  CHECK(f.desk.conversation("n1", number(maria))->last_inbound == now);
  CHECK(f.reply(maria).decision.allowed);
  // Older than the platform's retry horizon (7 days): refused.
  auto old = inbound("in-old", now - std::chrono::hours(24 * 8));
  REQUIRE_FALSE(old);
  CHECK(old.error().code == "desk.stale_time");
  // Statuses too.
  const auto sent = f.reply(maria);
  CHECK(
      f.desk
          .apply_status(test::status(sent.message_id, message_status::delivered, at("9999-12-31T00:00:00Z")))
          .error()
          .code == "desk.future_time");
  auto ok = f.desk.apply_status(
      test::status(sent.message_id, message_status::delivered, now + std::chrono::seconds(30)));
  REQUIRE(ok);
  CHECK(f.store.find_message(sent.message_id)->status_at == now);
  // The bounds are settings.
  desk_options o;
  o.max_clock_skew = std::chrono::hours(1);
  manual_clock clock{now};
  memory_store store;
  chatdesk::desk lenient{clock, store, nullptr, o};
  lenient.add_business(test::shop()).value();
  message m;
  m.direction = direction::inbound;
  m.id = "in-30min";
  m.business_number_id = "n1";
  m.customer = number(maria);
  m.at = now + std::chrono::minutes(30);
  CHECK(lenient.receive(m));
}

TEST_CASE("observers, the journal and the transcript see an inbound message at the time the desk took",
          "[engine][time]") {
  const auto now = at("2026-03-02T09:00:00Z");
  manual_clock clock{now};
  memory_store_options keep;
  keep.keep_journal = true;
  memory_store store{keep};
  chatdesk::desk d{clock, store};
  d.add_business(test::shop()).value();
  struct times final : observer {
    std::vector<timestamp> seen;
    void message_received(const message& m) override { seen.push_back(m.at); }
  };
  times live;
  d.subscribe(&live);
  const auto receive = [&](std::string id, timestamp when) {
    message m;
    m.direction = direction::inbound;
    m.id = std::move(id);
    m.business_number_id = "n1";
    m.customer = number(maria);
    m.at = when;
    m.content = text_content{"hello"};
    return d.receive(m);
  };
  REQUIRE(receive("in-unstamped", timestamp{}));                 // no time: now
  REQUIRE(receive("in-ahead", now + std::chrono::seconds(2)));   // a little ahead: now
  REQUIRE(receive("in-before", now - std::chrono::minutes(1)));  // as stamped
  const std::vector<timestamp> expected = {now, now, now - std::chrono::minutes(1)};
  CHECK(live.seen == expected);
  times replayed;
  CHECK(d.replay_journal(replayed).value() == 3);
  CHECK(replayed.seen == expected);
  const auto kept = store.transcript({"n1", number(maria)});
  REQUIRE(kept.size() == 3);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    REQUIRE(kept[i].message);
    CHECK(kept[i].message->at == kept[i].record.at);
  }
  CHECK(kept[0].record.at == now);
}

TEST_CASE("the journal replays what observers were told, and reads the entries of earlier versions",
          "[engine][journal]") {
  const auto now = at("2026-03-02T09:00:00Z");
  manual_clock clock{now};
  memory_store_options keep;
  keep.keep_journal = true;
  memory_store store{keep};
  function_transport wire([](const outbound_message& m) {
    if (m.message.correlation_id.ends_with("2"))
      return transport_answer::failed({131'047, "Re-engagement", "", ""});
    return transport_answer::accepted("wamid.out." + m.message.correlation_id);
  });
  desk_options o;
  o.correlation_prefix = "c";
  chatdesk::desk d{clock, store, &wire, o};
  d.add_business(test::shop()).value();

  SECTION("entries written now: every field as observers saw it") {
    full_observer live;
    d.subscribe(&live);
    message in;
    in.direction = direction::inbound;
    in.id = "wamid.in.1";
    in.business_number_id = "n1";
    in.customer = number(maria);
    in.at = now - std::chrono::seconds(3);
    in.content = text_content{"hello"};
    in.referral = referral{};
    REQUIRE(d.receive(in));
    clock.advance(std::chrono::seconds(5));
    const auto sent = d.send({"shop", "n1", number(maria), text_content{"hi"}, ""}).value();
    REQUIRE(sent.decision.allowed);
    clock.advance(std::chrono::seconds(7));
    REQUIRE(d.apply_status(test::status(sent.message_id, message_status::delivered, clock.now())));
    const auto refused = d.send({"shop", "n1", number(maria), text_content{"again"}, ""}).value();
    REQUIRE(refused.transport_error);  // the transport failed it: a failed status with its code
    d.unsubscribe(&live);
    full_observer replayed;
    REQUIRE(d.replay_journal(replayed).value() == live.lines.size());
    CHECK(replayed.lines == live.lines);
    INFO(fmt::format("{}", fmt::join(live.lines, "\n")));
    REQUIRE(live.lines.size() == 3);
    CHECK(live.lines[2].ends_with(" 131047"));
  }
  SECTION("entries an earlier version wrote, every time inside the line") {
    const char sep = '\x1f';
    store.append_journal(now, fmt::format("r{0}{1}{0}wamid.in.1{0}n1{0}393331234567{0}text{0}1", sep,
                                          now.time_since_epoch().count()));
    store.append_journal(
        now + std::chrono::seconds(9),
        fmt::format("s{0}0{0}2{0}{1}{0}wamid.out.c1{0}c1{0}n1{0}393331234567{0}1{0}template{0}"
                    "0{0}3{0}{2}{0}-",
                    sep, (now + std::chrono::seconds(9)).time_since_epoch().count(),
                    (now + std::chrono::seconds(2)).time_since_epoch().count()));
    full_observer replayed;
    REQUIRE(d.replay_journal(replayed).value() == 2);
    REQUIRE(replayed.lines.size() == 2);
    CHECK(replayed.lines[0] == "received wamid.in.1 n1 +393331234567 2026-03-02T09:00:00Z text true");
    CHECK(replayed.lines[1] ==
          "status wamid.out.c1 c1 n1 +393331234567 1 template 0 3 accepted->delivered "
          "2026-03-02T09:00:02Z 2026-03-02T09:00:09Z 0");
  }
  SECTION("a damaged entry is refused by its number") {
    store.append_journal(now, fmt::format("S{0}1{0}2{0}wamid.x", '\x1f'));
    full_observer replayed;
    const auto r = d.replay_journal(replayed);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "store.corrupt");
    CHECK(r.error().message == "journal entry 1 cannot be read");
  }
}

TEST_CASE("a status under another business number is refused", "[engine][status]") {
  desk_fixture f;
  auto other = test::shop();
  other.id = "other";
  other.numbers = {{"n2", number("+39 055 765 4321"), 80}};
  f.desk.add_business(other).value();
  f.customer_writes(maria, "in1");
  const auto sent = f.reply(maria);
  auto u = test::status(sent.message_id, message_status::delivered, f.clock.now());
  u.customer = number(maria);
  u.business_number_id = "n2";
  auto r = f.desk.apply_status(u);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "desk.invalid_status");
  CHECK(r.error().where == "business_number_id");
  CHECK(f.store.find_message(sent.message_id)->status == message_status::accepted);
  u.business_number_id = "n1";
  CHECK(f.desk.apply_status(u).value().change == status_change::advanced);
}

TEST_CASE("correlation ids made by desks sharing a store never collide", "[engine][ids]") {
  manual_clock clock{at("2026-03-02T09:00:00Z")};
  memory_store store;
  chatdesk::desk first{clock, store};
  chatdesk::desk second{clock, store};  // another instance, or the same one after a restart
  first.add_business(test::shop()).value();
  second.add_business(test::shop()).value();
  std::set<std::string> ids;
  for (auto* d : {&first, &second, &first, &second}) {
    auto r = d->send({"shop", "", number(maria),
                      template_content{"order_update", "it", template_category::utility, {{"1", "A"}}}, ""});
    REQUIRE(r);
    REQUIRE(r->decision.allowed);
    CHECK(r->correlation_id.rfind("cd-", 0) == 0);
    CHECK(ids.insert(r->correlation_id).second);
  }
  desk_options o;
  o.correlation_prefix = "replay-";
  chatdesk::desk replay{clock, store, nullptr, o};
  replay.add_business(test::shop()).value();
  auto r =
      replay.send({"shop", "", number(maria),
                   template_content{"order_update", "it", template_category::utility, {{"1", "A"}}}, ""});
  REQUIRE(r);
  CHECK(r->correlation_id == "replay-1");
}

TEST_CASE("the desk's charge estimate follows the model in force on the business's date", "[desk][pricing]") {
  SECTION("legacy_2018: a template inside the window is free") {
    desk_fixture f;
    f.clock.set(at("2021-06-01T09:00:00Z"));
    f.customer_writes(maria, "wamid.in1");
    CHECK(f.reply(maria).decision.charge == charge_reason::inside_service_window);
    CHECK(f.send_template(maria, template_category::marketing).decision.charge ==
          charge_reason::inside_service_window);
    // A referral opens no entry point under this model.
    f.customer_writes("+393339999999", "wamid.ad", "hi", true);
    CHECK(f.reply("+393339999999").decision.charge == charge_reason::inside_service_window);
  }
  SECTION(
      "cbp_2023: the desk cannot see open conversations, so it never calls a send free that may be charged") {
    desk_fixture f;
    f.clock.set(at("2024-03-01T09:00:00Z"));
    f.customer_writes(maria, "wamid.in1");
    CHECK(f.reply(maria).decision.charge == charge_reason::opened_category_conversation);
    f.clock.set(at("2024-11-01T09:00:00Z"));
    f.customer_writes(maria, "wamid.in2");
    CHECK(f.reply(maria).decision.charge == charge_reason::service_conversation_free);
  }
  SECTION("pmp_2025: free-form and utility in the window are free, marketing is not") {
    desk_fixture f;
    f.customer_writes(maria, "wamid.in1");
    CHECK(f.reply(maria).decision.charge == charge_reason::free_form);
    CHECK(f.send_template(maria).decision.charge == charge_reason::utility_in_window);
    CHECK(f.send_template(maria, template_category::marketing).decision.charge == charge_reason::volume_tier);
  }
}

TEST_CASE("from 2026-10-01 a number's replies are free while its monthly free tier lasts",
          "[engine][charge][pmp2026]") {
  auto b = shop(messaging_tier::unlimited);
  b.zone = time_zone::locate("America/Los_Angeles").value();
  desk_fixture f(b);
  // 2026-09-30 23:00 in Los Angeles: still pmp_2025, replies free and not counted.
  f.clock.set(at("2026-10-01T06:00:00Z"));
  f.customer_writes(maria, "in0");
  CHECK(f.reply(maria).decision.charge == charge_reason::free_form);
  CHECK(f.desk.service_messages("n1")->month == "2026-09");
  CHECK(f.desk.service_messages("n1")->used == 0);
  // Midnight in Los Angeles: pmp_2026_10.
  f.clock.set(at("2026-10-01T07:00:00Z"));
  f.customer_writes(maria, "in1");
  f.events.take();
  std::vector<charge_reason> charges;
  for (int i = 0; i < 1001; ++i) {
    f.clock.advance(std::chrono::seconds(7));  // within the pair rate
    const auto r = f.reply(maria);
    REQUIRE(r.decision.allowed);
    charges.push_back(r.decision.charge);
  }
  CHECK(charges[0] == charge_reason::free_tier_service_message);
  CHECK(charges[999] == charge_reason::free_tier_service_message);
  CHECK(charges[1000] == charge_reason::service_message);
  std::vector<std::string> tier_events;
  for (auto& e : f.events.take())
    if (e.rfind("free_tier_near", 0) == 0) tier_events.push_back(e);
  CHECK(tier_events == std::vector<std::string>{"free_tier_near n1 900/1000", "free_tier_near n1 1000/1000"});
  auto usage = f.desk.service_messages("n1").value();
  CHECK(usage.month == "2026-10");
  CHECK(usage.used == 1001);
  CHECK(usage.left == 0);
  CHECK(f.desk.service_messages("nope").error().code == "desk.unknown_number");

  // Reactions are free and do not count; a utility template in the window is charged.
  send_intent like;
  like.business_id = "shop";
  like.customer = number(maria);
  like.content = reaction_content{"wamid.1", "👍"};
  f.clock.advance(std::chrono::seconds(7));
  CHECK(f.desk.send(like)->decision.charge == charge_reason::reaction);
  CHECK(f.desk.service_messages("n1")->used == 1001);
  f.clock.advance(std::chrono::seconds(7));
  CHECK(f.send_template(maria).decision.charge == charge_reason::volume_tier);

  // The policy for businesses without a payment method refuses what the tier does not cover.
  f.desk.add_policy(policies::service_free_tier());
  f.clock.advance(std::chrono::seconds(7));
  const auto refused = f.reply(maria);
  CHECK_FALSE(refused.decision.allowed);
  CHECK(refused.decision.policy == "service_free_tier");
  CHECK(refused.decision.refusal->code == "policy.service_free_tier");
  CHECK(refused.decision.refusal->message.find("has sent its 1000 free service messages this month") !=
        std::string::npos);

  // A new month in the business's zone starts again.
  f.clock.set(at("2026-11-01T07:00:00Z"));  // midnight in Los Angeles (PDT until 2026-11-01 09:00 UTC)
  f.customer_writes(maria, "in2");
  f.clock.advance(std::chrono::seconds(7));
  CHECK(f.reply(maria).decision.charge == charge_reason::free_tier_service_message);
  CHECK(f.desk.service_messages("n1")->used == 1);
}

TEST_CASE("an exempt business's replies beyond the free tier stay free", "[engine][charge][pmp2026]") {
  auto b = shop(messaging_tier::unlimited);
  b.paid_exempt = true;
  desk_fixture f(b);
  f.desk.add_policy(policies::service_free_tier());
  f.clock.set(at("2026-10-05T08:00:00Z"));
  f.customer_writes("+393331234567", "in1");
  charge_reason last{};
  for (int i = 0; i < 1001; ++i) {
    f.clock.advance(std::chrono::seconds(7));
    const auto r = f.reply("+393331234567");
    REQUIRE(r.decision.allowed);
    last = r.decision.charge;
  }
  CHECK(last == charge_reason::paid_exempt);
}
