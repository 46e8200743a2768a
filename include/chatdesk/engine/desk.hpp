/// @file
/// The desk: the facade an application calls. It ingests inbound messages and
/// statuses, applies the platform's rules to every send, hands allowed sends
/// to the application's transport, and tells observers what happened.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/conversation.hpp"
#include "chatdesk/engine/observer.hpp"
#include "chatdesk/engine/policy.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/engine/transport.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/rules/pricing_rules.hpp"

namespace chatdesk {

/// Settings of a desk.
struct CHATDESK_API desk_options {
  /// How long before a service window closes observers hear `window_closing`.
  std::chrono::minutes closing_notice{60};
  /// Percentage of the messaging limit at which observers hear `limit_near`.
  std::uint32_t limit_near_percent = 80;
  /// Whether an opted-out customer's own messages still allow free-form
  /// replies in the service window (the default), or block every message.
  bool opt_out_blocks_service_replies = false;
  /// Use these policies instead of `policies::defaults()`.
  std::optional<std::vector<std::shared_ptr<const send_policy>>> policies;

  /// How far ahead of the desk's clock an inbound message or a status may be
  /// stamped. Within it the time is taken as now (the platform's clock may run
  /// a little ahead of ours); beyond it the event is refused (`desk.future_time`),
  /// so one hostile stamp cannot pin a window open or shut.
  std::chrono::seconds max_clock_skew{std::chrono::minutes(5)};
  /// How old an inbound message or a status may be: the platform retries a
  /// webhook for at most 7 days (docs/decisions.md), so an older stamp is
  /// refused (`desk.stale_time`).
  std::chrono::seconds max_event_age{std::chrono::hours(24 * 7)};

  /// A status for a message whose send is not answered yet (the platform's
  /// `sent` can overtake the transport's answer) is held this long, and
  /// applied when the answer names the message.
  std::chrono::seconds early_status_hold{std::chrono::minutes(10)};
  /// Most messages with held statuses; beyond it the oldest are dropped.
  std::size_t early_status_capacity = 10'000;

  /// How long messages' content is kept: with a value, `tick()` calls
  /// `purge(now - keep_messages_for)` at most once an hour (records go once
  /// de-duplication is past them too). Empty (the default): kept until the
  /// application purges.
  std::optional<std::chrono::hours> keep_messages_for;

  /// The start of the correlation ids the desk makes for sends without one
  /// ("<prefix><n>"). Empty (the default): "cd-" and 16 random hex digits
  /// drawn when the desk is made, so desks sharing a store, and a desk made
  /// again after a restart, never make the same id.
  std::string correlation_prefix;
};

/// What `desk::receive` did with an inbound message.
struct CHATDESK_API receive_result {
  bool duplicate = false;      ///< the id was seen before: nothing changed
  bool window_opened = false;  ///< the service window was closed and is now open
  window_info window;          ///< the windows after the message
  bool opted_out = false;      ///< the message was an opt-out keyword
  bool opted_in = false;       ///< the message was an opt-in keyword
};

/// A status report for an outbound message.
struct CHATDESK_API status_update {
  std::string message_id;  ///< the platform's id (or the correlation id)
  message_status status = message_status::sent;
  timestamp at{};
  std::optional<status_error> error;
  /// The recipient, when known (webhook statuses carry it): saves a look-up and is checked.
  phone_number customer;
  /// The business number that sent it, when known.
  std::string business_number_id;
};

/// A number's free service messages this month (pmp_2026_10), as the desk counted them.
struct CHATDESK_API service_tier_usage {
  std::string month;       ///< "2026-10", in the business's time zone
  std::uint32_t used = 0;  ///< service messages sent and counted this month
  std::uint32_t free = 0;  ///< the monthly free tier (1,000)
  std::uint32_t left = 0;  ///< free ones left this month
};

/// What `desk::apply_status` did.
struct CHATDESK_API status_result {
  status_change change = status_change::duplicate;
  message_status status = message_status::accepted;  ///< the message's status afterwards
};

/// The policies' verdict on a send.
struct CHATDESK_API decision {
  bool allowed = false;
  /// When allowed: what the pricing rules make of it at send time (the
  /// ledger decides at delivery; see `estimate` in docs/engine.md).
  charge_reason charge = charge_reason::volume_tier;
  std::optional<error> refusal;  ///< when refused
  std::string policy;            ///< the refusing policy's name
  window_info window;            ///< windows at the time of the check
};

/// What `desk::send` did.
struct CHATDESK_API send_result {
  chatdesk::decision decision;
  std::string correlation_id;  ///< the caller's or the desk's id for the message
  std::string message_id;      ///< the platform's id, once the transport answered
  message_status status = message_status::accepted;
  std::optional<status_error> transport_error;  ///< the transport refused it
};

/// The facade applications call. Thread-safe: one desk may be shared by many
/// threads; steps on different customers run in parallel, steps on one
/// customer (and the counters of one business) are serialised through the
/// store's locks. Time comes only from the clock given at construction.
class CHATDESK_API desk {
 public:
  /// A desk over `store`, sending through `transport` (nullptr: sends are
  /// recorded as accepted and wait for `transport_answered`). Over a store
  /// that kept state (a durable one, after a restart) it knows the businesses
  /// registered before, and `tick()` announces the windows that closed while
  /// no desk was ticking and those that close later. Throws
  /// `chatdesk::exception` (`store.*`) if the store fails while it loads them.
  desk(const chatdesk::clock& clock, chatdesk::store& store, chatdesk::transport* transport = nullptr,
       desk_options options = {});
  ~desk();
  desk(const desk&) = delete;
  desk& operator=(const desk&) = delete;

  /// Registers (or replaces) a business. Errors from `business::validate`,
  /// and `desk.number_taken` when another business owns one of its numbers.
  result<void> add_business(business b);
  /// The business with `id`, or nullptr. The pointer stays valid until the business is replaced.
  [[nodiscard]] const business* find_business(std::string_view id) const;
  /// The id of the business that owns the number `business_number_id`, if any.
  [[nodiscard]] std::optional<std::string> business_id_of(std::string_view business_number_id) const;
  /// Uses `directory` to look templates up (not owned; nullptr: trust the intent's category).
  void set_template_directory(const template_directory* directory);
  /// Adds a rule after the others.
  void add_policy(std::shared_ptr<const send_policy> policy);
  /// Starts telling `o` what happens (not owned; must outlive the subscription).
  void subscribe(observer* o);
  void unsubscribe(observer* o);

  /// Ingests a customer's message. Errors: `desk.unknown_number` (no business
  /// has `business_number_id`; it may be added later), `desk.invalid_message`
  /// (outbound, no id, or no customer), `desk.future_time` and `desk.stale_time`
  /// (stamped outside the bounds in `desk_options`). A message whose id was
  /// seen before is a duplicate and changes nothing.
  result<receive_result> receive(const message& inbound, std::string_view profile_name = {});
  /// Applies a status to an outbound message. A status for a message the
  /// desk does not know yet is held (`status_change::held`) and applied when
  /// a transport answer names the message (see `desk_options::early_status_hold`).
  /// Errors: `desk.unknown_message` (no id), `desk.invalid_status` (an
  /// inbound message, another customer, or another business number than the
  /// message's), `desk.future_time`, `desk.stale_time`.
  result<status_result> apply_status(const status_update& update);

  /// The policies' verdict on `intent` now, changing nothing. Errors (not
  /// refusals): `desk.unknown_business`, `desk.unknown_number`, `desk.invalid_intent`.
  result<decision> check(const send_intent& intent);
  /// Checks, records and hands the message to the transport.
  result<send_result> send(send_intent intent);
  /// Marks the customer's message `message_id` (its platform id) as read,
  /// with `typing` also showing a typing indicator, through the transport.
  /// Errors: `desk.unknown_message` (no such message from a customer),
  /// `desk.invalid_receipt` (a message the business sent), `desk.no_transport`,
  /// and the transport's own (`transport.unsupported` by default).
  result<void> mark_read(std::string_view message_id, bool typing = false);
  /// The transport's late answer for the message with `correlation_id`.
  result<status_result> transport_answered(std::string_view correlation_id, const transport_answer& answer);

  /// How many free service messages the number has left this month (the
  /// pmp_2026_10 free tier): the desk counts the free-form messages it allows
  /// (not reactions, not those inside a free entry point), so it reaches the
  /// limit no later than the platform, which counts deliveries. The observer
  /// hears `free_tier_near` at 90% and 100%. Error `desk.unknown_number`.
  [[nodiscard]] result<service_tier_usage> service_messages(std::string_view business_number_id);

  /// The windows of one conversation now.
  [[nodiscard]] window_info window(std::string_view business_number_id, const phone_number& customer);
  /// The state of one conversation, if it exists.
  [[nodiscard]] std::optional<conversation_state> conversation(std::string_view business_number_id,
                                                               const phone_number& customer);
  /// The customer's state with a business, if known.
  [[nodiscard]] std::optional<customer_state> customer(std::string_view business_id,
                                                       const phone_number& customer);

  /// Records consent given through another channel (a web form, a checkout box).
  result<void> opt_in(std::string_view business_id, const phone_number& customer, std::string source);
  /// Records that the customer asked to stop.
  result<void> opt_out(std::string_view business_id, const phone_number& customer);
  /// Blocks or unblocks a customer.
  result<void> set_blocked(std::string_view business_id, const phone_number& customer, bool blocked);

  /// Forgets message content older than `before`, and message records older
  /// than both `before` and the de-duplication horizon (`max_event_age` before
  /// now): a retried webhook or a late status still finds its message. Returns
  /// the number of records forgotten. Run it from time to time (a daily job).
  result<std::size_t> purge(timestamp before);

  /// Tells `o` again, in order, what the desk's journal holds since `since`:
  /// each customer's message received (without its content) and each status
  /// change, as the desk told its observers when they happened. After a
  /// restart, an observer that keeps its own state (a `ledger_bridge` and its
  /// ledger) replays the month so far and carries on exactly. Needs a store
  /// that keeps the journal (`sqlite_store` does by default). Returns the
  /// number of entries replayed.
  result<std::size_t> replay_journal(observer& o, timestamp since = never);

  /// Tells observers about windows that are closing (within the closing
  /// notice) or closed by now. Call it periodically (a timer) or after
  /// advancing a manual clock.
  void tick();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chatdesk
