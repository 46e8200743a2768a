/// @file
/// UTF-8 checks and lengths: platform limits count characters (Unicode code
/// points), not bytes, and invalid UTF-8 is an error, never a crash.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace chatdesk::utf8 {

/// The number of code points in `text`, or nullopt if it is not valid UTF-8
/// (overlong forms, surrogates, code points above U+10FFFF and truncated
/// sequences are invalid).
[[nodiscard]] std::optional<std::size_t> length(std::string_view text) noexcept;

/// The byte offset of the first invalid sequence, or nullopt if `text` is valid.
[[nodiscard]] std::optional<std::size_t> first_invalid(std::string_view text) noexcept;

/// True when `text` is valid UTF-8.
[[nodiscard]] inline bool valid(std::string_view text) noexcept {
  return !first_invalid(text).has_value();
}

}  // namespace chatdesk::utf8
