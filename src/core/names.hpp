// One name table per enum (internal): `to_string`, parsing and the JSON
// writers read the same constexpr array, indexed by the enum's value, so a
// name is written once and the two directions cannot disagree.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ascii.hpp"

namespace chatdesk::detail {

/// The name of `e` in `names` (the enum's values are 0, 1, ... in order).
template <class Enum, std::size_t N>
constexpr std::string_view name_in(const std::array<std::string_view, N>& names, Enum e,
                                   std::string_view unknown = "unknown") noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : unknown;
}

/// The value named exactly `text`, if any.
template <class Enum, std::size_t N>
constexpr std::optional<Enum> named(const std::array<std::string_view, N>& names,
                                    std::string_view text) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<Enum>(i);
  return std::nullopt;
}

/// The value named `text` in any ASCII case, if any.
template <class Enum, std::size_t N>
std::optional<Enum> named_ignoring_case(const std::array<std::string_view, N>& names,
                                        std::string_view text) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (iequals(names[i], text)) return static_cast<Enum>(i);
  return std::nullopt;
}

/// "a, b, c": the names, for a refusal that lists what is allowed.
template <std::size_t N>
std::string names_list(const std::array<std::string_view, N>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace chatdesk::detail
