#include "chatdesk/model/payment.hpp"

#include <array>

#include <fmt/format.h>

#include "../core/names.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

namespace {

constexpr std::array<std::string_view, 4> payment_names{"none", "pending", "captured", "failed"};
constexpr std::array<std::string_view, 6> order_names{"pending", "processing", "partially-shipped",
                                                      "shipped", "completed",  "canceled"};
static_assert(static_cast<std::size_t>(payment_status::failed) + 1 == payment_names.size());
static_assert(static_cast<std::size_t>(order_status::canceled) + 1 == order_names.size());

}  // namespace

std::string_view to_string(payment_status s) noexcept {
  return detail::name_in(payment_names, s);
}

result<payment_status> parse_payment_status(std::string_view text) {
  if (auto s = detail::named_ignoring_case<payment_status>(payment_names, text);
      s && *s != payment_status::none)
    return *s;
  return make_error(
      "payments.unknown_payment_status",
      fmt::format("'{}' is not a payment status (pending, captured, failed)", utf8::printable(text)));
}

std::string_view to_string(order_status s) noexcept {
  return detail::name_in(order_names, s);
}

result<order_status> parse_order_status(std::string_view text) {
  if (text == "partially_shipped") return order_status::partially_shipped;
  if (auto s = detail::named_ignoring_case<order_status>(order_names, text)) return *s;
  return make_error("payments.unknown_order_status",
                    fmt::format("'{}' is not an order status ({})", utf8::printable(text),
                                detail::names_list(order_names)));
}

}  // namespace chatdesk
