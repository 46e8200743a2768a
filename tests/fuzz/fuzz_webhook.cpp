// Fuzzes the platform webhook decoder. Properties: no crash, no hang; a
// refusal has a code and leaves no events; every decoded event prints as one
// line of valid JSON; decoding the same body twice gives the same events
// (the decoder keeps no state between bodies); the fast and the reference
// paths agree on every body, events and errors alike, whether the batch is
// fresh or reused from the previous body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chatdesk/wire/detail/webhook_paths.hpp"
#include "chatdesk/wire/webhook.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static chatdesk::webhook_decoder decoder;
  static chatdesk::webhook_decoder reference = [] {
    chatdesk::webhook_decoder d;
    chatdesk::detail::prefer_path(d, chatdesk::webhook_path::reference);
    return d;
  }();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  chatdesk::webhook_batch first;
  auto r = decoder.decode_into(body, first);
  // The reference decoder writes into a batch that held the previous input's
  // events: reused slots must not show through.
  static chatdesk::webhook_batch by_reference;
  auto rr = reference.decode_into(body, by_reference);
  if (r.has_value() != rr.has_value() || first != by_reference) __builtin_trap();
  if (!r && !(r.error() == rr.error())) __builtin_trap();
  if (!r) {
    if (r.error().code.empty() || !first.events.empty()) __builtin_trap();
    return 0;
  }
  std::string lines;
  for (const auto& e : first.events) {
    const auto line = chatdesk::to_json_line(e);
    if (line.find('\n') != std::string::npos) __builtin_trap();
    if (!nlohmann::json::accept(line)) __builtin_trap();
    lines += line;
    lines += '\n';
  }
  chatdesk::webhook_batch second;
  if (!decoder.decode_into(body, second) || second.events.size() != first.events.size()) __builtin_trap();
  std::string again;
  for (const auto& e : second.events) {
    again += chatdesk::to_json_line(e);
    again += '\n';
  }
  if (again != lines) __builtin_trap();
  return 0;
}
