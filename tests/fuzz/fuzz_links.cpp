// Fuzzes click-to-chat links (chatdesk/links/*.hpp) with any bytes as the
// drafted text, a reference token, a business name and an encoded text.
// Properties: no crash; a link made reads back, once decoded, as the text it
// was made from; the business name adds no markup to the button; every
// refusal has a code and a message in valid UTF-8.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/links/button.hpp"
#include "chatdesk/links/click_to_chat.hpp"
#include "chatdesk/links/qr.hpp"

namespace {

void check(const chatdesk::error& e) {
  if (e.code.empty() || e.message.empty() || !chatdesk::utf8::valid(e.message)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto cut = input.find('\x1f');
  const auto text = input.substr(0, cut);
  const auto ref = cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);
  static const auto number = chatdesk::phone_number::parse("+390551234567").value();

  chatdesk::link_options o;
  o.text = text;
  o.ref = ref.substr(0, 40);
  o.max_length = 1 << 20;
  const auto link = chatdesk::make_link(number, o);
  if (link) {
    const auto at = link->find("?text=");
    const std::string expected = o.ref.empty() ? std::string(text) : chatdesk::text_with_ref(text, o.ref);
    if (at == std::string::npos ? !expected.empty()
                                : chatdesk::percent_decode(link->substr(at + 6)).value() != expected)
      __builtin_trap();
    if (!o.ref.empty() && chatdesk::find_ref(expected) != std::string(o.ref)) __builtin_trap();
    chatdesk::chat_button_options b;
    b.business_name = text.substr(0, 200);
    b.qr = link->size() < 300;
    const auto html = chatdesk::chat_button_html(*link, b);
    if (html) {
      // The name adds no markup: as many '<' as with a plain name.
      auto plain = b;
      plain.business_name = "x";
      const auto reference = chatdesk::chat_button_html(*link, plain);
      const auto tags = [](const std::string& h) { return std::count(h.begin(), h.end(), '<'); };
      if (!reference || tags(*html) != tags(*reference)) __builtin_trap();
    } else {
      check(html.error());
    }
  } else {
    check(link.error());
  }
  if (auto decoded = chatdesk::percent_decode(input); !decoded) check(decoded.error());
  (void)chatdesk::find_ref(input);
  return 0;
}
