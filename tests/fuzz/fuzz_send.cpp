// Fuzzes the send encoder and the response decoders. The input picks a
// content type and fills its fields from NUL-separated pieces. Properties: no
// crash; a request that encodes is valid JSON whose "to" is the recipient and
// whose "type" is the content's; a refusal appends nothing; response and
// error decoders accept any bytes without crashing.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatdesk/wire/send.hpp"
#include "chatdesk/wire/twilio.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= input.size() && parts.size() < 12) {
    const auto end = input.find('\0', start);
    parts.emplace_back(
        input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  parts.resize(12);
  using namespace chatdesk;
  content c;
  switch (data[0] % 8) {
    case 0:
      c = text_content{parts[0], (data[0] & 8U) != 0};
      break;
    case 1: {
      media_content m;
      m.kind = static_cast<media_kind>((data[0] >> 3U) % 5U);
      m.link = parts[0];
      m.media_id = parts[1];
      m.caption = parts[2];
      m.filename = parts[3];
      c = m;
      break;
    }
    case 2:
      c = location_content{parts[0], parts[1], parts[2], parts[3]};
      break;
    case 3: {
      contacts_content k;
      k.contacts.push_back({parts[0], {parts[1]}, {parts[2]}});
      c = k;
      break;
    }
    case 4:
      c = reaction_content{parts[0], parts[1]};
      break;
    case 5: {
      template_content t{
          parts[0], parts[1], template_category::utility, {{parts[2], parts[3]}, {parts[4], parts[5]}}};
      if (!parts[6].empty()) t.header = template_parameter{parts[6], parts[7]};
      if (!parts[8].empty()) t.buttons.push_back({data[0] % 4U, template_button_kind::url, parts[8]});
      c = t;
      break;
    }
    default: {
      interactive_content i;
      i.kind = static_cast<interactive_kind>((data[0] >> 3U) % 9U);
      i.header = parts[0];
      i.body = parts[1];
      i.footer = parts[2];
      i.action_label = parts[3];
      i.url = parts[4];
      i.payload_json = parts[5];
      for (std::size_t k = 6; k + 1 < parts.size() && !parts[k].empty(); k += 2)
        i.options.push_back({parts[k], parts[k + 1], ""});
      c = i;
      break;
    }
  }
  const auto to = phone_number::parse("+393331234567").value();
  send_options o;
  o.reply_to = parts[10];
  o.biz_opaque_callback_data = parts[11];
  std::string out = "x";
  auto r = append_send_request(out, to, c, o);
  if (!r) {
    if (out != "x" || r.error().code.empty()) __builtin_trap();
  } else {
    const auto j = nlohmann::json::parse(out.substr(1), nullptr, false);
    if (j.is_discarded() || j.value("to", "") != "+393331234567" || j.value("type", "") != type_name(c))
      __builtin_trap();
  }
  // The same content through Twilio: Content variables Twilio accepts, or a refusal with a code.
  if (const auto* t = std::get_if<template_content>(&c)) {
    const std::vector<twilio_variable> map{{twilio_variable::part::body, parts[2], parts[9]}};
    for (const auto& m : {std::span<const twilio_variable>{}, std::span<const twilio_variable>{map}}) {
      auto vars = twilio_content_variables(*t, m);
      if (!vars) {
        if (vars.error().code.empty()) __builtin_trap();
        continue;
      }
      for (const auto& [k, v] : *vars)
        if (k.empty() || k.size() > 16) __builtin_trap();
    }
  }
  (void)decode_send_response(input);
  if (auto e = decode_api_error(input)) (void)to_error(*e);
  return 0;
}
