// Fuzzes the library's documents: the invoice JSON and the businesses file
// (chatdesk/pricing/formats.hpp), a script's line (chatdesk/engine/script.hpp)
// and a stored message and business (chatdesk/model/documents.hpp).
// Properties: no crash; every refusal has a code and a message in valid
// UTF-8; an invoice that is accepted adds up and writes back to JSON that
// reads as the same invoice; businesses and script lines that are accepted
// write back to what reads the same, and a script line replays without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"
#include "chatdesk/engine/script.hpp"
#include "chatdesk/model/documents.hpp"
#include "chatdesk/pricing/formats.hpp"

namespace {

bool bad(const chatdesk::error& e) {
  return e.code.empty() || e.message.empty() || !chatdesk::utf8::valid(e.message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto j = chatdesk::parse_json(text, "fuzz.formats", "the input");
  if (!j) return bad(j.error()) ? (__builtin_trap(), 0) : 0;

  auto inv = chatdesk::invoice_from_json(*j);
  if (inv) {
    chatdesk::decimal sum;
    for (const auto& l : inv->lines) sum += l.amount;
    if (sum != inv->total) __builtin_trap();
    const auto written = chatdesk::to_json(*inv);
    auto again = chatdesk::invoice_from_json(written);
    if (!again || chatdesk::to_json(*again) != written) __builtin_trap();
  } else if (bad(inv.error())) {
    __builtin_trap();
  }

  auto businesses = chatdesk::pricing_businesses_from_json(*j);
  if (businesses) {
    const auto written = chatdesk::to_json(*businesses);
    auto again = chatdesk::pricing_businesses_from_json(written);
    if (!again || chatdesk::to_json(*again) != written) __builtin_trap();
  } else if (bad(businesses.error())) {
    __builtin_trap();
  }

  auto event = chatdesk::script_event_from_json(*j);
  if (event) {
    const auto written = chatdesk::to_json(*event);
    auto again = chatdesk::script_event_from_json(written);
    if (!again || chatdesk::to_json(*again) != written) __builtin_trap();
    chatdesk::script_replay replay([](std::string_view line) {
      if (!chatdesk::utf8::valid(line)) __builtin_trap();
    });
    auto applied = replay.apply(*event, 1);
    if (!applied && bad(applied.error())) __builtin_trap();
  } else if (bad(event.error())) {
    __builtin_trap();
  }

  // A stored business (chatdesk/model/documents.hpp) reads back as itself.
  auto stored_business = chatdesk::parse_business(text);
  if (stored_business) {
    const auto written = chatdesk::to_json(*stored_business);
    auto again = chatdesk::parse_business(written);
    if (!again || chatdesk::to_json(*again) != written) __builtin_trap();
  } else if (bad(stored_business.error())) {
    __builtin_trap();
  }

  // A stored message (chatdesk/model/documents.hpp) reads back as itself.
  auto stored = chatdesk::parse_message(text);
  if (stored) {
    const auto written = chatdesk::to_json(*stored);
    auto again = chatdesk::parse_message(written);
    if (!again || !(*again == *stored) || chatdesk::to_json(*again) != written) __builtin_trap();
  } else if (bad(stored.error())) {
    __builtin_trap();
  }
  return 0;
}
