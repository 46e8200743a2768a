#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "helpers/catch.hpp"
#include "support/support_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

TEST_CASE("round robin gives each online agent with room the next conversation in turn",
          "[support][routing]") {
  support_fixture f;
  f.staff({person("ana", 10), person("bea", 10), person("carlo", 10)}, crew("care", {"ana", "bea", "carlo"}));
  for (const auto* a : {"ana", "bea", "carlo"}) f.online(a);
  std::vector<std::string> order;
  for (int n = 1; n <= 6; ++n) {
    f.clock.advance(1s);
    f.writes(n);
    order.push_back(f.holder(n));
  }
  // Never assigned before: by id; then the least recently assigned.
  CHECK(order == std::vector<std::string>{"ana", "bea", "carlo", "ana", "bea", "carlo"});
  const auto assigned = f.log.of(support_event_kind::assigned);
  REQUIRE(assigned.size() == 6);
  CHECK(assigned[0].reason ==
        "assigned to ana: the least recently assigned of the 3 online agents with room in team care");
  CHECK(assigned[0].who == "routing");
}

TEST_CASE("round robin over 10,000 assignments gives equal shares within one", "[support][routing]") {
  support_fixture f;
  std::vector<agent> agents;
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(fmt::format("a{}", i));
    agents.push_back(person(ids.back().c_str(), 2));
  }
  f.staff(agents, crew("care", ids));
  for (const auto& id : ids) f.online(id.c_str());
  std::map<std::string, int> shares;
  for (int n = 1; n <= 10'000; ++n) {
    f.clock.advance(10ms);
    f.writes(n);
    const auto who = f.holder(n);
    ++shares[who];
    REQUIRE(f.support->resolve(key_of(n), "agent:" + who));  // frees the place at once
  }
  REQUIRE(shares.size() == 7);
  int low = 10'000;
  int high = 0;
  for (const auto& [who, n] : shares) {
    low = std::min(low, n);
    high = std::max(high, n);
  }
  CHECK(high - low <= 1);
}

TEST_CASE("balanced routing gives the agent holding fewest, ties to the longest since their last",
          "[support][routing]") {
  support_fixture f;
  f.staff({person("ana", 5), person("bea", 5)}, crew("care", {"ana", "bea"}, routing_policy::balanced));
  f.online("ana");
  f.online("bea");
  f.writes(1);
  CHECK(f.holder(1) == "ana");  // a tie: never assigned, then by id
  f.clock.advance(1s);
  f.writes(2);
  CHECK(f.holder(2) == "bea");
  f.clock.advance(1s);
  f.writes(3);
  CHECK(f.holder(3) == "ana");  // both hold 1: ana waited longer
  REQUIRE(f.support->resolve(key_of(1), "agent:ana"));
  REQUIRE(f.support->resolve(key_of(3), "agent:ana"));
  f.clock.advance(1s);
  f.writes(4);
  CHECK(f.holder(4) == "ana");  // holds 0 against bea's 1
  f.writes(5);
  CHECK(f.holder(5) == "bea");  // 1 each; bea's last assignment is older
  const auto last = f.log.of(support_event_kind::assigned).back();
  CHECK(last.reason ==
        "assigned to bea: holds 1 of 5, the fewest among the 2 online agents with room in team care");
}

TEST_CASE("skills routing matches language and skills, and says who was missing", "[support][routing]") {
  support_fixture f;
  f.staff({person("ana", 5, {"it"}, {"billing"}), person("ben", 5, {"en"}, {"billing", "returns"})},
          crew("care", {"ana", "ben"}, routing_policy::skills));
  f.online("ana");
  f.online("ben");
  f.writes(1, "Buongiorno, vorrei sapere dove è il mio ordine");
  CHECK(f.support->conversation(key_of(1))->language == "it");
  CHECK(f.holder(1) == "ana");
  f.writes(2, "Hello, where is my order please?");
  CHECK(f.holder(2) == "ben");
  // A hint from the caller: German, with returns: nobody matches; it waits and says why.
  f.writes(3, "ok");
  REQUIRE(f.support->unassign(key_of(3), "app"));
  handoff_request req;
  req.language = "de";
  req.skills = {"returns"};
  auto r = f.support->handoff(key_of(3), req);
  REQUIRE(r);
  CHECK_FALSE(r->assigned);
  CHECK(r->reason == "queued: none of the 2 agents of team care with room speaks 'de' with skills returns");
  // English with returns: ben.
  req.language = "en";
  r = f.support->handoff(key_of(3), req);
  REQUIRE(r);
  CHECK(r->agent == "ben");
}

TEST_CASE("skills routing takes the best match across agents of different profiles, past the fair cap",
          "[support][routing]") {
  support_fixture f;
  // Four profiles that can answer Italian billing, one that cannot.
  f.staff(
      {person("ana", 9, {"it"}, {"billing"}), person("ben", 9, {"en", "it"}, {"billing", "returns"}),
       person("cal", 9, {}, {"billing"}), person("dea", 9, {"it"}, {"billing", "vip"}),
       person("eva", 9, {"it"}, {"returns"})},
      [] {
        auto t = crew("care", {"ana", "ben", "cal", "dea", "eva"}, routing_policy::skills);
        t.fair_limit = 2;
        t.fair_window = std::chrono::hours(1);
        return t;
      }(),
      [] {
        support_settings s;
        s.bot_first = true;  // each conversation is routed once, by the hand-off
        return s;
      }());
  for (const char* id : {"ana", "ben", "cal", "dea", "eva"}) f.online(id);
  std::map<std::string, int> got;
  for (int n = 1; n <= 8; ++n) {
    f.clock.advance(1s);
    f.writes(n, "ok");
    handoff_request req;
    req.language = "it";
    req.skills = {"billing"};
    const auto r = f.support->handoff(key_of(n), req);
    REQUIRE(r);
    if (r->assigned) ++got[r->agent];
  }
  // Balanced among the four who match, each up to the fair cap of 2 an hour; eva never.
  CHECK(got == std::map<std::string, int>{{"ana", 2}, {"ben", 2}, {"cal", 2}, {"dea", 2}});
  f.clock.advance(1s);
  f.writes(9, "ok");
  handoff_request req;
  req.language = "it";
  req.skills = {"billing"};
  const auto r = f.support->handoff(key_of(9), req);
  REQUIRE(r);
  CHECK_FALSE(r->assigned);
  CHECK(r->reason ==
        "queued: of the 5 agents of team care with room, 4 reached the fair-distribution cap of 2 per 3600 s "
        "and 1 "
        "does not speak 'it' with skills billing");
}

TEST_CASE("automatic routing never exceeds capacity; the queue moves when room frees up",
          "[support][routing]") {
  support_fixture f;
  f.staff({person("ana", 1), person("bea", 1)}, crew("billing", {"ana", "bea"}));
  f.online("ana");
  f.online("bea");
  f.writes(1);
  f.writes(2);
  f.clock.advance(1s);
  f.writes(3);
  f.clock.advance(1s);
  f.writes(4);
  CHECK(f.holder(3).empty());
  const auto queued = f.log.of(support_event_kind::queued);
  REQUIRE(queued.size() == 2);
  CHECK(queued[0].reason == "queued: all 2 online agents of team billing are at capacity");
  auto waiting = f.support->queue("shop", "billing");
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[0].key == key_of(3));  // longest waiting first
  REQUIRE(f.support->resolve(key_of(1), "agent:ana"));
  CHECK(f.holder(3) == "ana");  // at once
  CHECK(f.support->queue("shop", "billing").size() == 1);
  // Priority goes first: a priority conversation overtakes 4.
  f.writes(5);
  handoff_request urgent;
  urgent.priority = 5;
  (void)f.support->handoff(key_of(5), urgent);
  waiting = f.support->queue("shop", "billing");
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[0].key == key_of(5));
  // A manual assignment may exceed capacity, and says so.
  const auto manual = f.support->assign(key_of(4), "bea", "agent:lead");
  REQUIRE(manual);
  CHECK(manual->over_capacity);
  CHECK(manual->reason == "assigned to bea by agent:lead, beyond their capacity (1 held of 1)");
  CHECK(f.holding("bea") == 2);
}

TEST_CASE("agents coming online take the backlog at once; going offline returns the unanswered",
          "[support][routing]") {
  support_fixture f;
  f.staff({person("ana", 2), person("bea", 2)}, crew("care", {"ana", "bea"}));
  f.writes(1);
  f.clock.advance(1s);
  f.writes(2);
  f.clock.advance(1s);
  f.writes(3);
  CHECK(f.log.of(support_event_kind::queued)[0].reason ==
        "queued: no agent of team care is online (2 offline, 0 away)");
  CHECK(f.support->queue("shop", "care").size() == 3);
  f.online("ana");
  CHECK(f.holder(1) == "ana");
  CHECK(f.holder(2) == "ana");
  CHECK(f.holder(3).empty());  // ana is full
  // ana answers 1; 2 still waits on her. She goes offline: 2 goes back, 1 stays.
  REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Ciao!"}));
  REQUIRE(f.support->set_presence("shop", "ana", presence::offline));
  CHECK(f.holder(1) == "ana");
  CHECK(f.holder(2).empty());
  f.online("bea");
  CHECK(f.holder(2) == "bea");  // 2 has waited longest: served first
  CHECK(f.holder(3) == "bea");
  // The customer of 1 writes again while ana is offline: back to routing, not waiting for her.
  f.writes(1, "are you there?");
  CHECK(f.holder(1).empty());
  const auto un = f.log.of(support_event_kind::unassigned);
  CHECK(un.back().reason == "ana is not online: the conversation goes back to routing");
}

TEST_CASE("a bot first, a keyword or the app hands over to people, and back", "[support][handoff]") {
  support_fixture f;
  support_settings s;
  s.bot_first = true;
  f.staff({person("ana", 2)}, crew("care", {"ana"}), s);
  f.online("ana");
  f.writes(1, "hi");
  auto c = f.support->conversation(key_of(1));
  REQUIRE(c);
  CHECK(c->with == handler::bot);
  CHECK(c->agent.empty());
  f.writes(1, "  Operatore ");
  c = f.support->conversation(key_of(1));
  CHECK(c->with == handler::person);
  CHECK(c->agent == "ana");
  CHECK(f.log.of(support_event_kind::handed_off)[0].reason == "the customer asked for a person");
  REQUIRE(f.support->return_to_bot(key_of(1), "answered by the FAQ"));
  c = f.support->conversation(key_of(1));
  CHECK(c->with == handler::bot);
  CHECK(c->agent.empty());
  CHECK(f.holding("ana") == 0);
  handoff_request req;
  req.reason = "refund over 100 EUR";
  const auto r = f.support->handoff(key_of(1), req);
  REQUIRE(r);
  CHECK(r->agent == "ana");
}

TEST_CASE("bad requests are refused with what and where, and change nothing", "[support][errors]") {
  support_fixture f;
  f.staff({person("ana", 1)}, crew("care", {"ana"}));
  f.online("ana");
  f.writes(1);
  CHECK(f.support->put_team("shop", crew("x", {"ana", "ghost"})).error().where == "members[1]");
  CHECK(f.support->put_team("shop", crew("x", {"ghost"})).error().code == "support.unknown_agent");
  CHECK(f.support->put_agent("shop", person("zero", 0)).error().code == "support.invalid_agent");
  CHECK(f.support->put_agent("nobody", person("x")).error().code == "desk.unknown_business");
  CHECK(f.support->assign(key_of(1), "ghost", "app").error().code == "support.unknown_agent");
  CHECK(f.support->transfer(key_of(1), "nowhere", "app").error().code == "support.unknown_team");
  CHECK(f.support->handoff(key_of(42), {}).error().code == "support.unknown_conversation");
  CHECK(f.support->set_presence("shop", "ghost", presence::online).error().code == "support.unknown_agent");
  support_settings s;
  s.default_team = "nowhere";
  CHECK(f.support->configure("shop", s).error().where == "default_team");
  const auto not_holder = f.support->reply(key_of(1), "bea", text_content{"hi"});
  REQUIRE_FALSE(not_holder);
  CHECK(not_holder.error().code == "support.not_holder");
  CHECK(not_holder.error().message == "bea does not hold this conversation: ana does");
  CHECK(f.wire.delivered.empty());  // nothing sent
  CHECK(f.holder(1) == "ana");
  CHECK(f.support->assign(key_of(1), "ana", "app")->reason == "ana already holds it");
  REQUIRE(f.support->set_presence("shop", "ana", presence::offline));
  CHECK(f.support->assign(key_of(1), "ana", "app").error().code == "support.agent_offline");
}

TEST_CASE("8 threads never push an agent past capacity", "[support][routing][threads]") {
  support_fixture f;
  f.staff({person("ana", 3), person("bea", 3), person("carlo", 3)}, crew("care", {"ana", "bea", "carlo"}));
  for (const auto* a : {"ana", "bea", "carlo"}) f.online(a);
  std::atomic<int> next{0};
  std::atomic<int> over{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const int n = ++next;
        (void)f.desk->receive(f.from_customer(n, fmt::format("wamid.t.{}", n)));
        for (const auto& a : f.support->agents("shop"))
          if (a.holding > a.agent.capacity) ++over;
        if (n % 3 == 0) {
          const auto c = f.support->conversation(key_of(n));
          if (c && !c->agent.empty()) (void)f.support->resolve(key_of(n), "agent:" + c->agent);
        }
      }
    });
  for (auto& t : threads) t.join();
  CHECK(over == 0);
  std::uint32_t held = 0;
  for (const auto& a : f.support->agents("shop")) {
    CHECK(a.holding <= 3);
    held += a.holding;
  }
  CHECK(held == 9);  // 400 conversations, a third resolved: every place is taken
  CHECK(f.support->queue("shop", "care").size() > 0);
}
