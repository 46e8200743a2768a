/// @file
/// Attribution: which link or ad brought each conversation, and what it led
/// to. A customer's first message names its source in one of two ways: the
/// webhook's `referral` (an ad or a post, with the ad's click id,
/// `ctwa_clid`), or a reference token a click-to-chat link put in the drafted
/// text (`[ref:TOKEN]`, see chatdesk/links/click_to_chat.hpp). The tracker,
/// a desk observer, records the conversation's source in the desk's store
/// when that message arrives, and whether the business answered within the
/// customer service window. A report counts, per source and over a period,
/// conversations, those answered within the window, and orders and paid
/// orders (from the payments module's order book).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/money.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/engine/desk.hpp"
#include "chatdesk/engine/observer.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/payments/order_book.hpp"

namespace chatdesk {

/// Where a conversation came from.
struct CHATDESK_API conversation_source {
  /// "link" for a reference token; else the referral's `source_type`
  /// ("ad", "post", ...; "referral" when it names none).
  std::string kind;
  std::string id;         ///< the token, or the referral's `source_id`
  std::string ctwa_clid;  ///< an ad's click id, when the referral carries one

  friend bool operator==(const conversation_source&, const conversation_source&) = default;
};

/// The source a customer's message names: its referral, else the last
/// reference token in its text (a text message, or a button's or list's
/// reply title); nullopt when it names none.
[[nodiscard]] CHATDESK_API std::optional<conversation_source> source_of(const message& m);

/// One conversation a source brought.
struct CHATDESK_API attributed_conversation {
  conversation_source source;
  timestamp started{};        ///< the customer's message that named the source
  timestamp window_closes{};  ///< the service window's end, as the customer's later messages moved it
  bool answered_in_window = false;

  friend bool operator==(const attributed_conversation&, const attributed_conversation&) = default;
};

/// How the tracker credits sources.
struct CHATDESK_API attribution_options {
  /// How long after a conversation starts its source gets credit for the
  /// customer's orders (the last source before an order wins).
  std::chrono::hours order_credit{24 * 30};
};

/// Records sources as the desk receives customers' messages and sends
/// answers. Thread-safe; each record is one step under the store's lock for
/// the customer. The store must keep records (memory, SQLite, PostgreSQL).
class CHATDESK_API attribution_tracker final : public observer {
 public:
  /// Subscribes to `d` (unsubscribed when the tracker goes). `d` and `st`
  /// must outlive it; `st` is the desk's store.
  attribution_tracker(desk& d, store& st, attribution_options options = {});
  ~attribution_tracker() override;
  attribution_tracker(const attribution_tracker&) = delete;
  attribution_tracker& operator=(const attribution_tracker&) = delete;

  /// What the observer does with a customer's message: starts an
  /// attributed conversation when the message names a source (a new one
  /// unless it is the same source within the same window), and moves the
  /// window's end for later messages. Returns the conversation the message
  /// belongs to, if attributed. Store failures come back as `store.*` errors.
  result<std::optional<attributed_conversation>> record_inbound(const message& m);
  /// What the observer does when an answer goes out: the customer's
  /// attributed conversation counts as answered when the answer was accepted
  /// within its window. Returns whether this answer was the first in the window.
  result<bool> record_answer(const message_record& r);

  /// The customer's latest attributed conversation started at or before `at`
  /// and within `order_credit` of it.
  [[nodiscard]] std::optional<attributed_conversation> source_at(std::string_view business_id,
                                                                 const phone_number& customer, timestamp at);

  /// Problems the observer met (a store failure while recording), oldest
  /// first, at most 100; the desk's own step had succeeded.
  [[nodiscard]] std::vector<error> problems() const;

  void message_received(const message& m) override;
  void status_changed(const message_record& record, message_status from) override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// One source's figures over a period.
struct CHATDESK_API source_figures {
  conversation_source source;  ///< kind "none" for orders no source gets credit for
  std::size_t conversations = 0;
  std::size_t answered_in_window = 0;
  std::size_t orders = 0;       ///< orders created in the period with this source's credit
  std::size_t paid_orders = 0;  ///< of those, captured
  std::vector<money> paid;      ///< the amounts captured, per currency

  friend bool operator==(const source_figures&, const source_figures&) = default;
};

/// Attribution over [from, to): conversations started in the period by
/// source, and the orders created in it credited to their source.
struct CHATDESK_API attribution_report {
  std::string business_id;
  timestamp from{};
  timestamp to{};
  std::vector<source_figures> sources;  ///< by kind, then id; "none" last

  friend bool operator==(const attribution_report&, const attribution_report&) = default;
};

/// The report of `business_id` over [from, to), from the records the
/// tracker wrote in `st` (and the orders of `orders`, when given). Errors:
/// `attribution.invalid_period` (the end not after the start, or more than
/// 366 days), `store.*`.
[[nodiscard]] CHATDESK_API result<attribution_report> make_attribution_report(
    store& st, std::string_view business_id, timestamp from, timestamp to, order_book* orders = nullptr,
    attribution_options options = {});

/// The report as one JSON object.
[[nodiscard]] CHATDESK_API std::string to_json(const attribution_report& report);
/// One CSV row per source, with a header row.
[[nodiscard]] CHATDESK_API std::string to_csv(const attribution_report& report);

}  // namespace chatdesk
