/// @file
/// Where the desk keeps its state: the `store` interface, designed so that a
/// durable embedded store (and several processes sharing one database) can
/// implement it, and the in-memory store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/engine/conversation.hpp"
#include "chatdesk/engine/policy.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/rules/pricing_rules.hpp"

namespace chatdesk {

/// What the desk remembers of one message: enough for idempotency, statuses,
/// pricing and history. The content itself is the application's to keep.
struct CHATDESK_API message_record {
  std::string id;              ///< the platform's id; empty while a send awaits its answer
  std::string correlation_id;  ///< outbound: the caller's id
  conversation_key key;
  chatdesk::direction direction = direction::inbound;
  std::string type;  ///< "text", "template", "image", ...
  std::optional<template_category> category;
  charge_reason charge = charge_reason::free_form;   ///< outbound: as estimated at send time
  message_status status = message_status::accepted;  ///< outbound only
  timestamp at{};                                    ///< received or accepted
  timestamp status_at{};                             ///< when `status` was reached
  std::optional<status_error> error;                 ///< why it failed
};

/// One message of a conversation as a transcript shows it.
struct CHATDESK_API transcript_entry {
  message_record record;
  /// The message as received or sent (content, context, referral); nullopt
  /// when the store keeps no content, or it was purged.
  std::optional<chatdesk::message> message;
};

/// One entry of the desk's journal: what a step did, for observers that must
/// rebuild their own state after a restart (a pricing ledger).
struct CHATDESK_API journal_entry {
  std::uint64_t seq = 0;  ///< increasing in the order entries were added
  timestamp at{};         ///< the event's time
  std::string data;       ///< the desk's own line (src/engine/journal.hpp)
};

/// A conversation's service window and when it closes.
struct CHATDESK_API window_closing {
  conversation_key key;
  timestamp closes{};
};

/// Held while the desk applies one step to one conversation: every read and
/// write in between must appear atomic to other desks sharing the store. The
/// desk calls `commit()` once the step is complete; a lock destroyed without
/// it (the step ended early, or failed) undoes the step's writes where the
/// store can (durable stores roll the transaction back; the memory store
/// writes as it goes and cannot fail part-way).
class CHATDESK_API store_lock {
 public:
  store_lock() = default;
  store_lock(const store_lock&) = delete;
  store_lock& operator=(const store_lock&) = delete;
  virtual ~store_lock() = default;

  /// Makes the step's writes permanent (for a database, the transaction's
  /// COMMIT). Throws `chatdesk::exception` with a `store.*` code when it cannot.
  virtual void commit() {}
};

/// What a send reads before its rules decide (`store::load_for_send`).
struct CHATDESK_API send_reads {
  std::optional<conversation_state> conversation;
  std::optional<customer_state> customer;
  number_state number;
  std::uint32_t reached_customers = 0;  ///< unique customers reached since the time asked
  bool was_reached = false;             ///< this customer among them
};

/// What a receive does first (`store::add_for_receive`).
struct CHATDESK_API receive_reads {
  bool added = false;  ///< the message was new (false: a duplicate, nothing added)
  std::optional<conversation_state> conversation;
  std::optional<customer_state> customer;
};

/// The state behind a desk. Every method must be safe to call from many
/// threads; `lock` gives a desk step its atomicity.
///
/// A store that fails (a database gone, a disk full) throws
/// `chatdesk::exception` with a code starting with `store.`
/// (`store.unavailable`, `store.busy`, `store.full`, `store.corrupt`,
/// `store.failed`); the desk returns it as the call's error, and the step,
/// never committed, leaves nothing half-applied. A durable implementation
/// maps `lock` to a database transaction (for SQLite, BEGIN IMMEDIATE ...
/// COMMIT), so several processes may share one database.
class CHATDESK_API store {
 public:
  store() = default;
  store(const store&) = delete;
  store& operator=(const store&) = delete;
  virtual ~store() = default;

  /// Exclusive access to the conversations of `customer` with `business_id`
  /// (their windows, the customer's consent and their messages) and, with
  /// `business_wide`, to the business's counters (throughput, messaging limit).
  /// A store may take it lazily, with the step's first read or write (the
  /// PostgreSQL store sends BEGIN and its locks with the step's first
  /// statement): everything the step reads comes after the lock either way,
  /// but `lock` returning does not mean another step has finished.
  [[nodiscard]] virtual std::unique_ptr<store_lock> lock(std::string_view business_id,
                                                         const phone_number& customer,
                                                         bool business_wide) = 0;

  [[nodiscard]] virtual std::optional<conversation_state> load_conversation(const conversation_key& key) = 0;
  virtual void save_conversation(const conversation_key& key, const conversation_state& state) = 0;

  [[nodiscard]] virtual std::optional<customer_state> load_customer(std::string_view business_id,
                                                                    const phone_number& customer) = 0;
  virtual void save_customer(std::string_view business_id, const phone_number& customer,
                             const customer_state& state) = 0;

  [[nodiscard]] virtual number_state load_number(std::string_view business_number_id) = 0;
  virtual void save_number(std::string_view business_number_id, const number_state& state) = 0;

  /// Unique customers recorded for `business_id` at or after `since`.
  [[nodiscard]] virtual std::uint32_t reached_customers(std::string_view business_id, timestamp since) = 0;
  /// Whether `customer` was recorded for `business_id` at or after `since`.
  [[nodiscard]] virtual bool was_reached(std::string_view business_id, const phone_number& customer,
                                         timestamp since) = 0;
  /// Records that a business-initiated message reached `customer` at `at`.
  virtual void record_reached(std::string_view business_id, const phone_number& customer, timestamp at) = 0;

  /// Everything a send reads, at once, under its step's lock: the
  /// conversation `key`, its customer with `business_id`, the number, and
  /// the customers reached since `since`. The default asks the five calls
  /// above; a store with a server answers in one round trip.
  [[nodiscard]] virtual send_reads load_for_send(std::string_view business_id, const conversation_key& key,
                                                 timestamp since) {
    return {load_conversation(key), load_customer(business_id, key.customer),
            load_number(key.business_number_id), reached_customers(business_id, since),
            was_reached(business_id, key.customer, since)};
  }

  /// Adds a message; false (and no change) when its id, or correlation id, is already known.
  [[nodiscard]] virtual bool add_message(const message_record& record) = 0;
  /// The message whose platform id or correlation id is `id`.
  [[nodiscard]] virtual std::optional<message_record> find_message(std::string_view id) = 0;

  /// What a receive does first, at once, under its step's lock: adds the
  /// inbound `record` (as `add_message`) and reads its conversation and its
  /// customer with `business_id` (as they were before the message: adding
  /// it changes neither). When the message is added and `journal_entry` is
  /// not empty, the entry joins the journal at `record.at`. The default makes
  /// the four calls; a store with a server does it in one round trip, and may
  /// keep the entry with the record (`read_journal` gives it back as written).
  [[nodiscard]] virtual receive_reads add_for_receive(std::string_view business_id,
                                                      const message_record& record,
                                                      std::string_view journal_entry) {
    const bool added = add_message(record);
    if (added && !journal_entry.empty()) append_journal(record.at, journal_entry);
    return {added, load_conversation(record.key), load_customer(business_id, record.key.customer)};
  }
  /// `find_message` for each of `ids`, in order. The default asks one by one;
  /// a store with a server answers in one round trip.
  [[nodiscard]] virtual std::vector<std::optional<message_record>> find_messages(
      const std::vector<std::string_view>& ids) {
    std::vector<std::optional<message_record>> out;
    out.reserve(ids.size());
    for (const auto id : ids) out.push_back(find_message(id));
    return out;
  }
  /// Replaces a message found earlier (matched by correlation id, else by id);
  /// indexes its platform id if it just got one.
  virtual void update_message(const message_record& record) = 0;
  /// `update_message(record)` for a status change, and the change's journal
  /// entry (when not empty) at `record.status_at`. The default makes the two
  /// calls; a store may keep the entry with the record (`read_journal` gives
  /// it back as written).
  virtual void update_message_journaled(const message_record& record, std::string_view journal_entry) {
    update_message(record);
    if (!journal_entry.empty()) append_journal(record.status_at, journal_entry);
  }
  /// The messages of one conversation in the order they were added.
  [[nodiscard]] virtual std::vector<message_record> messages(const conversation_key& key) = 0;

  /// Keeps the content of a message added in this step (an inbound message
  /// by its id, an outbound one by its correlation id), for the transcript.
  /// A store that keeps no content ignores it (the default).
  virtual void keep_content(const chatdesk::message& m) { (void)m; }
  /// The conversation's messages with their content where kept, oldest first;
  /// with `last` > 0, only the last `last`. The default: `messages` without content.
  [[nodiscard]] virtual std::vector<transcript_entry> transcript(const conversation_key& key,
                                                                 std::size_t last = 0);
  /// Forgets the content of messages older than `content_before`, and message
  /// records and reached customers older than `records_before`. Returns the
  /// number of message records forgotten. (`desk::purge` chooses the times so
  /// that nothing de-duplication or statuses still need goes.) The default
  /// forgets nothing.
  virtual std::size_t purge(timestamp content_before, timestamp records_before) {
    (void)content_before;
    (void)records_before;
    return 0;
  }

  /// The conversations whose service window closes after `after` and at or
  /// before `until`, so a desk made again over this store can still announce
  /// them. The default: none.
  [[nodiscard]] virtual std::vector<window_closing> service_windows_closing(timestamp after,
                                                                            timestamp until) {
    (void)after;
    (void)until;
    return {};
  }
  /// A time the desk keeps across restarts under `name` (when it last told
  /// observers about windows). The default keeps nothing.
  [[nodiscard]] virtual std::optional<timestamp> load_mark(std::string_view name) {
    (void)name;
    return std::nullopt;
  }
  virtual void save_mark(std::string_view name, timestamp at) {
    (void)name;
    (void)at;
  }

  /// Whether this store keeps the desk's journal (the desk writes entries
  /// only then). The default: no.
  [[nodiscard]] virtual bool keeps_journal() const { return false; }
  /// Adds an entry to the desk's journal, in the step's transaction, so an
  /// entry exists exactly when its step was applied. A store that keeps no
  /// journal ignores it (the default).
  virtual void append_journal(timestamp at, std::string_view data) {
    (void)at;
    (void)data;
  }
  /// Calls `each` for the entries with `at` at or after `since`, in the order
  /// added, until it returns false. The default: none.
  virtual void read_journal(timestamp since, const std::function<bool(const journal_entry&)>& each) {
    (void)since;
    (void)each;
  }
  /// Forgets journal entries older than `before`.
  virtual void trim_journal(timestamp before) { (void)before; }

  /// Remembers a business's definition (replacing an earlier one with its
  /// id), so a desk made again over this store knows it. The default keeps nothing.
  virtual void save_business(const business& b) { (void)b; }
  /// The businesses saved, in no particular order.
  [[nodiscard]] virtual std::vector<business> load_businesses() { return {}; }
  /// Records of the modules above the desk (live support's agents, teams and
  /// conversations): text values under a `kind` ("support.agent") and a key,
  /// read and written inside a step's lock (`lock(business_id, {}, true)`
  /// locks a business for steps that concern no one customer). Keys order
  /// by their bytes; neither keys nor values hold NUL bytes. The default
  /// keeps none: these throw `store.unsupported`.
  [[nodiscard]] virtual std::optional<std::string> load_record(std::string_view kind, std::string_view key);
  /// Adds or replaces the record under `kind` and `key`.
  virtual void save_record(std::string_view kind, std::string_view key, std::string_view value);
  /// Forgets the record under `kind` and `key`, if there is one.
  virtual void erase_record(std::string_view kind, std::string_view key);
  /// Calls `each` with the records of `kind` whose keys start with `prefix`,
  /// in key order, until it returns false.
  virtual void scan_records(std::string_view kind, std::string_view prefix,
                            const std::function<bool(std::string_view key, std::string_view value)>& each);
};

/// Options of the in-memory store.
struct CHATDESK_API memory_store_options {
  /// Keep each conversation's message list for `messages()` (the id index used
  /// for idempotency and statuses is always kept).
  bool keep_history = true;
  /// Keep each message's content for `transcript()` (with `keep_history`).
  bool keep_content = true;
  /// Without history, records serve only de-duplication and statuses: those
  /// older than this (before the newest record's time) are dropped as new ones
  /// come, so memory stays bounded. The platform retries for 7 days and the
  /// desk refuses older events (`desk_options::max_event_age`).
  std::chrono::hours forget_after{24 * 8};
  /// Keep the desk's journal (`read_journal`), which grows until trimmed.
  bool keep_journal = false;
};

/// A thread-safe store in this process's memory: the default, and the
/// reference for durable stores. State is lost when the process ends.
class CHATDESK_API memory_store final : public store {
 public:
  explicit memory_store(memory_store_options options = {});
  ~memory_store() override;

  [[nodiscard]] std::unique_ptr<store_lock> lock(std::string_view business_id, const phone_number& customer,
                                                 bool business_wide) override;
  [[nodiscard]] std::optional<conversation_state> load_conversation(const conversation_key& key) override;
  void save_conversation(const conversation_key& key, const conversation_state& state) override;
  [[nodiscard]] std::optional<customer_state> load_customer(std::string_view business_id,
                                                            const phone_number& customer) override;
  void save_customer(std::string_view business_id, const phone_number& customer,
                     const customer_state& state) override;
  [[nodiscard]] number_state load_number(std::string_view business_number_id) override;
  void save_number(std::string_view business_number_id, const number_state& state) override;
  [[nodiscard]] std::uint32_t reached_customers(std::string_view business_id, timestamp since) override;
  [[nodiscard]] bool was_reached(std::string_view business_id, const phone_number& customer,
                                 timestamp since) override;
  void record_reached(std::string_view business_id, const phone_number& customer, timestamp at) override;
  [[nodiscard]] bool add_message(const message_record& record) override;
  [[nodiscard]] std::optional<message_record> find_message(std::string_view id) override;
  void update_message(const message_record& record) override;
  [[nodiscard]] std::vector<message_record> messages(const conversation_key& key) override;
  void keep_content(const chatdesk::message& m) override;
  [[nodiscard]] std::vector<transcript_entry> transcript(const conversation_key& key,
                                                         std::size_t last = 0) override;
  std::size_t purge(timestamp content_before, timestamp records_before) override;
  void save_business(const business& b) override;
  [[nodiscard]] std::vector<business> load_businesses() override;
  [[nodiscard]] std::optional<std::string> load_record(std::string_view kind, std::string_view key) override;
  void save_record(std::string_view kind, std::string_view key, std::string_view value) override;
  void erase_record(std::string_view kind, std::string_view key) override;
  void scan_records(std::string_view kind, std::string_view prefix,
                    const std::function<bool(std::string_view key, std::string_view value)>& each) override;
  [[nodiscard]] std::vector<window_closing> service_windows_closing(timestamp after,
                                                                    timestamp until) override;
  [[nodiscard]] std::optional<timestamp> load_mark(std::string_view name) override;
  void save_mark(std::string_view name, timestamp at) override;
  [[nodiscard]] bool keeps_journal() const override;
  void append_journal(timestamp at, std::string_view data) override;
  void read_journal(timestamp since, const std::function<bool(const journal_entry&)>& each) override;
  void trim_journal(timestamp before) override;

  /// Conversations held.
  [[nodiscard]] std::size_t conversation_count() const;
  /// Message records held (for de-duplication and statuses, with or without history).
  [[nodiscard]] std::size_t message_count() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chatdesk
