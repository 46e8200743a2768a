/// @file
/// Platform (Cloud-API-style) webhook bodies decoded into typed events.
///
/// A webhook POST may batch many entries, each with many changes, each with
/// many messages and statuses: the decoder returns every one of them, in body
/// order. It is forward compatible (unknown fields are ignored, an unknown
/// message type becomes an `unsupported` message that keeps its raw JSON, an
/// unknown `field` becomes an `unknown_field` event) and all-or-nothing: a
/// malformed body yields one error naming the JSON path and no events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/model/payment.hpp"

namespace chatdesk {

/// Which business account and number a change is about.
struct CHATDESK_API webhook_metadata {
  std::string account_id;            ///< the entry's `id`: the WhatsApp Business Account
  std::string phone_number_id;       ///< the business number's id (`metadata.phone_number_id`)
  std::string display_phone_number;  ///< as the platform shows it, digits only

  friend bool operator==(const webhook_metadata&, const webhook_metadata&) = default;
};

/// An inbound message from a customer.
struct CHATDESK_API webhook_message {
  webhook_metadata metadata;
  /// The message: direction inbound, `id`, `business_number_id` (the
  /// phone_number_id), `customer` (parsed from `from`; empty when `from` is not
  /// a phone number), `at`, content, context and referral.
  chatdesk::message message;
  std::string from;                  ///< the sender's WhatsApp id as received ("16505551234")
  std::string profile_name;          ///< from the change's `contacts`, when given
  std::string type;                  ///< the platform's type: "text", "button", "order", "unknown", ...
  std::vector<status_error> errors;  ///< why the platform could not deliver the content, if it says
  std::string conversation_id;       ///< Zendesk: the Sunshine Conversations conversation; else empty

  friend bool operator==(const webhook_message&, const webhook_message&) = default;
};

/// What the platform says a message costs (a status's `pricing`).
struct CHATDESK_API webhook_pricing {
  std::optional<bool> billable;  ///< deprecated by the platform; absent in newer bodies
  std::string pricing_model;     ///< "CBP", "PMP"
  std::string type;              ///< "regular", "free_customer_service", "free_entry_point"
  std::string category;          ///< "marketing", "utility", "authentication", "service", ...
  std::string subtype{};         ///< "paid_exempt" (an exempt business's service message, from 2026-10-01)

  friend bool operator==(const webhook_pricing&, const webhook_pricing&) = default;
};

/// The conversation a status belongs to (a status's `conversation`).
struct CHATDESK_API webhook_conversation {
  std::string id;
  std::optional<timestamp> expires;  ///< `expiration_timestamp`, on the first status only
  std::string origin;                ///< `origin.type`: "marketing", "service", "referral_conversion", ...

  friend bool operator==(const webhook_conversation&, const webhook_conversation&) = default;
};

/// A status of a message the business sent.
struct CHATDESK_API webhook_status {
  webhook_metadata metadata;
  std::string id;           ///< the message's id
  std::string status_text;  ///< as received: "sent", "delivered", "read", "failed", "played", ...
  std::optional<message_status> status;  ///< the status chatdesk models, when it is one
  timestamp at{};
  std::string recipient_id;              ///< as received
  phone_number recipient;                ///< parsed from `recipient_id`; empty when it is not a phone number
  std::string recipient_type;            ///< "group" for group messages, else empty
  std::string biz_opaque_callback_data;  ///< echoed from the send request
  std::optional<webhook_pricing> pricing;
  std::optional<webhook_conversation> conversation;
  std::vector<status_error> errors;
  /// The item's `type`: "payment" for a payment's status (then `status` is
  /// nullopt, `status_text` is "pending", "captured" or "failed", and
  /// `payment` holds the notice); else empty.
  std::string type{};
  std::optional<payment_notice> payment{};

  friend bool operator==(const webhook_status&, const webhook_status&) = default;
};

/// A template's review status, quality or category changed.
struct CHATDESK_API webhook_template_update {
  std::string account_id;
  std::string field;            ///< "message_template_status_update", "message_template_quality_update",
                                ///< "template_category_update"
  std::optional<timestamp> at;  ///< the entry's `time`
  std::string template_id;
  std::string name;
  std::string language;
  std::string event;     ///< status updates: "APPROVED", "REJECTED", "PAUSED", "DISABLED", ...
  std::string reason;    ///< status updates: why
  std::string previous;  ///< quality or category updates: before ("GREEN", "UTILITY")
  std::string current;   ///< quality or category updates: after ("YELLOW", "MARKETING")

  friend bool operator==(const webhook_template_update&, const webhook_template_update&) = default;
};

/// An update about the account or a number: quality, messaging limit, review, name.
struct CHATDESK_API webhook_account_update {
  std::string account_id;
  std::string field;  ///< "account_update", "phone_number_quality_update", "business_capability_update", ...
  std::optional<timestamp> at;  ///< the entry's `time`
  std::string event;            ///< `event` or `decision`, as received
  std::string display_phone_number;
  std::string messaging_limit;  ///< "TIER_2K", ... when given
  std::string raw_json;         ///< the change's value, as received

  friend bool operator==(const webhook_account_update&, const webhook_account_update&) = default;
};

/// A change whose `field` chatdesk does not know: reported, not dropped.
struct CHATDESK_API webhook_unknown_field {
  std::string account_id;
  std::string field;
  std::string raw_json;  ///< the change's value, as received (empty for a messages-shaped value)

  friend bool operator==(const webhook_unknown_field&, const webhook_unknown_field&) = default;
};

/// Errors the platform reports about the number or the account, outside any message.
struct CHATDESK_API webhook_errors {
  webhook_metadata metadata;
  std::vector<status_error> errors;

  friend bool operator==(const webhook_errors&, const webhook_errors&) = default;
};

/// A message an agent wrote in a CRM (Zendesk's `conversation:message` by a
/// business author): to be sent to the customer through the desk, which
/// applies its policies first.
struct CHATDESK_API webhook_agent_message {
  webhook_metadata metadata;
  std::string conversation_id;
  std::string id;           ///< the CRM's message id
  std::string author_id;    ///< the agent's id, when given
  std::string author_name;  ///< the agent's display name
  timestamp at{};
  chatdesk::content content;

  friend bool operator==(const webhook_agent_message&, const webhook_agent_message&) = default;
};

/// One decoded event.
using webhook_event =
    std::variant<webhook_message, webhook_status, webhook_template_update, webhook_account_update,
                 webhook_unknown_field, webhook_errors, webhook_agent_message>;

/// What an event is, in a word: "message", "unsupported" (a message of a type
/// chatdesk does not model), "status", "template_update", "account_update",
/// "unknown_field", "errors", "agent_message".
[[nodiscard]] CHATDESK_API std::string_view event_kind(const webhook_event& e) noexcept;

/// One JSON object describing an event, on one line: `kind`, `id`, `type`,
/// `from` or `recipient`, `timestamp` (ISO 8601) and the event's details
/// (`pricing` for statuses). This is what `chatdesk webhook decode` prints.
[[nodiscard]] CHATDESK_API std::string to_json_line(const webhook_event& e);

/// Every event of one webhook body, in body order.
struct CHATDESK_API webhook_batch {
  std::string object;  ///< the body's `object` ("whatsapp_business_account")
  std::vector<webhook_event> events;

  friend bool operator==(const webhook_batch&, const webhook_batch&) = default;
};

/// Limits that keep a hostile body from exhausting memory or time.
struct CHATDESK_API webhook_limits {
  std::size_t max_body_bytes = std::size_t{16} * 1024 * 1024;  ///< larger bodies are refused unread
  /// Raw JSON kept for the caller (unsupported messages, unknown fields,
  /// account updates) nested deeper than this is refused. The decoder itself
  /// descends at most a dozen levels, only into keys it knows, and never into
  /// values it skips, so no body can make it recurse or overflow.
  std::size_t max_depth = 64;
  std::size_t max_events = 100000;  ///< more events are refused
};

/// How a decoder reads a body: a fast path, and a reference path that words
/// every error (see `chatdesk/wire/detail/webhook_paths.hpp`, a tuning and
/// testing header, and docs/wire.md). Both give the same events for every body.
enum class webhook_path : std::uint8_t;
class webhook_decoder;
namespace detail {
CHATDESK_API void prefer_path(webhook_decoder& decoder, webhook_path path) noexcept;
[[nodiscard]] CHATDESK_API webhook_path last_path(const webhook_decoder& decoder) noexcept;
}  // namespace detail

/// Decodes platform webhook bodies. Keeps its parsers and buffers between
/// calls, and `decode_into` reuses the batch's events, so one decoder and one
/// batch per thread decode a steady stream of typical bodies with few or no
/// allocations; not thread-safe.
///
/// Errors name the JSON path (`error::where`, such as
/// `entry[0].changes[1].value.messages[3].timestamp`):
/// `webhook.too_large`, `webhook.syntax` (not JSON, or nested deeper than the
/// limit), `webhook.type` (a value of the wrong JSON type), `webhook.missing`
/// (a required id or field is absent), `webhook.value` (a timestamp or number
/// out of range), `webhook.too_many_events`.
class CHATDESK_API webhook_decoder {
 public:
  explicit webhook_decoder(webhook_limits limits = {});
  ~webhook_decoder();
  webhook_decoder(webhook_decoder&&) noexcept;
  webhook_decoder& operator=(webhook_decoder&&) noexcept;

  /// Decodes one body.
  [[nodiscard]] result<webhook_batch> decode(std::string_view body);
  /// Decodes one body into `out`, replacing its events (reusing their
  /// storage); on error `out` is left empty.
  result<void> decode_into(std::string_view body, webhook_batch& out);

 private:
  friend void detail::prefer_path(webhook_decoder& decoder, webhook_path path) noexcept;
  friend webhook_path detail::last_path(const webhook_decoder& decoder) noexcept;

  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Decodes one platform webhook body with a decoder made for the call: the
/// same events and errors as `webhook_decoder::decode`, in the style of
/// `decode_twilio_webhook` and `decode_zendesk_webhook`. Keep a
/// `webhook_decoder` per thread instead when bodies arrive in a steady stream:
/// it reuses its parsers and buffers.
[[nodiscard]] CHATDESK_API result<webhook_batch> decode_webhook(std::string_view body,
                                                                webhook_limits limits = {});

}  // namespace chatdesk
