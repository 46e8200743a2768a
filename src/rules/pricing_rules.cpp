#include "chatdesk/rules/pricing_rules.hpp"

#include <fmt/format.h>

#include <optional>

#include "../core/names.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

namespace {

using date::day;
using date::month;
using date::year;

constexpr std::array<std::string_view, pricing_models.size()> model_names{
    "legacy_2018", "cbp_2022", "cbp_2023", "pmp_2025", "pmp_2026_10"};
constexpr std::array<date::year_month_day, pricing_models.size()> model_first_days{
    date::year_month_day{year{2018}, month{8}, day{1}}, date::year_month_day{year{2022}, month{2}, day{1}},
    date::year_month_day{year{2023}, month{6}, day{1}}, date::year_month_day{year{2025}, month{7}, day{1}},
    date::year_month_day{year{2026}, month{10}, day{1}}};

constexpr std::array<std::string_view, rate_key_count> rate_key_names{
    "message",        "user_initiated", "business_initiated",          "marketing", "utility",
    "authentication", "service",        "authentication_international"};

constexpr std::array<std::string_view, message_kind_count> kind_names{"marketing", "utility",
                                                                      "authentication", "service"};

constexpr std::array<std::string_view, charge_reason_count> reason_names{
    "inside_service_window",
    "outside_service_window",
    "free_entry_point",
    "conversation_open",
    "category_conversation_open",
    "free_tier_conversation",
    "opened_conversation",
    "service_conversation_free",
    "free_tier_service",
    "opened_category_conversation",
    "free_form",
    "utility_in_window",
    "authentication_international",
    "volume_tier",
    "reaction",
    "free_tier_service_message",
    "paid_exempt",
    "service_message",
};

constexpr std::array<rate_key, 1> legacy_keys{rate_key::message};
constexpr std::array<rate_key, 2> cbp_2022_keys{rate_key::user_initiated, rate_key::business_initiated};
constexpr std::array<rate_key, 4> cbp_2023_keys{rate_key::marketing, rate_key::utility,
                                                rate_key::authentication, rate_key::service};
constexpr std::array<rate_key, 3> pmp_2025_keys{rate_key::marketing, rate_key::utility,
                                                rate_key::authentication};

/// 1000 as "1,000".
std::string grouped(std::uint64_t n) {
  auto digits = std::to_string(n);
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

charge_decision made(charge_reason reason, rate_key rate) noexcept {
  charge_decision d;
  d.reason = reason;
  d.rate = rate;
  return d;
}

charge_decision legacy_2018(const message_facts& f) noexcept {
  return made(f.service_window_open_at_send ? charge_reason::inside_service_window
                                            : charge_reason::outside_service_window,
              rate_key::message);
}

charge_decision cbp_2022(const message_facts& f) noexcept {
  const auto rate = f.service_window_open_at_send ? rate_key::user_initiated : rate_key::business_initiated;
  if (f.in_entry_point) return made(charge_reason::free_entry_point, rate);
  for (bool open : f.open_conversations)
    if (open) return made(charge_reason::conversation_open, rate);
  auto d = made(charge_reason::opened_conversation, rate);
  d.opens_conversation = true;
  d.count = f.counted_before + 1;
  if (d.count <= pricing_constants::free_conversations_per_month)
    d.reason = charge_reason::free_tier_conversation;
  return d;
}

charge_decision cbp_2023(const message_facts& f) noexcept {
  const auto rate = rate_key_of(f.kind);
  if (f.in_entry_point) return made(charge_reason::free_entry_point, rate);
  if (f.kind == message_kind::service) {
    // A service message is inside any open conversation; a template only inside one of its category.
    for (bool open : f.open_conversations)
      if (open) return made(charge_reason::conversation_open, rate);
  } else if (f.open_conversations[static_cast<std::size_t>(f.kind)]) {
    return made(charge_reason::category_conversation_open, rate);
  }
  auto d = made(charge_reason::opened_category_conversation, rate);
  d.opens_conversation = true;
  if (f.kind == message_kind::service) {
    if (f.local_date >= pricing_constants::service_conversations_free_from) {
      d.reason = charge_reason::service_conversation_free;
      return d;
    }
    d.count = f.counted_before + 1;
    if (d.count <= pricing_constants::free_conversations_per_month)
      d.reason = charge_reason::free_tier_service;
  }
  return d;
}

/// A template under the per-message models: free inside an entry point,
/// authentication-international or a volume tier otherwise.
charge_decision charged_template(const message_facts& f, rate_key rate) noexcept {
  if (f.kind == message_kind::authentication && f.international)
    return made(charge_reason::authentication_international, rate_key::authentication_international);
  auto d = made(charge_reason::volume_tier, rate);
  d.count = f.counted_before + 1;
  d.rank = d.count;
  return d;
}

charge_decision pmp_2026_10(const message_facts& f) noexcept {
  const auto rate = rate_key_of(f.kind);
  if (f.kind == message_kind::service && f.reaction) return made(charge_reason::reaction, rate);
  if (f.in_entry_point) return made(charge_reason::free_entry_point, rate);
  if (f.kind != message_kind::service) return charged_template(f, rate);  // utility inside the window too
  // A service message: counted in its number's monthly free tier; beyond it,
  // charged at a flat rate (not volume-tiered), unless the business is exempt.
  auto d = made(charge_reason::free_tier_service_message, rate);
  d.count = f.counted_before + 1;
  if (d.count > pricing_constants::free_service_messages_per_number)
    d.reason = f.exempt ? charge_reason::paid_exempt : charge_reason::service_message;
  return d;
}

charge_decision pmp_2025(const message_facts& f) noexcept {
  const auto rate = rate_key_of(f.kind);
  if (f.in_entry_point) return made(charge_reason::free_entry_point, rate);
  if (f.kind == message_kind::service) return made(charge_reason::free_form, rate);
  if (f.kind == message_kind::utility && f.service_window_open_at_send)
    return made(charge_reason::utility_in_window, rate);
  return charged_template(f, rate);
}

}  // namespace

std::string_view to_string(pricing_model m) noexcept {
  return detail::name_in(model_names, m);
}

result<pricing_model> parse_pricing_model(std::string_view text) {
  if (auto m = detail::named<pricing_model>(model_names, text)) return *m;
  return make_error("pricing.unknown_model",
                    fmt::format("'{}' is not a pricing model ({})", utf8::printable(text),
                                detail::names_list(model_names)));
}

date::year_month_day first_day(pricing_model m) noexcept {
  return model_first_days[static_cast<std::size_t>(m)];
}

pricing_model model_in_force(date::year_month_day local_date) noexcept {
  auto in_force = pricing_models.front();
  for (auto m : pricing_models)
    if (local_date >= first_day(m)) in_force = m;
  return in_force;
}

std::string_view to_string(rate_key k) noexcept {
  return detail::name_in(rate_key_names, k);
}

result<rate_key> parse_rate_key(std::string_view text) {
  if (auto k = detail::named<rate_key>(rate_key_names, text)) return *k;
  return make_error(
      "pricing.unknown_rate_key",
      fmt::format("'{}' is not a rate key ({})", utf8::printable(text), detail::names_list(rate_key_names)));
}

rate_key rate_key_of(message_kind k) noexcept {
  switch (k) {
    case message_kind::marketing:
      return rate_key::marketing;
    case message_kind::utility:
      return rate_key::utility;
    case message_kind::authentication:
      return rate_key::authentication;
    case message_kind::service:
      return rate_key::service;
  }
  return rate_key::service;
}

rate_key rate_key_of(template_category c) noexcept {
  return rate_key_of(kind_of(c));
}

std::span<const rate_key> required_rate_keys(pricing_model m) noexcept {
  switch (m) {
    case pricing_model::legacy_2018:
      return legacy_keys;
    case pricing_model::cbp_2022:
      return cbp_2022_keys;
    case pricing_model::cbp_2023:
      return cbp_2023_keys;
    case pricing_model::pmp_2025:
    case pricing_model::pmp_2026_10:
      return pmp_2025_keys;
  }
  return {};
}

message_kind kind_of(template_category c) noexcept {
  switch (c) {
    case template_category::marketing:
      return message_kind::marketing;
    case template_category::utility:
      return message_kind::utility;
    case template_category::authentication:
      return message_kind::authentication;
  }
  return message_kind::marketing;
}

std::string_view to_string(message_kind k) noexcept {
  return detail::name_in(kind_names, k);
}

std::string_view to_string(charge_reason r) noexcept {
  return detail::name_in(reason_names, r);
}

result<charge_reason> parse_charge_reason(std::string_view text) {
  if (auto r = detail::named<charge_reason>(reason_names, text)) return *r;
  return make_error("pricing.unknown_reason",
                    fmt::format("'{}' is not a charge reason ({})", utf8::printable(text),
                                detail::names_list(reason_names)));
}

bool is_free(charge_reason r) noexcept {
  switch (r) {
    case charge_reason::outside_service_window:
    case charge_reason::opened_conversation:
    case charge_reason::opened_category_conversation:
    case charge_reason::authentication_international:
    case charge_reason::volume_tier:
    case charge_reason::service_message:
      return false;
    case charge_reason::inside_service_window:
    case charge_reason::free_entry_point:
    case charge_reason::conversation_open:
    case charge_reason::category_conversation_open:
    case charge_reason::free_tier_conversation:
    case charge_reason::service_conversation_free:
    case charge_reason::free_tier_service:
    case charge_reason::free_form:
    case charge_reason::utility_in_window:
    case charge_reason::reaction:
    case charge_reason::free_tier_service_message:
    case charge_reason::paid_exempt:
      return true;
  }
  return false;
}

std::string_view platform_pricing_type(charge_reason r) noexcept {
  if (r == charge_reason::free_entry_point) return "free_entry_point";
  if (r == charge_reason::paid_exempt) return "regular";
  return is_free(r) ? "free_customer_service" : "regular";
}

bool has_entry_points(pricing_model m) noexcept {
  return m != pricing_model::legacy_2018;
}

monthly_counter counter_for(pricing_model m, message_kind kind, date::year_month_day local_date) noexcept {
  switch (m) {
    case pricing_model::legacy_2018:
      return monthly_counter::none;
    case pricing_model::cbp_2022:
      return monthly_counter::conversations;
    case pricing_model::cbp_2023:
      return kind == message_kind::service && local_date < pricing_constants::service_conversations_free_from
                 ? monthly_counter::service_conversations
                 : monthly_counter::none;
    case pricing_model::pmp_2025:
      return kind == message_kind::service ? monthly_counter::none : monthly_counter::category_in_market;
    case pricing_model::pmp_2026_10:
      return kind == message_kind::service ? monthly_counter::service_messages_of_number
                                           : monthly_counter::category_in_market;
  }
  return monthly_counter::none;
}

charge_decision decide(const message_facts& facts) noexcept {
  switch (facts.model) {
    case pricing_model::legacy_2018:
      return legacy_2018(facts);
    case pricing_model::cbp_2022:
      return cbp_2022(facts);
    case pricing_model::cbp_2023:
      return cbp_2023(facts);
    case pricing_model::pmp_2025:
      return pmp_2025(facts);
    case pricing_model::pmp_2026_10:
      return pmp_2026_10(facts);
  }
  return pmp_2025(facts);
}

std::string describe(const charge_decision& d, const charge_context& context) {
  const auto rate = to_string(d.rate);
  switch (d.reason) {
    case charge_reason::inside_service_window:
      return "sent inside the customer service window";
    case charge_reason::outside_service_window:
      return "sent outside the customer service window";
    case charge_reason::free_entry_point:
      return "inside a free entry point window";
    case charge_reason::conversation_open:
      return "a conversation was already open";
    case charge_reason::category_conversation_open:
      return "a conversation of its category was already open";
    case charge_reason::free_tier_conversation:
      return fmt::format("it opened conversation {} of the month, within the first {}", d.count,
                         grouped(pricing_constants::free_conversations_per_month));
    case charge_reason::opened_conversation:
      return fmt::format("it opened a {} conversation ({} of the month)", rate, d.count);
    case charge_reason::service_conversation_free:
      return fmt::format("service conversations are free from {}",
                         format_date(pricing_constants::service_conversations_free_from));
    case charge_reason::free_tier_service:
      return fmt::format("it opened service conversation {} of the month, within the first {}", d.count,
                         grouped(pricing_constants::free_conversations_per_month));
    case charge_reason::opened_category_conversation:
      return fmt::format("it opened a {}-hour {} conversation",
                         pricing_constants::conversation_length.count(), rate);
    case charge_reason::free_form:
      return "free-form messages are free";
    case charge_reason::utility_in_window:
      return "utility templates sent inside the service window are free";
    case charge_reason::authentication_international:
      return fmt::format("authentication-international: the business is in {}, the customer in {}",
                         context.business_country, context.customer_country);
    case charge_reason::volume_tier:
      return fmt::format("charged {} of the month for this category and market", d.count);
    case charge_reason::reaction:
      return "reactions are always free";
    case charge_reason::free_tier_service_message:
      return fmt::format("service message {} of the month from this number, within the first {} free",
                         d.count, grouped(pricing_constants::free_service_messages_per_number));
    case charge_reason::paid_exempt:
      return fmt::format(
          "service message {} of the month from this number, beyond the first {}: free, the business is "
          "exempt",
          d.count, grouped(pricing_constants::free_service_messages_per_number));
    case charge_reason::service_message:
      return fmt::format("service message {} of the month from this number, beyond the first {} free",
                         d.count, grouped(pricing_constants::free_service_messages_per_number));
  }
  return std::string(to_string(d.reason));
}

}  // namespace chatdesk
