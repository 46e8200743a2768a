/// @file
/// Reconciliation: for the orders a business created in a period, how many
/// stand in each status, what was asked and what was captured in each
/// currency, every failed payment with its reason, and every capture that
/// does not match its order. JSON for programs, CSV (one row per order) for
/// spreadsheets.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/money.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/payments/order_book.hpp"

namespace chatdesk {

/// One failed payment attempt, with its order.
struct CHATDESK_API failed_payment {
  std::string reference_id;
  phone_number customer;
  payment_failure failure;

  friend bool operator==(const failed_payment&, const failed_payment&) = default;
};

/// The reconciliation of one business over a period.
struct CHATDESK_API payments_report {
  std::string business_id;
  timestamp from{};                         ///< orders created at or after
  timestamp to{};                           ///< and before
  std::array<std::size_t, 6> by_status{};   ///< orders per `order_status`, in the enum's order
  std::array<std::size_t, 4> by_payment{};  ///< orders per `payment_status`, in the enum's order
  std::vector<money> ordered;               ///< totals asked, one per currency, by currency code
  std::vector<money> captured;              ///< amounts captured, one per currency, by currency code
  std::vector<failed_payment> failures;     ///< oldest first
  std::vector<order_record> flagged;        ///< orders whose captures need a person
  std::vector<order_record> orders;         ///< every order of the period, oldest first

  friend bool operator==(const payments_report&, const payments_report&) = default;
};

/// The report of the orders `business_id` created in [from, to). Store
/// failures come back as their `store.*` errors; `payments.invalid_period`
/// when `to` is not after `from` or the period is longer than 366 days.
[[nodiscard]] CHATDESK_API result<payments_report> make_payments_report(order_book& book,
                                                                        std::string_view business_id,
                                                                        timestamp from, timestamp to);
/// The same over local days `first` to `last` (both included) in `zone`.
[[nodiscard]] CHATDESK_API result<payments_report> make_payments_report(order_book& book,
                                                                        std::string_view business_id,
                                                                        date::year_month_day first,
                                                                        date::year_month_day last,
                                                                        const time_zone& zone);

/// The report as one JSON object.
[[nodiscard]] CHATDESK_API std::string to_json(const payments_report& report);
/// One CSV row per order (RFC 4180 quoting), with a header row.
[[nodiscard]] CHATDESK_API std::string to_csv(const payments_report& report);

}  // namespace chatdesk
