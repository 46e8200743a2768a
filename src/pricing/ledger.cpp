#include "chatdesk/pricing/ledger.hpp"

#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "chatdesk/engine/conversation.hpp"

namespace chatdesk {

std::string_view to_string(free_reason r) noexcept {
  switch (r) {
    case free_reason::customer_service_window:
      return "customer_service_window";
    case free_reason::free_entry_point:
      return "free_entry_point";
    case free_reason::free_tier:
      return "free_tier";
    case free_reason::service:
      return "service";
    case free_reason::inside_open_conversation:
      return "inside_open_conversation";
  }
  return "unknown";
}

namespace {

using namespace std::chrono_literals;

struct text_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <class V>
using text_map = std::unordered_map<std::string, V, text_hash, std::equal_to<>>;

std::uint64_t number_value(const phone_number& p) noexcept {
  std::uint64_t v = 0;
  for (char c : p.digits()) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

struct pair_key {
  std::uint32_t business = 0;
  std::uint64_t customer = 0;
  friend bool operator==(const pair_key&, const pair_key&) = default;
};
struct pair_hash {
  std::size_t operator()(const pair_key& k) const noexcept {
    return static_cast<std::size_t>((k.customer * 0x9E3779B97F4A7C15ULL) ^ k.business);
  }
};

/// Conversation kinds of cbp_2023, in a fixed order.
enum conv_kind : std::size_t { conv_marketing, conv_utility, conv_authentication, conv_service, conv_kinds };

struct pair_state {
  timestamp last_inbound = never;
  timestamp referral_at = never;
  bool referral_open = false;  // a referral not yet answered
  timestamp fep_end = never;
  timestamp conv2022_end = never;
  std::array<timestamp, conv_kinds> conv2023_end{never, never, never, never};

  [[nodiscard]] bool csw_open(timestamp t) const noexcept {
    return last_inbound != never && t >= last_inbound && t < last_inbound + service_window_length;
  }
};

struct pending_message {
  std::uint32_t business = 0;
  phone_number customer;
  timestamp sent{};
  bool is_template = false;
  std::optional<template_category> category;
  bool csw_open_at_send = false;
  pricing_model model = pricing_model::pmp_2025;
};

std::string month_of(const date::year_month_day& d) {
  return fmt::format("{:04}-{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()));
}

using line_key =
    std::tuple<std::string, std::string, int, std::string, std::string, std::string, std::int64_t>;
using free_key = std::tuple<std::string, std::string, int>;
using count_key = std::tuple<std::uint32_t, std::string, int, std::string,
                             std::string>;  // business, month, model, market, kind

}  // namespace

struct ledger::impl {
  impl(const rate_cards& c, std::optional<pricing_model> f) : cards(c), forced(f) {}

  const rate_cards& cards;
  std::optional<pricing_model> forced;
  std::vector<pricing_business> businesses;
  text_map<std::uint32_t> business_index;
  std::unordered_map<pair_key, pair_state, pair_hash> pairs;
  text_map<pending_message> pending;
  std::map<count_key, std::uint64_t> counts;
  std::map<line_key, std::uint64_t> lines;
  std::map<free_key, std::uint64_t> free;
  std::vector<pricing_problem> problems;
  bool keep = false;
  text_map<charge> explained;
  // Ids of messages already delivered or failed, for a week after, so that
  // late and repeated statuses are recognised without growing for ever.
  text_map<timestamp> finished;
  std::deque<std::pair<timestamp, std::string>> finished_order;
  timestamp latest{};

  void finish(std::string_view id, timestamp at) {
    finished.insert_or_assign(std::string(id), at);
    finished_order.emplace_back(at, std::string(id));
    if (at > latest) latest = at;
    while (!finished_order.empty() && finished_order.front().first + std::chrono::hours{24 * 7} < latest) {
      auto it = finished.find(finished_order.front().second);
      if (it != finished.end() && it->second == finished_order.front().first) finished.erase(it);
      finished_order.pop_front();
    }
  }

  std::uint32_t business(std::string_view id) {
    auto it = business_index.find(id);
    if (it != business_index.end()) return it->second;
    const auto index = static_cast<std::uint32_t>(businesses.size());
    businesses.push_back(pricing_business{std::string(id), time_zone::utc(), country{}, std::nullopt});
    business_index.emplace(std::string(id), index);
    return index;
  }

  std::uint64_t& count(std::uint32_t b, const std::string& month, pricing_model m, std::string_view market,
                       std::string_view kind) {
    return counts[count_key{b, month, static_cast<int>(m), std::string(market), std::string(kind)}];
  }

  result<std::optional<charge>> price(std::string_view id, const pending_message& msg, timestamp at);
};

ledger::ledger(const rate_cards& cards, std::optional<pricing_model> forced)
    : impl_(std::make_unique<impl>(cards, forced)) {}
ledger::~ledger() = default;
ledger::ledger(ledger&&) noexcept = default;
ledger& ledger::operator=(ledger&&) noexcept = default;

void ledger::add_business(pricing_business b) {
  const auto index = impl_->business(b.id);
  impl_->businesses[index] = std::move(b);
}

void ledger::keep_explanations(bool on) {
  impl_->keep = on;
}

void ledger::report(pricing_problem p) {
  impl_->problems.push_back(std::move(p));
}

result<void> ledger::inbound(timestamp at, std::string_view business, const phone_number& customer,
                             std::string_view id, bool referral) {
  (void)id;
  if (customer.empty())
    return make_error("pricing.invalid_event", "an inbound message needs a customer", "customer");
  auto& st = impl_->pairs[pair_key{impl_->business(business), number_value(customer)}];
  if (st.last_inbound == never || at > st.last_inbound) st.last_inbound = at;
  if (referral) {
    st.referral_at = at;
    st.referral_open = true;
  }
  return {};
}

result<void> ledger::outbound(timestamp at, std::string_view business, const phone_number& customer,
                              std::string_view id, bool is_template,
                              std::optional<template_category> category) {
  if (customer.empty())
    return make_error("pricing.invalid_event", "an outbound message needs a customer", "customer");
  if (id.empty()) return make_error("pricing.invalid_event", "an outbound message needs an id", "id");
  if (is_template && !category)
    return make_error("pricing.invalid_event", fmt::format("template message '{}' needs its category", id),
                      "category");
  if (impl_->pending.find(id) != impl_->pending.end() || impl_->finished.find(id) != impl_->finished.end())
    return make_error("pricing.duplicate_id", fmt::format("message id '{}' was already sent", id), "id");
  const auto b = impl_->business(business);
  const auto& st = impl_->pairs[pair_key{b, number_value(customer)}];
  pending_message m;
  m.business = b;
  m.customer = customer;
  m.sent = at;
  m.is_template = is_template;
  m.category = is_template ? category : std::nullopt;
  m.csw_open_at_send = st.csw_open(at);
  m.model = impl_->forced ? *impl_->forced : model_in_force(impl_->businesses[b].zone.local_date(at));
  impl_->pending.emplace(std::string(id), m);
  return {};
}

result<std::optional<charge>> ledger::status(timestamp at, std::string_view id, message_status status) {
  auto it = impl_->pending.find(id);
  if (it == impl_->pending.end()) {
    // A late or repeated status of a message already priced (or failed) changes nothing.
    if (impl_->finished.find(id) != impl_->finished.end()) return std::optional<charge>{};
    return make_error("pricing.unknown_message", fmt::format("no outbound message has the id '{}'", id),
                      "id");
  }
  if (status == message_status::failed) {
    impl_->finish(id, at);
    impl_->pending.erase(it);  // failed messages cost nothing
    return std::optional<charge>{};
  }
  if (status != message_status::delivered && status != message_status::read) return std::optional<charge>{};
  const auto msg = it->second;
  auto priced = impl_->price(id, msg, at);
  if (!priced) return priced;
  impl_->finish(id, at);
  impl_->pending.erase(it);
  return priced;
}

result<std::optional<charge>> ledger::impl::price(std::string_view id, const pending_message& msg,
                                                  timestamp at) {
  const auto& biz = businesses[msg.business];
  const auto local = biz.zone.local_date(at);
  const auto* card = cards.find(msg.model, local);
  if (card == nullptr)
    return make_error("pricing.no_rate_card",
                      fmt::format("no {} rate card is in force on {} for message '{}'", to_string(msg.model),
                                  format_timestamp(at).substr(0, 10), id),
                      "id");
  const auto month = month_of(local);
  const std::string market(card->markets().find(msg.customer));
  auto& st = pairs[pair_key{msg.business, number_value(msg.customer)}];
  const auto currency_code = card->currency().code();

  charge c;
  c.message_id = std::string(id);
  c.business = biz.id;
  c.month = month;
  c.model = msg.model;
  c.market = market;
  c.delivered_at = at;
  c.tier = "0:MAX";
  const std::string what = msg.is_template ? fmt::format("a {} template", to_string(*msg.category))
                                           : std::string("a free-form message");
  const std::string when =
      fmt::format("delivered {} to {} (market {})", format_timestamp(at), msg.customer, market);

  auto set_free = [&](free_reason r, std::string category, std::string why) {
    c.free = r;
    c.category = std::move(category);
    c.explanation = fmt::format("{}: {} {}: free, {}", to_string(msg.model), what, when, why);
  };
  auto set_charged = [&](std::string category, decimal rate, std::string tier, std::string why) {
    c.category = std::move(category);
    c.amount = rate;
    c.tier = std::move(tier);
    c.explanation = fmt::format("{}: {} {}: {} {} {} (tier {}), {}", to_string(msg.model), what, when,
                                rate.to_string(), currency_code, c.category, c.tier, why);
  };
  auto no_rate = [&](std::string_view key) {
    return make_error("pricing.no_rate",
                      fmt::format("{} has no '{}' rate for market '{}'",
                                  card->source().empty() ? "the rate card" : card->source(), key, market),
                      "id");
  };

  // The free entry point: the business's first delivery within 24 h of a referral opens 72 h.
  const bool fep_models = msg.model != pricing_model::legacy_2018;
  if (st.referral_open && st.referral_at != never && at >= st.referral_at) {
    st.referral_open = false;
    if (at < st.referral_at + entry_point_answer_limit) {
      st.fep_end = at + entry_point_window_length;
      if (fep_models) {  // it closes every open conversation
        st.conv2022_end = at;
        st.conv2023_end.fill(at);
      }
    }
  }
  const bool in_fep =
      fep_models && st.fep_end != never && at < st.fep_end && at >= st.fep_end - entry_point_window_length;

  switch (msg.model) {
    case pricing_model::legacy_2018: {
      if (msg.csw_open_at_send) {
        set_free(free_reason::customer_service_window, "message", "sent inside the customer service window");
        break;
      }
      auto r = card->rate_for(market, "message", 1);
      if (!r) return no_rate("message");
      set_charged("message", r->first, r->second, "sent outside the customer service window");
      break;
    }
    case pricing_model::cbp_2022: {
      const std::string type = msg.csw_open_at_send ? "user_initiated" : "business_initiated";
      if (in_fep) {
        set_free(free_reason::free_entry_point, type, "inside a free entry point window");
        break;
      }
      if (st.conv2022_end != never && at < st.conv2022_end) {
        set_free(free_reason::inside_open_conversation, type, "a conversation was already open");
        break;
      }
      st.conv2022_end = at + 24h;
      const auto n = ++count(msg.business, month, msg.model, "", "conversation");
      if (n <= 1000) {
        set_free(free_reason::free_tier, type,
                 fmt::format("it opened conversation {} of the month, within the first 1,000", n));
        break;
      }
      auto r = card->rate_for(market, type, 1);
      if (!r) return no_rate(type);
      set_charged(type, r->first, r->second,
                  fmt::format("it opened a {} conversation ({} of the month)", type, n));
      break;
    }
    case pricing_model::cbp_2023: {
      const auto kind =
          msg.is_template ? static_cast<conv_kind>(static_cast<std::size_t>(*msg.category)) : conv_service;
      const std::string category = msg.is_template ? std::string(to_string(*msg.category)) : "service";
      if (in_fep) {
        set_free(free_reason::free_entry_point, category, "inside a free entry point window");
        break;
      }
      auto open = [&](std::size_t k) { return st.conv2023_end[k] != never && at < st.conv2023_end[k]; };
      if (msg.is_template ? open(kind)
                          : (open(conv_marketing) || open(conv_utility) || open(conv_authentication) ||
                             open(conv_service))) {
        set_free(free_reason::inside_open_conversation, category,
                 msg.is_template ? "a conversation of its category was already open"
                                 : "a conversation was already open");
        break;
      }
      st.conv2023_end[kind] = at + 24h;
      if (!msg.is_template) {
        if (local >= date::year{2024} / 11 / 1) {
          set_free(free_reason::service, category, "service conversations are free from 2024-11-01");
          break;
        }
        const auto n = ++count(msg.business, month, msg.model, "", "service");
        if (n <= 1000) {
          set_free(free_reason::free_tier, category,
                   fmt::format("it opened service conversation {} of the month, within the first 1,000", n));
          break;
        }
      }
      auto r = card->rate_for(market, category, 1);
      if (!r) return no_rate(category);
      set_charged(category, r->first, r->second,
                  fmt::format("it opened a 24-hour {} conversation", category));
      break;
    }
    case pricing_model::pmp_2025: {
      if (in_fep) {
        set_free(free_reason::free_entry_point,
                 msg.is_template ? std::string(to_string(*msg.category)) : "service",
                 "inside a free entry point window");
        break;
      }
      if (!msg.is_template) {
        set_free(free_reason::customer_service_window, "service", "free-form messages are free");
        break;
      }
      const auto cat = *msg.category;
      const std::string category(to_string(cat));
      if (cat == template_category::utility && msg.csw_open_at_send) {
        set_free(free_reason::customer_service_window, category,
                 "utility templates sent inside the service window are free");
        break;
      }
      if (cat == template_category::authentication && biz.auth_international_from &&
          *biz.auth_international_from <= local && !biz.home_country.empty() &&
          !(biz.home_country == msg.customer.country())) {
        if (auto intl = card->authentication_international(market)) {
          set_charged("authentication_international", *intl, "0:MAX",
                      fmt::format("authentication-international: the business is in {}, the customer in {}",
                                  biz.home_country.alpha2(), msg.customer.country().alpha2()));
          break;
        }
      }
      auto& n = count(msg.business, month, msg.model, market, category);
      auto r = card->rate_for(market, category, n + 1);
      if (!r) return no_rate(category);
      ++n;
      set_charged(category, r->first, r->second,
                  fmt::format("charged {} of the month for this category and market", n));
      break;
    }
  }

  if (c.free) {
    ++free[free_key{c.business, c.month, static_cast<int>(*c.free)}];
  } else {
    ++lines[line_key{c.business, c.month, static_cast<int>(c.model), c.market, c.category, c.tier,
                     c.amount.units()}];
  }
  if (keep) explained.insert_or_assign(std::string(id), c);
  return std::optional<charge>{std::move(c)};
}

chatdesk::invoice ledger::invoice() const {
  chatdesk::invoice out;
  out.currency = impl_->cards.currency();
  for (const auto& [k, n] : impl_->lines) {
    invoice_line l;
    l.business = std::get<0>(k);
    l.month = std::get<1>(k);
    l.model = static_cast<pricing_model>(std::get<2>(k));
    l.market = std::get<3>(k);
    l.category = std::get<4>(k);
    l.tier = std::get<5>(k);
    l.count = n;
    l.unit_price = decimal::from_units(std::get<6>(k));
    l.amount = l.unit_price * static_cast<std::int64_t>(n);
    out.total += l.amount;
    out.lines.push_back(std::move(l));
  }
  for (const auto& [k, n] : impl_->free)
    out.free.push_back({std::get<0>(k), std::get<1>(k), static_cast<free_reason>(std::get<2>(k)), n});
  out.problems = impl_->problems;
  out.total_settled = settle(out.total, out.currency);
  return out;
}

std::optional<charge> ledger::explain(std::string_view id) const {
  auto it = impl_->explained.find(id);
  if (it == impl_->explained.end()) return std::nullopt;
  return it->second;
}

}  // namespace chatdesk
