// The pricing rules' decisions as inline functions: the exported `decide`,
// `counter_for`, `rate_key_of` and `is_free` (pricing_rules.cpp) and the
// ledger's hot path share these one definitions, so the ledger's calls are
// inlined and a decision never goes through memory. Internal: not installed.
#pragma once

#include "chatdesk/rules/pricing_rules.hpp"

namespace chatdesk::detail::rules {

constexpr rate_key rate_key_for(message_kind k) noexcept {
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

constexpr bool free_reason(charge_reason r) noexcept {
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

inline monthly_counter counter_of(pricing_model m, message_kind kind,
                                  date::year_month_day local_date) noexcept {
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

[[gnu::always_inline]] inline charge_decision made(charge_reason reason, rate_key rate) noexcept {
  charge_decision d;
  d.reason = reason;
  d.rate = rate;
  return d;
}

[[gnu::always_inline]] inline charge_decision legacy_2018(const message_facts& f) noexcept {
  return made(f.service_window_open_at_send ? charge_reason::inside_service_window
                                            : charge_reason::outside_service_window,
              rate_key::message);
}

[[gnu::always_inline]] inline charge_decision cbp_2022(const message_facts& f) noexcept {
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

[[gnu::always_inline]] inline charge_decision cbp_2023(const message_facts& f) noexcept {
  const auto rate = rate_key_for(f.kind);
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
[[gnu::always_inline]] inline charge_decision charged_template(const message_facts& f,
                                                               rate_key rate) noexcept {
  if (f.kind == message_kind::authentication && f.international)
    return made(charge_reason::authentication_international, rate_key::authentication_international);
  auto d = made(charge_reason::volume_tier, rate);
  d.count = f.counted_before + 1;
  d.rank = d.count;
  return d;
}

[[gnu::always_inline]] inline charge_decision pmp_2026_10(const message_facts& f) noexcept {
  const auto rate = rate_key_for(f.kind);
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

[[gnu::always_inline]] inline charge_decision pmp_2025(const message_facts& f) noexcept {
  const auto rate = rate_key_for(f.kind);
  if (f.in_entry_point) return made(charge_reason::free_entry_point, rate);
  if (f.kind == message_kind::service) return made(charge_reason::free_form, rate);
  if (f.kind == message_kind::utility && f.service_window_open_at_send)
    return made(charge_reason::utility_in_window, rate);
  return charged_template(f, rate);
}

[[gnu::always_inline]] inline charge_decision decide_facts(const message_facts& facts) noexcept {
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

}  // namespace chatdesk::detail::rules
