// Orders: totals worked out by hand, every limit refused with its field and
// value, the platform's JSON both ways, and the market rules.
#include <string>

#include <nlohmann/json.hpp>

#include "chatdesk/payments/market.hpp"
#include "chatdesk/payments/order.hpp"
#include "helpers/catch.hpp"
#include "payments/payments_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;

namespace {

error refusal(const result<void>& r) {
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("order totals: sale prices, tax, shipping and discount to the last paisa", "[payments]") {
  const auto o = chai_order();
  auto t = compute_totals(o);
  REQUIRE(t);
  CHECK(t->subtotal == inr(33950));  // 2 x 120.00 (the sale price) + 99.50
  CHECK(t->total == inr(37200));     // 339.50 + 18.00 + 40.00 - 25.50
  CHECK(validate(o, payments_noon()));

  SECTION("a stated subtotal that uses the regular price is refused, naming both") {
    auto bad = o;
    bad.subtotal = inr(39950);  // 2 x 150.00 + 99.50: the sale price ignored
    const auto& e = refusal(validate(bad, payments_noon()));
    CHECK(e.code == "payments.total_mismatch");
    CHECK(e.where == "order.subtotal");
    CHECK_THAT(e.message, contains_substring("399.50 INR"));
    CHECK_THAT(e.message, contains_substring("339.50 INR"));
  }
  SECTION("a total off by one paisa is refused") {
    auto bad = o;
    bad.total = inr(37201);
    const auto& e = refusal(validate(bad, payments_noon()));
    CHECK(e.code == "payments.total_mismatch");
    CHECK(e.where == "total_amount");
    CHECK_THAT(e.message, contains_substring("372.01 INR"));
    CHECK_THAT(e.message, contains_substring("372.00 INR"));
  }
  SECTION("fill_totals computes them") {
    auto built = o;
    built.subtotal = inr(0);
    built.total = inr(0);
    REQUIRE(fill_totals(built));
    CHECK(built == o);
  }
  SECTION("a discount larger than everything else gives a negative total") {
    auto bad = o;
    bad.discount->value = inr(100000);
    const auto t2 = compute_totals(bad);
    REQUIRE_FALSE(t2);
    CHECK(t2.error().code == "payments.negative_total");
    CHECK_THAT(t2.error().message, contains_substring("-602.50 INR"));  // 339.50 + 18.00 + 40.00 - 1000.00
  }
  SECTION("sums that overflow are refused, not wrapped") {
    auto bad = o;
    bad.items[1].amount = inr(INT64_MAX / 2);
    bad.items[1].quantity = 3;
    const auto t2 = compute_totals(bad);
    REQUIRE_FALSE(t2);
    CHECK(t2.error().code == "payments.overflow");
    CHECK(t2.error().where == "order.items[1].quantity");
  }
  SECTION("an amount in another currency is refused") {
    auto bad = o;
    bad.items[0].amount = money(15000, currencies::usd);
    const auto& e = refusal(validate(bad, payments_noon()));
    CHECK(e.code == "payments.currency_mismatch");
    CHECK(e.where == "order.items[0].amount");
  }
}

TEST_CASE("order totals: cases computed by hand", "[payments]") {
  struct line {
    std::int64_t amount;
    std::int64_t sale;  // 0: none
    std::uint32_t quantity;
  };
  struct worked {
    std::vector<line> lines;
    std::int64_t tax, shipping, discount, subtotal, total;
  };
  const std::vector<worked> cases{
      {{{100, 0, 1}}, 0, 0, 0, 100, 100},
      {{{1999, 0, 3}}, 360, 0, 0, 5997, 6357},
      {{{1999, 1499, 3}, {250, 0, 4}}, 0, 500, 1000, 5497, 4997},     // 4497 + 1000
      {{{5000, 4999, 1}, {1, 0, 999}}, 1, 1, 5999, 5998, 1},          // pays one paisa
      {{{123456789, 0, 1000}}, 0, 0, 0, 123456789000, 123456789000},  // 1,234,567,890.00 INR
  };
  for (const auto& c : cases) {
    auto o = chai_order();
    o.items.clear();
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
      auto l = order_line_of("p" + std::to_string(i), "Item " + std::to_string(i), inr(c.lines[i].amount),
                             c.lines[i].quantity);
      if (c.lines[i].sale != 0) l.sale_amount = inr(c.lines[i].sale);
      o.items.push_back(l);
    }
    o.tax.value = inr(c.tax);
    o.shipping->value = inr(c.shipping);
    o.discount->value = inr(c.discount);
    o.subtotal = inr(c.subtotal);
    o.total = inr(c.total);
    INFO("subtotal " << c.subtotal << " total " << c.total);
    CHECK(validate(o, payments_noon()));
  }
}

TEST_CASE("order limits: each refusal names the field, the limit and the value", "[payments]") {
  const auto now = payments_noon();
  auto o = chai_order();
  SECTION("reference id: length and characters") {
    o.reference_id = std::string(61, 'A');
    auto e = refusal(validate(o, now));
    CHECK(e.code == "payments.invalid_order");
    CHECK(e.where == "reference_id");
    CHECK_THAT(e.message, contains_substring("61 characters; at most 60"));
    o.reference_id = "CHAI 1001";
    e = refusal(validate(o, now));
    CHECK_THAT(e.message, contains_substring("'CHAI 1001'"));
    o.reference_id = "CHAI_1001-b.2";
    CHECK(validate(o, now));
  }
  SECTION("item names: 60 characters, counted as characters not bytes") {
    o.items[1].name = std::string(30, 'a') + "\xC3\xA9" + std::string(29, 'b');  // 60 characters, 61 bytes
    CHECK(validate(o, now));
    o.items[1].name += "c";
    const auto e = refusal(validate(o, now));
    CHECK(e.where == "order.items[1].name");
    CHECK_THAT(e.message, contains_substring("61 characters; at most 60"));
  }
  SECTION("invalid UTF-8 in an item name") {
    o.items[0].name = "chai \xFF";
    const auto e = refusal(validate(o, now));
    CHECK(e.code == "payments.invalid_utf8");
    CHECK(e.where == "order.items[0].name");
  }
  SECTION("expiration at least 300 s ahead") {
    o.expires = now + std::chrono::seconds(299);
    auto e = refusal(validate(o, now));
    CHECK(e.where == "order.expiration.timestamp");
    CHECK_THAT(e.message, contains_substring("at least 300 s"));
    o.expires = now + std::chrono::seconds(300);
    CHECK(validate(o, now));
  }
  SECTION("body and footer") {
    o.body = std::string(1025, 'x');
    auto e = refusal(validate(o, now));
    CHECK(e.where == "body");
    CHECK_THAT(e.message, contains_substring("1025 characters; at most 1024"));
    o.body.clear();
    e = refusal(validate(o, now));
    CHECK_THAT(e.message, contains_substring("is required"));
    o.body = "ok";
    o.footer = std::string(61, 'f');
    e = refusal(validate(o, now));
    CHECK(e.where == "footer");
  }
  SECTION("quantities, prices and sale prices") {
    o.items[1].quantity = 0;
    CHECK(refusal(validate(o, now)).where == "order.items[1].quantity");
    o = chai_order();
    o.items[0].sale_amount = inr(15001);  // above the regular price
    auto e = refusal(validate(o, now));
    CHECK(e.where == "order.items[0].sale_amount");
    CHECK_THAT(e.message, contains_substring("150.01 INR"));
    o = chai_order();
    o.tax.value = inr(-1);
    CHECK(refusal(validate(o, now)).where == "order.tax.value");
  }
  SECTION("an order needs items") {
    o.items.clear();
    CHECK(refusal(validate(o, now)).where == "order.items");
  }
  SECTION("payment settings") {
    o.payment_settings[0].gateway = "paypal";
    auto e = refusal(validate(o, now));
    CHECK(e.where == "payment_settings[0].payment_gateway.type");
    CHECK_THAT(e.message, contains_substring("razorpay"));
    auto r = rio_order();
    r.payment_settings[0].pix_key_type = "IBAN";
    CHECK(refusal(validate(r, now)).where == "payment_settings[0].pix_dynamic_code.key_type");
    r = rio_order();
    r.payment_settings[0].method = payment_method::boleto;
    r.payment_settings[0].digitable_line = "1234";
    CHECK(refusal(validate(r, now)).where == "payment_settings[0].boleto.digitable_line");
    r.payment_settings[0].digitable_line = std::string(47, '7');
    CHECK(validate(r, now));
    r.payment_settings[0].method = payment_method::payment_link;
    r.payment_settings[0].uri = "http://pay.example.com/x";
    CHECK(refusal(validate(r, now)).where == "payment_settings[0].payment_link.uri");
  }
}

TEST_CASE("order JSON: the platform's value and offset form both ways", "[payments]") {
  const auto o = chai_order();
  const auto text = to_parameters_json(o);
  const auto j = nlohmann::json::parse(text);
  CHECK(j["reference_id"] == "CHAI-1001");
  CHECK(j["currency"] == "INR");
  CHECK(j["total_amount"] == nlohmann::json({{"value", 37200}, {"offset", 100}}));
  CHECK(j["order"]["status"] == "pending");
  CHECK(j["order"]["items"][0]["sale_amount"]["value"] == 12000);
  CHECK(j["order"]["subtotal"]["value"] == 33950);
  CHECK(j["order"]["discount"]["discount_program_name"] == "festive");
  CHECK(j["payment_settings"][0]["payment_gateway"]["type"] == "razorpay");

  auto back = parse_order_details(text);
  REQUIRE(back);
  auto expected = o;  // the parameters carry no texts
  expected.body.clear();
  expected.footer.clear();
  CHECK(*back == expected);

  SECTION("a whole interactive object, texts included") {
    const auto m = order_details_message(o);
    CHECK(m.kind == interactive_kind::order_details);
    nlohmann::json whole{
        {"type", "order_details"},
        {"body", {{"text", m.body}}},
        {"footer", {{"text", m.footer}}},
        {"action", {{"name", "review_and_pay"}, {"parameters", nlohmann::json::parse(m.payload_json)}}}};
    auto again = parse_order_details(whole.dump());
    REQUIRE(again);
    CHECK(*again == o);
  }
  SECTION("Brazil's Pix setting") {
    auto r = parse_order_details(to_parameters_json(rio_order()));
    REQUIRE(r);
    CHECK(r->payment_settings == rio_order().payment_settings);
  }
  SECTION("amounts with the wrong offset are refused, naming the path") {
    auto bad = j;
    bad["order"]["items"][1]["amount"]["offset"] = 1000;
    auto r = parse_order_details(bad.dump());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "payments.invalid_amount");
    CHECK(r.error().where == "order.items[1].amount");
    CHECK_THAT(r.error().message, contains_substring("offset 1000"));
    CHECK_THAT(r.error().message, contains_substring("INR amounts use offset 100"));
  }
  SECTION("malformed documents") {
    for (const auto* body :
         {"", "[1]", "{", R"({"reference_id":"A","currency":"INR"})",
          R"({"reference_id":"A","currency":"ZZZ","total_amount":{"value":1,"offset":100}})",
          R"({"reference_id":7,"currency":"INR"})"}) {
      INFO(body);
      auto r = parse_order_details(body);
      REQUIRE_FALSE(r);
      CHECK_FALSE(r.error().message.empty());
    }
    auto bad = j;
    bad["order"]["items"][0]["quantity"] = "two";
    auto r = parse_order_details(bad.dump());
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "order.items[0].quantity");
  }
}

TEST_CASE("amounts: value and offset to exact money", "[payments]") {
  CHECK(to_money({21000, 100}, currencies::inr).value() == inr(21000));
  CHECK(to_payment_amount(inr(21000)) == payment_amount{21000, 100});
  CHECK(to_payment_amount(money(1500, currencies::jpy)) == payment_amount{1500, 1});
  CHECK_FALSE(to_money({21000, 10}, currencies::inr));
  CHECK_FALSE(to_money({21000, 0}, currencies::brl));
}

TEST_CASE("order status messages", "[payments]") {
  order_update u;
  u.reference_id = "CHAI-1001";
  u.status = order_status::partially_shipped;
  u.description = "The notebook ships tomorrow";
  u.body = "Your order is on its way";
  const auto m = order_status_message(u);
  CHECK(m.kind == interactive_kind::order_status);
  const auto j = nlohmann::json::parse(m.payload_json);
  CHECK(j["order"]["status"] == "partially-shipped");
  CHECK(j["reference_id"] == "CHAI-1001");
  CHECK(parse_order_status("partially-shipped").value() == order_status::partially_shipped);
  CHECK(parse_order_status("partially_shipped").value() == order_status::partially_shipped);
  CHECK_FALSE(parse_order_status("lost"));
}

TEST_CASE("market rules: India and Brazil, each refusal with its reason", "[payments]") {
  const auto chai = chai_shop();
  const auto rio = rio_shop();
  auto m = check_market(chai, indian_customer(), chai_order());
  REQUIRE(m);
  CHECK((*m)->name == "India");
  m = check_market(rio, brazilian_customer(), rio_order());
  REQUIRE(m);
  CHECK((*m)->name == "Brazil");

  const auto reason = [](const result<const payment_market*>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "payments.market");
    return r.error().message;
  };
  CHECK_THAT(reason(check_market(chai, brazilian_customer(), chai_order())),
             contains_substring("customers with +91 numbers; this customer's number is +5511987654321"));
  CHECK_THAT(reason(check_market(rio, indian_customer(), chai_order())),
             contains_substring("INR orders are for businesses in India; Loja Rio is in Brazil"));
  auto usd = chai_order();
  usd.order_currency = currencies::usd;
  CHECK_THAT(reason(check_market(chai, indian_customer(), usd)), contains_substring("take no USD"));
  auto wrong_type = chai_order();
  wrong_type.payment_type = "br";
  CHECK_THAT(reason(check_market(chai, indian_customer(), wrong_type)),
             contains_substring("'br' is not taken in India"));
  auto pix_in_india = chai_order();
  pix_in_india.payment_settings = rio_order().payment_settings;
  CHECK_THAT(reason(check_market(chai, indian_customer(), pix_in_india)),
             contains_substring("pix_dynamic_code payments are not taken in India"));
}
