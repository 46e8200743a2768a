/// @file
/// Conversations: one business number and one customer, their windows, and
/// the answer to "what may be sent now, and until when".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/model/windows.hpp"

namespace chatdesk {

/// Names a conversation: a business number and a customer.
struct CHATDESK_API conversation_key {
  std::string business_number_id;
  phone_number customer;

  friend bool operator==(const conversation_key&, const conversation_key&) = default;
};

/// The state of a conversation that the rules need: windows and counters.
/// Plain data, so a store can persist it; message history is kept elsewhere.
struct CHATDESK_API conversation_state {
  timestamp last_inbound = never;       ///< the customer's latest message
  timestamp last_referral = never;      ///< the latest inbound message that came from a referral
  timestamp entry_point_start = never;  ///< when the business's answer opened the free entry point window
  timestamp last_outbound = never;      ///< the business's latest accepted send
  std::int64_t pair_rate_tat_us = 0;    ///< pair-rate limiter state (GCRA theoretical arrival time, µs)
  std::uint32_t inbound_count = 0;
  std::uint32_t outbound_count = 0;

  /// True while the customer service window is open: t < last_inbound + 24 h.
  [[nodiscard]] bool service_window_open(timestamp t) const noexcept {
    return last_inbound != never && t >= last_inbound && t < last_inbound + service_window_length;
  }
  /// When the service window closes (or closed); `never` if the customer never wrote.
  [[nodiscard]] timestamp service_window_closes_at() const noexcept {
    return last_inbound == never ? never : last_inbound + service_window_length;
  }
  /// True while a free entry point window is open at t.
  [[nodiscard]] bool entry_point_open(timestamp t) const noexcept {
    return entry_point_start != never && t >= entry_point_start &&
           t < entry_point_start + entry_point_window_length;
  }
  /// When the free entry point window closes; `never` if none was opened.
  [[nodiscard]] timestamp entry_point_closes_at() const noexcept {
    return entry_point_start == never ? never : entry_point_start + entry_point_window_length;
  }
  /// True when a business send at t would open a free entry point window: a
  /// referral within the last 24 hours that has not been answered yet.
  [[nodiscard]] bool entry_point_pending(timestamp t) const noexcept {
    return last_referral != never && t >= last_referral && t < last_referral + entry_point_answer_limit &&
           (entry_point_start == never || entry_point_start < last_referral);
  }
  friend bool operator==(const conversation_state&, const conversation_state&) = default;
};

/// What may be sent in a conversation at one moment, and until when.
struct CHATDESK_API window_info {
  bool service_window_open = false;  ///< free-form messages allowed
  timestamp service_window_closes_at = never;
  bool entry_point_open = false;  ///< every message free
  timestamp entry_point_closes_at = never;
  bool entry_point_pending = false;  ///< the next business message opens a free entry point window
};

/// The windows of `state` at time `t`.
[[nodiscard]] CHATDESK_API window_info windows_at(const conversation_state& state, timestamp t) noexcept;

}  // namespace chatdesk

/// Hashes a conversation key.
template <>
struct std::hash<chatdesk::conversation_key> {
  std::size_t operator()(const chatdesk::conversation_key& k) const noexcept {
    const std::size_t a = std::hash<std::string>{}(k.business_number_id);
    const std::size_t b = std::hash<chatdesk::phone_number>{}(k.customer);
    return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6U) + (a >> 2U));
  }
};
