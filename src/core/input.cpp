#include "chatdesk/core/input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

namespace chatdesk {

namespace {

constexpr std::size_t block = std::size_t{64} * 1024;

std::string size_text(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20U) && bytes % (std::size_t{1} << 20U) == 0)
    return fmt::format("{} MiB", bytes >> 20U);
  return fmt::format("{} bytes", bytes);
}

error read_failed(std::string_view name, std::string_view during) {
  return make_error("input.read",
                    fmt::format("reading {} failed {}: the input ended with a read error", name, during),
                    std::string(name));
}

}  // namespace

result<std::string> read_stream(std::istream& in, std::size_t limit, std::string_view name) {
  if (in.bad()) return read_failed(name, "before its start");
  std::string out;
  const std::size_t cap = limit == SIZE_MAX ? limit : limit + 1;  // one byte more tells "too large"
  while (out.size() < cap) {
    const std::size_t want = std::min(block, cap - out.size());
    const std::size_t had = out.size();
    out.resize(had + want);
    in.read(out.data() + had, static_cast<std::streamsize>(want));
    out.resize(had + static_cast<std::size_t>(in.gcount()));
    if (in.bad()) return read_failed(name, fmt::format("after {} bytes", out.size()));
    if (in.eof()) break;
  }
  if (out.size() > limit)
    return make_error(
        "input.too_large",
        fmt::format("{} is larger than the limit of {} for this kind of input", name, size_text(limit)),
        std::string(name));
  return out;
}

result<std::ifstream> open_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found)
    return make_error("input.not_found", fmt::format("'{}' does not exist", path), path);
  if (status.type() == std::filesystem::file_type::directory)
    return make_error("input.directory", fmt::format("'{}' is a directory, not a file", path), path);
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int why = errno;
    return make_error(
        "input.unreadable",
        fmt::format("'{}' cannot be opened: {}", path,
                    why != 0 ? std::generic_category().message(why)  // strerror is not thread-safe
                             : (ec ? ec.message() : "unknown reason")),
        path);
  }
  return in;
}

result<std::string> read_file(const std::string& path, std::size_t limit) {
  auto in = open_file(path);
  if (!in) return in.error();
  auto text = read_stream(*in, limit, fmt::format("'{}'", path));
  if (!text) {
    auto e = std::move(text).error();
    e.where = path;
    return e;
  }
  return text;
}

line_reader::line_reader(std::istream& in, std::size_t max_line, std::string name)
    : in_(in), max_line_(max_line), name_(std::move(name)), buffer_(block) {
  if (!in_) {
    failure_ = make_error("input.read", fmt::format("{} cannot be read", name_), name_);
    eof_ = true;
  }
}

bool line_reader::fill() {
  if (eof_) return false;
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  const auto got = static_cast<std::size_t>(in_.gcount());
  if (in_.bad()) {
    failure_ = make_error(
        "input.read",
        fmt::format("reading {} failed at line {}: the input ended with a read error", name_, number_ + 1),
        fmt::format("{}:{}", name_, number_ + 1));
    eof_ = true;
    return false;
  }
  if (got == 0) {
    eof_ = true;
    return false;
  }
  begin_ = 0;
  end_ = got;
  return true;
}

std::optional<result<std::string_view>> line_reader::next() {
  long_line_.clear();
  bool started = false;   // part of this line was read
  bool too_long = false;  // past max_line_: the rest is skipped
  auto finish = [&](std::string_view line) -> std::optional<result<std::string_view>> {
    ++number_;
    if (too_long)
      return result<std::string_view>(
          make_error("input.line_too_long",
                     fmt::format("line {} of {} is longer than the limit of {}; it was skipped", number_,
                                 name_, size_text(max_line_)),
                     fmt::format("{}:{}", name_, number_)));
    return result<std::string_view>(line);
  };
  for (;;) {
    if (begin_ == end_ && !fill()) {
      if (failure_ || !started) return std::nullopt;
      return finish(long_line_);  // a last line without '\n'
    }
    const char* start = buffer_.data() + begin_;
    const auto available = end_ - begin_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', available));
    const std::size_t length = newline != nullptr ? static_cast<std::size_t>(newline - start) : available;
    if (!too_long && long_line_.size() + length > max_line_) {
      too_long = true;
      long_line_.clear();
      long_line_.shrink_to_fit();
    }
    started = true;
    if (newline != nullptr) {
      begin_ += length + 1;
      if (too_long || long_line_.empty()) return finish(std::string_view(start, length));
      long_line_.append(start, length);
      return finish(long_line_);
    }
    if (!too_long) long_line_.append(start, length);
    begin_ = end_;
  }
}

}  // namespace chatdesk
