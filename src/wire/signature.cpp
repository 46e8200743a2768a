#include "chatdesk/wire/signature.hpp"

#include "chatdesk/wire/form.hpp"

#include <fmt/format.h>

#include "../core/ascii.hpp"
#include "chatdesk/core/utf8.hpp"
#include "crypto.hpp"

#if CHATDESK_WITH_OPENSSL
#include <openssl/crypto.h>
#endif

namespace chatdesk {

std::optional<std::string_view> find_header(std::span<const http_header> headers,
                                            std::string_view name) noexcept {
  for (const auto& h : headers)
    if (detail::iequals(h.name, name)) return h.value;
  return std::nullopt;
}

bool signatures_available() noexcept {
  return detail::have_openssl();
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
#if CHATDESK_WITH_OPENSSL
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
#else
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = static_cast<unsigned char>(diff |
                                      (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  return diff == 0;
#endif
}

struct hub_verifier::impl {
  bool has_secret = false;
  detail::prepared_hmac mac;
  impl(std::string_view secret) : has_secret(!secret.empty()), mac(detail::digest::sha256, secret) {}
};

hub_verifier::hub_verifier(std::string_view app_secret) : impl_(std::make_unique<impl>(app_secret)) {}
hub_verifier::~hub_verifier() = default;
hub_verifier::hub_verifier(hub_verifier&&) noexcept = default;
hub_verifier& hub_verifier::operator=(hub_verifier&&) noexcept = default;

result<void> hub_verifier::verify(std::string_view body, std::string_view header_value) const {
  if (!detail::have_openssl()) return detail::openssl_missing("checked");
  if (!impl_->has_secret)
    return make_error("signature.no_secret", "no app secret is configured, so no signature can be accepted");
  const auto value = detail::trim(header_value);
  if (value.empty())
    return make_error("signature.missing",
                      fmt::format("the {} header is missing or empty", hub_signature_header));
  constexpr std::string_view prefix = "sha256=";
  if (value.size() < prefix.size() || !detail::iequals(value.substr(0, prefix.size()), prefix))
    return make_error("signature.malformed",
                      fmt::format("the {} header must start with 'sha256='", hub_signature_header));
  const auto hex = value.substr(prefix.size());
  std::string claimed;
  if (hex.size() != 64)
    return make_error("signature.malformed",
                      fmt::format("the {} header must hold 64 hexadecimal digits after "
                                  "'sha256=', not {} characters",
                                  hub_signature_header, hex.size()));
  if (!detail::from_hex(hex, claimed)) {
    const auto bad = hex.find_first_not_of("0123456789abcdefABCDEF");
    return make_error("signature.malformed",
                      fmt::format("the {} header must hold hexadecimal digits after 'sha256=': character {} "
                                  "is '{}'",
                                  hub_signature_header, prefix.size() + bad + 1,
                                  utf8::printable(utf8::character_at(hex, bad))));
  }
  std::string actual;
  if (!impl_->mac.compute(body, actual)) return detail::hmac_failed(detail::digest::sha256);
  if (!constant_time_equal(actual, claimed))
    return make_error("signature.mismatch",
                      fmt::format("the {} header does not match the body: the body was changed or signed "
                                  "with another app secret",
                                  hub_signature_header));
  return {};
}

result<void> hub_verifier::verify(std::string_view body, std::span<const http_header> headers) const {
  const auto value = find_header(headers, hub_signature_header);
  if (!value) {
    if (!detail::have_openssl()) return detail::openssl_missing("checked");
    return make_error("signature.missing", fmt::format("the request has no {} header", hub_signature_header));
  }
  return verify(body, *value);
}

result<std::string> hub_verifier::sign(std::string_view body) const {
  if (!detail::have_openssl()) return detail::openssl_missing("made");
  if (!impl_->has_secret) return make_error("signature.no_secret", "no app secret to sign with");
  std::string mac;
  if (!impl_->mac.compute(body, mac)) return detail::hmac_failed(detail::digest::sha256);
  return "sha256=" + detail::to_hex(mac);
}

result<void> verify_hub_signature(std::string_view body, std::string_view header_value,
                                  std::string_view app_secret) {
  return hub_verifier(app_secret).verify(body, header_value);
}

result<std::string> hub_signature(std::string_view body, std::string_view app_secret) {
  return hub_verifier(app_secret).sign(body);
}

result<subscription_request> parse_subscription_query(std::string_view query) {
  auto form = parse_form(query, std::size_t{64} * 1024);
  if (!form) return make_error("subscription.malformed", form.error().message, form.error().where);
  subscription_request r;
  r.mode = form_value(*form, "hub.mode");
  r.verify_token = form_value(*form, "hub.verify_token");
  r.challenge = form_value(*form, "hub.challenge");
  return r;
}

result<std::string> answer_subscription(const subscription_request& request,
                                        std::string_view expected_token) {
  if (expected_token.empty())
    return make_error("subscription.no_token",
                      "no verify token is configured, so no subscription can be confirmed");
  if (request.mode != "subscribe")
    return make_error("subscription.mode", fmt::format("hub.mode is '{}', not 'subscribe'", request.mode),
                      "hub.mode");
  if (!constant_time_equal(request.verify_token, expected_token))
    return make_error("subscription.token", "hub.verify_token does not match the configured token",
                      "hub.verify_token");
  if (request.challenge.empty())
    return make_error("subscription.challenge", "hub.challenge is empty", "hub.challenge");
  return request.challenge;
}

}  // namespace chatdesk
