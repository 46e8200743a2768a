/// @file
/// The model's values as JSON documents, every field kept: what a store
/// writes (a conversation's transcript, the businesses it serves) and reads
/// back as the same values.
///
/// A message:
///
///     {"direction":"inbound","id":"wamid...","correlation_id":"",
///      "business_number_id":"1065...","customer":"+3933...","at_ms":1772442000000,
///      "content":{"type":"text","body":"Ciao","preview_url":false},
///      "context":{...},"referral":{...}}
///
/// `content.type` is `type_name` of the content ("text", "template", "image",
/// ... "system", or `unsupported` for content chatdesk does not model, whose
/// own type is in `content.unsupported_type`). This is chatdesk's own format
/// for storage, not the platform's send request (see `wire/send.hpp`).
#pragma once

#include <string>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/message.hpp"

namespace chatdesk {

/// The message as one JSON object on one line.
[[nodiscard]] CHATDESK_API std::string to_json(const message& m);

/// Reads what `to_json` wrote. Errors `message.json`: not JSON, nested too
/// deeply, a field of the wrong type, an unknown content type or enum name,
/// a customer that is not a phone number; the message names the field.
[[nodiscard]] CHATDESK_API result<message> parse_message(std::string_view json);

/// A business as one JSON object: `{"id":..,"display_name":..,"zone":"Europe/Rome",
/// "home_country":"IT","billing_currency":"EUR","numbers":[{"id":..,"number":"+39..",
/// "throughput_per_second":80}],"tier":"1K","quality":"GREEN","paid_exempt":false,
/// "auth_international_from_ms":null,"opt_out_keywords":[..],"opt_in_keywords":[..]}`.
[[nodiscard]] CHATDESK_API std::string to_json(const business& b);

/// Reads what `to_json` wrote, checking every value (the zone in the zone
/// database, the country and currency in their tables, the numbers) and the
/// whole (`business::validate`). Errors `business.json` naming the field, or
/// the validation's.
[[nodiscard]] CHATDESK_API result<business> parse_business(std::string_view json);

}  // namespace chatdesk
