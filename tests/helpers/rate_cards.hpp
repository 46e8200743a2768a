// The sample rate cards of every pricing model, for tests that price a
// stream under each of them.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include "chatdesk/pricing/rate_card.hpp"

namespace chatdesk::test {

/// Every card in data/rate_cards (the illustrative older ones included).
inline rate_cards all_cards() {
  rate_cards cards;
  for (const char* name :
       {"legacy_2018-2018-08-01-usd-illustrative.json", "cbp_2022-2022-02-01-usd-illustrative.json",
        "cbp_2023-2023-06-01-usd-illustrative.json", "pmp_2025-2026-01-01-usd.json",
        "pmp_2025-2026-07-01-usd.json", "pmp_2026_10-2026-10-01-usd.json"}) {
    std::ifstream in(std::string(CHATDESK_SOURCE_DIR "/data/rate_cards/") + name);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    cards.add(parse_rate_card(text).value()).value();
  }
  return cards;
}

}  // namespace chatdesk::test
