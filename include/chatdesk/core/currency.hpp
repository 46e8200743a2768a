/// @file
/// ISO 4217 currencies: alphabetic code, numeric code and minor-unit digits.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// One row of the ISO 4217 table.
struct CHATDESK_API currency_info {
  std::string_view code;      ///< "USD"
  std::uint16_t numeric;      ///< 840
  std::uint8_t minor_digits;  ///< 2 (0 where ISO says N.A.)
  bool has_minor_unit;        ///< false for gold, SDR, test codes ... ("N.A." in ISO 4217)
  bool withdrawn;             ///< no longer in ISO 4217 list one (HRK, SLL, ...), still accepted
  std::string_view name;      ///< "US Dollar"
};

/// The whole ISO 4217 table, sorted by code: every current currency, fund and
/// precious-metal code, and the few recently withdrawn ones.
[[nodiscard]] CHATDESK_API std::span<const currency_info> currency_table() noexcept;

/// An ISO 4217 currency: a small value type (8 bytes) compared by code.
/// Default-constructed it is XXX, ISO's "no currency".
class CHATDESK_API currency {
 public:
  constexpr currency() noexcept : currency(unchecked("XXX", 999, 0)) {}

  /// The currency with alphabetic code `code` ("EUR"; upper case only).
  /// Error `currency.unknown` names the code.
  [[nodiscard]] static result<currency> from_code(std::string_view code);
  /// The currency with numeric code `numeric` (978). Error `currency.unknown`.
  [[nodiscard]] static result<currency> from_numeric(int numeric);

  /// Builds a currency without looking it up, for constants; use `from_code`
  /// for anything read from outside.
  [[nodiscard]] static constexpr currency unchecked(std::string_view code, std::uint16_t numeric,
                                                    std::uint8_t minor_digits) noexcept {
    currency c{0};
    for (std::size_t i = 0; i < 3 && i < code.size(); ++i) c.code_[i] = code[i];
    c.numeric_ = numeric;
    c.minor_digits_ = minor_digits;
    return c;
  }

  /// "USD". The view points into this object: keep the currency alive while using it
  /// (`auto c = card.currency(); use(c.code());`, not a view of a temporary's code).
  [[nodiscard]] constexpr std::string_view code() const noexcept CHATDESK_LIFETIME_BOUND {
    return {code_, 3};
  }
  [[nodiscard]] constexpr int numeric() const noexcept { return numeric_; }
  /// Digits of the minor unit: 2 for USD (cents), 0 for JPY, 3 for KWD.
  [[nodiscard]] constexpr int minor_digits() const noexcept { return minor_digits_; }
  /// The full row of the table, with the English name.
  [[nodiscard]] const currency_info& info() const noexcept;

  friend constexpr bool operator==(const currency& a, const currency& b) noexcept {
    return a.code() == b.code();
  }

 private:
  explicit constexpr currency(int /*raw*/) noexcept {}

  char code_[3] = {'X', 'X', 'X'};
  std::uint16_t numeric_ = 999;
  std::uint8_t minor_digits_ = 0;
};

/// Constants for the currencies platform rate cards are published in, and a
/// few more; any other comes from `currency::from_code`.
namespace currencies {
inline constexpr currency usd = currency::unchecked("USD", 840, 2);
inline constexpr currency eur = currency::unchecked("EUR", 978, 2);
inline constexpr currency gbp = currency::unchecked("GBP", 826, 2);
inline constexpr currency inr = currency::unchecked("INR", 356, 2);
inline constexpr currency idr = currency::unchecked("IDR", 360, 2);
inline constexpr currency aud = currency::unchecked("AUD", 36, 2);
inline constexpr currency brl = currency::unchecked("BRL", 986, 2);
inline constexpr currency mxn = currency::unchecked("MXN", 484, 2);
inline constexpr currency aed = currency::unchecked("AED", 784, 2);
inline constexpr currency jpy = currency::unchecked("JPY", 392, 0);
inline constexpr currency kwd = currency::unchecked("KWD", 414, 3);
inline constexpr currency xxx = currency::unchecked("XXX", 999, 0);
}  // namespace currencies

}  // namespace chatdesk
