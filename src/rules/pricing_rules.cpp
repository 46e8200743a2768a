#include "chatdesk/rules/pricing_rules.hpp"

#include <fmt/format.h>

#include <optional>

#include "../core/names.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/core/utf8.hpp"
#include "decide.hpp"

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
  return detail::rules::rate_key_for(k);
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
  return detail::rules::free_reason(r);
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
  return detail::rules::counter_of(m, kind, local_date);
}

charge_decision decide(const message_facts& facts) noexcept {
  return detail::rules::decide_facts(facts);
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
