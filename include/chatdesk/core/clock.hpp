/// @file
/// Time: the `timestamp` type, an injectable `clock` (system and manual), and
/// ISO 8601 / Unix-time conversions. Logic never calls `now()` on its own: it
/// takes a `clock&` or a timestamp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// A point in UTC with millisecond precision.
using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// Where time comes from. Implementations must be safe to call from many threads.
class CHATDESK_API clock {
 public:
  clock() = default;
  clock(const clock&) = delete;
  clock& operator=(const clock&) = delete;
  virtual ~clock() = default;

  /// The current time.
  [[nodiscard]] virtual timestamp now() const = 0;
};

/// The operating system's wall clock.
class CHATDESK_API system_clock final : public clock {
 public:
  [[nodiscard]] timestamp now() const override;
};

/// A clock that moves only when told: for tests, replays and simulations.
/// Thread-safe: `set` and `advance` may race with `now`.
class CHATDESK_API manual_clock final : public clock {
 public:
  explicit manual_clock(timestamp start = timestamp{}) noexcept : ms_(start.time_since_epoch().count()) {}

  [[nodiscard]] timestamp now() const override {
    return timestamp{std::chrono::milliseconds{ms_.load(std::memory_order_acquire)}};
  }
  /// Jumps to `t` (backwards too: replays decide).
  void set(timestamp t) noexcept { ms_.store(t.time_since_epoch().count(), std::memory_order_release); }
  /// Moves forward by `d`.
  void advance(std::chrono::milliseconds d) noexcept { ms_.fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<std::int64_t> ms_;
};

/// Parses an ISO 8601 / RFC 3339 date-time with an explicit offset:
/// "2025-07-03T09:00:00Z", "2025-07-03T11:00:00+02:00", "2025-07-03T09:00:00.250Z".
/// Errors `time.syntax` (with the character) and `time.invalid` (a day that
/// does not exist, an hour past 23 ...). Fractions beyond milliseconds are refused.
[[nodiscard]] CHATDESK_API result<timestamp> parse_timestamp(std::string_view text);

/// Parses a Unix time in whole seconds as webhooks send it ("1749416383").
/// Error `time.syntax`.
[[nodiscard]] CHATDESK_API result<timestamp> parse_unix_seconds(std::string_view text);

/// "2025-07-03T09:00:00Z", or "2025-07-03T09:00:00.250Z" when there are milliseconds.
[[nodiscard]] CHATDESK_API std::string format_timestamp(timestamp t);

}  // namespace chatdesk
