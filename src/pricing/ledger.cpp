#include "chatdesk/pricing/ledger.hpp"

#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <tuple>

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

/// How long the ids of delivered and failed messages are remembered (at
/// least, unless more than `default_remembered_ids` finish in that time).
constexpr std::chrono::hours finished_window{48};
constexpr std::size_t default_remembered_ids = 1'000'000;

/// The rate keys of all models, as numbers (their names in `key_names`).
enum class rate_key : std::uint8_t {
  message,
  user_initiated,
  business_initiated,
  marketing,
  utility,
  authentication,
  service,
  authentication_international,
};
constexpr std::size_t rate_key_count = 8;
constexpr std::array<std::string_view, rate_key_count> key_names{
    "message",        "user_initiated", "business_initiated",          "marketing", "utility",
    "authentication", "service",        "authentication_international"};
constexpr std::string_view name_of(rate_key k) noexcept {
  return key_names[static_cast<std::size_t>(k)];
}
constexpr rate_key key_of(template_category c) noexcept {
  switch (c) {
    case template_category::marketing:
      return rate_key::marketing;
    case template_category::utility:
      return rate_key::utility;
    case template_category::authentication:
      return rate_key::authentication;
  }
  return rate_key::marketing;
}

/// A message id as two independent 64-bit hashes: the ledger keeps no id
/// strings. Two ids of one window share both with a chance of about 2^-128
/// per pair (absl's hash is salted per process; the second is fixed).
struct id_key {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  friend bool operator==(const id_key&, const id_key&) = default;
};
struct id_key_hash {
  std::size_t operator()(const id_key& k) const noexcept { return static_cast<std::size_t>(k.a); }
};
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 33U;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33U;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33U;
  return x;
}
std::uint64_t second_hash(std::string_view s) noexcept {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = mix64(h ^ w) * 0x9E3779B97F4A7C15ULL;
  }
  std::uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix64(h ^ tail ^ (static_cast<std::uint64_t>(s.size() - i) << 56U));
}
id_key id_key_of(std::string_view id) noexcept {
  return {absl::Hash<std::string_view>{}(id), second_hash(id)};
}

struct pair_key {
  std::uint32_t business = 0;
  std::uint64_t customer = 0;
  friend bool operator==(const pair_key&, const pair_key&) = default;
  template <class H>
  friend H AbslHashValue(H h, const pair_key& k) {
    return H::combine(std::move(h), k.business, k.customer);
  }
};

/// Conversation kinds of cbp_2023, in a fixed order.
enum conv_kind : std::size_t { conv_marketing, conv_utility, conv_authentication, conv_service, conv_kinds };

struct compiled_card;

struct pair_state {
  timestamp last_inbound = never;
  timestamp referral_at = never;
  bool referral_open = false;  // a referral not yet answered
  timestamp fep_end = never;
  timestamp conv2022_end = never;
  std::array<timestamp, conv_kinds> conv2023_end{never, never, never, never};
  // The customer's market in the card used last (markets depend on the card).
  const compiled_card* market_card = nullptr;
  std::uint32_t market = 0;

  [[nodiscard]] bool csw_open(timestamp t) const noexcept {
    return last_inbound != never && t >= last_inbound && t < last_inbound + service_window_length;
  }
};

struct pending_message {
  std::uint32_t business = 0;
  std::uint32_t pair = 0;  // index of the pair's state
  phone_number customer;
  timestamp sent{};
  bool is_template = false;
  std::optional<template_category> category;
  bool csw_open_at_send = false;
  pricing_model model = pricing_model::pmp_2025;
};

/// A month as one number: year * 12 + month - 1.
std::int32_t month_key(const date::year_month_day& d) noexcept {
  return static_cast<std::int32_t>(d.year()) * 12 +
         static_cast<std::int32_t>(static_cast<unsigned>(d.month())) - 1;
}
std::string month_name(std::int32_t key) {
  const int y = key >= 0 ? key / 12 : (key - 11) / 12;
  const int m = key - y * 12 + 1;
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

/// Strings by std::string_view (Debian's Abseil hashes its own string_view only).
template <class V>
using text_table = absl::flat_hash_map<std::string, V, detail::text_hash, std::equal_to<>>;

/// Strings named by numbers, so the hot path handles no strings.
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
  text_table<std::uint32_t> ids_;
};

/// One step of a rate: messages up to `up_to` (the n-th of the month) pay `rate`.
struct tier_rate {
  std::optional<std::uint64_t> up_to;
  decimal rate;
  std::uint32_t tier = 0;  // interned "0:MAX", "25000001:MAX", ...
};
/// A market's rates by key: tiers in order, then the flat rate; empty when the card has none.
struct market_rates {
  std::uint32_t name = 0;  // interned
  std::array<std::vector<tier_rate>, rate_key_count> rates;
};
/// A card's rates by number instead of by name, built as markets are met.
struct compiled_card {
  const rate_card* card = nullptr;
  absl::flat_hash_map<std::string_view, std::uint32_t> index;  // the market table's names
  std::vector<market_rates> markets;
};

const tier_rate* pick(const std::vector<tier_rate>& rates, std::uint64_t n) noexcept {
  for (const auto& t : rates)
    if (!t.up_to || n <= *t.up_to) return &t;
  return nullptr;
}

/// A business's local day, with what depends on it (kept while events stay in that day).
struct day_info {
  timestamp from = timestamp::max();
  timestamp until = timestamp::min();
  date::year_month_day date{};
  std::int32_t month = 0;
  pricing_model in_force = pricing_model::pmp_2025;
  std::array<compiled_card*, 4> cards{};
  std::uint8_t known = 0;  // bit m: cards[m] was looked up
};

/// Aggregation keys (numbers only).
struct line_key {
  std::uint32_t business;
  std::int32_t month;
  std::uint32_t market, tier;
  std::uint8_t category, model;
  std::int64_t price;
  friend bool operator==(const line_key&, const line_key&) = default;
  template <class H>
  friend H AbslHashValue(H h, const line_key& k) {
    return H::combine(std::move(h), k.business, k.month, k.market, k.tier, k.category, k.model, k.price);
  }
};
struct free_key {
  std::uint32_t business;
  std::int32_t month;
  std::uint8_t reason;
  friend bool operator==(const free_key&, const free_key&) = default;
  template <class H>
  friend H AbslHashValue(H h, const free_key& k) {
    return H::combine(std::move(h), k.business, k.month, k.reason);
  }
};
/// Monthly counters: conversations (cbp_2022), service conversations
/// (cbp_2023), charged messages by market and category (pmp_2025).
struct count_key {
  std::uint32_t business;
  std::int32_t month;
  std::uint32_t market;  // no_market for counters of all markets
  std::uint8_t kind, model;
  friend bool operator==(const count_key&, const count_key&) = default;
  template <class H>
  friend H AbslHashValue(H h, const count_key& k) {
    return H::combine(std::move(h), k.business, k.month, k.market, k.kind, k.model);
  }
};
constexpr std::uint32_t no_market = 0xFFFFFFFFU;
constexpr std::uint8_t conversation_counter = 0xFF;

/// Why a message cost what it cost (the sentence is written only on demand).
enum class why : std::uint8_t {
  inside_window,
  outside_window,
  entry_point,
  conversation_open,
  category_open,
  free_tier_conversation,
  opened_conversation,
  service_free,
  free_tier_service,
  opened_category_conversation,
  free_form,
  utility_in_window,
  authentication_international,
  charged_nth,
};

/// A priced message, in numbers.
struct priced {
  pricing_model model = pricing_model::pmp_2025;
  std::int32_t month = 0;
  std::uint32_t market = 0;
  rate_key category = rate_key::message;
  std::uint32_t tier = 0;
  decimal amount;
  std::optional<free_reason> free;
  why reason = why::free_form;
  std::uint64_t n = 0;
};

}  // namespace

struct ledger::impl {
  impl(const rate_cards& c, std::optional<pricing_model> f) : cards(c), forced(f) {
    names.id("0:MAX");  // id 0: the tier of flat rates and free messages
  }

  const rate_cards& cards;
  std::optional<pricing_model> forced;
  std::vector<pricing_business> businesses;
  std::vector<day_info> days;  // by business
  text_table<std::uint32_t> business_index;
  std::uint32_t last_business = 0xFFFFFFFFU;
  // Conversation state by business and customer: states in a vector, so a
  // message can name its pair by index.
  absl::flat_hash_map<pair_key, std::uint32_t> pair_index;
  std::vector<pair_state> pairs;
  // Every message id the ledger knows, in one table: a message sent and not
  // yet priced names its slot in `pending`; a message delivered or failed
  // names the generation that finished it. Finished ids are remembered so
  // that late and repeated statuses are recognised and ids are not reused: a
  // generation ends after `remember_for` or `remember_at_most / 2` ids, ids of
  // the two latest generations count, older ones are swept out when one ends.
  struct id_entry {
    std::uint32_t value = 0;  // slot in `pending`, or generation
    bool finished = false;
  };
  absl::flat_hash_map<id_key, id_entry, id_key_hash> ids;
  std::vector<pending_message> pending;
  std::vector<std::uint32_t> free_slots;
  std::uint32_t generation = 1;
  std::size_t generation_size = 0;
  timestamp generation_start = never;
  std::chrono::milliseconds remember_for = finished_window;
  std::size_t remember_at_most = default_remembered_ids;
  interner names;
  std::deque<compiled_card> compiled;
  absl::flat_hash_map<count_key, std::uint64_t> counts;
  absl::flat_hash_map<line_key, std::uint64_t> lines;
  absl::flat_hash_map<free_key, std::uint64_t> free;
  std::vector<pricing_problem> problems;
  bool keep = false;
  detail::text_map<charge> explained;

  [[nodiscard]] bool remembered(const id_entry& e) const noexcept {
    return !e.finished || e.value + 1 >= generation;
  }
  /// Marks a pending message finished at `at` (its slot is freed). Sweeping
  /// old ids erases only finished entries and moves none: `e` stays valid.
  void finish(id_entry& e, timestamp at) {
    if (generation_start == never) generation_start = at;
    if (at >= generation_start + remember_for ||
        generation_size >= std::max<std::size_t>(remember_at_most / 2, 1)) {
      ++generation;
      generation_size = 0;
      generation_start = at;
      const auto oldest = generation - 1;
      absl::erase_if(
          ids, [oldest](const auto& entry) { return entry.second.finished && entry.second.value < oldest; });
    }
    free_slots.push_back(e.value);
    e.finished = true;
    e.value = generation;
    ++generation_size;
  }

  pair_state& pair(std::uint32_t business, const phone_number& customer, std::uint32_t* index = nullptr) {
    auto [it, added] = pair_index.try_emplace(pair_key{business, detail::phone_value(customer)},
                                              static_cast<std::uint32_t>(pairs.size()));
    if (added) pairs.emplace_back();
    if (index != nullptr) *index = it->second;
    return pairs[it->second];
  }

  std::uint32_t business(std::string_view id) {
    if (last_business < businesses.size() && businesses[last_business].id == id) return last_business;
    auto it = business_index.find(id);
    if (it != business_index.end()) return last_business = it->second;
    const auto index = static_cast<std::uint32_t>(businesses.size());
    businesses.push_back(pricing_business{std::string(id), time_zone::utc(), country{}, std::nullopt});
    days.emplace_back();
    business_index.emplace(std::string(id), index);
    return last_business = index;
  }

  day_info& day(std::uint32_t b, timestamp at) {
    auto& d = days[b];
    if (at >= d.from && at < d.until) return d;
    const auto& zone = businesses[b].zone;
    d.date = zone.local_date(at);
    d.from = zone.start_of_day(d.date);
    d.until = zone.start_of_day(date::year_month_day{date::sys_days{d.date} + date::days{1}});
    if (!(d.from <= at && at < d.until)) {  // a zone the day rule does not fit: no caching
      d.from = at;
      d.until = at + 1ms;
    }
    d.month = month_key(d.date);
    d.in_force = model_in_force(d.date);
    d.known = 0;
    return d;
  }

  compiled_card* card_for(day_info& d, pricing_model m) {
    const auto i = static_cast<std::size_t>(m);
    const auto bit = static_cast<std::uint8_t>(1U << i);
    if ((d.known & bit) == 0) {
      d.cards[i] = compile(cards.find(m, d.date));
      d.known = static_cast<std::uint8_t>(d.known | bit);
    }
    return d.cards[i];
  }

  compiled_card* compile(const rate_card* card) {
    if (card == nullptr) return nullptr;
    for (auto& c : compiled)
      if (c.card == card) return &c;
    compiled.push_back(compiled_card{card, {}, {}});
    return &compiled.back();
  }

  /// The customer's market in `cc`, cached in the pair's state.
  const market_rates& market_of(pair_state& st, compiled_card& cc, const phone_number& customer) {
    if (st.market_card == &cc) return cc.markets[st.market];
    const auto name = cc.card->markets().find(customer);
    auto it = cc.index.find(name);
    if (it == cc.index.end()) {
      market_rates m;
      m.name = names.id(name);
      for (std::size_t k = 0; k < rate_key_count; ++k) {
        const auto key = static_cast<rate_key>(k);
        auto& out = m.rates[k];
        if (key == rate_key::authentication_international) {
          if (auto r = cc.card->authentication_international(name)) out.push_back({std::nullopt, *r, 0});
          continue;
        }
        std::uint64_t lower = 0;
        for (const auto& t : cc.card->tiers(name, name_of(key))) {
          out.push_back({t.up_to, t.rate, names.id(tier_name(lower, t.up_to))});
          if (t.up_to) lower = *t.up_to + 1;
        }
        if (auto r = cc.card->rate(name, name_of(key))) out.push_back({std::nullopt, *r, 0});
      }
      it = cc.index.emplace(name, static_cast<std::uint32_t>(cc.markets.size())).first;
      cc.markets.push_back(std::move(m));
    }
    st.market_card = &cc;
    st.market = it->second;
    return cc.markets[st.market];
  }

  std::uint64_t& count(std::uint32_t b, std::int32_t month, pricing_model m, std::uint32_t market,
                       std::uint8_t kind) {
    return counts[count_key{b, month, market, kind, static_cast<std::uint8_t>(m)}];
  }

  result<priced> price(std::string_view id, const pending_message& msg, timestamp at);
  /// Applies a status; writes the charge to `out` (when given) if it priced the message.
  result<status_effect> settle(timestamp at, std::string_view id, message_status status,
                               std::optional<charge>* out);
  charge make_charge(std::string_view id, const pending_message& msg, const priced& p, timestamp at,
                     bool explain) const;
};

ledger::ledger(const rate_cards& cards, std::optional<pricing_model> forced)
    : impl_(std::make_unique<impl>(cards, forced)) {}
ledger::~ledger() = default;
ledger::ledger(ledger&&) noexcept = default;
ledger& ledger::operator=(ledger&&) noexcept = default;

void ledger::add_business(pricing_business b) {
  const auto index = impl_->business(b.id);
  impl_->businesses[index] = std::move(b);
  impl_->days[index] = day_info{};  // its zone may have changed
}

void ledger::remember_ids(std::chrono::milliseconds window, std::size_t at_most) {
  impl_->remember_for = window;
  impl_->remember_at_most = at_most;
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
  auto& st = impl_->pair(impl_->business(business), customer);
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
  auto& d = *impl_;
  auto [it, added] = d.ids.try_emplace(id_key_of(id));
  if (!added && d.remembered(it->second))
    return make_error("pricing.duplicate_id", fmt::format("message id '{}' was already sent", id), "id");
  const auto b = d.business(business);
  pending_message m;
  const auto& st = d.pair(b, customer, &m.pair);
  m.business = b;
  m.customer = customer;
  m.sent = at;
  m.is_template = is_template;
  m.category = is_template ? category : std::nullopt;
  m.csw_open_at_send = st.csw_open(at);
  m.model = d.forced ? *d.forced : d.day(b, at).in_force;
  std::uint32_t slot = 0;
  if (d.free_slots.empty()) {
    slot = static_cast<std::uint32_t>(d.pending.size());
    d.pending.push_back(m);
  } else {
    slot = d.free_slots.back();
    d.free_slots.pop_back();
    d.pending[slot] = m;
  }
  it->second = impl::id_entry{slot, false};
  return {};
}

result<status_effect> ledger::impl::settle(timestamp at, std::string_view id, message_status status,
                                           std::optional<charge>* out) {
  auto it = ids.find(id_key_of(id));
  if (it == ids.end() || !remembered(it->second))
    return make_error("pricing.unknown_message", fmt::format("no outbound message has the id '{}'", id),
                      "id");
  auto& entry = it->second;
  // A late or repeated status of a message already priced (or failed) changes nothing.
  if (entry.finished) return status_effect{};
  if (status == message_status::failed) {
    finish(entry, at);  // failed messages cost nothing
    return status_effect{};
  }
  if (status != message_status::delivered && status != message_status::read) return status_effect{};
  const auto& msg = pending[entry.value];
  auto p = price(id, msg, at);
  if (!p) return p.error();
  if (out != nullptr || keep) {
    auto c = make_charge(id, msg, *p, at, keep);
    if (keep) explained.insert_or_assign(std::string(id), c);
    if (out != nullptr) *out = std::move(c);
  }
  const status_effect effect{true, p->amount, p->free};
  finish(entry, at);  // may sweep `ids`: `entry` is not used after it
  return effect;
}

result<std::optional<charge>> ledger::status(timestamp at, std::string_view id, message_status status) {
  std::optional<charge> c;
  auto s = impl_->settle(at, id, status, &c);
  if (!s) return s.error();
  return c;
}

result<status_effect> ledger::record_status(timestamp at, std::string_view id, message_status status) {
  return impl_->settle(at, id, status, nullptr);
}

result<priced> ledger::impl::price(std::string_view id, const pending_message& msg, timestamp at) {
  const auto b = msg.business;
  const auto& biz = businesses[b];
  auto& d = day(b, at);
  auto* cc = card_for(d, msg.model);
  if (cc == nullptr)
    return make_error("pricing.no_rate_card",
                      fmt::format("no {} rate card is in force on {} for message '{}'", to_string(msg.model),
                                  format_timestamp(at).substr(0, 10), id),
                      "id");
  auto& st = pairs[msg.pair];  // pricing adds no pairs: the reference stays valid
  const auto& rates = market_of(st, *cc, msg.customer);
  const auto local = d.date;

  priced p;
  p.model = msg.model;
  p.month = d.month;
  p.market = rates.name;
  auto set_free = [&](free_reason r, rate_key category, why reason) {
    p.free = r;
    p.category = category;
    p.reason = reason;
  };
  // Charges the n-th message of `category` (1-based); false when the card has no rate.
  auto set_charged = [&](rate_key category, std::uint64_t n, why reason) {
    const auto* t = pick(rates.rates[static_cast<std::size_t>(category)], n);
    if (t == nullptr) return false;
    p.category = category;
    p.amount = t->rate;
    p.tier = t->tier;
    p.reason = reason;
    return true;
  };
  auto no_rate = [&](rate_key key) {
    return make_error("pricing.no_rate",
                      fmt::format("{} has no '{}' rate for market '{}'",
                                  cc->card->source().empty() ? "the rate card" : cc->card->source(),
                                  name_of(key), names.name(rates.name)),
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
        set_free(free_reason::customer_service_window, rate_key::message, why::inside_window);
        break;
      }
      if (!set_charged(rate_key::message, 1, why::outside_window)) return no_rate(rate_key::message);
      break;
    }
    case pricing_model::cbp_2022: {
      const auto type = msg.csw_open_at_send ? rate_key::user_initiated : rate_key::business_initiated;
      if (in_fep) {
        set_free(free_reason::free_entry_point, type, why::entry_point);
        break;
      }
      if (st.conv2022_end != never && at < st.conv2022_end) {
        set_free(free_reason::inside_open_conversation, type, why::conversation_open);
        break;
      }
      st.conv2022_end = at + 24h;
      const auto n = ++count(b, p.month, msg.model, no_market, conversation_counter);
      p.n = n;
      if (n <= 1000) {
        set_free(free_reason::free_tier, type, why::free_tier_conversation);
        break;
      }
      if (!set_charged(type, 1, why::opened_conversation)) return no_rate(type);
      break;
    }
    case pricing_model::cbp_2023: {
      const auto kind =
          msg.is_template ? static_cast<conv_kind>(static_cast<std::size_t>(*msg.category)) : conv_service;
      const auto category = msg.is_template ? key_of(*msg.category) : rate_key::service;
      if (in_fep) {
        set_free(free_reason::free_entry_point, category, why::entry_point);
        break;
      }
      auto open = [&](std::size_t k) { return st.conv2023_end[k] != never && at < st.conv2023_end[k]; };
      if (msg.is_template ? open(kind)
                          : (open(conv_marketing) || open(conv_utility) || open(conv_authentication) ||
                             open(conv_service))) {
        set_free(free_reason::inside_open_conversation, category,
                 msg.is_template ? why::category_open : why::conversation_open);
        break;
      }
      st.conv2023_end[kind] = at + 24h;
      if (!msg.is_template) {
        if (local >= date::year{2024} / 11 / 1) {
          set_free(free_reason::service, category, why::service_free);
          break;
        }
        const auto n =
            ++count(b, p.month, msg.model, no_market, static_cast<std::uint8_t>(rate_key::service));
        p.n = n;
        if (n <= 1000) {
          set_free(free_reason::free_tier, category, why::free_tier_service);
          break;
        }
      }
      if (!set_charged(category, 1, why::opened_category_conversation)) return no_rate(category);
      break;
    }
    case pricing_model::pmp_2025: {
      if (in_fep) {
        set_free(free_reason::free_entry_point, msg.is_template ? key_of(*msg.category) : rate_key::service,
                 why::entry_point);
        break;
      }
      if (!msg.is_template) {
        set_free(free_reason::customer_service_window, rate_key::service, why::free_form);
        break;
      }
      const auto cat = *msg.category;
      const auto category = key_of(cat);
      if (cat == template_category::utility && msg.csw_open_at_send) {
        set_free(free_reason::customer_service_window, category, why::utility_in_window);
        break;
      }
      if (cat == template_category::authentication && biz.auth_international_from &&
          *biz.auth_international_from <= local && !biz.home_country.empty() &&
          !(biz.home_country == msg.customer.country())) {
        if (set_charged(rate_key::authentication_international, 1, why::authentication_international)) break;
      }
      auto& n = count(b, p.month, msg.model, rates.name, static_cast<std::uint8_t>(category));
      if (!set_charged(category, n + 1, why::charged_nth)) return no_rate(category);
      p.n = ++n;
      break;
    }
  }

  if (p.free) {
    ++free[free_key{b, p.month, static_cast<std::uint8_t>(*p.free)}];
  } else {
    ++lines[line_key{b, p.month, p.market, p.tier, static_cast<std::uint8_t>(p.category),
                     static_cast<std::uint8_t>(p.model), p.amount.units()}];
  }
  return p;
}

charge ledger::impl::make_charge(std::string_view id, const pending_message& msg, const priced& p,
                                 timestamp at, bool explain) const {
  const auto& biz = businesses[msg.business];
  charge c;
  c.message_id = std::string(id);
  c.business = biz.id;
  c.month = month_name(p.month);
  c.model = p.model;
  c.market = names.name(p.market);
  c.category = std::string(name_of(p.category));
  c.tier = names.name(p.tier);
  c.amount = p.amount;
  c.free = p.free;
  c.delivered_at = at;
  if (!explain) return c;

  const std::string what = msg.is_template ? fmt::format("a {} template", to_string(*msg.category))
                                           : std::string("a free-form message");
  const auto when =
      fmt::format("delivered {} to {} (market {})", format_timestamp(at), msg.customer, c.market);
  std::string reason;
  switch (p.reason) {
    case why::inside_window:
      reason = "sent inside the customer service window";
      break;
    case why::outside_window:
      reason = "sent outside the customer service window";
      break;
    case why::entry_point:
      reason = "inside a free entry point window";
      break;
    case why::conversation_open:
      reason = "a conversation was already open";
      break;
    case why::category_open:
      reason = "a conversation of its category was already open";
      break;
    case why::free_tier_conversation:
      reason = fmt::format("it opened conversation {} of the month, within the first 1,000", p.n);
      break;
    case why::opened_conversation:
      reason = fmt::format("it opened a {} conversation ({} of the month)", c.category, p.n);
      break;
    case why::service_free:
      reason = "service conversations are free from 2024-11-01";
      break;
    case why::free_tier_service:
      reason = fmt::format("it opened service conversation {} of the month, within the first 1,000", p.n);
      break;
    case why::opened_category_conversation:
      reason = fmt::format("it opened a 24-hour {} conversation", c.category);
      break;
    case why::free_form:
      reason = "free-form messages are free";
      break;
    case why::utility_in_window:
      reason = "utility templates sent inside the service window are free";
      break;
    case why::authentication_international:
      reason = fmt::format("authentication-international: the business is in {}, the customer in {}",
                           biz.home_country.alpha2(), msg.customer.country().alpha2());
      break;
    case why::charged_nth:
      reason = fmt::format("charged {} of the month for this category and market", p.n);
      break;
  }
  if (p.free) {
    c.explanation = fmt::format("{}: {} {}: free, {}", to_string(p.model), what, when, reason);
  } else {
    const auto cur = cards.currency();  // code() views it: keep the value alive
    c.explanation = fmt::format("{}: {} {}: {} {} {} (tier {}), {}", to_string(p.model), what, when,
                                p.amount.to_string(), cur.code(), c.category, c.tier, reason);
  }
  return c;
}

chatdesk::invoice ledger::invoice() const {
  chatdesk::invoice out;
  out.currency = impl_->cards.currency();
  const auto& names = impl_->names;
  for (const auto& [k, n] : impl_->lines) {
    invoice_line l;
    l.business = impl_->businesses[k.business].id;
    l.month = month_name(k.month);
    l.model = static_cast<pricing_model>(k.model);
    l.market = names.name(k.market);
    l.category = std::string(name_of(static_cast<rate_key>(k.category)));
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
        {impl_->businesses[k.business].id, month_name(k.month), static_cast<free_reason>(k.reason), n});
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
