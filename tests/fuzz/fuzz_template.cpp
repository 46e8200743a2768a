// Fuzzes the template JSON reader, the validator and the binder. The input is
// a template definition (JSON) and, after a NUL byte, values to bind, one per
// line ("key=value"; "header=...", "button.N=..."). Properties: no crash; a
// definition that loads saves and loads again to the same JSON; a successful
// bind renders a body within the limit and a send request that is valid JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/templates/binding.hpp"
#include "chatdesk/templates/definition.hpp"
#include "chatdesk/wire/send.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find('\0');
  const auto json_text = input.substr(0, split);
  auto def = chatdesk::parse_template(json_text);
  if (!def) {
    if (def.error().code.empty()) __builtin_trap();
    if (!chatdesk::utf8::valid(def.error().message)) __builtin_trap();
    return 0;
  }
  const auto saved = chatdesk::to_json(*def);
  auto again = chatdesk::template_from_json(saved);
  if (!again || chatdesk::to_json(*again) != saved) __builtin_trap();
  (void)chatdesk::validate(*def);

  chatdesk::template_arguments args;
  if (split != std::string_view::npos) {
    std::string_view rest = input.substr(split + 1);
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      const auto line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
      const auto eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string key(line.substr(0, eq));
      const std::string value(line.substr(eq + 1));
      if (key == "header") {
        args.set_header(value);
      } else if (key.rfind("button.", 0) == 0 && key.size() == 8 && key[7] >= '0' && key[7] <= '9') {
        args.set_button(static_cast<std::size_t>(key[7] - '0'), value);
      } else {
        args.set(key, value);
      }
    }
  }
  auto bound = chatdesk::bind(*def, args);
  if (bound) {
    // What binds must encode, as JSON.
    const auto json =
        chatdesk::send_request_json(*bound, chatdesk::phone_number::parse("+393331234567").value());
    if (!json || !nlohmann::json::accept(*json)) __builtin_trap();
  }
  return 0;
}
