// Look-up helpers shared by the compiled parts (internal).
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chatdesk/core/phone_number.hpp"

namespace chatdesk::detail {

/// A string hash that also takes string_views, for heterogeneous look-ups.
struct text_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// A map from strings searchable with a string_view without building a string.
template <class V>
using text_map = std::unordered_map<std::string, V, text_hash, std::equal_to<>>;

/// A phone number as one integer: its digits (15 at most, no leading zero), 0 for none.
[[nodiscard]] inline std::uint64_t phone_value(const phone_number& p) noexcept {
  std::uint64_t v = 0;
  for (char c : p.digits()) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

/// A phone number as one integer, fast: its digits as 4-bit values (15 at
/// most) and its length in the top 4 bits. Different numbers have different
/// keys; 0 only for the empty number. (Not its numeric value: see phone_value.)
[[nodiscard]] inline std::uint64_t phone_key(const phone_number& p) noexcept {
  const auto d = p.digits();
  const auto n = d.size();  // 0..15
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  // Whole words where the digits fill them, bytes for the rest (no read past the digits).
  if (n >= 8) {
    std::memcpy(&lo, d.data(), 8);
    if (n > 8) {
      std::memcpy(&hi, d.data() + n - 8, 8);  // the last 8 digits, overlapping `lo`
      hi >>= (16 - n) * 8;                    // keep the digits after the first 8
    }
  } else {
    for (std::size_t i = 0; i < n; ++i)
      lo |= static_cast<std::uint64_t>(static_cast<unsigned char>(d[i])) << (8 * i);
  }
  // Each byte '0'..'9' (or 0 past the end) to a nibble, eight nibbles to 32 bits.
  auto pack = [](std::uint64_t x) {
    x &= 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4U)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8U)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16U)) & 0x00000000FFFFFFFFULL;
    return x;
  };
  return pack(lo) | (pack(hi) << 32U) | (static_cast<std::uint64_t>(n) << 60U);
}

}  // namespace chatdesk::detail
