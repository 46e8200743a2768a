// Fuzzes the Zendesk (Sunshine Conversations) decoder and the message-post
// encoder. Properties: no crash; a refusal has a code; every decoded event
// prints as valid JSON; decoded customer and agent contents that chatdesk
// can post encode to valid JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/wire/zendesk.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto batch = chatdesk::decode_zendesk_webhook(body);
  if (!batch) {
    if (batch.error().code.empty()) __builtin_trap();
    if (!chatdesk::utf8::valid(batch.error().message)) __builtin_trap();
    return 0;
  }
  for (const auto& e : batch->events) {
    if (!nlohmann::json::accept(chatdesk::to_json_line(e))) __builtin_trap();
    const chatdesk::content* c = nullptr;
    if (const auto* m = std::get_if<chatdesk::webhook_message>(&e)) c = &m->message.content;
    if (const auto* a = std::get_if<chatdesk::webhook_agent_message>(&e)) c = &a->content;
    if (c != nullptr) {
      auto posted = chatdesk::zendesk_message_body(*c);
      if (posted && !nlohmann::json::accept(*posted)) __builtin_trap();
      if (!posted && posted.error().code.empty()) __builtin_trap();
    }
  }
  return 0;
}
