/// @file
/// The shared durable store: the desk's state in a PostgreSQL database, so
/// many instances of an application, on many machines, behind one load
/// balancer, share one state. See docs/store.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/store.hpp"

namespace chatdesk {

/// Settings of a PostgreSQL store.
struct CHATDESK_API postgres_store_options {
  /// The schema (namespace) holding chatdesk's tables, created when missing;
  /// several desks that must not share state use several schemas.
  std::string schema = "chatdesk";
  /// The most connections this store opens (at least 1). A desk step holds
  /// one for its whole transaction; calls outside a step borrow one briefly.
  std::size_t pool_size = 4;
  /// How long a call waits for a free connection before `store.busy`.
  std::chrono::milliseconds pool_wait{5000};
  /// How long a step waits for another instance's step on the same
  /// conversation (or business) before `store.busy` (`lock_timeout`).
  std::chrono::milliseconds lock_timeout{5000};
  /// How long opening a connection may take before `store.unavailable`.
  std::chrono::seconds connect_timeout{10};
  /// The name the server shows for this store's connections (`pg_stat_activity`).
  std::string application_name = "chatdesk";
  /// Keep each message's content for `transcript()`.
  bool keep_content = true;
  /// Keep the desk's journal (`read_journal`), for ledgers rebuilt after a restart.
  bool keep_journal = true;
};

/// A `store` in PostgreSQL, through libpq. Each desk step is one transaction
/// holding transaction-scoped advisory locks on its conversation (and, for a
/// business-wide step, its business), so steps of different processes on the
/// same conversation take turns and steps on different conversations run at
/// once. A step that fails, a connection lost, or a server restarting in the
/// middle of a step applies nothing of it; the call fails with
/// `store.unavailable` and the next call connects again. Thread-safe.
///
/// One ambiguity no database removes: a connection lost while COMMIT is in
/// flight leaves the step applied or not. The call reports
/// `store.unavailable`; retrying is safe, since webhooks are de-duplicated by
/// their ids and sends by their correlation ids.
class CHATDESK_API postgres_store final : public store {
 public:
  /// The schema this build writes (in `<schema>.chatdesk_schema`).
  static constexpr int schema_version = 4;

  /// Connects with a libpq connection string (`host=... dbname=... user=...`
  /// or a `postgresql://` URI), creates or migrates the schema, and keeps the
  /// connection in the pool. Refused: a server that cannot be reached
  /// (`store.unavailable`), a schema written by a newer chatdesk
  /// (`store.newer_schema`), a schema holding tables that are not chatdesk's
  /// (`store.foreign`, left untouched), a bad option (`store.invalid_options`).
  [[nodiscard]] static result<std::unique_ptr<postgres_store>> open(const std::string& conninfo,
                                                                    postgres_store_options options = {});
  ~postgres_store() override;
  postgres_store(const postgres_store&) = delete;
  postgres_store& operator=(const postgres_store&) = delete;

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
  [[nodiscard]] send_reads load_for_send(std::string_view business_id, const conversation_key& key,
                                         timestamp since) override;
  void record_reached(std::string_view business_id, const phone_number& customer, timestamp at) override;
  [[nodiscard]] bool add_message(const message_record& record) override;
  [[nodiscard]] std::optional<message_record> find_message(std::string_view id) override;
  /// Keeps the journal's entry with the message's row when it can.
  [[nodiscard]] receive_reads add_for_receive(std::string_view business_id, const message_record& record,
                                              std::string_view journal_entry) override;
  [[nodiscard]] std::vector<std::optional<message_record>> find_messages(
      const std::vector<std::string_view>& ids) override;
  void update_message(const message_record& record) override;
  /// Keeps the journal's entry with the message's row when it can.
  void update_message_journaled(const message_record& record, std::string_view journal_entry) override;
  [[nodiscard]] std::vector<message_record> messages(const conversation_key& key) override;
  void keep_content(const chatdesk::message& m) override;
  [[nodiscard]] std::vector<transcript_entry> transcript(const conversation_key& key,
                                                         std::size_t last = 0) override;
  /// One transaction (run it from time to time, not per message).
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
  [[nodiscard]] std::size_t conversation_count();
  /// Connections open now (idle or in use), at most `pool_size`.
  [[nodiscard]] std::size_t connections() const;
  /// The schema's name, as given in the options.
  [[nodiscard]] const std::string& schema() const noexcept;

 private:
  struct impl;
  explicit postgres_store(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace chatdesk
