// Benchmarks of the pricing engine:
// - events priced per second on pre-parsed events (target: 20 million a second);
// - lines parsed per second by the JSON Lines reader;
// - end to end over a generated file of `range(0)` lines through
//   price_events, as `chatdesk price` does (target: 1 million lines a second,
//   with memory independent of the file's length): prints lines per second and
//   the peak resident memory.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/pricing/events.hpp"
#include "chatdesk/pricing/ledger.hpp"

namespace {

using namespace chatdesk;

/// The benchmark's card of `model`, in force from `from` (the events start on
/// 2025-07-01, or 2026-10-01 for pmp_2026_10).
rate_cards make_cards(const std::string& from, const std::string& model = "pmp_2025") {
  rate_cards out;
  std::string json = R"({"model":"MODEL","effective_from":"FROM","currency":"USD",
      "markets":[{"name":"North America","calling_codes":["1"]},{"name":"Italy","calling_codes":["39"]},
                 {"name":"India","calling_codes":["91"]}],
      "default_market":"Other",
      "rates":{"North America":{"marketing":"0.0250","utility":"0.0034","authentication":"0.0034"},
               "Italy":{"marketing":"0.0691","utility":"0.0300","authentication":"0.0300"},
               "India":{"marketing":"0.0118"},
               "Other":{"marketing":"0.0604","utility":"0.0077","authentication":"0.0077"}},
      "tiers":{"India":{"utility":[{"up_to":25000000,"rate":"0.0014"},{"up_to":null,"rate":"0.0012"}],
                        "authentication":[{"up_to":null,"rate":"0.0014"}]}}})";
  json.replace(json.find("FROM"), 4, from);
  json.replace(json.find("MODEL"), 5, model);
  (void)out.add(parse_rate_card(json).value());
  return out;
}
const rate_cards& cards() {
  static const rate_cards c = make_cards("2025-07-01");
  return c;
}
/// A card that comes into force after the events: every status is refused.
/// The October 2026 model's card: service messages beyond the free tier cost the utility rate.
const rate_cards& cards_2026() {
  static const rate_cards c = make_cards("2026-10-01", "pmp_2026_10");
  return c;
}
const rate_cards& late_cards() {
  static const rate_cards c = make_cards("2026-01-01");
  return c;
}

struct number_plan {
  const char* prefix;
  int width;
};
constexpr number_plan plans[] = {{"+39333", 7}, {"+91987", 7}, {"+14155", 6}, {"+447700", 6}};

/// The i-th line of a generated conversation stream, in time order: per
/// customer an inbound message, a free-form reply, a template and statuses,
/// over `customers` customers in turn. With `numbers`, the business replies
/// from two phone numbers (each with its free tier of service messages under
/// pmp_2026_10) and every fifth reply is a reaction.
std::string line(std::size_t i, timestamp start, std::size_t customers = 100'000, bool numbers = false) {
  const std::size_t customer = (i / 6) % customers;
  const auto at = format_timestamp(start + std::chrono::milliseconds{static_cast<std::int64_t>(i) * 10});
  const auto& plan = plans[customer % 4];
  const auto number = fmt::format("{}{:0{}}", plan.prefix, customer, plan.width);
  const std::size_t msg = i / 6;
  switch (i % 6) {
    case 0:
      return fmt::format(R"({{"at":"{}","type":"inbound","business":"b1","customer":"{}","id":"in{}"}})", at,
                         number, msg);
    case 1:
      if (numbers)
        return fmt::format(
            R"({{"at":"{}","type":"outbound","business":"b1","number":"n{}","customer":"{}","id":"r{}","kind":"{}"}})",
            at, customer % 2, number, msg, msg % 5 == 0 ? "reaction" : "free_form");
      return fmt::format(
          R"({{"at":"{}","type":"outbound","business":"b1","customer":"{}","id":"r{}","kind":"free_form"}})",
          at, number, msg);
    case 2:
      return fmt::format(R"({{"at":"{}","type":"status","id":"r{}","status":"delivered"}})", at, msg);
    case 3:
      return fmt::format(
          R"({{"at":"{}","type":"outbound","business":"b1","customer":"{}","id":"t{}","kind":"template","category":"{}"}})",
          at, number, msg, msg % 3 == 0 ? "marketing" : "utility");
    case 4:
      return fmt::format(R"({{"at":"{}","type":"status","id":"t{}","status":"delivered"}})", at, msg);
    default:
      return fmt::format(R"({{"at":"{}","type":"status","id":"t{}","status":"read"}})", at, msg);
  }
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

/// Minor page faults so far: on some virtual machines each costs microseconds,
/// so the memory a pass touches anew shows in its time.
long page_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

/// How the pre-parsed benchmark hands events to the ledger.
enum class feed : std::uint8_t {
  record_status,  ///< one call per event, statuses through `record_status` (the invoice only)
  status,         ///< one call per event, statuses through `status` (a `charge` with strings each)
  apply,          ///< all events in one `ledger::apply` (looks ahead and fetches)
};

/// Which ledger each pass prices with.
enum class book_kind : std::uint8_t {
  fresh,     ///< a new ledger, its tables growing from empty
  reset,     ///< one ledger `reset` between passes (the same work, on memory already touched)
  reserved,  ///< a new ledger told the volume ahead (`reserve`): no table grows during the pass
};

/// range(1): a `feed`. range(2): how many customers the events go to.
/// range(3): a `book_kind`. range(4): 1 for the October 2026 model (a month
/// from 2026-10-01, replies from two numbers past their free tiers, reactions).
void bm_price_preparsed(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto how = static_cast<feed>(state.range(1));
  const auto customers = static_cast<std::size_t>(state.range(2));
  const auto kind = static_cast<book_kind>(state.range(3));
  const bool reuse = kind == book_kind::reset;
  const bool model_2026 = state.range(4) == 1;
  const auto& card = model_2026 ? cards_2026() : cards();
  const auto start = parse_timestamp(model_2026 ? "2026-10-01T00:00:00Z" : "2025-07-01T00:00:00Z").value();
  const std::string numbers[] = {"n0", "n1"};
  pricing_event_reader reader;
  // Pre-parse: the events in one array, their strings kept beside them.
  const std::string business = "b1";
  std::vector<std::string> ids;
  std::vector<pricing_event> events;
  ids.reserve(n);  // no reallocation: the views below stay valid
  events.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto e = reader.parse(line(i, start, customers, model_2026)).value();
    e.business = business;
    if (!e.number.empty()) e.number = numbers[e.number.back() - '0'];  // views that outlive the reader
    e.id = ids.emplace_back(e.id);
    events.push_back(e);
  }
  ledger reused(card);
  const long faults_before = page_faults();
  std::size_t refused = 0;
  for (auto _ : state) {
    std::optional<ledger> fresh;
    if (reuse) {
      reused.reset();
    } else {
      fresh.emplace(card);
      // Each customer gets two messages (a reply and a template) in six events.
      if (kind == book_kind::reserved) fresh->reserve(customers, n / 3);
    }
    ledger& book = reuse ? reused : *fresh;
    if (how == feed::apply) {
      refused += book.apply(events).size();
    } else {
      for (const auto& e : events) {
        switch (e.type) {
          case pricing_event::kind::inbound:
            benchmark::DoNotOptimize(book.inbound(e.at, e.business, e.customer, e.id, e.referral));
            break;
          case pricing_event::kind::outbound:
            benchmark::DoNotOptimize(book.outbound(e.at, e.business, e.customer, e.id, e.is_template,
                                                   e.category, e.number, e.reaction));
            break;
          case pricing_event::kind::status:
            if (how == feed::status) {
              benchmark::DoNotOptimize(book.status(e.at, e.id, e.status));
            } else {
              benchmark::DoNotOptimize(book.record_status(e.at, e.id, e.status));
            }
            break;
        }
      }
    }
    benchmark::DoNotOptimize(book.invoice());
  }
  if (refused != 0) state.SkipWithError("events were refused");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["faults/pass"] =
      static_cast<double>(page_faults() - faults_before) / static_cast<double>(state.iterations());
}
BENCHMARK(bm_price_preparsed)
    ->ArgNames({"events", "feed", "customers", "ledger", "model2026"})
    ->Args({600'000, 0, 100'000, 0, 0})
    ->Args({600'000, 1, 100'000, 0, 0})
    ->Args({600'000, 2, 100'000, 0, 0})
    ->Args({600'000, 0, 100'000, 1, 0})
    ->Args({600'000, 2, 100'000, 1, 0})
    ->Args({600'000, 0, 100'000, 2, 0})
    ->Args({600'000, 2, 100'000, 2, 0})
    ->Args({600'000, 2, 1'000, 1, 0})
    ->Args({600'000, 2, 100'000, 1, 1})
    ->Args({600'000, 0, 100'000, 1, 1})
    ->Args({600'000, 2, 1'000, 1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void bm_parse_lines(benchmark::State& state) {
  const auto start = parse_timestamp("2025-07-01T00:00:00Z").value();
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < 6000; ++i) lines.push_back(line(i, start));
  pricing_event_reader reader;
  std::size_t i = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto& l = lines[i++ % lines.size()];
    bytes += l.size();
    benchmark::DoNotOptimize(reader.parse(l));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(bm_parse_lines);

/// End to end over a file of `range(0)` lines (written once to /tmp).
/// range(1): 1 prices with a card not yet in force, so that every status is
/// refused and reported (memory must not grow with the problems).
void bm_price_file(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const bool refused = state.range(1) != 0;
  const auto path = fmt::format("/tmp/chatdesk-bench-events-{}.jsonl", n);
  if (std::ifstream probe(path); !probe) {
    std::ofstream out(path, std::ios::binary);
    const auto start = parse_timestamp("2025-07-01T00:00:00Z").value();
    for (std::size_t i = 0; i < n; ++i) out << line(i, start) << '\n';
  }
  for (auto _ : state) {
    std::ifstream in(path, std::ios::binary);
    ledger book(refused ? late_cards() : cards());
    auto run = price_events(in, {&book});
    benchmark::DoNotOptimize(book.invoice());
    state.counters["problems"] = static_cast<double>(run.problems);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["peak_rss_MiB"] = static_cast<double>(peak_rss_kib()) / 1024.0;
}
BENCHMARK(bm_price_file)
    ->ArgNames({"lines", "refused"})
    ->Args({1'000'000, 0})
    ->Args({4'000'000, 0})
    ->Args({10'000'000, 0})
    ->Args({10'000'000, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
