/// @file
/// Markets: the pricing regions a customer's phone number falls in (PLATFORM.md 1d).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"

namespace chatdesk {

/// One market: a name and the countries it covers, named by their calling
/// codes, by country, or (for +1) by area code.
struct CHATDESK_API market_rule {
  std::string name;                            ///< "Rest of Latin America"
  std::vector<std::string> calling_codes{};    ///< {"591", "506"}: the code's main country (see market_table)
  std::vector<std::string> nanp_area_codes{};  ///< {"809", "829"}: +1 numbers with these area codes
  std::vector<std::string> countries{};        ///< {"CA", "DO"}: ISO 3166-1 alpha-2
};

/// Maps phone numbers to markets by the customer's country:
/// 1. a market that names the number's country (`countries`);
/// 2. for +1, a market that lists the number's area code;
/// 3. a market that lists the calling code, when the number's country is the
///    code's main country (the first of `calling_code_info::regions`: +1 the
///    United States, +7 Russia, +44 the United Kingdom, +39 Italy ...) or the
///    code is not shared. A country that shares a code but is not its main
///    one (Canada and the Bahamas on +1, Kazakhstan on +7, Jersey on +44) is
///    in a market only when one names it;
/// 4. otherwise the default market ("Other").
/// Lookups are O(1) and never allocate.
///
/// The platform's table of PLATFORM.md 1d is `market_table::platform()`; a rate
/// card can bring its own through `market_table::create`.
class market_table;
namespace detail {
/// A tuning hook for the pricing ledger (chatdesk/core/detail/market_index.hpp).
[[nodiscard]] CHATDESK_API std::size_t market_rule_index(const market_table& table,
                                                         const phone_number& number) noexcept;
}  // namespace detail

class CHATDESK_API market_table {
 public:
  /// Builds a table, rejecting a rule with no name, a calling code that is not
  /// 1-3 digits, an area code that is not 3 digits, a country that is not an
  /// ISO 3166-1 code, or a code or country two markets claim
  /// (`market.invalid_rule`, `market.duplicate_code`, with the rule's index).
  [[nodiscard]] static result<market_table> create(std::vector<market_rule> rules,
                                                   std::string default_market = "Other");

  /// The platform's market table (PLATFORM.md 1d, in force until 2026-06-30), built once.
  [[nodiscard]] static const market_table& platform();
  /// The platform's market table in force on `day`: 1d's until 2026-06-30;
  /// from 2026-07-01 Hong Kong, Hungary, Qatar, Romania, Singapore and Poland
  /// are markets of their own; from 2026-10-01 also Bangladesh, Iraq, Nepal,
  /// Sri Lanka, Kuwait, Oman, Morocco, Ukraine and Kazakhstan (by country: +7
  /// numbers of Kazakhstan, not Russia's).
  [[nodiscard]] static const market_table& platform(date::year_month_day day);

  /// The market of `number`.
  [[nodiscard]] std::string_view find(const phone_number& number) const noexcept CHATDESK_LIFETIME_BOUND;

  [[nodiscard]] std::span<const market_rule> rules() const noexcept { return rules_; }
  [[nodiscard]] std::string_view default_market() const noexcept { return default_market_; }

 private:
  friend std::size_t detail::market_rule_index(const market_table& table,
                                               const phone_number& number) noexcept;
  market_table() = default;
  [[nodiscard]] std::size_t find_rule(const phone_number& number) const noexcept;

  std::vector<market_rule> rules_;
  std::string default_market_;
  // Index + 1 into rules_, 0 for none: by calling code, by +1 area code, and
  // by country (alpha-2 as 26 * letter + letter).
  std::vector<std::uint16_t> by_code_ = std::vector<std::uint16_t>(1000, 0);
  std::vector<std::uint16_t> by_area_ = std::vector<std::uint16_t>(1000, 0);
  std::vector<std::uint16_t> by_country_ = std::vector<std::uint16_t>(std::size_t{26} * 26, 0);
};

}  // namespace chatdesk
