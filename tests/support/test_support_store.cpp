// Live support over durable stores: a restart keeps who holds what, and
// several instances over one store agree on it.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "helpers/catch.hpp"
#include "store/store_fixture.hpp"
#include "support/support_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

TEST_CASE("live support carries on after a restart, and tells what came due while it was away",
          "[store][support]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  const auto start = at("2026-03-02T09:00:00Z");
  {
    support_fixture f(start, u.get());
    support_settings s;
    s.sla.first_response = 30min;
    s.bot_first = false;
    f.staff({person("ana", 2, {"it"}), person("bea", 1)},
            crew("care", {"ana", "bea"}, routing_policy::balanced), s);
    f.online("ana");
    f.writes(1);
    f.clock.advance(1s);
    f.writes(2);
    f.clock.advance(1s);
    f.writes(3);
    f.clock.advance(1s);
    f.writes(4);  // ana 2, nobody else online: 4 waits
    REQUIRE(f.support->reply(key_of(1), "ana", text_content{"Ciao"}));
    REQUIRE(f.support->set_pending(key_of(1), "agent:ana"));
    CHECK(f.holder(4).empty());
  }
  u.reopen();
  support_fixture f(start + 1h, u.get());  // back an hour later
  CHECK(f.holder(1) == "ana");
  CHECK(f.holder(2) == "ana");
  CHECK(f.holder(4).empty());
  CHECK(f.support->conversation(key_of(1))->status == support_status::pending);
  CHECK(f.support->conversation(key_of(1))->first_response == start + 3s);
  const auto waiting = f.support->queue("shop", "care");
  REQUIRE(waiting.size() == 2);  // 3 and 4, in the order they came
  CHECK(waiting[0].key == key_of(3));
  CHECK(waiting[1].key == key_of(4));
  const auto agents = f.support->agents("shop");
  REQUIRE(agents.size() == 2);
  CHECK(agents[0].presence == presence::online);
  CHECK(agents[0].holding == 2);
  CHECK(agents[0].agent.languages == std::vector<std::string>{"it"});
  // First responses that came due while no one was ticking are told now, once.
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_breached) == 3);  // 2, 3 and 4 (1 was answered)
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_breached) == 3);
  // Told once, also across another restart.
  f.support.reset();
  f.desk.reset();
  u.reopen();
  support_fixture h(start + 1h, u.get());
  h.support->tick();
  CHECK(h.log.count(support_event_kind::sla_breached) == 0);
  // The queue moves as before: bea comes online and takes the longest waiting.
  h.online("bea");
  CHECK(h.holder(3) == "bea");
  // A resolved conversation reopens from its record after another restart.
  REQUIRE(h.support->resolve(key_of(2), "agent:ana"));
  CHECK(h.holder(4) == "ana");
  h.support.reset();
  h.desk.reset();
  u.reopen();
  support_fixture g(start + 2h, u.get());
  CHECK(g.support->conversation(key_of(2))->status == support_status::resolved);
  g.writes(2, "one more thing");
  const auto c = g.support->conversation(key_of(2));
  CHECK(c->status == support_status::open);
  CHECK(c->reopened == 1);
}

TEST_CASE("two instances over one durable store agree on who holds what", "[store][support][threads]") {
  store_under_test u(GENERATE(from_range(durable_store_kinds())));
  INFO(u.kind());
  const auto start = at("2026-03-02T09:00:00Z");
  auto other = u.open_another();
  support_fixture a(start, u.get());
  a.staff({person("ana", 3), person("bea", 3)}, crew("care", {"ana", "bea"}));
  a.online("ana");
  support_fixture b(start, *other);
  a.writes(1);
  CHECK(b.holder(1) == "ana");  // B sees A's assignment
  b.online("bea");              // B's change...
  a.writes(2);
  CHECK(a.holder(2) == "bea");  // ...routes A's next conversation
  REQUIRE(b.support->resolve(key_of(1), "agent:ana"));
  CHECK(a.support->conversation(key_of(1))->status == support_status::resolved);
  CHECK(a.holding("ana") == 0);
  // Both take messages from 4 threads each: nobody ever holds more than 3.
  std::atomic<int> next{100};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      auto& f = t % 2 == 0 ? a : b;
      for (int i = 0; i < 10; ++i) {
        const int n = ++next;
        (void)f.desk->receive(f.from_customer(n, fmt::format("wamid.x.{}", n)));
      }
    });
  for (auto& t : threads) t.join();
  std::uint32_t held = 0;
  for (const auto& view : b.support->agents("shop")) {
    CHECK(view.holding <= 3);
    held += view.holding;
  }
  CHECK(held == 6);
  CHECK(a.support->queue("shop", "care").size() == 80 + 1 - 6);  // 2 is held by bea
}

TEST_CASE("a support step waiting for another instance's lock holds up no other business's steps",
          "[store][support][threads]") {
  if (!postgres_conninfo()) {
    WARN("no PostgreSQL server (scripts/pg-cluster.sh): skipped");
    return;
  }
  // PostgreSQL takes a step's lock with its first statement: that is where a
  // step waits for another instance, and it must not wait holding the
  // process's own lock on support's state.
  store_under_test u("postgres");
  support_fixture a(at("2026-03-02T09:00:00Z"), u.get());
  a.staff({person("ana", 3)}, crew("care", {"ana"}));
  auto other = u.open_another();
  auto held = other->lock("shop", phone_number{}, true);  // another instance's step on the shop
  (void)other->load_mark("taken");                        // its lock goes with its first statement
  std::atomic<bool> shop_done{false};
  std::thread waiting([&] {
    CHECK(a.support->set_presence("shop", "ana", presence::online));
    shop_done = true;
  });
  std::this_thread::sleep_for(300ms);  // the shop's step reaches the server's lock and waits there
  // Meanwhile a step of another business runs to its end (refused: no support there).
  CHECK(a.support->set_presence("cafe", "ana", presence::online).error().code == "support.not_configured");
  CHECK_FALSE(shop_done);
  held->commit();  // the other instance's step ends: the shop's goes on
  waiting.join();
  CHECK(shop_done);
  CHECK(a.support->agents("shop")[0].presence == presence::online);
}
