#include "chatdesk/payments/order.hpp"

#include <array>
#include <charconv>
#include <climits>
#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../core/names.hpp"
#include "chatdesk/core/detail/checked.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

namespace {

using json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 2> goods_names{"digital-goods", "physical-goods"};
constexpr std::array<std::string_view, 5> method_names{"payment_gateway", "upi_intent", "pix_dynamic_code",
                                                       "payment_link", "boleto"};
constexpr std::array<std::string_view, 5> gateway_names{"billdesk", "cashfree", "payu", "razorpay",
                                                        "zaakpay"};
constexpr std::array<std::string_view, 5> pix_key_types{"CPF", "CNPJ", "EMAIL", "PHONE", "EVP"};
static_assert(static_cast<std::size_t>(payment_method::boleto) + 1 == method_names.size());

// Where a problem is, written out only when there is one (validation of a
// good order builds no string).
struct path {
  std::string_view head;  // "order.items", "body"
  std::size_t index = std::string_view::npos;
  std::string_view tail{};          // "name"
  path(const char* h) : head(h) {}  // NOLINT(google-explicit-constructor): a plain field's name
  path(std::string_view h, std::size_t i, std::string_view t) : head(h), index(i), tail(t) {}
  [[nodiscard]] std::string str() const {
    std::string out(head);
    if (index != std::string_view::npos) out += fmt::format("[{}]", index);
    if (!tail.empty()) out.append(".").append(tail);
    return out;
  }
};

error invalid(const path& where, std::string_view what) {
  auto w = where.str();
  auto message = fmt::format("{}: {}", w, what);
  return make_error("payments.invalid_order", std::move(message), std::move(w));
}

// A text's length in characters, or the refusal: invalid UTF-8, too long, or empty when required.
result<void> check_text(std::string_view text, const path& where, std::size_t max, bool required) {
  const auto length = utf8::length(text);
  if (!length) {
    auto w = where.str();
    return make_error(
        "payments.invalid_utf8",
        fmt::format("{}: is not valid UTF-8 (byte {})", w, utf8::first_invalid(text).value_or(0)), w);
  }
  if (required && *length == 0) return invalid(where, "is required");
  if (*length > max) return invalid(where, fmt::format("is {} characters; at most {}", *length, max));
  return {};
}

result<void> check_currency(money m, currency c, const path& where) {
  if (m.currency() == c) return {};
  auto w = where.str();
  return make_error("payments.currency_mismatch",
                    fmt::format("{}: is in {}; the order is in {}", w, m.currency().code(), c.code()), w);
}

result<void> check_not_negative(money m, const path& where) {
  if (m.minor_units() >= 0) return {};
  return invalid(where, fmt::format("is {}; it may not be negative", m.to_string()));
}

error overflow(const path& where) {
  auto w = where.str();
  return make_error("payments.overflow", fmt::format("{}: the sum is too large to be exact", w), w);
}

bool reference_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

path item_path(std::size_t i, std::string_view field) {
  return {"order.items", i, field};
}

result<void> check_setting(const payment_setting& s, std::size_t i) {
  const auto at = [i](std::string_view field) { return path("payment_settings", i, field); };
  switch (s.method) {
    case payment_method::payment_gateway:
      if (!detail::named<std::size_t>(gateway_names, s.gateway))
        return invalid(at("payment_gateway.type"),
                       fmt::format("'{}' is not a payment gateway ({})", utf8::printable(s.gateway),
                                   detail::names_list(gateway_names)));
      if (auto r = check_text(s.configuration_name, at("payment_gateway.configuration_name"), 60, true); !r)
        return r;
      return {};
    case payment_method::upi_intent:
      return check_text(s.configuration_name, at("upi_intent.configuration_name"), 60, true);
    case payment_method::pix_dynamic_code:
      if (auto r = check_text(s.pix_code, at("pix_dynamic_code.code"), 512, true); !r) return r;
      if (auto r = check_text(s.merchant_name, at("pix_dynamic_code.merchant_name"), 60, true); !r) return r;
      if (auto r = check_text(s.pix_key, at("pix_dynamic_code.key"), 77, true); !r) return r;
      if (!detail::named<std::size_t>(pix_key_types, s.pix_key_type))
        return invalid(at("pix_dynamic_code.key_type"),
                       fmt::format("'{}' is not a Pix key type ({})", utf8::printable(s.pix_key_type),
                                   detail::names_list(pix_key_types)));
      return {};
    case payment_method::payment_link:
      if (auto r = check_text(s.uri, at("payment_link.uri"), 2048, true); !r) return r;
      if (s.uri.rfind("https://", 0) != 0)
        return invalid(at("payment_link.uri"),
                       fmt::format("'{}' is not an https link", utf8::printable(s.uri)));
      return {};
    case payment_method::boleto: {
      bool digits = !s.digitable_line.empty();
      for (const char c : s.digitable_line) digits = digits && c >= '0' && c <= '9';
      if (!digits || (s.digitable_line.size() != 47 && s.digitable_line.size() != 48))
        return invalid(at("boleto.digitable_line"), fmt::format("'{}' is not a boleto's 47 or 48 digits",
                                                                utf8::printable(s.digitable_line)));
      return {};
    }
  }
  return {};
}

}  // namespace

std::string_view to_string(goods_type g) noexcept {
  return detail::name_in(goods_names, g);
}
std::string_view to_string(payment_method m) noexcept {
  return detail::name_in(method_names, m);
}

result<order_totals> compute_totals(const order_details& order) {
  const auto c = order.order_currency;
  std::int64_t subtotal = 0;
  for (std::size_t i = 0; i < order.items.size(); ++i) {
    const auto& item = order.items[i];
    const auto price = item.unit_price();
    if (auto r = check_currency(item.amount, c, item_path(i, "amount")); !r) return r.error();
    if (item.sale_amount)
      if (auto r = check_currency(*item.sale_amount, c, item_path(i, "sale_amount")); !r) return r.error();
    std::int64_t line = 0;
    if (!detail::checked_mul(price.minor_units(), static_cast<std::int64_t>(item.quantity), &line) ||
        !detail::checked_add(subtotal, line, &subtotal))
      return overflow(item_path(i, "quantity"));
  }
  std::int64_t total = subtotal;
  if (auto r = check_currency(order.tax.value, c, "order.tax.value"); !r) return r.error();
  if (!detail::checked_add(total, order.tax.value.minor_units(), &total)) return overflow("order.tax.value");
  if (order.shipping) {
    if (auto r = check_currency(order.shipping->value, c, "order.shipping.value"); !r) return r.error();
    if (!detail::checked_add(total, order.shipping->value.minor_units(), &total))
      return overflow("order.shipping.value");
  }
  if (order.discount) {
    if (auto r = check_currency(order.discount->value, c, "order.discount.value"); !r) return r.error();
    if (!detail::checked_sub(total, order.discount->value.minor_units(), &total))
      return overflow("order.discount.value");
  }
  if (total < 0)
    return make_error(
        "payments.negative_total",
        fmt::format("total_amount: subtotal + tax + shipping - discount is {}; an order may not "
                    "total less than zero",
                    money(total, c).to_string()),
        "total_amount");
  return order_totals{money(subtotal, c), money(total, c)};
}

result<void> fill_totals(order_details& order) {
  auto totals = compute_totals(order);
  if (!totals) return totals.error();
  order.subtotal = totals->subtotal;
  order.total = totals->total;
  return {};
}

result<void> validate(const order_details& order, timestamp now, const order_limits& limits) {
  // The reference.
  if (order.reference_id.empty()) return invalid("reference_id", "is required");
  if (order.reference_id.size() > limits.max_reference_id)
    return invalid("reference_id", fmt::format("is {} characters; at most {}", order.reference_id.size(),
                                               limits.max_reference_id));
  for (const char ch : order.reference_id)
    if (!reference_char(ch))
      return invalid("reference_id", fmt::format("'{}' may hold only letters, digits, '_', '-' and '.'",
                                                 utf8::printable(order.reference_id)));
  const auto c = order.order_currency;
  if (c == currencies::xxx) return invalid("currency", "is required");
  if (!order.payment_type.empty() && order.payment_type != "upi" && order.payment_type != "br")
    return invalid("payment_type",
                   fmt::format("'{}' is not a payment type (upi, br)", utf8::printable(order.payment_type)));
  for (std::size_t i = 0; i < order.payment_settings.size(); ++i)
    if (auto r = check_setting(order.payment_settings[i], i); !r) return r;
  // The texts.
  if (auto r = check_text(order.body, "body", limits.max_body, true); !r) return r;
  if (auto r = check_text(order.footer, "footer", limits.max_footer, false); !r) return r;
  if (auto r = check_text(order.header, "header", limits.max_header, false); !r) return r;
  if (auto r = check_text(order.catalog_id, "order.catalog_id", 100, false); !r) return r;
  if (order.expires) {
    if (*order.expires < now + limits.min_expiry)
      return invalid(
          "order.expiration.timestamp",
          fmt::format("is {}; it must be at least {} s after now ({})", format_timestamp(*order.expires),
                      limits.min_expiry.count(), format_timestamp(now)));
    if (auto r = check_text(order.expiration_description, "order.expiration.description",
                            limits.max_expiration_description, false);
        !r)
      return r;
  }
  // The lines.
  if (order.items.empty()) return invalid("order.items", "an order needs at least one item");
  if (order.items.size() > limits.max_items)
    return invalid("order.items",
                   fmt::format("has {} items; at most {}", order.items.size(), limits.max_items));
  for (std::size_t i = 0; i < order.items.size(); ++i) {
    const auto& item = order.items[i];
    if (auto r = check_text(item.retailer_id, item_path(i, "retailer_id"), 100, true); !r) return r;
    if (auto r = check_text(item.name, item_path(i, "name"), limits.max_item_name, true); !r) return r;
    if (item.quantity == 0 || item.quantity > limits.max_quantity)
      return invalid(item_path(i, "quantity"),
                     fmt::format("is {}; it must be 1 to {}", item.quantity, limits.max_quantity));
    if (auto r = check_currency(item.amount, c, item_path(i, "amount")); !r) return r;
    if (item.amount.minor_units() <= 0)
      return invalid(item_path(i, "amount"),
                     fmt::format("is {}; it must be more than zero", item.amount.to_string()));
    if (item.sale_amount) {
      if (auto r = check_currency(*item.sale_amount, c, item_path(i, "sale_amount")); !r) return r;
      if (item.sale_amount->minor_units() <= 0 || item.sale_amount->minor_units() > item.amount.minor_units())
        return invalid(item_path(i, "sale_amount"),
                       fmt::format("is {}; it must be more than zero and at most the amount, {}",
                                   item.sale_amount->to_string(), item.amount.to_string()));
    }
  }
  // The adjustments.
  if (auto r = check_not_negative(order.tax.value, "order.tax.value"); !r) return r;
  if (auto r = check_text(order.tax.description, "order.tax.description", limits.max_description, false); !r)
    return r;
  if (order.shipping) {
    if (auto r = check_not_negative(order.shipping->value, "order.shipping.value"); !r) return r;
    if (auto r = check_text(order.shipping->description, "order.shipping.description", limits.max_description,
                            false);
        !r)
      return r;
  }
  if (order.discount) {
    if (auto r = check_not_negative(order.discount->value, "order.discount.value"); !r) return r;
    if (auto r = check_text(order.discount->description, "order.discount.description", limits.max_description,
                            false);
        !r)
      return r;
    if (auto r = check_text(order.discount->program_name, "order.discount.discount_program_name",
                            limits.max_description, false);
        !r)
      return r;
  }
  // The sums, to the last minor unit.
  auto totals = compute_totals(order);
  if (!totals) return totals.error();
  if (auto r = check_currency(order.subtotal, c, "order.subtotal"); !r) return r;
  if (auto r = check_currency(order.total, c, "total_amount"); !r) return r;
  if (order.subtotal != totals->subtotal)
    return make_error(
        "payments.total_mismatch",
        fmt::format("order.subtotal: is {}; the items' unit prices times their quantities sum to {}",
                    order.subtotal.to_string(), totals->subtotal.to_string()),
        "order.subtotal");
  if (order.total != totals->total)
    return make_error("payments.total_mismatch",
                      fmt::format("total_amount: is {}; subtotal + tax + shipping - discount is {}",
                                  order.total.to_string(), totals->total.to_string()),
                      "total_amount");
  if (totals->total.minor_units() == 0) return invalid("total_amount", "is zero; there is nothing to pay");
  return {};
}

result<money> to_money(const payment_amount& a, currency c) {
  std::int64_t expected = 1;
  for (int i = 0; i < c.minor_digits(); ++i) expected *= 10;
  if (a.offset != expected)
    return make_error("payments.invalid_amount",
                      fmt::format("an amount of value {} and offset {} in {}: {} amounts use offset {}",
                                  a.value, a.offset, c.code(), c.code(), expected));
  return money(a.value, c);
}

payment_amount to_payment_amount(money m) noexcept {
  std::int64_t offset = 1;
  for (int i = 0; i < m.currency().minor_digits(); ++i) offset *= 10;
  return payment_amount{m.minor_units(), offset};
}

namespace {

json amount_json(money m) {
  const auto a = to_payment_amount(m);
  return json{{"value", a.value}, {"offset", a.offset}};
}

json adjustment_json(const order_adjustment& a, bool discount) {
  json j = amount_json(a.value);
  if (!a.description.empty()) j["description"] = a.description;
  if (discount && !a.program_name.empty()) j["discount_program_name"] = a.program_name;
  return j;
}

json setting_json(const payment_setting& s) {
  json j;
  j["type"] = to_string(s.method);
  switch (s.method) {
    case payment_method::payment_gateway:
      j["payment_gateway"] = json{{"type", s.gateway}, {"configuration_name", s.configuration_name}};
      break;
    case payment_method::upi_intent:
      j["upi_intent"] = json{{"configuration_name", s.configuration_name}};
      break;
    case payment_method::pix_dynamic_code:
      j["pix_dynamic_code"] = json{{"code", s.pix_code},
                                   {"merchant_name", s.merchant_name},
                                   {"key", s.pix_key},
                                   {"key_type", s.pix_key_type}};
      break;
    case payment_method::payment_link:
      j["payment_link"] = json{{"uri", s.uri}};
      break;
    case payment_method::boleto:
      j["boleto"] = json{{"digitable_line", s.digitable_line}};
      break;
  }
  return j;
}

json parameters_json(const order_details& o) {
  json j;
  j["reference_id"] = o.reference_id;
  j["type"] = to_string(o.type);
  if (!o.payment_type.empty()) j["payment_type"] = o.payment_type;
  if (!o.payment_settings.empty()) {
    json settings = json::array();
    for (const auto& s : o.payment_settings) settings.push_back(setting_json(s));
    j["payment_settings"] = std::move(settings);
  }
  j["currency"] = o.order_currency.code();
  j["total_amount"] = amount_json(o.total);
  json order;
  order["status"] = "pending";
  if (!o.catalog_id.empty()) order["catalog_id"] = o.catalog_id;
  if (o.expires) {
    json e;
    e["timestamp"] = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(o.expires->time_since_epoch()).count());
    if (!o.expiration_description.empty()) e["description"] = o.expiration_description;
    order["expiration"] = std::move(e);
  }
  json items = json::array();
  for (const auto& i : o.items) {
    json item;
    item["retailer_id"] = i.retailer_id;
    item["name"] = i.name;
    item["amount"] = amount_json(i.amount);
    if (i.sale_amount) item["sale_amount"] = amount_json(*i.sale_amount);
    item["quantity"] = i.quantity;
    items.push_back(std::move(item));
  }
  order["items"] = std::move(items);
  order["subtotal"] = amount_json(o.subtotal);
  order["tax"] = adjustment_json(o.tax, false);
  if (o.shipping) order["shipping"] = adjustment_json(*o.shipping, false);
  if (o.discount) order["discount"] = adjustment_json(*o.discount, true);
  j["order"] = std::move(order);
  return j;
}

// Reading: every problem names its JSON path.
class reader {
 public:
  [[nodiscard]] const std::optional<error>& problem() const noexcept { return problem_; }

  void fail(std::string_view code, const std::string& where, std::string_view what) {
    if (problem_) return;
    problem_ = make_error(code, fmt::format("{}: {}", where, what), where);
  }

  const json* member(const json& o, std::string_view key, const std::string& where, bool required) {
    if (problem_) return nullptr;
    if (!o.is_object()) {
      fail("payments.invalid_order", where, "must be an object");
      return nullptr;
    }
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
      if (required) fail("payments.invalid_order", join(where, key), "is required");
      return nullptr;
    }
    return &*it;
  }

  std::string text(const json& o, std::string_view key, const std::string& where, bool required = false) {
    const auto* v = member(o, key, where, required);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      fail("payments.invalid_order", join(where, key), "must be a string");
      return {};
    }
    return v->get<std::string>();
  }

  std::int64_t integer(const json& v, const std::string& where) {
    if (v.is_number_integer()) {
      if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        fail("payments.invalid_amount", where, "is out of range");
        return 0;
      }
      return v.get<std::int64_t>();
    }
    if (v.is_string()) {
      const auto s = v.get<std::string>();
      std::int64_t n = 0;
      const auto* end = s.data() + s.size();
      auto [p, ec] = std::from_chars(s.data(), end, n);
      if (ec == std::errc{} && p == end && !s.empty()) return n;
    }
    fail("payments.invalid_order", where, "must be a whole number");
    return 0;
  }

  money amount(const json& o, std::string_view key, const std::string& where, currency c, bool required) {
    const auto* v = member(o, key, where, required);
    if (v == nullptr) return money(0, c);
    return amount_of(*v, join(where, key), c);
  }

  money amount_of(const json& v, const std::string& where, currency c) {
    if (!v.is_object()) {
      fail("payments.invalid_order", where, "must be an object with 'value' and 'offset'");
      return money(0, c);
    }
    payment_amount a;
    const auto* value = member(v, "value", where, true);
    const auto* offset = member(v, "offset", where, true);
    if (value == nullptr || offset == nullptr) return money(0, c);
    a.value = integer(*value, join(where, "value"));
    a.offset = integer(*offset, join(where, "offset"));
    if (problem_) return money(0, c);
    auto m = to_money(a, c);
    if (!m) {
      fail("payments.invalid_amount", where, m.error().message);
      return money(0, c);
    }
    return *m;
  }

  static std::string join(std::string_view where, std::string_view key) {
    return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
  }

 private:
  std::optional<error> problem_;
};

payment_setting read_setting(reader& r, const json& s, const std::string& where) {
  payment_setting out;
  const auto type = r.text(s, "type", where, true);
  if (r.problem()) return out;
  auto method = detail::named<payment_method>(method_names, type);
  if (!method) {
    r.fail("payments.invalid_order", reader::join(where, "type"),
           fmt::format("'{}' is not a payment method ({})", utf8::printable(type),
                       detail::names_list(method_names)));
    return out;
  }
  out.method = *method;
  const auto at = reader::join(where, type);
  const auto* detail = r.member(s, type, where, true);
  if (detail == nullptr) return out;
  switch (out.method) {
    case payment_method::payment_gateway:
      out.gateway = r.text(*detail, "type", at, true);
      out.configuration_name = r.text(*detail, "configuration_name", at, true);
      break;
    case payment_method::upi_intent:
      out.configuration_name = r.text(*detail, "configuration_name", at, true);
      break;
    case payment_method::pix_dynamic_code:
      out.pix_code = r.text(*detail, "code", at, true);
      out.merchant_name = r.text(*detail, "merchant_name", at, true);
      out.pix_key = r.text(*detail, "key", at, true);
      out.pix_key_type = r.text(*detail, "key_type", at, true);
      break;
    case payment_method::payment_link:
      out.uri = r.text(*detail, "uri", at, true);
      break;
    case payment_method::boleto:
      out.digitable_line = r.text(*detail, "digitable_line", at, true);
      break;
  }
  return out;
}

order_adjustment read_adjustment(reader& r, const json& v, const std::string& where, currency c) {
  order_adjustment a;
  a.value = r.amount_of(v, where, c);
  if (v.is_object()) {
    a.description = r.text(v, "description", where);
    a.program_name = r.text(v, "discount_program_name", where);
  }
  return a;
}

}  // namespace

std::string to_parameters_json(const order_details& order) {
  return parameters_json(order).dump();
}

result<order_details> parse_order_details(std::string_view text) {
  auto doc = parse_json(text, "payments.syntax", "the order");
  if (!doc) return doc.error();
  const json* params = &*doc;
  std::string base;
  order_details out;
  reader r;
  if (!params->is_object()) return make_error("payments.invalid_order", "the order must be a JSON object");
  if (auto it = params->find("action"); it != params->end()) {
    // A whole interactive object: its texts, and the parameters inside.
    if (const auto* b = r.member(*params, "body", "", false); b != nullptr && b->is_object())
      out.body = r.text(*b, "text", "body", true);
    if (const auto* f = r.member(*params, "footer", "", false); f != nullptr && f->is_object())
      out.footer = r.text(*f, "text", "footer");
    if (const auto* h = r.member(*params, "header", "", false); h != nullptr && h->is_object())
      out.header = r.text(*h, "text", "header");
    const auto* p = r.member(*it, "parameters", "action", true);
    if (p == nullptr) return *r.problem();
    params = p;
    base = "action.parameters";
  }
  const auto at = [&](std::string_view key) { return reader::join(base, key); };
  out.reference_id = r.text(*params, "reference_id", base, true);
  const auto type = r.text(*params, "type", base, false);
  if (type == "digital-goods") {
    out.type = goods_type::digital_goods;
  } else if (type.empty() || type == "physical-goods") {
    out.type = goods_type::physical_goods;
  } else {
    r.fail("payments.invalid_order", at("type"),
           fmt::format("'{}' is not a goods type (digital-goods, physical-goods)", utf8::printable(type)));
  }
  out.payment_type = r.text(*params, "payment_type", base);
  const auto code = r.text(*params, "currency", base, true);
  if (r.problem()) return *r.problem();
  auto c = currency::from_code(code);
  if (!c)
    return make_error("payments.invalid_order", fmt::format("{}: {}", at("currency"), c.error().message),
                      at("currency"));
  out.order_currency = *c;
  if (const auto* settings = r.member(*params, "payment_settings", base, false)) {
    if (!settings->is_array()) {
      r.fail("payments.invalid_order", at("payment_settings"), "must be an array");
    } else {
      for (std::size_t i = 0; i < settings->size() && !r.problem(); ++i)
        out.payment_settings.push_back(
            read_setting(r, (*settings)[i], fmt::format("{}[{}]", at("payment_settings"), i)));
    }
  }
  out.total = r.amount(*params, "total_amount", base, *c, true);
  const auto* order = r.member(*params, "order", base, true);
  if (order == nullptr) return *r.problem();
  const auto ob = at("order");
  out.catalog_id = r.text(*order, "catalog_id", ob);
  if (const auto* status = r.member(*order, "status", ob, false);
      status != nullptr && !(status->is_string() && status->get<std::string>() == "pending"))
    r.fail("payments.invalid_order", reader::join(ob, "status"), "a new order's status must be 'pending'");
  if (const auto* e = r.member(*order, "expiration", ob, false)) {
    const auto eb = reader::join(ob, "expiration");
    if (const auto* ts = r.member(*e, "timestamp", eb, true)) {
      const auto seconds = r.integer(*ts, reader::join(eb, "timestamp"));
      if (seconds < 0 || seconds > 253402300799)
        r.fail("payments.invalid_order", reader::join(eb, "timestamp"),
               "is not a Unix time between 1970 and 9999");
      else
        out.expires = timestamp(std::chrono::seconds(seconds));
    }
    out.expiration_description = r.text(*e, "description", eb);
  }
  if (const auto* items = r.member(*order, "items", ob, true)) {
    if (!items->is_array()) r.fail("payments.invalid_order", reader::join(ob, "items"), "must be an array");
    for (std::size_t i = 0; items->is_array() && i < items->size() && !r.problem(); ++i) {
      const auto ib = fmt::format("{}.items[{}]", ob, i);
      const auto& item = (*items)[i];
      order_line line;
      line.retailer_id = r.text(item, "retailer_id", ib, true);
      line.name = r.text(item, "name", ib, true);
      line.amount = r.amount(item, "amount", ib, *c, true);
      if (r.member(item, "sale_amount", ib, false) != nullptr)
        line.sale_amount = r.amount(item, "sale_amount", ib, *c, true);
      if (const auto* q = r.member(item, "quantity", ib, true)) {
        const auto n = r.integer(*q, reader::join(ib, "quantity"));
        if (n < 0 || n > UINT32_MAX)
          r.fail("payments.invalid_order", reader::join(ib, "quantity"),
                 fmt::format("{} is out of range", n));
        else
          line.quantity = static_cast<std::uint32_t>(n);
      }
      out.items.push_back(std::move(line));
    }
  }
  out.subtotal = r.amount(*order, "subtotal", ob, *c, true);
  if (const auto* tax = r.member(*order, "tax", ob, true))
    out.tax = read_adjustment(r, *tax, reader::join(ob, "tax"), *c);
  if (const auto* s = r.member(*order, "shipping", ob, false))
    out.shipping = read_adjustment(r, *s, reader::join(ob, "shipping"), *c);
  if (const auto* d = r.member(*order, "discount", ob, false))
    out.discount = read_adjustment(r, *d, reader::join(ob, "discount"), *c);
  if (r.problem()) return *r.problem();
  return out;
}

interactive_content order_details_message(const order_details& order) {
  interactive_content c;
  c.kind = interactive_kind::order_details;
  c.header = order.header;
  c.body = order.body;
  c.footer = order.footer;
  c.action_label = "review_and_pay";
  c.payload_json = to_parameters_json(order);
  return c;
}

interactive_content order_status_message(const order_update& update) {
  interactive_content c;
  c.kind = interactive_kind::order_status;
  c.body = update.body;
  c.footer = update.footer;
  c.action_label = "review_order";
  json p;
  p["reference_id"] = update.reference_id;
  json o;
  o["status"] = to_string(update.status);
  if (!update.description.empty()) o["description"] = update.description;
  p["order"] = std::move(o);
  c.payload_json = p.dump();
  return c;
}

}  // namespace chatdesk
