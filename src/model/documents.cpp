#include "chatdesk/model/documents.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../core/names.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

namespace {

using json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 2> direction_names{"inbound", "outbound"};
constexpr std::array<std::string_view, 4> parameter_type_names{"text", "currency", "date_time", "media"};
constexpr std::array<std::string_view, 3> button_kind_names{"url", "quick_reply", "copy_code"};
constexpr std::array<std::string_view, 9> interactive_names{"button",        "list",         "cta_url",
                                                            "order_details", "order_status", "button_reply",
                                                            "list_reply",    "quick_reply",  "flow_reply"};
static_assert(static_cast<std::size_t>(template_parameter::type::media) + 1 == parameter_type_names.size());

// ---------------------------------------------------------------- writing

json text_json(const text_content& c) {
  return {{"body", c.body}, {"preview_url", c.preview_url}};
}

json parameter_json(const template_parameter& p) {
  json j{{"key", p.key}, {"text", p.text}, {"kind", detail::name_in(parameter_type_names, p.kind)}};
  if (p.kind == template_parameter::type::currency) {
    j["currency_code"] = p.currency_code;
    j["amount_1000"] = p.amount_1000;
  }
  if (p.kind == template_parameter::type::media) {
    j["media_type"] = to_string(p.media_type);
    j["media_id"] = p.media_id;
    j["link"] = p.link;
    j["filename"] = p.filename;
  }
  return j;
}

json template_json(const template_content& t) {
  json j{{"name", t.name}, {"language", t.language}, {"category", to_string(t.category)}};
  json parameters = json::array();
  for (const auto& p : t.parameters) parameters.push_back(parameter_json(p));
  j["parameters"] = std::move(parameters);
  if (t.header) j["header"] = parameter_json(*t.header);
  json buttons = json::array();
  for (const auto& b : t.buttons)
    buttons.push_back({{"index", b.index}, {"kind", to_string(b.kind)}, {"value", b.value}});
  j["buttons"] = std::move(buttons);
  return j;
}

json media_json(const media_content& m) {
  return {{"link", m.link},         {"media_id", m.media_id},   {"caption", m.caption},
          {"filename", m.filename}, {"mime_type", m.mime_type}, {"sha256", m.sha256},
          {"voice", m.voice},       {"animated", m.animated}};
}

json content_json(const content& c) {
  json body = std::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, text_content>) {
          return text_json(v);
        } else if constexpr (std::is_same_v<T, template_content>) {
          return template_json(v);
        } else if constexpr (std::is_same_v<T, media_content>) {
          return media_json(v);
        } else if constexpr (std::is_same_v<T, location_content>) {
          return {
              {"latitude", v.latitude}, {"longitude", v.longitude}, {"name", v.name}, {"address", v.address}};
        } else if constexpr (std::is_same_v<T, contacts_content>) {
          json cards = json::array();
          for (const auto& card : v.contacts)
            cards.push_back(
                {{"formatted_name", card.formatted_name}, {"phones", card.phones}, {"emails", card.emails}});
          return {{"contacts", std::move(cards)}};
        } else if constexpr (std::is_same_v<T, interactive_content>) {
          json options = json::array();
          for (const auto& o : v.options)
            options.push_back({{"id", o.id}, {"title", o.title}, {"description", o.description}});
          return {{"kind", to_string(v.kind)},
                  {"header", v.header},
                  {"body", v.body},
                  {"footer", v.footer},
                  {"action_label", v.action_label},
                  {"url", v.url},
                  {"options", std::move(options)},
                  {"reply_id", v.reply_id},
                  {"reply_title", v.reply_title},
                  {"payload_json", v.payload_json}};
        } else if constexpr (std::is_same_v<T, reaction_content>) {
          return {{"message_id", v.message_id}, {"emoji", v.emoji}};
        } else if constexpr (std::is_same_v<T, order_content>) {
          json items = json::array();
          for (const auto& i : v.items)
            items.push_back({{"product_retailer_id", i.product_retailer_id},
                             {"quantity", i.quantity},
                             {"item_price", i.item_price},
                             {"currency", i.currency}});
          return {{"catalog_id", v.catalog_id}, {"text", v.text}, {"items", std::move(items)}};
        } else if constexpr (std::is_same_v<T, system_content>) {
          return {{"system_type", v.type}, {"body", v.body}, {"new_wa_id", v.new_wa_id}};
        } else {
          return {{"unsupported_type", v.type}, {"raw_json", v.raw_json}};
        }
      },
      c);
  // The type first, for people reading the file; media by their kind's name.
  json out{{"type",
            std::holds_alternative<unsupported_content>(c) ? std::string_view("unsupported") : type_name(c)}};
  for (auto& [k, v] : body.items()) out[k] = std::move(v);
  return out;
}

// ---------------------------------------------------------------- reading

/// A refusal while reading, with the field's path.
struct bad_field {
  std::string path;
  std::string why;
};

class reader {
 public:
  reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) throw bad_field{path_, "is not an object"};
  }

  [[nodiscard]] std::string text(const char* key) const {
    const auto* v = find(key);
    if (v == nullptr) return {};
    if (!v->is_string()) throw bad_field{at(key), "is not a string"};
    return v->get<std::string>();
  }
  [[nodiscard]] bool flag(const char* key) const {
    const auto* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) throw bad_field{at(key), "is not true or false"};
    return v->get<bool>();
  }
  template <class Int>
  [[nodiscard]] Int integer(const char* key) const {
    const auto* v = find(key);
    if (v == nullptr) return Int{};
    if (!v->is_number_integer()) throw bad_field{at(key), "is not an integer"};
    if (v->is_number_unsigned()) {
      const auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<Int>::max()))
        throw bad_field{at(key), "is too large"};
      return static_cast<Int>(u);
    }
    const auto s = v->get<std::int64_t>();
    if (s < static_cast<std::int64_t>(std::numeric_limits<Int>::min()) ||
        (s > 0 &&
         static_cast<std::uint64_t>(s) > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())))
      throw bad_field{at(key), "is out of range"};
    return static_cast<Int>(s);
  }
  template <class Enum, std::size_t N>
  [[nodiscard]] Enum name(const char* key, const std::array<std::string_view, N>& names) const {
    const auto t = text(key);
    if (auto e = detail::named<Enum>(names, t)) return *e;
    throw bad_field{at(key),
                    fmt::format("'{}' is not one of {}", utf8::printable(t), detail::names_list(names))};
  }
  [[nodiscard]] std::vector<std::string> texts(const char* key) const {
    std::vector<std::string> out;
    const auto* v = find(key);
    if (v == nullptr) return out;
    if (!v->is_array()) throw bad_field{at(key), "is not an array"};
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) throw bad_field{fmt::format("{}[{}]", at(key), i), "is not a string"};
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  /// Calls `each(reader)` for every object of the array `key`.
  template <class Each>
  void objects(const char* key, Each&& each) const {
    const auto* v = find(key);
    if (v == nullptr) return;
    if (!v->is_array()) throw bad_field{at(key), "is not an array"};
    for (std::size_t i = 0; i < v->size(); ++i) each(reader((*v)[i], fmt::format("{}[{}]", at(key), i)));
  }
  /// An integer, or nullopt when absent or null.
  [[nodiscard]] std::optional<std::int64_t> optional_integer(const char* key) const {
    const auto* v = find(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return integer<std::int64_t>(key);
  }
  [[nodiscard]] std::optional<reader> object(const char* key) const {
    const auto* v = find(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return reader(*v, at(key));
  }

 private:
  [[nodiscard]] const json* find(const char* key) const {
    const auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  [[nodiscard]] std::string at(const char* key) const { return path_.empty() ? key : path_ + "." + key; }
  const json& j_;
  std::string path_;
};

template_parameter read_parameter(const reader& r) {
  template_parameter p;
  p.key = r.text("key");
  p.text = r.text("text");
  p.kind = r.name<template_parameter::type>("kind", parameter_type_names);
  p.currency_code = r.text("currency_code");
  p.amount_1000 = r.integer<std::int64_t>("amount_1000");
  if (p.kind == template_parameter::type::media) {
    const auto kind = r.text("media_type");
    auto k = parse_media_kind(kind);
    if (!k) throw bad_field{"media_type", fmt::format("'{}' is not a media kind", utf8::printable(kind))};
    p.media_type = *k;
  }
  p.media_id = r.text("media_id");
  p.link = r.text("link");
  p.filename = r.text("filename");
  return p;
}

content read_content(const reader& r) {
  const auto type = r.text("type");
  if (type == "text") return text_content{r.text("body"), r.flag("preview_url")};
  if (type == "template") {
    template_content t;
    t.name = r.text("name");
    t.language = r.text("language");
    t.category = r.name<template_category>(
        "category", std::array<std::string_view, 3>{"marketing", "utility", "authentication"});
    r.objects("parameters", [&](const reader& p) { t.parameters.push_back(read_parameter(p)); });
    if (auto h = r.object("header")) t.header = read_parameter(*h);
    r.objects("buttons", [&](const reader& b) {
      t.buttons.push_back(template_button_value{b.integer<std::size_t>("index"),
                                                b.name<template_button_kind>("kind", button_kind_names),
                                                b.text("value")});
    });
    return t;
  }
  if (auto kind = parse_media_kind(type)) {
    media_content m;
    m.kind = *kind;
    m.link = r.text("link");
    m.media_id = r.text("media_id");
    m.caption = r.text("caption");
    m.filename = r.text("filename");
    m.mime_type = r.text("mime_type");
    m.sha256 = r.text("sha256");
    m.voice = r.flag("voice");
    m.animated = r.flag("animated");
    return m;
  }
  if (type == "location")
    return location_content{r.text("latitude"), r.text("longitude"), r.text("name"), r.text("address")};
  if (type == "contacts") {
    contacts_content c;
    r.objects("contacts", [&](const reader& card) {
      c.contacts.push_back(
          contact_card{card.text("formatted_name"), card.texts("phones"), card.texts("emails")});
    });
    return c;
  }
  if (type == "interactive") {
    interactive_content i;
    i.kind = r.name<interactive_kind>("kind", interactive_names);
    i.header = r.text("header");
    i.body = r.text("body");
    i.footer = r.text("footer");
    i.action_label = r.text("action_label");
    i.url = r.text("url");
    r.objects("options", [&](const reader& o) {
      i.options.push_back(interactive_option{o.text("id"), o.text("title"), o.text("description")});
    });
    i.reply_id = r.text("reply_id");
    i.reply_title = r.text("reply_title");
    i.payload_json = r.text("payload_json");
    return i;
  }
  if (type == "reaction") return reaction_content{r.text("message_id"), r.text("emoji")};
  if (type == "order") {
    order_content o;
    o.catalog_id = r.text("catalog_id");
    o.text = r.text("text");
    r.objects("items", [&](const reader& i) {
      o.items.push_back(order_item{i.text("product_retailer_id"), i.integer<std::uint32_t>("quantity"),
                                   i.text("item_price"), i.text("currency")});
    });
    return o;
  }
  if (type == "system") return system_content{r.text("system_type"), r.text("body"), r.text("new_wa_id")};
  if (type == "unsupported") return unsupported_content{r.text("unsupported_type"), r.text("raw_json")};
  throw bad_field{"content.type", fmt::format("'{}' is not a content type", utf8::printable(type))};
}

}  // namespace

std::string to_json(const message& m) {
  json j{{"direction", detail::name_in(direction_names, m.direction)},
         {"id", m.id},
         {"correlation_id", m.correlation_id},
         {"business_number_id", m.business_number_id},
         {"customer", m.customer.empty() ? std::string() : m.customer.e164()},
         {"at_ms", m.at.time_since_epoch().count()},
         {"content", content_json(m.content)}};
  if (m.context) {
    const auto& c = *m.context;
    j["context"] = {{"message_id", c.message_id}, {"from", c.from},
                    {"forwarded", c.forwarded},   {"frequently_forwarded", c.frequently_forwarded},
                    {"catalog_id", c.catalog_id}, {"product_retailer_id", c.product_retailer_id}};
  }
  if (m.referral) {
    const auto& r = *m.referral;
    j["referral"] = {
        {"source_type", r.source_type},    {"source_id", r.source_id}, {"source_url", r.source_url},
        {"headline", r.headline},          {"body", r.body},           {"ctwa_clid", r.ctwa_clid},
        {"media_type", r.media_type},      {"image_url", r.image_url}, {"video_url", r.video_url},
        {"thumbnail_url", r.thumbnail_url}};
  }
  // Invalid UTF-8 (a hostile webhook's bytes) is kept as the replacement character rather than refused.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<message> parse_message(std::string_view text) {
  auto doc = parse_json(text, "message.json", "a stored message");
  if (!doc) return doc.error();
  try {
    const reader r(*doc, "");
    message m;
    m.direction = r.name<direction>("direction", direction_names);
    m.id = r.text("id");
    m.correlation_id = r.text("correlation_id");
    m.business_number_id = r.text("business_number_id");
    if (const auto customer = r.text("customer"); !customer.empty()) {
      auto p = phone_number::parse(customer);
      if (!p)
        throw bad_field{"customer", fmt::format("'{}' is not a phone number", utf8::printable(customer))};
      m.customer = *p;
    }
    m.at = timestamp{std::chrono::milliseconds{r.integer<std::int64_t>("at_ms")}};
    const auto c = r.object("content");
    if (!c) throw bad_field{"content", "is missing"};
    m.content = read_content(*c);
    if (const auto x = r.object("context"))
      m.context = reply_context{x->text("message_id"), x->text("from"),
                                x->flag("forwarded"),  x->flag("frequently_forwarded"),
                                x->text("catalog_id"), x->text("product_retailer_id")};
    if (const auto x = r.object("referral"))
      m.referral = referral{x->text("source_type"),  x->text("source_id"), x->text("source_url"),
                            x->text("headline"),     x->text("body"),      x->text("ctwa_clid"),
                            x->text("media_type"),   x->text("image_url"), x->text("video_url"),
                            x->text("thumbnail_url")};
    return m;
  } catch (const bad_field& b) {
    return make_error("message.json", fmt::format("a stored message's {} {}", b.path, b.why), b.path);
  }
}

std::string to_json(const business& b) {
  json numbers = json::array();
  for (const auto& n : b.numbers)
    numbers.push_back({{"id", n.id},
                       {"number", n.number.empty() ? std::string() : n.number.e164()},
                       {"throughput_per_second", n.throughput_per_second}});
  json j{{"id", b.id},
         {"display_name", b.display_name},
         {"zone", b.zone.name()},
         {"home_country", b.home_country.alpha2()},
         {"billing_currency", b.billing_currency.code()},
         {"numbers", std::move(numbers)},
         {"tier", to_string(b.tier)},
         {"quality", to_string(b.quality)},
         {"paid_exempt", b.paid_exempt},
         {"auth_international_from_ms", nullptr},
         {"opt_out_keywords", b.opt_out_keywords},
         {"opt_in_keywords", b.opt_in_keywords}};
  if (b.auth_international_from)
    j["auth_international_from_ms"] = b.auth_international_from->time_since_epoch().count();
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<business> parse_business(std::string_view text) {
  auto doc = parse_json(text, "business.json", "a stored business");
  if (!doc) return doc.error();
  business b;
  try {
    const reader r(*doc, "");
    const auto fail = [](const char* field, const error& e) { throw bad_field{field, e.message}; };
    b.id = r.text("id");
    b.display_name = r.text("display_name");
    if (const auto zone = r.text("zone"); !zone.empty() && zone != "UTC") {
      auto z = time_zone::locate(zone);
      if (!z) fail("zone", z.error());
      b.zone = *z;
    }
    if (const auto c = r.text("home_country"); !c.empty()) {
      auto found = country::from_alpha2(c);
      if (!found) fail("home_country", found.error());
      b.home_country = *found;
    }
    if (const auto c = r.text("billing_currency"); !c.empty()) {
      auto found = currency::from_code(c);
      if (!found) fail("billing_currency", found.error());
      b.billing_currency = *found;
    }
    r.objects("numbers", [&](const reader& n) {
      business_number bn;
      bn.id = n.text("id");
      if (const auto number = n.text("number"); !number.empty()) {  // a number may be registered by id alone
        auto p = phone_number::parse(number);
        if (!p) throw bad_field{"numbers.number", p.error().message};
        bn.number = *p;
      }
      bn.throughput_per_second = n.integer<std::uint32_t>("throughput_per_second");
      b.numbers.push_back(std::move(bn));
    });
    auto tier = parse_messaging_tier(r.text("tier"));
    if (!tier) fail("tier", tier.error());
    b.tier = *tier;
    auto quality = parse_quality_rating(r.text("quality"));
    if (!quality) fail("quality", quality.error());
    b.quality = *quality;
    b.paid_exempt = r.flag("paid_exempt");
    if (auto since = r.optional_integer("auth_international_from_ms"))
      b.auth_international_from = timestamp{std::chrono::milliseconds{*since}};
    b.opt_out_keywords = r.texts("opt_out_keywords");
    b.opt_in_keywords = r.texts("opt_in_keywords");
  } catch (const bad_field& f) {
    return make_error("business.json", fmt::format("a stored business's {}: {}", f.path, f.why), f.path);
  }
  if (auto ok = b.validate(); !ok) return ok.error();
  return b;
}

}  // namespace chatdesk
