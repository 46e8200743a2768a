/// @file
/// Phone numbers in E.164 form, parsed from what people type, with the
/// country calling code table (ITU-T E.164 assignments) behind them.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "chatdesk/core/country.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// One assigned country calling code.
struct CHATDESK_API calling_code_info {
  std::uint16_t code = 0;       ///< 39
  std::string_view regions;     ///< the countries sharing it, main one first: "IT VA"; "" if non-geographic
  std::uint8_t min_length = 0;  ///< shortest national significant number
  std::uint8_t max_length = 0;  ///< longest national significant number
};

/// Every assigned calling code (1 to 3 digits), sorted by code.
[[nodiscard]] CHATDESK_API std::span<const calling_code_info> calling_code_table() noexcept;

/// A North American Numbering Plan area code that belongs to a country other
/// than the United States (every other +1 area code is the US).
struct CHATDESK_API nanp_area_info {
  std::uint16_t area_code = 0;  ///< 809
  country region;               ///< DO
};

/// The +1 area codes of Canada and of every other NANP country and territory, sorted.
[[nodiscard]] CHATDESK_API std::span<const nanp_area_info> nanp_area_table() noexcept;

/// A telephone number in E.164 form: "+" then a 1-3 digit country calling code
/// then the national significant number, 15 digits at most.
///
/// A small value type (20 bytes, no heap), so parsing never allocates on success.
/// The country is worked out from the calling code, for +1 from the area code,
/// and for the other shared codes from the leading national digits
/// (+7 6/7 is Kazakhstan, +44 1481 is Guernsey, ...).
class CHATDESK_API phone_number {
 public:
  /// Most digits an E.164 number may have.
  static constexpr std::size_t max_digits = 15;

  /// The empty number (no digits): a placeholder in default-constructed records.
  phone_number() = default;
  /// True for the empty number.
  [[nodiscard]] bool empty() const noexcept { return length_ == 0; }

  /// Parses what a person types or a system sends:
  /// `+39 333 123 4567`, `0039 333 1234567`, `whatsapp:+14155551234`,
  /// `tel:+1-415-555-1234`, `(415) 555-1234` with default region "US",
  /// `0333 123 4567` with default region "IT".
  ///
  /// Spaces, dashes, dots, slashes and brackets are ignored. A number without
  /// `+` or an international prefix (`00`, or `011` in +1 countries) is national
  /// and needs `default_region`; its trunk prefix (0, 8 in Russia, 1 in the NANP
  /// ...) is removed. Errors, each naming the input and where it went wrong:
  /// `phone.empty`, `phone.letters`, `phone.invalid_character`,
  /// `phone.missing_region`, `phone.unknown_region`, `phone.unknown_calling_code`,
  /// `phone.too_short`, `phone.too_long`, `phone.invalid_area_code`.
  [[nodiscard]] static result<phone_number> parse(std::string_view input,
                                                  std::string_view default_region = {});

  /// Calling code and national number without "+": "393331234567".
  [[nodiscard]] std::string_view digits() const noexcept CHATDESK_LIFETIME_BOUND {
    return {digits_, length_};
  }
  /// "+393331234567".
  [[nodiscard]] std::string e164() const;
  /// "39".
  [[nodiscard]] std::string_view calling_code() const noexcept CHATDESK_LIFETIME_BOUND {
    return {digits_, code_length_};
  }
  /// The calling code as a number (39).
  [[nodiscard]] int calling_code_value() const noexcept;
  /// "3331234567".
  [[nodiscard]] std::string_view national_number() const noexcept CHATDESK_LIFETIME_BOUND {
    return {digits_ + code_length_, static_cast<std::size_t>(length_ - code_length_)};
  }
  /// The country the number belongs to; empty for non-geographic codes (+800, +882 ...).
  [[nodiscard]] chatdesk::country country() const noexcept { return region_; }
  /// The form click-to-chat links use: digits only, no "+", no trunk zero.
  [[nodiscard]] std::string_view click_to_chat() const noexcept CHATDESK_LIFETIME_BOUND { return digits(); }

  friend bool operator==(const phone_number& a, const phone_number& b) noexcept {
    return a.digits() == b.digits();
  }
  friend std::strong_ordering operator<=>(const phone_number& a, const phone_number& b) noexcept {
    return a.digits().compare(b.digits()) <=> 0;
  }

 private:
  friend struct phone_number_builder;

  char digits_[max_digits] = {};
  std::uint8_t length_ = 0;
  std::uint8_t code_length_ = 0;
  chatdesk::country region_;
};

}  // namespace chatdesk

/// Hashes a phone number by its digits, for unordered containers.
template <>
struct std::hash<chatdesk::phone_number> {
  std::size_t operator()(const chatdesk::phone_number& p) const noexcept {
    return std::hash<std::string_view>{}(p.digits());
  }
};

/// Formats a phone number in E.164 form ("+393331234567").
template <>
struct fmt::formatter<chatdesk::phone_number> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const chatdesk::phone_number& p, Context& ctx) const {
    char buf[chatdesk::phone_number::max_digits + 1] = {'+'};
    const auto d = p.digits();
    for (std::size_t i = 0; i < d.size(); ++i) buf[i + 1] = d[i];
    return fmt::formatter<std::string_view>::format(std::string_view(buf, d.size() + 1), ctx);
  }
};
