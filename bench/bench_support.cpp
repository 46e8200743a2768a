// Live support: routing decisions with 10,000 agents and 1,000,000 open
// conversations, one tick() over 1,000,000 open conversations with SLA
// clocks, and the memory an open support conversation takes.
//
//   chatdesk_bench_support [--conversations=N] [--agents=N]
//
// bm_route_core: the routing index alone (src/support/routing.*): choose the
//   agent for a conversation, give it to them, and free a place elsewhere
//   so the load stays steady. One decision an iteration.
// bm_route_reasons: the same, with the sentence each decision carries.
// bm_support_desk: conversations routed end to end (desk::receive, the
//   support step, its records in the memory store); then one tick() with
//   nothing due, one with 1% of first responses breaching, and the heap bytes
//   an open conversation takes (support's state and the store's records).
#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/support/support_desk.hpp"
#include "support/routing.hpp"

namespace {

using namespace chatdesk;
using namespace std::chrono_literals;
namespace rs = chatdesk::detail::support;

std::int64_t g_conversations = 1'000'000;
std::int64_t g_agents = 10'000;

phone_number customer(std::int64_t i) {
  return phone_number::parse(fmt::format("+3934{:08}", i)).value();
}

std::size_t heap_bytes() {
  const auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

/// A team of `agents` agents holding `conversations` conversations between them.
struct routing_setup {
  rs::roster roster;
  rs::team_state* crew = nullptr;
  std::vector<conversation_key> keys;
  std::vector<rs::agent_state*> list;

  routing_setup(routing_policy policy, std::int64_t agents, std::int64_t conversations) {
    team t;
    t.id = "care";
    t.policy = policy;
    const auto per_agent = static_cast<std::uint32_t>(conversations / agents + 4);
    for (std::int64_t i = 0; i < agents; ++i) {
      auto a = std::make_unique<rs::agent_state>();
      a->rec.agent.id = fmt::format("agent{:05}", i);
      a->rec.agent.capacity = per_agent;
      a->rec.agent.languages = {i % 3 == 0 ? "it" : "en"};  // every pair of language and skill
      a->rec.agent.skills = {i % 2 == 0 ? "billing" : "returns"};
      a->rec.presence = presence::online;
      t.members.push_back(a->rec.agent.id);
      roster.agents.emplace(a->rec.agent.id, std::move(a));
    }
    roster.teams["care"].def = t;
    roster.reindex_all();
    crew = &roster.teams["care"];
    keys.reserve(static_cast<std::size_t>(conversations));
    for (std::int64_t i = 0; i < conversations; ++i) keys.push_back({"n1", customer(i)});
    // Spread the open conversations over the agents, as routing would have.
    std::size_t next = 0;
    for (auto& [id, a] : roster.agents) {
      list.push_back(a.get());
      for (std::int64_t k = 0; k < conversations / agents && next < keys.size(); ++k) ++a->held, ++next;
      roster.reindex(*a);
    }
  }
};

void route(benchmark::State& state, bool reasons) {
  const auto policy = static_cast<routing_policy>(state.range(0));
  routing_setup s(policy, g_agents, g_conversations);
  // Conversations in 6 kinds (2 languages x 2 skills... of each agent kind).
  std::vector<support_conversation> kinds(6);
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    kinds[k].language = k % 3 == 0 ? "it" : "en";
    kinds[k].skills = {k % 2 == 0 ? "billing" : "returns"};
  }
  auto now = timestamp{} + std::chrono::hours(24 * 365 * 56);
  std::deque<rs::agent_state*> recent;  // assignments not yet resolved, oldest first
  std::size_t next = 0;
  std::size_t decisions = 0;
  std::size_t length = 0;
  for (auto _ : state) {
    now += 1ms;
    // The oldest of the last 1,000 assignments is resolved: its agent has room again.
    if (recent.size() >= 1000) {
      auto* freed = recent.front();
      recent.pop_front();
      --freed->held;
      s.roster.reindex(*freed);
    }
    // The decision: who takes the next conversation.
    auto& c = kinds[next++ % kinds.size()];
    const auto found = s.roster.choose(*s.crew, c, now);
    if (reasons) length += s.roster.explain(*s.crew, c, found).size();
    if (found.agent != nullptr) {
      ++found.agent->held;
      found.agent->rec.last_assigned = now;
      s.roster.reindex(*found.agent);
      recent.push_back(found.agent);
      ++decisions;
    }
  }
  benchmark::DoNotOptimize(length);
  state.counters["decisions/s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
  state.counters["assigned_share"] =
      static_cast<double>(decisions) / static_cast<double>(std::max<std::int64_t>(state.iterations(), 1));
  state.counters["agents"] = static_cast<double>(g_agents);
  state.counters["open_conversations"] = static_cast<double>(g_conversations);
}

void bm_route_core(benchmark::State& state) {
  route(state, false);
}
void bm_route_reasons(benchmark::State& state) {
  route(state, true);
}

class quiet_transport final : public transport {
 public:
  transport_answer deliver(const outbound_message& m) override {
    return transport_answer::accepted("wamid." + m.message.correlation_id);
  }
};

void bm_support_desk(benchmark::State& state) {
  const auto n = g_conversations;
  const auto agents = std::min<std::int64_t>(g_agents, 10'000);
  for (auto _ : state) {
    manual_clock clock{timestamp{} + std::chrono::hours(24 * 365 * 56)};
    memory_store st(memory_store_options{false, false});
    quiet_transport wire;
    desk d(clock, st, &wire);
    business b;
    b.id = "shop";
    b.display_name = "Shop";
    b.home_country = country::unchecked("IT");
    b.numbers.push_back({"n1", phone_number::parse("+390551234567").value(), 80});
    b.tier = messaging_tier::unlimited;
    d.add_business(b).value();
    support_desk support(d, st, clock);
    team t;
    t.id = "care";
    t.policy = routing_policy::balanced;
    const auto per_agent = static_cast<std::uint32_t>(n / agents + 1);
    for (std::int64_t i = 0; i < agents; ++i) {
      agent a;
      a.id = fmt::format("agent{:05}", i);
      a.capacity = per_agent;
      support.put_agent("shop", a).value();
      t.members.push_back(a.id);
    }
    support.put_team("shop", t).value();
    support_settings settings;
    settings.default_team = "care";
    settings.sla.first_response = 1h;
    settings.sla.resolution = 8h;
    support.configure("shop", settings).value();
    for (std::int64_t i = 0; i < agents; ++i)
      support.set_presence("shop", fmt::format("agent{:05}", i), presence::online).value();

    const auto before = heap_bytes();
    const auto start = std::chrono::steady_clock::now();
    message m;
    m.direction = direction::inbound;
    m.business_number_id = "n1";
    m.content = text_content{"hello"};
    for (std::int64_t i = 0; i < n; ++i) {
      // 1% of conversations come half an hour before the rest.
      if (i == n / 100) clock.advance(30min);
      m.id = fmt::format("wamid.{}", i);
      m.customer = customer(i);
      m.at = clock.now();
      if (!d.receive(m)) state.SkipWithError("receive failed");
    }
    const std::chrono::duration<double> routed = std::chrono::steady_clock::now() - start;
    const auto after = heap_bytes();

    // Three ticks: nothing due (now: 30 minutes after the first), 1% warnings
    // (48 minutes: 80% of the hour), 1% breaches (the hour).
    std::size_t warnings = 0;
    std::size_t breaches = 0;
    class counter final : public support_observer {
     public:
      counter(std::size_t& w, std::size_t& b) : w_(w), b_(b) {}
      void support_event(const chatdesk::support_event& e) override {
        if (e.kind == support_event_kind::sla_warning) ++w_;
        if (e.kind == support_event_kind::sla_breached) ++b_;
      }

     private:
      std::size_t& w_;
      std::size_t& b_;
    } count(warnings, breaches);
    support.subscribe(&count);
    const auto timed_tick = [&] {
      const auto t0 = std::chrono::steady_clock::now();
      support.tick();
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    };
    const auto idle = timed_tick();
    clock.advance(18min);
    const auto warned = timed_tick();
    clock.advance(12min);
    const auto breached = timed_tick();
    support.unsubscribe(&count);

    state.SetIterationTime(routed.count());
    state.counters["routed/s"] = static_cast<double>(n) / routed.count();
    state.counters["tick_idle_ms"] = idle;
    state.counters["tick_1pct_warn_ms"] = warned;
    state.counters["tick_1pct_breach_ms"] = breached;
    state.counters["warnings"] = static_cast<double>(warnings);
    state.counters["breaches"] = static_cast<double>(breaches);
    state.counters["heap_bytes_per_open"] = static_cast<double>(after - before) / static_cast<double>(n);
    state.counters["open_conversations"] = static_cast<double>(n);
    state.counters["agents"] = static_cast<double>(agents);
  }
}

}  // namespace

BENCHMARK(bm_route_core)
    ->Arg(static_cast<int>(routing_policy::round_robin))
    ->Arg(static_cast<int>(routing_policy::balanced))
    ->Arg(static_cast<int>(routing_policy::skills));
BENCHMARK(bm_route_reasons)->Arg(static_cast<int>(routing_policy::balanced));
BENCHMARK(bm_support_desk)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--conversations=", 16) == 0) {
      g_conversations = std::stoll(argv[i] + 16);
    } else if (std::strncmp(argv[i], "--agents=", 9) == 0) {
      g_agents = std::stoll(argv[i] + 9);
    } else {
      rest.push_back(argv[i]);
    }
  }
  int count = static_cast<int>(rest.size());
  benchmark::Initialize(&count, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
