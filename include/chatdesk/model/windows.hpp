/// @file
/// The platform's timings that several modules need: the customer service
/// window and the free entry point. The engine decides what may be sent with
/// them and the pricing rules decide what it costs with the same values.
#pragma once

#include <chrono>

#include "chatdesk/core/clock.hpp"

namespace chatdesk {

/// The customer service window: 24 hours from the customer's latest message.
inline constexpr std::chrono::hours service_window_length{24};
/// A referral (click-to-chat ad, page button) must be answered within 24 hours to open a free entry point.
inline constexpr std::chrono::hours entry_point_answer_limit{24};
/// A free entry point window lasts 72 hours from the business's answer.
inline constexpr std::chrono::hours entry_point_window_length{72};

/// "No such time": the value of a window time that never happened.
inline constexpr timestamp never = timestamp::min();

}  // namespace chatdesk
