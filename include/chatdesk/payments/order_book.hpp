/// @file
/// The orders a business asked its customers to pay, kept in the desk's
/// store (memory, SQLite or PostgreSQL) under the business's reference id,
/// and the rules that move them:
///
/// - creating an order validates it, checks the market and the pilot cap on
///   distinct paying customers, and refuses a reference id already used;
/// - a payment's statuses from webhooks move it pending -> captured | failed
///   (a failed payment may be tried again); duplicates and late deliveries
///   never move it back and never count a payment twice, and a capture whose
///   amount or currency differs from the order is flagged for a person;
/// - the business moves the order pending -> processing -> partially-shipped
///   / shipped -> completed, or cancels it while no payment is pending or
///   captured.
///
/// Each change is one step under the store's lock for the order's customer,
/// so many threads and processes sharing a store apply each update once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/money.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/payment.hpp"
#include "chatdesk/payments/market.hpp"
#include "chatdesk/payments/order.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace chatdesk {

/// How the order book behaves.
struct CHATDESK_API payments_options {
  /// How many distinct customers of one business may be asked to pay (the
  /// pilot's cap: India's first million); 0 for no cap. A customer counts
  /// from the first order the business creates for them.
  std::uint64_t pilot_cap = 0;
  order_limits limits;
  std::vector<payment_market> markets = default_payment_markets();
};

/// A payment attempt that failed, as the gateway said.
struct CHATDESK_API payment_failure {
  std::string transaction_id;
  std::string code;
  std::string reason;
  timestamp at{};

  friend bool operator==(const payment_failure&, const payment_failure&) = default;
};

/// An order as the book keeps it.
struct CHATDESK_API order_record {
  std::string business_id;
  std::string reference_id;
  phone_number customer;
  money total;  ///< what the customer is asked to pay
  timestamp created{};
  order_status status = order_status::pending;
  payment_status payment = payment_status::none;
  timestamp updated{};            ///< the last change
  std::string transaction_id;     ///< the transaction behind `payment`
  timestamp payment_at{};         ///< when the platform stamped the status `payment` holds
  std::optional<money> captured;  ///< the amount captured, once captured
  /// Why the order needs a person: a capture whose amount or currency
  /// differs from the order's, a second capture by another transaction
  /// (the first 32).
  std::vector<std::string> flags;
  std::vector<payment_failure>
      failures;  ///< failed attempts, oldest first (the first 32; later ones still count)

  friend bool operator==(const order_record&, const order_record&) = default;
};

/// What applying a payment's status did.
enum class payment_change : std::uint8_t {
  advanced,   ///< the payment moved forward
  duplicate,  ///< already applied: nothing changed
  stale,      ///< an earlier status arriving late: nothing changed
  flagged,    ///< applied, and the order now needs a person (see `reason`)
};
[[nodiscard]] CHATDESK_API std::string_view to_string(payment_change c) noexcept;  ///< "advanced", ...

/// The outcome of one payment status.
struct CHATDESK_API payment_result {
  payment_change change = payment_change::advanced;
  std::string reason;  ///< why it was stale, a duplicate or flagged; empty when it advanced
  order_record order;  ///< the order after the update
};

/// Orders and their payments, over a store.
class CHATDESK_API order_book {
 public:
  /// Not owned: `clock` and `store` must outlive the book. The store must keep
  /// records (memory_store, sqlite_store, postgres_store).
  order_book(const chatdesk::clock& clock, chatdesk::store& store, payments_options options = {});

  /// Records `order` for `customer` and returns the message that asks them to
  /// pay (send it with `desk::send`). Refusals: the validator's
  /// (`payments.invalid_order`, `payments.total_mismatch`, ...),
  /// `payments.market`, `payments.pilot_cap` (the business already has as
  /// many paying customers as the cap allows, and this is a new one),
  /// `payments.duplicate_reference` (the business used the reference id
  /// before). Store failures are returned as their `store.*` errors, with
  /// nothing recorded.
  result<interactive_content> create(const business& business, const phone_number& customer,
                                     const order_details& order);

  /// Applies a payment's status (the notice of a webhook status of type
  /// `payment`), received at `at`, to the business's order. `customer`, when
  /// known (the webhook's recipient), must be the order's. Errors, with
  /// nothing applied: `payments.unknown_order`, `payments.unknown_payment_status`,
  /// `payments.invalid_amount` (a wrong offset, a negative value, an unknown
  /// currency), `payments.wrong_customer`.
  result<payment_result> apply(std::string_view business_id, const payment_notice& notice, timestamp at,
                               const phone_number& customer = {});
  /// Applies a decoded webhook status of type `payment` (its notice, time and
  /// recipient). Error `payments.not_a_payment` for any other status.
  result<payment_result> apply(std::string_view business_id, const webhook_status& status);

  /// Moves the order to `update.status` and returns the `order_status`
  /// message to send. Errors: `payments.unknown_order`,
  /// `payments.invalid_transition` (backwards, from a final status, or the
  /// same status again), `payments.cancel_refused` (a payment is pending or
  /// captured), `payments.invalid_order` (a description or body too long).
  result<interactive_content> update(std::string_view business_id, const order_update& update);

  /// The order, if the business has one with `reference_id`.
  [[nodiscard]] std::optional<order_record> find(std::string_view business_id, std::string_view reference_id);
  /// The order's details as created, if any.
  [[nodiscard]] std::optional<order_details> details(std::string_view business_id,
                                                     std::string_view reference_id);
  /// How many distinct customers the business has asked to pay.
  [[nodiscard]] std::uint64_t paying_customers(std::string_view business_id);
  /// Calls `each` for the business's orders created at or after `from` and
  /// before `to`, oldest day first, until it returns false.
  void orders(std::string_view business_id, timestamp from, timestamp to,
              const std::function<bool(const order_record&)>& each);

  [[nodiscard]] const payments_options& options() const noexcept { return options_; }

 private:
  const chatdesk::clock& clock_;
  chatdesk::store& store_;
  payments_options options_;
};

}  // namespace chatdesk
