/// @file
/// UTF-8 checks and lengths: platform limits count characters (Unicode code
/// points), not bytes, and invalid UTF-8 is an error, never a crash.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "chatdesk/core/export.hpp"

namespace chatdesk::utf8 {

/// The number of code points in `text`, or nullopt if it is not valid UTF-8
/// (overlong forms, surrogates, code points above U+10FFFF and truncated
/// sequences are invalid).
[[nodiscard]] CHATDESK_API std::optional<std::size_t> length(std::string_view text) noexcept;

/// The byte offset of the first invalid sequence, or nullopt if `text` is valid.
[[nodiscard]] CHATDESK_API std::optional<std::size_t> first_invalid(std::string_view text) noexcept;

/// `text` made safe to quote in an error message or a log: at most about
/// `max_bytes` bytes, never cut inside a character (a cut adds "..."),
/// control characters and bytes that are not valid UTF-8 written as \xNN.
/// The result is always valid UTF-8.
[[nodiscard]] CHATDESK_API std::string printable(std::string_view text, std::size_t max_bytes = 64);

/// `text` with every byte that is not part of valid UTF-8 written as \xNN and
/// everything else kept as it is: the result is valid UTF-8.
[[nodiscard]] CHATDESK_API std::string escape_invalid(std::string_view text);

/// The bytes of the character that starts at `offset` in `text` (one byte
/// when it is not valid UTF-8 there), so an error can name the whole character.
[[nodiscard]] CHATDESK_API std::string_view character_at(std::string_view text, std::size_t offset) noexcept;

/// True when `text` is valid UTF-8.
[[nodiscard]] inline bool valid(std::string_view text) noexcept {
  return !first_invalid(text).has_value();
}

}  // namespace chatdesk::utf8
