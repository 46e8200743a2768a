// Stores under test: the same checks run against every store, each made
// fresh in its own temporary directory, and durable ones reopened as an
// application restarting would.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include <unistd.h>

#include <fmt/format.h>

#include "chatdesk/engine/store.hpp"
#include "chatdesk/store/sqlite_store.hpp"

namespace chatdesk::test {

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

/// One store of a kind ("memory", "sqlite"), reopened on request.
class store_under_test {
 public:
  explicit store_under_test(std::string kind, sqlite_store_options options = {})
      : kind_(std::move(kind)), options_(options) {
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

 private:
  void open() {
    if (kind_ == "memory") {
      store_ = std::make_unique<memory_store>();
    } else {
      store_ = sqlite_store::open(path(), options_).value();
    }
  }
  std::string kind_;
  sqlite_store_options options_;
  temp_dir dir_;
  std::unique_ptr<store> store_;
};

}  // namespace chatdesk::test
