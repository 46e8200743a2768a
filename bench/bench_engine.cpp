// Benchmarks of the conversation engine:
// - events ingested per second (inbound messages and status updates, half and
//   half) through one desk on one core; target: 1 million per second;
// - bytes of memory per conversation's state (windows, counters, consent) at
//   1 million conversations in the in-memory store; target: at most 256.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/engine/desk.hpp"

namespace {

using namespace chatdesk;

business bench_business() {
  business b;
  b.id = "shop";
  b.numbers.push_back({"n1", phone_number::parse("+390551234567").value(), 1000});
  b.tier = messaging_tier::unlimited;
  return b;
}

phone_number customer(std::size_t i) {
  return phone_number::parse(fmt::format("+3934{:08}", i)).value();
}

message inbound_message(std::string id, const phone_number& from, timestamp at, std::string text) {
  return message{direction::inbound,
                 std::move(id),
                 {},
                 std::string("n1"),
                 from,
                 at,
                 text_content{std::move(text)},
                 {},
                 {}};
}

std::size_t heap_in_use() {
  const auto info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

/// Ingests inbound messages and statuses for `conversations` customers.
void bm_ingest(benchmark::State& state) {
  const auto conversations = static_cast<std::size_t>(state.range(0));
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  memory_store store(memory_store_options{false});
  std::size_t next_id = 0;
  function_transport wire([&](const outbound_message&) {
    return transport_answer::accepted(fmt::format("wamid.out.{}", next_id++));
  });
  desk d(clock, store, &wire);
  d.add_business(bench_business()).value();

  // Set-up (not timed): each conversation has one inbound message and one reply.
  std::vector<phone_number> customers;
  std::vector<std::string> reply_ids;
  for (std::size_t i = 0; i < conversations; ++i) {
    customers.push_back(customer(i));
    (void)d.receive(inbound_message(fmt::format("wamid.in.{}", i), customers.back(), clock.now(), "hello"))
        .value();
    clock.advance(std::chrono::milliseconds{2});  // within the number's throughput
    reply_ids.push_back(d.send({"shop", "n1", customers.back(), text_content{"hi"}, ""}).value().message_id);
  }

  // The events: for each conversation a new inbound message and three statuses.
  std::vector<message> inbound;
  std::vector<status_update> statuses;
  inbound.reserve(conversations);
  statuses.reserve(conversations * 3);
  for (std::size_t i = 0; i < conversations; ++i) {
    inbound.push_back(inbound_message(fmt::format("wamid.in2.{}", i), customers[i], clock.now(), "thanks"));
    for (auto s : {message_status::sent, message_status::delivered, message_status::read})
      statuses.push_back({reply_ids[i], s, clock.now(), std::nullopt, customers[i], "n1"});
  }

  for (auto _ : state) {
    std::size_t events = 0;
    for (std::size_t i = 0; i < conversations; ++i) {
      benchmark::DoNotOptimize(d.receive(inbound[i]));
      for (std::size_t k = 0; k < 3; ++k) benchmark::DoNotOptimize(d.apply_status(statuses[i * 3 + k]));
      events += 4;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(events));
  }
  state.counters["conversations"] = static_cast<double>(conversations);
}
BENCHMARK(bm_ingest)->Arg(100'000)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Duplicates only: a redelivered webhook changes nothing.
void bm_ingest_duplicates(benchmark::State& state) {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  memory_store store(memory_store_options{false});
  desk d(clock, store);
  d.add_business(bench_business()).value();
  const auto m = inbound_message("wamid.dup", customer(1), clock.now(), "hello");
  (void)d.receive(m).value();
  for (auto _ : state) benchmark::DoNotOptimize(d.receive(m));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_ingest_duplicates);

/// A policy check of a free-form reply (all eight rules).
void bm_check_reply(benchmark::State& state) {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  memory_store store;
  desk d(clock, store);
  d.add_business(bench_business()).value();
  (void)d.receive(inbound_message("wamid.in", customer(1), clock.now(), "hello")).value();
  const send_intent intent{"shop", "n1", customer(1), text_content{"hi"}, ""};
  for (auto _ : state) benchmark::DoNotOptimize(d.check(intent));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_check_reply);

/// Memory of the state the desk keeps per conversation (windows, counters,
/// consent), at `range(0)` conversations, excluding message history.
void bm_memory_per_conversation(benchmark::State& state) {
  const auto conversations = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const auto before = heap_in_use();
    {
      memory_store store(memory_store_options{false});
      const auto t = parse_timestamp("2026-03-02T09:00:00Z").value();
      for (std::size_t i = 0; i < conversations; ++i) {
        const auto c = customer(i);
        conversation_state s;
        s.last_inbound = t;
        s.inbound_count = 1;
        store.save_conversation({"n1", c}, s);
        customer_state cs;
        cs.consent.opted_in_at = t;
        cs.consent.opt_in_source = "web form";
        store.save_customer("shop", c, cs);
      }
      const auto after = heap_in_use();
      state.counters["bytes_per_conversation"] =
          static_cast<double>(after - before) / static_cast<double>(conversations);
      state.counters["conversations"] = static_cast<double>(store.conversation_count());
    }
  }
}
BENCHMARK(bm_memory_per_conversation)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

/// The same through desk::receive, including the message-id index that makes
/// redelivered webhooks no-ops (one inbound message per conversation).
void bm_memory_per_conversation_with_index(benchmark::State& state) {
  const auto conversations = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const auto before = heap_in_use();
    {
      manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
      memory_store store(memory_store_options{false});
      desk d(clock, store);
      d.add_business(bench_business()).value();
      for (std::size_t i = 0; i < conversations; ++i)
        (void)d.receive(inbound_message(fmt::format("wamid.{}", i), customer(i), clock.now(), "hello"))
            .value();
      const auto after = heap_in_use();
      state.counters["bytes_per_conversation"] =
          static_cast<double>(after - before) / static_cast<double>(conversations);
    }
  }
}
BENCHMARK(bm_memory_per_conversation_with_index)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
