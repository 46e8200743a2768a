/// @file
/// Overflow-checked 64-bit integer arithmetic (internal).
#pragma once

#include <cstdint>
#include <limits>

namespace chatdesk::detail {

/// `*out = a + b`; false on overflow.
[[nodiscard]] constexpr bool checked_add(std::int64_t a, std::int64_t b, std::int64_t* out) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return !__builtin_add_overflow(a, b, out);
#else
  if ((b > 0 && a > std::numeric_limits<std::int64_t>::max() - b) ||
      (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b))
    return false;
  *out = a + b;
  return true;
#endif
}

/// `*out = a - b`; false on overflow.
[[nodiscard]] constexpr bool checked_sub(std::int64_t a, std::int64_t b, std::int64_t* out) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return !__builtin_sub_overflow(a, b, out);
#else
  if ((b < 0 && a > std::numeric_limits<std::int64_t>::max() + b) ||
      (b > 0 && a < std::numeric_limits<std::int64_t>::min() + b))
    return false;
  *out = a - b;
  return true;
#endif
}

/// `*out = a * b`; false on overflow.
[[nodiscard]] constexpr bool checked_mul(std::int64_t a, std::int64_t b, std::int64_t* out) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return !__builtin_mul_overflow(a, b, out);
#else
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  if (a == 0 || b == 0) {
    *out = 0;
    return true;
  }
  if ((a == -1 && b == min) || (b == -1 && a == min)) return false;
  if (a > 0 ? (b > 0 ? a > max / b : b < min / a) : (b > 0 ? a < min / b : a < max / b)) return false;
  *out = a * b;
  return true;
#endif
}

}  // namespace chatdesk::detail
