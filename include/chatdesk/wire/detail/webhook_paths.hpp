/// @file
/// Tuning and testing hooks of the webhook decoder: which of its two paths
/// reads a body. Applications never need them; the tests use them to check
/// the two paths against each other, and a fuzz target to reach the
/// reference path directly. Not part of the stable API.
#pragma once

#include <cstdint>
#include <string_view>

#include "chatdesk/core/export.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace chatdesk {

/// How a decoder reads a body.
///
/// `fast` parses the whole body with simdjson's DOM parser (its parsing stage
/// is picked at run time for the CPU) and copies the values out. Where text
/// must be kept exactly as received (the raw JSON of unsupported messages,
/// unknown fields and account updates; numbers kept as written, such as
/// coordinates, prices and numeric ids), and on any problem with the body, it
/// hands the body to `reference`, which reads it in place with simdjson's
/// On-Demand API and words every error with its JSON path. Both give the same
/// events for every body. Bodies over 1 MiB go straight to `reference`, so
/// the fast path's buffers (about 14 bytes per body byte) stay small.
enum class webhook_path : std::uint8_t { fast, reference };
[[nodiscard]] CHATDESK_API std::string_view to_string(webhook_path p) noexcept;  ///< "fast", "reference"

namespace detail {

/// Which path to try first: `fast` (the default) or `reference` only (to
/// compare the two, or to rule the fast path out).
CHATDESK_API void prefer_path(webhook_decoder& decoder, webhook_path path) noexcept;
/// Which path decoded (or refused) the last body.
[[nodiscard]] CHATDESK_API webhook_path last_path(const webhook_decoder& decoder) noexcept;

}  // namespace detail
}  // namespace chatdesk
