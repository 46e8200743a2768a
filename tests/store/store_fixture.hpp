// Stores under test: the same checks run against every store, each made
// fresh in its own temporary directory, and durable ones reopened as an
// application restarting would.
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/store/sqlite_store.hpp"
#if defined(CHATDESK_WITH_POSTGRES)
#include "chatdesk/store/postgres_store.hpp"
#endif

namespace chatdesk::test {

/// The store tests' start of time.
inline timestamp store_t0() {
  return parse_timestamp("2026-03-02T09:00:00Z").value();
}

/// A customer's text message to the shop's number n1.
inline message inbound(const std::string& id, const std::string& customer, timestamp when,
                       std::string body = "hello") {
  message m;
  m.direction = direction::inbound;
  m.id = id;
  m.business_number_id = "n1";
  m.customer = phone_number::parse(customer).value();
  m.at = when;
  m.content = text_content{std::move(body)};
  return m;
}

/// A directory removed with everything in it when the object goes.
class temp_dir {
 public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            fmt::format("chatdesk-test-{}-{}", ::getpid(), counter.fetch_add(1));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// The PostgreSQL server the tests use: $CHATDESK_TEST_POSTGRES (a libpq
/// connection string), else the throwaway cluster ctest starts
/// (scripts/pg-cluster.sh writes its connection string); nullopt without one.
inline std::optional<std::string> postgres_conninfo() {
#if defined(CHATDESK_WITH_POSTGRES)
  if (const char* env = std::getenv("CHATDESK_TEST_POSTGRES"); env != nullptr && *env != '\0') return env;
  std::ifstream in(CHATDESK_TEST_POSTGRES_DIR "/conninfo");
  std::string line;
  if (std::getline(in, line) && !line.empty()) return line;
#endif
  return std::nullopt;
}

/// The kinds of store to run a conformance check against: "memory",
/// "sqlite", and "postgres" when a server is there.
inline std::vector<std::string> store_kinds() {
  std::vector<std::string> kinds{"memory", "sqlite"};
  if (postgres_conninfo()) kinds.emplace_back("postgres");
  return kinds;
}
/// The durable kinds only.
inline std::vector<std::string> durable_store_kinds() {
  std::vector<std::string> kinds{"sqlite"};
  if (postgres_conninfo()) kinds.emplace_back("postgres");
  return kinds;
}

/// A schema name no other store under test uses (PostgreSQL).
inline std::string unique_schema() {
  static std::atomic<int> counter{0};
  return fmt::format("t_{}_{}", ::getpid(), counter.fetch_add(1));
}

/// One store of a kind ("memory", "sqlite", "postgres"), reopened on request.
class store_under_test {
 public:
  explicit store_under_test(std::string kind, sqlite_store_options options = {})
      : kind_(std::move(kind)), options_(options), schema_(unique_schema()) {
    open();
  }
  [[nodiscard]] store& get() { return *store_; }
  [[nodiscard]] const std::string& kind() const { return kind_; }
  [[nodiscard]] bool durable() const { return kind_ != "memory"; }
  [[nodiscard]] std::string path() const { return dir_.file("desk.db"); }
  /// Closes and opens the store again, as a restarted application would (the
  /// memory store has nothing to reopen and stays as it is).
  void reopen() {
    if (!durable()) return;
    store_.reset();
    open();
  }
  void close() { store_.reset(); }
  /// Another instance over the same durable state (the same file or schema),
  /// as another process of the application would open it.
  [[nodiscard]] std::unique_ptr<store> open_another() const {
    if (kind_ == "sqlite") return sqlite_store::open(path(), options_).value();
#if defined(CHATDESK_WITH_POSTGRES)
    if (kind_ == "postgres") {
      postgres_store_options o;
      o.schema = schema_;
      o.keep_content = options_.keep_content;
      o.keep_journal = options_.keep_journal;
      return postgres_store::open(postgres_conninfo().value(), o).value();
    }
#endif
    return std::make_unique<memory_store>();
  }
  /// Conversations held (durable stores).
  [[nodiscard]] std::size_t conversation_count() {
    if (auto* s = dynamic_cast<sqlite_store*>(store_.get())) return s->conversation_count();
#if defined(CHATDESK_WITH_POSTGRES)
    if (auto* s = dynamic_cast<postgres_store*>(store_.get())) return s->conversation_count();
#endif
    return dynamic_cast<memory_store&>(*store_).conversation_count();
  }
  [[nodiscard]] const std::string& schema() const {
    return schema_;
  }

 private:
  void open() {
    store_ = kind_ == "memory" ? std::make_unique<memory_store>() : open_another();
  }
  std::string kind_;
  sqlite_store_options options_;
  std::string schema_;
  temp_dir dir_;
  std::unique_ptr<store> store_;
};

}  // namespace chatdesk::test
