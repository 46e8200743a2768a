/// @file
/// Payments in the chat as the platform reports them: the statuses of an
/// order's payment and of its fulfilment, and a payment notice (a webhook's
/// `statuses[]` item of type `payment`) as received. The rules that apply
/// them are in the `payments` module; these are values only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// Where an order's payment stands. `none` until the platform reports one.
enum class payment_status : std::uint8_t { none, pending, captured, failed };
[[nodiscard]] CHATDESK_API std::string_view to_string(payment_status s) noexcept;  ///< "none", "pending", ...
/// Parses "pending", "captured", "failed" (any case). Error `payments.unknown_payment_status`.
[[nodiscard]] CHATDESK_API result<payment_status> parse_payment_status(std::string_view text);

/// Where an order stands, as the business tells the customer with `order_status` messages.
enum class order_status : std::uint8_t {
  pending,
  processing,
  partially_shipped,
  shipped,
  completed,
  canceled
};
/// The platform's spelling: "pending", "processing", "partially-shipped", "shipped", "completed", "canceled".
[[nodiscard]] CHATDESK_API std::string_view to_string(order_status s) noexcept;
/// Parses the platform's spelling (also "partially_shipped"). Error `payments.unknown_order_status`.
[[nodiscard]] CHATDESK_API result<order_status> parse_order_status(std::string_view text);

/// An amount as the platform writes it: `value` / `offset` units of the
/// currency (offset 100: value 21000 is 210.00). Kept as received; the
/// payments module turns it into exact money and refuses what does not fit.
struct CHATDESK_API payment_amount {
  std::int64_t value = 0;
  std::int64_t offset = 0;

  friend bool operator==(const payment_amount&, const payment_amount&) = default;
};

/// Why a payment transaction failed, as the gateway says.
struct CHATDESK_API payment_error {
  std::string code;
  std::string reason;

  friend bool operator==(const payment_error&, const payment_error&) = default;
};

/// One attempt to pay, through a gateway or UPI.
struct CHATDESK_API payment_transaction {
  std::string id;
  std::string gateway;            ///< the transaction's `type`: "razorpay", "payu", "billdesk", "upi", ...
  std::string status;             ///< as received: "pending", "success", "failed"
  std::string method;             ///< "upi", "card", "wallet", "netbanking" (a string or `method.type`)
  std::string pg_transaction_id;  ///< the gateway's own id, when given
  std::optional<timestamp> created;
  std::optional<timestamp> updated;
  std::optional<payment_amount> amount;
  std::string currency;
  std::optional<payment_error> error;

  friend bool operator==(const payment_transaction&, const payment_transaction&) = default;
};

/// The payment part of a status webhook of type `payment`.
struct CHATDESK_API payment_notice {
  std::string reference_id;  ///< the business's order reference
  /// The status, parsed from the webhook's `status`; nullopt when it is none
  /// the platform defines (the payments module refuses it).
  std::optional<payment_status> status;
  std::optional<payment_amount> amount;
  std::string currency;  ///< as received: "INR", "BRL"
  std::optional<payment_transaction> transaction;
  std::string receipt;

  friend bool operator==(const payment_notice&, const payment_notice&) = default;
};

}  // namespace chatdesk
