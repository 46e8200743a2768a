#include "chatdesk/links/button.hpp"

#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"
#include "html.hpp"

namespace chatdesk {

result<std::string> chat_button_html(std::string_view link, const chat_button_options& options) {
  using detail::links::html_escape;
  if (link.substr(0, 8) != "https://" || !utf8::valid(link) ||
      link.find_first_of(" \t\r\n\"'<>") != std::string_view::npos)
    return make_error(
        "links.invalid_link",
        fmt::format("'{}' is not a click-to-chat link (https://..., percent-encoded)", utf8::printable(link)),
        "link");
  if (!utf8::valid(options.business_name))
    return make_error("links.invalid_text", "the business name is not valid UTF-8", "business_name");
  if (!utf8::valid(options.label))
    return make_error("links.invalid_text", "the button's label is not valid UTF-8", "label");
  const std::string name =
      options.business_name.empty() ? std::string("us") : std::string(options.business_name);
  const std::string label =
      options.label.empty() ? fmt::format("Chat with {} on WhatsApp", name) : std::string(options.label);
  std::string out = R"(<div class="chatdesk-chat">)";
  fmt::format_to(std::back_inserter(out),
                 "\n  <a class=\"chatdesk-chat-button\" href=\"{}\" target=\"_blank\" "
                 "rel=\"noopener noreferrer\">{}</a>",
                 html_escape(link), html_escape(label));
  if (options.qr && qr_available()) {
    auto style = options.qr_style;
    const auto qr_label = fmt::format("QR code to chat with {} on WhatsApp", name);
    style.label = qr_label;
    auto svg = qr_svg(link, style);
    if (!svg) return svg.error();
    if (!svg->empty() && svg->back() == '\n') svg->pop_back();
    fmt::format_to(std::back_inserter(out),
                   "\n  <figure class=\"chatdesk-chat-qr\">\n    {}\n    <figcaption>Scan with your phone "
                   "to chat with {}</figcaption>\n  </figure>",
                   *svg, html_escape(name));
  }
  out.append(
      "\n</div>\n<style>\n"
      ".chatdesk-chat-button{display:inline-block;padding:.6em 1.2em;border-radius:2em;background:#1f7a4d;"
      "color:#fff;font:600 1rem/1.2 system-ui,sans-serif;text-decoration:none}\n"
      ".chatdesk-chat-button:hover{background:#17603c}\n"
      ".chatdesk-chat-button:focus-visible{outline:3px solid #0b3d26;outline-offset:2px}\n"
      ".chatdesk-chat-qr{margin:1em 0 0}.chatdesk-chat-qr svg{width:160px;height:160px}\n"
      ".chatdesk-chat-qr figcaption{font:.875rem/1.3 system-ui,sans-serif}\n"
      "@media (hover:none) and (pointer:coarse){.chatdesk-chat-qr{display:none}}\n"
      "</style>\n");
  return out;
}

}  // namespace chatdesk
