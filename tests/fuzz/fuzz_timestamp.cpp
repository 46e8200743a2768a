// Fuzzes parse_timestamp, parse_unix_seconds, parse_date and
// parse_report_days. Properties: no crash; an accepted time or date formats
// and re-parses to itself; an accepted period (the input split at its middle)
// has its last day on or after its first and at most 366 days.
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
  const auto half = text.size() / 2;
  if (auto p = chatdesk::parse_report_days(text.substr(0, half), text.substr(half), "fuzz.invalid_period")) {
    const date::sys_days first{p->first};
    const date::sys_days last{p->last};
    if (last < first || last - first >= date::days{chatdesk::max_report_days}) __builtin_trap();
  } else if (p.error().code != "fuzz.invalid_period") {
    __builtin_trap();
  }
  return 0;
}
