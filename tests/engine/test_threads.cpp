// Many threads share one desk, each handling its own customers, while others
// send for the same business: the totals must come out exact. Run under the
// sanitizer presets (and the tsan preset) to catch races.
#include <atomic>
#include <thread>
#include <vector>

#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

TEST_CASE("one desk shared by many threads stays consistent", "[engine][threads]") {
  auto b = test::shop(messaging_tier::unlimited);
  b.numbers[0].throughput_per_second = 1000;
  manual_clock clock(test::at("2026-03-02T09:00:00Z"));
  memory_store store;
  test::test_transport wire;
  chatdesk::desk desk(clock, store, &wire);
  desk.add_business(b).value();
  test::recording_observer events;
  desk.subscribe(&events);

  constexpr int threads = 8;
  constexpr int customers_per_thread = 40;
  std::atomic<int> allowed{0};
  std::atomic<int> refused{0};
  std::atomic<int> advanced{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int c = 0; c < customers_per_thread; ++c) {
        const auto customer = phone_number::parse(fmt::format("+39340{:02}{:05}", t, c)).value();
        message in;
        in.id = fmt::format("in-{}-{}", t, c);
        in.business_number_id = "n1";
        in.customer = customer;
        in.content = text_content{"hi"};
        (void)desk.receive(in).value();
        (void)desk.receive(in).value();  // a redelivery
        for (int k = 0; k < 3; ++k) {
          auto r = desk.send({"shop", "", customer, text_content{"reply"}, ""}).value();
          if (!r.decision.allowed) {
            ++refused;
            continue;
          }
          ++allowed;
          for (auto s : {message_status::sent, message_status::delivered, message_status::read}) {
            if (desk.apply_status(test::status(r.message_id, s, clock.now())).value().change ==
                status_change::advanced)
              ++advanced;
          }
        }
      }
    });
  }
  // Meanwhile the clock moves and timers fire.
  std::thread ticker([&] {
    for (int i = 0; i < 50; ++i) {
      clock.advance(1ms);
      desk.tick();
      std::this_thread::yield();
    }
  });
  for (auto& th : pool) th.join();
  ticker.join();

  constexpr int total_customers = threads * customers_per_thread;
  // The throughput bucket of the one number holds 1,000: all 960 replies fit.
  CHECK(allowed.load() == total_customers * 3);
  CHECK(refused.load() == 0);
  CHECK(advanced.load() == allowed.load() * 3);
  CHECK(store.conversation_count() == static_cast<std::size_t>(total_customers));
  CHECK(wire.delivered.size() == static_cast<std::size_t>(allowed.load()));
  for (int t = 0; t < threads; ++t) {
    const auto customer = phone_number::parse(fmt::format("+39340{:02}{:05}", t, 7)).value();
    const auto st = desk.conversation("n1", customer).value();
    CHECK(st.inbound_count == 1);
    CHECK(st.outbound_count == 3);
  }
  const auto lines = events.take();
  CHECK(std::count_if(lines.begin(), lines.end(),
                      [](const std::string& l) { return l.rfind("received", 0) == 0; }) == total_customers);
}
