// Fuzzes parse_rate_card, then prices with any card it accepts. Properties:
// no crash; a refusal has a code, a message and a JSON path; an accepted card
// prices a fixed stream under its model (free-form sends from a named number,
// and reactions, included) with every event either accepted or
// refused with a code, and an invoice whose total is the sum of its lines and
// each line its unit price times its count; a forecast over the card's markets
// either prices or refuses with a code.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/pricing/forecast.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"

namespace {

using namespace chatdesk;
using namespace std::chrono_literals;

void check_invoice(const invoice& inv) {
  decimal sum;
  for (const auto& l : inv.lines) {
    if (l.amount != l.unit_price * static_cast<std::int64_t>(l.count)) __builtin_trap();
    sum += l.amount;
  }
  if (sum != inv.total) __builtin_trap();
}

void price_with(const rate_card& card) {
  rate_cards cards;
  if (!cards.add(card)) __builtin_trap();  // one card always goes in
  ledger book(cards, {.model = card.model()});
  timestamp t =
      std::chrono::time_point_cast<std::chrono::milliseconds>(date::sys_days{card.effective_from()}) + 1h;
  int n = 0;
  const char* numbers[] = {"+393331234567",  "+919876543210",  "+18095550100", "+14155550100",
                           "+4915112345678", "+5215512345678", "+80012345678"};
  const template_category categories[] = {template_category::marketing, template_category::utility,
                                          template_category::authentication};
  for (const char* text : numbers) {
    auto number = phone_number::parse(text);
    if (!number) continue;
    for (int k = 0; k < 4; ++k) {
      const auto id = std::to_string(n++);
      if (k == 1) {
        auto r = book.inbound(t, "b1", *number, "in" + id, k == 1);
        if (!r && r.error().code.empty()) __builtin_trap();
      }
      const bool is_template = k != 2;
      // Free-form sends from a named number, every other one a reaction (pmp_2026_10's free tier).
      auto sent = book.outbound(t, "b1", *number, id, is_template,
                                is_template ? std::optional{categories[k % 3]} : std::nullopt, "n1",
                                !is_template && n % 2 == 0);
      if (!sent) {
        if (sent.error().code.empty()) __builtin_trap();
        continue;
      }
      auto status = book.record_status(t + 1s, id, message_status::delivered);
      if (!status && status.error().code.empty()) __builtin_trap();
      t += 13h;
    }
  }
  check_invoice(book.invoice());

  // Notes of rates the card could not source read back as text.
  for (const auto& rule : card.markets().rules())
    if (auto why = card.unpriced(rule.name, "marketing"); why && !chatdesk::utf8::valid(*why))
      __builtin_trap();

  forecast_plan plan;
  plan.model = card.model();
  plan.date = card.effective_from();
  // Replies from one number to every market: the free tier of pmp_2026_10, then charged.
  for (const auto& rule : card.markets().rules()) plan.service.push_back({"n1", rule.name, 600, 0});
  for (const auto& rule : card.markets().rules())
    plan.sends.push_back({rule.name, template_category::utility, 1000, decimal::parse("0.5").value(), 3});
  plan.sends.push_back(
      {std::string(card.markets().default_market()), template_category::marketing, 7, decimal{}, 0});
  auto f = estimate(cards, plan);
  if (!f && f.error().code.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto card = parse_rate_card(text, "fuzz.json");
  if (!card) {
    const auto& e = card.error();
    if (e.code.empty() || e.message.empty()) __builtin_trap();
    if (!chatdesk::utf8::valid(e.message)) __builtin_trap();
    return 0;
  }
  price_with(*card);
  return 0;
}
