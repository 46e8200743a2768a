// Pricing at any volume: a stream priced in N shards (by business), the
// shards' invoices merged, gives exactly the invoice of one run, problems
// included, for N = 1, 2 and 7 and under every model.
#include <deque>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/pricing/events.hpp"
#include "chatdesk/pricing/formats.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "helpers/catch.hpp"
#include "helpers/rate_cards.hpp"

using namespace chatdesk;
using chatdesk::test::all_cards;

namespace {

/// A month of traffic of 40 businesses with customers in several markets:
/// conversations opened by customers (some from ads), replies, templates of
/// every category, reactions, statuses (late, repeated, for unknown ids), and
/// broken lines: unreadable, out of order, a reused id.
std::string month_of_traffic(const std::string& month_start, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const char* prefixes[] = {"+1415555", "+3933312", "+9198765", "+5511987", "+4477009", "+2348031"};
  const char* categories[] = {"marketing", "utility", "authentication"};
  const auto start = parse_timestamp(month_start + "T00:00:00Z").value();
  std::ostringstream out;
  std::deque<std::pair<std::string, int>> sent;  // recent messages, with their minute
  int next_id = 0;
  for (int minute = 0; minute < 28 * 24 * 60; minute += 9 + pick(20)) {
    const auto at = format_timestamp(start + std::chrono::minutes(minute));
    const auto business = fmt::format("b{}", pick(40));
    const auto customer = fmt::format("{}{:04}", prefixes[pick(6)], pick(30));
    switch (pick(10)) {
      case 0:
      case 1:
        out << fmt::format(R"({{"at":"{}","type":"inbound","business":"{}","customer":"{}","id":"in{}"{}}})",
                           at, business, customer, next_id++, pick(6) == 0 ? R"(,"referral":true)" : "")
            << '\n';
        break;
      case 2:
      case 3:
      case 4: {
        const auto id = fmt::format("out{}", next_id++);
        const int kind = pick(5);
        std::string extra = R"(,"kind":"free_form")";
        if (kind < 3) extra = fmt::format(R"(,"kind":"template","category":"{}")", categories[kind]);
        if (kind == 3 && pick(3) == 0) extra = R"(,"kind":"reaction")";
        out << fmt::format(R"({{"at":"{}","type":"outbound","business":"{}","customer":"{}","id":"{}"{}}})",
                           at, business, customer, id, extra)
            << '\n';
        sent.emplace_back(id, minute);
        break;
      }
      default: {
        // Statuses come within hours of their message, as the platform's do
        // (a ledger forgets finished messages after 48 hours, each in its own
        // batches: a status days late is a problem either way, counted by
        // whichever ledger still knew the id).
        while (!sent.empty() && sent.front().second < minute - 6 * 60) sent.pop_front();
        if (sent.empty()) break;
        const auto& id = sent[static_cast<std::size_t>(pick(static_cast<int>(sent.size())))].first;
        const char* statuses[] = {"sent", "delivered", "read", "delivered", "failed"};
        out << fmt::format(R"({{"at":"{}","type":"status","id":"{}","status":"{}"}})", at, id,
                           statuses[pick(5)])
            << '\n';
        break;
      }
    }
    if (pick(400) == 0) out << "{not json\n";
    if (pick(400) == 0)  // an hour too early: out of order
      out << fmt::format(
                 R"({{"at":"{}","type":"inbound","business":"b1","customer":"+14155550001","id":"late{}"}})",
                 format_timestamp(start + std::chrono::minutes(std::max(0, minute - 60))), next_id++)
          << '\n';
    if (pick(300) == 0)
      out << fmt::format(R"({{"at":"{}","type":"status","id":"nobody{}","status":"delivered"}})", at,
                         pick(1000))
          << '\n';
    if (pick(300) == 0 && !sent.empty())  // an id used again, by another business
      out << fmt::format(
                 R"({{"at":"{}","type":"outbound","business":"b2","customer":"+14155550002","id":"{}",)"
                 R"("kind":"free_form"}})",
                 at, sent.back().first)
          << '\n';
  }
  return out.str();
}

std::string priced(const rate_cards& cards, const std::string& events, pricing_shard shard,
                   pricing_run* run) {
  ledger_options o;
  o.problems_listed = 20;  // the merged list must be the first 20 by line, as one run's
  ledger l(cards, o);
  std::istringstream in(events);
  price_options reading;
  reading.shard = shard;
  *run = price_events(in, {&l}, reading);
  return to_json(l.invoice()).dump();
}

}  // namespace

TEST_CASE("N shards of a stream, merged, give exactly the invoice of one run", "[pricing][shards]") {
  const auto month =
      GENERATE(as<std::string>{}, "2019-03-01", "2022-06-01", "2024-03-01", "2026-03-01", "2026-11-01");
  INFO(month);
  const auto cards = all_cards();
  const auto events = month_of_traffic(month, 20261204);
  pricing_run whole_run;
  const auto whole = priced(cards, events, {}, &whole_run);
  const auto one = invoice_from_json(nlohmann::ordered_json::parse(whole)).value();
  REQUIRE(one.lines.size() + one.free.size() > 10);  // cbp_2022: the first 1,000 are free
  REQUIRE(one.problems_total > 10);                  // the broken lines are part of the check
  for (const std::uint32_t n : {1U, 2U, 7U}) {
    INFO(n << " shards");
    std::vector<invoice> parts;
    std::size_t events_priced = 0;
    std::size_t problems = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
      pricing_run run;
      parts.push_back(
          invoice_from_json(nlohmann::ordered_json::parse(priced(cards, events, {k, n}, &run))).value());
      events_priced += run.events;
      problems += run.problems;
      CHECK(run.lines == whole_run.lines);                      // every shard reads everything
      if (n > 1) CHECK(to_json(parts.back()).dump() != whole);  // and prices a part
    }
    CHECK(events_priced == whole_run.events);
    CHECK(problems == whole_run.problems);
    const auto merged = merge_invoices(parts, 20).value();
    CHECK(to_json(merged).dump() == whole);
  }
}

TEST_CASE("shards are stable and read from K/N", "[pricing][shards]") {
  // The same business is in the same shard on every machine and build.
  CHECK(pricing_shard::of("b1", 1) == 0);
  CHECK(pricing_shard::of("b1", 7) == pricing_shard::of("b1", 7));
  std::vector<int> seen(7);
  for (int i = 0; i < 700; ++i) ++seen[pricing_shard::of(fmt::format("business-{}", i), 7)];
  for (const int s : seen) CHECK(s > 50);  // spread out
  const auto s = pricing_shard::parse("3/7").value();
  CHECK(s.index == 2);
  CHECK(s.count == 7);
  for (const char* bad : {"0/7", "8/7", "7", "/7", "1/", "a/b", "1/0", "-1/3", "1/70000", "1/7x"}) {
    INFO(bad);
    const auto e = pricing_shard::parse(bad).error();
    CHECK(e.code == "pricing.invalid_shard");
    CHECK(e.where == "shard");
  }
}

TEST_CASE("invoices in different currencies are not added up", "[pricing][shards]") {
  invoice usd;
  usd.currency = currency::from_code("USD").value();
  invoice eur;
  eur.currency = currency::from_code("EUR").value();
  const auto e = merge_invoices({usd, eur}).error();
  CHECK(e.code == "pricing.currency_mismatch");
  CHECK(e.message == "invoice 2 is in EUR, the first in USD: only invoices in one currency add up");
  CHECK(e.where == "invoices[1]");
  CHECK(merge_invoices({}).error().code == "pricing.no_invoices");
  // Periods priced apart add up line by line.
  invoice a = usd;
  a.lines.push_back({"b1", "2026-03", pricing_model::pmp_2025, "Italy", "marketing", "", 2,
                     decimal::parse("0.0691").value(), decimal::parse("0.1382").value()});
  a.total = decimal::parse("0.1382").value();
  auto b = a;
  const auto sum = merge_invoices({a, b}).value();
  REQUIRE(sum.lines.size() == 1);
  CHECK(sum.lines[0].count == 4);
  CHECK(sum.lines[0].amount == decimal::parse("0.2764").value());
  CHECK(sum.total == decimal::parse("0.2764").value());
  CHECK(sum.total_settled.amount_string() == "0.28");
}

TEST_CASE("price_events hands reactions to the ledger as reactions", "[pricing]") {
  // A reaction is always free under pmp_2026_10 and uses no free-tier message.
  std::istringstream in(
      R"({"at":"2026-11-02T09:00:00Z","type":"outbound","business":"b1","customer":"+393331234567","id":"r1","kind":"reaction","number":"n1"})"
      "\n"
      R"({"at":"2026-11-02T09:00:01Z","type":"status","id":"r1","status":"delivered"})"
      "\n");
  const auto cards = all_cards();
  ledger l(cards);
  const auto run = price_events(in, {&l});
  CHECK(run.events == 2);
  const auto inv = l.invoice();
  REQUIRE(inv.free.size() == 1);
  CHECK(inv.free[0].reason == charge_reason::reaction);
}
