/// @file
/// Click-to-chat links: the address a button or a QR code on a business's
/// website opens, `https://wa.me/<digits>?text=<prefilled>`, which drafts the
/// customer's first message (nothing is sent until they tap send). A link may
/// carry a short reference token in that text, so the business learns which
/// page or campaign brought the conversation when the message arrives.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"

namespace chatdesk {

/// The two forms of the address.
enum class link_form : std::uint8_t {
  wa_me,   ///< https://wa.me/393331234567?text=...
  legacy,  ///< https://api.whatsapp.com/send?phone=393331234567&text=...
};

/// What a link carries besides the number.
struct CHATDESK_API link_options {
  /// The text drafted for the customer (UTF-8); empty: none.
  std::string_view text;
  /// A reference token (1-32 letters, digits, '_' or '-') added to the text
  /// as "[ref:TOKEN]", so the first message tells which link was used.
  std::string_view ref;
  link_form form = link_form::wa_me;
  /// The longest link made, in bytes. Browsers, QR scanners and chat apps
  /// handle 2,048 reliably; the platform documents no limit.
  std::size_t max_length = 2048;
};

/// The link to chat with `number`. Errors: `links.no_number` (an empty
/// number), `links.invalid_text` (not valid UTF-8, naming the byte),
/// `links.invalid_ref` (a token that is empty, longer than 32 or holds other
/// characters), `links.too_long` (naming the length and the limit).
[[nodiscard]] CHATDESK_API result<std::string> make_link(const phone_number& number,
                                                         const link_options& options = {});
/// The same from a typed number ("+39 333 123 4567", or national with
/// `region`): refused with the phone parser's error when it is not a number.
[[nodiscard]] CHATDESK_API result<std::string> make_link(std::string_view number, std::string_view region,
                                                         const link_options& options = {});
/// Appends the link to `out` (no allocation when `out` has room): the fast path
/// for many links. Same errors; `out` is unchanged on error.
CHATDESK_API result<void> append_link(std::string& out, const phone_number& number,
                                      const link_options& options);

/// `text` percent-encoded as RFC 3986 asks of a query value: the unreserved
/// characters (A-Z a-z 0-9 - . _ ~) kept, every other byte as %XX (upper-case
/// hex), so a space is %20, '+' is %2B and an emoji its four UTF-8 bytes.
[[nodiscard]] CHATDESK_API std::string percent_encode(std::string_view text);
/// The bytes `text` percent-encodes ('+' stays '+'). Error `links.invalid_encoding`
/// naming the offset of a '%' without two hex digits.
[[nodiscard]] CHATDESK_API result<std::string> percent_decode(std::string_view text);

/// The text a link with reference `ref` drafts after `text`: "TEXT [ref:REF]".
[[nodiscard]] CHATDESK_API std::string text_with_ref(std::string_view text, std::string_view ref);
/// The reference token in a customer's message ("[ref:spring-sale]"), the
/// last one when there are several; none when there is none or it is malformed.
[[nodiscard]] CHATDESK_API std::optional<std::string> find_ref(std::string_view message_text);
/// Whether `ref` is a valid token (1-32 letters, digits, '_' or '-').
[[nodiscard]] CHATDESK_API bool valid_ref(std::string_view ref) noexcept;

}  // namespace chatdesk
