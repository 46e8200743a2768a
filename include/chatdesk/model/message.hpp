/// @file
/// Messages: direction, ids, timestamps, and content as a closed set of
/// alternatives; outbound statuses and the rule that they never move backwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"

namespace chatdesk {

/// Template categories, which decide price and some rules.
enum class template_category : std::uint8_t { marketing, utility, authentication };
[[nodiscard]] CHATDESK_API std::string_view to_string(template_category c) noexcept;  ///< "marketing", ...
/// Parses "marketing", "MARKETING", "utility", "authentication". Error `message.unknown_category`.
[[nodiscard]] CHATDESK_API result<template_category> parse_template_category(std::string_view text);

/// A plain text message (at most 4,096 characters on the platform).
struct CHATDESK_API text_content {
  std::string body;
  bool preview_url = false;

  friend bool operator==(const text_content&, const text_content&) = default;
};

/// Kinds of media.
enum class media_kind : std::uint8_t { image, video, audio, document, sticker };
[[nodiscard]] CHATDESK_API std::string_view to_string(media_kind k) noexcept;  ///< "image", ...
/// The kind named `text` exactly as the platform's keys spell it ("image", ...).
[[nodiscard]] CHATDESK_API result<media_kind> parse_media_kind(std::string_view text);
/// The kind a file of MIME type `mime` is sent as: `image/webp` a sticker,
/// `image/*`, `video/*` and `audio/*` their kinds, anything else a document
/// (in any case, as MIME types are).
[[nodiscard]] CHATDESK_API media_kind media_kind_of_mime(std::string_view mime) noexcept;

/// One value of a template send, as the platform's request carries it: the
/// text it shows, and for a currency, a date and time or a media header, the
/// typed value the app renders itself.
struct CHATDESK_API template_parameter {
  /// How the value is typed in the send request.
  enum class type : std::uint8_t { text, currency, date_time, media };

  template_parameter() = default;
  /// A text value, by position ("1") or name ("order_id").
  template_parameter(std::string key_, std::string text_) : key(std::move(key_)), text(std::move(text_)) {}

  /// A currency: `fallback` is what the customer sees where the app cannot
  /// format it; the amount is in thousandths of the unit (`amount_1000`).
  [[nodiscard]] static template_parameter currency(std::string key, std::string fallback, std::string code,
                                                   std::int64_t amount_1000);
  /// A date and time, shown as `fallback`.
  [[nodiscard]] static template_parameter date_time(std::string key, std::string fallback);
  /// A media header, by uploaded id or by link (`filename` for documents).
  [[nodiscard]] static template_parameter media(media_kind kind, std::string media_id, std::string link,
                                                std::string filename = {});

  std::string key;   ///< position ("1", "2") or name ("order_id"); empty for a media header
  std::string text;  ///< the text; for a currency or a date, the fallback text
  type kind = type::text;
  std::string currency_code;                     ///< currency: ISO 4217 code
  std::int64_t amount_1000 = 0;                  ///< currency: the amount times 1,000
  media_kind media_type = media_kind::document;  ///< media
  std::string media_id;                          ///< media: an uploaded id, or
  std::string link;                              ///< media: a public URL
  std::string filename;                          ///< media: documents' file name

  /// True when `key` is a position ("1") rather than a name.
  [[nodiscard]] bool positional() const noexcept;

  friend bool operator==(const template_parameter&, const template_parameter&) = default;
};

/// Template buttons that take a value when sent.
enum class template_button_kind : std::uint8_t { url, quick_reply, copy_code };
[[nodiscard]] CHATDESK_API std::string_view to_string(
    template_button_kind k) noexcept;  ///< "url", "quick_reply", "copy_code"

/// A button's value: a URL's variable suffix, a quick reply's payload, or a
/// coupon (or one-time passcode) to copy.
struct CHATDESK_API template_button_value {
  std::size_t index = 0;  ///< the button's position in the template
  template_button_kind kind = template_button_kind::url;
  std::string value;

  friend bool operator==(const template_button_value&, const template_button_value&) = default;
};

/// A template message as sent: which template, and the values bound to its
/// header, body and buttons. The wire encoders send exactly these, so a
/// template bound by the templates module (`to_content`) reaches the platform
/// intact.
struct CHATDESK_API template_content {
  template_content() = default;
  /// A template with its body's values (the header and buttons are set after).
  template_content(std::string name_, std::string language_, template_category category_,
                   std::vector<template_parameter> parameters_ = {})
      : name(std::move(name_)),
        language(std::move(language_)),
        category(category_),
        parameters(std::move(parameters_)) {}

  std::string name;
  std::string language;  ///< "en_US", "it"
  template_category category = template_category::utility;
  /// The body's values, by position ("1", "2") or name ("order_id").
  std::vector<template_parameter> parameters;
  /// The header's value: its text variable, or its media.
  std::optional<template_parameter> header;
  /// The buttons' values.
  std::vector<template_button_value> buttons;

  friend bool operator==(const template_content&, const template_content&) = default;
};

/// A media message: by link or by uploaded media id.
struct CHATDESK_API media_content {
  media_kind kind = media_kind::image;
  std::string link;
  std::string media_id;
  std::string caption;
  std::string filename;   ///< documents
  std::string mime_type;  ///< as received
  std::string sha256;     ///< the media's hash, as received (webhooks)
  bool voice = false;     ///< audio recorded as a voice note
  bool animated = false;  ///< animated sticker

  friend bool operator==(const media_content&, const media_content&) = default;
};

/// A location pin. Coordinates are kept as the decimal text received, so they
/// round-trip exactly.
struct CHATDESK_API location_content {
  std::string latitude;
  std::string longitude;
  std::string name;
  std::string address;

  friend bool operator==(const location_content&, const location_content&) = default;
};

/// One shared contact card.
struct CHATDESK_API contact_card {
  std::string formatted_name;
  std::vector<std::string> phones;
  std::vector<std::string> emails;

  friend bool operator==(const contact_card&, const contact_card&) = default;
};

/// One or more contact cards.
struct CHATDESK_API contacts_content {
  std::vector<contact_card> contacts;

  friend bool operator==(const contacts_content&, const contacts_content&) = default;
};

/// Kinds of interactive message: what a business sends, and a customer's reply to one.
enum class interactive_kind : std::uint8_t {
  button,         ///< up to 3 reply buttons
  list,           ///< a list of rows in sections
  cta_url,        ///< a call-to-action URL button
  order_details,  ///< an order to review and pay
  order_status,   ///< an update to an order
  button_reply,   ///< the customer tapped a reply button
  list_reply,     ///< the customer picked a list row
  quick_reply,    ///< the customer tapped a template's quick-reply button (webhook type "button")
  flow_reply,     ///< the customer completed a flow (`nfm_reply`; `payload_json` holds its response)
};
[[nodiscard]] CHATDESK_API std::string_view to_string(
    interactive_kind k) noexcept;  ///< "button", "list", ...

/// A reply button, list row or call to action.
struct CHATDESK_API interactive_option {
  std::string id;
  std::string title;
  std::string description;  ///< list rows

  friend bool operator==(const interactive_option&, const interactive_option&) = default;
};

/// An interactive message.
struct CHATDESK_API interactive_content {
  interactive_kind kind = interactive_kind::button;
  std::string header;
  std::string body;
  std::string footer;
  std::string action_label;                 ///< list button text, cta display text
  std::string url;                          ///< cta_url
  std::vector<interactive_option> options;  ///< buttons or list rows
  std::string reply_id;                     ///< button_reply / list_reply: the chosen option
  std::string reply_title;
  std::string payload_json;  ///< order_details / order_status parameters, as JSON text

  friend bool operator==(const interactive_content&, const interactive_content&) = default;
};

/// A reaction to an earlier message (an empty emoji removes it).
struct CHATDESK_API reaction_content {
  std::string message_id;
  std::string emoji;

  friend bool operator==(const reaction_content&, const reaction_content&) = default;
};

/// One product in a customer's order.
struct CHATDESK_API order_item {
  std::string product_retailer_id;
  std::uint32_t quantity = 0;
  std::string item_price;  ///< decimal text as received ("12.50"), exact
  std::string currency;    ///< ISO 4217 code as received

  friend bool operator==(const order_item&, const order_item&) = default;
};

/// A customer's order from a catalog (webhook type "order").
struct CHATDESK_API order_content {
  std::string catalog_id;
  std::string text;
  std::vector<order_item> items;

  friend bool operator==(const order_content&, const order_content&) = default;
};

/// A notice from the platform about the customer (webhook type "system"),
/// such as a changed number.
struct CHATDESK_API system_content {
  std::string type;  ///< "user_changed_number", ...
  std::string body;
  std::string new_wa_id;  ///< the customer's new WhatsApp id, when the number changed

  friend bool operator==(const system_content&, const system_content&) = default;
};

/// A message type chatdesk does not model: kept, never dropped.
struct CHATDESK_API unsupported_content {
  std::string type;      ///< the type the platform named
  std::string raw_json;  ///< the message object as received

  friend bool operator==(const unsupported_content&, const unsupported_content&) = default;
};

/// What a message carries: exactly one of these.
using content =
    std::variant<text_content, template_content, media_content, location_content, contacts_content,
                 interactive_content, reaction_content, order_content, system_content, unsupported_content>;

/// The platform's type name of a content: "text", "template", "image",
/// "document", "location", "contacts", "interactive", "reaction", "order",
/// "system", or the
/// unsupported type's own name.
[[nodiscard]] CHATDESK_API std::string_view type_name(const content& c) noexcept;
/// True for template content (the only kind allowed outside a service window).
[[nodiscard]] inline bool is_template(const content& c) noexcept {
  return std::holds_alternative<template_content>(c);
}

/// Who sent a message.
enum class direction : std::uint8_t { inbound, outbound };

/// The message a message replies to.
struct CHATDESK_API reply_context {
  std::string message_id;
  std::string from;
  bool forwarded = false;
  bool frequently_forwarded = false;
  std::string catalog_id;           ///< a question about a product
  std::string product_retailer_id;  ///< a question about a product

  friend bool operator==(const reply_context&, const reply_context&) = default;
};

/// Where a customer came from: a click-to-chat ad or a page button.
struct CHATDESK_API referral {
  std::string source_type;  ///< "ad", "post", ...
  std::string source_id;
  std::string source_url;
  std::string headline;
  std::string body;
  std::string ctwa_clid;   ///< click id
  std::string media_type;  ///< "image", "video"
  std::string image_url;
  std::string video_url;
  std::string thumbnail_url;

  friend bool operator==(const referral&, const referral&) = default;
};

/// A message between one business number and one customer.
struct CHATDESK_API message {
  chatdesk::direction direction = direction::inbound;
  std::string id;              ///< the platform's id ("wamid..."); empty until the platform answers a send
  std::string correlation_id;  ///< the caller's own id for an outbound message
  std::string business_number_id;
  phone_number customer;
  timestamp at{};  ///< received (inbound) or accepted for sending (outbound)
  chatdesk::content content;
  std::optional<reply_context> context;
  std::optional<chatdesk::referral> referral;

  friend bool operator==(const message&, const message&) = default;
};

/// Status of an outbound message.
enum class message_status : std::uint8_t { accepted, sent, delivered, read, failed };
[[nodiscard]] CHATDESK_API std::string_view to_string(message_status s) noexcept;  ///< "accepted", ...
/// Parses "sent", "delivered", "read", "failed", "accepted". Error `message.unknown_status`.
[[nodiscard]] CHATDESK_API result<message_status> parse_message_status(std::string_view text);

/// Why a message failed, as the platform says.
struct CHATDESK_API status_error {
  int code = 0;  ///< 131047, 131056, ...
  std::string title;
  std::string details;
  std::string message;  ///< the platform's message, when it sends one besides the title

  friend bool operator==(const status_error&, const status_error&) = default;
};

/// What applying a status to a message does.
enum class status_change : std::uint8_t {
  advanced,   ///< the message moved forward
  duplicate,  ///< the same status again: nothing changes
  stale,      ///< an earlier status arriving late: nothing changes
  held,       ///< the message is not known yet (its send is still being answered): kept, applied later
};
[[nodiscard]] CHATDESK_API std::string_view to_string(status_change c) noexcept;  ///< "advanced", ...

/// The rule for out-of-order statuses: accepted < sent < delivered < read, and
/// a status never moves a message backwards. `failed` applies only before
/// delivery; `delivered` or `read` after `failed` wins (the customer has it).
[[nodiscard]] CHATDESK_API status_change compare_status(message_status current,
                                                        message_status incoming) noexcept;

}  // namespace chatdesk
