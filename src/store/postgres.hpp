// A small RAII layer over libpq: connections, results, parameters passed as
// text (never spliced into SQL), and PostgreSQL's SQLSTATE codes mapped to
// chatdesk's `store.*` errors.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "chatdesk/core/error.hpp"

namespace chatdesk::detail::postgres {

struct connection_closer {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using connection = std::unique_ptr<PGconn, connection_closer>;

struct result_clearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result = std::unique_ptr<PGresult, result_clearer>;

/// The `store.*` code for a failure: the connection's state first (a lost
/// connection is `store.unavailable` whatever the server last said), then
/// the SQLSTATE's class.
[[nodiscard]] inline std::string_view code_of(PGconn* c, const PGresult* r) {
  if (c == nullptr || PQstatus(c) != CONNECTION_OK) return "store.unavailable";
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) return "store.unavailable";  // no answer from the server
  const std::string_view s(state);
  if (s.starts_with("08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300")
    return "store.unavailable";  // connection gone, server shutting down or starting, too many clients
  if (s == "53100") return "store.full";  // disk full
  if (s == "40001" || s == "40P01" || s == "55P03" || s == "57014")
    return "store.busy";  // serialization, deadlock, lock timeout, statement cancelled
  if (s.starts_with("XX")) return "store.corrupt";
  return "store.failed";
}

/// The error for a failure while doing `what`.
[[nodiscard]] inline error to_error(PGconn* c, const PGresult* r, std::string_view what,
                                    std::string_view where) {
  std::string why = r != nullptr ? PQresultErrorMessage(r) : "";
  if (why.empty() && c != nullptr) why = PQerrorMessage(c);
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  if (why.empty()) why = "no answer from the server";
  return make_error(std::string(code_of(c, r)), fmt::format("PostgreSQL, {} ({}): {}", what, where, why),
                    std::string(where));
}

/// Up to 16 parameters in text form; a null stays null. Safe to move (a
/// step's writes wait in a queue until they are sent): the values live in
/// one buffer, each ended by a NUL, and their addresses are taken when sent.
class params {
 public:
  params& add(std::string_view v) {
    check_room();
    start_[n_] = static_cast<std::uint32_t>(text_.size());
    text_.append(v);
    text_.push_back('\0');
    null_[n_++] = false;
    return *this;
  }
  params& add(std::int64_t v) {
    std::array<char, 24> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return add(std::string_view(buf.data(), static_cast<std::size_t>(r.ptr - buf.data())));
  }
  params& null() {
    check_room();
    null_[n_++] = true;
    return *this;
  }
  /// Empty text is stored as null (ids not known yet).
  params& add_or_null(std::string_view v) { return v.empty() ? null() : add(v); }
  [[nodiscard]] int size() const noexcept { return static_cast<int>(n_); }
  /// The values as libpq takes them, valid until this object changes or moves.
  [[nodiscard]] const char* const* values() const noexcept {
    for (std::size_t i = 0; i < n_; ++i) ptr_[i] = null_[i] ? nullptr : text_.c_str() + start_[i];
    return ptr_.data();
  }

 private:
  static constexpr std::size_t capacity = 16;
  void check_room() const {
    if (n_ == capacity) throw std::out_of_range("chatdesk: a statement takes at most 16 parameters");
  }
  std::string text_;
  std::array<std::uint32_t, capacity> start_{};
  std::array<bool, capacity> null_{};
  mutable std::array<const char*, capacity> ptr_{};
  std::size_t n_ = 0;
};

/// Reads a result's cells.
class rows {
 public:
  rows(const PGresult* r, std::string_view where) : r_(r), where_(where) {}
  [[nodiscard]] int size() const noexcept { return PQntuples(r_); }
  [[nodiscard]] bool is_null(int row, int col) const noexcept { return PQgetisnull(r_, row, col) != 0; }
  [[nodiscard]] std::string_view text(int row, int col) const noexcept {
    return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
  }
  [[nodiscard]] std::int64_t integer(int row, int col) const {
    const auto t = text(row, col);
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc{} || ptr != t.data() + t.size())
      throw_error(
          make_error("store.corrupt",
                     fmt::format("PostgreSQL ({}): '{}' in column {} is not an integer", where_, t, col),
                     std::string(where_)));
    return v;
  }

 private:
  const PGresult* r_;
  std::string_view where_;
};

}  // namespace chatdesk::detail::postgres
