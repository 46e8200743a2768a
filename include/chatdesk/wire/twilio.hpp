/// @file
/// Twilio's WhatsApp formats: `whatsapp:+E164` addresses, the form-encoded
/// parameters of `POST /2010-04-01/Accounts/{AccountSid}/Messages`, inbound
/// message and status-callback form bodies decoded into the same typed events
/// as the platform's webhooks, templates as Content API variables, and the
/// `X-Twilio-Signature` check (HMAC-SHA1 over the URL and the sorted
/// parameters, Base64; and the `bodySHA256` variant for JSON bodies).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/wire/form.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace chatdesk {

/// `whatsapp:+14155238886` for a number.
[[nodiscard]] CHATDESK_API std::string twilio_address(const phone_number& number);
/// The number in a `whatsapp:+...` address. Errors: `twilio.address` (not a
/// WhatsApp address) or the phone number's own error.
[[nodiscard]] CHATDESK_API result<phone_number> parse_twilio_address(std::string_view address);

/// One outbound message for Twilio's Messages resource.
struct CHATDESK_API twilio_message {
  phone_number to;
  phone_number from;                  ///< the business's WhatsApp sender; or use messaging_service_sid
  std::string messaging_service_sid;  ///< "MG..."
  std::string body;
  std::vector<std::string> media_urls;
  std::string content_sid;  ///< "HX" and 32 hex digits: an approved Content API template
  /// Content API variables, by the template's placeholders ("1", "2" or names).
  std::vector<std::pair<std::string, std::string>> content_variables;
  std::string status_callback;  ///< URL for status callbacks
};

/// The form parameters for a message: `To`, `From` (or `MessagingServiceSid`),
/// `Body`, `MediaUrl` (repeated), `ContentSid`, `ContentVariables` (a JSON
/// object as a string), `StatusCallback`. Errors: `twilio.invalid` (no
/// recipient or sender, nothing to send, a malformed ContentSid, variables
/// without a ContentSid), `twilio.limit` (more than 100 variables, a key over
/// 16 or a value over 1,600 characters, a body over 1,600 characters).
[[nodiscard]] CHATDESK_API result<form_parameters> twilio_message_parameters(const twilio_message& m);

/// Where one value of a template message goes in a Twilio Content template,
/// whose variables share one namespace across its parts.
struct CHATDESK_API twilio_variable {
  enum class part : std::uint8_t { header, body, button };
  part where = part::body;
  /// body: the value's key ("1", "order_id"); header: empty; button: its index ("0").
  std::string key;
  /// The Content template's variable: 1 to 16 letters, digits or underscores.
  std::string variable;
};

/// The Content API variables of a template message. With no `map`, the
/// values are numbered as a Content template built from the platform's
/// template numbers them: in a positional template the header's text
/// variable is "1", the body's values follow in order, then the buttons'
/// values; in a named template the header's and body's values keep their
/// names and the buttons' values are numbered from "1". A media header is
/// the Content template's own media and sends no variable unless the map
/// names one (its value is then the media's link). Currencies and dates
/// send the text they show. With a map, every value needs an entry.
/// Errors: `twilio.unmapped` (a value the map does not place),
/// `twilio.unsupported` (a media header without a link: Twilio takes media
/// by URL), `twilio.limit` (a name the Content API refuses: more than 16
/// characters, or other than letters, digits and underscores).
[[nodiscard]] CHATDESK_API result<std::vector<std::pair<std::string, std::string>>> twilio_content_variables(
    const template_content& t, std::span<const twilio_variable> map = {});

/// A message for content chatdesk models: text as `Body`; media as `MediaUrl`
/// with its caption as `Body`; a template as `ContentSid` (which the caller
/// gives: Twilio names templates by their Content SID) with its values as
/// `ContentVariables` (`twilio_content_variables`, through `map` when
/// given). Error `twilio.unsupported` for other content.
[[nodiscard]] CHATDESK_API result<twilio_message> to_twilio_message(
    const phone_number& to, const phone_number& from, const content& c, std::string_view content_sid = {},
    std::span<const twilio_variable> map = {});

/// Decodes a Twilio webhook form body: an inbound message (`SmsStatus` or
/// `MessageStatus` "received") becomes a `webhook_message` (text, media,
/// location, quick-reply button, with referral, reply context and profile
/// name), a status callback a `webhook_status` (sent, delivered, read;
/// undelivered and failed as failed with `ErrorCode`; queued, sending and
/// others keep their text with no modelled status). Twilio sends no time:
/// events carry `received_at`. Metadata: `account_id` is the AccountSid,
/// `phone_number_id` and `display_phone_number` the business's number.
/// Errors: `form.malformed`, `twilio.missing` (no MessageSid, From or To),
/// `twilio.address`, `twilio.invalid` (a value that is not valid UTF-8 once
/// its percent escapes are decoded, naming the parameter).
[[nodiscard]] CHATDESK_API result<webhook_batch> decode_twilio_webhook(std::string_view form_body,
                                                                       timestamp received_at);

/// The header Twilio signs its requests with.
inline constexpr std::string_view twilio_signature_header = "X-Twilio-Signature";

/// The signature Twilio computes for a form request: Base64 of HMAC-SHA1
/// with the auth token over the full URL followed by every parameter's name
/// and value, sorted by name. Error `signature.unavailable` without OpenSSL.
[[nodiscard]] CHATDESK_API result<std::string> twilio_signature(std::string_view url,
                                                                const form_parameters& parameters,
                                                                std::string_view auth_token);

/// Checks `X-Twilio-Signature` for a form request, in constant time. Like
/// Twilio's own libraries it accepts the URL with or without its default
/// port (443 or 80). Errors: `signature.missing`, `signature.mismatch`,
/// `signature.no_secret`, `signature.unavailable`, and `signature.body_hash`
/// when the URL carries `bodySHA256` (then the body must be checked against
/// it: use `verify_twilio_request` with the raw body).
///
/// A limit of Twilio's scheme, not of this check: the signed text is each
/// name followed by its value with nothing between, so the same signature
/// holds for `Body=Ciao` and `BodyC=iao`. An attacker without the auth token
/// still cannot change a value's bytes, only how they split into names and
/// values; read only the parameters you expect, and prefer `bodySHA256`
/// (JSON bodies) where Twilio offers it.
[[nodiscard]] CHATDESK_API result<void> verify_twilio_signature(std::string_view url,
                                                                const form_parameters& parameters,
                                                                std::string_view header_value,
                                                                std::string_view auth_token);

/// Checks a JSON-body request: the URL carries `bodySHA256`, the hex SHA-256
/// of the body, and the signature covers the URL alone. Errors as above, and
/// `signature.body_hash` when the body does not match `bodySHA256` or the
/// URL has none.
[[nodiscard]] CHATDESK_API result<void> verify_twilio_json_signature(std::string_view url,
                                                                     std::string_view body,
                                                                     std::string_view header_value,
                                                                     std::string_view auth_token);

/// Checks a request as Twilio sent it, whatever its kind: when the URL
/// carries `bodySHA256` the raw body is checked against it and the signature
/// covers the URL (`verify_twilio_json_signature`); otherwise the body is a
/// form and its parameters are signed (`verify_twilio_signature`). The one
/// call to use when the raw body is at hand. Errors as above and `form.malformed`.
[[nodiscard]] CHATDESK_API result<void> verify_twilio_request(std::string_view url, std::string_view raw_body,
                                                              std::string_view header_value,
                                                              std::string_view auth_token);

}  // namespace chatdesk
