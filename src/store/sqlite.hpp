// A small RAII layer over the SQLite C API: a connection, prepared statements
// that reset themselves after use, and SQLite's result codes mapped to
// chatdesk's `store.*` errors. Only bind parameters reach SQL: no statement is
// ever built from input.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "chatdesk/core/error.hpp"

namespace chatdesk::detail::sqlite {

/// The `store.*` error for SQLite's result code `rc` while doing `what`.
[[nodiscard]] inline error to_error(int rc, std::string_view what, sqlite3* db, std::string_view path) {
  const int primary = rc & 0xff;
  const char* why = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string_view code = "store.failed";
  switch (primary) {
    case SQLITE_FULL:
      code = "store.full";
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = "store.busy";
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = "store.corrupt";
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = "store.unavailable";
      break;
    default:
      break;
  }
  return make_error(std::string(code), fmt::format("{} ({}): {}", what, path, why), std::string(path));
}

struct connection_closer {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using connection = std::unique_ptr<sqlite3, connection_closer>;

/// A prepared statement, kept and reused. `use()` hands it out for one
/// execution and resets it (and its bindings) when that ends.
class statement {
 public:
  statement() = default;
  statement(sqlite3* db, std::string_view sql, std::string_view path) : db_(db), path_(path) {
    sqlite3_stmt* s = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &s, nullptr);
    if (rc != SQLITE_OK) throw_error(to_error(rc, "preparing a statement", db, path));
    stmt_.reset(s);
  }

  /// One execution: bind, step, read; reset when destroyed.
  class use {
   public:
    explicit use(statement& s) : s_(s) {}
    ~use() {
      sqlite3_reset(s_.stmt_.get());
      sqlite3_clear_bindings(s_.stmt_.get());
    }
    use(const use&) = delete;
    use& operator=(const use&) = delete;

    use& bind(int i, std::int64_t v) {
      check(sqlite3_bind_int64(s_.stmt_.get(), i, v));
      return *this;
    }
    use& bind(int i, std::string_view v) {
      // SQLITE_STATIC: the text outlives the execution (it is the caller's).
      check(sqlite3_bind_text(s_.stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
      return *this;
    }
    /// Text, or NULL when empty.
    use& bind_or_null(int i, std::string_view v) {
      if (v.empty()) {
        check(sqlite3_bind_null(s_.stmt_.get(), i));
        return *this;
      }
      return bind(i, v);
    }
    use& bind_null(int i) {
      check(sqlite3_bind_null(s_.stmt_.get(), i));
      return *this;
    }
    /// Steps once: true when a row is ready, false when done.
    bool step() {
      const int rc = sqlite3_step(s_.stmt_.get());
      if (rc == SQLITE_ROW) return true;
      if (rc == SQLITE_DONE) return false;
      throw_error(to_error(rc, "running a statement", s_.db_, s_.path_));
    }
    /// Runs a statement that returns no rows.
    void run() {
      while (step()) {
      }
    }
    [[nodiscard]] std::int64_t integer(int column) const {
      return sqlite3_column_int64(s_.stmt_.get(), column);
    }
    [[nodiscard]] bool is_null(int column) const {
      return sqlite3_column_type(s_.stmt_.get(), column) == SQLITE_NULL;
    }
    [[nodiscard]] std::string_view text(int column) const {
      const auto* p = sqlite3_column_text(s_.stmt_.get(), column);
      if (p == nullptr) return {};
      // SQLite hands text out as unsigned char; the bytes are the UTF-8 stored.
      return {reinterpret_cast<const char*>(p),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
              static_cast<std::size_t>(sqlite3_column_bytes(s_.stmt_.get(), column))};
    }

   private:
    void check(int rc) const {
      if (rc != SQLITE_OK) throw_error(to_error(rc, "binding a value", s_.db_, s_.path_));
    }
    statement& s_;
  };

 private:
  struct finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, finalizer> stmt_;
  sqlite3* db_ = nullptr;
  std::string_view path_;
};

/// The name of a VFS over the default one that writes each transaction's
/// write-ahead-log frames with one system call (sqlite_vfs.cpp), registered
/// on first use; nullptr where the default VFS cannot be layered over.
[[nodiscard]] const char* batching_vfs() noexcept;

/// Runs SQL text of the library's own (never input), for schema and pragmas.
inline void exec(sqlite3* db, const char* sql, std::string_view what, std::string_view path) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    sqlite3_free(message);
    throw_error(to_error(rc, what, db, path));
  }
}

}  // namespace chatdesk::detail::sqlite
