/// @file
/// The business side: accounts, their phone numbers, messaging-limit tiers and quality.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/country.hpp"
#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/core/time_zone.hpp"

namespace chatdesk {

/// How many unique customers a business may reach with business-initiated
/// messages outside a customer service window in a moving 24 hours.
enum class messaging_tier : std::uint8_t {
  tier_250,
  tier_1k,  ///< the older ladder's second step
  tier_2k,
  tier_10k,
  tier_100k,
  unlimited,
};

/// The tier's limit of unique customers, or nullopt for unlimited.
[[nodiscard]] CHATDESK_API std::optional<std::uint32_t> limit_of(messaging_tier tier) noexcept;
/// The platform's API name: "TIER_250", "TIER_1K", ..., "TIER_UNLIMITED".
[[nodiscard]] CHATDESK_API std::string_view to_string(messaging_tier tier) noexcept;
/// Parses "TIER_2K", "2000", "2k", "unlimited" ... Error `business.unknown_tier`.
[[nodiscard]] CHATDESK_API result<messaging_tier> parse_messaging_tier(std::string_view text);

/// Quality rating of a phone number or template.
enum class quality_rating : std::uint8_t { green, yellow, red, unknown };
[[nodiscard]] CHATDESK_API std::string_view to_string(quality_rating q) noexcept;  ///< "GREEN", ...
/// Parses "GREEN", "green", "HIGH" (= green), "MEDIUM", "LOW" ... Error `business.unknown_quality`.
[[nodiscard]] CHATDESK_API result<quality_rating> parse_quality_rating(std::string_view text);

/// One registered business phone number.
struct CHATDESK_API business_number {
  std::string id;       ///< the platform's phone_number_id
  phone_number number;  ///< the display number
  std::uint32_t throughput_per_second =
      80;  ///< messages per second this number may send (80 default, up to 1,000)
};

/// A business account.
struct CHATDESK_API business {
  std::string id;            ///< the account id (WABA id or the caller's own)
  std::string display_name;  ///< the name customers see
  time_zone zone;            ///< months and the model in force are reckoned in this zone
  country home_country;      ///< country of the primary location (authentication-international)
  currency billing_currency = currencies::usd;
  std::vector<business_number> numbers;
  messaging_tier tier = messaging_tier::tier_250;
  quality_rating quality = quality_rating::unknown;
  /// A government or non-profit exempt from service-message charges
  /// (`paid_exempt`, from 2026-10-01): replies beyond the free tier stay free.
  bool paid_exempt = false;
  /// Start of authentication-international rates for this business, if eligible.
  std::optional<timestamp> auth_international_from;
  /// Inbound texts that opt the customer out or back in: compared
  /// case-insensitively with the whole message, spaces trimmed. By default
  /// the usual words (Twilio's defaults without the ones a shop's customer
  /// may mean otherwise, such as "cancel"), so that a footer's "Reply STOP"
  /// works; an empty list turns keywords off.
  std::vector<std::string> opt_out_keywords{"STOP", "STOPALL", "UNSUBSCRIBE"};
  std::vector<std::string> opt_in_keywords{"START", "UNSTOP"};

  /// The number with `id`, or nullptr.
  [[nodiscard]] const business_number* find_number(std::string_view number_id) const noexcept;
  /// Checks the definition: an id, at least one number, unique number ids,
  /// throughput 1..1,000. Errors `business.invalid` with the field.
  [[nodiscard]] result<void> validate() const;
};

}  // namespace chatdesk
