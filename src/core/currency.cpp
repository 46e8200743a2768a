#include <algorithm>

#include <fmt/format.h>

#include "currency_table.hpp"

namespace chatdesk {

std::span<const currency_info> currency_table() noexcept {
  return detail::currency_rows;
}

namespace {
const currency_info* find_code(std::string_view code) noexcept {
  const auto& rows = detail::currency_rows;
  auto it = std::lower_bound(rows.begin(), rows.end(), code,
                             [](const currency_info& r, std::string_view c) { return r.code < c; });
  return (it != rows.end() && it->code == code) ? &*it : nullptr;
}

currency from_row(const currency_info& r) {
  return currency::unchecked(r.code, r.numeric, r.minor_digits);
}
}  // namespace

result<currency> currency::from_code(std::string_view code) {
  if (const auto* row = find_code(code)) return from_row(*row);
  return make_error("currency.unknown", fmt::format("'{}' is not an ISO 4217 currency code", code));
}

result<currency> currency::from_numeric(int numeric) {
  // Prefer a current code when a withdrawn one shares the number (ANG/XCG 532).
  const currency_info* found = nullptr;
  for (const auto& r : detail::currency_rows) {
    if (r.numeric == numeric && (found == nullptr || found->withdrawn)) found = &r;
  }
  if (found != nullptr) return from_row(*found);
  return make_error("currency.unknown", fmt::format("{} is not an ISO 4217 numeric currency code", numeric));
}

const currency_info& currency::info() const noexcept {
  if (const auto* row = find_code(code())) return *row;
  return *find_code("XXX");
}

}  // namespace chatdesk
