/// @file
/// Scripts with live support's lines (docs/simulate.md): agents, teams,
/// support settings, presence, hand-offs, assignments, agents' replies,
/// statuses, surveys. The engine's lines go to a `script_replay`; the support
/// lines go to a `support_desk` over the same desk, store and clock, and every
/// support event prints as a line `"event":"support.<kind>"` with its reason,
/// so each routing and SLA decision of a day can be read and replayed.
#pragma once
#include <cstddef>
#include <memory>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/desk.hpp"
#include "chatdesk/engine/script.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/support/support_desk.hpp"

namespace chatdesk {

/// Replays a script whose lines may also be live support's. Not thread-safe;
/// one replay per script.
class CHATDESK_API support_replay {
 public:
  using sink = script_replay::sink;

  explicit support_replay(sink out, desk_options options = {});
  /// Over `state` (not owned), such as a durable store kept between runs.
  support_replay(sink out, store& state, desk_options options = {});
  ~support_replay();
  support_replay(const support_replay&) = delete;
  support_replay& operator=(const support_replay&) = delete;

  /// Reads and applies line `number` (blank lines are skipped). Before a
  /// timed line the clock moves and both the desk and the support desk tick,
  /// so window, SLA and snooze events print first. A line that cannot be read
  /// or applied prints a `problem` line, changes nothing it names, and is
  /// returned as the error: `simulate.syntax`, `simulate.field` (naming the
  /// field), `simulate.out_of_order`, or the library's code such as
  /// `support.unknown_agent`.
  result<void> apply_line(std::string_view line, std::size_t number);
  /// Prints line `number` as a problem found before it could be read; returns `why`.
  result<void> reject_line(std::size_t number, const error& why);
  /// The lines that were problems so far.
  [[nodiscard]] std::size_t problems() const noexcept;
  /// The engine's replay underneath, and the support desk.
  [[nodiscard]] script_replay& engine() noexcept;
  [[nodiscard]] support_desk& support() noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chatdesk
