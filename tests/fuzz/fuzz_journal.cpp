// Fuzzes the desk's journal reader (desk::replay_journal), which reads what a
// store kept: a file or a database that may be damaged. Input: the entry's
// time in milliseconds, a newline, then the entry. Properties: no crash; an
// entry is replayed as one event or refused as store.corrupt; an entry of the
// current format takes its time from the store (the message's time, or the
// status's).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chatdesk/engine/desk.hpp"

namespace {
struct seen final : chatdesk::observer {
  int events = 0;
  chatdesk::timestamp at{};
  void message_received(const chatdesk::message& m) override {
    ++events;
    at = m.at;
  }
  void status_changed(const chatdesk::message_record& r, chatdesk::message_status) override {
    ++events;
    at = r.status_at;
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto line = input.find('\n');
  if (line == std::string_view::npos) return 0;
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(input.data(), input.data() + line, ms);
  if (ec != std::errc{} || end != input.data() + line) return 0;
  const chatdesk::timestamp at{std::chrono::milliseconds{ms}};
  const auto entry = input.substr(line + 1);

  chatdesk::memory_store_options options;
  options.keep_journal = true;
  chatdesk::memory_store store(options);
  chatdesk::manual_clock clock(at);
  chatdesk::desk d(clock, store);
  store.append_journal(at, entry);
  seen o;
  const auto replayed = d.replay_journal(o);
  if (replayed) {
    if (*replayed != 1 || o.events != 1) __builtin_trap();
    if ((entry.starts_with("R\x1f") || entry.starts_with("S\x1f")) && o.at != at) __builtin_trap();
  } else if (replayed.error().code != "store.corrupt" || o.events != 0) {
    __builtin_trap();
  }
  return 0;
}
