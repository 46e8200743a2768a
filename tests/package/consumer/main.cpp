// Uses an installed chatdesk: parse a number, find its market, format money.
#include <fmt/format.h>
#include <chatdesk/chatdesk.hpp>

int main() {
  auto number = chatdesk::phone_number::parse("+39 333 123 4567");
  if (!number) return 1;
  const auto price = chatdesk::money::parse("12.3", chatdesk::currencies::usd).value();
  fmt::print("{} {} {} {}\n", *number, number->country().alpha2(),
             chatdesk::market_table::platform().find(*number), price);
  return 0;
}
