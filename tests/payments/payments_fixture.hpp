// Shared pieces of the payments tests: a shop in India, a shop in Brazil,
// their customers, and orders whose sums were worked out by hand.
#pragma once

#include <string>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/payments/order.hpp"

namespace chatdesk::test {

inline timestamp payments_noon() {
  return parse_timestamp("2026-11-20T12:00:00Z").value();
}

inline business chai_shop() {
  business b;
  b.id = "chai";
  b.display_name = "Chai & Co";
  b.home_country = country::unchecked("IN");
  b.numbers.push_back({"in-1", phone_number::parse("+912240001234").value(), 80});
  return b;
}

inline business rio_shop() {
  business b;
  b.id = "rio";
  b.display_name = "Loja Rio";
  b.home_country = country::unchecked("BR");
  b.numbers.push_back({"br-1", phone_number::parse("+552130001234").value(), 80});
  return b;
}

inline phone_number indian_customer(int n = 0) {
  return phone_number::parse("+9198765" + std::to_string(43210 + n)).value();
}
inline phone_number brazilian_customer() {
  return phone_number::parse("+5511987654321").value();
}

inline money inr(std::int64_t paise) {
  return money(paise, currencies::inr);
}
inline money brl(std::int64_t centavos) {
  return money(centavos, currencies::brl);
}

inline order_line order_line_of(std::string id, std::string name, money amount, std::uint32_t quantity) {
  order_line l;
  l.retailer_id = std::move(id);
  l.name = std::move(name);
  l.amount = amount;
  l.quantity = quantity;
  return l;
}

/// Two chai at 150.00 on sale at 120.00, one notebook at 99.50: subtotal
/// 2 x 120.00 + 99.50 = 339.50; tax 18.00, shipping 40.00, discount 25.50:
/// total 339.50 + 18.00 + 40.00 - 25.50 = 372.00 INR.
inline order_details chai_order(std::string reference = "CHAI-1001") {
  order_details o;
  o.reference_id = std::move(reference);
  o.order_currency = currencies::inr;
  o.payment_type = "upi";
  payment_setting gateway;
  gateway.method = payment_method::payment_gateway;
  gateway.gateway = "razorpay";
  gateway.configuration_name = "chai-razorpay";
  o.payment_settings.push_back(gateway);
  auto chai = order_line_of("chai-250", "Masala chai 250 g", inr(15000), 2);
  chai.sale_amount = inr(12000);
  o.items.push_back(chai);
  o.items.push_back(order_line_of("nb-a5", "Notebook A5", inr(9950), 1));
  o.subtotal = inr(33950);
  o.tax.value = inr(1800);
  o.tax.description = "GST";
  order_adjustment ship;
  ship.value = inr(4000);
  o.shipping = ship;
  order_adjustment off;
  off.value = inr(2550);
  off.description = "Diwali";
  off.program_name = "festive";
  o.discount = off;
  o.total = inr(37200);
  o.body = "Your order from Chai & Co";
  o.footer = "Thank you";
  o.expires = payments_noon() + std::chrono::hours(1);
  return o;
}

/// One bag of coffee, 49.90 BRL, paid by Pix: total 49.90 + 0 tax.
inline order_details rio_order() {
  order_details o;
  o.reference_id = "RIO.77";
  o.order_currency = currencies::brl;
  o.payment_type = "br";
  payment_setting pix;
  pix.method = payment_method::pix_dynamic_code;
  pix.pix_code = "00020101021226700014br.gov.bcb.pix";
  pix.merchant_name = "Loja Rio";
  pix.pix_key = "loja@example.com";
  pix.pix_key_type = "EMAIL";
  o.payment_settings.push_back(pix);
  o.items.push_back(order_line_of("cafe-1", "Café torrado 500 g", brl(4990), 1));
  o.subtotal = brl(4990);
  o.tax.value = brl(0);
  o.total = brl(4990);
  o.body = "Seu pedido";
  return o;
}

}  // namespace chatdesk::test
