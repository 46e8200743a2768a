/// @file
/// Errors with stable codes, the exception that carries one, and `result<T>`,
/// the value-or-error type every parser of untrusted input returns.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// What went wrong, in a form a program can test and a person can read.
///
/// - `code` is stable across releases and namespaced by module, e.g.
///   `phone.too_short` or `money.currency_mismatch`; docs/errors.md lists them.
/// - `message` is one sentence for a person: it names the rule and the value.
/// - `where` says where in the input the problem is (a JSON path, a field name,
///   a character offset, a file and line); it may be empty.
struct CHATDESK_API error {
  std::string code;
  std::string message;
  std::string where;

  /// "[chatdesk.<code>] <message> (at <where>)": the form used in exceptions and logs.
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const error&, const error&) = default;
};

/// Builds an error; a helper so call sites stay one line. Whatever a message
/// or place quotes, they come out valid UTF-8: a byte that is not is written
/// as \xNN, so an error about untrusted input can always be shown or logged.
[[nodiscard]] CHATDESK_API error make_error(std::string_view code, std::string message,
                                            std::string where = {});

/// The one exception type chatdesk throws. It is thrown only for broken
/// preconditions (arithmetic overflow, mixing currencies, `result::value()` on an
/// error); untrusted input is reported through `result<T>` instead.
class CHATDESK_API exception : public std::runtime_error {
 public:
  explicit exception(error e) : std::runtime_error(e.to_string()), error_(std::move(e)) {}

  /// The error this exception carries.
  [[nodiscard]] const error& err() const noexcept { return error_; }

 private:
  error error_;
};

namespace detail {
/// The only place chatdesk throws.
CHATDESK_API [[noreturn]] void throw_error(error e);
}  // namespace detail

/// Marks a failed result when constructing one: `return chatdesk::failure(err);`.
struct CHATDESK_API failure {
  explicit failure(error e) : err(std::move(e)) {}
  error err;
};

/// A value of type `T` or an `error`; a small stand-in for C++23's
/// `std::expected<T, error>` with the same member names.
template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T>, "result<T&> is not supported");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, chatdesk::error>, "result<error> is ambiguous");

 public:
  using value_type = T;

  /// A successful result holding `value`.
  template <class U = T,
            std::enable_if_t<std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, result> &&
                                 !std::is_same_v<std::decay_t<U>, failure> &&
                                 !std::is_same_v<std::decay_t<U>, chatdesk::error>,
                             int> = 0>
  result(U&& value) : state_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT

  /// A failed result.
  result(failure f) : state_(std::in_place_index<1>, std::move(f.err)) {}  // NOLINT
  /// A failed result.
  result(chatdesk::error e) : state_(std::in_place_index<1>, std::move(e)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; throws `chatdesk::exception` carrying the error if there is none.
  [[nodiscard]] T& value() & {
    check();
    return std::get<0>(state_);
  }
  [[nodiscard]] const T& value() const& {
    check();
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && {
    check();
    return std::get<0>(std::move(state_));
  }

  /// The value, or `fallback` when there is an error.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  /// The error; only valid when `!has_value()`.
  [[nodiscard]] const chatdesk::error& error() const& { return std::get<1>(state_); }
  [[nodiscard]] chatdesk::error&& error() && { return std::get<1>(std::move(state_)); }

  [[nodiscard]] T& operator*() & { return value(); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] T* operator->() { return &value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }

 private:
  void check() const {
    if (!has_value()) detail::throw_error(std::get<1>(state_));
  }

  std::variant<T, chatdesk::error> state_;
};

/// `result<void>`: success, or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;

  result() = default;
  result(failure f) : error_(std::move(f.err)), ok_(false) {}      // NOLINT
  result(chatdesk::error e) : error_(std::move(e)), ok_(false) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  /// Throws `chatdesk::exception` if this is an error.
  void value() const {
    if (!ok_) detail::throw_error(error_);
  }
  [[nodiscard]] const chatdesk::error& error() const& { return error_; }

 private:
  chatdesk::error error_;
  bool ok_ = true;
};

}  // namespace chatdesk
