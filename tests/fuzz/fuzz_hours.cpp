// Fuzzes business_hours::parse. Properties: no crash; an accepted schedule
// writes JSON that reads back to the same schedule; the walk and the measure
// agree (the business time between a start and the walk's end is the amount
// walked); a next opening is open.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chatdesk/support/business_hours.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono_literals;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto h = chatdesk::business_hours::parse(text);
  if (!h) return 0;
  auto again = chatdesk::business_hours::parse(h->to_json());
  if (!again || !(*again == *h)) __builtin_trap();
  // Two starts: a Friday afternoon and a spring-forward night (2026-03-29, 00:30 UTC).
  for (const auto start : {chatdesk::timestamp{1795793400000ms}, chatdesk::timestamp{1774744200000ms}}) {
    for (const auto amount : {0ms, 1ms, std::chrono::milliseconds(90min), std::chrono::milliseconds(30h)}) {
      const auto end = h->add(start, amount);
      if (!end) continue;
      if (*end < start || h->between(start, *end) != amount) __builtin_trap();
    }
    if (const auto open = h->next_opening(start); open && !h->open_at(*open)) __builtin_trap();
  }
  return 0;
}
