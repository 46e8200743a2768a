/// @file
/// Send policies: one object per platform rule, each saying "allowed" or
/// refusing with a stable code and a sentence a person can read. Callers add
/// their own rules by implementing `send_policy`.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/conversation.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/customer.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/model/template_status.hpp"
#include "chatdesk/rules/pricing_rules.hpp"
#include "chatdesk/templates/directory.hpp"

namespace chatdesk {

/// An application's wish to send one message.
struct CHATDESK_API send_intent {
  std::string business_id;
  std::string business_number_id;  ///< empty: the business's first number
  phone_number customer;
  chatdesk::content content;
  std::string correlation_id;  ///< the caller's id; empty: the desk makes one
  /// The id of the customer's message this answers, shown quoted above the
  /// reply (the send request's `context.message_id`); empty: not a quote.
  std::string reply_to{};
};

/// Per-number state the throughput rule keeps.
struct CHATDESK_API number_state {
  std::int64_t throughput_tat_us = 0;  ///< GCRA theoretical arrival time, µs since the epoch
  /// Service messages the number sent in its business's month `service_month`
  /// (year * 12 + month - 1, business-local) that count in the monthly free
  /// tier of pmp_2026_10: free-form sends the desk allowed, reactions and
  /// messages inside a free entry point aside. A new month starts again at 0.
  std::int32_t service_month = 0;
  std::uint32_t service_messages = 0;

  /// The count in the month `month`: 0 when the record is of an earlier month.
  [[nodiscard]] std::uint32_t service_messages_in(std::int32_t month) const noexcept {
    return month == service_month ? service_messages : 0;
  }
  friend bool operator==(const number_state&, const number_state&) = default;
};

/// A business-local month as one number (year * 12 + month - 1), as `number_state` counts.
[[nodiscard]] CHATDESK_API std::int32_t month_number(date::year_month_day day) noexcept;

/// Per-customer state one business keeps.
struct CHATDESK_API customer_state {
  chatdesk::consent consent;
  bool blocked = false;
  std::string profile_name;
  friend bool operator==(const customer_state&, const customer_state&) = default;
};

/// Everything a policy may look at for one send. References are valid only
/// during the call.
struct CHATDESK_API send_context {
  const business& biz;
  const business_number& number;
  const send_intent& intent;
  const customer_state& customer;
  const conversation_state& conversation;
  const chatdesk::number_state& number_state;
  /// Unique customers reached with business-initiated messages outside a
  /// service window in the last 24 hours, and whether this customer is one.
  std::uint32_t reached_customers_24h = 0;
  bool customer_reached_24h = false;
  timestamp now{};
  /// The template's category and status (templates only).
  std::optional<template_info> template_entry;
  /// Windows at `now`.
  window_info window;
  /// For a template the directory does not know in the language asked for:
  /// the languages it exists in (empty when none, or when the directory cannot say).
  std::vector<std::string> template_languages{};

  /// True for a business-initiated message: a template sent outside the service window.
  [[nodiscard]] bool business_initiated() const noexcept {
    return is_template(intent.content) && !window.service_window_open;
  }
};

/// The facts the pricing rules read for this send, as the desk knows them at
/// send time: the model in force on the business's date, the windows now,
/// the template's category, a reaction, the number's service messages this
/// month, the business's exemption. The conversation-based models' open
/// conversations and monthly counts are the ledger's: the facts take none
/// open and the month's free conversations used up, so a decision made from
/// them never calls free what the ledger could charge.
[[nodiscard]] CHATDESK_API message_facts send_facts(const send_context& ctx);

/// What an allowed send changes; policies that keep counters update them here.
struct CHATDESK_API send_effects {
  conversation_state& conversation;
  chatdesk::number_state& number_state;
  bool count_reached_customer = false;  ///< add the customer to the messaging-limit count
};

/// One rule applied before every send.
class CHATDESK_API send_policy {
 public:
  send_policy() = default;
  send_policy(const send_policy&) = delete;
  send_policy& operator=(const send_policy&) = delete;
  virtual ~send_policy() = default;

  /// A short stable name ("service_window").
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// nullopt allows the send; an error refuses it, with a stable code and a
  /// message a person can read. Must not change anything.
  [[nodiscard]] virtual std::optional<error> check(const send_context& ctx) const = 0;
  /// Called once the send is allowed by every policy, to update counters.
  virtual void commit(const send_context& ctx, send_effects& effects) const {
    (void)ctx;
    (void)effects;
  }
};

/// A generic cell-rate (token-bucket) limiter over one timestamp: `interval`
/// between messages on average, bursts of up to `burst` at once.
struct CHATDESK_API rate_limit {
  std::chrono::microseconds interval{};
  std::int64_t burst = 1;

  /// nullopt if a message may go at `now_us` given state `tat_us`; otherwise
  /// how long to wait.
  [[nodiscard]] std::optional<std::chrono::microseconds> wait(std::int64_t tat_us,
                                                              std::int64_t now_us) const noexcept;
  /// The state after a message goes at `now_us`.
  [[nodiscard]] std::int64_t next(std::int64_t tat_us, std::int64_t now_us) const noexcept;
};

/// Built-in rules, in the order the desk applies them.
namespace policies {

/// Refuses any message to a customer the business blocked (`policy.customer_blocked`).
CHATDESK_API std::unique_ptr<send_policy> customer_blocked();
/// Refuses templates to a customer who opted out (`policy.opted_out`); with
/// `block_service_replies`, refuses free-form replies too.
CHATDESK_API std::unique_ptr<send_policy> consent(bool block_service_replies = false);
/// Refuses free-form messages outside the customer service window, saying when
/// it closed (`policy.outside_service_window`).
CHATDESK_API std::unique_ptr<send_policy> service_window();
/// Refuses templates that are not APPROVED (`policy.template_not_approved`) or
/// that the directory does not know (`policy.unknown_template`), or knows
/// only in other languages (`policy.template_language`, naming them).
CHATDESK_API std::unique_ptr<send_policy> template_status();
/// Refuses a template message whose values do not fit the template the
/// directory holds (`policy.template_values`): a variable without a value, a
/// value no variable takes, a media header missing, a text too long, with
/// the component and variable named (`check_content`). Templates whose
/// directory entry has no definition pass.
CHATDESK_API std::unique_ptr<send_policy> template_values();
/// Refuses marketing templates to United States numbers from `since`
/// (2025-04-01 by default; `policy.us_marketing`).
CHATDESK_API std::unique_ptr<send_policy> us_marketing(
    timestamp since = parse_timestamp("2025-04-01T00:00:00Z").value());
/// Refuses business-initiated messages to a new customer once the tier's
/// unique customers in a moving 24 hours are reached (`policy.messaging_limit`).
CHATDESK_API std::unique_ptr<send_policy> messaging_limit();
/// The pair rate: one message per `interval` to one customer, with bursts of
/// `burst` (6 s and 45 by default; `policy.pair_rate`).
CHATDESK_API std::unique_ptr<send_policy> pair_rate(
    std::chrono::milliseconds interval = std::chrono::seconds{6}, std::int64_t burst = 45);
/// The number's throughput in messages per second (`policy.throughput`).
CHATDESK_API std::unique_ptr<send_policy> throughput();
/// Under pmp_2026_10, refuses a service message once the number has sent its
/// 1,000 free ones this month (`policy.service_free_tier`): for businesses
/// without a payment method, whose messages beyond the tier the platform
/// would not deliver. Not among the defaults; exempt businesses pass.
CHATDESK_API std::unique_ptr<send_policy> service_free_tier();

/// All of the above with their defaults, in order.
CHATDESK_API std::vector<std::unique_ptr<send_policy>> defaults(
    bool block_service_replies_on_opt_out = false);

}  // namespace policies

}  // namespace chatdesk
