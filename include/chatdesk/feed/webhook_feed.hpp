/// @file
/// The glue between the modules for a live deployment: decoded webhook
/// events go into the desk (de-duplicated, so a redelivered webhook changes
/// nothing), the desk's messages and statuses go into a pricing ledger, and
/// the platform's own `pricing` on statuses is checked against chatdesk's.
///
/// This module sits above wire, engine and pricing; none of them knows it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/dedupe.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/desk.hpp"
#include "chatdesk/engine/observer.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/templates/library.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace chatdesk {

/// Feeds a pricing ledger from a desk, as an observer: inbound messages as
/// they are received, outbound messages when the platform first reports
/// them, statuses as they advance. Charges are kept until taken.
///
/// Subscribe it to the desk (`desk.subscribe(&bridge)`). Thread-safe.
class CHATDESK_API ledger_bridge final : public observer {
 public:
  /// Prices under the business that owns each number in `d` (tiers and free
  /// tiers count per business, whatever number a message went through). A
  /// number the desk does not know is priced under its own id.
  ledger_bridge(ledger& l, const desk& d);
  /// `business_of` maps a business number id (phone_number_id) to the
  /// ledger's business id, for applications that keep that map themselves.
  ledger_bridge(ledger& l, std::function<std::string(std::string_view)> business_of);
  ~ledger_bridge() override;

  void message_received(const message& m) override;
  void status_changed(const message_record& record, message_status from) override;

  /// The charges made since the last call, in order.
  [[nodiscard]] std::vector<charge> take_charges();
  /// The charge made for a message, if the ledger made one and it was not taken yet.
  [[nodiscard]] std::optional<charge> charge_for(std::string_view message_id) const;
  /// Problems the ledger reported (an unknown message, a time out of order).
  [[nodiscard]] std::vector<error> take_problems();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Finds the customer of an inbound message whose sender is not a phone
/// number: a CRM's user id (Zendesk's Sunshine `userId`) in `from`. Returns
/// nullopt when the user is not known (the message is refused, and applied
/// if the CRM delivers it again once the user is known).
using customer_lookup = std::function<std::optional<phone_number>(const webhook_message& m)>;

/// CRM user ids and the customers they are: a ready `customer_lookup`
/// (`lookup()`) for applications that keep the map in memory. Thread-safe.
class CHATDESK_API customer_table {
 public:
  customer_table();
  ~customer_table();
  customer_table(const customer_table&) = delete;
  customer_table& operator=(const customer_table&) = delete;
  /// `user_id` is `customer` from now on.
  void set(std::string user_id, phone_number customer);
  void erase(std::string_view user_id);
  [[nodiscard]] std::optional<phone_number> find(std::string_view user_id) const;
  /// Looks a message's `from` up in this table, which must outlive the feed.
  [[nodiscard]] customer_lookup lookup() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// What a feed does by default.
struct CHATDESK_API feed_options {
  std::chrono::seconds dedupe_window = std::chrono::hours(24);  ///< how long ids are remembered
  std::size_t dedupe_capacity = 1'000'000;                      ///< most ids remembered
  std::size_t pending_pricing_capacity = 100'000;  ///< platform pricing kept while awaiting delivery
  /// The customer of a message whose sender is not a phone number (a CRM's
  /// user id); empty: such messages are refused (`feed.customer`).
  customer_lookup customer_of{};
};

/// chatdesk's charge and the platform's word on it disagree.
struct CHATDESK_API pricing_mismatch {
  std::string message_id;
  webhook_pricing platform;
  chatdesk::charge charge;
  std::string reason;  ///< a sentence for a person
};

/// What the feed did with one event of a batch.
enum class event_outcome : std::uint8_t {
  applied,    ///< the desk took it (a message received, a status that advanced)
  held,       ///< a status that overtook its send's answer: the desk applies it with the answer
  duplicate,  ///< a redelivery (or a status that changes nothing): dropped
  passed,  ///< for the application (template, account and CRM agent updates, platform errors, unknown fields)
  refused,  ///< the desk refused it: `feed_report::refused` says why
};
[[nodiscard]] CHATDESK_API std::string_view to_string(event_outcome o) noexcept;  ///< "applied", ...

/// What applying one batch did.
struct CHATDESK_API feed_report {
  std::size_t messages = 0;    ///< inbound messages the desk received
  std::size_t statuses = 0;    ///< statuses the desk applied
  std::size_t duplicates = 0;  ///< events dropped as redeliveries
  std::size_t held = 0;        ///< statuses that overtook their send's answer: the desk applies them with it
  std::size_t passed = 0;      ///< events for the application (template/account updates, agent messages, ...)
  /// Events the desk refused, by index in the batch, with the reason.
  std::vector<std::pair<std::size_t, error>> refused;
  std::vector<pricing_mismatch> mismatches;
  /// What happened to each event, by index in the batch.
  std::vector<event_outcome> outcomes;
};

/// Applies decoded webhook batches to a desk.
///
/// Redeliveries: an event is remembered as seen only once the desk took it,
/// or refused it for a reason that cannot change (a malformed event, a status
/// for another business's message). An event refused for a reason that can
/// change (`desk.unknown_number` for a number registered a moment later,
/// `desk.future_time`) is applied when the platform delivers it again.
/// Events passed to the application are de-duplicated too, where they carry
/// an identity: template and account updates by their account, field,
/// subject, event and time; CRM agent messages by id. So a handler (see
/// `dispatcher`) sees each of them once.
///
/// Thread-safe: one feed may take batches from many threads at once (with or
/// without the pricing cross-check).
class CHATDESK_API webhook_feed {
 public:
  explicit webhook_feed(desk& d, feed_options options = {});
  ~webhook_feed();
  webhook_feed(const webhook_feed&) = delete;
  webhook_feed& operator=(const webhook_feed&) = delete;

  /// Cross-checks statuses' `pricing` (PMP) against the charges `bridge`
  /// records (it must be subscribed to the same desk). A status the desk
  /// held (it overtook its send's answer) is not cross-checked.
  void check_pricing_with(ledger_bridge* bridge);

  /// Applies every message and status of `batch` that was not seen before.
  /// Never throws for bad events: each refusal is reported with its index.
  feed_report apply(const webhook_batch& batch);

  /// The customer who sent `m`: its sender's number, or for a CRM's user the
  /// customer `feed_options::customer_of` names; nullopt when neither.
  [[nodiscard]] std::optional<phone_number> customer_of(const webhook_message& m) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Applies a template webhook to the business's templates, so the desk's
/// checks follow the platform: a review outcome
/// (`message_template_status_update`: APPROVED and REINSTATED approve;
/// REJECTED, IN_APPEAL, PENDING, PAUSED and DISABLED as named; DELETED and
/// PENDING_DELETION disable; FLAGGED changes nothing, the template stays
/// sendable while its quality is watched), a quality rating
/// (`message_template_quality_update`; RED pauses as the library describes) or
/// a new category (`template_category_update`). The application says which
/// business the webhook's account is. Errors: `template.not_found`,
/// `template.unknown_status` (an event chatdesk does not know),
/// `business.unknown_quality`, `message.unknown_category`, `feed.invalid_update`
/// (another field).
CHATDESK_API result<void> apply_template_update(template_library& templates, std::string_view business_id,
                                                const webhook_template_update& update);

/// The send intent for an agent's reply written in a CRM (Zendesk), so the
/// desk's policies decide whether it may go out (a free-form reply outside
/// the service window is refused, with the reason to show the agent). The
/// application knows which customer and business a CRM conversation is for.
/// The CRM's message id becomes the correlation id.
[[nodiscard]] CHATDESK_API send_intent agent_reply_intent(const webhook_agent_message& reply,
                                                          std::string business_id,
                                                          const phone_number& customer);

/// Whether the platform's pricing of a delivered message agrees with
/// chatdesk's charge under per-message pricing: "regular" means charged at
/// the category's rate, "free_customer_service" free in the service window
/// (or, from 2026-10-01, within a number's free tier of service messages),
/// "free_entry_point" free in an entry-point window; the subtype "paid_exempt"
/// marks an exempt business's free service message. Both per-message models
/// (pmp_2025, pmp_2026_10) are compared. Empty when they agree.
[[nodiscard]] CHATDESK_API std::string compare_pricing(const webhook_pricing& platform, const charge& c);

}  // namespace chatdesk
