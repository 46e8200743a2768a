/// @file
/// Markets: the pricing regions a customer's phone number falls in (PLATFORM.md 1d).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/phone_number.hpp"

namespace chatdesk {

/// One market: a name and the calling codes (and, for +1, area codes) it covers.
struct market_rule {
  std::string name;                          ///< "Rest of Latin America"
  std::vector<std::string> calling_codes;    ///< {"591", "506"}
  std::vector<std::string> nanp_area_codes;  ///< {"809", "829"}: +1 numbers with these area codes
};

/// Maps phone numbers to markets: the market whose calling code matches, where
/// a listed +1 area code wins over a plain "1"; numbers no rule covers fall in
/// the default market ("Other"). Lookups are O(1) and never allocate.
///
/// The platform's table of PLATFORM.md 1d is `market_table::platform()`; a rate
/// card can bring its own through `market_table::create`.
class market_table {
 public:
  /// Builds a table, rejecting a rule with no name, a calling code that is not
  /// 1-3 digits, an area code that is not 3 digits, or a code two markets claim
  /// (`market.invalid_rule`, `market.duplicate_code`, with the rule's index).
  [[nodiscard]] static result<market_table> create(std::vector<market_rule> rules,
                                                   std::string default_market = "Other");

  /// The platform's market table (PLATFORM.md 1d), built once.
  [[nodiscard]] static const market_table& platform();

  /// The market of `number`.
  [[nodiscard]] std::string_view find(const phone_number& number) const noexcept;
  /// The index in `rules()` of the rule that gives `number` its market, or
  /// `rules().size()` for the default market.
  [[nodiscard]] std::size_t find_rule(const phone_number& number) const noexcept;

  [[nodiscard]] std::span<const market_rule> rules() const noexcept { return rules_; }
  [[nodiscard]] std::string_view default_market() const noexcept { return default_market_; }

 private:
  market_table() = default;

  std::vector<market_rule> rules_;
  std::string default_market_;
  // Index + 1 into rules_, 0 for none: by calling code, and by +1 area code.
  std::vector<std::uint16_t> by_code_ = std::vector<std::uint16_t>(1000, 0);
  std::vector<std::uint16_t> by_area_ = std::vector<std::uint16_t>(1000, 0);
};

}  // namespace chatdesk
