/// @file
/// A bounded, time-windowed memory of ids seen recently, for idempotent
/// handling of redelivered webhooks (the platform retries and may deliver the
/// same message or status more than once, in any order).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

namespace detail {
/// Hashes ids as string views, so look-ups need not build a string.
struct CHATDESK_API id_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
}  // namespace detail

/// Remembers ids for a time window and up to a capacity. `first_seen` is
/// true the first time an id is offered within the window and false for a
/// repeat. Ids older than the window (by the time given with each call, so
/// replays and tests are deterministic) and, beyond the capacity, the oldest
/// ids are forgotten: memory stays bounded whatever the traffic.
///
/// Thread-safe: one instance may be shared by the threads handling webhooks.
class CHATDESK_API dedupe_window {
 public:
  /// `window`: how long an id is remembered (the platform retries for up to
  /// 7 days; a day catches nearly all duplicates). `capacity`: most ids kept.
  explicit dedupe_window(std::chrono::seconds window = std::chrono::hours(24),
                         std::size_t capacity = 1'000'000);

  /// True if `id` was not seen within the window before `now`; records it.
  /// Time may go backwards a little (out-of-order deliveries): an older `now`
  /// never forgets anything.
  bool first_seen(std::string_view id, timestamp now);
  /// True if `id` is remembered, without recording anything.
  [[nodiscard]] bool contains(std::string_view id, timestamp now) const;
  /// How many ids are remembered.
  [[nodiscard]] std::size_t size() const;
  /// Forgets everything.
  void clear();

 private:
  void expire(timestamp now);

  void pop_oldest();

  struct entry {
    timestamp at;
    const std::string* id = nullptr;  // the key of its node in seen_ (nodes never move)
  };
  std::chrono::seconds window_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, timestamp, detail::id_hash, std::equal_to<>>
      seen_;                 // id -> when it was last recorded
  std::deque<entry> order_;  // records, oldest first
};

}  // namespace chatdesk
