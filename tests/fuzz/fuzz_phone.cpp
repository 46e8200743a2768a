// Fuzzes phone_number::parse and the market look-up. Properties: no crash;
// an accepted number has 1-15 digits, re-parses from its E.164 form to the
// same number, and has a market.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chatdesk/core/market.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/core/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::string_view regions[] = {"", "US", "IT", "GB", "RU", "HU", "DE", "IN", "ZZ", "it"};
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view region;
  if (!text.empty()) {
    region = regions[static_cast<unsigned char>(text[0]) % std::size(regions)];
    text.remove_prefix(1);
  }
  auto p = chatdesk::phone_number::parse(text, region);
  if (!p) {
    if (p.error().code.empty() || p.error().message.empty()) __builtin_trap();
    if (!chatdesk::utf8::valid(p.error().message)) __builtin_trap();  // never a cut character
    return 0;
  }
  const auto digits = p->digits();
  if (digits.empty() || digits.size() > chatdesk::phone_number::max_digits) __builtin_trap();
  auto again = chatdesk::phone_number::parse(p->e164());
  if (!again || !(*again == *p) || !(again->country() == p->country())) __builtin_trap();
  if (chatdesk::market_table::platform().find(*p).empty()) __builtin_trap();
  return 0;
}
