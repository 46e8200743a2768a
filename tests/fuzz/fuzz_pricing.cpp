// Fuzzes pricing a JSON Lines file of events. The input is priced twice:
// through price_events (one call per event, as `chatdesk price` does) and
// through the reader and ledger::apply one event at a time, skipping what
// price_events skips. Properties: no crash; both invoices are the same; the
// total is the sum of the lines; every problem is counted; priced in 2 and in
// 3 shards and merged, the invoice is byte for byte the one of one run.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/pricing/events.hpp"
#include "chatdesk/pricing/formats.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"

namespace {

using namespace chatdesk;

const rate_cards& cards() {
  static const rate_cards c = [] {
    rate_cards out;
    const char* json[] = {
        R"({"model":"legacy_2018","effective_from":"2018-01-01","currency":"USD",
            "markets":[{"name":"Italy","calling_codes":["39"]},{"name":"Caribbean","calling_codes":["591"],"nanp_area_codes":["809"]}],
            "rates":{"Italy":{"message":"0.05"},"Caribbean":{"message":"0.07"},"Other":{"message":"0.03"}}})",
        R"({"model":"cbp_2022","effective_from":"2022-02-01","currency":"USD",
            "markets":[{"name":"Italy","calling_codes":["39"]}],
            "rates":{"Italy":{"user_initiated":"0.04","business_initiated":"0.06"},
                     "Other":{"user_initiated":"0.02","business_initiated":"0.03"}}})",
        R"({"model":"cbp_2023","effective_from":"2023-06-01","currency":"USD",
            "markets":[{"name":"Italy","calling_codes":["39"]}],
            "rates":{"Italy":{"marketing":"0.0691","utility":"0.03","authentication":"0.03","service":"0.01"},
                     "Other":{"marketing":"0.06","utility":"0.008","authentication":"0.008","service":"0.03"}}})",
        R"({"model":"pmp_2025","effective_from":"2025-07-01","currency":"USD",
            "markets":[{"name":"Italy","calling_codes":["39"]},{"name":"India","calling_codes":["91"]}],
            "rates":{"Italy":{"marketing":"0.0691","utility":"0.03","authentication":"0.03"},
                     "India":{"marketing":"0.0118"},
                     "Other":{"marketing":"0.0604","utility":"0.0077","authentication":"0.0077"}},
            "tiers":{"India":{"utility":[{"up_to":2,"rate":"0.0014"},{"up_to":null,"rate":"0.0012"}],
                              "authentication":[{"up_to":null,"rate":"0.0014"}]}},
            "authentication_international":{"India":"0.028"}})"};
    for (const char* j : json)
      if (!out.add(parse_rate_card(j).value())) __builtin_trap();
    return out;
  }();
  return c;
}

void check_total(const invoice& inv) {
  decimal sum;
  for (const auto& l : inv.lines) sum += l.amount;
  if (sum != inv.total) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ledger by_call(cards(), {.problems_listed = 5});
  std::istringstream in(text);
  const auto run = price_events(in, {&by_call});

  // The same lines through the reader and apply, one event at a time.
  ledger by_apply(cards());
  std::istringstream again(text);
  pricing_event_reader reader;
  std::string line;
  std::size_t lines = 0;
  std::size_t problems = 0;
  timestamp last{};
  bool started = false;
  while (std::getline(again, line)) {
    ++lines;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto e = reader.parse(line);
    if (!e || (started && e->at < last)) {
      ++problems;
      continue;
    }
    last = e->at;  // the stream's order, whatever the ledger makes of the event
    started = true;
    const pricing_event one = *e;
    if (!by_apply.apply({&one, 1}).empty()) ++problems;
  }
  const auto a = by_call.invoice();
  const auto b = by_apply.invoice();
  if (lines != run.lines || problems != run.problems || a.problems_total != run.problems) __builtin_trap();
  if (a.problems.size() > 5) __builtin_trap();
  for (const auto& p : a.problems)  // problems are printed in the invoice: never a cut character
    if (!chatdesk::utf8::valid(p.problem.message)) __builtin_trap();
  if (a.total != b.total || a.lines.size() != b.lines.size() || a.free.size() != b.free.size())
    __builtin_trap();
  for (std::size_t i = 0; i < a.lines.size(); ++i)
    if (a.lines[i].count != b.lines[i].count || a.lines[i].amount != b.lines[i].amount ||
        a.lines[i].market != b.lines[i].market || a.lines[i].tier != b.lines[i].tier)
      __builtin_trap();
  for (std::size_t i = 0; i < a.free.size(); ++i)
    if (a.free[i].count != b.free[i].count || a.free[i].reason != b.free[i].reason) __builtin_trap();
  check_total(a);

  // Shards. Ids are never forgotten here, so the moments each ledger forgets
  // in (its own batches) play no part, as docs/pricing.md says.
  ledger_options keep;
  keep.remember_ids_for = std::chrono::hours(24 * 365 * 20);
  keep.undelivered_after = std::chrono::hours(24 * 365 * 20);
  keep.problems_listed = 5;
  ledger whole(cards(), keep);
  std::istringstream all(text);
  (void)price_events(all, {&whole});
  const auto expected = to_json(whole.invoice()).dump();
  for (const std::uint32_t n : {2U, 3U}) {
    std::vector<invoice> parts;
    for (std::uint32_t k = 0; k < n; ++k) {
      ledger part(cards(), keep);
      std::istringstream in_part(text);
      price_options o;
      o.shard = {k, n};
      (void)price_events(in_part, {&part}, o);
      parts.push_back(part.invoice());
    }
    if (to_json(merge_invoices(parts, 5).value()).dump() != expected) __builtin_trap();
  }
  return 0;
}
