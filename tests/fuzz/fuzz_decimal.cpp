// Fuzzes decimal::parse and money::parse. Properties: no crash; an accepted
// decimal prints and re-parses to itself; settling never throws, rounding
// throws only decimal.overflow at the ends of the range; refusals are valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chatdesk/core/money.hpp"
#include "chatdesk/core/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = chatdesk::decimal::parse(text);
  if (d) {
    auto again = chatdesk::decimal::parse(d->to_string());
    if (!again || *again != *d) __builtin_trap();
    try {
      (void)d->round(2);  // may overflow at the very ends of the range, and must say so
    } catch (const chatdesk::exception& e) {
      if (e.err().code != "decimal.overflow") __builtin_trap();
    }
    (void)chatdesk::settle(*d, chatdesk::currencies::kwd);
  } else if (d.error().code.empty() || !chatdesk::utf8::valid(d.error().message)) {
    __builtin_trap();
  }
  auto m = chatdesk::money::parse(text);
  if (m) {
    auto again = chatdesk::money::parse(m->to_string());
    if (!again || !(*again == *m)) __builtin_trap();
  } else if (!chatdesk::utf8::valid(m.error().message)) {
    __builtin_trap();
  }
  auto u = chatdesk::money::parse(text, chatdesk::currencies::usd);
  if (u && u->to_decimal() != *d) __builtin_trap();
  return 0;
}
