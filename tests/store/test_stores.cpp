// One conformance suite for every store (memory, SQLite): what the desk
// needs from a store, what survives a restart, and how a durable store fails.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/feed/webhook_feed.hpp"
#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"
#include "store/store_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// Runs SQL on a file straight through SQLite, as another program would.
void run_sql(const std::string& path, const char* text) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, text, nullptr, nullptr, &message);
  const std::string why = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  INFO(why);
  REQUIRE(rc == SQLITE_OK);
}

std::string integrity(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

/// A desk over a store under test, made again after each reopen.
struct desk_over {
  explicit desk_over(store_under_test& s) : st(s) { make(); }
  void make() {
    d = std::make_unique<chatdesk::desk>(clock, st.get(), &wire);
    d->add_business(shop()).value();
  }
  void restart() {
    d.reset();
    st.reopen();
    make();
  }
  store_under_test& st;
  manual_clock clock{store_t0()};
  test_transport wire;
  std::unique_ptr<chatdesk::desk> d;
};

}  // namespace

TEST_CASE("stores keep conversations and customers apart by business", "[store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  auto& s = u.get();
  const conversation_key a{"n1", number("+393331234567")};
  const conversation_key b{"n2", number("+393331234567")};
  CHECK_FALSE(s.load_conversation(a));
  conversation_state st;
  st.last_inbound = store_t0();
  st.last_referral = store_t0() - 1h;
  st.pair_rate_tat_us = -5;
  st.inbound_count = 3;
  st.outbound_count = 4;
  s.save_conversation(a, st);
  const auto back = s.load_conversation(a);
  REQUIRE(back);
  CHECK(back->last_inbound == store_t0());
  CHECK(back->last_referral == store_t0() - 1h);
  CHECK(back->entry_point_start == never);
  CHECK(back->last_outbound == never);
  CHECK(back->pair_rate_tat_us == -5);
  CHECK(back->inbound_count == 3);
  CHECK(back->outbound_count == 4);
  CHECK_FALSE(s.load_conversation(b));
  st.inbound_count = 5;
  s.save_conversation(a, st);
  CHECK(s.load_conversation(a)->inbound_count == 5);

  customer_state c;
  c.profile_name = "Maria";
  c.consent.opted_in_at = store_t0();
  c.consent.opt_in_source = "web form";
  c.blocked = true;
  s.save_customer("shop", number("+393331234567"), c);
  const auto cb = s.load_customer("shop", number("+393331234567"));
  REQUIRE(cb);
  CHECK(cb->profile_name == "Maria");
  CHECK(cb->consent.opted_in_at == store_t0());
  CHECK_FALSE(cb->consent.opted_out_at);
  CHECK(cb->consent.opt_in_source == "web form");
  CHECK(cb->blocked);
  CHECK_FALSE(s.load_customer("other", number("+393331234567")));
  CHECK(s.load_number("n1").throughput_tat_us == 0);
  s.save_number("n1", number_state{42, 24315, 7});
  CHECK(s.load_number("n1").throughput_tat_us == 42);
  CHECK(s.load_number("n1").service_messages_in(24315) == 7);
  CHECK(s.load_number("n2").service_messages == 0);
}

TEST_CASE("stores find message records by platform id or correlation id", "[store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  auto& s = u.get();
  message_record r;
  r.correlation_id = "c1";
  r.key = {"n1", number("+393331234567")};
  r.direction = direction::outbound;
  r.type = "template";
  r.category = template_category::marketing;
  r.charge = charge_reason::volume_tier;
  r.at = store_t0();
  r.status_at = store_t0();
  REQUIRE(s.add_message(r));
  CHECK_FALSE(s.add_message(r));  // the same correlation id again
  CHECK(s.find_message("c1"));
  CHECK_FALSE(s.find_message("wamid.1"));
  CHECK_FALSE(s.find_message(""));
  r.id = "wamid.1";
  r.status = message_status::failed;
  r.status_at = store_t0() + 1s;
  r.error = status_error{131047, "Re-engagement message", "more than 24 hours", ""};
  s.update_message(r);
  const auto found = s.find_message("wamid.1");
  REQUIRE(found);
  CHECK(found->status == message_status::failed);
  CHECK(found->error == r.error);
  CHECK(found->category == template_category::marketing);
  CHECK(found->status_at == store_t0() + 1s);
  CHECK(found->key == r.key);
  CHECK(s.find_message("c1")->id == "wamid.1");
  message_record in;
  in.id = "wamid.1";
  in.key = r.key;
  CHECK_FALSE(s.add_message(in));  // a platform id is unique too
  message_record other;
  other.id = "wamid.2";
  other.key = r.key;
  other.type = "text";
  other.at = store_t0() + 2s;
  REQUIRE(s.add_message(other));
  other.status = message_status::read;
  s.update_message(other);  // no correlation id: found by platform id
  CHECK(s.find_message("wamid.2")->status == message_status::read);
  // An id that is one message's platform id and another's correlation id
  // finds the first (the platform's ids come first).
  message_record odd;
  odd.correlation_id = "wamid.2";
  odd.key = r.key;
  odd.direction = direction::outbound;
  odd.type = "text";
  odd.at = store_t0() + 3s;
  REQUIRE(s.add_message(odd));
  CHECK(s.find_message("wamid.2")->status == message_status::read);
  const auto list = s.messages(r.key);
  REQUIRE(list.size() == 3);
  CHECK(list[0].correlation_id == "c1");
  CHECK(list[1].id == "wamid.2");
  CHECK(list[2].correlation_id == "wamid.2");
  CHECK(s.messages({"n2", number("+393331234567")}).empty());
}

TEST_CASE("stores count reached customers uniquely in a moving window", "[store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  auto& s = u.get();
  const auto a = number("+393331234567");
  const auto b = number("+393477654321");
  s.record_reached("shop", a, store_t0());
  s.record_reached("shop", a, store_t0() + 1h);
  s.record_reached("shop", b, store_t0() + 2h);
  s.record_reached("other", b, store_t0() + 2h);
  CHECK(s.reached_customers("shop", store_t0()) == 2);
  CHECK(s.was_reached("shop", a, store_t0() + 1h));
  CHECK_FALSE(s.was_reached("shop", a, store_t0() + 1h + 1ms));
  CHECK(s.reached_customers("shop", store_t0() + 90min) == 1);  // a's latest is before, b's after
  CHECK(s.reached_customers("shop", store_t0() + 3h) == 0);
  CHECK(s.reached_customers("other", store_t0()) == 1);
}

TEST_CASE("stores answer a send's reads at once as they answer them one by one", "[store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  auto& s = u.get();
  const auto a = number("+393331234567");
  const auto b = number("+393477654321");
  const conversation_key key{"n1", a};
  conversation_state c;
  c.last_inbound = store_t0();
  c.last_outbound = store_t0() + 1min;
  c.pair_rate_tat_us = 42;
  c.inbound_count = 3;
  c.outbound_count = 2;
  customer_state cs;
  cs.consent.opted_in_at = store_t0();
  cs.consent.opt_in_source = "checkout";
  cs.profile_name = "Maria";
  number_state n;
  n.throughput_tat_us = 77;
  n.service_month = 24'323;
  n.service_messages = 9;
  {
    auto lock = s.lock("shop", a, true);
    s.save_conversation(key, c);
    s.save_customer("shop", a, cs);
    s.save_number("n1", n);
    s.record_reached("shop", a, store_t0() + 1h);
    s.record_reached("shop", b, store_t0() + 2h);
    lock->commit();
  }
  const auto compare = [&](const conversation_key& k, timestamp since) {
    auto lock = s.lock("shop", k.customer, true);
    const auto all = s.load_for_send("shop", k, since);
    CHECK(all.conversation == s.load_conversation(k));
    CHECK(all.customer == s.load_customer("shop", k.customer));
    CHECK(all.number == s.load_number(k.business_number_id));
    CHECK(all.reached_customers == s.reached_customers("shop", since));
    CHECK(all.was_reached == s.was_reached("shop", k.customer, since));
    return all;
  };
  const auto known = compare(key, store_t0());
  REQUIRE(known.conversation);
  CHECK(known.conversation->pair_rate_tat_us == 42);
  REQUIRE(known.customer);
  CHECK(known.customer->profile_name == "Maria");
  CHECK(known.number.service_messages == 9);
  CHECK(known.reached_customers == 2);
  CHECK(known.was_reached);
  const auto later = compare(key, store_t0() + 90min);  // a's latest is before, b's after
  CHECK(later.reached_customers == 1);
  CHECK_FALSE(later.was_reached);
  const auto unknown = compare({"n2", number("+393400000001")}, store_t0());  // nothing stored
  CHECK_FALSE(unknown.conversation);
  CHECK_FALSE(unknown.customer);
  CHECK(unknown.number == number_state{});
  CHECK_FALSE(unknown.was_reached);
}

TEST_CASE("stores add a received message and read its state at once, and find several messages at once",
          "[store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  auto& s = u.get();
  const auto a = number("+393331234567");
  const conversation_key key{"n1", a};
  message_record in;
  in.id = "wamid.in.1";
  in.key = key;
  in.direction = direction::inbound;
  in.type = "text";
  in.at = store_t0();
  {
    auto lock = s.lock("shop", a, false);
    const auto first = s.add_for_receive("shop", in, "");  // nothing stored yet
    CHECK(first.added);
    CHECK_FALSE(first.conversation);
    CHECK_FALSE(first.customer);
    conversation_state c;
    c.last_inbound = store_t0();
    c.inbound_count = 1;
    s.save_conversation(key, c);
    customer_state cs;
    cs.profile_name = "Maria";
    s.save_customer("shop", a, cs);
    lock->commit();
  }
  {
    auto lock = s.lock("shop", a, false);
    const auto again =
        s.add_for_receive("shop", in, "");  // the same id: a duplicate, with the state as saved
    CHECK_FALSE(again.added);
    REQUIRE(again.conversation);
    CHECK(again.conversation == s.load_conversation(key));
    CHECK(again.conversation->inbound_count == 1);
    REQUIRE(again.customer);
    CHECK(again.customer == s.load_customer("shop", a));
    CHECK(again.customer->profile_name == "Maria");
    auto second = in;
    second.id = "wamid.in.2";
    const auto next = s.add_for_receive("other", second, "");  // another business: no customer there
    CHECK(next.added);
    CHECK(next.conversation == s.load_conversation(key));
    CHECK_FALSE(next.customer);
    lock->commit();
  }
  CHECK(s.messages(key).size() == 2);
  message_record out;
  out.correlation_id = "c1";
  out.key = key;
  out.direction = direction::outbound;
  out.type = "text";
  out.at = store_t0() + 1min;
  REQUIRE(s.add_message(out));
  const std::vector<std::string_view> ids = {"c1", "", "wamid.none", "wamid.in.2", "wamid.in.1"};
  const auto found = s.find_messages(ids);
  REQUIRE(found.size() == ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    INFO(ids[i]);
    CHECK(found[i].has_value() == s.find_message(ids[i]).has_value());
    if (found[i]) CHECK(found[i]->id == s.find_message(ids[i])->id);
  }
  REQUIRE(found[0]);
  CHECK(found[0]->correlation_id == "c1");
  CHECK_FALSE(found[1]);
  CHECK_FALSE(found[2]);
  REQUIRE(found[3]);
  CHECK(found[3]->id == "wamid.in.2");
  CHECK(s.find_messages({}).empty());
}

TEST_CASE("a desk restarted over a durable store carries on where it stopped", "[store][desk]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  desk_over x(u);
  const auto maria = number("+393331234567");
  REQUIRE_FALSE(x.d->receive(inbound("wamid.in1", "+393331234567", store_t0()), "Maria")->duplicate);
  auto sent = x.d->send({"shop", "n1", maria, text_content{"Ciao!"}, "c1"}).value();
  REQUIRE(sent.decision.allowed);
  REQUIRE(x.d->apply_status(status(sent.message_id, message_status::delivered, store_t0())));
  REQUIRE(x.d->opt_in("shop", number("+393477654321"), "checkout"));
  x.clock.advance(1h);

  x.restart();
  // The window the customer opened, their name, the message and its status, consents: all kept.
  const auto w = x.d->window("n1", maria);
  CHECK(w.service_window_open);
  CHECK(w.service_window_closes_at == store_t0() + 24h);
  CHECK(x.d->customer("shop", maria)->profile_name == "Maria");
  CHECK(x.d->customer("shop", number("+393477654321"))->consent.opted_in());
  // The retried webhook is a duplicate, and statuses go on from where they were.
  CHECK(x.d->receive(inbound("wamid.in1", "+393331234567", store_t0()))->duplicate);
  CHECK(x.d->apply_status(status(sent.message_id, message_status::delivered, store_t0()))->change ==
        status_change::duplicate);
  CHECK(x.d->apply_status(status(sent.message_id, message_status::sent, store_t0()))->change ==
        status_change::stale);
  CHECK(x.d->apply_status(status("c1", message_status::read, store_t0() + 1h))->change ==
        status_change::advanced);
  // A correlation id used before the restart stays used.
  CHECK(x.d->send({"shop", "n1", maria, text_content{"again"}, "c1"}).error().code ==
        "desk.duplicate_correlation_id");
  const auto history = u.get().messages({"n1", maria});
  REQUIRE(history.size() == 2);
  CHECK(history[1].status == message_status::read);
  CHECK(x.d->conversation("n1", maria)->outbound_count == 1);
}

TEST_CASE("a step that is not committed leaves nothing behind in a durable store", "[store]") {
  store_under_test u(GENERATE(from_range(durable_store_kinds())));
  auto& s = u.get();
  const auto maria = number("+393331234567");
  const conversation_key k{"n1", maria};
  {
    auto lock = s.lock("shop", maria, true);
    conversation_state st;
    st.inbound_count = 1;
    s.save_conversation(k, st);
    message_record r;
    r.id = "wamid.gone";
    r.key = k;
    REQUIRE(s.add_message(r));
    CHECK(s.load_conversation(k));  // visible inside the step
  }                                 // destroyed without commit
  CHECK_FALSE(s.load_conversation(k));
  CHECK_FALSE(s.find_message("wamid.gone"));
  {
    auto lock = s.lock("shop", maria, true);
    s.save_conversation(k, conversation_state{});
    lock->commit();
  }
  u.reopen();
  CHECK(u.get().load_conversation(k));
}

TEST_CASE("stores keep the records of other modules in key order, across a restart", "[store][records]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  const auto keys = [&](std::string_view kind, std::string_view prefix) {
    std::vector<std::string> out;
    u.get().scan_records(kind, prefix, [&](std::string_view key, std::string_view value) {
      out.push_back(std::string(key) + "=" + std::string(value));
      return true;
    });
    return out;
  };
  {
    auto& s = u.get();
    auto lock = s.lock("shop", phone_number{}, true);  // a business's step, no customer
    s.save_record("support.agent", "shop/b", "{\"name\":\"Bea\"}");
    s.save_record("support.agent", "shop/a", "first");
    s.save_record("support.agent", "shop/a", "second");  // replaced
    s.save_record("support.agent", "shop/c", "gone");
    s.save_record("support.agent", "shopping/a", "another business");
    s.save_record("support.agent", "shop/\xC3\xA8", "accented");  // non-ASCII keys order by bytes
    s.save_record("support.team", "shop/a", "a team");
    s.erase_record("support.agent", "shop/c");
    s.erase_record("support.agent", "shop/never");  // nothing to forget: no error
    lock->commit();
  }
  u.reopen();
  auto& s = u.get();
  CHECK(s.load_record("support.agent", "shop/a") == "second");
  CHECK_FALSE(s.load_record("support.agent", "shop/c"));
  CHECK_FALSE(s.load_record("support.agent", "Shop/a"));
  CHECK(keys("support.agent", "shop/") ==
        std::vector<std::string>{"shop/a=second", "shop/b={\"name\":\"Bea\"}", "shop/\xC3\xA8=accented"});
  CHECK(keys("support.agent", "shop").size() == 4);
  CHECK(keys("support.agent", "").size() == 4);
  CHECK(keys("support.team", "").size() == 1);
  CHECK(keys("support.nothing", "").empty());
  int seen = 0;
  s.scan_records("support.agent", "", [&](std::string_view, std::string_view) { return ++seen < 2; });
  CHECK(seen == 2);   // stopped when asked
  if (u.durable()) {  // a step not committed leaves no record behind
    {
      auto lock = s.lock("shop", phone_number{}, true);
      s.save_record("support.agent", "shop/z", "uncommitted");
      s.erase_record("support.agent", "shop/a");
    }
    CHECK_FALSE(s.load_record("support.agent", "shop/z"));
    CHECK(s.load_record("support.agent", "shop/a") == "second");
  }
}

TEST_CASE("a store that keeps no records says so", "[store][records]") {
  struct bare final : store {
    std::unique_ptr<store_lock> lock(std::string_view, const phone_number&, bool) override {
      return std::make_unique<store_lock>();
    }
    std::optional<conversation_state> load_conversation(const conversation_key&) override { return {}; }
    void save_conversation(const conversation_key&, const conversation_state&) override {}
    std::optional<customer_state> load_customer(std::string_view, const phone_number&) override { return {}; }
    void save_customer(std::string_view, const phone_number&, const customer_state&) override {}
    number_state load_number(std::string_view) override { return {}; }
    void save_number(std::string_view, const number_state&) override {}
    std::uint32_t reached_customers(std::string_view, timestamp) override { return 0; }
    bool was_reached(std::string_view, const phone_number&, timestamp) override { return false; }
    void record_reached(std::string_view, const phone_number&, timestamp) override {}
    bool add_message(const message_record&) override { return true; }
    std::optional<message_record> find_message(std::string_view) override { return {}; }
    void update_message(const message_record&) override {}
    std::vector<message_record> messages(const conversation_key&) override { return {}; }
  } s;
  try {
    s.save_record("support.agent", "shop/a", "x");
    FAIL("no exception");
  } catch (const exception& e) {
    CHECK(e.err().code == "store.unsupported");
    CHECK(e.err().where == "support.agent");
  }
}

TEST_CASE("files that are not this chatdesk's database are refused and left untouched", "[store]") {
  temp_dir dir;
  {
    const auto path = dir.file("newer.db");
    { auto s = sqlite_store::open(path).value(); }
    run_sql(path, "PRAGMA user_version = 99");
    const auto before = read_bytes(path);
    const auto e = sqlite_store::open(path).error();
    CHECK(e.code == "store.newer_schema");
    CHECK(e.message ==
          fmt::format("{} has chatdesk schema 99, newer than this chatdesk's {}: use a newer chatdesk", path,
                      sqlite_store::schema_version));
    CHECK(read_bytes(path) == before);
  }
  {
    const auto path = dir.file("foreign.db");
    run_sql(
        path,
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total TEXT); INSERT INTO invoices VALUES (1, '9')");
    const auto before = read_bytes(path);
    const auto e = sqlite_store::open(path).error();
    CHECK(e.code == "store.foreign");
    CHECK(e.message ==
          path +
              " is a SQLite database of another application (application id 0): chatdesk opens only "
              "its own");
    CHECK(read_bytes(path) == before);
  }
  {
    const auto path = dir.file("garbage.db");
    std::string junk(8192, '\0');
    for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 7919U) % 251U);
    write_bytes(path, junk);
    const auto e = sqlite_store::open(path).error();
    CHECK(e.code == "store.corrupt");
    CHECK_THAT(e.message, contains_substring(path));
    CHECK(read_bytes(path) == junk);
  }
  {
    // A chatdesk database whose pages were damaged: caught when checked on open.
    const auto path = dir.file("damaged.db");
    {
      auto s = sqlite_store::open(path).value();
      for (int i = 0; i < 300; ++i) {
        message_record r;
        r.id = fmt::format("wamid.{:06}", i);
        r.key = {"n1", number("+393331234567")};
        r.type = "text";
        REQUIRE(s->add_message(r));
      }
    }
    run_sql(path, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
    auto bytes = read_bytes(path);
    constexpr std::size_t page = 1024;  // the store's page size
    REQUIRE(bytes.size() > 8 * page);
    for (std::size_t i = 6 * page; i < 7 * page; ++i) bytes[i] = '\x5a';  // page 7: the messages table's root
    write_bytes(path, bytes);
    sqlite_store_options check;
    check.check_on_open = true;
    const auto opened = sqlite_store::open(path, check);
    REQUIRE_FALSE(opened);
    const auto e = opened.error();
    CHECK(e.code == "store.corrupt");
    CHECK(read_bytes(path) == bytes);
  }
  {
    const auto e = sqlite_store::open(dir.file("no/such/dir/desk.db")).error();
    CHECK(e.code == "store.unavailable");
  }
}

TEST_CASE("a full disk fails the step with a clear error and applies nothing of it", "[store][desk]") {
  sqlite_store_options tiny;
  tiny.max_pages = 160;  // 160 KiB
  store_under_test u("sqlite", tiny);
  desk_over x(u);
  int accepted = 0;
  std::optional<error> failure;
  for (int i = 0; i < 5000 && !failure; ++i) {
    const auto customer = fmt::format("+3933{:08}", i);
    auto m = inbound("", customer.c_str(), store_t0(), std::string(200, 'x'));
    m.id = fmt::format("wamid.{:040}", i);
    auto r = x.d->receive(m, "A customer with a long profile name");
    if (!r) {
      failure = r.error();
      // Nothing of the failed step: no message, no conversation, no customer.
      CHECK_FALSE(u.get().find_message(m.id));
      CHECK_FALSE(x.d->conversation("n1", m.customer));
      CHECK_FALSE(x.d->customer("shop", m.customer));
    } else {
      ++accepted;
    }
  }
  REQUIRE(failure);
  CHECK(failure->code == "store.full");
  CHECK_THAT(failure->message, contains_substring("full"));
  CHECK(accepted > 10);
  x.d.reset();
  u.close();
  CHECK(integrity(u.path()) == "ok");
  u.reopen();
  CHECK(dynamic_cast<sqlite_store&>(u.get()).conversation_count() == static_cast<std::size_t>(accepted));
}

TEST_CASE("a SQLite store is shared by threads and backed up while in use", "[store][desk][threads]") {
  store_under_test u("sqlite");
  desk_over x(u);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&x, t] {
      for (int i = 0; i < 50; ++i) {
        const auto customer = fmt::format("+39333{:07}", i);  // the same customers from every thread
        auto m = inbound("", customer.c_str(), store_t0());
        m.id = fmt::format("wamid.{}.{}", t % 2, i);  // and half the messages twice
        REQUIRE(x.d->receive(m));
      }
    });
  for (auto& t : threads) t.join();
  auto& s = dynamic_cast<sqlite_store&>(u.get());
  CHECK(s.conversation_count() == 50);
  CHECK(x.d->conversation("n1", number("+393330000007"))->inbound_count == 2);
  temp_dir dir;
  const auto copy = dir.file("backup.db");
  REQUIRE(s.backup(copy));
  auto restored = sqlite_store::open(copy).value();
  CHECK(restored->conversation_count() == 50);
  CHECK(restored->find_message("wamid.1.49"));
  CHECK(s.backup(copy).error().code == "store.failed");  // it exists now
}

TEST_CASE("a single-process SQLite store keeps the file to itself until it is closed", "[store][desk]") {
  temp_dir dir;
  const auto path = dir.file("alone.db");
  sqlite_store_options alone;
  alone.single_process = true;
  sqlite_store_options other;
  other.busy_timeout = std::chrono::milliseconds(50);
  other.busy_retries = 0;
  {
    auto s = sqlite_store::open(path, alone).value();
    manual_clock clock{store_t0()};
    chatdesk::desk d(clock, *s);
    REQUIRE(d.add_business(shop()));
    REQUIRE(d.receive(inbound("wamid.alone", "+393331234567", store_t0())));
    const auto refused = sqlite_store::open(path, other);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "store.busy");
    CHECK(refused.error().message.find(path) != std::string::npos);
    CHECK_FALSE(sqlite_store::open(path, alone));  // nor another single-process store
  }
  CHECK_FALSE(std::filesystem::exists(path + "-shm"));  // the log's index stayed in memory
  auto s = sqlite_store::open(path, other).value();     // closed: anyone may open it
  CHECK(s->find_message("wamid.alone"));
  CHECK(integrity(path) == "ok");
}

TEST_CASE("a SQLite store refuses a checkpoint of no pages before touching the file", "[store]") {
  temp_dir dir;
  sqlite_store_options options;
  options.checkpoint_pages = 0;
  const auto refused = sqlite_store::open(dir.file("never.db"), options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "store.invalid_options");
  CHECK(refused.error().where == "checkpoint_pages");
  CHECK_FALSE(std::filesystem::exists(dir.file("never.db")));
}

TEST_CASE("the memory store can keep no message history", "[store]") {
  memory_store no_history(memory_store_options{false});
  message_record r;
  r.id = "wamid.1";
  r.key = {"n1", number("+393331234567")};
  REQUIRE(no_history.add_message(r));
  CHECK(no_history.messages(r.key).empty());
  CHECK(no_history.find_message("wamid.1"));
}

TEST_CASE("killed at any moment, a SQLite store keeps every acknowledged step", "[store][crash]") {
  temp_dir dir;
  const auto path = dir.file("crash.db");
  std::mt19937 rng(20261204);
  std::vector<std::string> received;                  // inbound ids the child acknowledged
  std::vector<std::pair<std::string, int>> answered;  // sends it acknowledged, with the customer index
  int next = 0;
  for (int round = 0; round < 20; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // the child: an application taking webhooks until it is killed
      ::close(fds[0]);
      sqlite_store_options options;
      options.single_process = round % 2 == 1;                 // every other run holds the file for itself
      options.checkpoint_pages = round % 3 == 0 ? 10 : 10000;  // checkpoints cut by the kill too
      auto opened = sqlite_store::open(path, options);
      if (!opened) ::_exit(3);
      manual_clock clock{store_t0() + std::chrono::hours(round)};  // each run later, as after a restart
      function_transport wire([](const outbound_message& m) {
        return transport_answer::accepted("wamid.out." +
                                          m.message.correlation_id);  // unique, as the platform's
      });
      chatdesk::desk d(clock, **opened, &wire);
      if (!d.add_business(shop())) ::_exit(4);
      for (int i = next;; ++i) {
        clock.advance(100ms);  // within the number's throughput
        const auto customer = fmt::format("+39333{:07}", i);
        const auto id = fmt::format("wamid.in{}", i);
        if (!d.receive(inbound(id.c_str(), customer.c_str(), clock.now()))) ::_exit(5);
        auto line = fmt::format("m {}\n", id);
        if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(6);
        // A send the previous run made before it was killed is found by its
        // correlation id, as an application retrying its own work would.
        const auto correlation = fmt::format("c{}", i);
        auto sent = d.send({"shop", "n1", number(customer.c_str()), text_content{"ok"}, correlation});
        if (!sent && sent.error().code != "desk.duplicate_correlation_id") {
          std::fprintf(stderr, "child: %s\n", sent.error().to_string().c_str());
          ::_exit(7);
        }
        if (sent && !sent->decision.allowed) ::_exit(8);
        if (!d.apply_status(status(correlation, message_status::delivered, clock.now()))) ::_exit(9);
        line = fmt::format("s c{} {}\n", i, i);
        if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(10);
      }
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 60)(rng)));
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    INFO("the child's exit status: " << WEXITSTATUS(wstatus));
    REQUIRE(WIFSIGNALED(wstatus));  // killed, not failed
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
      out.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int last = next - 1;
    for (std::size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
      const auto line =
          out.substr(start, end - start);  // a line cut by the kill has no newline: not acknowledged
      if (line.rfind("m ", 0) == 0) {
        received.push_back(line.substr(2));
      } else {
        const auto space = line.find(' ', 2);
        const int i = std::stoi(line.substr(space + 1));
        answered.emplace_back(line.substr(2, space - 2), i);
        last = i;
      }
    }
    next = last + 1;

    CHECK(integrity(path) == "ok");
    auto s = sqlite_store::open(path).value();
    manual_clock clock{store_t0() + std::chrono::hours(round + 1)};
    chatdesk::desk d(clock, *s);
    d.add_business(shop()).value();
    for (const auto& id : received) {
      INFO(id);
      REQUIRE(s->find_message(id));
    }
    for (const auto& [correlation, i] : answered) {
      INFO(correlation);
      const auto r = s->find_message(correlation);
      REQUIRE(r);
      CHECK(r->status == message_status::delivered);
    }
    if (!received.empty()) {  // the platform retries one: a duplicate
      const auto& id = received[std::uniform_int_distribution<std::size_t>(0, received.size() - 1)(rng)];
      const auto i = std::stoi(id.substr(8));
      CHECK(d.receive(inbound(id.c_str(), fmt::format("+39333{:07}", i).c_str(), clock.now()))->duplicate);
    }
  }
  CHECK(received.size() > 20);
  CHECK(answered.size() > 20);
}

TEST_CASE("a transport answering with another message's platform id is refused", "[store][desk]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  desk_over x(u);
  const auto maria = number("+393331234567");
  REQUIRE(x.d->receive(inbound("wamid.in1", "+393331234567", store_t0())));
  x.wire.next_answer = transport_answer::accepted("wamid.same");
  CHECK(x.d->send({"shop", "n1", maria, text_content{"one"}, "c1"})->message_id == "wamid.same");
  x.wire.next_answer = transport_answer::accepted("wamid.same");
  const auto second = x.d->send({"shop", "n1", maria, text_content{"two"}, "c2"}).value();
  CHECK(second.message_id.empty());
  CHECK(second.status == message_status::accepted);
  const auto e = x.d->transport_answered("c2", transport_answer::accepted("wamid.same")).error();
  CHECK(e.code == "desk.invalid_answer");
  CHECK(e.message == "the platform id 'wamid.same' already belongs to message 'c1'");
  CHECK(x.d->transport_answered("c2", transport_answer::accepted("wamid.other"))->change ==
        status_change::advanced);
}

TEST_CASE("4 processes x 4 threads share one durable store: nothing lost, doubled or regressed",
          "[store][processes]") {
  store_under_test u(GENERATE(from_range(durable_store_kinds())));
  INFO(u.kind());
  u.close();  // no connection crosses the fork
  constexpr int processes = 4;
  constexpr int threads = 4;
  constexpr int customers = 30;
  constexpr int inbound_per_customer = 5;
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid != 0) {
      children.push_back(pid);
      continue;
    }
    // A child: one store, one desk, four threads on the same customers.
    std::unique_ptr<store> opened;
    try {
      opened = u.open_another();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      ::_exit(3);
    }
    manual_clock clock{store_t0()};
    std::atomic<int> sends{0};
    function_transport wire([&sends](const outbound_message& m) {
      ++sends;
      return transport_answer::accepted("wamid." + m.message.correlation_id);
    });
    desk_options options;
    options.policies =
        std::vector<std::shared_ptr<const send_policy>>{};  // the store is under test, not the rules
    chatdesk::desk d(clock, *opened, &wire, options);
    if (!d.add_business(shop())) ::_exit(4);
    std::atomic<bool> failed{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (int c = 0; c < customers && !failed; ++c) {
          const int who = (c + t * 7) % customers;  // each thread walks the customers in its own order
          const auto customer = fmt::format("+39333{:07}", who);
          for (int k = 0; k < inbound_per_customer; ++k) {  // every worker delivers the same messages
            const auto id = fmt::format("wamid.in.{}.{}", who, k);
            if (!d.receive(inbound(id.c_str(), customer.c_str(), store_t0()))) failed = true;
          }
          const auto correlation = fmt::format("{}.{}.{}", p, t, who);
          auto sent = d.send({"shop", "n1", number(customer.c_str()), text_content{"ok"}, correlation});
          if (!sent || !sent->decision.allowed) failed = true;
          // Statuses late, early, twice.
          for (const auto s : {message_status::read, message_status::delivered, message_status::sent,
                               message_status::read, message_status::delivered})
            if (!d.apply_status(status(correlation, s, store_t0()))) failed = true;
        }
      });
    for (auto& t : pool) t.join();
    ::_exit(failed ? 5 : 0);
  }
  for (const auto pid : children) {
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    CHECK(WIFEXITED(wstatus));
    CHECK(WEXITSTATUS(wstatus) == 0);
  }
  u.reopen();
  auto& s = u.get();
  CHECK(u.conversation_count() == customers);
  for (int c = 0; c < customers; ++c) {
    const conversation_key key{"n1", number(fmt::format("+39333{:07}", c).c_str())};
    const auto state = s.load_conversation(key);
    REQUIRE(state);
    CHECK(state->inbound_count == inbound_per_customer);
    CHECK(state->outbound_count == processes * threads);
    const auto list = s.messages(key);
    CHECK(list.size() == inbound_per_customer + processes * threads);
    for (const auto& m : list)
      if (m.direction == direction::outbound) {
        CHECK(m.status == message_status::read);
        CHECK(m.id == "wamid." + m.correlation_id);
      }
  }
  if (u.kind() == "sqlite") CHECK(integrity(u.path()) == "ok");
}

TEST_CASE("stores keep a conversation's transcript, across a restart", "[store][desk][transcript]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  desk_over x(u);
  const auto maria = number("+393331234567");
  auto in = inbound("wamid.in1", "+393331234567", store_t0(), "Il pacco è arrivato? 📦");
  in.referral = referral{"ad", "120", "https://fb.me/x", "Sale", "", "clid-1", "image", "", "", ""};
  REQUIRE(x.d->receive(in, "Maria"));
  media_content photo{
      media_kind::image, "https://shop.example/p.jpg", "", "Eccolo", "", "", "", false, false};
  send_intent reply{"shop", "n1", maria, photo, "c1"};
  reply.reply_to = "wamid.in1";
  const auto sent = x.d->send(reply).value();
  REQUIRE(x.d->apply_status(status(sent.message_id, message_status::read, store_t0())));
  x.restart();

  const conversation_key key{"n1", maria};
  const auto all = u.get().transcript(key);
  REQUIRE(all.size() == 2);
  REQUIRE(all[0].message);
  CHECK(*all[0].message == in);
  CHECK(all[0].record.direction == direction::inbound);
  REQUIRE(all[1].message);
  CHECK(std::get<media_content>(all[1].message->content) == photo);
  CHECK(all[1].message->context->message_id == "wamid.in1");
  CHECK(all[1].message->correlation_id == "c1");
  CHECK(all[1].record.status == message_status::read);  // the record has the status and platform id
  CHECK(all[1].record.id == sent.message_id);
  const auto last = u.get().transcript(key, 1);
  REQUIRE(last.size() == 1);
  CHECK(last[0].record.correlation_id == "c1");
  CHECK(u.get().transcript(key, 5).size() == 2);
  CHECK(u.get().transcript({"n1", number("+393477654321")}).empty());
}

TEST_CASE("stores can keep no content at all", "[store][transcript]") {
  const auto kind = GENERATE(from_range(store_kinds()));
  INFO(kind);
  std::unique_ptr<store> st;
  std::unique_ptr<store_under_test> durable;
  if (kind == "memory") {
    memory_store_options o;
    o.keep_content = false;
    st = std::make_unique<memory_store>(o);
  } else {
    sqlite_store_options o;
    o.keep_content = false;
    durable = std::make_unique<store_under_test>(kind, o);
  }
  auto& chosen = durable ? durable->get() : *st;
  manual_clock clock{store_t0()};
  chatdesk::desk d(clock, chosen);
  d.add_business(shop()).value();
  REQUIRE(d.receive(inbound("wamid.in1", "+393331234567", store_t0(), "private")));
  const auto t = chosen.transcript({"n1", number("+393331234567")});
  REQUIRE(t.size() == 1);
  CHECK_FALSE(t[0].message);
  CHECK(t[0].record.id == "wamid.in1");  // the id stays for de-duplication
}

TEST_CASE("purging forgets old content, then old records once de-duplication is past them", "[store][desk]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  desk_over x(u);
  const auto maria = number("+393331234567");
  const conversation_key key{"n1", maria};
  REQUIRE(x.d->receive(inbound("wamid.old", "+393331234567", store_t0())));
  x.clock.advance(std::chrono::hours(24 * 5));
  REQUIRE(x.d->receive(inbound("wamid.mid", "+393331234567", x.clock.now())));
  x.clock.advance(std::chrono::hours(24 * 5));
  REQUIRE(x.d->receive(inbound("wamid.new", "+393331234567", x.clock.now())));
  // Content older than a day goes; records stay while a retry could still come (7 days).
  CHECK(x.d->purge(x.clock.now() - std::chrono::hours(24)).value() == 1);
  auto t = u.get().transcript(key);
  REQUIRE(t.size() == 2);
  CHECK(t[0].record.id == "wamid.mid");
  CHECK_FALSE(t[0].message);  // content purged, record kept: a retry is still a duplicate
  REQUIRE(t[1].message);
  CHECK(x.d->receive(inbound("wamid.mid", "+393331234567", store_t0() + std::chrono::hours(24 * 5)))
            ->duplicate);
  CHECK_FALSE(u.get().find_message("wamid.old"));
  // The conversation itself stays: its windows and counts.
  CHECK(x.d->conversation("n1", maria)->inbound_count == 3);
}

TEST_CASE("a desk over a durable store knows its businesses after a restart", "[store][desk]") {
  store_under_test u(GENERATE(from_range(durable_store_kinds())));
  {
    manual_clock clock{store_t0()};
    chatdesk::desk d(clock, u.get());
    auto b = shop();
    b.zone = time_zone::locate("Europe/Rome").value();
    b.tier = messaging_tier::tier_10k;
    d.add_business(b).value();
  }
  u.reopen();
  manual_clock clock{store_t0()};
  chatdesk::desk d(clock, u.get());
  const auto* b = d.find_business("shop");
  REQUIRE(b != nullptr);
  CHECK(b->tier == messaging_tier::tier_10k);
  CHECK(b->zone.name() == "Europe/Rome");
  CHECK(d.business_id_of("n1") == "shop");
  CHECK(d.receive(inbound("wamid.in1", "+393331234567", store_t0())));  // no re-registration needed
}

TEST_CASE("a database of the first schema is migrated with everything in it", "[store]") {
  temp_dir dir;
  const auto path = dir.file("v1.db");
  std::ifstream in(CHATDESK_SOURCE_DIR "/tests/data/store/schema-v1.sql");
  const std::string sql{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  REQUIRE(!sql.empty());
  run_sql(path, sql.c_str());
  auto s = sqlite_store::open(path).value();
  const conversation_key key{"n1", number("+393331234567")};
  const auto c = s->load_conversation(key);
  REQUIRE(c);
  CHECK(c->last_inbound == store_t0());
  CHECK(c->last_referral == never);
  CHECK(c->outbound_count == 1);
  CHECK(s->load_customer("shop", number("+393331234567"))->profile_name == "Maria");
  CHECK(s->load_number("n1").service_messages == 1);
  CHECK(s->find_message("c1")->status == message_status::delivered);
  const auto t = s->transcript(key);
  REQUIRE(t.size() == 2);
  CHECK_FALSE(t[0].message);  // schema 1 kept no content
  // And it works as a schema-2 store from now on.
  manual_clock clock{store_t0() + 1h};
  chatdesk::desk d(clock, *s);
  d.add_business(shop()).value();
  REQUIRE(d.receive(inbound("wamid.in2", "+393331234567", clock.now(), "again")));
  CHECK(s->transcript(key).back().message);
  s.reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* v = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &v, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(v) == SQLITE_ROW);
  CHECK(sqlite3_column_int(v, 0) == sqlite_store::schema_version);
  sqlite3_finalize(v);
  sqlite3_close(db);
}

TEST_CASE("a desk made again announces the windows that closed while it was away", "[store][desk]") {
  store_under_test u(GENERATE(from_range(durable_store_kinds())));
  manual_clock clock{store_t0()};
  recording_observer heard;
  auto make = [&] {
    auto d = std::make_unique<chatdesk::desk>(clock, u.get());
    d->subscribe(&heard);
    return d;
  };
  {
    auto d = make();
    d->add_business(shop()).value();
    REQUIRE(d->receive(inbound("wamid.a", "+393331234567", store_t0())));  // closes t0 + 24h
    clock.advance(20h);
    REQUIRE(d->receive(inbound("wamid.b", "+393477654321", clock.now())));  // closes t0 + 44h
    d->tick();
    (void)heard.take();
  }  // the application stops at t0 + 20h
  u.reopen();
  clock.set(store_t0() + 25h);
  auto d = make();
  d->tick();
  CHECK(heard.take() == std::vector<std::string>{"window_closed +393331234567 2026-03-03T09:00:00Z"});
  clock.set(store_t0() + 43h + 30min);
  d->tick();
  CHECK(heard.take() == std::vector<std::string>{"window_closing +393477654321 2026-03-04T05:00:00Z"});
  d.reset();
  u.reopen();  // a restart after the last tick announces nothing twice
  clock.set(store_t0() + 45h);
  d = make();
  d->tick();
  CHECK(heard.take() == std::vector<std::string>{"window_closed +393477654321 2026-03-04T05:00:00Z"});
  d.reset();
  u.reopen();
  d = make();
  d->tick();
  CHECK(heard.take().empty());
}

TEST_CASE("without history the memory store forgets records past the de-duplication horizon", "[store]") {
  memory_store st(memory_store_options{false});
  manual_clock clock{store_t0()};
  chatdesk::desk d(clock, st);
  d.add_business(shop()).value();
  // 30 days, 2,000 messages a day from 500 customers.
  for (int day = 0; day < 30; ++day)
    for (int i = 0; i < 2000; ++i) {
      clock.advance(std::chrono::seconds(43));
      const auto customer = fmt::format("+39333{:07}", i % 500);
      const auto id = fmt::format("wamid.{}.{}", day, i);
      REQUIRE(d.receive(inbound(id.c_str(), customer.c_str(), clock.now())));
    }
  // At most the last 8 days and one batch before forgetting runs again.
  CHECK(st.message_count() <= 8 * 2000 + 4096 + 2000);
  CHECK(st.message_count() >= 8 * 2000);
  // A retry within the platform's 7 days is still a duplicate.
  CHECK(d.receive(
             inbound("wamid.25.7", "+393330000007", store_t0() + std::chrono::seconds(43 * (25 * 2000 + 8))))
            ->duplicate);
}

TEST_CASE("a desk keeping messages for a while purges from tick()", "[store][desk]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  manual_clock clock{store_t0()};
  desk_options options;
  options.keep_messages_for = std::chrono::hours(24 * 3);
  chatdesk::desk d(clock, u.get(), nullptr, options);
  d.add_business(shop()).value();
  REQUIRE(d.receive(inbound("wamid.1", "+393331234567", store_t0())));
  clock.advance(std::chrono::hours(24 * 4));
  REQUIRE(d.receive(inbound("wamid.2", "+393331234567", clock.now())));
  d.tick();
  const auto t = u.get().transcript({"n1", number("+393331234567")});
  REQUIRE(t.size() == 2);
  CHECK_FALSE(t[0].message);  // content older than 3 days gone
  CHECK(t[1].message);
  clock.advance(std::chrono::hours(24 * 5));
  d.tick();
  CHECK_FALSE(u.get().find_message("wamid.1"));  // and the record, once a retry cannot come
  CHECK(u.get().find_message("wamid.2"));
}

namespace {

/// Every journal entry a store holds, as (time, the desk's line), in order.
std::vector<std::pair<timestamp, std::string>> journal_of(store& s) {
  std::vector<std::pair<timestamp, std::string>> out;
  std::uint64_t last = 0;
  s.read_journal(never, [&](const journal_entry& e) {
    CHECK(e.seq > last);  // increasing
    last = e.seq;
    out.emplace_back(e.at, e.data);
    return true;
  });
  return out;
}

/// A desk over `s` (journal kept) and two days of traffic that journals
/// every kind of entry: customers' messages (one from an ad), replies, a
/// template, statuses in and out of order, a failure the transport reports
/// (no platform id) and one a webhook reports (with its code).
void journaled_traffic(store& s, full_observer& told) {
  manual_clock clock{store_t0()};
  function_transport wire([](const outbound_message& m) {
    if (m.message.correlation_id.ends_with("3"))
      return transport_answer::failed({131'047, "Re-engagement", "", ""});
    return transport_answer::accepted("wamid.out." + m.message.correlation_id);
  });
  desk_options o;
  o.correlation_prefix = "c";
  chatdesk::desk d{clock, s, &wire, o};
  d.add_business(shop()).value();
  d.subscribe(&told);
  for (int day = 0; day < 2; ++day) {
    for (int c = 0; c < 3; ++c) {
      const auto who = number(fmt::format("+39333123456{}", c).c_str());
      auto in = inbound(fmt::format("wamid.in.{}.{}", day, c), fmt::format("+39333123456{}", c), clock.now());
      if (c == 1 && day == 0) in.referral = referral{};
      in.at = clock.now() - std::chrono::seconds(2);
      REQUIRE(d.receive(in));
      REQUIRE(d.receive(in)->duplicate);  // a retried webhook: nothing journaled
      clock.advance(std::chrono::seconds(3));
      const auto reply = d.send({"shop", "n1", who, text_content{"hi"}, ""}).value();
      REQUIRE(reply.decision.allowed);
      const auto promo = d.send({"shop", "n1", who,
                                 template_content{"promo", "en_US", template_category::marketing, {}}, ""})
                             .value();
      for (const auto& id : {reply.message_id, promo.message_id}) {
        if (id.empty()) continue;  // the transport failed it
        clock.advance(std::chrono::seconds(1));
        const auto sent_at = clock.now();
        REQUIRE(d.apply_status(test::status(id, message_status::sent, sent_at)));
        clock.advance(std::chrono::seconds(4));
        if (c == 2) {
          auto failed = test::status(id, message_status::failed, clock.now());
          failed.error = status_error{131'026, "Message undeliverable", "", ""};
          REQUIRE(d.apply_status(failed));
          continue;
        }
        REQUIRE(d.apply_status(test::status(id, message_status::read, clock.now())));
        // Late and out of order: no change, nothing journaled.
        REQUIRE(d.apply_status(test::status(id, message_status::delivered, sent_at)));
      }
      clock.advance(std::chrono::minutes(10));
    }
    clock.advance(std::chrono::hours(24));
  }
  d.unsubscribe(&told);
}

}  // namespace

/// A store of `kind` that keeps the desk's journal (the memory store only
/// keeps it when asked).
struct journaling_store {
  explicit journaling_store(const std::string& kind) {
    memory_store_options keep;
    keep.keep_journal = true;
    if (kind == "memory")
      memory = std::make_unique<memory_store>(keep);
    else
      durable.emplace(kind);
  }
  store& get() { return memory ? *memory : durable->get(); }
  std::unique_ptr<memory_store> memory;
  std::optional<store_under_test> durable;
};

TEST_CASE("stores give the journal back as the desk wrote it, across purges and trims", "[store][journal]") {
  const auto kind = GENERATE(from_range(store_kinds()));
  INFO(kind);
  memory_store_options keep;
  keep.keep_journal = true;
  memory_store reference{keep};
  full_observer told_reference;
  journaled_traffic(reference, told_reference);
  const auto expected = journal_of(reference);
  REQUIRE(expected.size() > 20);

  journaling_store j(kind);
  store* s = &j.get();
  full_observer told;
  journaled_traffic(*s, told);
  CHECK(told.lines == told_reference.lines);
  CHECK(journal_of(*s) == expected);
  if (j.durable) {  // and after a restart
    j.durable->reopen();
    s = &j.get();
    CHECK(journal_of(*s) == expected);
  }
  const auto replay = [&] {
    manual_clock clock{store_t0()};
    chatdesk::desk d{clock, *s, nullptr};
    full_observer replayed;
    REQUIRE(d.replay_journal(replayed));
    return replayed.lines;
  };
  CHECK(replay() == told.lines);

  // Purging every record keeps the journal whole.
  {
    manual_clock later{store_t0() + std::chrono::hours(24 * 30)};
    chatdesk::desk d{later, *s, nullptr};
    d.add_business(shop()).value();
    REQUIRE(d.purge(later.now()));
    CHECK_FALSE(s->find_message("wamid.in.0.0"));
  }
  CHECK(journal_of(*s) == expected);
  CHECK(replay() == told.lines);

  // Trimming forgets exactly the entries before its time, and only those.
  const auto middle = store_t0() + std::chrono::hours(24);
  s->trim_journal(middle);
  std::vector<std::pair<timestamp, std::string>> rest;
  for (const auto& e : expected)
    if (e.first >= middle) rest.push_back(e);
  REQUIRE(!rest.empty());
  REQUIRE(rest.size() < expected.size());
  CHECK(journal_of(*s) == rest);
  s->trim_journal(store_t0());  // an earlier time forgets nothing more, and brings nothing back
  CHECK(journal_of(*s) == rest);
}

TEST_CASE("a long journal is read whole and in order, and its reader may use the store meanwhile",
          "[store][journal]") {
  const auto kind = GENERATE(from_range(store_kinds()));
  INFO(kind);
  journaling_store j(kind);
  store* s = &j.get();
  // More entries than a durable store reads at a time, one a second.
  constexpr int entries = 10'000;
  for (int i = 0; i < entries; ++i)
    s->append_journal(store_t0() + std::chrono::seconds(i), fmt::format("line {}", i));

  const auto read = [&](timestamp since, int stop_after) {
    std::vector<std::string> lines;
    std::uint64_t last_seq = 0;
    bool ordered = true;
    s->read_journal(since, [&](const journal_entry& e) {
      ordered = ordered && e.seq > last_seq;
      last_seq = e.seq;
      lines.push_back(e.data);
      if (lines.size() % 1000 == 0) {  // the store answers other calls while it is read
        s->save_mark("journal.read", e.at);
        CHECK(s->load_mark("journal.read") == e.at);
      }
      return static_cast<int>(lines.size()) < stop_after;
    });
    CHECK(ordered);
    return lines;
  };
  const auto all = read(never, entries + 1);
  REQUIRE(all.size() == entries);
  for (int i = 0; i < entries; i += 997) CHECK(all[static_cast<std::size_t>(i)] == fmt::format("line {}", i));
  CHECK(all.back() == fmt::format("line {}", entries - 1));

  const auto later = read(store_t0() + std::chrono::seconds(5'000), entries);
  REQUIRE(later.size() == entries - 5'000);
  CHECK(later.front() == "line 5000");
  CHECK(later.back() == all.back());

  // A reader that stops is given no more, across a batch's end too.
  CHECK(read(never, 4'100).size() == 4'100);
  CHECK(read(never, 1).size() == 1);
}
