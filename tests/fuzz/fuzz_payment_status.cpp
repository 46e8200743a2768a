// Fuzzes payment statuses end to end: any bytes as a webhook body, decoded by
// `webhook_decoder` and each payment status applied to an order book (in
// memory) holding two orders. Properties: no crash; every refusal has a code
// and a message in valid UTF-8; applying the same batch again changes
// nothing (a retried webhook counts no payment twice); an order once
// captured stays captured.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/payments/order_book.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace {

void check(const chatdesk::error& e) {
  if (e.code.empty() || e.message.empty() || !chatdesk::utf8::valid(e.message)) __builtin_trap();
}

chatdesk::order_details order_of(const char* reference) {
  using chatdesk::money;
  chatdesk::order_details o;
  o.reference_id = reference;
  o.order_currency = chatdesk::currencies::inr;
  o.payment_type = "upi";
  chatdesk::order_line l;
  l.retailer_id = "chai";
  l.name = "Chai";
  l.amount = money(37200, chatdesk::currencies::inr);
  o.items.push_back(l);
  o.subtotal = l.amount;
  o.tax.value = money(0, chatdesk::currencies::inr);
  o.total = l.amount;
  o.body = "Your order";
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static chatdesk::webhook_decoder decoder;
  auto batch = decoder.decode(input);
  if (!batch) {
    check(batch.error());
    return 0;
  }
  chatdesk::manual_clock clock;
  chatdesk::memory_store store;
  chatdesk::order_book book(clock, store);
  chatdesk::business shop;
  shop.id = "chai";
  shop.home_country = chatdesk::country::unchecked("IN");
  const auto customer = chatdesk::phone_number::parse("+919876543210").value();
  if (!book.create(shop, customer, order_of("CHAI-1001")) ||
      !book.create(shop, customer, order_of("CHAI-1002")))
    __builtin_trap();
  const auto apply_all = [&] {
    for (const auto& e : batch->events) {
      const auto* s = std::get_if<chatdesk::webhook_status>(&e);
      if (s == nullptr) continue;
      const bool was_captured = book.find("chai", s->payment ? s->payment->reference_id : "")
                                    .value_or(chatdesk::order_record{})
                                    .payment == chatdesk::payment_status::captured;
      auto r = book.apply("chai", *s);
      if (!r) {
        check(r.error());
        continue;
      }
      if (was_captured && r->order.payment != chatdesk::payment_status::captured) __builtin_trap();
    }
  };
  apply_all();
  const auto first = book.find("chai", "CHAI-1001");
  const auto second = book.find("chai", "CHAI-1002");
  apply_all();  // the platform retries the same body
  if (book.find("chai", "CHAI-1001") != first || book.find("chai", "CHAI-1002") != second) __builtin_trap();
  return 0;
}
