/// @file
/// Send requests in the platform's shape (`POST /<PHONE_NUMBER_ID>/messages`),
/// and the platform's answers: the send response and API error objects,
/// mapped to errors with stable codes a caller can show a person.
///
/// One encoder serves every message type, templates included: a template
/// bound by the templates module is encoded from `to_content(bound)`, so what
/// a desk's transport posts and what `send_request_json` prints are the same
/// bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/templates/binding.hpp"

namespace chatdesk {

/// What a send request carries besides its content.
struct CHATDESK_API send_options {
  std::string reply_to;                  ///< the message id this replies to (`context.message_id`)
  std::string biz_opaque_callback_data;  ///< echoed in this message's status webhooks (at most 512 bytes)
};

/// Appends the send request for `c` to `to`, byte for byte in the documented
/// shape: `{"messaging_product":"whatsapp","recipient_type":"individual",
/// "to":"+...","type":...,...}`. Checks the platform's limits first, in
/// characters (code points), and appends nothing when one is broken:
/// `send.limit` (text 4,096; captions 1,024; interactive body 1,024, header
/// and footer 60; 1 to 3 reply buttons with titles of at most 20 and unique
/// ids; list rows 1 to 10, titles 24, descriptions 72, button label 20),
/// `send.invalid` (invalid UTF-8, a media without id or link, coordinates that
/// are not numbers, order parameters that are not a JSON object),
/// `send.unsupported` (content only a customer sends: replies, orders, system
/// notices, unsupported types). A template's header, body and button values
/// go out typed as given (text, currency, date_time, image/video/document
/// header), with `parameter_name` for values keyed by name.
CHATDESK_API result<void> append_send_request(std::string& out, const phone_number& to, const content& c,
                                              const send_options& options = {});
/// The same, as a new string.
[[nodiscard]] CHATDESK_API result<std::string> encode_send_request(const phone_number& to, const content& c,
                                                                   const send_options& options = {});

/// The send request for an outbound message as the desk hands it to a
/// transport (`outbound_message::message`): to its customer, its content,
/// quoting `context.message_id` when it answers a customer's message.
/// `options.reply_to`, when set, wins over the message's context.
[[nodiscard]] CHATDESK_API result<std::string> encode_send_request(const message& outbound,
                                                                   const send_options& options = {});

/// The request that marks a customer's message read, posted to the same
/// endpoint as sends: `{"messaging_product":"whatsapp","status":"read",
/// "message_id":"wamid..."}`, with `typing` adding
/// `"typing_indicator":{"type":"text"}` (the customer sees the business
/// typing until it replies, or for about 25 seconds). Error `send.invalid`
/// for an empty id or one that is not valid UTF-8.
[[nodiscard]] CHATDESK_API result<std::string> encode_read_receipt(std::string_view message_id,
                                                                   bool typing = false);

/// The most buttons a template has, so the highest button index is 9.
inline constexpr std::size_t max_template_buttons = 10;

/// The send request for a bound template: `encode_send_request(to,
/// to_content(bound), options)`, e.g. `{"messaging_product":"whatsapp",
/// "recipient_type":"individual","to":"+...","type":"template","template":
/// {"name":..,"language":{"code":..},"components":[...]}}`.
[[nodiscard]] CHATDESK_API result<std::string> send_request_json(const bound_template& bound,
                                                                 const phone_number& to,
                                                                 const send_options& options = {});
/// The same, appended to `out` (nothing is appended on an error).
CHATDESK_API result<void> append_send_request(std::string& out, const phone_number& to,
                                              const bound_template& bound, const send_options& options = {});

/// The platform's answer to an accepted send.
struct CHATDESK_API send_response {
  std::string input;           ///< the number as sent
  std::string wa_id;           ///< the customer's WhatsApp id
  std::string message_id;      ///< "wamid...."
  std::string message_status;  ///< "accepted", "held_for_quality_assessment", or empty
};

/// Decodes `{"messaging_product":"whatsapp","contacts":[{"input":..,"wa_id":..}],
/// "messages":[{"id":..}]}`. Errors: `send.response` (not JSON, or no message id).
[[nodiscard]] CHATDESK_API result<send_response> decode_send_response(std::string_view body);

/// An error object the platform returned (`{"error":{...}}`).
struct CHATDESK_API api_error {
  int code = 0;         ///< 131047, 131056, 130429, 132000, ...
  int subcode = 0;      ///< `error_subcode`, when given
  std::string type;     ///< "OAuthException", ...
  std::string title;    ///< `error_user_title`, or the title of `error_data`
  std::string message;  ///< `message`
  std::string details;  ///< `error_data.details`
  std::string fbtrace_id;
};

/// Decodes an error response body. Error `send.error_body` when it holds no error object.
[[nodiscard]] CHATDESK_API result<api_error> decode_api_error(std::string_view body);

/// What a platform error code means, in a word: "re_engagement" (131047),
/// "pair_rate_limit" (131056), "throughput" (130429), "parameter_mismatch"
/// (132000), "template_missing" (132001), "template_paused" (132015),
/// "template_disabled" (132016), "not_delivered_marketing" (131049),
/// "unsupported_recipient" (131026), "spam_rate_limit" (131048),
/// "invalid_parameter" (131009, 100), "access_token" (190), "upgrading"
/// (131057), "service_unavailable" (131000, 131016), "rate_limit" (4, 80007,
/// 130472), or "unknown".
[[nodiscard]] CHATDESK_API std::string_view platform_error_name(int code) noexcept;

/// True for errors that may succeed if sent again later (throughput, pair
/// rate, service trouble), false for those that never will as they are.
[[nodiscard]] CHATDESK_API bool platform_error_retryable(int code) noexcept;

/// The error as chatdesk reports it: code `platform.<name>`, a message a person
/// can read (the platform's title and details, with what to do), where = the
/// numeric code.
[[nodiscard]] CHATDESK_API error to_error(const api_error& e);
/// The same for a status's error (`errors[]` in a failed status).
[[nodiscard]] CHATDESK_API error to_error(const status_error& e);

}  // namespace chatdesk
