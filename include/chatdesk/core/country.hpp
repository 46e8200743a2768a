/// @file
/// Countries: ISO 3166-1 alpha-2 codes with their alpha-3 and numeric codes and names.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// One row of the country table.
struct CHATDESK_API country_info {
  std::string_view alpha2;  ///< "IT"
  std::string_view alpha3;  ///< "ITA"
  std::uint16_t numeric;    ///< 380 (0 for the codes outside ISO 3166-1)
  bool in_iso3166;          ///< false for XK (Kosovo), AC (Ascension), TA (Tristan da Cunha)
  std::string_view name;    ///< "Italy"
};

/// Every ISO 3166-1 country, plus the three codes phone numbering uses that
/// ISO 3166-1 does not list (XK, AC, TA); sorted by alpha-2 code.
[[nodiscard]] CHATDESK_API std::span<const country_info> country_table() noexcept;

/// A country as its two-letter code; a 2-byte value type. A default-constructed
/// country is "none" (used for non-geographic numbers such as +800).
class CHATDESK_API country {
 public:
  constexpr country() noexcept = default;

  /// The country with alpha-2 code `code` ("IT" or "it"). Error `country.unknown`.
  [[nodiscard]] static result<country> from_alpha2(std::string_view code);

  /// Builds a country without looking it up, for constants and tables.
  [[nodiscard]] static constexpr country unchecked(std::string_view code) noexcept {
    country c;
    if (code.size() == 2) {
      c.code_[0] = code[0];
      c.code_[1] = code[1];
    }
    return c;
  }

  /// "IT", or "" for none.
  [[nodiscard]] constexpr std::string_view alpha2() const noexcept CHATDESK_LIFETIME_BOUND {
    return code_[0] == 0 ? std::string_view{} : std::string_view{code_, 2};
  }
  [[nodiscard]] constexpr bool empty() const noexcept { return code_[0] == 0; }
  /// The table row, or nullptr for none.
  [[nodiscard]] const country_info* info() const noexcept;
  /// The English short name ("Italy"), or "" for none.
  [[nodiscard]] std::string_view name() const noexcept;

  friend constexpr bool operator==(country a, country b) noexcept {
    return a.code_[0] == b.code_[0] && a.code_[1] == b.code_[1];
  }

 private:
  char code_[2] = {0, 0};
};

}  // namespace chatdesk
