/// @file
/// Webhook authenticity: the platform's `X-Hub-Signature-256` (HMAC-SHA256 of
/// the raw body with the app secret), its GET subscription handshake, and the
/// case-insensitive header look-up an HTTP server needs for them.
///
/// Signatures need OpenSSL (the CMake option CHATDESK_WITH_OPENSSL, on by
/// default). Built without it, every check refuses with
/// `signature.unavailable`, so an application can never silently accept an
/// unchecked body.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// One HTTP header as the application's server received it.
/// It owns its text, so a header made from a temporary
/// (`{hub_signature_header, hub_signature(body, secret).value()}`) is safe.
struct CHATDESK_API http_header {
  std::string name;
  std::string value;
};

/// The value of the first header called `name`, compared without regard to
/// ASCII case ("x-hub-signature-256" finds "X-Hub-Signature-256").
[[nodiscard]] CHATDESK_API std::optional<std::string_view> find_header(std::span<const http_header> headers,
                                                                       std::string_view name) noexcept;
/// The value views the headers: not from a temporary list.
std::optional<std::string_view> find_header(std::vector<http_header>&& headers,
                                            std::string_view name) = delete;

/// The header name the platform signs its webhooks with.
inline constexpr std::string_view hub_signature_header = "X-Hub-Signature-256";

/// True when chatdesk was built with OpenSSL, so signatures can be made and checked.
[[nodiscard]] CHATDESK_API bool signatures_available() noexcept;

/// Checks `X-Hub-Signature-256` values against one app secret. The key is
/// prepared once; `verify` is const and may be called from many threads.
class CHATDESK_API hub_verifier {
 public:
  /// An empty secret is refused by every `verify` (`signature.no_secret`).
  explicit hub_verifier(std::string_view app_secret);
  ~hub_verifier();
  hub_verifier(hub_verifier&&) noexcept;
  hub_verifier& operator=(hub_verifier&&) noexcept;

  /// Checks a header value `sha256=<64 hex digits>` against the raw body, in
  /// constant time. Errors: `signature.missing` (empty value),
  /// `signature.malformed` (no `sha256=` prefix, or not 64 hex digits),
  /// `signature.mismatch`, `signature.no_secret`, `signature.unavailable`.
  [[nodiscard]] result<void> verify(std::string_view body, std::string_view header_value) const;
  /// Finds the header (any case) and checks it; a missing header is `signature.missing`.
  [[nodiscard]] result<void> verify(std::string_view body, std::span<const http_header> headers) const;
  /// The header value a sender sets for `body`: `sha256=<hex>`.
  [[nodiscard]] result<std::string> sign(std::string_view body) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// One-shot forms of the above.
[[nodiscard]] CHATDESK_API result<void> verify_hub_signature(std::string_view body,
                                                             std::string_view header_value,
                                                             std::string_view app_secret);
[[nodiscard]] CHATDESK_API result<std::string> hub_signature(std::string_view body,
                                                             std::string_view app_secret);

/// The GET verification request's parameters.
struct CHATDESK_API subscription_request {
  std::string mode;          ///< `hub.mode`: must be "subscribe"
  std::string verify_token;  ///< `hub.verify_token`: must equal the application's token
  std::string challenge;     ///< `hub.challenge`: echoed back on success
};

/// Reads the handshake's parameters from a URL query string
/// (`hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=...`),
/// percent-decoding them. Error `subscription.malformed` for bad escapes.
[[nodiscard]] CHATDESK_API result<subscription_request> parse_subscription_query(std::string_view query);

/// The body to answer a verification request with (its challenge, with
/// status 200), or a refusal to answer with a 403: `subscription.mode` (not
/// "subscribe"), `subscription.token` (wrong token; compared in constant
/// time), `subscription.challenge` (empty challenge), `subscription.no_token`
/// (the application configured no token).
[[nodiscard]] CHATDESK_API result<std::string> answer_subscription(const subscription_request& request,
                                                                   std::string_view expected_token);

/// Constant-time equality of two byte strings (their lengths are not secret).
[[nodiscard]] CHATDESK_API bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace chatdesk
