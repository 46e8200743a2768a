#include "chatdesk/pricing/ledger.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "../core/lookup.hpp"
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

using detail::text_map;
std::uint64_t number_value(const phone_number& p) noexcept {
  return detail::phone_value(p);
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
  const int y = static_cast<int>(d.year());
  const unsigned m = static_cast<unsigned>(d.month());
  if (y < 0 || y > 9999) return fmt::format("{:04}-{:02}", y, m);
  std::string out(7, '-');
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  return out;
}

/// Aggregation keys over interned names (no strings on the hot path).
struct line_key {
  std::uint32_t business, month, market, category, tier;
  std::uint8_t model;
  std::int64_t price;
  friend bool operator==(const line_key&, const line_key&) = default;
};
struct free_key {
  std::uint32_t business, month;
  std::uint8_t reason;
  friend bool operator==(const free_key&, const free_key&) = default;
};
struct count_key {
  std::uint32_t business, month, market, kind;
  std::uint8_t model;
  friend bool operator==(const count_key&, const count_key&) = default;
};
struct key_hash {
  static std::size_t mix(std::size_t h, std::uint64_t v) noexcept {
    return (h ^ (v + 0x9E3779B97F4A7C15ULL + (h << 6U) + (h >> 2U)));
  }
  std::size_t operator()(const line_key& k) const noexcept {
    std::size_t h = k.business;
    for (std::uint64_t v :
         {std::uint64_t{k.month}, std::uint64_t{k.market}, std::uint64_t{k.category}, std::uint64_t{k.tier},
          std::uint64_t{k.model}, static_cast<std::uint64_t>(k.price)})
      h = mix(h, v);
    return h;
  }
  std::size_t operator()(const free_key& k) const noexcept { return mix(mix(k.business, k.month), k.reason); }
  std::size_t operator()(const count_key& k) const noexcept {
    return mix(mix(mix(mix(k.business, k.month), k.market), k.kind), k.model);
  }
};

/// Strings seen on the hot path, each stored once and named by a number.
class interner {
 public:
  std::uint32_t id(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(s);
    ids_.emplace(std::string(s), id);
    return id;
  }
  [[nodiscard]] const std::string& name(std::uint32_t id) const { return names_[id]; }

 private:
  std::vector<std::string> names_;
  text_map<std::uint32_t> ids_;
};

}  // namespace

struct ledger::impl {
  impl(const rate_cards& c, std::optional<pricing_model> f) : cards(c), forced(f) {}

  const rate_cards& cards;
  std::optional<pricing_model> forced;
  std::vector<pricing_business> businesses;
  text_map<std::uint32_t> business_index;
  std::unordered_map<pair_key, pair_state, pair_hash> pairs;
  text_map<pending_message> pending;
  interner names;
  std::unordered_map<count_key, std::uint64_t, key_hash> counts;
  std::unordered_map<line_key, std::uint64_t, key_hash> lines;
  std::unordered_map<free_key, std::uint64_t, key_hash> free;
  std::vector<pricing_problem> problems;
  bool keep = false;
  text_map<charge> explained;
  // Ids of messages already delivered or failed, for two days after, so that
  // late and repeated statuses are recognised without growing for ever. Ids
  // are kept as 64-bit hashes: 16 bytes each instead of the string.
  std::unordered_map<std::uint64_t, timestamp> finished;
  std::deque<std::pair<timestamp, std::uint64_t>> finished_order;
  timestamp latest{};

  static std::uint64_t id_hash(std::string_view id) noexcept {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (char c : id) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return h;
  }
  [[nodiscard]] bool was_finished(std::string_view id) const { return finished.count(id_hash(id)) != 0; }
  void finish(std::string_view id, timestamp at) {
    const auto h = id_hash(id);
    finished.insert_or_assign(h, at);
    finished_order.emplace_back(at, h);
    if (at > latest) latest = at;
    while (!finished_order.empty() && finished_order.front().first + std::chrono::hours{48} < latest) {
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
    return counts[count_key{b, names.id(month), names.id(market), names.id(kind),
                            static_cast<std::uint8_t>(m)}];
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
  if (impl_->pending.find(id) != impl_->pending.end() || impl_->was_finished(id))
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
    if (impl_->was_finished(id)) return std::optional<charge>{};
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
  const auto cur = card->currency();  // code() views it: keep the value alive
  const auto currency_code = cur.code();

  charge c;
  c.message_id = std::string(id);
  c.business = biz.id;
  c.month = month;
  c.model = msg.model;
  c.market = market;
  c.delivered_at = at;
  c.tier = "0:MAX";
  // Sentences are written only when explanations are kept (they cost more than the pricing).
  auto what = [&] {
    return msg.is_template ? fmt::format("a {} template", to_string(*msg.category))
                           : std::string("a free-form message");
  };
  auto when = [&] {
    return fmt::format("delivered {} to {} (market {})", format_timestamp(at), msg.customer, market);
  };

  auto set_free = [&](free_reason r, std::string category, std::string_view why) {
    c.free = r;
    c.category = std::move(category);
    if (keep) c.explanation = fmt::format("{}: {} {}: free, {}", to_string(msg.model), what(), when(), why);
  };
  auto set_charged = [&](std::string category, decimal rate, std::string tier, std::string_view why) {
    c.category = std::move(category);
    c.amount = rate;
    c.tier = std::move(tier);
    if (keep)
      c.explanation = fmt::format("{}: {} {}: {} {} {} (tier {}), {}", to_string(msg.model), what(), when(),
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

  const auto month_id = names.id(c.month);
  if (c.free) {
    ++free[free_key{msg.business, month_id, static_cast<std::uint8_t>(*c.free)}];
  } else {
    ++lines[line_key{msg.business, month_id, names.id(c.market), names.id(c.category), names.id(c.tier),
                     static_cast<std::uint8_t>(c.model), c.amount.units()}];
  }
  if (keep) explained.insert_or_assign(std::string(id), c);
  return std::optional<charge>{std::move(c)};
}

chatdesk::invoice ledger::invoice() const {
  chatdesk::invoice out;
  out.currency = impl_->cards.currency();
  const auto& names = impl_->names;
  for (const auto& [k, n] : impl_->lines) {
    invoice_line l;
    l.business = impl_->businesses[k.business].id;
    l.month = names.name(k.month);
    l.model = static_cast<pricing_model>(k.model);
    l.market = names.name(k.market);
    l.category = names.name(k.category);
    l.tier = names.name(k.tier);
    l.count = n;
    l.unit_price = decimal::from_units(k.price);
    l.amount = l.unit_price * static_cast<std::int64_t>(n);
    out.total += l.amount;
    out.lines.push_back(std::move(l));
  }
  std::sort(out.lines.begin(), out.lines.end(), [](const invoice_line& a, const invoice_line& b) {
    return std::tie(a.business, a.month, a.model, a.market, a.category, a.tier, a.unit_price) <
           std::tie(b.business, b.month, b.model, b.market, b.category, b.tier, b.unit_price);
  });
  for (const auto& [k, n] : impl_->free)
    out.free.push_back(
        {impl_->businesses[k.business].id, names.name(k.month), static_cast<free_reason>(k.reason), n});
  std::sort(out.free.begin(), out.free.end(), [](const invoice_free& a, const invoice_free& b) {
    return std::tie(a.business, a.month, a.reason) < std::tie(b.business, b.month, b.reason);
  });
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
