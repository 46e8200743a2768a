/// @file
/// `money`: an exact amount in a currency's minor units (cents, fils, yen).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/decimal.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// An amount of money: a signed 64-bit count of the currency's minor units.
///
/// Addition and subtraction require the same currency: mixing currencies
/// throws `chatdesk::exception` (`money.currency_mismatch`), and so does an
/// overflow (`money.overflow`). Use `checked_add` to get a `result` instead.
/// Ordering between different currencies is `unordered`.
class CHATDESK_API money {
 public:
  /// Zero of no currency (XXX).
  constexpr money() noexcept = default;
  /// `minor_units` of `c`: money{1234, currencies::usd} is USD 12.34.
  constexpr money(std::int64_t minor_units, currency c) noexcept : minor_(minor_units), currency_(c) {}

  /// Parses an amount such as "12.34" or "-0.5" in `c`. More fractional digits
  /// than the currency has is `money.too_precise` (no silent rounding).
  [[nodiscard]] static result<money> parse(std::string_view amount, currency c);
  /// Parses "12.34 USD" or "USD 12.34" (one space).
  [[nodiscard]] static result<money> parse(std::string_view text);

  [[nodiscard]] constexpr std::int64_t minor_units() const noexcept { return minor_; }
  [[nodiscard]] constexpr chatdesk::currency currency() const noexcept { return currency_; }
  [[nodiscard]] constexpr bool is_zero() const noexcept { return minor_ == 0; }

  /// The exact amount as a decimal ("12.34").
  [[nodiscard]] decimal to_decimal() const;
  /// The amount with exactly the currency's minor digits: "12.30", "1500" (JPY), "1.250" (KWD).
  [[nodiscard]] std::string amount_string() const;
  /// "12.30 USD".
  [[nodiscard]] std::string to_string() const;

  /// a + b, or `money.currency_mismatch` / `money.overflow`.
  [[nodiscard]] static result<money> checked_add(money a, money b);

  friend CHATDESK_API money operator+(money a, money b);
  friend CHATDESK_API money operator-(money a, money b);
  friend CHATDESK_API money operator*(money a, std::int64_t count);
  friend money operator*(std::int64_t count, money a) { return a * count; }
  money operator-() const;
  money& operator+=(money b) { return *this = *this + b; }
  money& operator-=(money b) { return *this = *this - b; }

  friend constexpr bool operator==(money a, money b) noexcept {
    return a.minor_ == b.minor_ && a.currency_ == b.currency_;
  }
  friend constexpr std::partial_ordering operator<=>(money a, money b) noexcept {
    if (!(a.currency_ == b.currency_)) return std::partial_ordering::unordered;
    return a.minor_ <=> b.minor_;
  }

 private:
  std::int64_t minor_ = 0;
  chatdesk::currency currency_;
};

/// Settles an exact decimal amount (a sum of per-message rates) into `c`'s
/// minor units, rounding as `mode` says (half-even by default): 0.125 USD
/// settles to 0.12, 0.135 to 0.14.
[[nodiscard]] CHATDESK_API money settle(decimal amount, currency c, rounding mode = rounding::half_even);

}  // namespace chatdesk

/// Formats money as "12.30 USD".
template <>
struct fmt::formatter<chatdesk::money> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const chatdesk::money& m, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(m.to_string(), ctx);
  }
};

/// Formats a decimal in its shortest exact form ("0.0034").
template <>
struct fmt::formatter<chatdesk::decimal> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const chatdesk::decimal& d, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(d.to_string(), ctx);
  }
};
