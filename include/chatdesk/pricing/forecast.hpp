/// @file
/// Forecasts: what a planned campaign will cost before it is sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/decimal.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/pricing/rate_card.hpp"

namespace chatdesk {

/// Planned sends of one category to one market.
struct CHATDESK_API planned_sends {
  std::string market;
  template_category category = template_category::utility;
  std::uint64_t count = 0;
  /// Share expected to go out inside an open customer service window (0 to 1):
  /// free for utility under pmp_2025, free for everything under legacy_2018.
  decimal share_in_window;
  /// Charged messages of this category and market already this month (tiers).
  std::uint64_t volume_so_far = 0;
};

/// Planned service (free-form) replies of one business phone number to one
/// market. Under pmp_2026_10 each number has its monthly free tier: the
/// plan's entries of one number use it up in order.
struct CHATDESK_API planned_service {
  std::string number;  ///< the business phone number that replies
  std::string market;
  std::uint64_t count = 0;
  /// Service messages this number already sent this month (the first entry of
  /// a number says it; later ones continue from the earlier entries).
  std::uint64_t sent_so_far = 0;
};

/// A campaign plan.
struct CHATDESK_API forecast_plan {
  pricing_model model = pricing_model::pmp_2025;
  date::year_month_day date{};  ///< when it will be sent (chooses the card)
  std::vector<planned_sends> sends;
  std::vector<planned_service> service{};
  bool paid_exempt = false;  ///< the business is exempt from service-message charges
};

/// One line of a forecast.
struct CHATDESK_API forecast_line {
  std::string market;
  std::string category;
  std::string tier;
  std::uint64_t count = 0;  ///< charged messages (or conversations)
  decimal unit_price;
  decimal amount;
};

/// The expected cost of a plan. Exact for pmp_2025 and legacy_2018; for the
/// conversation-based models every charged send is counted as opening its own
/// conversation (an upper bound), and the monthly free conversations are not
/// taken off.
struct CHATDESK_API forecast {
  chatdesk::currency currency;
  decimal total;
  std::uint64_t free = 0;  ///< sends expected to cost nothing
  std::vector<forecast_line> lines;
};

/// Prices a plan with the card in force on its date. Errors:
/// `pricing.no_rate_card`, `pricing.no_rate`, `pricing.invalid_plan` (a share
/// outside 0..1).
[[nodiscard]] CHATDESK_API result<forecast> estimate(const rate_cards& cards, const forecast_plan& plan);

/// Reads a plan: {"model": "pmp_2025", "date": "2026-03-01", "sends": [{"market":
/// "India", "category": "utility", "count": 100000, "share_in_window": "0.30",
/// "volume_so_far": 24990000}], "service": [{"number": "n1", "market": "Italy",
/// "count": 1500, "sent_so_far": 0}], "paid_exempt": false} ("service" and
/// "paid_exempt" optional). Errors `pricing.invalid_plan` with the JSON path.
[[nodiscard]] CHATDESK_API result<forecast_plan> forecast_plan_from_json(const nlohmann::ordered_json& j);

}  // namespace chatdesk
