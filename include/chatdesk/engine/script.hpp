// Scripts of timed events (JSON Lines) and their replay through a desk.
//
// A script is what `chatdesk simulate` reads (docs/simulate.md): one JSON
// object a line, each a business or template declaration or a timed event
// (a customer's message, a send, a status, a consent change, a tick). The
// library reads and writes the lines as typed events, and `script_replay`
// applies them to a desk with a manual clock and an in-memory store,
// printing one JSON line per decision or event, so an application can build
// test traffic, replay a day's log or check a rule without the program.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/engine/desk.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/templates/directory.hpp"

namespace chatdesk {

/// `{"type":"business",...}`: a business with one number (untimed).
struct CHATDESK_API script_business {
  business definition;  ///< one number: `number` (default: the business id), `display_number`
};

/// `{"type":"template",...}`: a template a business has (untimed). Once a
/// script declares any, the replay refuses templates it did not declare.
struct CHATDESK_API script_template {
  std::string business_id;
  std::string name;
  std::string language = "en_US";
  template_info info;
};

/// The message of an `inbound` or `send` line: its `kind` as written
/// ("text", "template", "image", ..., "unsupported") and the content built from
/// `text`, `template`, `language`, `category`, `link` and `reply_to`.
struct CHATDESK_API script_message {
  std::string kind = "text";
  content body;
  /// False for a template written without `category`: the replay takes the
  /// category of the declared template (and refuses when there is none).
  bool category_given = true;
};

/// `{"type":"inbound",...}`: a customer's message.
struct CHATDESK_API script_inbound {
  timestamp at{};
  std::string business_id;
  phone_number customer;
  std::string id;  ///< the platform's message id
  script_message message;
  bool referral = false;  ///< true: it came from a click-to-chat ad
  std::string profile_name;
  /// The referral's details, when the line gives `"referral"` as an object
  /// (`source_type`, `source_id`, `ctwa_clid`, `headline`) rather than `true`.
  std::optional<chatdesk::referral> referral_details{};
};

/// `{"type":"send",...}`: a send intent.
struct CHATDESK_API script_send {
  timestamp at{};
  std::string business_id;
  phone_number customer;
  script_message message;
  /// The platform id the simulated transport answers with; by default
  /// `wamid.sim.send-N` for the script's N-th send.
  std::optional<std::string> id;
};

/// `{"type":"status",...}`: a status for an earlier send (`at` is the update's time).
struct CHATDESK_API script_status {
  status_update update;
};

/// What an `opt_in`, `opt_out`, `block` or `unblock` line does.
enum class script_consent_action : std::uint8_t { opt_in, opt_out, block, unblock };
[[nodiscard]] CHATDESK_API std::string_view to_string(script_consent_action a) noexcept;  ///< "opt_in", ...

/// `{"type":"opt_in" | "opt_out" | "block" | "unblock",...}`: consent or
/// blocking changed through another channel.
struct CHATDESK_API script_consent {
  timestamp at{};
  script_consent_action action = script_consent_action::opt_in;
  std::string business_id;
  phone_number customer;
  std::string source = "script";  ///< opt_in: where the consent was given
};

/// `{"type":"tick",...}`: only moves the clock.
struct CHATDESK_API script_tick {
  timestamp at{};
};

/// One line of a script.
using script_event = std::variant<script_business, script_template, script_inbound, script_send,
                                  script_status, script_consent, script_tick>;

/// When a timed event happens; nullopt for the untimed declarations.
[[nodiscard]] CHATDESK_API std::optional<timestamp> time_of(const script_event& e) noexcept;

/// Reads one line. Errors name the field in `where`: `simulate.syntax` (not a
/// JSON object, or nested deeper than `max_json_depth`), `simulate.field` (a
/// missing or mistyped field), `simulate.unknown_type`, `simulate.unknown_kind`,
/// or the library's own code for a bad value (`phone.too_short`, `time.invalid`...).
[[nodiscard]] CHATDESK_API result<script_event> parse_script_event(std::string_view line);
/// The same from a parsed object.
[[nodiscard]] CHATDESK_API result<script_event> script_event_from_json(const nlohmann::ordered_json& j);
/// The line for `e`, which `parse_script_event` reads back as `e`.
[[nodiscard]] CHATDESK_API nlohmann::ordered_json to_json(const script_event& e);

/// Replays a script through its own desk (manual clock, a memory store or the
/// caller's, a transport that accepts every send) and prints what happened as JSON lines
/// (docs/simulate.md's output). Events must come in time order: before each
/// timed event the clock moves to its `at` and the desk ticks, so window
/// events print first. Not thread-safe; one replay per script.
class CHATDESK_API script_replay {
 public:
  /// Where each output line goes (without its newline).
  using sink = std::function<void(std::string_view line)>;

  explicit script_replay(sink out, desk_options options = {});
  /// The same over `state` (not owned), such as a durable store whose state
  /// lasts from one replay to the next: what a script already did is
  /// duplicate the second time, and its businesses are known.
  script_replay(sink out, store& state, desk_options options = {});
  ~script_replay();
  script_replay(const script_replay&) = delete;
  script_replay& operator=(const script_replay&) = delete;

  /// Reads and applies line `number` of the script (blank lines are skipped).
  /// A line that cannot be read or applied prints a `problem` line, changes
  /// nothing it names, and is returned as the error.
  result<void> apply_line(std::string_view line, std::size_t number);
  /// Applies an event read already; `number` is printed as its `line`.
  /// Error `simulate.out_of_order` for a timed event before the previous one.
  result<void> apply(const script_event& e, std::size_t number);

  /// Prints line `number` as a problem the caller found before it could be
  /// read (too long for its reader, say) and counts it; returns `why`.
  result<void> reject_line(std::size_t number, const error& why);

  /// The lines that were problems so far.
  [[nodiscard]] std::size_t problems() const noexcept;
  /// The desk the script runs on, to inspect after (or between) lines.
  [[nodiscard]] const desk& replay_desk() const noexcept;
  /// The replay's clock: the time of the last timed event.
  [[nodiscard]] timestamp now() const noexcept;

  /// For layers that replay lines of their own over this replay (live
  /// support's, chatdesk/support/script.hpp):
  /// Moves the clock to `at` and ticks the desk as a timed line at line
  /// `number` does (window events print). Error `simulate.out_of_order`.
  result<void> advance(timestamp at, std::size_t number);
  /// The number id of business `business_id`, registering the business (one
  /// number with its own id) as a line naming it does. Errors: the desk's.
  result<std::string> number_of(std::string_view business_id);
  /// Prints one output line.
  void print(const nlohmann::ordered_json& line) const;
  /// The desk, the store and the clock the replay runs on.
  [[nodiscard]] desk& replay_desk() noexcept;
  [[nodiscard]] store& replay_store() noexcept;
  [[nodiscard]] const chatdesk::clock& replay_clock() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chatdesk
