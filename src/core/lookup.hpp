// Look-up helpers shared by the compiled parts (internal).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chatdesk/core/phone_number.hpp"

namespace chatdesk::detail {

/// A string hash that also takes string_views, for heterogeneous look-ups.
struct text_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// A map from strings searchable with a string_view without building a string.
template <class V>
using text_map = std::unordered_map<std::string, V, text_hash, std::equal_to<>>;

/// A phone number as one integer: its digits (15 at most, no leading zero), 0 for none.
[[nodiscard]] inline std::uint64_t phone_value(const phone_number& p) noexcept {
  std::uint64_t v = 0;
  for (char c : p.digits()) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

}  // namespace chatdesk::detail
