// chatdesk's main demo: a small Italian shop looks at its customers' numbers
// as they were typed into its web form, finds where each customer is, and
// works out exactly what one utility notice to each would cost.
//
// It grows with the library: conversations, templates, pricing models and
// webhooks join it as they land.
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/chatdesk.hpp"

namespace cd = chatdesk;

int main() {
  const cd::manual_clock clock(cd::parse_timestamp("2026-03-02T08:30:00Z").value());
  const auto rome = cd::time_zone::locate("Europe/Rome").value_or(cd::time_zone::utc());

  fmt::print("chatdesk {} demo: Bottega Rossi (Florence), {}\n\n", cd::version_string,
             rome.format(clock.now()));

  // Customers as they typed their numbers, with the country the web form assumed.
  struct typed {
    std::string_view text;
    std::string_view form_region;
  };
  const std::vector<typed> customers = {
      {"+39 333 123 4567", "IT"}, {"0039 347 765 4321", "IT"},
      {"(415) 555-0134", "US"},   {"whatsapp:+18095550199", ""},
      {"+91 98765 43210", ""},    {"07700 900123", "GB"},
      {"+49 1512 3456789", ""},   {"+7 701 234 5678", ""},
      {"+39 333 CALL NOW", "IT"}, {"12 34", "IT"},
  };

  // Utility-template rates of the 2026-01-01 USD card (PLATFORM.md 1g) for the
  // markets above; the pricing module loads whole rate cards from JSON.
  const std::map<std::string_view, std::string_view> utility_rate = {
      {"Italy", "0.0300"},  {"North America", "0.0034"},  {"Rest of Latin America", "0.0113"},
      {"India", "0.0014"},  {"United Kingdom", "0.0220"}, {"Germany", "0.0550"},
      {"Russia", "0.0400"}, {"Other", "0.0077"},
  };

  fmt::print("{:<24} {:<15} {:<3} {:<22} {}\n", "typed", "E.164", "cc", "market", "click to chat");
  cd::decimal total;
  std::map<std::string, int> per_market;
  const auto& markets = cd::market_table::platform();
  for (const auto& c : customers) {
    auto number = cd::phone_number::parse(c.text, c.form_region);
    if (!number) {
      fmt::print("{:<24} refused: {}\n", c.text, number.error().message);
      continue;
    }
    const auto market = markets.find(*number);
    fmt::print("{:<24} {:<15} {:<3} {:<22} https://wa.me/{}\n", c.text, *number, number->country().alpha2(),
               market, number->click_to_chat());
    total += cd::decimal::parse(utility_rate.at(market)).value();
    ++per_market[std::string(market)];
  }

  fmt::print("\nInvoice estimate: one utility notice to each customer outside the service window\n");
  for (const auto& [market, count] : per_market) {
    const auto rate = cd::decimal::parse(utility_rate.at(market)).value();
    fmt::print("  {:<22} {:>2} x {:>7} USD = {:>7} USD\n", market, count, rate.to_string(4),
               (rate * count).to_string(4));
  }
  const auto settled = cd::settle(total, cd::currencies::usd);
  fmt::print("  {:<22} exact {} USD, settled half-even: {}\n", "total", total, settled);
  fmt::print("\nPrices are exact decimals; the settled amount is in cents ({} minor units).\n",
             settled.minor_units());
  return 0;
}
