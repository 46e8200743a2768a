/// @file
/// The platform's pricing rules, written once: pure functions from the facts
/// of one message (the model in force, what the message is, the windows at
/// its sending and delivery, the open conversations, how many were counted
/// this month) to a decision with one reason. The pricing ledger keeps the
/// state and calls them; the forecast, the desk's estimate at send time and
/// the feed's comparison with the platform's own pricing call the same ones.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <date/date.h>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/model/windows.hpp"

namespace chatdesk {

/// The platform's pricing models.
enum class pricing_model : std::uint8_t {
  legacy_2018,  ///< per message outside the service window (until 2022-01-31)
  cbp_2022,     ///< per 24-hour conversation, user- or business-initiated (2022-02-01 to 2023-05-31)
  cbp_2023,     ///< per 24-hour conversation by category (2023-06-01 to 2025-06-30)
  pmp_2025,     ///< per delivered template, by category, with volume tiers (2025-07-01 to 2026-09-30)
  /// per delivered template, utility inside the window included, and per
  /// delivered service message beyond a monthly free tier per number (from 2026-10-01)
  pmp_2026_10,
};
/// Every model, oldest first.
inline constexpr std::array<pricing_model, 5> pricing_models{
    pricing_model::legacy_2018, pricing_model::cbp_2022, pricing_model::cbp_2023, pricing_model::pmp_2025,
    pricing_model::pmp_2026_10};
[[nodiscard]] CHATDESK_API std::string_view to_string(pricing_model m) noexcept;  ///< "pmp_2025", ...
/// Parses a model id. Error `pricing.unknown_model`.
[[nodiscard]] CHATDESK_API result<pricing_model> parse_pricing_model(std::string_view text);
/// The first business-local day a model is in force.
[[nodiscard]] CHATDESK_API date::year_month_day first_day(pricing_model m) noexcept;
/// The model in force on a business-local date.
[[nodiscard]] CHATDESK_API pricing_model model_in_force(date::year_month_day local_date) noexcept;

/// The platform's numbers the rules use.
namespace pricing_constants {
/// A conversation of the conversation-based models lasts 24 hours from the message that opened it.
inline constexpr std::chrono::hours conversation_length{24};
/// Free conversations a business has each month: every kind under cbp_2022,
/// service conversations under cbp_2023 (until they became free).
inline constexpr std::uint64_t free_conversations_per_month = 1'000;
/// Service conversations are free from this date (cbp_2023).
inline constexpr date::year_month_day service_conversations_free_from{date::year{2024}, date::month{11},
                                                                      date::day{1}};
/// pmp_2026_10: service messages each business phone number delivers free
/// each month (business-local month, no roll-over); reactions do not count.
inline constexpr std::uint64_t free_service_messages_per_number = 1'000;
}  // namespace pricing_constants

/// The rates a card can give, across the models.
enum class rate_key : std::uint8_t {
  message,                       ///< legacy_2018: a message outside the window
  user_initiated,                ///< cbp_2022
  business_initiated,            ///< cbp_2022
  marketing,                     ///< cbp_2023, pmp_2025
  utility,                       ///< cbp_2023, pmp_2025
  authentication,                ///< cbp_2023, pmp_2025
  service,                       ///< cbp_2023; pmp_2026_10 (a card without it charges the utility rate)
  authentication_international,  ///< pmp_2025, pmp_2026_10, for businesses that qualify
};
inline constexpr std::size_t rate_key_count = 8;
[[nodiscard]] CHATDESK_API std::string_view to_string(rate_key k) noexcept;  ///< "business_initiated", ...
/// Parses a rate key. Error `pricing.unknown_rate_key`.
[[nodiscard]] CHATDESK_API result<rate_key> parse_rate_key(std::string_view text);
/// The rate key of a template category.
[[nodiscard]] CHATDESK_API rate_key rate_key_of(template_category c) noexcept;
/// The rate keys every market of a model's cards must give.
[[nodiscard]] CHATDESK_API std::span<const rate_key> required_rate_keys(pricing_model m) noexcept;

/// What a message is, for pricing: a template of a category, or a free-form
/// (service) message. In the order of the conversation kinds of cbp_2023.
enum class message_kind : std::uint8_t { marketing, utility, authentication, service };
inline constexpr std::size_t message_kind_count = 4;
/// The rate key of a kind: its category's, or `service`.
[[nodiscard]] CHATDESK_API rate_key rate_key_of(message_kind k) noexcept;
/// The kind of a template of `c`.
[[nodiscard]] CHATDESK_API message_kind kind_of(template_category c) noexcept;
[[nodiscard]] CHATDESK_API std::string_view to_string(
    message_kind k) noexcept;  ///< "marketing", ..., "service"

/// Why a message cost what it cost: one vocabulary for the ledger's charges
/// and invoices, the desk's estimate and the comparison with the platform.
enum class charge_reason : std::uint8_t {
  inside_service_window,         ///< legacy_2018: free inside the customer service window
  outside_service_window,        ///< legacy_2018: charged outside it
  free_entry_point,              ///< free inside a free entry point window
  conversation_open,             ///< free: a conversation was already open
  category_conversation_open,    ///< free: a conversation of the template's category was already open
  free_tier_conversation,        ///< free: it opened one of the month's first 1,000 conversations
  opened_conversation,           ///< charged: it opened a conversation (cbp_2022)
  service_conversation_free,     ///< free: service conversations cost nothing from 2024-11-01
  free_tier_service,             ///< free: it opened one of the month's first 1,000 service conversations
  opened_category_conversation,  ///< charged: it opened a conversation of its category (cbp_2023)
  free_form,                     ///< free: free-form messages cost nothing (pmp_2025)
  utility_in_window,             ///< free: a utility template inside the service window (pmp_2025)
  authentication_international,  ///< charged at the authentication-international rate
  volume_tier,                   ///< charged at the volume tier of its rank this month
  reaction,                      ///< free: reactions cost nothing and use no free tier (pmp_2026_10)
  free_tier_service_message,     ///< free: one of the number's first 1,000 service messages of the month
  paid_exempt,                   ///< free: a service message of an exempt business beyond the free tier
  service_message,               ///< charged: a service message beyond the number's free tier
};
inline constexpr std::size_t charge_reason_count = 18;
[[nodiscard]] CHATDESK_API std::string_view to_string(charge_reason r) noexcept;  ///< "free_entry_point", ...
/// Parses a reason's name. Error `pricing.unknown_reason`.
[[nodiscard]] CHATDESK_API result<charge_reason> parse_charge_reason(std::string_view text);
/// True when a message priced for this reason costs nothing.
[[nodiscard]] CHATDESK_API bool is_free(charge_reason r) noexcept;
/// The platform's `pricing.type` of a per-message model for this reason:
/// "free_entry_point", "free_customer_service" or "regular" (an exempt
/// business's service message beyond the free tier is "regular" with the
/// subtype "paid_exempt", and costs nothing).
[[nodiscard]] CHATDESK_API std::string_view platform_pricing_type(charge_reason r) noexcept;

/// The monthly counter a message is counted in, under its model.
enum class monthly_counter : std::uint8_t {
  none,                   ///< nothing is counted
  conversations,          ///< cbp_2022: conversations of the business
  service_conversations,  ///< cbp_2023: service conversations of the business
  category_in_market,     ///< pmp_2025, pmp_2026_10: charged templates of the business by category and market
                          ///< (tiers)
  service_messages_of_number,  ///< pmp_2026_10: service messages of the business phone number (the free tier)
};

/// The facts of one delivered message that decide its price.
struct CHATDESK_API message_facts {
  pricing_model model = pricing_model::pmp_2025;
  message_kind kind = message_kind::service;
  date::year_month_day local_date{};         ///< the business's date at delivery
  bool service_window_open_at_send = false;  ///< the customer had written within 24 h when it was sent
  bool in_entry_point = false;               ///< a free entry point window is open at delivery
  /// Conversations open at delivery, by kind (cbp_2022 uses any of them).
  std::array<bool, message_kind_count> open_conversations{};
  /// An authentication template to a customer abroad, by a business that
  /// qualifies for authentication-international rates on this date.
  bool international = false;
  /// How many messages `counter_for` of these facts had counted this month, before this one.
  std::uint64_t counted_before = 0;
  /// A reaction (a service message that is always free under pmp_2026_10).
  bool reaction = false;
  /// The business is exempt from service-message charges (governments and
  /// non-profits the platform names `paid_exempt`).
  bool exempt = false;
};

/// What the rules decided for one message.
struct CHATDESK_API charge_decision {
  charge_reason reason = charge_reason::free_form;
  rate_key rate = rate_key::service;  ///< the rate charged, or the category counted when free
  std::uint64_t rank = 1;             ///< the message's rank for volume tiers (1: flat rates)
  std::uint64_t count = 0;            ///< its number in its monthly counter (0: it is not counted)
  bool opens_conversation = false;    ///< it opens a conversation of its kind (`conversation_length`)

  [[nodiscard]] bool free() const noexcept { return is_free(reason); }
  friend bool operator==(const charge_decision&, const charge_decision&) = default;
};

/// True when the model has free entry point windows (every model after legacy_2018).
[[nodiscard]] CHATDESK_API bool has_entry_points(pricing_model m) noexcept;
/// The monthly counter a message of `kind` reads and adds to under `m` on `local_date`.
[[nodiscard]] CHATDESK_API monthly_counter counter_for(pricing_model m, message_kind kind,
                                                       date::year_month_day local_date) noexcept;
/// The decision for one message. Pure: the same facts give the same decision.
/// Under pmp_2026_10 a service message inside a free entry point, and a
/// reaction, is free and not counted in the number's free tier.
[[nodiscard]] CHATDESK_API charge_decision decide(const message_facts& facts) noexcept;

/// What a sentence about a decision may name besides the decision.
struct CHATDESK_API charge_context {
  std::string_view business_country;  ///< ISO alpha-2, for authentication-international
  std::string_view customer_country;
};
/// A sentence for a person: why the message cost what it cost.
[[nodiscard]] CHATDESK_API std::string describe(const charge_decision& d, const charge_context& context = {});

}  // namespace chatdesk
