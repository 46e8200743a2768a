/// @file
/// `decimal`: an exact fixed-point number with six fractional digits, for
/// prices and rates that need more precision than a currency's minor unit
/// (0.0034 USD per message). Never floating point.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "chatdesk/core/detail/checked.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// How a value is rounded when digits are dropped.
enum class rounding : std::uint8_t {
  half_even,    ///< to nearest, ties to the even digit (banker's rounding; the default)
  half_up,      ///< to nearest, ties away from zero
  toward_zero,  ///< truncate
};

/// An exact decimal number: a signed 64-bit count of millionths.
///
/// The range is about +/-9.2 trillion with 6 fractional digits. Arithmetic is
/// checked: an overflow throws `chatdesk::exception` with code
/// `decimal.overflow` rather than wrapping. Parsing untrusted text returns a
/// `result`. The type is trivially copyable and totally ordered.
class CHATDESK_API decimal {
 public:
  /// Fractional digits kept exactly.
  static constexpr int scale = 6;
  /// Units in one whole (10^scale).
  static constexpr std::int64_t units_per_one = 1'000'000;

  constexpr decimal() noexcept = default;

  /// The decimal whose raw value is `units` millionths.
  [[nodiscard]] static constexpr decimal from_units(std::int64_t units) noexcept {
    decimal d;
    d.units_ = units;
    return d;
  }

  /// The whole number `n`; throws on overflow.
  [[nodiscard]] static constexpr decimal from_integer(std::int64_t n) {
    if (n > max_whole || n < -max_whole) overflow();
    return from_units(n * units_per_one);
  }

  /// Parses "12", "-0.0034", "+1.500000". At most 6 fractional digits, unless
  /// the extra digits are zeros; no exponent, no spaces, no thousands separators.
  /// Errors: `decimal.empty`, `decimal.syntax`, `decimal.too_precise`,
  /// `decimal.overflow`, each naming the offending character or value.
  [[nodiscard]] static result<decimal> parse(std::string_view text);

  /// The raw value in millionths.
  [[nodiscard]] constexpr std::int64_t units() const noexcept { return units_; }

  /// Shortest exact form with at least `min_fraction_digits` fractional digits:
  /// "0.0034", "12", "-1.5"; with 2: "12.00", "-1.50".
  [[nodiscard]] std::string to_string(int min_fraction_digits = 0) const;

  /// This value rounded to `digits` fractional digits (0..6).
  [[nodiscard]] decimal round(int digits, rounding mode = rounding::half_even) const;

  /// This value divided by `divisor` (not zero), rounded to 6 digits.
  [[nodiscard]] decimal divide(std::int64_t divisor, rounding mode = rounding::half_even) const;

  [[nodiscard]] constexpr bool is_zero() const noexcept { return units_ == 0; }
  [[nodiscard]] constexpr bool is_negative() const noexcept { return units_ < 0; }

  // clang-tidy 14 flags the synthesised comparison against 0 as a null pointer.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend constexpr auto operator<=>(decimal, decimal) noexcept = default;

  constexpr decimal operator-() const {
    if (units_ == std::numeric_limits<std::int64_t>::min()) overflow();
    return from_units(-units_);
  }
  friend constexpr decimal operator+(decimal a, decimal b) {
    std::int64_t r = 0;
    if (!detail::checked_add(a.units_, b.units_, &r)) overflow();
    return from_units(r);
  }
  friend constexpr decimal operator-(decimal a, decimal b) {
    std::int64_t r = 0;
    if (!detail::checked_sub(a.units_, b.units_, &r)) overflow();
    return from_units(r);
  }
  /// Exact multiplication by a count (messages, items, ...).
  friend constexpr decimal operator*(decimal a, std::int64_t count) {
    std::int64_t r = 0;
    if (!detail::checked_mul(a.units_, count, &r)) overflow();
    return from_units(r);
  }
  friend constexpr decimal operator*(std::int64_t count, decimal a) { return a * count; }
  constexpr decimal& operator+=(decimal b) { return *this = *this + b; }
  constexpr decimal& operator-=(decimal b) { return *this = *this - b; }
  constexpr decimal& operator*=(std::int64_t count) { return *this = *this * count; }

 private:
  static constexpr std::int64_t max_whole = std::numeric_limits<std::int64_t>::max() / units_per_one;
  [[noreturn]] static void overflow();

  std::int64_t units_ = 0;
};

namespace detail {
/// Divides `value` by `divisor` (> 0) rounding as `mode` says.
[[nodiscard]] CHATDESK_API std::int64_t divide_rounded(std::int64_t value, std::int64_t divisor,
                                                       rounding mode) noexcept;
/// 10^n for n in 0..18.
[[nodiscard]] constexpr std::int64_t pow10(int n) noexcept {
  std::int64_t r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}
}  // namespace detail

}  // namespace chatdesk
