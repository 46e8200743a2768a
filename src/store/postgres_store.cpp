#include "chatdesk/store/postgres_store.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "chatdesk/model/documents.hpp"
#include "kept_journal.hpp"
#include "postgres.hpp"
#include "postgres_statements.hpp"
#include "stored.hpp"

namespace chatdesk {

namespace {

namespace pg = detail::postgres;
using pg::migrations;
using pg::q;
using pg::statements;

static_assert(std::size(migrations) == postgres_store::schema_version);

std::int64_t ms(timestamp t) noexcept {
  return t.time_since_epoch().count();
}
timestamp at_ms(std::int64_t v) noexcept {
  return timestamp{std::chrono::milliseconds{v}};
}

/// A prepared statement's name ("chatdesk_<n>"), made once.
const std::string& statement_name(std::size_t i) {
  static const auto names = [] {
    std::array<std::string, std::size(statements)> all;
    for (std::size_t n = 0; n < all.size(); ++n) all[n] = fmt::format("chatdesk_{}", n);
    return all;
  }();
  return names.at(i);
}

/// Schema names are plain identifiers, so they need no quoting anywhere.
bool valid_schema_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!(s[0] >= 'a' && s[0] <= 'z') && s[0] != '_') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace

struct postgres_store::impl {
  std::string conninfo;
  postgres_store_options options;
  std::string where;  // "postgres:<schema>", in errors

  /// A statement waiting to be sent: a step's writes wait until the step
  /// next reads or commits, then go in one round trip (libpq's pipeline mode).
  struct pending {
    int which;  // a statement's number, or begin / commit
    pg::params p;
  };
  static constexpr int begin_transaction = -1;
  static constexpr int commit_transaction = -2;

  /// One pooled connection.
  struct connection {
    pg::connection c;
    bool in_step = false;          // inside a desk step's transaction: writes wait
    bool opening = false;          // the step's BEGIN and locks wait in `waiting`, unsent
    std::vector<pending> waiting;  // statements not sent yet, in order
    [[nodiscard]] PGconn* get() const noexcept { return c.get(); }
  };

  mutable std::mutex mu;
  std::condition_variable freed;
  std::vector<std::unique_ptr<connection>> idle;
  std::size_t open = 0;  // idle + in use

  /// The connection each thread's step holds (a thread holds at most one
  /// step per store at a time; several stores may share a thread).
  struct held_entry {
    const impl* store;
    connection* conn;
  };
  static thread_local std::vector<held_entry> held;

  connection* held_here() const noexcept {
    for (const auto& h : held)
      if (h.store == this) return h.conn;
    return nullptr;
  }

  // ----- statements

  pg::result exec(connection& c, const char* sql, std::string_view what) const {
    pg::result r(PQexec(c.get(), sql));
    const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      detail::throw_error(pg::to_error(c.get(), r.get(), what, where));
    return r;
  }

  pg::result exec_params(connection& c, const char* sql, const pg::params& p, std::string_view what) const {
    pg::result r(PQexecParams(c.get(), sql, p.size(), nullptr, p.values(), nullptr, nullptr, 0));
    const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      detail::throw_error(pg::to_error(c.get(), r.get(), what, where));
    return r;
  }

  pg::result run(connection& c, q which, const pg::params& p) const {
    const auto i = static_cast<std::size_t>(which);
    const auto& name = statement_name(i);
    pg::result r(PQexecPrepared(c.get(), name.c_str(), p.size(), p.values(), nullptr, nullptr, 0));
    const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      detail::throw_error(pg::to_error(c.get(), r.get(), fmt::format("running statement {}", i), where));
    return r;
  }

  /// Sends the waiting statements and `last` in one round trip, and reads
  /// their answers; returns `last`'s. The first failure is thrown once every
  /// answer is read (the statements after it were not run).
  pg::result pipeline(connection& c, const pending& last) {
    auto answers = pipeline(c, std::vector<pending>{last});
    return std::move(answers.back());
  }

  /// The same with several statements whose answers the caller needs:
  /// their answers, in order.
  ///
  /// A step's first round trip starts its transaction. When it finds its
  /// connection lost (a server restart while the connection sat idle in the
  /// pool), nothing of the step ran or will run (the server rolls back a
  /// lost session's transaction): it runs again on a new connection, once.
  /// Not when the trip also commits: then the commit may have landed.
  std::vector<pg::result> pipeline(connection& c, const std::vector<pending>& reads) {
    const auto commits = [](const pending& p) { return p.which == commit_transaction; };
    const auto done = [&c] {
      c.waiting.clear();
      c.opening = false;
    };
    for (bool may_retry = c.opening;; may_retry = false) {
      try {
        auto answers = trip(c, reads);
        done();
        return answers;
      } catch (const exception&) {
        const bool retry = may_retry && PQstatus(c.get()) != CONNECTION_OK &&
                           std::none_of(reads.begin(), reads.end(), commits) &&
                           std::none_of(c.waiting.begin(), c.waiting.end(), commits);
        if (!retry) {
          done();
          throw;
        }
      }
      drop_idle();  // most likely lost as well
      try {
        c.c = std::move(connect(true)->c);
      } catch (...) {
        done();
        throw;
      }
    }
  }

  /// One round trip: the waiting statements and `reads`, sent at once; their
  /// answers read. `c.waiting` is left as it was.
  std::vector<pg::result> trip(connection& c, const std::vector<pending>& reads) const {
    auto* conn = c.get();
    const auto send = [&](const pending& p) {
      if (p.which == begin_transaction || p.which == commit_transaction)
        return PQsendQueryParams(conn, p.which == begin_transaction ? "BEGIN" : "COMMIT", 0, nullptr, nullptr,
                                 nullptr, nullptr, 0) == 1;
      const auto& name = statement_name(static_cast<std::size_t>(p.which));
      return PQsendQueryPrepared(conn, name.c_str(), p.p.size(), p.p.values(), nullptr, nullptr, 0) == 1;
    };
    const auto what = [](const pending& p) {
      if (p.which == begin_transaction) return std::string("starting a step");
      if (p.which == commit_transaction) return std::string("committing a step");
      return fmt::format("running statement {}", p.which);
    };
    if (PQenterPipelineMode(conn) != 1) {
      detail::throw_error(pg::to_error(conn, nullptr, "entering pipeline mode", where));
    }
    const std::size_t total = c.waiting.size() + reads.size();
    std::size_t sent = 0;
    for (const auto& p : c.waiting) {
      if (!send(p)) break;
      ++sent;
    }
    for (const auto& p : reads) {
      if (sent < c.waiting.size() || !send(p)) break;
      ++sent;
    }
    const bool synced = PQpipelineSync(conn) == 1;
    std::optional<error> failure;
    if (sent < total || !synced) failure = pg::to_error(conn, nullptr, "sending statements", where);
    std::vector<pg::result> answers(reads.size());
    std::size_t seen = 0;
    bool ended = false;  // the last call found the end of a statement's answer
    while (synced) {
      PGresult* raw = PQgetResult(conn);
      if (raw == nullptr) {
        // The end of one statement's answer; twice in a row, nothing more
        // will come (a connection lost before the sync point).
        if (ended || PQstatus(conn) != CONNECTION_OK) break;
        ended = true;
        continue;
      }
      ended = false;
      pg::result r(raw);
      const auto st = PQresultStatus(raw);
      if (st == PGRES_PIPELINE_SYNC) break;
      if (seen >= total) continue;  // more answers than statements: the connection is out of step
      const auto& p = seen < c.waiting.size() ? c.waiting[seen] : reads[seen - c.waiting.size()];
      ++seen;
      if (st == PGRES_PIPELINE_ABORTED) continue;  // not run: an earlier one failed
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        if (!failure) failure = pg::to_error(conn, raw, what(p), where);
        continue;
      }
      if (seen > c.waiting.size()) answers[seen - 1 - c.waiting.size()] = std::move(r);
    }
    if (PQstatus(conn) == CONNECTION_OK) (void)PQexitPipelineMode(conn);
    if (!failure && seen < total) failure = pg::to_error(conn, nullptr, what(reads.back()), where);
    if (failure) detail::throw_error(*failure);
    return answers;
  }

  // The reads' parameters and answers, shared by the single reads and load_for_send.
  static pg::params conversation_params(const conversation_key& key) {
    pg::params p;
    p.add(key.business_number_id).add(key.customer.digits());
    return p;
  }
  static pg::params customer_params(std::string_view business_id, const phone_number& customer) {
    pg::params p;
    p.add(business_id).add(customer.digits());
    return p;
  }
  static pg::params reached_params(std::string_view business_id, timestamp since) {
    pg::params p;
    p.add(business_id).add(ms(since));
    return p;
  }
  [[nodiscard]] std::optional<conversation_state> conversation_of(const pg::result& r) const {
    const pg::rows t(r.get(), where);
    if (t.size() == 0) return std::nullopt;
    conversation_state s;
    s.last_inbound = at_ms(t.integer(0, 0));
    s.last_referral = at_ms(t.integer(0, 1));
    s.entry_point_start = at_ms(t.integer(0, 2));
    s.last_outbound = at_ms(t.integer(0, 3));
    s.pair_rate_tat_us = t.integer(0, 4);
    s.inbound_count = static_cast<std::uint32_t>(t.integer(0, 5));
    s.outbound_count = static_cast<std::uint32_t>(t.integer(0, 6));
    return s;
  }
  [[nodiscard]] std::optional<customer_state> customer_of(const pg::result& r) const {
    const pg::rows t(r.get(), where);
    if (t.size() == 0) return std::nullopt;
    customer_state c;
    if (!t.is_null(0, 0)) c.consent.opted_in_at = at_ms(t.integer(0, 0));
    c.consent.opt_in_source = std::string(t.text(0, 1));
    if (!t.is_null(0, 2)) c.consent.opted_out_at = at_ms(t.integer(0, 2));
    c.blocked = t.text(0, 3) == "t";
    c.profile_name = std::string(t.text(0, 4));
    return c;
  }
  [[nodiscard]] number_state number_of(const pg::result& r) const {
    const pg::rows t(r.get(), where);
    number_state n;
    if (t.size() == 0) return n;
    n.throughput_tat_us = t.integer(0, 0);
    n.service_month = static_cast<std::int32_t>(t.integer(0, 1));
    n.service_messages = static_cast<std::uint32_t>(t.integer(0, 2));
    return n;
  }
  [[nodiscard]] std::uint32_t count_of(const pg::result& r) const {
    const pg::rows t(r.get(), where);
    return t.size() == 0 ? 0 : static_cast<std::uint32_t>(t.integer(0, 0));
  }
  [[nodiscard]] bool reached_since(const pg::result& r, timestamp since) const {
    const pg::rows t(r.get(), where);
    return t.size() > 0 && t.integer(0, 0) >= ms(since);
  }

  /// A statement whose answer the caller needs: sent at once, with the
  /// step's waiting writes before it.
  pg::result read(connection& c, q which, const pg::params& p) {
    if (c.waiting.empty()) return run(c, which, p);
    return pipeline(c, pending{static_cast<int>(which), p});
  }
  /// A statement whose answer nobody needs: inside a step it waits for the
  /// step's next read or its commit (a failure fails the step there);
  /// outside a step it runs at once.
  void write(connection& c, q which, pg::params p) const {
    if (c.in_step) {
      c.waiting.push_back({static_cast<int>(which), std::move(p)});
    } else {
      (void)run(c, which, p);
    }
  }

  // ----- connections

  /// A new connection with the session set up; `prepare` also prepares the
  /// statements (not before the schema exists).
  std::unique_ptr<connection> connect(bool prepare) const {
    const auto timeout = std::to_string(options.connect_timeout.count());
    const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
    const char* values[] = {conninfo.c_str(), timeout.c_str(), options.application_name.c_str(), nullptr};
    auto c = std::make_unique<connection>();
    c->c.reset(PQconnectdbParams(keys, values, 1));
    if (!c->c || PQstatus(c->get()) != CONNECTION_OK) {
      std::string why = c->c ? PQerrorMessage(c->get()) : "out of memory";
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      detail::throw_error(make_error("store.unavailable",
                                     fmt::format("PostgreSQL ({}): cannot connect: {}", where, why), where));
    }
    const auto session = fmt::format(
        "SET search_path TO {}; SET lock_timeout = {}; SET client_min_messages = warning; SET TIME ZONE "
        "'UTC'",
        options.schema, options.lock_timeout.count());
    exec(*c, session.c_str(), "setting up the session");
    if (prepare) prepare_statements(*c);
    return c;
  }

  void prepare_statements(connection& c) const {
    for (std::size_t i = 0; i < std::size(statements); ++i) {
      const auto& name = statement_name(i);
      pg::result r(PQprepare(c.get(), name.c_str(), statements[i], 0, nullptr));
      if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
        detail::throw_error(pg::to_error(c.get(), r.get(), fmt::format("preparing statement {}", i), where));
    }
  }

  /// A connection for this thread: an idle one, a new one while fewer than
  /// `pool_size` are open, or the next one freed within `pool_wait`.
  std::unique_ptr<connection> acquire() {
    std::unique_lock<std::mutex> l(mu);
    if (!freed.wait_for(l, options.pool_wait, [&] { return !idle.empty() || open < options.pool_size; }))
      detail::throw_error(
          make_error("store.busy",
                     fmt::format("PostgreSQL ({}): all {} connections stayed in use for {} ms", where,
                                 options.pool_size, options.pool_wait.count()),
                     where));
    if (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      return c;
    }
    ++open;
    l.unlock();
    try {
      return connect(true);
    } catch (...) {
      l.lock();
      --open;
      freed.notify_one();
      throw;
    }
  }

  /// Back to the pool, or closed when lost or left inside a transaction.
  void release(std::unique_ptr<connection> c) noexcept {
    const bool usable = PQstatus(c->get()) == CONNECTION_OK && PQtransactionStatus(c->get()) == PQTRANS_IDLE;
    {
      std::lock_guard<std::mutex> l(mu);
      if (usable) {
        idle.push_back(std::move(c));
      } else {
        --open;
      }
    }
    freed.notify_one();
    c.reset();  // a lost connection is closed outside the pool's lock
  }

  /// Drops the idle connections (after one was found lost, the others most
  /// likely are too: a server restart).
  void drop_idle() noexcept {
    std::vector<std::unique_ptr<connection>> gone;
    {
      std::lock_guard<std::mutex> l(mu);
      gone.swap(idle);
      open -= gone.size();
    }
    freed.notify_all();
  }

  /// The connection for one call: the step's when this thread holds one,
  /// otherwise one borrowed from the pool (each statement its own transaction).
  class access {
   public:
    explicit access(impl& s) : s_(s), conn_(s.held_here()) {
      if (conn_ == nullptr) {
        own_ = s_.acquire();
        conn_ = own_.get();
      }
    }
    ~access() {
      if (own_) s_.release(std::move(own_));
    }
    access(const access&) = delete;
    access& operator=(const access&) = delete;
    connection& operator*() const noexcept { return *conn_; }

   private:
    impl& s_;
    connection* conn_;
    std::unique_ptr<connection> own_;
  };

  /// A desk step: one connection, one transaction, the conversation's lock.
  /// BEGIN and the locks wait for the step's first round trip (its first
  /// read, or its commit), so they cost no trip of their own.
  class step_lock final : public store_lock {
   public:
    step_lock(impl& s, std::string_view business_id, const phone_number& customer, bool business_wide)
        : s_(s), conn_(s.acquire()) {
      pg::params p;
      p.add(business_id).add(customer.digits());
      conn_->waiting.push_back({begin_transaction, {}});
      conn_->waiting.push_back(
          {static_cast<int>(business_wide ? q::lock_business : q::lock_conversation), std::move(p)});
      conn_->opening = true;
      conn_->in_step = true;
      held.push_back({&s_, conn_.get()});
    }
    ~step_lock() override {
      if (!committed_) rollback();
      std::erase_if(held, [&](const held_entry& h) { return h.store == &s_; });
      s_.release(std::move(conn_));
    }
    step_lock(const step_lock&) = delete;
    step_lock& operator=(const step_lock&) = delete;

    void commit() override {
      committed_ = true;
      try {
        (void)s_.pipeline(*conn_, pending{commit_transaction, {}});  // the waiting writes, then COMMIT
      } catch (...) {
        rollback();
        throw;
      }
      conn_->in_step = false;
    }

   private:
    void rollback() noexcept {
      conn_->waiting.clear();
      conn_->in_step = false;
      conn_->opening = false;
      // Nothing to undo when BEGIN was never sent; the server rolls back a
      // lost session's transaction.
      if (PQstatus(conn_->get()) != CONNECTION_OK || PQtransactionStatus(conn_->get()) == PQTRANS_IDLE)
        return;
      pg::result r(PQexec(conn_->get(), "ROLLBACK"));
    }
    impl& s_;
    std::unique_ptr<connection> conn_;
    bool committed_ = false;
  };

  // ----- rows

  phone_number customer_of(std::string_view digits) const {
    std::string text;
    text.reserve(digits.size() + 1);
    text += '+';
    text += digits;
    auto p = phone_number::parse(text);
    if (!p)
      detail::throw_error(make_error(
          "store.corrupt",
          fmt::format("PostgreSQL ({}): the customer '{}' is not a phone number", where, digits), where));
    return *p;
  }

  static void add_error(pg::params& p, const std::optional<status_error>& e) {
    if (e) {
      p.add(std::int64_t{e->code}).add(e->title).add(e->details).add(e->message);
    } else {
      p.null().null().null().null();
    }
  }

  static pg::params record_params(const message_record& r) {
    pg::params p;
    p.add_or_null(r.id)
        .add_or_null(r.correlation_id)
        .add(r.key.business_number_id)
        .add(r.key.customer.digits())
        .add(static_cast<std::int64_t>(r.direction))
        .add(r.type);
    if (r.category) {
      p.add(static_cast<std::int64_t>(*r.category));
    } else {
      p.null();
    }
    p.add(static_cast<std::int64_t>(r.charge))
        .add(static_cast<std::int64_t>(r.status))
        .add(ms(r.at))
        .add(ms(r.status_at));
    add_error(p, r.error);
    return p;
  }

  static pg::params change_params(std::string_view match, const message_record& r) {
    pg::params p;
    p.add(match).add(static_cast<std::int64_t>(r.status)).add(ms(r.status_at));
    add_error(p, r.error);
    return p;
  }

  message_record read_record(const pg::rows& t, int i) const {
    message_record r;
    r.id = std::string(t.text(i, 0));
    r.correlation_id = std::string(t.text(i, 1));
    r.key.business_number_id = std::string(t.text(i, 2));
    r.key.customer = customer_of(t.text(i, 3));
    r.direction = static_cast<direction>(t.integer(i, 4));
    r.type = std::string(t.text(i, 5));
    if (!t.is_null(i, 6)) r.category = static_cast<template_category>(t.integer(i, 6));
    r.charge = static_cast<charge_reason>(t.integer(i, 7));
    r.status = static_cast<message_status>(t.integer(i, 8));
    r.at = at_ms(t.integer(i, 9));
    r.status_at = at_ms(t.integer(i, 10));
    if (!t.is_null(i, 11))
      r.error = status_error{static_cast<int>(t.integer(i, 11)), std::string(t.text(i, 12)),
                             std::string(t.text(i, 13)), std::string(t.text(i, 14))};
    return r;
  }

  /// The message a find_message statement found, if any.
  [[nodiscard]] std::optional<message_record> found(const pg::result& r) const {
    const pg::rows t(r.get(), where);
    if (t.size() > 0) return read_record(t, 0);
    return std::nullopt;
  }

  /// The entries of a purged_entries answer, as the desk wrote them.
  [[nodiscard]] std::vector<journal_entry> kept_entries(const pg::result& r) const {
    const pg::rows t(r.get(), where);
    std::vector<journal_entry> out;
    out.reserve(static_cast<std::size_t>(t.size()));
    for (int i = 0; i < t.size(); ++i) {
      const auto event = t.text(i, 17);
      auto data = detail::kept_journal::entry_of(read_record(t, i), event);
      // One it cannot read is handed on as it is: the desk refuses it by its number.
      out.push_back({static_cast<std::uint64_t>(t.integer(i, 15)), at_ms(t.integer(i, 16)),
                     data ? std::move(*data) : "?" + std::string(event)});
    }
    return out;
  }

  static std::size_t changed(const pg::result& r) {
    const char* n = PQcmdTuples(r.get());
    std::size_t v = 0;
    std::from_chars(n, n + std::char_traits<char>::length(n), v);
    return v;
  }

  // ----- schema

  /// Creates or migrates the schema, once, even with several processes
  /// opening at once (a transaction-scoped lock on the schema's name).
  void migrate(connection& c) const {
    exec(c, "BEGIN", "starting the schema's migration");
    try {
      pg::params p;
      p.add(options.schema);
      exec_params(c, "SELECT pg_advisory_xact_lock(hashtextextended('chatdesk schema ' || $1, 0))", p,
                  "locking the schema");
      const auto has_schema =
          exec_params(c, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", p, "looking for the schema");
      const auto tables = exec_params(c, "SELECT count(*) FROM pg_tables WHERE schemaname = $1", p,
                                      "listing the schema's tables");
      const auto ours = exec_params(
          c, "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'chatdesk_schema'", p,
          "looking for chatdesk's version table");
      const pg::rows t(tables.get(), where), o(ours.get(), where), h(has_schema.get(), where);
      if (t.integer(0, 0) > 0 && o.integer(0, 0) == 0)
        detail::throw_error(make_error(
            "store.foreign",
            fmt::format("PostgreSQL ({}): schema '{}' holds {} tables that are not chatdesk's: chatdesk "
                        "uses only a schema of its own (choose another with postgres_store_options::schema)",
                        where, options.schema, t.integer(0, 0)),
            where));
      std::int64_t version = 0;
      if (h.integer(0, 0) == 0) {
        exec(c, fmt::format("CREATE SCHEMA {}", options.schema).c_str(), "creating the schema");
      }
      if (o.integer(0, 0) == 0) {
        exec(c, "CREATE TABLE chatdesk_schema (version INTEGER NOT NULL)", "creating the version table");
        exec(c, "INSERT INTO chatdesk_schema (version) VALUES (0)", "recording version 0");
      } else {
        const auto v = exec(c, "SELECT max(version) FROM chatdesk_schema", "reading the schema's version");
        const pg::rows vr(v.get(), where);
        version = vr.is_null(0, 0) ? 0 : vr.integer(0, 0);
      }
      if (version > schema_version)
        detail::throw_error(make_error(
            "store.newer_schema",
            fmt::format("PostgreSQL ({}): schema '{}' has chatdesk schema {}, newer than this chatdesk's {}: "
                        "use a newer chatdesk",
                        where, options.schema, version, schema_version),
            where));
      for (auto v = version; v < schema_version; ++v)
        exec(c, migrations[v], fmt::format("migrating the schema to version {}", v + 1));
      if (version < schema_version)
        exec(c, fmt::format("UPDATE chatdesk_schema SET version = {}", schema_version).c_str(),
             "recording the schema's version");
      exec(c, "COMMIT", "committing the schema");
    } catch (...) {
      if (PQstatus(c.get()) == CONNECTION_OK) pg::result r(PQexec(c.get(), "ROLLBACK"));
      throw;
    }
  }
};

thread_local std::vector<postgres_store::impl::held_entry> postgres_store::impl::held;

postgres_store::postgres_store(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
postgres_store::~postgres_store() = default;

result<std::unique_ptr<postgres_store>> postgres_store::open(const std::string& conninfo,
                                                             postgres_store_options options) {
  if (!valid_schema_name(options.schema))
    return make_error(
        "store.invalid_options",
        fmt::format("the schema name '{}' must be 1 to 63 of a-z, 0-9 and _, not starting with a digit",
                    options.schema),
        "schema");
  if (options.pool_size == 0)
    return make_error("store.invalid_options", "pool_size must be at least 1", "pool_size");
  auto s = std::make_unique<impl>();
  s->conninfo = conninfo;
  s->options = std::move(options);
  s->where = "postgres:" + s->options.schema;
  try {
    auto c = s->connect(false);
    s->migrate(*c);
    s->prepare_statements(*c);
    s->open = 1;
    s->idle.push_back(std::move(c));
  } catch (const exception& e) {
    return e.err();
  }
  return std::unique_ptr<postgres_store>(new postgres_store(std::move(s)));
}

std::unique_ptr<store_lock> postgres_store::lock(std::string_view business_id, const phone_number& customer,
                                                 bool business_wide) {
  return std::make_unique<impl::step_lock>(*impl_, business_id, customer, business_wide);
}

std::optional<conversation_state> postgres_store::load_conversation(const conversation_key& key) {
  impl::access a(*impl_);
  return impl_->conversation_of(impl_->read(*a, q::load_conversation, impl::conversation_params(key)));
}

void postgres_store::save_conversation(const conversation_key& key, const conversation_state& state) {
  impl::access a(*impl_);
  pg::params p;
  p.add(key.business_number_id)
      .add(key.customer.digits())
      .add(ms(state.last_inbound))
      .add(ms(state.last_referral))
      .add(ms(state.entry_point_start))
      .add(ms(state.last_outbound))
      .add(state.pair_rate_tat_us)
      .add(std::int64_t{state.inbound_count})
      .add(std::int64_t{state.outbound_count});
  impl_->write(*a, q::save_conversation, std::move(p));
}

std::optional<customer_state> postgres_store::load_customer(std::string_view business_id,
                                                            const phone_number& customer) {
  impl::access a(*impl_);
  return impl_->customer_of(impl_->read(*a, q::load_customer, impl::customer_params(business_id, customer)));
}

void postgres_store::save_customer(std::string_view business_id, const phone_number& customer,
                                   const customer_state& state) {
  impl::access a(*impl_);
  pg::params p;
  p.add(business_id).add(customer.digits());
  if (state.consent.opted_in_at) {
    p.add(ms(*state.consent.opted_in_at));
  } else {
    p.null();
  }
  p.add(state.consent.opt_in_source);
  if (state.consent.opted_out_at) {
    p.add(ms(*state.consent.opted_out_at));
  } else {
    p.null();
  }
  p.add(state.blocked ? "true" : "false").add(state.profile_name);
  impl_->write(*a, q::save_customer, std::move(p));
}

number_state postgres_store::load_number(std::string_view business_number_id) {
  impl::access a(*impl_);
  pg::params p;
  p.add(business_number_id);
  return impl_->number_of(impl_->read(*a, q::load_number, p));
}

void postgres_store::save_number(std::string_view business_number_id, const number_state& state) {
  impl::access a(*impl_);
  pg::params p;
  p.add(business_number_id)
      .add(state.throughput_tat_us)
      .add(std::int64_t{state.service_month})
      .add(std::int64_t{state.service_messages});
  impl_->write(*a, q::save_number, std::move(p));
}

std::uint32_t postgres_store::reached_customers(std::string_view business_id, timestamp since) {
  impl::access a(*impl_);
  return impl_->count_of(impl_->read(*a, q::count_reached, impl::reached_params(business_id, since)));
}

bool postgres_store::was_reached(std::string_view business_id, const phone_number& customer,
                                 timestamp since) {
  impl::access a(*impl_);
  return impl_->reached_since(impl_->read(*a, q::reached_at, impl::customer_params(business_id, customer)),
                              since);
}

send_reads postgres_store::load_for_send(std::string_view business_id, const conversation_key& key,
                                         timestamp since) {
  impl::access a(*impl_);
  pg::params number;
  number.add(key.business_number_id);
  const auto r = impl_->pipeline(
      *a, {{static_cast<int>(q::load_conversation), impl::conversation_params(key)},
           {static_cast<int>(q::load_customer), impl::customer_params(business_id, key.customer)},
           {static_cast<int>(q::load_number), std::move(number)},
           {static_cast<int>(q::count_reached), impl::reached_params(business_id, since)},
           {static_cast<int>(q::reached_at), impl::customer_params(business_id, key.customer)}});
  return {impl_->conversation_of(r[0]), impl_->customer_of(r[1]), impl_->number_of(r[2]),
          impl_->count_of(r[3]), impl_->reached_since(r[4], since)};
}

void postgres_store::record_reached(std::string_view business_id, const phone_number& customer,
                                    timestamp at) {
  impl::access a(*impl_);
  pg::params p;
  p.add(business_id).add(customer.digits()).add(ms(at));
  impl_->write(*a, q::record_reached, std::move(p));
}

bool postgres_store::add_message(const message_record& record) {
  impl::access a(*impl_);
  return impl::changed(impl_->read(*a, q::add_message, impl::record_params(record))) == 1;
}

std::optional<message_record> postgres_store::find_message(std::string_view id) {
  if (id.empty()) return std::nullopt;
  impl::access a(*impl_);
  pg::params p;
  p.add(id);
  return impl_->found(impl_->read(*a, q::find_message, p));
}

receive_reads postgres_store::add_for_receive(std::string_view business_id, const message_record& record,
                                              std::string_view journal_entry) {
  const bool journaled = impl_->options.keep_journal && !journal_entry.empty();
  const auto event = journaled ? detail::kept_journal::received_event(record, journal_entry) : std::nullopt;
  auto add = impl::record_params(record);
  if (event) add.add(*event);
  impl::access a(*impl_);
  const auto r = impl_->pipeline(
      *a, {{static_cast<int>(event ? q::add_message_journaled : q::add_message), std::move(add)},
           {static_cast<int>(q::load_conversation), impl::conversation_params(record.key)},
           {static_cast<int>(q::load_customer), impl::customer_params(business_id, record.key.customer)}});
  const bool added = impl::changed(r[0]) == 1;
  if (added && journaled && !event) {  // an entry the row cannot rebuild: kept whole
    pg::params p;
    p.add(ms(record.at)).add(journal_entry);
    impl_->write(*a, q::append_journal, std::move(p));
  }
  return {added, impl_->conversation_of(r[1]), impl_->customer_of(r[2])};
}

std::vector<std::optional<message_record>> postgres_store::find_messages(
    const std::vector<std::string_view>& ids) {
  std::vector<impl::pending> reads;
  for (const auto id : ids) {
    if (id.empty()) continue;
    pg::params p;
    p.add(id);
    reads.push_back({static_cast<int>(q::find_message), std::move(p)});
  }
  std::vector<pg::result> answers;
  if (!reads.empty()) {
    impl::access a(*impl_);
    answers = impl_->pipeline(*a, reads);
  }
  std::vector<std::optional<message_record>> out;
  out.reserve(ids.size());
  std::size_t next = 0;
  for (const auto id : ids) out.push_back(id.empty() ? std::nullopt : impl_->found(answers[next++]));
  return out;
}

void postgres_store::update_message(const message_record& record) {
  impl::access a(*impl_);
  // A record with a correlation id is matched by it (and gets its platform
  // id once); one without, by its platform id.
  if (!record.correlation_id.empty()) {
    auto p = impl::change_params(record.correlation_id, record);
    p.add_or_null(record.id);
    impl_->write(*a, q::update_by_correlation, std::move(p));
    return;
  }
  if (record.id.empty()) return;
  impl_->write(*a, q::update_by_id, impl::change_params(record.id, record));
}

void postgres_store::update_message_journaled(const message_record& record, std::string_view journal_entry) {
  const bool journaled = impl_->options.keep_journal && !journal_entry.empty();
  const auto event = journaled ? detail::kept_journal::status_event(record, journal_entry) : std::nullopt;
  if (!event || (record.correlation_id.empty() && record.id.empty())) {
    update_message(record);
    if (journaled) append_journal(record.status_at, journal_entry);
    return;
  }
  impl::access a(*impl_);
  if (!record.correlation_id.empty()) {
    auto p = impl::change_params(record.correlation_id, record);
    p.add_or_null(record.id).add(*event);
    impl_->write(*a, q::update_by_correlation_journaled, std::move(p));
    return;
  }
  auto p = impl::change_params(record.id, record);
  p.add(*event);
  impl_->write(*a, q::update_by_id_journaled, std::move(p));
}

std::vector<message_record> postgres_store::messages(const conversation_key& key) {
  impl::access a(*impl_);
  pg::params p;
  p.add(key.business_number_id).add(key.customer.digits());
  const auto r = impl_->read(*a, q::list_messages, p);
  const pg::rows t(r.get(), impl_->where);
  std::vector<message_record> out;
  out.reserve(static_cast<std::size_t>(t.size()));
  for (int i = 0; i < t.size(); ++i) out.push_back(impl_->read_record(t, i));
  return out;
}

std::size_t postgres_store::conversation_count() {
  impl::access a(*impl_);
  const auto r = impl_->read(*a, q::count_conversations, pg::params{});
  const pg::rows t(r.get(), impl_->where);
  return t.size() == 0 ? 0 : static_cast<std::size_t>(t.integer(0, 0));
}

void postgres_store::keep_content(const message& m) {
  if (!impl_->options.keep_content) return;
  const bool outbound = m.direction == direction::outbound;
  pg::params p;
  p.add(outbound ? m.correlation_id : m.id).add(to_json(m));
  impl::access a(*impl_);
  impl_->write(*a, outbound ? q::keep_outbound : q::keep_inbound, std::move(p));
}

std::vector<transcript_entry> postgres_store::transcript(const conversation_key& key, std::size_t last) {
  impl::access a(*impl_);
  pg::params p;
  p.add(key.business_number_id).add(key.customer.digits());
  if (last != 0) p.add(static_cast<std::int64_t>(std::min<std::size_t>(last, INT64_MAX)));
  const auto r = impl_->read(*a, last == 0 ? q::transcript_all : q::transcript_last, p);
  const pg::rows t(r.get(), impl_->where);
  std::vector<transcript_entry> out;
  out.reserve(static_cast<std::size_t>(t.size()));
  for (int i = 0; i < t.size(); ++i) {
    transcript_entry e{impl_->read_record(t, i), std::nullopt};
    if (!t.is_null(i, 15)) e.message = detail::stored::content_of(t.text(i, 15), e.record, impl_->where);
    out.push_back(std::move(e));
  }
  return out;
}

std::size_t postgres_store::purge(timestamp content_before, timestamp records_before) {
  impl::access a(*impl_);
  impl_->exec(*a, "BEGIN", "starting a purge");
  try {
    pg::params old_content;
    old_content.add(ms(content_before));
    pg::params records;
    records.add(ms(records_before));
    (void)impl_->run(*a, q::purge_content, old_content);
    // Journal entries kept in the rows that go move to the journal's table first.
    const auto moving = impl_->kept_entries(impl_->run(*a, q::purged_entries, records));
    constexpr std::size_t per_trip = 256;
    for (std::size_t i = 0; i < moving.size(); i += per_trip) {
      std::vector<impl::pending> inserts;
      for (std::size_t j = i; j < std::min(moving.size(), i + per_trip); ++j) {
        pg::params p;
        p.add(static_cast<std::int64_t>(moving[j].seq)).add(ms(moving[j].at)).add(moving[j].data);
        inserts.push_back({static_cast<int>(q::move_entry), std::move(p)});
      }
      (void)impl_->pipeline(*a, inserts);
    }
    const auto forgotten = impl::changed(impl_->run(*a, q::purge_messages, records));
    (void)impl_->run(*a, q::purge_reached, records);
    impl_->exec(*a, "COMMIT", "committing a purge");
    return forgotten;
  } catch (...) {
    if (PQstatus((*a).get()) == CONNECTION_OK) pg::result r(PQexec((*a).get(), "ROLLBACK"));
    throw;
  }
}

void postgres_store::save_business(const business& b) {
  pg::params p;
  p.add(b.id).add(to_json(b));
  impl::access a(*impl_);
  impl_->write(*a, q::save_business, std::move(p));
}

std::vector<business> postgres_store::load_businesses() {
  impl::access a(*impl_);
  const auto r = impl_->read(*a, q::load_businesses, pg::params{});
  const pg::rows t(r.get(), impl_->where);
  std::vector<business> out;
  out.reserve(static_cast<std::size_t>(t.size()));
  for (int i = 0; i < t.size(); ++i)
    out.push_back(detail::stored::business_of(t.text(i, 1), t.text(i, 0), impl_->where));
  return out;
}

std::optional<std::string> postgres_store::load_record(std::string_view kind, std::string_view key) {
  pg::params p;
  p.add(kind).add(key);
  impl::access a(*impl_);
  const auto r = impl_->read(*a, q::load_record, p);
  const pg::rows t(r.get(), impl_->where);
  if (t.size() == 0) return std::nullopt;
  return std::string(t.text(0, 0));
}

void postgres_store::save_record(std::string_view kind, std::string_view key, std::string_view value) {
  pg::params p;
  p.add(kind).add(key).add(value);
  impl::access a(*impl_);
  impl_->write(*a, q::save_record, std::move(p));
}

void postgres_store::erase_record(std::string_view kind, std::string_view key) {
  pg::params p;
  p.add(kind).add(key);
  impl::access a(*impl_);
  impl_->write(*a, q::erase_record, std::move(p));
}

void postgres_store::scan_records(std::string_view kind, std::string_view prefix,
                                  const std::function<bool(std::string_view, std::string_view)>& each) {
  pg::params p;
  p.add(kind).add(prefix).add(detail::stored::prefix_end(prefix));
  std::vector<std::pair<std::string, std::string>> found;  // read under the connection, handed out without it
  {
    impl::access a(*impl_);
    const auto r = impl_->read(*a, q::scan_records, p);
    const pg::rows t(r.get(), impl_->where);
    found.reserve(static_cast<std::size_t>(t.size()));
    for (int i = 0; i < t.size(); ++i)
      found.emplace_back(std::string(t.text(i, 0)), std::string(t.text(i, 1)));
  }
  for (const auto& [key, value] : found)
    if (!each(key, value)) return;
}

std::vector<window_closing> postgres_store::service_windows_closing(timestamp after, timestamp until) {
  impl::access a(*impl_);
  pg::params p;
  // A window closes 24 hours after the customer's last message.
  p.add(ms(after - service_window_length)).add(ms(until - service_window_length));
  const auto r = impl_->read(*a, q::windows_closing, p);
  const pg::rows t(r.get(), impl_->where);
  std::vector<window_closing> out;
  out.reserve(static_cast<std::size_t>(t.size()));
  for (int i = 0; i < t.size(); ++i)
    out.push_back({{std::string(t.text(i, 0)), impl_->customer_of(t.text(i, 1))},
                   at_ms(t.integer(i, 2)) + service_window_length});
  return out;
}

std::optional<timestamp> postgres_store::load_mark(std::string_view name) {
  impl::access a(*impl_);
  pg::params p;
  p.add(name);
  const auto r = impl_->read(*a, q::load_mark, p);
  const pg::rows t(r.get(), impl_->where);
  if (t.size() == 0) return std::nullopt;
  return at_ms(t.integer(0, 0));
}

void postgres_store::save_mark(std::string_view name, timestamp at) {
  impl::access a(*impl_);
  pg::params p;
  p.add(name).add(ms(at));
  impl_->write(*a, q::save_mark, std::move(p));
}

bool postgres_store::keeps_journal() const {
  return impl_->options.keep_journal;
}

void postgres_store::append_journal(timestamp at, std::string_view data) {
  if (!impl_->options.keep_journal) return;
  impl::access a(*impl_);
  pg::params p;
  p.add(ms(at)).add(data);
  impl_->write(*a, q::append_journal, std::move(p));
}

void postgres_store::read_journal(timestamp since, const std::function<bool(const journal_entry&)>& each) {
  // Streamed a row at a time (libpq's single-row mode), so a month of entries
  // never sits in memory at once. The connection stays busy meanwhile: a
  // store call `each` makes takes another one from the pool.
  impl::access a(*impl_);
  auto& c = *a;
  if (!c.waiting.empty()) (void)impl_->pipeline(c, std::vector<impl::pending>{});  // the step's writes first
  auto* conn = c.get();
  pg::params p;
  p.add(ms(since));
  const auto& name = statement_name(static_cast<std::size_t>(q::read_journal));
  if (PQsendQueryPrepared(conn, name.c_str(), p.size(), p.values(), nullptr, nullptr, 0) != 1 ||
      PQsetSingleRowMode(conn) != 1)
    detail::throw_error(pg::to_error(conn, nullptr, "reading the journal", impl_->where));
  std::optional<error> failure;
  std::exception_ptr thrown;
  bool stopped = false;
  const auto stop = [&] {
    stopped = true;
    if (c.in_step) return;  // a cancelled statement would end the step: the rest is read and dropped
    if (PGcancel* cancel = PQgetCancel(conn)) {
      std::array<char, 256> why{};
      (void)PQcancel(cancel, why.data(), static_cast<int>(why.size()));
      PQfreeCancel(cancel);
    }
  };
  while (PGresult* raw = PQgetResult(conn)) {
    const pg::result r(raw);
    const auto st = PQresultStatus(raw);
    if (st == PGRES_TUPLES_OK) continue;  // the end
    if (st != PGRES_SINGLE_TUPLE) {
      if (!stopped && !failure) failure = pg::to_error(conn, raw, "reading the journal", impl_->where);
      continue;
    }
    if (stopped || failure) continue;
    try {
      const pg::rows t(raw, impl_->where);
      journal_entry e{static_cast<std::uint64_t>(t.integer(0, 0)), at_ms(t.integer(0, 1)), {}};
      if (!t.is_null(0, 2)) {
        e.data = std::string(t.text(0, 2));
      } else {
        message_record row;
        row.id = std::string(t.text(0, 4));
        row.correlation_id = std::string(t.text(0, 5));
        row.key.business_number_id = std::string(t.text(0, 6));
        row.key.customer = impl_->customer_of(t.text(0, 7));
        row.direction = static_cast<direction>(t.integer(0, 8));
        row.type = std::string(t.text(0, 9));
        if (!t.is_null(0, 10)) row.category = static_cast<template_category>(t.integer(0, 10));
        row.charge = static_cast<charge_reason>(t.integer(0, 11));
        row.at = at_ms(t.integer(0, 12));
        const auto event = t.text(0, 3);
        auto data = detail::kept_journal::entry_of(row, event);
        // One it cannot read is handed on as it is: the desk refuses it by its number.
        e.data = data ? std::move(*data) : "?" + std::string(event);
      }
      if (!each(e)) stop();
    } catch (...) {
      thrown = std::current_exception();
      stop();
    }
  }
  if (thrown) std::rethrow_exception(thrown);
  if (failure) detail::throw_error(*failure);
}

void postgres_store::trim_journal(timestamp before) {
  impl::access a(*impl_);
  for (const auto which : {q::trim_journal, q::trim_kept_entries, q::mark_trimmed}) {
    pg::params p;
    p.add(ms(before));
    impl_->write(*a, which, std::move(p));
  }
}

std::size_t postgres_store::connections() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->open;
}

const std::string& postgres_store::schema() const noexcept {
  return impl_->options.schema;
}

}  // namespace chatdesk
