/// @file
/// `application/x-www-form-urlencoded` bodies and query strings, as Twilio's
/// webhooks and the platform's verification request use them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// Form parameters in the order received or to be sent.
using form_parameters = std::vector<std::pair<std::string, std::string>>;

/// Decodes `application/x-www-form-urlencoded` (`+` is a space, `%XX` a
/// byte). Errors: `form.malformed` (a bad escape, naming the parameter),
/// `form.too_large` (more than `max_bytes`).
[[nodiscard]] CHATDESK_API result<form_parameters> parse_form(std::string_view body,
                                                              std::size_t max_bytes = 1U << 20U);
/// Encodes parameters as a form body (RFC 3986 unreserved characters kept, space as `%20`).
[[nodiscard]] CHATDESK_API std::string encode_form(const form_parameters& parameters);
/// The value of the first parameter called `name`, or empty.
[[nodiscard]] CHATDESK_API std::string_view form_value(
    const form_parameters& parameters CHATDESK_LIFETIME_BOUND, std::string_view name) noexcept;
/// The value views the parameters: not a temporary list's.
std::string_view form_value(form_parameters&& parameters, std::string_view name) = delete;

}  // namespace chatdesk
