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
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/input.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/pricing/ledger.hpp"

namespace chatdesk {

/// Decodes event lines (with simdjson, so millions of lines a second).
class CHATDESK_API pricing_event_reader {
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
struct CHATDESK_API pricing_run {
  std::size_t lines = 0;     ///< lines read (blank lines included)
  std::size_t events = 0;    ///< events applied
  std::size_t problems = 0;  ///< lines skipped, each reported to the ledgers
  /// Set when a read error ended the stream before its end (`input.read`):
  /// the ledgers then hold only the events before it, and their invoices are partial.
  std::optional<error> failure;
};

/// One shard of a stream of events: the businesses whose id hashes to
/// `index` of `count`. Invoices of different businesses are independent, so
/// each shard is priced on its own (another process, another machine) and
/// `merge_invoices` adds the shards' invoices up to exactly the invoice of
/// one run over the whole stream.
struct CHATDESK_API pricing_shard {
  std::uint32_t index = 0;  ///< from 0 to count - 1
  std::uint32_t count = 1;

  /// The shard of `business`: a hash of its id that is the same on every
  /// machine, build and run (FNV-1a, 64 bits, modulo `count`).
  [[nodiscard]] static std::uint32_t of(std::string_view business, std::uint32_t count) noexcept;
  /// Reads "K/N", K from 1 to N (as `chatdesk price --shard` takes it).
  /// Errors `pricing.invalid_shard`.
  [[nodiscard]] static result<pricing_shard> parse(std::string_view text);
};

/// How `price_events` reads.
struct CHATDESK_API price_options {
  /// A longer line is a problem (`input.line_too_long`) and is never held in memory.
  std::size_t max_line = input_limits::line;
  /// Events stamped after this are problems (`pricing.future_time`), so one
  /// stamp in the year 9999 cannot make every later line out of order. The
  /// program passes its clock plus 5 minutes; unset: no bound.
  std::optional<timestamp> latest;
  /// Called with the run so far every `progress_every` lines (for a progress
  /// display); empty: not called.
  std::function<void(const pricing_run&)> progress{};
  std::size_t progress_every = 4096;
  /// Price only this shard's businesses. Every shard reads the whole stream;
  /// a line that cannot be read or is out of order is reported by one shard
  /// only (line number modulo the count), a status by the shard of the
  /// business that sent its message (by the shard of its id's hash when no
  /// message of the stream has that id), so merged invoices count every
  /// problem once. Costs about 10 bytes a message sent (its id's hash).
  pricing_shard shard{};
};

/// Feeds a JSON Lines stream to one or more ledgers (the same events priced
/// under several models for --compare). A malformed line, an unknown id in a
/// status, an event out of time order (`pricing.out_of_order`) or after
/// `options.latest` is reported with its line number and skipped: it never
/// stops the run and never changes a charge. Memory does not grow with the
/// stream's length. A read error ends the run and is kept in `pricing_run::failure`.
CHATDESK_API pricing_run price_events(std::istream& in, const std::vector<ledger*>& ledgers,
                                      const price_options& options = {});

}  // namespace chatdesk
