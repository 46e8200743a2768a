#include "chatdesk/store/sqlite_store.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "chatdesk/model/documents.hpp"
#include "sqlite.hpp"
#include "stored.hpp"

namespace chatdesk {

namespace {

namespace sql = detail::sqlite;
using statement = sql::statement;

/// Marks a database as chatdesk's (`PRAGMA application_id`): "CDSK".
constexpr std::int32_t chatdesk_application_id = 0x4344534b;

/// The schema, one step per version: migrations[v] takes a database at
/// version v to v + 1. Steps are never edited once released; a new version
/// appends one.
constexpr const char* migrations[] = {
    // 0 -> 1: the desk's state.
    R"sql(
CREATE TABLE conversations (
  number_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  last_inbound INTEGER NOT NULL,
  last_referral INTEGER NOT NULL,
  entry_point_start INTEGER NOT NULL,
  last_outbound INTEGER NOT NULL,
  pair_rate_tat_us INTEGER NOT NULL,
  inbound_count INTEGER NOT NULL,
  outbound_count INTEGER NOT NULL,
  PRIMARY KEY (number_id, customer)
) WITHOUT ROWID;
CREATE TABLE customers (
  business_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  opted_in_at INTEGER,
  opt_in_source TEXT NOT NULL,
  opted_out_at INTEGER,
  blocked INTEGER NOT NULL,
  profile_name TEXT NOT NULL,
  PRIMARY KEY (business_id, customer)
) WITHOUT ROWID;
CREATE TABLE numbers (
  number_id TEXT PRIMARY KEY,
  throughput_tat_us INTEGER NOT NULL,
  service_month INTEGER NOT NULL,
  service_messages INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE reached (
  business_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (business_id, customer)
) WITHOUT ROWID;
CREATE INDEX reached_by_time ON reached (business_id, at);
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT,
  correlation_id TEXT,
  number_id TEXT NOT NULL,
  customer TEXT NOT NULL,
  direction INTEGER NOT NULL,
  type TEXT NOT NULL,
  category INTEGER,
  charge INTEGER NOT NULL,
  status INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status_at INTEGER NOT NULL,
  error_code INTEGER,
  error_title TEXT,
  error_details TEXT,
  error_message TEXT
);
CREATE UNIQUE INDEX messages_by_id ON messages (id) WHERE id IS NOT NULL;
CREATE UNIQUE INDEX messages_by_correlation ON messages (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX messages_by_conversation ON messages (number_id, customer);
)sql",
    // 1 -> 2: transcripts (each message's content) and the businesses served.
    R"sql(
ALTER TABLE messages ADD COLUMN body TEXT;
CREATE TABLE businesses (
  id TEXT PRIMARY KEY,
  definition TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE marks (
  name TEXT PRIMARY KEY,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE journal (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  data TEXT NOT NULL
);
)sql",
    // 2 -> 3: records of the modules above the desk (live support).
    R"sql(
CREATE TABLE records (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
)sql",
};
static_assert(std::size(migrations) == sqlite_store::schema_version);

std::int64_t ms(timestamp t) noexcept {
  return t.time_since_epoch().count();
}
timestamp at_ms(std::int64_t v) noexcept {
  return timestamp{std::chrono::milliseconds{v}};
}

constexpr const char* message_columns =
    "id, correlation_id, number_id, customer, direction, type, category, charge, status, at, status_at, "
    "error_code, error_title, error_details, error_message";

}  // namespace

struct sqlite_store::impl {
  std::string path;
  sqlite_store_options options;
  sql::connection db;

  // One connection, used by one thread at a time: the thread holding a step's
  // lock (`owner`) uses it without taking `mu` again.
  std::mutex mu;
  std::atomic<std::thread::id> owner{};

  statement begin, commit, rollback;
  statement load_conversation, save_conversation, count_conversations;
  statement load_customer, save_customer;
  statement load_number, save_number;
  statement count_reached, reached_at, record_reached;
  statement add_message, find_by_id, find_by_correlation, update_by_correlation, name_message, update_by_id,
      list_messages;
  statement vacuum_into;
  statement keep_inbound, keep_outbound, transcript_all, transcript_last;
  statement purge_content, purge_messages, purge_reached;
  statement save_business, load_businesses;
  statement windows_closing, load_mark, save_mark;
  statement append_journal, read_journal, trim_journal;
  statement load_record, save_record, erase_record, scan_records;

  void prepare() {
    auto* d = db.get();
    const auto make = [&](const std::string& text) { return statement(d, text, path); };
    begin = make("BEGIN IMMEDIATE");
    commit = make("COMMIT");
    rollback = make("ROLLBACK");
    load_conversation = make(
        "SELECT last_inbound, last_referral, entry_point_start, last_outbound, pair_rate_tat_us, "
        "inbound_count, "
        "outbound_count FROM conversations WHERE number_id = ?1 AND customer = ?2");
    save_conversation = make(
        "INSERT INTO conversations (number_id, customer, last_inbound, last_referral, entry_point_start, "
        "last_outbound, pair_rate_tat_us, inbound_count, outbound_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9) "
        "ON CONFLICT (number_id, customer) DO UPDATE SET last_inbound = excluded.last_inbound, "
        "last_referral = excluded.last_referral, entry_point_start = excluded.entry_point_start, "
        "last_outbound = excluded.last_outbound, pair_rate_tat_us = excluded.pair_rate_tat_us, "
        "inbound_count = excluded.inbound_count, outbound_count = excluded.outbound_count");
    count_conversations = make("SELECT count(*) FROM conversations");
    load_customer = make(
        "SELECT opted_in_at, opt_in_source, opted_out_at, blocked, profile_name FROM customers "
        "WHERE business_id = ?1 AND customer = ?2");
    save_customer = make(
        "INSERT INTO customers (business_id, customer, opted_in_at, opt_in_source, opted_out_at, blocked, "
        "profile_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (business_id, customer) DO UPDATE SET "
        "opted_in_at = excluded.opted_in_at, opt_in_source = excluded.opt_in_source, "
        "opted_out_at = excluded.opted_out_at, blocked = excluded.blocked, profile_name = "
        "excluded.profile_name");
    load_number =
        make("SELECT throughput_tat_us, service_month, service_messages FROM numbers WHERE number_id = ?1");
    save_number = make(
        "INSERT INTO numbers (number_id, throughput_tat_us, service_month, service_messages) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (number_id) DO UPDATE SET "
        "throughput_tat_us = excluded.throughput_tat_us, service_month = excluded.service_month, "
        "service_messages = excluded.service_messages");
    count_reached = make("SELECT count(*) FROM reached WHERE business_id = ?1 AND at >= ?2");
    reached_at = make("SELECT at FROM reached WHERE business_id = ?1 AND customer = ?2");
    record_reached = make(
        "INSERT INTO reached (business_id, customer, at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (business_id, customer) DO UPDATE SET at = max(at, excluded.at)");
    add_message = make(fmt::format(
        "INSERT INTO messages ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
        "ON CONFLICT DO NOTHING",
        message_columns));
    find_by_id = make(fmt::format("SELECT {} FROM messages WHERE id = ?1", message_columns));
    find_by_correlation =
        make(fmt::format("SELECT {} FROM messages WHERE correlation_id = ?1", message_columns));
    // A record's key, direction, type and charge are fixed when it is added;
    // a step changes its platform id (once), status and error. Setting only
    // these leaves the conversation index alone.
    const auto update = std::string(
        "UPDATE messages SET status = ?3, status_at = ?4, error_code = ?5, error_title = ?6, error_details = "
        "?7, "
        "error_message = ?8 ");
    update_by_correlation = make(update + "WHERE correlation_id = ?2 AND correlation_id IS NOT NULL");
    name_message = make(
        "UPDATE messages SET id = ?1 WHERE correlation_id = ?2 AND correlation_id IS NOT NULL AND id IS "
        "NULL");
    update_by_id = make(update + "WHERE id = ?1 AND id IS NOT NULL");
    list_messages = make(fmt::format(
        "SELECT {} FROM messages WHERE number_id = ?1 AND customer = ?2 ORDER BY seq", message_columns));
    vacuum_into = make("VACUUM INTO ?1");
    keep_inbound = make("UPDATE messages SET body = ?2 WHERE id = ?1 AND id IS NOT NULL");
    keep_outbound =
        make("UPDATE messages SET body = ?2 WHERE correlation_id = ?1 AND correlation_id IS NOT NULL");
    transcript_all =
        make(fmt::format("SELECT {}, body FROM messages WHERE number_id = ?1 AND customer = ?2 ORDER BY seq",
                         message_columns));
    transcript_last = make(fmt::format(
        "SELECT * FROM (SELECT {}, body, seq FROM messages WHERE number_id = ?1 AND customer = ?2 "
        "ORDER BY seq DESC LIMIT ?3) ORDER BY seq",
        message_columns));
    purge_content = make("UPDATE messages SET body = NULL WHERE at < ?1 AND body IS NOT NULL");
    purge_messages = make("DELETE FROM messages WHERE at < ?1");
    purge_reached = make("DELETE FROM reached WHERE at < ?1");
    save_business = make(
        "INSERT INTO businesses (id, definition) VALUES (?1, ?2) "
        "ON CONFLICT (id) DO UPDATE SET definition = excluded.definition");
    load_businesses = make("SELECT id, definition FROM businesses ORDER BY id");
    windows_closing = make(
        "SELECT number_id, customer, last_inbound FROM conversations WHERE last_inbound > ?1 AND "
        "last_inbound <= ?2");
    load_mark = make("SELECT at FROM marks WHERE name = ?1");
    append_journal = make("INSERT INTO journal (at, data) VALUES (?1, ?2)");
    // Entries in the order added; the time filter scans (a rebuild reads a month or so, once).
    read_journal =
        make("SELECT seq, at, data FROM journal WHERE seq > ?1 AND at >= ?2 ORDER BY seq LIMIT ?3");
    trim_journal = make("DELETE FROM journal WHERE at < ?1");
    save_mark = make(
        "INSERT INTO marks (name, at) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET at = excluded.at");
    load_record = make("SELECT value FROM records WHERE kind = ?1 AND key = ?2");
    save_record = make(
        "INSERT INTO records (kind, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (kind, key) DO UPDATE SET "
        "value = excluded.value");
    erase_record = make("DELETE FROM records WHERE kind = ?1 AND key = ?2");
    // A prefix as a range of keys (byte order): from the prefix to the prefix and U+10FFFF.
    scan_records =
        make("SELECT key, value FROM records WHERE kind = ?1 AND key >= ?2 AND key < ?3 ORDER BY key");
  }

  /// `BEGIN IMMEDIATE`: waits `busy_timeout` for another process's
  /// transaction, then retries `busy_retries` times.
  void start() {
    for (int attempt = 0;; ++attempt) {
      try {
        statement::use(begin).run();
        return;
      } catch (const exception& e) {
        if (e.err().code != "store.busy" || attempt >= options.busy_retries) throw;
      }
    }
  }
  void undo() noexcept {
    if (sqlite3_get_autocommit(db.get()) != 0)
      return;  // SQLite already rolled back (a full disk, an I/O error)
    try {
      statement::use(rollback).run();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a failed rollback leaves the transaction to be dropped
                     // on close
    }
  }

  /// Exclusive use of the connection for one call, unless this thread holds a step's lock.
  class access {
   public:
    explicit access(impl& s)
        : s_(s), taken_(s.owner.load(std::memory_order_acquire) != std::this_thread::get_id()) {
      if (taken_) s_.mu.lock();
    }
    ~access() {
      if (taken_) s_.mu.unlock();
    }
    access(const access&) = delete;
    access& operator=(const access&) = delete;

   private:
    impl& s_;
    bool taken_;
  };

  /// A desk step: the connection for this thread, in one transaction.
  class step_lock final : public store_lock {
   public:
    explicit step_lock(impl& s) : s_(s) {
      s_.mu.lock();
      s_.owner.store(std::this_thread::get_id(), std::memory_order_release);
      try {
        s_.start();
      } catch (...) {
        release();
        throw;
      }
    }
    ~step_lock() override {
      if (!committed_) s_.undo();
      release();
    }
    step_lock(const step_lock&) = delete;
    step_lock& operator=(const step_lock&) = delete;

    void commit() override {
      try {
        statement::use(s_.commit).run();
      } catch (...) {
        s_.undo();
        committed_ = true;  // nothing left to roll back
        throw;
      }
      committed_ = true;
    }

   private:
    void release() noexcept {
      s_.owner.store(std::thread::id{}, std::memory_order_release);
      s_.mu.unlock();
    }
    impl& s_;
    bool committed_ = false;
  };

  static phone_number customer_of(std::string_view digits, std::string_view where) {
    std::string text;
    text.reserve(digits.size() + 1);
    text += '+';
    text += digits;
    auto p = phone_number::parse(text);
    if (!p)
      detail::throw_error(make_error(
          "store.corrupt", fmt::format("the {} '{}' in the database is not a phone number", where, digits),
          std::string(where)));
    return *p;
  }

  static void bind_record(statement::use& u, const message_record& r) {
    u.bind_or_null(1, r.id)
        .bind_or_null(2, r.correlation_id)
        .bind(3, r.key.business_number_id)
        .bind(4, r.key.customer.digits())
        .bind(5, static_cast<std::int64_t>(r.direction))
        .bind(6, r.type);
    if (r.category) {
      u.bind(7, static_cast<std::int64_t>(*r.category));
    } else {
      u.bind_null(7);
    }
    u.bind(8, static_cast<std::int64_t>(r.charge))
        .bind(9, static_cast<std::int64_t>(r.status))
        .bind(10, ms(r.at))
        .bind(11, ms(r.status_at));
    if (r.error) {
      u.bind(12, std::int64_t{r.error->code})
          .bind(13, r.error->title)
          .bind(14, r.error->details)
          .bind(15, r.error->message);
    } else {
      u.bind_null(12).bind_null(13).bind_null(14).bind_null(15);
    }
  }

  static void bind_change(statement::use& u, const message_record& r) {
    u.bind_or_null(1, r.id)
        .bind_or_null(2, r.correlation_id)
        .bind(3, static_cast<std::int64_t>(r.status))
        .bind(4, ms(r.status_at));
    if (r.error) {
      u.bind(5, std::int64_t{r.error->code})
          .bind(6, r.error->title)
          .bind(7, r.error->details)
          .bind(8, r.error->message);
    } else {
      u.bind_null(5).bind_null(6).bind_null(7).bind_null(8);
    }
  }

  static message_record read_record(const statement::use& u) {
    message_record r;
    r.id = std::string(u.text(0));
    r.correlation_id = std::string(u.text(1));
    r.key.business_number_id = std::string(u.text(2));
    r.key.customer = customer_of(u.text(3), "customer");
    r.direction = static_cast<direction>(u.integer(4));
    r.type = std::string(u.text(5));
    if (!u.is_null(6)) r.category = static_cast<template_category>(u.integer(6));
    r.charge = static_cast<charge_reason>(u.integer(7));
    r.status = static_cast<message_status>(u.integer(8));
    r.at = at_ms(u.integer(9));
    r.status_at = at_ms(u.integer(10));
    if (!u.is_null(11))
      r.error = status_error{static_cast<int>(u.integer(11)), std::string(u.text(12)),
                             std::string(u.text(13)), std::string(u.text(14))};
    return r;
  }
};

namespace {

/// One integer a pragma or query answers.
std::int64_t ask(sqlite3* db, const char* query, std::string_view path) {
  statement s(db, query, path);
  statement::use u(s);
  return u.step() ? u.integer(0) : 0;
}

}  // namespace

sqlite_store::sqlite_store(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
sqlite_store::~sqlite_store() = default;

result<std::unique_ptr<sqlite_store>> sqlite_store::open(const std::string& path,
                                                         sqlite_store_options options) {
  constexpr auto most_pages = static_cast<std::uint32_t>(std::numeric_limits<int>::max());
  if (options.checkpoint_pages == 0 || options.checkpoint_pages > most_pages)
    return make_error("store.invalid_options",
                      fmt::format("checkpoint_pages is {}: it must be between 1 and {}",
                                  options.checkpoint_pages, most_pages),
                      "checkpoint_pages");
  auto s = std::make_unique<impl>();
  s->path = path;
  s->options = options;
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      options.batch_log_writes ? sql::batching_vfs() : nullptr);
  s->db.reset(raw);
  if (rc != SQLITE_OK) return sql::to_error(rc, "opening the database", raw, path);
  auto* db = s->db.get();
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  try {
    // Before the first read: with the lock held for good from the start,
    // SQLite keeps the log's index in memory and never maps the -shm file.
    if (options.single_process)
      sql::exec(db, "PRAGMA locking_mode = EXCLUSIVE", "holding the file for this process", path);
    // Look before writing anything: a file that is not ours stays untouched.
    const auto objects = ask(db, "SELECT count(*) FROM sqlite_master", path);
    const auto app = ask(db, "PRAGMA application_id", path);
    const auto version = ask(db, "PRAGMA user_version", path);
    if (options.check_on_open) {
      statement check(db, "PRAGMA quick_check", path);
      statement::use u(check);
      if (!u.step() || u.text(0) != "ok")
        return make_error("store.corrupt", fmt::format("{} is damaged: {}", path, u.text(0)), path);
    }
    if (objects > 0 && app != chatdesk_application_id)
      return make_error("store.foreign",
                        fmt::format("{} is a SQLite database of another application (application id {}): "
                                    "chatdesk opens only its own",
                                    path, app),
                        path);
    if (version > schema_version)
      return make_error(
          "store.newer_schema",
          fmt::format("{} has chatdesk schema {}, newer than this chatdesk's {}: use a newer chatdesk", path,
                      version, schema_version),
          path);

    // Small pages: a step rewrites a few pages of several tables and indexes,
    // so each commit writes a quarter of what 4 KiB pages would (takes effect
    // on a new file only).
    if (objects == 0) sql::exec(db, "PRAGMA page_size = 1024", "choosing the page size", path);
    sql::exec(db, "PRAGMA journal_mode = WAL", "choosing the write-ahead log", path);
    sql::exec(db,
              options.durability == sqlite_durability::full ? "PRAGMA synchronous = FULL"
                                                            : "PRAGMA synchronous = NORMAL",
              "choosing durability", path);
    const auto checkpoint = fmt::format("PRAGMA wal_autocheckpoint = {}", options.checkpoint_pages);
    sql::exec(db, checkpoint.c_str(), "choosing the checkpoint size", path);
    if (options.max_pages != 0) {
      const auto pragma = fmt::format("PRAGMA max_page_count = {}", options.max_pages);
      sql::exec(db, pragma.c_str(), "limiting the file's size", path);
    }
    // Create or migrate, once, even with several processes opening at once.
    sql::exec(db, "BEGIN IMMEDIATE", "starting the schema's migration", path);
    try {
      const auto now = ask(db, "PRAGMA user_version", path);
      if (now > schema_version)
        return make_error("store.newer_schema",
                          fmt::format("{} has chatdesk schema {}, newer than this chatdesk's {}", path, now,
                                      schema_version),
                          path);
      for (auto v = now; v < schema_version; ++v)
        sql::exec(db, migrations[v], fmt::format("migrating the schema to version {}", v + 1).c_str(), path);
      if (now < schema_version) {
        const auto stamp = fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}",
                                       chatdesk_application_id, schema_version);
        sql::exec(db, stamp.c_str(), "recording the schema's version", path);
      }
      sql::exec(db, "COMMIT", "committing the schema", path);
    } catch (...) {
      if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    s->prepare();
  } catch (const exception& e) {
    return e.err();
  }
  return std::unique_ptr<sqlite_store>(new sqlite_store(std::move(s)));
}

std::unique_ptr<store_lock> sqlite_store::lock(std::string_view, const phone_number&, bool) {
  return std::make_unique<impl::step_lock>(*impl_);
}

std::optional<conversation_state> sqlite_store::load_conversation(const conversation_key& key) {
  impl::access a(*impl_);
  statement::use u(impl_->load_conversation);
  u.bind(1, key.business_number_id).bind(2, key.customer.digits());
  if (!u.step()) return std::nullopt;
  conversation_state s;
  s.last_inbound = at_ms(u.integer(0));
  s.last_referral = at_ms(u.integer(1));
  s.entry_point_start = at_ms(u.integer(2));
  s.last_outbound = at_ms(u.integer(3));
  s.pair_rate_tat_us = u.integer(4);
  s.inbound_count = static_cast<std::uint32_t>(u.integer(5));
  s.outbound_count = static_cast<std::uint32_t>(u.integer(6));
  return s;
}

void sqlite_store::save_conversation(const conversation_key& key, const conversation_state& state) {
  impl::access a(*impl_);
  statement::use u(impl_->save_conversation);
  u.bind(1, key.business_number_id)
      .bind(2, key.customer.digits())
      .bind(3, ms(state.last_inbound))
      .bind(4, ms(state.last_referral))
      .bind(5, ms(state.entry_point_start))
      .bind(6, ms(state.last_outbound))
      .bind(7, state.pair_rate_tat_us)
      .bind(8, std::int64_t{state.inbound_count})
      .bind(9, std::int64_t{state.outbound_count})
      .run();
}

std::optional<customer_state> sqlite_store::load_customer(std::string_view business_id,
                                                          const phone_number& customer) {
  impl::access a(*impl_);
  statement::use u(impl_->load_customer);
  u.bind(1, business_id).bind(2, customer.digits());
  if (!u.step()) return std::nullopt;
  customer_state c;
  if (!u.is_null(0)) c.consent.opted_in_at = at_ms(u.integer(0));
  c.consent.opt_in_source = std::string(u.text(1));
  if (!u.is_null(2)) c.consent.opted_out_at = at_ms(u.integer(2));
  c.blocked = u.integer(3) != 0;
  c.profile_name = std::string(u.text(4));
  return c;
}

void sqlite_store::save_customer(std::string_view business_id, const phone_number& customer,
                                 const customer_state& state) {
  impl::access a(*impl_);
  statement::use u(impl_->save_customer);
  u.bind(1, business_id).bind(2, customer.digits());
  if (state.consent.opted_in_at) {
    u.bind(3, ms(*state.consent.opted_in_at));
  } else {
    u.bind_null(3);
  }
  u.bind(4, state.consent.opt_in_source);
  if (state.consent.opted_out_at) {
    u.bind(5, ms(*state.consent.opted_out_at));
  } else {
    u.bind_null(5);
  }
  u.bind(6, std::int64_t{state.blocked ? 1 : 0}).bind(7, state.profile_name).run();
}

number_state sqlite_store::load_number(std::string_view business_number_id) {
  impl::access a(*impl_);
  statement::use u(impl_->load_number);
  u.bind(1, business_number_id);
  number_state n;
  if (!u.step()) return n;
  n.throughput_tat_us = u.integer(0);
  n.service_month = static_cast<std::int32_t>(u.integer(1));
  n.service_messages = static_cast<std::uint32_t>(u.integer(2));
  return n;
}

void sqlite_store::save_number(std::string_view business_number_id, const number_state& state) {
  impl::access a(*impl_);
  statement::use u(impl_->save_number);
  u.bind(1, business_number_id)
      .bind(2, state.throughput_tat_us)
      .bind(3, std::int64_t{state.service_month})
      .bind(4, std::int64_t{state.service_messages})
      .run();
}

std::uint32_t sqlite_store::reached_customers(std::string_view business_id, timestamp since) {
  impl::access a(*impl_);
  statement::use u(impl_->count_reached);
  u.bind(1, business_id).bind(2, ms(since));
  return u.step() ? static_cast<std::uint32_t>(u.integer(0)) : 0;
}

bool sqlite_store::was_reached(std::string_view business_id, const phone_number& customer, timestamp since) {
  impl::access a(*impl_);
  statement::use u(impl_->reached_at);
  u.bind(1, business_id).bind(2, customer.digits());
  return u.step() && u.integer(0) >= ms(since);
}

void sqlite_store::record_reached(std::string_view business_id, const phone_number& customer, timestamp at) {
  impl::access a(*impl_);
  statement::use u(impl_->record_reached);
  u.bind(1, business_id).bind(2, customer.digits()).bind(3, ms(at)).run();
}

bool sqlite_store::add_message(const message_record& record) {
  impl::access a(*impl_);
  statement::use u(impl_->add_message);
  impl::bind_record(u, record);
  u.run();
  return sqlite3_changes(impl_->db.get()) == 1;
}

std::optional<message_record> sqlite_store::find_message(std::string_view id) {
  if (id.empty()) return std::nullopt;
  impl::access a(*impl_);
  {
    statement::use u(impl_->find_by_id);
    u.bind(1, id);
    if (u.step()) return impl::read_record(u);
  }
  statement::use u(impl_->find_by_correlation);
  u.bind(1, id);
  if (u.step()) return impl::read_record(u);
  return std::nullopt;
}

void sqlite_store::update_message(const message_record& record) {
  impl::access a(*impl_);
  if (!record.correlation_id.empty()) {
    {
      statement::use u(impl_->update_by_correlation);
      impl::bind_change(u, record);
      u.run();
    }
    if (sqlite3_changes(impl_->db.get()) > 0) {
      if (!record.id.empty()) {  // the platform's id, once: the id index changes only then
        statement::use n(impl_->name_message);
        n.bind(1, record.id).bind(2, record.correlation_id).run();
      }
      return;
    }
  }
  if (record.id.empty()) return;
  statement::use u(impl_->update_by_id);
  impl::bind_change(u, record);
  u.run();
}

std::vector<message_record> sqlite_store::messages(const conversation_key& key) {
  impl::access a(*impl_);
  statement::use u(impl_->list_messages);
  u.bind(1, key.business_number_id).bind(2, key.customer.digits());
  std::vector<message_record> out;
  while (u.step()) out.push_back(impl::read_record(u));
  return out;
}

std::size_t sqlite_store::conversation_count() {
  impl::access a(*impl_);
  statement::use u(impl_->count_conversations);
  return u.step() ? static_cast<std::size_t>(u.integer(0)) : 0;
}

void sqlite_store::keep_content(const message& m) {
  if (!impl_->options.keep_content) return;
  const auto body = to_json(m);
  impl::access a(*impl_);
  const bool outbound = m.direction == direction::outbound;
  statement::use u(outbound ? impl_->keep_outbound : impl_->keep_inbound);
  u.bind(1, outbound ? m.correlation_id : m.id).bind(2, body).run();
}

std::vector<transcript_entry> sqlite_store::transcript(const conversation_key& key, std::size_t last) {
  impl::access a(*impl_);
  statement::use u(last == 0 ? impl_->transcript_all : impl_->transcript_last);
  u.bind(1, key.business_number_id).bind(2, key.customer.digits());
  if (last != 0) u.bind(3, static_cast<std::int64_t>(std::min<std::size_t>(last, INT64_MAX)));
  std::vector<transcript_entry> out;
  while (u.step()) {
    transcript_entry e{impl::read_record(u), std::nullopt};
    if (!u.is_null(15)) e.message = detail::stored::content_of(u.text(15), e.record, impl_->path);
    out.push_back(std::move(e));
  }
  return out;
}

std::size_t sqlite_store::purge(timestamp content_before, timestamp records_before) {
  impl::access a(*impl_);
  auto* db = impl_->db.get();
  sql::exec(db, "BEGIN IMMEDIATE", "starting a purge", impl_->path);
  try {
    statement::use(impl_->purge_content).bind(1, ms(content_before)).run();
    statement::use(impl_->purge_messages).bind(1, ms(records_before)).run();
    const auto forgotten = static_cast<std::size_t>(sqlite3_changes(db));
    statement::use(impl_->purge_reached).bind(1, ms(records_before)).run();
    sql::exec(db, "COMMIT", "committing a purge", impl_->path);
    return forgotten;
  } catch (...) {
    impl_->undo();
    throw;
  }
}

void sqlite_store::save_business(const business& b) {
  const auto definition = to_json(b);
  impl::access a(*impl_);
  statement::use(impl_->save_business).bind(1, b.id).bind(2, definition).run();
}

std::vector<business> sqlite_store::load_businesses() {
  impl::access a(*impl_);
  statement::use u(impl_->load_businesses);
  std::vector<business> out;
  while (u.step()) out.push_back(detail::stored::business_of(u.text(1), u.text(0), impl_->path));
  return out;
}

std::vector<window_closing> sqlite_store::service_windows_closing(timestamp after, timestamp until) {
  impl::access a(*impl_);
  statement::use u(impl_->windows_closing);
  // A window closes 24 hours after the customer's last message.
  u.bind(1, ms(after - service_window_length)).bind(2, ms(until - service_window_length));
  std::vector<window_closing> out;
  while (u.step())
    out.push_back({{std::string(u.text(0)), impl::customer_of(u.text(1), "customer")},
                   at_ms(u.integer(2)) + service_window_length});
  return out;
}

std::optional<timestamp> sqlite_store::load_mark(std::string_view name) {
  impl::access a(*impl_);
  statement::use u(impl_->load_mark);
  u.bind(1, name);
  if (!u.step()) return std::nullopt;
  return at_ms(u.integer(0));
}

void sqlite_store::save_mark(std::string_view name, timestamp at) {
  impl::access a(*impl_);
  statement::use(impl_->save_mark).bind(1, name).bind(2, ms(at)).run();
}

std::optional<std::string> sqlite_store::load_record(std::string_view kind, std::string_view key) {
  impl::access a(*impl_);
  statement::use u(impl_->load_record);
  u.bind(1, kind).bind(2, key);
  if (!u.step()) return std::nullopt;
  return std::string(u.text(0));
}

void sqlite_store::save_record(std::string_view kind, std::string_view key, std::string_view value) {
  impl::access a(*impl_);
  statement::use(impl_->save_record).bind(1, kind).bind(2, key).bind(3, value).run();
}

void sqlite_store::erase_record(std::string_view kind, std::string_view key) {
  impl::access a(*impl_);
  statement::use(impl_->erase_record).bind(1, kind).bind(2, key).run();
}

void sqlite_store::scan_records(std::string_view kind, std::string_view prefix,
                                const std::function<bool(std::string_view, std::string_view)>& each) {
  std::vector<std::pair<std::string, std::string>> found;  // read under the connection, handed out without it
  {
    impl::access a(*impl_);
    statement::use u(impl_->scan_records);
    const auto upper = detail::stored::prefix_end(prefix);
    u.bind(1, kind).bind(2, prefix).bind(3, upper);
    while (u.step()) found.emplace_back(std::string(u.text(0)), std::string(u.text(1)));
  }
  for (const auto& [key, value] : found)
    if (!each(key, value)) return;
}

bool sqlite_store::keeps_journal() const {
  return impl_->options.keep_journal;
}

void sqlite_store::append_journal(timestamp at, std::string_view data) {
  if (!impl_->options.keep_journal) return;
  impl::access a(*impl_);
  statement::use(impl_->append_journal).bind(1, ms(at)).bind(2, data).run();
}

void sqlite_store::read_journal(timestamp since, const std::function<bool(const journal_entry&)>& each) {
  // A batch at a time, read under the connection and handed out without it,
  // so `each` may call the store and memory stays that of one batch whatever
  // the journal's length. Writers take turns and number their entries as
  // they commit, so nothing committed before the call can come after a
  // batch with a lower number: every such entry is given once, in order.
  constexpr std::int64_t batch_size = 4096;
  std::vector<journal_entry> batch;
  batch.reserve(batch_size);
  std::int64_t after = 0;
  for (;;) {
    batch.clear();
    {
      impl::access a(*impl_);
      statement::use u(impl_->read_journal);
      u.bind(1, after).bind(2, ms(since)).bind(3, batch_size);
      while (u.step())
        batch.push_back(
            {static_cast<std::uint64_t>(u.integer(0)), at_ms(u.integer(1)), std::string(u.text(2))});
    }
    for (const auto& e : batch)
      if (!each(e)) return;
    if (batch.size() < static_cast<std::size_t>(batch_size)) return;
    after = static_cast<std::int64_t>(batch.back().seq);
  }
}

void sqlite_store::trim_journal(timestamp before) {
  impl::access a(*impl_);
  statement::use(impl_->trim_journal).bind(1, ms(before)).run();
}

const std::string& sqlite_store::path() const noexcept {
  return impl_->path;
}

result<void> sqlite_store::backup(const std::string& target) {
  try {
    impl::access a(*impl_);
    statement::use u(impl_->vacuum_into);
    u.bind(1, target).run();
  } catch (const exception& e) {
    return e.err();
  }
  return {};
}

}  // namespace chatdesk
