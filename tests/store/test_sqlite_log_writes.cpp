// The SQLite store hands each commit's log frames to the operating system in
// one write (src/store/sqlite_vfs.cpp). These tests hold it to SQLite's own
// promises: a commit is in the file when it returns, large transactions and
// failed writes behave as without the layer.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/store/sqlite_store.hpp"
#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"
#include "store/store_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

namespace {

/// Another reader of the file, through SQLite's own VFS and its own file
/// handles, as another process would read it.
class plain_reader {
 public:
  explicit plain_reader(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  }
  ~plain_reader() { sqlite3_close(db_); }
  plain_reader(const plain_reader&) = delete;
  plain_reader& operator=(const plain_reader&) = delete;

  /// The first column of the first row, as text ("" when there is no row).
  std::string text(const char* query) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, query, -1, &s, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }
  /// The same as a number (-1 when there is no row).
  std::int64_t count(const char* query) {
    const auto t = text(query);
    return t.empty() ? -1 : std::stoll(t);
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("a commit is in the file when it returns: another connection reads it at once", "[store][sqlite]") {
  for (const bool batch : {true, false}) {
    INFO("batch_log_writes: " << batch);
    temp_dir dir;
    const auto path = dir.file("seen.db");
    sqlite_store_options options;
    options.batch_log_writes = batch;
    auto st = sqlite_store::open(path, options).value();
    manual_clock clock{store_t0()};
    function_transport wire([](const outbound_message& m) {
      return transport_answer::accepted("wamid.out." + m.message.correlation_id);
    });
    desk d(clock, *st, &wire);
    d.add_business(shop()).value();
    plain_reader other(path);
    for (int i = 0; i < 40; ++i) {
      clock.advance(100ms);
      const auto customer = fmt::format("+39333{:07}", i);
      REQUIRE(d.receive(inbound(fmt::format("wamid.in{}", i), customer, clock.now())));
      CHECK(other.count("SELECT count(*) FROM messages") == 2 * i + 1);
      auto sent = d.send({"shop", "n1", number(customer.c_str()), text_content{"ok"}, ""});
      REQUIRE(sent);
      REQUIRE(sent->decision.allowed);
      CHECK(other.count("SELECT count(*) FROM messages") == 2 * i + 2);
      REQUIRE(d.apply_status(status(sent->message_id, message_status::read, clock.now())));
      CHECK(other.count("SELECT count(*) FROM messages WHERE status = 3") == i + 1);
    }
  }
}

TEST_CASE("a transaction larger than the log buffer commits whole", "[store][sqlite]") {
  for (const bool batch : {true, false}) {
    INFO("batch_log_writes: " << batch);
    temp_dir dir;
    const auto path = dir.file("large.db");
    sqlite_store_options options;
    options.batch_log_writes = batch;
    auto st = sqlite_store::open(path, options).value();
    // 3 MiB, then 200,000 bytes (not a multiple of any write size): thousands of pages in one commit.
    const std::string large(3 << 20, 'x');
    const std::string odd(200'000, 'o');
    {
      auto lock = st->lock("shop", number("+393331234567"), true);
      st->save_record("test", "large", large);
      st->save_record("test", "odd", odd);
      lock->commit();
    }
    plain_reader other(path);
    CHECK(other.count("SELECT length(value) FROM records WHERE kind = 'test' AND key = 'large'") ==
          static_cast<std::int64_t>(large.size()));
    CHECK(other.count("SELECT count(*) FROM records WHERE kind = 'test'") == 2);
    {  // one that is rolled back leaves nothing, and the next commit is whole
      auto lock = st->lock("shop", number("+393331234567"), true);
      st->save_record("test", "dropped", large);
    }
    st->save_record("test", "after", "z");
    CHECK(other.count("SELECT count(*) FROM records WHERE kind = 'test'") == 3);
    st.reset();
    auto again = sqlite_store::open(path).value();
    CHECK(again->load_record("test", "large") == large);
    CHECK(again->load_record("test", "odd") == odd);
    CHECK_FALSE(again->load_record("test", "dropped"));
    CHECK(again->load_record("test", "after") == "z");
  }
}

namespace {

/// In a child process: a desk writing until the operating system refuses to
/// let the log grow (RLIMIT_FSIZE), then writing again once it may. Exit
/// status 0 when every promise held; otherwise which one broke.
[[noreturn]] void write_past_the_limit(const std::string& path, bool batch) {
  ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead of killing
  sqlite_store_options options;
  options.batch_log_writes = batch;
  auto opened = sqlite_store::open(path, options);
  if (!opened) ::_exit(10);
  auto& st = **opened;
  manual_clock clock{store_t0()};
  desk d(clock, st);
  if (!d.add_business(shop())) ::_exit(11);
  const auto receive = [&](int i) {
    clock.advance(100ms);
    return d.receive(inbound(fmt::format("wamid.in{}", i), fmt::format("+39333{:07}", i), clock.now()));
  };
  int i = 0;
  for (; i < 20; ++i)
    if (!receive(i)) ::_exit(12);
  rlimit limit{};
  ::getrlimit(RLIMIT_FSIZE, &limit);
  const auto unlimited = limit;
  const auto log_size = std::filesystem::file_size(path + "-wal");
  limit.rlim_cur = static_cast<rlim_t>(log_size + 20'000);  // room for a few steps, not a few hundred
  if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(13);
  int accepted = i;
  std::string failed_id;
  for (; i < 400; ++i) {
    auto r = receive(i);
    if (r) {
      ++accepted;
      continue;
    }
    const auto& code = r.error().code;
    if (code != "store.full" && code != "store.unavailable") {
      std::fprintf(stderr, "child: %s\n", r.error().to_string().c_str());
      ::_exit(14);
    }
    failed_id = fmt::format("wamid.in{}", i);
    break;
  }
  if (failed_id.empty()) ::_exit(15);           // the limit never bit
  if (st.find_message(failed_id)) ::_exit(16);  // the failed step left something
  if (::setrlimit(RLIMIT_FSIZE, &unlimited) != 0) ::_exit(17);
  for (int j = 0; j < accepted; ++j)
    if (!st.find_message(fmt::format("wamid.in{}", j))) ::_exit(18);  // an acknowledged step lost
  if (!receive(i)) ::_exit(19);                                       // the refused message, again: taken now
  if (!receive(i + 1)) ::_exit(20);
  if (st.conversation_count() != static_cast<std::size_t>(accepted + 2)) ::_exit(21);
  ::_exit(0);
}

}  // namespace

TEST_CASE("a log write the operating system refuses fails that step only, with a clear error",
          "[store][sqlite]") {
  for (const bool batch : {true, false}) {
    INFO("batch_log_writes: " << batch);
    temp_dir dir;
    const auto path = dir.file("limited.db");
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) write_past_the_limit(path, batch);
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    REQUIRE(WIFEXITED(wstatus));
    CHECK(WEXITSTATUS(wstatus) == 0);
    // The file, read afresh: whole, with every step the child was told succeeded.
    auto st = sqlite_store::open(path).value();
    plain_reader other(path);
    CHECK(other.text("PRAGMA integrity_check") == "ok");
    CHECK(other.count("SELECT count(*) FROM conversations") >= 22);  // 20 before the limit, 2 after it
    CHECK(other.count("SELECT count(*) FROM conversations") ==
          static_cast<std::int64_t>(st->conversation_count()));
  }
}
