/// @file
/// Reading input from outside with limits: whole files and streams up to a
/// size, and lines one at a time up to a length. A read error is never taken
/// for the end of the input, a directory is refused by name, and nothing past
/// a limit is kept in memory.
#pragma once

#include <cstddef>
#include <fstream>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// The limits chatdesk's program uses for each kind of input (an application
/// may choose its own).
namespace input_limits {
inline constexpr std::size_t webhook_body = std::size_t{16} << 20U;  ///< a webhook body: 16 MiB
inline constexpr std::size_t document = std::size_t{4} << 20U;       ///< a card, plan, template file: 4 MiB
inline constexpr std::size_t line = std::size_t{1} << 20U;           ///< one line of a JSON Lines file: 1 MiB
}  // namespace input_limits

/// The file at `path`, open for reading in binary mode. Errors (each names
/// the path): `input.not_found`, `input.directory`, `input.unreadable`
/// (permissions and other open failures, with the system's reason).
[[nodiscard]] CHATDESK_API result<std::ifstream> open_file(const std::string& path);

/// The whole of the file at `path`, if it has at most `limit` bytes.
/// Errors: those of `open_file`, `input.too_large` (refused after reading `limit` + 1
/// bytes at most, so a never-ending file such as /dev/zero is refused too),
/// `input.read` (an I/O error before the end).
[[nodiscard]] CHATDESK_API result<std::string> read_file(const std::string& path, std::size_t limit);

/// The rest of `in`, if it has at most `limit` bytes. `name` says what the
/// stream is in errors ("standard input"). Errors: `input.too_large`, `input.read`.
[[nodiscard]] CHATDESK_API result<std::string> read_stream(std::istream& in, std::size_t limit,
                                                           std::string_view name);

/// Reads a stream line by line, in blocks, without ever holding more than one
/// line of at most `max_line` bytes. Lines end with '\n'; a last line without
/// one counts; a '\r' before the '\n' is kept (callers that trim blanks drop it).
///
/// ```
/// line_reader lines(in, input_limits::line, "events.jsonl");
/// while (auto line = lines.next()) {
///   if (!*line) { report(line->error()); continue; }   // a line too long: skipped, reading goes on
///   use(**line);
/// }
/// if (auto e = lines.failure()) return *e;               // a read error ended the input early
/// ```
class CHATDESK_API line_reader {
 public:
  line_reader(std::istream& in, std::size_t max_line, std::string name);

  /// The next line, or nothing at the end of the input (or after a read
  /// error: see `failure`). A line longer than `max_line` is an error
  /// `input.line_too_long` naming its number; it is skipped whole and the
  /// next call goes on after it. The view is valid until the next call.
  [[nodiscard]] std::optional<result<std::string_view>> next();

  /// The number of the line `next` returned last (1 for the first).
  [[nodiscard]] std::size_t line_number() const noexcept { return number_; }

  /// Set when the input ended with a read error rather than at its end
  /// (`input.read`, naming the line that was being read).
  [[nodiscard]] const std::optional<error>& failure() const noexcept { return failure_; }

 private:
  bool fill();

  std::istream& in_;
  std::size_t max_line_;
  std::string name_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // the unread part of buffer_ is [begin_, end_)
  std::size_t end_ = 0;
  std::string long_line_;  // a line that crossed the end of the buffer
  std::size_t number_ = 0;
  bool eof_ = false;
  std::optional<error> failure_;
};

}  // namespace chatdesk
