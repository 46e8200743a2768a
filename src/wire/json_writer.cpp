#include "chatdesk/wire/json_writer.hpp"

#include <cstdint>
#include <cstring>
#include <iterator>

#include <fmt/format.h>

namespace chatdesk {

namespace {

/// True when one of the 8 bytes of `v` needs escaping in JSON: below 0x20, '"' or '\\'.
bool needs_escape8(std::uint64_t v) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  auto has_zero = [&](std::uint64_t x) { return ((x - ones) & ~x & highs) != 0; };
  const bool control = ((v - ones * 0x20) & ~v & highs) != 0;  // some byte < 0x20
  return control || has_zero(v ^ (ones * '"')) || has_zero(v ^ (ones * '\\'));
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  // The usual case, nothing to escape: one resize and one copy.
  std::size_t clean = 0;
  while (clean + 8 <= n) {
    std::uint64_t v = 0;
    std::memcpy(&v, p + clean, sizeof v);
    if (needs_escape8(v)) break;
    clean += 8;
  }
  while (clean < n) {
    const auto c = static_cast<unsigned char>(p[clean]);
    if (c < 0x20 || c == '"' || c == '\\') break;
    ++clean;
  }
  if (clean == n) {
    const auto old = out.size();
    out.resize(old + n + 2);
    char* dst = out.data() + old;
    dst[0] = '"';
    if (n > 0) std::memcpy(dst + 1, p, n);
    dst[n + 1] = '"';
    return;
  }
  out += '"';
  std::size_t run = 0;  // start of the current run of characters that need no escape
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t v = 0;
      std::memcpy(&v, p + i, sizeof v);
      if (!needs_escape8(v)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(p + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    }
    ++i;
  }
  out.append(p + run, n - run);
  out += '"';
}

}  // namespace chatdesk
