/// @file
/// Zendesk Sunshine Conversations: v2 webhook bodies decoded into the same
/// typed events as the platform's, and message posts encoded, so a business
/// can mirror chatdesk conversations into agents' views and take agents'
/// replies back through the desk's policy checks.
///
/// The payload shapes follow Sunshine Conversations' v2 webhooks
/// (`{app, webhook, events: [{id, createdAt, type, payload}]}`); PLATFORM.md
/// marks parts of them unconfirmed, and docs/wire.md says what was chosen.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace chatdesk {

/// The header carrying the webhook's shared secret.
inline constexpr std::string_view zendesk_secret_header = "X-API-Key";

/// Checks the shared secret a Sunshine Conversations webhook sends, in
/// constant time. Errors: `signature.missing`, `signature.mismatch`,
/// `signature.no_secret`.
[[nodiscard]] CHATDESK_API result<void> verify_zendesk_secret(std::string_view header_value,
                                                              std::string_view secret);

/// Decodes a v2 webhook body. Per event `type`:
/// - `conversation:message` by a `user` author: a `webhook_message`
///   (`from` is the Sunshine user id; `customer` is empty unless the source
///   names a WhatsApp number); by a `business` author: a `webhook_agent_message`.
/// - `conversation:postback`: a `webhook_message` with a quick-reply content.
/// - `conversation:read`: a `webhook_status` "read" for the conversation.
/// - `conversation:message:delivery:channel` / `:user` / `:failure`: a
///   `webhook_status` "sent" / "delivered" / "failed" (with the error).
/// - other types: a `webhook_unknown_field` naming the type.
/// Metadata: `account_id` is the app id, `phone_number_id` the integration id.
/// Errors (with a JSON path): `zendesk.syntax`, `zendesk.type`,
/// `zendesk.missing`, `zendesk.value`, `zendesk.too_large` (over
/// `max_body_bytes`), `zendesk.too_deep` (nested over 64 levels).
[[nodiscard]] CHATDESK_API result<webhook_batch> decode_zendesk_webhook(std::string_view body,
                                                                        std::size_t max_body_bytes = 16U
                                                                                                     << 20U);

/// Who a posted message is from.
struct CHATDESK_API zendesk_author {
  std::string type = "business";  ///< "business" for the brand's messages
  std::string display_name;       ///< shown to agents, e.g. the bot's or agent's name
  std::string avatar_url;
};

/// The body of `POST /v2/apps/{appId}/conversations/{conversationId}/messages`
/// for chatdesk content: text (with reply buttons and links as actions),
/// images and other media (as `image` or `file` with `mediaUrl`), locations.
/// Errors: `zendesk.unsupported` (templates, reactions, replies: render a
/// template to text first), `zendesk.invalid` (media without a link,
/// invalid UTF-8).
[[nodiscard]] CHATDESK_API result<std::string> zendesk_message_body(const content& c,
                                                                    const zendesk_author& author = {});

/// The path of the messages resource for a conversation.
[[nodiscard]] CHATDESK_API std::string zendesk_messages_path(std::string_view app_id,
                                                             std::string_view conversation_id);

}  // namespace chatdesk
