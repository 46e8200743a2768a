/// @file
/// The pricing ledger: prices a stream of message events under any of the
/// five models, exactly, and explains every charge. It works on a live stream
/// (fed by the desk or by decoded webhooks) as well as on files.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/country.hpp"
#include "chatdesk/core/decimal.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/money.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "chatdesk/rules/pricing_rules.hpp"

namespace chatdesk {

/// What pricing needs to know about a business.
struct CHATDESK_API pricing_business {
  std::string id;
  time_zone zone;        ///< months and the model in force are reckoned here (UTC by default)
  country home_country;  ///< for authentication-international rates
  std::optional<date::year_month_day> auth_international_from;
  /// A government or non-profit the platform exempts from service-message
  /// charges (`paid_exempt`): its service messages beyond the free tier cost nothing.
  bool paid_exempt = false;
  /// How long a free entry point window lasts under pmp_2026_10 (the platform
  /// says "up to 7 days" and the exact rule is not published: 72 hours, as
  /// before, unless set; see docs/decisions.md). At most 7 days.
  std::optional<std::chrono::hours> entry_point_window{};
};

/// What one delivered message cost, and why.
struct CHATDESK_API charge {
  std::string message_id;
  std::string business;
  std::string month;  ///< "2025-07", in the business's time zone
  pricing_model model = pricing_model::pmp_2025;
  std::string market;
  std::string category;  ///< "marketing", "utility", "authentication", "authentication_international",
                         ///< "service", "user_initiated", "business_initiated", "message"
  std::string tier;      ///< "0:MAX", "25000001:MAX" ...
  decimal amount;        ///< 0 when free
  charge_reason reason = charge_reason::free_form;  ///< why it cost what it cost (see pricing_rules.hpp)
  bool free = false;                                ///< `is_free(reason)`
  timestamp delivered_at{};
  std::string explanation;  ///< a sentence for a person (written when explanations are kept)
};

/// One line of an invoice: charged messages of one kind at one price.
struct CHATDESK_API invoice_line {
  std::string business;
  std::string month;
  pricing_model model = pricing_model::pmp_2025;
  std::string market;
  std::string category;
  std::string tier;
  std::uint64_t count = 0;
  decimal unit_price;
  decimal amount;
};

/// Messages that cost nothing, counted by reason.
struct CHATDESK_API invoice_free {
  std::string business;
  std::string month;
  charge_reason reason = charge_reason::free_form;
  std::uint64_t count = 0;
};

/// What a status did, in short: for bulk pricing, where only the invoice
/// matters and a `charge`'s strings would cost more than the pricing.
struct CHATDESK_API status_effect {
  bool priced = false;                              ///< this status priced its message
  decimal amount;                                   ///< what the message cost (0 when free)
  charge_reason reason = charge_reason::free_form;  ///< why
  bool free = false;                                ///< `is_free(reason)`
};

/// One event for the ledger: what `inbound`, `outbound` and `record_status`
/// take, in one value (`pricing_event_reader` decodes them from JSON Lines).
/// The string views are the caller's, as in a parser's output: an event
/// from `pricing_event_reader::parse` views the reader's buffer until its
/// next `parse`. Events kept longer (an array for `ledger::apply`) need their
/// text kept beside them; the ledger copies what it keeps.
struct CHATDESK_API pricing_event {
  enum class kind : std::uint8_t { inbound, outbound, status };
  kind type = kind::inbound;
  timestamp at{};
  std::string_view business;  ///< inbound and outbound
  /// outbound: the business phone number that sent it (its free tier of
  /// service messages under pmp_2026_10); empty: the business has one number.
  std::string_view number;
  std::string_view id;
  phone_number customer;  ///< inbound and outbound
  bool referral = false;  ///< inbound: it came from a click-to-chat ad or page button
  bool is_template = false;
  bool reaction = false;                      ///< outbound: a reaction (always free under pmp_2026_10)
  std::optional<template_category> category;  ///< outbound templates
  message_status status = message_status::sent;
};

/// A line of input that was skipped.
struct CHATDESK_API pricing_problem {
  std::size_t line = 0;
  error problem;
};

/// How many problems of one kind were reported.
struct CHATDESK_API problem_count {
  std::string code;
  std::uint64_t count = 0;
  friend bool operator==(const problem_count&, const problem_count&) = default;
};

/// An invoice: exact lines whose amounts add up to `total` to the last digit.
struct CHATDESK_API invoice {
  chatdesk::currency currency;
  decimal total;
  money total_settled;  ///< rounded half-even to the currency's minor unit
  std::vector<invoice_line> lines;
  std::vector<invoice_free> free;
  /// The first problems reported, in order (at most `ledger_options::problems_listed`).
  std::vector<pricing_problem> problems;
  /// Every problem reported, listed in `problems` or not.
  std::uint64_t problems_total = 0;
  /// Every problem reported, counted by code (sorted by code).
  std::vector<problem_count> problem_counts;
};

/// How a ledger works: set once, when it is made (like `desk_options`).
struct CHATDESK_API ledger_options {
  /// Every message is priced under this model (a what-if); none: under the
  /// model in force at the message's sending, in the business's zone. In a
  /// what-if, a message older than every card of the model (traffic of March
  /// 2026 under pmp_2026_10, say) is priced with the model's earliest card.
  std::optional<pricing_model> model{};
  /// How long ids of delivered and failed messages are remembered (to
  /// recognise late and repeated statuses, and refuse a reused id): at least
  /// `remember_ids_for` unless more than `remember_ids_at_most / 2` messages
  /// finish within it, at most about twice that. Memory for ids stays under
  /// about 48 bytes times `remember_ids_at_most`, however long the stream. A
  /// status for an id forgotten is `pricing.unknown_message`: reported, never
  /// charged twice.
  std::chrono::milliseconds remember_ids_for = std::chrono::hours{48};
  std::size_t remember_ids_at_most = 1'000'000;
  /// A message sent and not delivered (nor failed) within this much event
  /// time is finished unpriced: the platform retries delivery for a
  /// message's time-to-live, 30 days at most. Its later statuses change
  /// nothing, and messages whose statuses never come do not stay in memory.
  /// (Checked as messages are sent, at most every eighth of it.)
  std::chrono::milliseconds undelivered_after = std::chrono::hours{24 * 30};
  /// The invoice lists at most this many problems in full, the first ones;
  /// all are counted by code. A file of millions of bad lines then costs no
  /// more memory than a good one.
  std::size_t problems_listed = 1'000;
  /// Keep every message's charge, with its explanation, for `explain` (it
  /// costs memory per message and the sentences cost time).
  bool explain_all = false;
  /// Keep the charges of these messages only, for `explain`.
  std::vector<std::string> explain{};
};

/// Prices events. Not thread-safe: give each thread its own ledger, or
/// serialise calls. Memory grows with the number of conversations and of
/// messages sent but not yet delivered or failed; the ids of finished
/// messages it remembers are bounded (see `ledger_options`). It does not grow
/// with the length of the stream.
///
/// The ledger keeps no message id strings: it knows a message by a 128-bit
/// hash of its id, a fast non-cryptographic hash seeded at random per
/// process. For ids nobody chose in order to collide (the platform's
/// `wamid...`, the desk's correlation ids), the chance that any two of a
/// billion ids match is below 2^-60. It is not a keyed cryptographic hash:
/// someone who could learn the process's seed and pick message ids could make
/// two ids match, and then a status of one would price the other. Message ids
/// come from the platform and the application, not from customers.
class CHATDESK_API ledger {
 public:
  /// A ledger over `cards` (not copied: they must outlive it and not change
  /// while it prices), set up by `options`.
  explicit ledger(const rate_cards& cards, ledger_options options = {});
  /// Refused at compile time: a ledger keeps a reference to its cards, and
  /// temporary cards would be gone before it prices.
  explicit ledger(rate_cards&& cards, ledger_options options = {}) = delete;
  ~ledger();
  ledger(ledger&&) noexcept;
  ledger& operator=(ledger&&) noexcept;

  /// Describes a business; one not described is in UTC with no country.
  void add_business(pricing_business b);

  /// A customer's message. `referral`: it came from a click-to-chat ad or page button.
  result<void> inbound(timestamp at, std::string_view business, const phone_number& customer,
                       std::string_view id, bool referral = false);
  /// A business's message, as sent. `category` only for templates. `number`:
  /// the business phone number that sent it, whose monthly free tier of
  /// service messages it uses under pmp_2026_10 (empty: the business's one
  /// number); `reaction`: a reaction, always free. Error `pricing.duplicate_id`.
  result<void> outbound(timestamp at, std::string_view business, const phone_number& customer,
                        std::string_view id, bool is_template, std::optional<template_category> category,
                        std::string_view number = {}, bool reaction = false);
  /// A status. The first `delivered` or `read` prices the message and returns
  /// its charge; later statuses, `sent` and `failed` return nothing. Errors:
  /// `pricing.unknown_message`, `pricing.no_rate_card`, `pricing.no_rate`
  /// (a message that cannot be priced is refused once: it is then finished,
  /// and its later statuses change nothing).
  result<std::optional<charge>> status(timestamp at, std::string_view id, message_status status);
  /// The same as `status`, answering in short: what `price_events` and
  /// `chatdesk price` use. The invoice and `explain` are the same either way.
  result<status_effect> record_status(timestamp at, std::string_view id, message_status status);

  /// Applies `events` in order, as `inbound`, `outbound` and `record_status`
  /// would one at a time, with the same results; while it prices one event it
  /// fetches the state of the events a few places later into the cache, so a
  /// long run is priced several times faster than one call per event when the
  /// ledger's state outgrows the cache. Events it refuses are returned (their
  /// index in `events` as `line`, and the error) and change nothing, as
  /// refused calls do; they are not recorded as problems (see `report`).
  std::vector<pricing_problem> apply(std::span<const pricing_event> events);

  /// Records a problem with the input (for invoices built from files): the
  /// first ones in full, every one in the counts (see `ledger_options::problems_listed`).
  void report(pricing_problem p);
  /// The invoice of everything priced so far.
  [[nodiscard]] chatdesk::invoice invoice() const;
  /// The charge of one message, once priced.
  [[nodiscard]] std::optional<charge> explain(std::string_view id) const;
  /// Makes room for `pairs` business and customer pairs and for the ids of
  /// `messages` finished messages (no more than `ledger_options` keeps), so a
  /// ledger told its volume ahead does not grow and rehash its tables while
  /// it prices. Optional: the tables grow as needed either way. Messages in
  /// flight (sent and not yet delivered) have a table of their own that grows
  /// as needed.
  void reserve(std::size_t pairs, std::size_t messages);

  /// Forgets everything priced (conversations, counters, message ids, invoice
  /// lines, problems and explanations) and keeps the rate cards, the
  /// businesses, the settings and the memory already allocated: fed again, it
  /// prices as a new ledger would, without asking the system for memory (what
  /// pricing the same stream several times, or one period after another, wants).
  void reset();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Adds invoices up exactly: the invoices of shards of one stream
/// (`price_options::shard`), or of periods priced apart. Lines with the same
/// business, month, model, market, category, tier and unit price add their
/// counts and amounts, free counts add by business, month and reason, and
/// problem counts by code; the problems listed are the first
/// `problems_listed` by line number. The result is ordered as
/// `ledger::invoice()` orders, so merging the shards of a stream gives
/// exactly the invoice of one run over it. Refused: invoices in different
/// currencies (`pricing.currency_mismatch`), none at all (`pricing.no_invoices`).
[[nodiscard]] CHATDESK_API result<invoice> merge_invoices(const std::vector<invoice>& parts,
                                                          std::size_t problems_listed = 1'000);

}  // namespace chatdesk
