// Uses an installed chatdesk: parse a number, find its market, format money.
#include <fmt/format.h>
#include <chatdesk/chatdesk.hpp>

int main() {
  auto number = chatdesk::phone_number::parse("+39 333 123 4567");
  if (!number) return 1;
  const auto price = chatdesk::money::parse("12.3", chatdesk::currencies::usd).value();
  fmt::print("{} {} {} {}", *number, number->country().alpha2(),
             chatdesk::market_table::platform().find(*number), price);
#ifdef CHATDESK_RATE_CARDS
  // An installed rate card, found through chatdesk_DATADIR.
  auto card = chatdesk::rate_card::load(CHATDESK_RATE_CARDS "/pmp_2025-2026-01-01-usd.json");
  if (!card) return 2;
  fmt::print(" {}", chatdesk::to_string(card->model()));
#endif
  fmt::print("\n");
  return 0;
}
