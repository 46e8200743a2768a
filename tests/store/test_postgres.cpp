// The PostgreSQL store's own behaviour, against a real server: what it
// refuses, how steps of several instances take turns, and what a lost
// connection or a crashed server does to a step (the conformance checks it
// shares with the other stores are in test_stores.cpp).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <libpq-fe.h>

#include <fmt/format.h>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/store/postgres_store.hpp"
#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"
#include "store/postgres_statements.hpp"
#include "store/store_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

namespace {

/// The server the tests use; without one, a warning (the test then ends).
std::optional<std::string> server_or_skip() {
  auto server = postgres_conninfo();
  if (!server) WARN("no PostgreSQL server (scripts/pg-cluster.sh): skipped");
  return server;
}

/// Runs SQL straight through libpq, as another program would; returns the
/// first cell of the answer.
std::string run_sql(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  PGresult* r = PQexec(c, sql.c_str());
  const auto st = PQresultStatus(r);
  const std::string why = PQresultErrorMessage(r);
  std::string first;
  if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) first = PQgetvalue(r, 0, 0);
  PQclear(r);
  PQfinish(c);
  INFO(sql << ": " << why);
  REQUIRE((st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK));
  return first;
}

/// Closes every connection a store named `application_name` has, as a
/// network failure or an administrator would.
void cut_connections(const std::string& conninfo, const std::string& application_name) {
  (void)run_sql(conninfo, fmt::format("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                                      "application_name = '{}'",
                                      application_name));
}

/// A PostgreSQL cluster of the test's own (scripts/pg-cluster.sh), which
/// it may crash and start again without disturbing the other tests.
class own_cluster {
 public:
  own_cluster() { start(); }
  ~own_cluster() {
    (void)std::system(fmt::format("'{}' stop '{}'", CHATDESK_PG_CLUSTER, dir_.file("")).c_str());
  }
  own_cluster(const own_cluster&) = delete;
  own_cluster& operator=(const own_cluster&) = delete;
  void start() {
    REQUIRE(std::system(
                fmt::format("'{}' start '{}' > /dev/null", CHATDESK_PG_CLUSTER, dir_.file("")).c_str()) == 0);
    std::ifstream in(dir_.file("conninfo"));
    REQUIRE(std::getline(in, conninfo_));
  }
  /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`).
  void crash() {
    REQUIRE(std::system(fmt::format("'{}' crash '{}'", CHATDESK_PG_CLUSTER, dir_.file("")).c_str()) == 0);
  }
  [[nodiscard]] const std::string& conninfo() const { return conninfo_; }

 private:
  temp_dir dir_;
  std::string conninfo_;
};

}  // namespace

TEST_CASE("a PostgreSQL store refuses what is not its own and a server it cannot reach",
          "[store][postgres][threads]") {
  const auto server = server_or_skip();
  if (!server) return;
  SECTION("a server that cannot be reached") {
    postgres_store_options o;
    o.connect_timeout = 2s;
    const auto e = postgres_store::open("host=/nonexistent/chatdesk port=5432 user=postgres", o).error();
    CHECK(e.code == "store.unavailable");
    CHECK_THAT(e.message, contains_substring("cannot connect"));
  }
  SECTION("bad options") {
    postgres_store_options o;
    o.schema = "Robert'); DROP TABLE students;--";
    const auto e = postgres_store::open(*server, o).error();
    CHECK(e.code == "store.invalid_options");
    CHECK(e.where == "schema");
    o.schema = "fine";
    o.pool_size = 0;
    CHECK(postgres_store::open(*server, o).error().where == "pool_size");
  }
  SECTION("a schema holding another application's tables is left untouched") {
    const auto schema = unique_schema();
    run_sql(*server,
            fmt::format("CREATE SCHEMA {0}; CREATE TABLE {0}.orders (id INT); INSERT INTO {0}.orders "
                        "VALUES (7)",
                        schema));
    postgres_store_options o;
    o.schema = schema;
    const auto e = postgres_store::open(*server, o).error();
    CHECK(e.code == "store.foreign");
    CHECK_THAT(e.message, contains_substring("not chatdesk's"));
    CHECK(run_sql(*server, fmt::format("SELECT count(*) FROM pg_tables WHERE schemaname = '{}'", schema)) ==
          "1");
    CHECK(run_sql(*server, fmt::format("SELECT id FROM {}.orders", schema)) == "7");
  }
  SECTION("a schema of the first version is migrated, keeping what it holds") {
    postgres_store_options o;
    o.schema = unique_schema();
    // The first release's schema, made by its own migration, holding rows
    // as that release wrote them: a mark, a conversation and its two messages.
    run_sql(*server, fmt::format("CREATE SCHEMA {0}; SET search_path TO {0}; CREATE TABLE chatdesk_schema "
                                 "(version INTEGER NOT NULL); INSERT INTO chatdesk_schema VALUES (1); {1}",
                                 o.schema, detail::postgres::migrations[0]));
    const auto t = store_t0().time_since_epoch().count();
    run_sql(
        *server,
        fmt::format("SET search_path TO {0}; INSERT INTO marks VALUES ('kept', 1234); INSERT INTO messages "
                    "(id, correlation_id, number_id, customer, direction, type, category, charge, status, "
                    "at, status_at) VALUES ('wamid.in.1', NULL, 'n1', '393331234567', 0, 'text', NULL, 0, "
                    "0, {1}, 0), (NULL, 'c1', 'n1', '393331234567', 1, 'text', NULL, 0, 0, {1}, {1}); "
                    "INSERT INTO journal (at, data) VALUES ({1}, 'first release''s entry')",
                    o.schema, t));
    auto s = postgres_store::open(*server, o).value();
    CHECK(run_sql(*server, fmt::format("SELECT version FROM {}.chatdesk_schema", o.schema)) ==
          std::to_string(postgres_store::schema_version));
    CHECK(s->load_mark("kept") == timestamp{std::chrono::milliseconds{1234}});
    s->save_record("support.team", "kept/a", "v");  // version 2's table
    CHECK(s->load_record("support.team", "kept/a") == "v");
    // Version 3's indexes: both messages found, in order, and still unique.
    const conversation_key key{"n1", number("+393331234567")};
    const auto kept = s->messages(key);
    REQUIRE(kept.size() == 2);
    CHECK(kept[0].id == "wamid.in.1");
    CHECK(kept[1].correlation_id == "c1");
    message_record again = kept[0];
    CHECK_FALSE(s->add_message(again));
    message_record other = kept[1];
    CHECK_FALSE(s->add_message(other));
    auto out = *s->find_message("c1");
    out.id = "wamid.out.1";
    s->update_message(out);
    REQUIRE(s->find_message("wamid.out.1"));
    CHECK(s->find_message("wamid.out.1")->correlation_id == "c1");
    message_record third;
    third.correlation_id = "c2";
    third.key = key;
    third.direction = direction::outbound;
    third.type = "text";
    third.at = store_t0();
    CHECK(s->add_message(third));  // several messages without a platform id
    CHECK(s->messages(key).size() == 3);
    // Version 4 keeps a status change's journal entry in its message's row,
    // read back after the entries of the journal's table, in order.
    out.status = message_status::sent;
    out.status_at = store_t0() + 1s;
    // The desk's line for it (src/engine/journal.cpp): sent one second after it was sent off.
    const auto entry =
        fmt::format("S{0}0{0}1{0}wamid.out.1{0}c1{0}n1{0}393331234567{0}text{0}-{0}0{0}1000{0}-", '\x1f');
    s->update_message_journaled(out, entry);
    CHECK(run_sql(*server, fmt::format("SELECT count(*) FROM {}.messages WHERE journal IS NOT NULL",
                                       o.schema)) == "1");
    std::vector<std::string> entries;
    s->read_journal(never, [&](const journal_entry& e) {
      entries.push_back(e.data);
      return true;
    });
    CHECK(entries == std::vector<std::string>{"first release's entry", entry});
  }
  SECTION("a schema written by a newer chatdesk") {
    postgres_store_options o;
    o.schema = unique_schema();
    (void)postgres_store::open(*server, o).value();
    run_sql(*server, fmt::format("UPDATE {}.chatdesk_schema SET version = 99", o.schema));
    const auto e = postgres_store::open(*server, o).error();
    CHECK(e.code == "store.newer_schema");
    CHECK_THAT(e.message, contains_substring(
                              fmt::format("newer than this chatdesk's {}", postgres_store::schema_version)));
    CHECK(run_sql(*server, fmt::format("SELECT version FROM {}.chatdesk_schema", o.schema)) == "99");
  }
  SECTION("instances starting at once create the schema once") {
    postgres_store_options o;
    o.schema = unique_schema();
    std::atomic<int> opened{0};
    std::vector<std::thread> starting;
    for (int i = 0; i < 6; ++i)
      starting.emplace_back([&] {
        if (postgres_store::open(*server, o)) ++opened;
      });
    for (auto& t : starting) t.join();
    CHECK(opened == 6);
    CHECK(run_sql(*server, fmt::format("SELECT count(*) FROM {}.chatdesk_schema", o.schema)) == "1");
  }
}

TEST_CASE("steps of two instances on one conversation take turns, other conversations do not wait",
          "[store][postgres]") {
  const auto server = server_or_skip();
  if (!server) return;
  postgres_store_options o;
  o.schema = unique_schema();
  o.lock_timeout = 300ms;
  auto a = postgres_store::open(*server, o).value();
  auto b = postgres_store::open(*server, o).value();
  const auto maria = number("+393331234567");
  const auto luca = number("+393477654321");
  auto held = a->lock("shop", maria, false);
  CHECK_FALSE(a->load_conversation({"n1", maria}));  // the step's first statement takes its lock
  a->save_conversation({"n1", maria}, conversation_state{});
  {
    const auto started = std::chrono::steady_clock::now();
    try {
      // The store takes a step's lock with its first statement (no round
      // trip of its own): that statement waits, and fails after lock_timeout.
      auto waiting = b->lock("shop", maria, false);
      (void)b->load_conversation({"n1", maria});
      FAIL("the second instance got the conversation while the first held it");
    } catch (const exception& e) {
      CHECK(e.err().code == "store.busy");
      CHECK_THAT(e.err().message, contains_substring("lock"));
    }
    CHECK(std::chrono::steady_clock::now() - started >= 300ms);
  }
  {
    auto other = b->lock("shop", luca, false);         // another customer: at once
    CHECK_FALSE(b->load_conversation({"n1", maria}));  // the first step is not committed yet
    other->commit();
  }
  {
    // A business-wide step waits for no conversation step of another customer...
    auto wide = b->lock("shop", luca, true);
    wide->commit();
  }
  held->commit();
  held.reset();
  auto after = b->lock("shop", maria, true);  // ...and gets this one once it is free
  CHECK(b->load_conversation({"n1", maria}));
  after->commit();
}

TEST_CASE("a lost connection fails the call with store.unavailable, and the next call connects again",
          "[store][postgres]") {
  const auto server = server_or_skip();
  if (!server) return;
  postgres_store_options o;
  o.schema = unique_schema();
  o.application_name = "chatdesk_" + o.schema;
  auto s = postgres_store::open(*server, o).value();
  manual_clock clock{store_t0()};
  chatdesk::desk d(clock, *s);
  d.add_business(shop()).value();
  const auto maria = number("+393331234567");
  const conversation_key key{"n1", maria};
  REQUIRE(d.receive(inbound("wamid.1", "+393331234567", store_t0())));

  SECTION("between calls") {
    cut_connections(*server, o.application_name);
    try {
      (void)s->load_conversation(key);
      FAIL("a call on a lost connection succeeded");
    } catch (const exception& e) {
      CHECK(e.err().code == "store.unavailable");
      CHECK(e.err().where == "postgres:" + o.schema);
    }
    CHECK(s->load_conversation(key)->inbound_count == 1);  // connected again
    // A desk step starting on a lost connection has done nothing yet: it
    // starts again on a new one, and the caller sees no error at all.
    cut_connections(*server, o.application_name);
    REQUIRE(d.receive(inbound("wamid.2", "+393331234567", store_t0() + 1min)));
    CHECK(s->load_conversation(key)->inbound_count == 2);
  }
  SECTION("in the middle of a step: nothing of it is applied") {
    {
      auto lock = s->lock("shop", maria, true);
      auto st = s->load_conversation(key).value();
      st.inbound_count = 99;
      s->save_conversation(key, st);
      cut_connections(*server, o.application_name);
      message_record r;
      r.id = "wamid.half";
      r.key = key;
      CHECK_THROWS_AS(s->add_message(r), exception);
      CHECK_THROWS_AS(lock->commit(), exception);
    }
    CHECK(s->load_conversation(key)->inbound_count == 1);
    CHECK_FALSE(s->find_message("wamid.half"));
    // Through the desk: the step fails with the store's error, and a retry applies it once.
    REQUIRE(d.receive(inbound("wamid.3", "+393331234567", store_t0() + 2min)));
    CHECK(s->load_conversation(key)->inbound_count == 2);
  }
}

TEST_CASE("a PostgreSQL server crashing mid-run loses no acknowledged step and half-applies none",
          "[store][postgres][crash][threads]") {
  if (!server_or_skip()) return;
  own_cluster cluster;
  postgres_store_options o;
  o.schema = "crash";
  o.pool_wait = 2s;
  o.connect_timeout = 2s;
  auto s = postgres_store::open(cluster.conninfo(), o).value();
  manual_clock clock{store_t0()};
  function_transport wire([](const outbound_message& m) {
    return transport_answer::accepted("wamid.out." + m.message.correlation_id);
  });
  desk_options options;
  options.policies = std::vector<std::shared_ptr<const send_policy>>{};  // the store is under test
  chatdesk::desk d(clock, *s, &wire, options);
  d.add_business(shop()).value();

  constexpr int workers = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> after_restart{0};
  std::atomic<bool> restarted{false};
  std::vector<std::vector<std::string>> acknowledged(workers), attempted(workers);
  std::vector<std::set<std::string>> codes(workers);
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        const auto customer = fmt::format("+3933{}{:06}", w, i % 50);
        const auto id = fmt::format("wamid.{}.{}", w, i);
        attempted[static_cast<std::size_t>(w)].push_back(id);
        auto r = d.receive(inbound(id, customer, store_t0()));
        if (r) {
          acknowledged[static_cast<std::size_t>(w)].push_back(id);
          if (restarted) ++after_restart;
        } else {
          codes[static_cast<std::size_t>(w)].insert(r.error().code);
          ++failures;
          std::this_thread::sleep_for(5ms);
        }
      }
    });
  const auto wait_for = [](const std::atomic<int>& counter, int at_least) {
    for (int i = 0; i < 3000 && counter < at_least; ++i) std::this_thread::sleep_for(10ms);
  };
  std::this_thread::sleep_for(300ms);
  cluster.crash();  // in the middle of steps
  wait_for(failures, 20);
  cluster.start();
  restarted = true;
  wait_for(after_restart, 200);
  stop = true;
  for (auto& t : pool) t.join();

  CHECK(failures >= 20);
  CHECK(after_restart >= 200);  // the store connected again by itself
  for (const auto& c : codes)
    for (const auto& code : c) CHECK((code == "store.unavailable" || code == "store.busy"));
  // Every acknowledged message is there; every conversation's count matches
  // its messages exactly (no step half-applied).
  std::size_t total_acknowledged = 0;
  for (const auto& list : acknowledged) {
    total_acknowledged += list.size();
    for (const auto& id : list) {
      INFO(id);
      REQUIRE(s->find_message(id));
    }
  }
  INFO("acknowledged " << total_acknowledged << ", failed " << failures);
  for (int w = 0; w < workers; ++w)
    for (int c = 0; c < 50; ++c) {
      const conversation_key key{"n1", number(fmt::format("+3933{}{:06}", w, c).c_str())};
      const auto st = s->load_conversation(key);
      if (!st) continue;
      CHECK(st->inbound_count == s->messages(key).size());
    }
  // The platform retries everything: acknowledged ones are duplicates, the
  // failed ones are applied now (or found applied: a COMMIT cut off in flight).
  for (const auto& list : attempted)
    for (const auto& id : list) {
      const auto w = id.substr(6, 1);
      const auto i = std::stoi(id.substr(8));
      const auto customer = fmt::format("+3933{}{:06}", w, i % 50);
      REQUIRE(d.receive(inbound(id, customer, store_t0())));
    }
  std::size_t total_attempted = 0;
  for (const auto& list : attempted) total_attempted += list.size();
  std::size_t counted = 0;
  for (int w = 0; w < workers; ++w)
    for (int c = 0; c < 50; ++c) {
      const auto st = s->load_conversation({"n1", number(fmt::format("+3933{}{:06}", w, c).c_str())});
      if (st) counted += st->inbound_count;
    }
  CHECK(counted == total_attempted);
}

TEST_CASE(
    "the desk's journal entries are kept in their messages' rows, and move to the journal's table "
    "with them",
    "[store][postgres][journal]") {
  const auto server = server_or_skip();
  if (!server) return;
  postgres_store_options o;
  o.schema = unique_schema();
  auto s = postgres_store::open(*server, o).value();
  const auto count = [&](const char* what) {
    return std::stoi(run_sql(*server, fmt::format("SELECT count(*) FROM {}.{}", o.schema, what)));
  };
  manual_clock clock{store_t0()};
  function_transport wire([](const outbound_message& m) {
    if (m.message.correlation_id == "c2") return transport_answer::failed({131'047, "Re-engagement", "", ""});
    return transport_answer::accepted("wamid.out." + m.message.correlation_id);
  });
  desk_options options;
  options.correlation_prefix = "c";
  chatdesk::desk d{clock, *s, &wire, options};
  d.add_business(shop()).value();
  auto from_ad = inbound("wamid.in.1", "+393331234567", clock.now());
  from_ad.referral = referral{};
  REQUIRE(d.receive(from_ad));
  s->append_journal(clock.now(),
                    "an entry of the application's own");  // not about a message: a row of its own
  const auto maria = number("+393331234567");
  const auto reply = d.send({"shop", "n1", maria, text_content{"hi"}, ""}).value();
  const auto promo =
      d.send({"shop", "n1", maria, template_content{"promo", "en_US", template_category::marketing, {}}, ""})
          .value();
  REQUIRE(promo.transport_error);  // failed by the transport, before it had a platform id
  clock.advance(2s);
  REQUIRE(d.apply_status(test::status(reply.message_id, message_status::sent, clock.now())));
  auto failed = test::status(reply.message_id, message_status::failed, clock.now());
  failed.error = status_error{131'026, "Message undeliverable", "", ""};
  REQUIRE(d.apply_status(failed));
  std::vector<std::string> before;
  s->read_journal(never, [&](const journal_entry& e) {
    before.push_back(e.data);
    return true;
  });
  const auto line = [](std::initializer_list<std::string_view> fields) {
    return fmt::format("{}", fmt::join(fields, "\x1f"));
  };
  REQUIRE(before.size() == 5);
  CHECK(before[0] == line({"R", "wamid.in.1", "n1", "393331234567", "text", "1"}));
  CHECK(before[1] == "an entry of the application's own");
  CHECK(before[2] ==
        line({"S", "0", "4", "", "c2", "n1", "393331234567", "template", "0", "2", "0", "131047"}));
  CHECK(before[3].starts_with(line({"S", "0", "1", "wamid.out.c1", "c1"})));
  CHECK(before[4].starts_with(line({"S", "1", "4", "wamid.out.c1", "c1"})));
  CHECK(before[4].ends_with(line({"2000", "131026"})));  // two seconds after it was sent
  // Every entry about a message is in its row; only the application's has a row of its own.
  CHECK(count("journal") == 1);
  CHECK(count("messages WHERE journal IS NOT NULL") == 3);
  // The records go; their entries stay, numbered as before.
  clock.advance(std::chrono::hours(24 * 30));
  REQUIRE(d.purge(clock.now()).value() == 3);
  CHECK(count("messages") == 0);
  CHECK(count("journal") == 5);
  std::vector<std::string> after;
  s->read_journal(never, [&](const journal_entry& e) {
    after.push_back(e.data);
    return true;
  });
  CHECK(after == before);
  // A row's entries that cannot be read are handed on, for the desk to refuse by number.
  s->trim_journal(clock.now());  // without the application's own entry
  REQUIRE(d.receive(inbound("wamid.in.2", "+393331234567", clock.now())));
  const auto kept =
      run_sql(*server, fmt::format("SELECT journal FROM {}.messages WHERE id = 'wamid.in.2'", o.schema));
  REQUIRE(kept.find(",R,0") != std::string::npos);
  // A damaged event: its number if it has one (else 0), and nothing replayed past it.
  for (const auto& [damaged, number] : std::vector<std::pair<std::string, std::string>>{
           {"9999999,S,x", "9999999"},
           {"9999999,R,2", "9999999"},
           {"9999999,S,0,9,0,-,1", "9999999"},                     // no such status
           {"9999999,S,0,1,0,-,2", "9999999"},                     // no such flag
           {"9999999,S,0,1,99999999999999999999,-,1", "9999999"},  // a time out of range
           {"9999999,S,0,1,0,99999999999,1", "9999999"},           // a code out of range
           {"9999999,S,0,1,0,-,1,extra", "9999999"},
           {"9999999", "9999999"},
           {"x,R,0", "0"},
           {"", "0"},
       }) {
    INFO(damaged);
    run_sql(*server, fmt::format("UPDATE {}.messages SET journal = '{};{}' WHERE id = 'wamid.in.2'", o.schema,
                                 kept, damaged));
    observer quiet;
    const auto e = d.replay_journal(quiet).error();
    CHECK(e.code == "store.corrupt");
    CHECK(e.message == fmt::format("journal entry {} cannot be read", number));
  }
}
