/// @file
/// Orders to review and pay in the chat: the `order_details` message (India:
/// UPI and payment gateways; Brazil: Pix dynamic code, payment link, boleto)
/// and the `order_status` message that updates it. Amounts are exact money;
/// the platform's `{value, offset}` form is written and read at the edge,
/// where an amount that does not fit its currency is refused. Validation
/// checks every limit and every total to the last minor unit, and a refusal
/// names the field, the limit and the value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/money.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/model/payment.hpp"

namespace chatdesk {

/// What an order sells.
enum class goods_type : std::uint8_t { digital_goods, physical_goods };
[[nodiscard]] CHATDESK_API std::string_view to_string(
    goods_type g) noexcept;  ///< "digital-goods", "physical-goods"

/// How the customer may pay: a payment gateway or UPI intent (India), or one
/// of Brazil's methods.
enum class payment_method : std::uint8_t {
  payment_gateway,
  upi_intent,
  pix_dynamic_code,
  payment_link,
  boleto
};
/// "payment_gateway", "upi_intent", "pix_dynamic_code", "payment_link", "boleto".
[[nodiscard]] CHATDESK_API std::string_view to_string(payment_method m) noexcept;

/// One way to pay an order, with the fields its method needs.
struct CHATDESK_API payment_setting {
  payment_method method = payment_method::payment_gateway;
  std::string gateway;  ///< payment_gateway: "razorpay", "payu", "billdesk", "zaakpay", "cashfree"
  std::string
      configuration_name;      ///< payment_gateway and upi_intent: the configuration set up with the platform
  std::string pix_code;        ///< pix_dynamic_code: the Pix copy-and-paste code
  std::string merchant_name;   ///< pix_dynamic_code
  std::string pix_key;         ///< pix_dynamic_code
  std::string pix_key_type;    ///< pix_dynamic_code: "CPF", "CNPJ", "EMAIL", "PHONE", "EVP"
  std::string uri;             ///< payment_link: an https link
  std::string digitable_line;  ///< boleto: the 47 or 48 digits

  friend bool operator==(const payment_setting&, const payment_setting&) = default;
};

/// One line of an order.
struct CHATDESK_API order_line {
  std::string retailer_id;  ///< the product's id in the catalog
  std::string name;
  money amount;                      ///< the unit price
  std::optional<money> sale_amount;  ///< a lower unit price that applies instead
  std::uint32_t quantity = 1;

  /// The unit price charged: the sale amount when there is one.
  [[nodiscard]] money unit_price() const noexcept { return sale_amount ? *sale_amount : amount; }

  friend bool operator==(const order_line&, const order_line&) = default;
};

/// An amount added to or taken off an order, with what it is for.
struct CHATDESK_API order_adjustment {
  money value;
  std::string description;
  std::string program_name;  ///< discounts: the discount program's name

  friend bool operator==(const order_adjustment&, const order_adjustment&) = default;
};

/// An order to review and pay: the parameters of an `order_details` message
/// and the texts around them.
struct CHATDESK_API order_details {
  std::string reference_id;  ///< unique per business: letters, digits, '_', '-', '.'
  goods_type type = goods_type::physical_goods;
  currency order_currency;  ///< INR or BRL
  /// "upi" (India) or "br" (Brazil); empty: the market's own.
  std::string payment_type;
  std::vector<payment_setting> payment_settings;
  std::string catalog_id;              ///< optional
  std::optional<timestamp> expires;    ///< at least 300 s after it is sent
  std::string expiration_description;  ///< at most 120 characters
  std::vector<order_line> items;
  money subtotal;        ///< the sum of unit price x quantity
  order_adjustment tax;  ///< required; may be zero
  std::optional<order_adjustment> shipping;
  std::optional<order_adjustment> discount;
  money total;         ///< subtotal + tax + shipping - discount
  std::string header;  ///< optional text header, at most 60 characters
  std::string body;    ///< at most 1,024 characters
  std::string footer;  ///< at most 60 characters

  friend bool operator==(const order_details&, const order_details&) = default;
};

/// The platform's limits on an order (PLATFORM.md 7).
struct CHATDESK_API order_limits {
  std::size_t max_reference_id = 60;
  std::size_t max_item_name = 60;
  std::size_t max_items = 999;
  std::size_t max_body = 1024;
  std::size_t max_footer = 60;
  std::size_t max_header = 60;
  std::size_t max_expiration_description = 120;
  std::size_t max_description = 120;  ///< tax, shipping, discount descriptions
  std::uint32_t max_quantity = 1000000;
  std::chrono::seconds min_expiry{300};
};

/// The sums an order's lines and adjustments give.
struct CHATDESK_API order_totals {
  money subtotal;  ///< sum of unit price x quantity
  money total;     ///< subtotal + tax + shipping - discount
};

/// Computes the subtotal and total from the lines and adjustments, exactly.
/// Errors: `payments.currency_mismatch` (an amount in another currency than
/// the order's), `payments.overflow`, `payments.negative_total` (each names the field).
[[nodiscard]] CHATDESK_API result<order_totals> compute_totals(const order_details& order);

/// Fills `subtotal` and `total` from the lines and adjustments (the builder's way).
[[nodiscard]] CHATDESK_API result<void> fill_totals(order_details& order);

/// Checks an order against the platform's limits at `now` (the expiry must be
/// `min_expiry` after it): every text, every amount, the totals. Errors
/// `payments.invalid_order` (a field's value or length; `where` is the
/// field's path, such as `order.items[2].name`), `payments.invalid_utf8`,
/// `payments.currency_mismatch`, `payments.overflow`, `payments.negative_total`,
/// `payments.total_mismatch` (the subtotal or total stated differs from the
/// sum: both are named).
[[nodiscard]] CHATDESK_API result<void> validate(const order_details& order, timestamp now,
                                                 const order_limits& limits = {});

/// The money `a` is, in `c`: the offset must be 10 to the power of the
/// currency's minor digits (100 for INR and BRL) and the value must fit.
/// Error `payments.invalid_amount` naming the value, the offset and the currency.
[[nodiscard]] CHATDESK_API result<money> to_money(const payment_amount& a, currency c);
/// The platform's form of `m`: its minor units over 10 to the power of its minor digits.
[[nodiscard]] CHATDESK_API payment_amount to_payment_amount(money m) noexcept;

/// The `order_details` action parameters as the platform's JSON (`reference_id`,
/// `type`, `payment_type`, `payment_settings`, `currency`, `total_amount`, `order`).
[[nodiscard]] CHATDESK_API std::string to_parameters_json(const order_details& order);
/// Reads an order from the JSON of `to_parameters_json`, or a whole
/// `order_details` interactive object (`{"type":"order_details", "body":
/// ..., "action": {"name": "review_and_pay", "parameters": ...}}`). It reads
/// only: call `validate` after. Errors `payments.syntax`, `payments.invalid_order`
/// and `payments.invalid_amount`, naming the JSON path.
[[nodiscard]] CHATDESK_API result<order_details> parse_order_details(std::string_view json);

/// The interactive message that sends `order` (kind `order_details`, the
/// parameters as `payload_json`), for `desk::send`.
[[nodiscard]] CHATDESK_API interactive_content order_details_message(const order_details& order);

/// An update to an order as the `order_status` message carries it.
struct CHATDESK_API order_update {
  std::string reference_id;
  order_status status = order_status::processing;
  std::string description;  ///< why, shown to the customer (at most 120 characters)
  std::string body;         ///< the message's text (at most 1,024 characters)
  std::string footer;

  friend bool operator==(const order_update&, const order_update&) = default;
};

/// The interactive `order_status` message (action `review_order`) for `update`.
[[nodiscard]] CHATDESK_API interactive_content order_status_message(const order_update& update);

}  // namespace chatdesk
