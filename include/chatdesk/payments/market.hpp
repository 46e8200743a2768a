/// @file
/// Where payments in the chat run: India (UPI and payment gateways, INR, +91
/// customers, Indian businesses) and Brazil (Pix, payment links, boleto, BRL,
/// +55 customers, Brazilian businesses). A market is data, so an application
/// can follow the platform when it opens another.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/country.hpp"
#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/payments/order.hpp"

namespace chatdesk {

/// One market where customers may pay in the chat.
struct CHATDESK_API payment_market {
  std::string name;                     ///< "India"
  country home;                         ///< where the business must be: IN
  int calling_code = 0;                 ///< the customers' calling code: 91
  currency market_currency;             ///< INR
  std::string payment_type;             ///< the order's `payment_type`: "upi", "br"
  std::vector<payment_method> methods;  ///< the payment settings allowed
};

/// India and Brazil, as PLATFORM.md 7 describes them.
[[nodiscard]] CHATDESK_API const std::vector<payment_market>& default_payment_markets();

/// The market in which `business` may ask `customer` to pay `order`, or
/// `payments.market` with the reason a person can read: the currency has no
/// market, the business is not in it, the customer's number is not, or the
/// payment type or a payment setting is not one the market takes.
[[nodiscard]] CHATDESK_API result<const payment_market*> check_market(
    const business& business, const phone_number& customer, const order_details& order,
    const std::vector<payment_market>& markets = default_payment_markets());

}  // namespace chatdesk
