#include "chatdesk/core/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace chatdesk::utf8 {

namespace {

/// Length of the valid sequence starting at `i`, or 0 if it is invalid.
std::size_t sequence_at(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  auto cont = [&](std::size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0U) == 0x80U;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // UTF-16 surrogates
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;  // 0x80-0xC1 and 0xF5-0xFF never start a sequence
}

/// True when the 8 bytes at `p` are all ASCII.
bool ascii8(const char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return (v & 0x8080808080808080ULL) == 0;
}

}  // namespace

std::optional<std::size_t> length(std::string_view text) noexcept {
  // One pass: validate and count code points together (ASCII eight at a time).
  const std::size_t n = text.size();
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++count) {
    if (i + 8 <= n && ascii8(text.data() + i)) {
      i += 8;
      count += 7;
      continue;
    }
    const auto len = sequence_at(text, i);
    if (len == 0) return std::nullopt;
    i += len;
  }
  return count;
}

std::optional<std::size_t> first_invalid(std::string_view text) noexcept {
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    if (i + 8 <= n && ascii8(text.data() + i)) {
      i += 8;
      continue;
    }
    const auto len = sequence_at(text, i);
    if (len == 0) return i;
    i += len;
  }
  return std::nullopt;
}

namespace {

/// Writes byte `u` as \xNN.
void append_escaped(std::string& out, unsigned char u) {
  static constexpr char hex[] = "0123456789abcdef";
  out += "\\x";
  out += hex[u >> 4U];
  out += hex[u & 0x0FU];
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto u = static_cast<unsigned char>(text[i]);
    const std::size_t len = sequence_at(text, i);
    const bool escape = len == 0 || u < 0x20 || u == 0x7F;
    const std::size_t width = escape ? 4 : len;
    if (out.size() + width > max_bytes) break;
    if (escape) {
      append_escaped(out, u);
      i += 1;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

std::string escape_invalid(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t len = sequence_at(text, i);
    if (len == 0) {
      append_escaped(out, static_cast<unsigned char>(text[i]));
      i += 1;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string_view character_at(std::string_view text, std::size_t offset) noexcept {
  if (offset >= text.size()) return {};
  const std::size_t len = sequence_at(text, offset);
  return text.substr(offset, len == 0 ? 1 : len);
}

}  // namespace chatdesk::utf8
