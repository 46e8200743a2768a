/// @file
/// The embedded durable store: the desk's state in one SQLite database file,
/// so a restarted application keeps its service windows, consents, message
/// statuses, the ids that make webhook retries harmless, and its counters.
/// Several processes on one machine may share the file. See docs/store.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/store.hpp"

namespace chatdesk {

/// How hard SQLite works to keep a commit (its `synchronous` setting, with a
/// write-ahead log).
enum class sqlite_durability : std::uint8_t {
  /// Every commit survives the process dying (a crash, a kill); the last
  /// commits before a power loss or an operating-system crash may be rolled
  /// back (never corrupted). Fast: the log is synced at checkpoints only.
  normal,
  /// Every commit also survives a power loss: the log is synced at each commit.
  full,
};

/// Settings of a SQLite store.
struct CHATDESK_API sqlite_store_options {
  sqlite_durability durability = sqlite_durability::normal;
  /// How long a step waits for another process's transaction before a retry.
  std::chrono::milliseconds busy_timeout{5000};
  /// Retries after a busy timeout before a step fails with `store.busy`.
  int busy_retries = 2;
  /// The most pages (of 1 KiB) the file may grow to; 0: no limit. Beyond it a
  /// step fails with `store.full` and applies nothing, as on a full disk.
  std::uint32_t max_pages = 0;
  /// Check the whole file (`PRAGMA quick_check`) when opening it; slow for
  /// large files, so off by default (a damaged page is refused when read).
  bool check_on_open = false;
  /// Keep each message's content for `transcript()`; off for privacy (ids,
  /// statuses and windows are kept either way).
  bool keep_content = true;
  /// Keep the desk's journal (`read_journal`), so a pricing ledger fed by the
  /// desk can be rebuilt after a restart (`desk::replay_journal`).
  bool keep_journal = true;
  /// Only this store uses the file: SQLite holds it for itself
  /// (`locking_mode = EXCLUSIVE`) and keeps the write-ahead log's index in
  /// this process's memory, so a step takes no file locks (about a third
  /// faster). Another process (or store) opening the file fails with
  /// `store.busy` until this one is closed. Off by default.
  bool single_process = false;
  /// Log pages (1 KiB each) written before they are copied back into the
  /// database (`wal_autocheckpoint`). Larger: fewer page copies and syncs,
  /// a larger `-wal` file, and now and then one slower step that does the
  /// copy. At least 1.
  std::uint32_t checkpoint_pages = 10000;
  /// Hand each commit's log pages to the operating system in one write
  /// (SQLite alone makes two system calls per page). The same durability
  /// either way: the write is done before the commit is published and before
  /// `commit()` returns. Off: SQLite's own writes, for comparison.
  bool batch_log_writes = true;
};

/// A `store` in a SQLite database file (WAL journal). Each desk step is one
/// transaction (`BEGIN IMMEDIATE` ... `COMMIT`); a step that fails applies
/// nothing. Thread-safe; several processes may open the same file (on one
/// machine: the write-ahead log needs shared memory, so no network file
/// systems). Failures are thrown as `chatdesk::exception` with `store.*` codes,
/// which the desk returns as its calls' errors.
class CHATDESK_API sqlite_store final : public store {
 public:
  /// The schema this build writes (`PRAGMA user_version`).
  static constexpr int schema_version = 3;

  /// Opens `path`, creating the file and its schema, or migrating an older
  /// chatdesk schema. Refused, with the file left untouched: a file of a newer
  /// chatdesk (`store.newer_schema`), a database that is not chatdesk's
  /// (`store.foreign`), a file that is not a database or is damaged
  /// (`store.corrupt`), a path that cannot be opened (`store.unavailable`).
  [[nodiscard]] static result<std::unique_ptr<sqlite_store>> open(const std::string& path,
                                                                  sqlite_store_options options = {});
  ~sqlite_store() override;
  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

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
  /// One transaction; scans the messages (run it from time to time, not per message).
  std::size_t purge(timestamp content_before, timestamp records_before) override;
  void save_business(const business& b) override;
  [[nodiscard]] std::vector<business> load_businesses() override;
  [[nodiscard]] std::optional<std::string> load_record(std::string_view kind, std::string_view key) override;
  void save_record(std::string_view kind, std::string_view key, std::string_view value) override;
  void erase_record(std::string_view kind, std::string_view key) override;
  void scan_records(std::string_view kind, std::string_view prefix,
                    const std::function<bool(std::string_view key, std::string_view value)>& each) override;
  /// Scans the conversations (a desk calls it once, when made).
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
  /// The file's path, as given to `open`.
  [[nodiscard]] const std::string& path() const noexcept;
  /// Writes a consistent copy of the database to `target` (`VACUUM INTO`),
  /// while the store stays in use: a backup. `target` must not exist.
  result<void> backup(const std::string& target);

 private:
  struct impl;
  explicit sqlite_store(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace chatdesk
