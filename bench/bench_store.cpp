// Benchmarks of the stores under a desk:
// - desk steps per second, one conversation being an inbound message, a
//   reply (recorded, then answered) and three statuses: 5 desk calls;
//   memory, SQLite `normal`, SQLite `full`;
// - beside SQLite, a bare loop running the same SQL statements straight
//   through the driver, one transaction per step as the desk does: chatdesk's
//   overhead is the ratio of the two (target: at most 1.3x);
// - database bytes per conversation (state, ids and the desk's journal; no
//   transcript);
// - PostgreSQL with 1 and with 4 connections (as many threads), when
//   $CHATDESK_BENCH_POSTGRES names a server;
// - replaying the journal of those conversations after a restart (what an
//   application does to rebuild its pricing ledger): entries a second and
//   the memory the replay holds, for SQLite and PostgreSQL.
//
// Conversations per run: 100,000 (`full`: 2,000, as each commit waits for the
// disk). Run with --conversations=N to change it (1,000,000 for the size figure).
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#if defined(CHATDESK_WITH_POSTGRES)
#include <libpq-fe.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/store/sqlite_store.hpp"
#if defined(CHATDESK_WITH_POSTGRES)
#include "chatdesk/store/postgres_store.hpp"
#include "store/postgres_statements.hpp"
#endif

namespace {

using namespace chatdesk;

std::int64_t g_conversations = 100'000;

business bench_business() {
  business b;
  b.id = "shop";
  b.numbers.push_back({"n1", phone_number::parse("+390551234567").value(), 1000});
  b.tier = messaging_tier::unlimited;
  return b;
}

std::string scratch_file(const char* name) {
  const auto path = std::filesystem::temp_directory_path() / fmt::format("chatdesk-bench-{}.db", name);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

std::uintmax_t file_bytes(const std::string& path) {
  std::uintmax_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += n;
  }
  return total;
}

/// Runs `conversations` conversations through a desk over `st`; returns false
/// on any failure. With `state`, the time and the calls a second are its figures.
bool run_conversations(store& st, std::int64_t conversations, benchmark::State* state) {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  function_transport wire([](const outbound_message& m) {
    return transport_answer::accepted("wamid.out." + m.message.correlation_id);
  });
  desk_options options;
  options.correlation_prefix = "c";
  desk d(clock, st, &wire, options);
  d.add_business(bench_business()).value();
  std::vector<phone_number> customers;
  customers.reserve(static_cast<std::size_t>(conversations));
  for (std::int64_t i = 0; i < conversations; ++i)
    customers.push_back(phone_number::parse(fmt::format("+3934{:08}", i)).value());
  using clock_type = std::chrono::steady_clock;
  clock_type::duration receiving{}, sending{}, statuses{};
  const auto start = clock_type::now();
  for (std::int64_t i = 0; i < conversations; ++i) {
    const auto& who = customers[static_cast<std::size_t>(i)];
    clock.advance(std::chrono::milliseconds(2));
    message in{direction::inbound, fmt::format("wamid.in.{}", i), {}, "n1", who,
               clock.now(),        text_content{"hello"},         {}, {}};
    const auto t0 = clock_type::now();
    if (!d.receive(in)) return false;
    const auto t1 = clock_type::now();
    auto sent = d.send({"shop", "n1", who, text_content{"hi"}, ""});
    if (!sent || !sent->decision.allowed) return false;
    const auto t2 = clock_type::now();
    for (const auto s : {message_status::sent, message_status::delivered, message_status::read}) {
      status_update u;
      u.message_id = sent->message_id;
      u.status = s;
      u.at = clock.now();
      u.customer = who;  // as webhook statuses carry them
      u.business_number_id = "n1";
      if (!d.apply_status(u)) return false;
    }
    const auto t3 = clock_type::now();
    receiving += t1 - t0;
    sending += t2 - t1;
    statuses += t3 - t2;
  }
  if (state == nullptr) return true;
  const std::chrono::duration<double> took = clock_type::now() - start;
  state->SetIterationTime(took.count());
  const auto per_second = [](clock_type::duration spent, double calls) {
    return calls / std::chrono::duration<double>(spent).count();
  };
  const auto n = static_cast<double>(conversations);
  state->counters["receive/s"] = per_second(receiving, n);
  state->counters["send/s"] = per_second(sending, n);
  state->counters["status/s"] = per_second(statuses, 3 * n);
  // The step: an inbound message or a status (the sends that make statuses possible not counted).
  state->counters["inbound+status/s"] = per_second(receiving + statuses, 4 * n);
  return true;
}

void report(benchmark::State& state, std::int64_t conversations) {
  state.SetItemsProcessed(state.iterations() * conversations * 5);
  state.counters["conversations"] = static_cast<double>(conversations);
}

void bm_desk_memory(benchmark::State& state) {
  const auto n = g_conversations;
  for (auto _ : state) {
    memory_store st(memory_store_options{false});
    if (!run_conversations(st, n, &state)) state.SkipWithError("a desk call failed");
  }
  report(state, n);
}

/// SQLite: Args {durability, single_process, journal, batch_log_writes}.
void bm_desk_sqlite(benchmark::State& state) {
  const auto durability = static_cast<sqlite_durability>(state.range(0));
  const bool single = state.range(1) != 0;
  const bool journal = state.range(2) != 0;
  const bool batch = state.range(3) != 0;
  const auto n =
      durability == sqlite_durability::full ? std::min<std::int64_t>(g_conversations, 2000) : g_conversations;
  for (auto _ : state) {
    const auto path = scratch_file(durability == sqlite_durability::full ? "full" : "normal");
    sqlite_store_options options;
    options.durability = durability;
    options.keep_content = false;  // state, ids and the journal: no transcript
    options.single_process = single;
    options.keep_journal = journal;
    options.batch_log_writes = batch;
    auto st = sqlite_store::open(path, options).value();
    if (!run_conversations(*st, n, &state)) state.SkipWithError("a desk call failed");
    st.reset();  // closing copies the log into the file and removes it
    state.counters["bytes_per_conversation"] = static_cast<double>(file_bytes(path)) / static_cast<double>(n);
  }
  report(state, n);
}

#if defined(CHATDESK_WITH_POSTGRES)
/// The server of the PostgreSQL benchmarks ($CHATDESK_BENCH_POSTGRES); without
/// one, the benchmark is skipped with a word on what to set.
const char* postgres_server(benchmark::State& state) {
  const char* server = std::getenv("CHATDESK_BENCH_POSTGRES");
  if (server == nullptr) {
    state.SkipWithError("set CHATDESK_BENCH_POSTGRES to a libpq connection string");
    for (auto _ : state) {
    }
  }
  return server;
}

/// Drops a schema an earlier run left, so each run starts empty.
void drop_schema(const char* server, const std::string& schema) {
  PGconn* c = PQconnectdb(server);
  PQclear(PQexec(
      c, fmt::format("SET client_min_messages = warning; DROP SCHEMA IF EXISTS {} CASCADE", schema).c_str()));
  PQfinish(c);
}

/// PostgreSQL: conversations through one desk from `threads` threads, each
/// with connections of its own (pool_size = threads), as a server would run
/// them. The server: $CHATDESK_BENCH_POSTGRES, a libpq connection string (see
/// docs/store.md: scripts/pg-cluster.sh starts a throwaway one).
void bm_desk_postgres(benchmark::State& state) {
  const char* server = postgres_server(state);
  if (server == nullptr) return;
  const auto threads = static_cast<int>(state.range(0));
  const bool journal = state.range(1) != 0;
  const auto n = g_conversations;
  for (auto _ : state) {
    postgres_store_options options;
    options.schema = fmt::format("bench_{}_{}_{}", ::getpid(), threads, journal ? 1 : 0);
    options.pool_size = static_cast<std::size_t>(threads);
    options.keep_content = false;
    options.keep_journal = journal;
    drop_schema(server, options.schema);  // a fresh one
    auto st = postgres_store::open(server, options).value();
    manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
    function_transport wire([](const outbound_message& m) {
      return transport_answer::accepted("wamid.out." + m.message.correlation_id);
    });
    desk_options desk_opts;
    desk_opts.correlation_prefix = "c";
    desk d(clock, *st, &wire, desk_opts);
    d.add_business(bench_business()).value();
    std::atomic<bool> failed{false};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (std::int64_t i = t; i < n && !failed; i += threads) {
          const auto who = phone_number::parse(fmt::format("+3934{:08}", i)).value();
          clock.advance(std::chrono::milliseconds(2));  // within the number's throughput
          message in{direction::inbound, fmt::format("wamid.in.{}", i), {}, "n1", who,
                     clock.now(),        text_content{"hello"},         {}, {}};
          const auto fail = [&](const std::string& why) {
            if (!failed.exchange(true)) std::fprintf(stderr, "bm_desk_postgres: %s\n", why.c_str());
          };
          if (auto r = d.receive(in); !r) fail(r.error().to_string());
          auto sent = d.send({"shop", "n1", who, text_content{"hi"}, ""});
          if (!sent || !sent->decision.allowed) {
            fail(sent ? sent->decision.refusal.value_or(error{}).to_string() : sent.error().to_string());
            continue;
          }
          for (const auto s : {message_status::sent, message_status::delivered, message_status::read}) {
            status_update u;
            u.message_id = sent->message_id;
            u.status = s;
            u.at = clock.now();
            u.customer = who;
            u.business_number_id = "n1";
            if (auto r = d.apply_status(u); !r) fail(r.error().to_string());
          }
        }
      });
    for (auto& t : pool) t.join();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
    if (failed) state.SkipWithError("a desk call failed");
    state.counters["calls/s"] = static_cast<double>(5 * n) / took.count();
    state.counters["threads"] = threads;
    state.counters["journal"] = journal ? 1 : 0;
    PGconn* c = PQconnectdb(server);
    PGresult* r = PQexec(c, fmt::format("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN "
                                        "pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = '{}' "
                                        "AND c.relkind = 'r'",
                                        options.schema)
                                .c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
      state.counters["bytes_per_conversation"] = std::stod(PQgetvalue(r, 0, 0)) / static_cast<double>(n);
    PQclear(r);
    PQfinish(c);
  }
  report(state, n);
}

/// The statements a desk over postgres_store runs for one conversation (the
/// store's own SQL, src/store/postgres_statements.hpp, with the values the desk
/// binds), straight through libpq from `threads` threads, grouped into round
/// trips as the store groups them: BEGIN and the locks with the step's first
/// read; each read with the writes waiting before it; the last writes with COMMIT.
void bm_bare_postgres(benchmark::State& state) {
  using detail::postgres::q;
  const char* server = postgres_server(state);
  if (server == nullptr) return;
  const auto threads = static_cast<int>(state.range(0));
  const auto n = g_conversations;
  using value = std::optional<std::string>;
  constexpr int begin = -1;
  constexpr int commit = -2;
  struct statement {
    int which;  // a statement's number, or begin / commit
    std::vector<value> values;
  };
  const auto st = [](q which, std::vector<value> values) {
    return statement{static_cast<int>(which), std::move(values)};
  };
  // One round trip: every statement sent, then every answer read.
  const auto trip = [](PGconn* c, const std::vector<statement>& batch) {
    if (PQenterPipelineMode(c) != 1) return false;
    for (const auto& s : batch) {
      std::vector<const char*> v;
      v.reserve(s.values.size());
      for (const auto& x : s.values) v.push_back(x ? x->c_str() : nullptr);
      const int ok = s.which < 0
                         ? PQsendQueryParams(c, s.which == begin ? "BEGIN" : "COMMIT", 0, nullptr, nullptr,
                                             nullptr, nullptr, 0)
                         : PQsendQueryPrepared(c, fmt::format("b{}", s.which).c_str(),
                                               static_cast<int>(v.size()), v.data(), nullptr, nullptr, 0);
      if (ok != 1) return false;
    }
    if (PQpipelineSync(c) != 1) return false;
    bool good = true;
    for (bool ended = false;;) {
      PGresult* r = PQgetResult(c);
      if (r == nullptr) {
        if (ended) break;
        ended = true;
        continue;
      }
      ended = false;
      const auto status = PQresultStatus(r);
      PQclear(r);
      if (status == PGRES_PIPELINE_SYNC) break;
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) good = false;
    }
    PQexitPipelineMode(c);
    return good;
  };
  for (auto _ : state) {
    const auto schema = fmt::format("bench_bare_{}_{}", ::getpid(), threads);
    {
      drop_schema(server, schema);
      postgres_store_options o;
      o.schema = schema;
      (void)postgres_store::open(server, o).value();  // chatdesk's schema
    }
    std::atomic<bool> failed{false};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        PGconn* c = PQconnectdb(server);
        PQclear(PQexec(c, fmt::format("SET search_path TO {}", schema).c_str()));
        for (std::size_t i = 0; i < std::size(detail::postgres::statements); ++i)
          PQclear(PQprepare(c, fmt::format("b{}", i).c_str(), detail::postgres::statements[i], 0, nullptr));
        const value null;
        const value never = std::to_string(std::numeric_limits<std::int64_t>::min());
        for (std::int64_t i = t; i < n && !failed; i += threads) {
          const std::string who = fmt::format("3934{:08}", i);
          const std::int64_t ms = 1'772'442'000'000 + 2 * i;
          const auto at = std::to_string(ms);
          const auto day_ago = std::to_string(ms - 86'400'000);
          const auto in = fmt::format("wamid.in.{}", i);
          const auto corr = fmt::format("c{}", i);
          const auto out = "wamid.out." + corr;
          const auto tat = std::to_string(ms * 1000 + 6000);
          // The desk's journal entries as the store keeps them in the messages'
          // rows (CHATDESK_KEPT_ENTRIES in src/store/postgres_statements.hpp).
          const std::string received = ",R,0";
          const auto status_entry = [](int from) { return fmt::format(",S,{},{},0,-,1", from, from + 1); };
          const std::vector<std::vector<statement>> steps = {
              // receive
              {{begin, {}},
               st(q::lock_conversation, {"shop", who}),
               st(q::add_message_journaled, {in, null, "n1", who, "0", "text", null, "10", "0", at, "0", null,
                                             null, null, null, received}),
               st(q::load_conversation, {"n1", who}),
               st(q::load_customer, {"shop", who})},  // add_for_receive: one round trip
              {st(q::save_conversation, {"n1", who, at, never, never, never, "0", "1", "0"}),
               st(q::save_customer, {"shop", who, null, "", null, "f", ""}),
               {commit, {}}},
              // send
              {{begin, {}},
               st(q::lock_business, {"shop", who}),
               st(q::load_conversation, {"n1", who}),
               st(q::load_customer, {"shop", who}),
               st(q::load_number, {"n1"}),
               st(q::count_reached, {"shop", day_ago}),
               st(q::reached_at, {"shop", who})},  // load_for_send: one round trip
              {st(q::add_message,
                  {null, corr, "n1", who, "1", "text", null, "10", "0", at, at, null, null, null, null})},
              {st(q::save_conversation, {"n1", who, at, never, never, at, tat, "1", "1"}),
               st(q::save_number, {"n1", tat, "0", "0"}),
               {commit, {}}},
              // the transport's answer
              {{begin, {}},
               st(q::lock_conversation, {"shop", who}),
               st(q::find_message, {corr}),
               st(q::find_message, {out})},  // find_messages: one round trip
              {st(q::update_by_correlation, {corr, "0", at, null, null, null, null, out}), {commit, {}}},
              // three statuses
              {{begin, {}}, st(q::lock_conversation, {"shop", who}), st(q::find_message, {out})},
              {st(q::update_by_correlation_journaled,
                  {corr, "1", at, null, null, null, null, out, status_entry(0)}),
               {commit, {}}},
              {{begin, {}}, st(q::lock_conversation, {"shop", who}), st(q::find_message, {out})},
              {st(q::update_by_correlation_journaled,
                  {corr, "2", at, null, null, null, null, out, status_entry(1)}),
               {commit, {}}},
              {{begin, {}}, st(q::lock_conversation, {"shop", who}), st(q::find_message, {out})},
              {st(q::update_by_correlation_journaled,
                  {corr, "3", at, null, null, null, null, out, status_entry(2)}),
               {commit, {}}},
          };
          for (const auto& batch : steps)
            if (!trip(c, batch)) {
              if (!failed.exchange(true)) std::fprintf(stderr, "bm_bare_postgres: %s", PQerrorMessage(c));
              break;
            }
        }
        PQfinish(c);
      });
    for (auto& t : pool) t.join();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
    if (failed) state.SkipWithError("a statement failed");
    state.counters["calls/s"] = static_cast<double>(5 * n) / took.count();
    state.counters["threads"] = threads;
  }
  report(state, n);
}
#endif

// ---------------------------------------------------------------- the bare loop

/// The statements the desk's steps run, straight through SQLite's C API.
struct bare {
  sqlite3* db = nullptr;
  std::vector<sqlite3_stmt*> all;
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) std::abort();
    all.push_back(s);
    return s;
  }
  ~bare() {
    for (auto* s : all) sqlite3_finalize(s);
    sqlite3_close(db);
  }
};

void run(sqlite3_stmt* s) {
  while (sqlite3_step(s) == SQLITE_ROW) {
  }
  sqlite3_reset(s);
}

/// The same statements straight through the C API: Args {durability,
/// single_process, journal, batch_log_writes}, with the store's other
/// settings (batching: the VFS the store registers, "chatdesk").
void bm_bare_sqlite(benchmark::State& state) {
  const auto durability = static_cast<sqlite_durability>(state.range(0));
  const bool single = state.range(1) != 0;
  const bool journal = state.range(2) != 0;
  const bool batch = state.range(3) != 0;
  const auto n =
      durability == sqlite_durability::full ? std::min<std::int64_t>(g_conversations, 2000) : g_conversations;
  for (auto _ : state) {
    // The schema is chatdesk's own: open it once through the store.
    const auto path = scratch_file("bare");
    { (void)sqlite_store::open(path).value(); }
    bare b;
    sqlite3_open_v2(path.c_str(), &b.db, SQLITE_OPEN_READWRITE, batch ? "chatdesk" : nullptr);
    if (single) sqlite3_exec(b.db, "PRAGMA locking_mode=EXCLUSIVE", nullptr, nullptr, nullptr);
    sqlite3_exec(b.db, "PRAGMA wal_autocheckpoint=10000", nullptr, nullptr, nullptr);
    sqlite3_exec(
        b.db, durability == sqlite_durability::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
        nullptr, nullptr, nullptr);
    if (const char* extra = std::getenv("BARE_PRAGMA")) sqlite3_exec(b.db, extra, nullptr, nullptr, nullptr);
    auto* begin = b.prepare("BEGIN IMMEDIATE");
    auto* commit = b.prepare("COMMIT");
    auto* load_conv = b.prepare(
        "SELECT last_inbound, last_referral, entry_point_start, last_outbound, pair_rate_tat_us, "
        "inbound_count, "
        "outbound_count FROM conversations WHERE number_id = ?1 AND customer = ?2");
    auto* save_conv = b.prepare(
        "INSERT INTO conversations VALUES (?1, ?2, ?3, 0, 0, 0, 0, 1, 1) ON CONFLICT (number_id, customer) "
        "DO "
        "UPDATE SET last_inbound = excluded.last_inbound, outbound_count = excluded.outbound_count");
    auto* load_cust = b.prepare(
        "SELECT opted_in_at, opt_in_source, opted_out_at, blocked, profile_name FROM customers WHERE "
        "business_id = "
        "?1 AND customer = ?2");
    auto* save_cust = b.prepare(
        "INSERT INTO customers VALUES (?1, ?2, NULL, '', NULL, 0, '') ON CONFLICT (business_id, customer) DO "
        "UPDATE SET blocked = excluded.blocked");
    auto* load_num = b.prepare(
        "SELECT throughput_tat_us, service_month, service_messages FROM numbers WHERE "
        "number_id = ?1");
    auto* save_num = b.prepare(
        "INSERT INTO numbers VALUES (?1, 1, 1, 1) ON CONFLICT (number_id) DO UPDATE SET throughput_tat_us = "
        "excluded.throughput_tat_us");
    auto* count_reached = b.prepare("SELECT count(*) FROM reached WHERE business_id = ?1 AND at >= ?2");
    auto* reached_at = b.prepare("SELECT at FROM reached WHERE business_id = ?1 AND customer = ?2");
    auto* add_msg = b.prepare(
        "INSERT INTO messages (id, correlation_id, number_id, customer, direction, type, category, charge, "
        "status, "
        "at, status_at) VALUES (?1, ?2, 'n1', ?3, 0, 'text', NULL, 0, 0, 0, 0) ON CONFLICT DO NOTHING");
    auto* by_id = b.prepare("SELECT * FROM messages WHERE id = ?1 AND id IS NOT NULL");
    auto* by_corr =
        b.prepare("SELECT * FROM messages WHERE correlation_id = ?1 AND correlation_id IS NOT NULL");
    auto* update = b.prepare(
        "UPDATE messages SET status = ?2, status_at = 0, error_code = NULL, error_title = NULL, "
        "error_details = NULL, "
        "error_message = NULL WHERE correlation_id = ?3 AND correlation_id IS NOT NULL");
    auto* name = b.prepare(
        "UPDATE messages SET id = ?1 WHERE correlation_id = ?2 AND correlation_id IS NOT NULL AND id IS "
        "NULL");
    auto* log = b.prepare("INSERT INTO journal (at, data) VALUES (?1, ?2)");
    const auto text = [](sqlite3_stmt* s, int i, const std::string& v) {
      sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    };
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < n; ++i) {
      const auto who = fmt::format("3934{:08}", i);
      const auto in_id = fmt::format("wamid.in.{}", i);
      const auto corr = fmt::format("c{}", i);
      const auto out_id = "wamid.out." + corr;
      // receive: the message, the conversation, the customer
      run(begin);
      text(load_conv, 1, "n1"), text(load_conv, 2, who), run(load_conv);
      text(add_msg, 1, in_id), sqlite3_bind_null(add_msg, 2), text(add_msg, 3, who), run(add_msg);
      text(save_conv, 1, "n1"), text(save_conv, 2, who), sqlite3_bind_int64(save_conv, 3, i), run(save_conv);
      text(load_cust, 1, "shop"), text(load_cust, 2, who), run(load_cust);
      text(save_cust, 1, "shop"), text(save_cust, 2, who), run(save_cust);
      if (journal) {
        sqlite3_bind_int64(log, 1, i);
        text(log, 2,
             fmt::format("R\x1f{}\x1fn1\x1f{}\x1ftext\x1f"
                         "0",
                         in_id, who));
        run(log);
      }
      run(commit);
      // send: the rules' reads, the record, the conversation and the number
      run(begin);
      text(load_conv, 1, "n1"), text(load_conv, 2, who), run(load_conv);
      text(load_cust, 1, "shop"), text(load_cust, 2, who), run(load_cust);
      text(load_num, 1, "n1"), run(load_num);
      text(count_reached, 1, "shop"), sqlite3_bind_int64(count_reached, 2, i), run(count_reached);
      text(reached_at, 1, "shop"), text(reached_at, 2, who), run(reached_at);
      sqlite3_bind_null(add_msg, 1), text(add_msg, 2, corr), text(add_msg, 3, who), run(add_msg);
      text(save_conv, 1, "n1"), text(save_conv, 2, who), sqlite3_bind_int64(save_conv, 3, i), run(save_conv);
      text(save_num, 1, "n1"), run(save_num);
      run(commit);
      // the transport's answer
      run(begin);
      text(by_corr, 1, corr), run(by_corr);
      text(by_id, 1, out_id), run(by_id);
      sqlite3_bind_int64(update, 2, 1), text(update, 3, corr), run(update);
      text(name, 1, out_id), text(name, 2, corr), run(name);
      run(commit);
      // three statuses
      for (int s = 2; s <= 4; ++s) {
        run(begin);
        text(by_id, 1, out_id), run(by_id);
        sqlite3_bind_int64(update, 2, s), text(update, 3, corr), run(update);
        text(name, 1, out_id), text(name, 2, corr), run(name);
        if (journal) {
          sqlite3_bind_int64(log, 1, i);
          text(log, 2,
               fmt::format("S\x1f{}\x1f{}\x1f{}\x1f{}\x1fn1\x1f{}\x1f"
                           "text\x1f-\x1f"
                           "0\x1f"
                           "0\x1f-",
                           s - 1, s, out_id, corr, who));
          run(log);
        }
        run(commit);
      }
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
  }
  report(state, n);
}

/// The process's resident memory now, in bytes (Linux: /proc/self/statm).
std::int64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long total = 0;
  long resident = 0;
  const int read = std::fscanf(f, "%ld %ld", &total, &resident);
  std::fclose(f);
  return read == 2 ? static_cast<std::int64_t>(resident) * ::sysconf(_SC_PAGESIZE) : 0;
}

/// Counts what a replay hands on and samples the memory it holds meanwhile.
struct replay_counter final : observer {
  std::int64_t received = 0;
  std::int64_t changed = 0;
  std::int64_t start_rss = resident_bytes();
  std::int64_t peak_rss = start_rss;
  void sample() {
    if ((received + changed) % 4096 == 0) peak_rss = std::max(peak_rss, resident_bytes());
  }
  void message_received(const message& m) override {
    (void)m;
    ++received;
    sample();
  }
  void status_changed(const message_record& record, message_status from) override {
    (void)record;
    (void)from;
    ++changed;
    sample();
  }
};

/// Replays the journal a desk wrote in `st` (what a restarted application
/// does to rebuild its pricing ledger): entries a second and the memory the
/// replay held above what the process held before it.
void replay(store& st, std::int64_t conversations, benchmark::State& state) {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  desk d(clock, st, nullptr);
  replay_counter counted;
  const auto start = std::chrono::steady_clock::now();
  const auto replayed = d.replay_journal(counted);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  state.SetIterationTime(took.count());
  if (!replayed) {
    state.SkipWithError(replayed.error().to_string().c_str());
    return;
  }
  const auto entries = static_cast<double>(*replayed);
  state.counters["entries"] = entries;
  state.counters["entries/s"] = entries / took.count();
  state.counters["held_MiB"] = static_cast<double>(counted.peak_rss - counted.start_rss) / (1024.0 * 1024.0);
  state.counters["conversations"] = static_cast<double>(conversations);
  state.SetItemsProcessed(static_cast<std::int64_t>(entries));
}

/// SQLite: a desk's journal of `--conversations` conversations (4 entries
/// each), replayed. The store is filled first, untimed.
void bm_replay_sqlite(benchmark::State& state) {
  const auto n = g_conversations;
  for (auto _ : state) {
    const auto path = scratch_file("replay");
    sqlite_store_options options;
    options.keep_content = false;
    options.single_process = true;  // the fill as fast as it goes; the replay reads as ever
    {
      auto st = sqlite_store::open(path, options).value();
      if (!run_conversations(*st, n, nullptr)) state.SkipWithError("a desk call failed");
    }
    auto st = sqlite_store::open(path, options).value();  // a restart: nothing in SQLite's cache
    replay(*st, n, state);
  }
}

#if defined(CHATDESK_WITH_POSTGRES)
/// PostgreSQL: the same, the store filled through one connection first.
void bm_replay_postgres(benchmark::State& state) {
  const char* server = postgres_server(state);
  if (server == nullptr) return;
  const auto n = g_conversations;
  for (auto _ : state) {
    postgres_store_options options;
    options.schema = fmt::format("bench_replay_{}", ::getpid());
    options.keep_content = false;
    drop_schema(server, options.schema);
    {
      auto st = postgres_store::open(server, options).value();
      if (!run_conversations(*st, n, nullptr)) state.SkipWithError("a desk call failed");
    }
    auto st = postgres_store::open(server, options).value();
    replay(*st, n, state);
  }
}
#endif

}  // namespace

BENCHMARK(bm_desk_memory)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
constexpr int normal = static_cast<int>(sqlite_durability::normal);
constexpr int full = static_cast<int>(sqlite_durability::full);
BENCHMARK(bm_desk_sqlite)
    ->Args({normal, 0, 1, 1})
    ->Args({normal, 0, 1, 0})
    ->Args({normal, 1, 1, 1})
    ->Args({normal, 1, 0, 1})
    ->Args({full, 0, 1, 1})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(bm_replay_sqlite)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_bare_sqlite)
    ->Args({normal, 0, 1, 1})
    ->Args({normal, 0, 1, 0})
    ->Args({normal, 1, 1, 1})
    ->Args({normal, 1, 0, 1})
    ->Args({full, 0, 1, 1})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

#if defined(CHATDESK_WITH_POSTGRES)
// Arguments: connections (as many threads), and whether the journal is kept.
BENCHMARK(bm_desk_postgres)
    ->Args({1, 1})
    ->Args({4, 1})
    ->Args({1, 0})
    ->Args({4, 0})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(bm_bare_postgres)->Arg(1)->Arg(4)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_replay_postgres)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
#endif

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--conversations=", 16) == 0) {
      g_conversations = std::stoll(argv[i] + 16);
      continue;
    }
    rest.push_back(argv[i]);
  }
  int count = static_cast<int>(rest.size());
  benchmark::Initialize(&count, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
