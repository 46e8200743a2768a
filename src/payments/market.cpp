#include "chatdesk/payments/market.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

const std::vector<payment_market>& default_payment_markets() {
  static const std::vector<payment_market> markets{
      payment_market{"India",
                     country::unchecked("IN"),
                     91,
                     currencies::inr,
                     "upi",
                     {payment_method::payment_gateway, payment_method::upi_intent}},
      payment_market{
          "Brazil",
          country::unchecked("BR"),
          55,
          currencies::brl,
          "br",
          {payment_method::pix_dynamic_code, payment_method::payment_link, payment_method::boleto}},
  };
  return markets;
}

result<const payment_market*> check_market(const business& business, const phone_number& customer,
                                           const order_details& order,
                                           const std::vector<payment_market>& markets) {
  const auto refuse = [](std::string why) { return make_error("payments.market", std::move(why)); };
  const auto it = std::find_if(markets.begin(), markets.end(), [&](const payment_market& m) {
    return m.market_currency == order.order_currency;
  });
  if (it == markets.end()) {
    std::string names;
    for (const auto& m : markets)
      names += fmt::format("{}{} in {}", names.empty() ? "" : ", ", m.market_currency.code(), m.name);
    return refuse(fmt::format("payments in the chat take no {} (they run in: {})",
                              order.order_currency.code(), names.empty() ? "no market" : names));
  }
  const auto& m = *it;
  if (business.home_country != m.home)
    return refuse(
        fmt::format("{} orders are for businesses in {}; {} is in {}", m.market_currency.code(), m.name,
                    utf8::printable(business.display_name.empty() ? business.id : business.display_name),
                    business.home_country.empty() ? std::string("no known country")
                                                  : std::string(business.home_country.name())));
  if (customer.empty() || customer.calling_code_value() != m.calling_code)
    return refuse(fmt::format("{} orders are for customers with +{} numbers; this customer's number is {}",
                              m.market_currency.code(), m.calling_code,
                              customer.empty() ? std::string("unknown") : customer.e164()));
  if (!order.payment_type.empty() && order.payment_type != m.payment_type)
    return refuse(fmt::format("payment type '{}' is not taken in {}; it takes '{}'",
                              utf8::printable(order.payment_type), m.name, m.payment_type));
  for (const auto& s : order.payment_settings)
    if (std::find(m.methods.begin(), m.methods.end(), s.method) == m.methods.end())
      return refuse(fmt::format("{} payments are not taken in {}", to_string(s.method), m.name));
  return &m;
}

}  // namespace chatdesk
