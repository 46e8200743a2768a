// Fuzzes the order reader and validator (chatdesk/payments/order.hpp) with
// any bytes as an order's JSON. Properties: no crash; every refusal has a
// code and a message in valid UTF-8; an order that reads and validates
// writes back to JSON that reads as the same order (texts aside), and its
// stated sums equal the computed ones.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/payments/order.hpp"

namespace {

void check(const chatdesk::error& e) {
  if (e.code.empty() || e.message.empty() || !chatdesk::utf8::valid(e.message)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto order = chatdesk::parse_order_details(input);
  if (!order) {
    check(order.error());
    return 0;
  }
  if (auto totals = chatdesk::compute_totals(*order); !totals) check(totals.error());
  if (order->body.empty()) order->body = "Your order";
  const auto now = chatdesk::timestamp{};  // any expiry in the data is in the future
  if (auto valid = chatdesk::validate(*order, now); !valid) {
    check(valid.error());
    return 0;
  }
  const auto totals = chatdesk::compute_totals(*order);
  if (!totals || totals->subtotal != order->subtotal || totals->total != order->total) __builtin_trap();
  auto back = chatdesk::parse_order_details(chatdesk::to_parameters_json(*order));
  if (!back) __builtin_trap();
  back->body = order->body;
  back->footer = order->footer;
  back->header = order->header;
  if (!(*back == *order)) __builtin_trap();
  return 0;
}
