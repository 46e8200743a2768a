// Fuzzes live support's script lines (chatdesk/support/script.hpp): the input
// is a script, one line per text line, replayed after a fixed staff (agents,
// a team, settings) so the lines reach routing, SLA clocks and surveys.
// Properties: no crash; every output line is valid UTF-8 JSON; every refused
// line prints one problem line and comes back with a code and a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/support/script.hpp"

namespace {

constexpr std::string_view staff[] = {
    R"({"type":"agent","business":"shop","agent":"ana","languages":["it"],"capacity":1})",
    R"({"type":"agent","business":"shop","agent":"ben","skills":["billing"],"capacity":2})",
    R"({"type":"team","business":"shop","team":"care","members":["ana","ben"],"policy":"skills"})",
    R"({"type":"support","business":"shop","default_team":"care","bot_first":true,"out_of_office":"closed",)"
    R"("hours":{"zone":"Europe/Rome","week":{"mon":["09:00-13:00"]}},"sla":{"first_response":60,"resolution":600}})",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t printed = 0;
  chatdesk::support_replay replay([&printed](std::string_view line) {
    ++printed;
    if (!chatdesk::utf8::valid(line) || nlohmann::json::accept(line) == false) __builtin_trap();
  });
  std::size_t number = 0;
  for (const auto line : staff)
    if (!replay.apply_line(line, ++number)) __builtin_trap();
  for (int lines = 0; !text.empty() && lines < 64; ++lines) {
    const auto end = text.find('\n');
    const auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const auto problems = replay.problems();
    const auto before = printed;
    auto applied = replay.apply_line(line, ++number);
    if (!applied) {
      if (applied.error().code.empty() || applied.error().message.empty()) __builtin_trap();
      if (replay.problems() != problems + 1 || printed == before) __builtin_trap();
    }
  }
  return 0;
}
