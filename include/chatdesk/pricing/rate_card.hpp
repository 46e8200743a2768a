/// @file
/// Rate cards: what the platform charges, by model, market, category and
/// date. Data, never code: loaded from JSON and checked on the way in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/decimal.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/market.hpp"
#include "chatdesk/rules/pricing_rules.hpp"

namespace chatdesk {

/// One volume tier: messages up to `up_to` (inclusive; nullopt: no limit) in a month pay `rate`.
struct CHATDESK_API rate_tier {
  std::optional<std::uint64_t> up_to;
  decimal rate;
};

/// A tier's name: "0:25000000", "25000001:MAX" ("0:MAX" for a flat rate).
[[nodiscard]] CHATDESK_API std::string tier_name(std::uint64_t lower, std::optional<std::uint64_t> up_to);

/// A rate card: one model, from one date, in one currency.
class CHATDESK_API rate_card {
 public:
  /// Read with `rate_card_from_json` or `parse_rate_card`.
  friend result<rate_card> rate_card_from_json(const nlohmann::ordered_json& j, std::string_view source);

  /// Reads the card in the file at `path` (at most 4 MiB; its path is its
  /// source). The cards installed with the package are in
  /// `${chatdesk_DATADIR}/rate_cards` (the CMake package's variable).
  /// Errors: `input.*` (missing, a directory, unreadable, too large) and
  /// those of `parse_rate_card`.
  [[nodiscard]] static result<rate_card> load(const std::string& path);

  [[nodiscard]] pricing_model model() const noexcept { return model_; }
  [[nodiscard]] date::year_month_day effective_from() const noexcept { return effective_from_; }
  [[nodiscard]] chatdesk::currency currency() const noexcept { return currency_; }
  [[nodiscard]] const market_table& markets() const noexcept { return markets_; }
  [[nodiscard]] const std::string& source() const noexcept { return source_; }

  /// The flat rate for `key` in `market`, or nullopt if it is tiered or missing.
  [[nodiscard]] std::optional<decimal> rate(std::string_view market, std::string_view key) const;
  /// The tiers for `key` in `market` (empty if flat).
  [[nodiscard]] const std::vector<rate_tier>& tiers(std::string_view market, std::string_view key) const;
  /// The rate for the `n`-th charged message (1-based) of `key` in `market`
  /// this month: the tier containing n, or the flat rate. Also says which
  /// tier ("0:25000000", "25000001:MAX"; "0:MAX" for flat rates).
  [[nodiscard]] std::optional<std::pair<decimal, std::string>> rate_for(std::string_view market,
                                                                        std::string_view key,
                                                                        std::uint64_t n) const;
  /// The authentication-international rate for `market`, if the card lists one.
  [[nodiscard]] std::optional<decimal> authentication_international(std::string_view market) const;
  /// Why the card has no `key` rate for `market`, when its author could not
  /// find it (the card's `unpriced` notes); nullopt otherwise. A message that
  /// needs such a rate is refused (`pricing.no_rate`) with this note.
  [[nodiscard]] std::optional<std::string_view> unpriced(std::string_view market, std::string_view key) const;

 private:
  rate_card() = default;

  pricing_model model_ = pricing_model::pmp_2025;
  date::year_month_day effective_from_{};
  chatdesk::currency currency_;
  market_table markets_ = market_table::platform();
  std::string source_;
  std::map<std::string, std::map<std::string, decimal, std::less<>>, std::less<>> rates_;
  std::map<std::string, std::map<std::string, std::vector<rate_tier>, std::less<>>, std::less<>> tiers_;
  std::map<std::string, decimal, std::less<>> auth_international_;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> unpriced_;
};

/// Reads and checks a card. Refuses an unknown model, a bad date, an unknown
/// currency, a market without a rate its model needs (unless the card's
/// `unpriced` says why it is missing), a negative or non-numeric rate,
/// overlapping tiers, rates for unknown markets (`pricing.invalid_card`,
/// `pricing.unknown_model`, with `source` and the JSON path in `where`).
[[nodiscard]] CHATDESK_API result<rate_card> rate_card_from_json(const nlohmann::ordered_json& j,
                                                                 std::string_view source = {});
/// Parses JSON text, then `rate_card_from_json`.
[[nodiscard]] CHATDESK_API result<rate_card> parse_rate_card(std::string_view text,
                                                             std::string_view source = {});

/// The rate cards a pricing run may use: for each charge, the card of that
/// model with the latest `effective_from` not after the charge's date.
class CHATDESK_API rate_cards {
 public:
  /// Adds a card. Error `pricing.invalid_card` when its currency differs from
  /// the cards already added, or a card of the same model and date exists.
  result<void> add(rate_card card);
  /// The card for `model` on `local_date`, or nullptr.
  [[nodiscard]] const rate_card* find(pricing_model model, date::year_month_day local_date) const;
  [[nodiscard]] bool empty() const noexcept { return cards_.empty(); }
  [[nodiscard]] chatdesk::currency currency() const noexcept { return currency_; }
  [[nodiscard]] const std::vector<rate_card>& all() const noexcept { return cards_; }

 private:
  std::vector<rate_card> cards_;  // sorted by model, then date
  chatdesk::currency currency_;
};

}  // namespace chatdesk
