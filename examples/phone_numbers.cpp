// Parsing phone numbers the way users type them, and handling refusals.
#include <fmt/format.h>

#include "chatdesk/core/market.hpp"
#include "chatdesk/core/phone_number.hpp"

int main() {
  for (const char* typed : {"+44 20 7946 0958", "+1 876 555 0100", "0039 06 698 12345", "+999 123"}) {
    auto number = chatdesk::phone_number::parse(typed);
    if (!number) {
      // Each refusal has a stable code for programs and a sentence for people.
      fmt::print("{:<20} -> {} ({})\n", typed, number.error().message, number.error().code);
      continue;
    }
    fmt::print("{:<20} -> {} {} {}\n", typed, *number, number->country().name(),
               chatdesk::market_table::platform().find(*number));
  }
  return 0;
}
