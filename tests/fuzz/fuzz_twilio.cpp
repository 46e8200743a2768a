// Fuzzes the Twilio adapter: form parsing, webhook decoding and the signature
// check. Properties: no crash; a form that parses encodes and parses back to
// the same parameters; a decoded body yields exactly one event whose JSON
// line is valid; a signature chatdesk computes verifies, and fails for other
// parameters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/wire/twilio.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto form = chatdesk::parse_form(body);
  if (!form) {
    if (form.error().code.empty()) __builtin_trap();
  } else {
    auto again = chatdesk::parse_form(chatdesk::encode_form(*form));
    if (!again || *again != *form) __builtin_trap();
  }
  const auto at = chatdesk::timestamp(std::chrono::seconds(1750000000));
  auto batch = chatdesk::decode_twilio_webhook(body, at);
  if (batch) {
    if (batch->events.size() != 1) __builtin_trap();
    if (!nlohmann::json::accept(chatdesk::to_json_line(batch->events.front()))) __builtin_trap();
  } else if (batch.error().code.empty() || !chatdesk::utf8::valid(batch.error().message)) {
    __builtin_trap();
  }
#if CHATDESK_WITH_OPENSSL
  if (form) {
    const std::string url = "https://example.invalid/hook?x=1";
    auto signature = chatdesk::twilio_signature(url, *form, "token");
    if (!signature || !chatdesk::verify_twilio_signature(url, *form, *signature, "token")) __builtin_trap();
    auto other = *form;
    other.emplace_back("Extra", "1");
    if (chatdesk::verify_twilio_signature(url, other, *signature, "token")) __builtin_trap();
    (void)chatdesk::verify_twilio_json_signature(std::string(body), body, *signature, "token");
  }
#endif
  return 0;
}
