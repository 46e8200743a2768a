/// @file
/// Pricing input as JSON Lines: one event a line, in time order.
///
/// ```
/// {"at":"2025-07-03T09:00:00Z","type":"inbound","business":"b1","customer":"+393331234567","id":"m1","referral":true}
/// {"at":"...","type":"outbound","business":"b1","customer":"+39...","id":"m2","kind":"template","category":"utility"}
/// {"at":"...","type":"status","id":"m2","status":"delivered"}
/// ```
#pragma once

#include <cstddef>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/pricing/ledger.hpp"

namespace chatdesk {

/// Decodes event lines (with simdjson, so millions of lines a second).
class pricing_event_reader {
 public:
  pricing_event_reader();
  ~pricing_event_reader();
  pricing_event_reader(const pricing_event_reader&) = delete;
  pricing_event_reader& operator=(const pricing_event_reader&) = delete;

  /// Decodes one line; the event's string views point into the reader's
  /// buffer and are valid until the next line is read. Errors name the field: `pricing.syntax` (not a JSON
  /// object), `pricing.field` (a missing or mistyped field), `pricing.unknown_type`,
  /// and the core's codes for times, numbers, categories and statuses.
  [[nodiscard]] result<pricing_event> parse(std::string_view line);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// What `price_events` saw.
struct pricing_run {
  std::size_t lines = 0;     ///< lines read (blank lines included)
  std::size_t events = 0;    ///< events applied
  std::size_t problems = 0;  ///< lines skipped, each reported to the ledgers
};

/// Feeds a JSON Lines stream to one or more ledgers (the same events priced
/// under several models for --compare). A malformed line, an unknown id in a
/// status, or an event out of time order is reported with its line number
/// (`pricing.out_of_order`) and skipped: it never stops the run and never
/// changes a charge. Memory does not grow with the stream's length.
pricing_run price_events(std::istream& in, const std::vector<ledger*>& ledgers);

}  // namespace chatdesk
