/// @file
/// A website's chat button: a small, accessible HTML snippet a shop pastes
/// into its pages. A link styled as a button opens the chat on phones; on
/// screens without touch a QR code beside it lets a visitor carry on from
/// their phone. Every text is escaped, whatever the business is called.
#pragma once
#include <string>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/links/qr.hpp"

namespace chatdesk {

/// What the button says and shows.
struct CHATDESK_API chat_button_options {
  std::string_view business_name;  ///< named in the accessible labels ("Bottega Rossi")
  std::string_view label;          ///< the button's text; empty: "Chat with <name> on WhatsApp"
  bool qr = true;                  ///< the QR code for desktop visitors (when this build draws them)
  qr_options qr_style;
};

/// The HTML (a `div` with the link and the QR code, and a `style` element
/// whose classes all start with `chatdesk-chat`) for `link`, a link
/// `make_link` made. Errors: `links.invalid_link` (not an https address, or
/// not valid UTF-8), `links.invalid_text` (a name or label that is not valid
/// UTF-8), and `qr_svg`'s.
[[nodiscard]] CHATDESK_API result<std::string> chat_button_html(std::string_view link,
                                                                const chat_button_options& options = {});

}  // namespace chatdesk
