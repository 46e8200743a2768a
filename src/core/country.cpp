#include <algorithm>

#include <fmt/format.h>

#include "country_table.hpp"

namespace chatdesk {

std::span<const country_info> country_table() noexcept {
  return detail::country_rows;
}

namespace {
const country_info* find_alpha2(std::string_view code) noexcept {
  const auto& rows = detail::country_rows;
  auto it = std::lower_bound(rows.begin(), rows.end(), code,
                             [](const country_info& r, std::string_view c) { return r.alpha2 < c; });
  return (it != rows.end() && it->alpha2 == code) ? &*it : nullptr;
}
char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
}  // namespace

result<country> country::from_alpha2(std::string_view code) {
  if (code.size() == 2) {
    const char up[2] = {upper(code[0]), upper(code[1])};
    if (const auto* row = find_alpha2(std::string_view(up, 2))) return unchecked(row->alpha2);
  }
  return make_error("country.unknown", fmt::format("'{}' is not an ISO 3166-1 alpha-2 country code", code));
}

const country_info* country::info() const noexcept {
  return empty() ? nullptr : find_alpha2(alpha2());
}

std::string_view country::name() const noexcept {
  const auto* row = info();
  return row != nullptr ? row->name : std::string_view{};
}

}  // namespace chatdesk
