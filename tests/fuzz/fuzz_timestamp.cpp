// Fuzzes parse_timestamp, parse_unix_seconds and parse_date. Properties: no
// crash; an accepted time or date formats and re-parses to itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/time_zone.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = chatdesk::parse_timestamp(text);
  if (t) {
    auto again = chatdesk::parse_timestamp(chatdesk::format_timestamp(*t));
    if (!again || *again != *t) __builtin_trap();
  }
  auto u = chatdesk::parse_unix_seconds(text);
  if (u) {
    auto again = chatdesk::parse_timestamp(chatdesk::format_timestamp(*u));
    if (!again || *again != *u) __builtin_trap();
  }
  if (auto d = chatdesk::parse_date(text)) {
    if (!d->ok() || chatdesk::format_date(*d) != text) __builtin_trap();
  }
  return 0;
}
