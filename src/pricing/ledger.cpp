#include "chatdesk/pricing/ledger.hpp"

#include "chatdesk/core/detail/market_index.hpp"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <random>
#include <tuple>

#include <fmt/format.h>

#include "../core/lookup.hpp"
#include "../rules/decide.hpp"
#include "chatdesk/model/windows.hpp"
#include "id_tables.hpp"

namespace chatdesk {

namespace {

using namespace std::chrono_literals;
namespace rules = detail::rules;

// The defaults of how long ids are remembered, how long a message in flight
// is waited for and how many problems are listed are `ledger_options`'.

std::string_view name_of(rate_key k) noexcept {
  return to_string(k);
}

/// The seed of message id hashes: random per process, so ids cannot be
/// crafted offline to collide.
std::uint64_t id_seed() noexcept {
  static const std::uint64_t seed = [] {
    static const char anchor = 0;
    std::uint64_t s = detail::hashing::mix64(reinterpret_cast<std::uintptr_t>(&anchor));
    try {
      std::random_device rd;
      s ^= (std::uint64_t{rd()} << 32U) ^ rd();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the address alone still varies per process
    }
    return s;
  }();
  return seed;
}

/// What the ledger works out from an event before applying it: its id's
/// hash, its business's number (when already known) and its customer's key.
struct prepared {
  detail::id_hash key;
  std::uint32_t business = 0xFFFFFFFFU;  // unknown yet
  std::uint64_t customer = 0;
};

/// Text equality without a library call for short texts (business ids).
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.size() > 16) return a == b;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

struct compiled_card;

/// What a business and a customer share, touched by nearly every event: 32
/// bytes, two to a cache line. The customer's number and the conversations of
/// the conversation-based models are kept apart (`customers`, `conversations`).
struct pair_state {
  timestamp last_inbound = never;
  timestamp referral_at = never;
  timestamp fep_end = never;
  std::uint32_t conversations = 0;  // 1 + the index of its pair_conversations; 0: none yet
  // The customer's market in the card used last (markets depend on the card):
  // 1 + the card's index among the compiled ones (0: none), and the market's index.
  std::uint8_t market_card = 0;
  bool referral_open = false;  // a referral not yet answered
  std::uint16_t market = 0;

  [[nodiscard]] bool csw_open(timestamp t) const noexcept {
    return last_inbound != never && t >= last_inbound && t < last_inbound + service_window_length;
  }
};
static_assert(sizeof(pair_state) == 32);

/// The conversations of a pair under the conversation-based models (made when
/// a pair first meets one of them): when each open one ends.
struct pair_conversations {
  timestamp conv2022_end = never;
  std::array<timestamp, message_kind_count> conv2023_end{never, never, never, never};

  /// A free entry point closes every open conversation at `at`.
  void close_all(timestamp at) noexcept {
    if (conv2022_end != never && conv2022_end > at) conv2022_end = at;
    for (auto& end : conv2023_end)
      if (end != never && end > at) end = at;
  }
};

/// A message sent and not yet delivered or failed, in the table of pending ids.
struct pending_message {
  detail::id_hash key;
  std::uint32_t business = 0;
  std::uint32_t pair = 0;  // index of the pair's state (with the customer)
  timestamp sent{};
  // Three flags in one byte, so the entry stays 40 bytes (its table is the ledger's largest).
  bool is_template : 1 = false;
  bool csw_open_at_send : 1 = false;
  bool reaction : 1 = false;
  std::optional<template_category> category;
  pricing_model model = pricing_model::pmp_2025;
  std::uint32_t number = 0xFFFFFFFFU;  // interned business phone number; none: the business's one number
};
static_assert(sizeof(pending_message) == 40);

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
  std::uint32_t number = 0;                                    // its place among the compiled cards
  absl::flat_hash_map<std::string_view, std::uint32_t> index;  // the market table's names
  std::vector<std::uint32_t> by_rule;                          // market table rule -> market (or none)
  std::vector<market_rates> markets;
};
constexpr std::uint32_t no_market_yet = 0xFFFFFFFFU;

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
  std::array<compiled_card*, pricing_models.size()> cards{};
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
constexpr std::uint8_t number_counter = 0xFE;  // service messages of a business phone number (pmp_2026_10)
constexpr std::uint32_t sole_number = 0xFFFFFFFFU;

/// A counter table's cache slot of a key: its fields mixed by one multiplication.
[[nodiscard]] constexpr std::uint64_t mix_fields(std::uint64_t a, std::uint64_t b) noexcept {
  return ((a << 32U) ^ b) * 0x9E3779B97F4A7C15ULL;
}
[[nodiscard]] constexpr std::uint64_t cache_mix(const line_key& k) noexcept {
  return mix_fields(k.market ^ (std::uint64_t{k.category} << 24U) ^ (std::uint64_t{k.model} << 16U),
                    k.tier ^ (std::uint64_t{k.business} << 12U) ^ static_cast<std::uint32_t>(k.month) ^
                        static_cast<std::uint64_t>(k.price));
}
[[nodiscard]] constexpr std::uint64_t cache_mix(const free_key& k) noexcept {
  return mix_fields(k.reason, (std::uint64_t{k.business} << 12U) ^ static_cast<std::uint32_t>(k.month));
}
[[nodiscard]] constexpr std::uint64_t cache_mix(const count_key& k) noexcept {
  return mix_fields(k.market ^ (std::uint64_t{k.kind} << 24U) ^ (std::uint64_t{k.model} << 16U),
                    (std::uint64_t{k.business} << 12U) ^ static_cast<std::uint32_t>(k.month));
}

/// Monthly counters by key: a hash map, with a small direct-mapped cache of
/// the counters used last in front of it. A month's traffic adds to a few
/// dozen counters, so almost every count is a cache hit that hashes nothing.
template <class Key>
class counter_table {
 public:
  [[gnu::always_inline]] std::uint64_t& operator[](const Key& k) {
    auto& s = cache_[cache_mix(k) >> cache_shift];
    if (s.value != nullptr && s.key == k) [[likely]]
      return *s.value;
    return miss(k, s);
  }
  void clear() {
    map_.clear();
    for (auto& c : cache_) c.value = nullptr;
  }
  [[nodiscard]] auto begin() const { return map_.begin(); }
  [[nodiscard]] auto end() const { return map_.end(); }

 private:
  static constexpr unsigned cache_bits = 8;
  static constexpr unsigned cache_shift = 64 - cache_bits;
  static constexpr std::size_t cache_size = std::size_t{1} << cache_bits;
  struct slot {
    Key key{};
    std::uint64_t* value = nullptr;
  };
  [[gnu::noinline]] std::uint64_t& miss(const Key& k, slot& s) {
    const auto before = map_.size();
    auto& v = map_[k];
    if (map_.size() != before) {  // an insertion may have moved every value
      for (auto& c : cache_) c.value = nullptr;
    }
    s.key = k;
    s.value = &v;
    return v;
  }
  absl::flat_hash_map<Key, std::uint64_t> map_;
  std::array<slot, cache_size> cache_{};
};

/// A priced message, in numbers.
struct priced {
  pricing_model model = pricing_model::pmp_2025;
  std::int32_t month = 0;
  std::uint32_t market = 0;
  std::uint32_t tier = 0;
  decimal amount;
  charge_decision decision;
};

}  // namespace

struct ledger::impl {
  impl(const rate_cards& c, ledger_options o)
      : cards(c),
        forced(o.model),
        remember_for(o.remember_ids_for),
        undelivered_after(
            std::max<std::chrono::milliseconds>(o.undelivered_after, std::chrono::milliseconds{1})),
        remember_at_most(o.remember_ids_at_most),
        keep_problems_at_most(o.problems_listed),
        keep(o.explain_all) {
    names.id("0:MAX");  // id 0: the tier of flat rates and free messages
    for (auto& id : o.explain) keep_ids.emplace(std::move(id));
  }

  const rate_cards& cards;
  std::optional<pricing_model> forced;
  std::vector<pricing_business> businesses;
  std::vector<day_info> days;  // by business
  text_table<std::uint32_t> business_index;
  std::uint32_t last_business = 0xFFFFFFFFU;
  // Conversation state by business and customer, numbered so a message can
  // name its pair; the last pair looked up is remembered.
  detail::pair_index pair_numbers;
  detail::block_store<pair_state> pairs;
  detail::block_store<phone_number> customers;  // by pair
  detail::block_store<pair_conversations> conversations;
  std::uint64_t last_pair_customer = 0;
  std::uint32_t last_pair_business = 0;
  std::uint32_t last_pair = 0;
  // Messages sent and not yet priced, by id hash. Ids of delivered and failed
  // messages are remembered in generations, so that late and repeated
  // statuses are recognised and ids are not reused: a generation ends after
  // `remember_for` or `remember_at_most / 2` ids; the current and the
  // previous one count, and the one before is forgotten whole (its table is
  // cleared and reused for the next).
  std::uint64_t seed = id_seed();
  detail::id_table<pending_message> pending;
  detail::id_set finished_now;
  detail::id_set finished_before;
  timestamp generation_start = never;
  std::chrono::milliseconds remember_for;
  // Messages in flight longer than `undelivered_after` are finished unpriced,
  // in a sweep at most every eighth of that time (of event time).
  std::chrono::milliseconds undelivered_after;
  timestamp next_sweep = never;
  std::size_t remember_at_most;
  interner names;
  // The business phone numbers met last, so that most outbound messages find
  // their number's id without hashing it (a business sends from a few numbers).
  struct recent_number {
    std::string text;
    std::uint32_t id = 0;
  };
  std::array<recent_number, 8> recent_numbers{};
  std::size_t recent_next = 0;
  std::uint32_t number_id(std::string_view number) {
    for (const auto& r : recent_numbers)
      if (same_text(r.text, number)) return r.id;
    auto& r = recent_numbers[recent_next++ % recent_numbers.size()];
    r.text.assign(number);
    r.id = names.id(number);
    return r.id;
  }
  std::deque<compiled_card> compiled;
  counter_table<count_key> counts;
  counter_table<line_key> lines;
  counter_table<free_key> free;
  std::vector<pricing_problem> problems;  // the first `keep_problems_at_most`
  std::size_t keep_problems_at_most;
  std::uint64_t problems_total = 0;
  std::map<std::string, std::uint64_t, std::less<>> problem_counts;
  bool keep;
  absl::flat_hash_set<std::string, detail::text_hash, std::equal_to<>> keep_ids;
  detail::text_map<charge> explained;

  [[nodiscard]] detail::id_hash hash_of(std::string_view id) const noexcept {
    return detail::hash_id(id, seed);
  }
  /// A delivered or failed message's id is remembered as finished at `at`.
  void finish(const detail::id_hash& k, timestamp at) {
    if (generation_start == never) generation_start = at;
    if (at >= generation_start + remember_for ||
        finished_now.size() >= std::max<std::size_t>(remember_at_most / 2, 1)) {
      std::swap(finished_now, finished_before);
      finished_now.clear();
      generation_start = at;
    }
    finished_now.insert(k);
  }
  /// Finishes, unpriced, the messages sent before `at - undelivered_after`.
  /// Called when `at` reaches `next_sweep`; the first call only sets it.
  void sweep_undelivered(timestamp at) {
    const bool first = next_sweep == never;
    next_sweep = at + std::max<std::chrono::milliseconds>(undelivered_after / 8, std::chrono::minutes{1});
    if (first) return;
    const auto cutoff = at - undelivered_after;
    pending.erase_if([&](const pending_message& m) {
      if (m.sent >= cutoff) return false;
      finish(m.key, at);
      return true;
    });
  }
  [[nodiscard]] bool finished(const detail::id_hash& k) const noexcept {
    return finished_now.contains(k) || finished_before.contains(k);
  }

  /// The pair's number (`value` is the customer's `phone_key`), added when new.
  std::uint32_t pair(std::uint32_t business, const phone_number& customer, std::uint64_t value) {
    if (value == last_pair_customer && business == last_pair_business) return last_pair;
    bool added = false;
    const auto index =
        pair_numbers.find_or_add(business, value, static_cast<std::uint32_t>(pairs.size()), added);
    if (added) {
      pairs.push();
      customers.push() = customer;
    }
    last_pair_customer = value;
    last_pair_business = business;
    last_pair = index;
    return index;
  }

  std::uint32_t business(std::string_view id) {
    if (last_business < businesses.size() && same_text(businesses[last_business].id, id))
      return last_business;
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
      const rate_card* card = cards.find(m, d.date);
      if (card == nullptr && forced) {
        // A what-if under a model whose cards all start later: its earliest card.
        for (const auto& c : cards.all())
          if (c.model() == m) {
            card = &c;
            break;
          }
      }
      d.cards[i] = compile(card);
      d.known = static_cast<std::uint8_t>(d.known | bit);
    }
    return d.cards[i];
  }

  compiled_card* compile(const rate_card* card) {
    if (card == nullptr) return nullptr;
    for (auto& c : compiled)
      if (c.card == card) return &c;
    compiled.push_back(
        compiled_card{card,
                      static_cast<std::uint32_t>(compiled.size()),
                      {},
                      std::vector<std::uint32_t>(card->markets().rules().size() + 1, no_market_yet),
                      {}});
    return &compiled.back();
  }

  /// The conversations of pair `p`, made when first asked for.
  pair_conversations& conversations_of(pair_state& st) {
    if (st.conversations == 0) {
      conversations.push();
      st.conversations = static_cast<std::uint32_t>(conversations.size());
    }
    return conversations[st.conversations - 1];
  }

  /// The customer's market in `cc`, cached in the pair's state.
  const market_rates& market_of(pair_state& st, const phone_number& customer, compiled_card& cc) {
    if (st.market_card == cc.number + 1) return cc.markets[st.market];
    const auto rule = detail::market_rule_index(cc.card->markets(), customer);
    auto market = cc.by_rule[rule];
    if (market == no_market_yet)
      market = cc.by_rule[rule] = add_market(cc, cc.card->markets().find(customer));
    if (cc.number < 0xFF && market <= 0xFFFF) {  // else not cached: looked up each time
      st.market_card = static_cast<std::uint8_t>(cc.number + 1);
      st.market = static_cast<std::uint16_t>(market);
    } else {
      st.market_card = 0;
    }
    return cc.markets[market];
  }

  /// The market named `name` in `cc`, its rates compiled when first met.
  std::uint32_t add_market(compiled_card& cc, std::string_view name) {
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
    return it->second;
  }

  [[gnu::always_inline]] std::uint64_t& count(std::uint32_t b, std::int32_t month, pricing_model m,
                                              std::uint32_t market, std::uint8_t kind) {
    return counts[count_key{b, month, market, kind, static_cast<std::uint8_t>(m)}];
  }

  /// The business's number, if it is known (adds none).
  [[nodiscard]] std::optional<std::uint32_t> find_business(std::string_view id) const {
    if (last_business < businesses.size() && same_text(businesses[last_business].id, id))
      return last_business;
    auto it = business_index.find(id);
    if (it == business_index.end()) return std::nullopt;
    return it->second;
  }
  /// Works out what applying `e` needs and starts fetching what it will read.
  [[nodiscard]] prepared prepare(const pricing_event& e) const {
    prepared p;
    if (e.type != pricing_event::kind::inbound) {
      p.key = hash_of(e.id);
      pending.prefetch(p.key);
      if (e.type == pricing_event::kind::outbound) {
        finished_now.prefetch(p.key);
        finished_before.prefetch(p.key);
      }
    }
    if (e.type != pricing_event::kind::status && !e.customer.empty()) {
      p.customer = detail::phone_key(e.customer);
      if (auto b = find_business(e.business)) {
        p.business = *b;
        pair_numbers.prefetch(*b, p.customer);
      }
    }
    return p;
  }

  // The steps below return false when they refuse an event, with the reason
  // in `refusal`: an `error` returned by value on every step cost the hot path
  // copies and destructor calls even when nothing was wrong.
  error refusal;
  /// Records why the current event is refused; returns false.
  bool refuse(std::string_view code, std::string message, std::string_view where) {
    refusal = make_error(code, std::move(message), std::string(where));
    return false;
  }

  bool inbound(timestamp at, std::string_view business, const phone_number& customer, bool referral,
               const prepared& p);
  bool outbound(timestamp at, std::string_view business, const phone_number& customer, std::string_view id,
                bool is_template, std::optional<template_category> category, std::string_view number,
                bool reaction, const prepared& p);
  /// Prices `msg` delivered at `at` into `p` (written in place: a `result<priced>` returned by value
  /// cost more in copies than the pricing).
  bool price(std::string_view id, const pending_message& msg, timestamp at, priced& p);
  /// Applies a status; writes what it did to `effect` and the charge to `out` (each when given).
  bool settle(timestamp at, std::string_view id, const detail::id_hash& key, message_status status,
              status_effect* effect, std::optional<charge>* out);
  charge make_charge(std::string_view id, const pending_message& msg, const priced& p, timestamp at,
                     bool explain) const;
};

ledger::ledger(const rate_cards& cards, ledger_options options)
    : impl_(std::make_unique<impl>(cards, std::move(options))) {}
ledger::~ledger() = default;
ledger::ledger(ledger&&) noexcept = default;
ledger& ledger::operator=(ledger&&) noexcept = default;

void ledger::add_business(pricing_business b) {
  // The platform's longest free entry point window is 7 days; a longer setting is taken as 7 days.
  constexpr std::chrono::hours longest_entry_point{24 * 7};
  if (b.entry_point_window && *b.entry_point_window > longest_entry_point)
    b.entry_point_window = longest_entry_point;
  const auto index = impl_->business(b.id);
  impl_->businesses[index] = std::move(b);
  impl_->days[index] = day_info{};  // its zone may have changed
}

void ledger::reserve(std::size_t pairs, std::size_t messages) {
  auto& d = *impl_;
  d.pair_numbers.reserve(pairs);
  // A generation holds up to half of `remember_at_most` ids; the previous
  // one is in use only once the current one has ended.
  const auto generation = std::max<std::size_t>(d.remember_at_most / 2, 1);
  d.finished_now.reserve(std::min(messages, generation));
  if (messages > generation) d.finished_before.reserve(generation);
}

void ledger::reset() {
  auto& d = *impl_;
  d.pair_numbers.clear();
  d.pairs.clear();
  d.customers.clear();
  d.conversations.clear();
  d.last_pair_customer = 0;  // no number has the value 0: the cache is empty
  d.pending.clear();
  d.finished_now.clear();
  d.finished_before.clear();
  d.generation_start = never;
  d.next_sweep = never;
  d.counts.clear();
  d.lines.clear();
  d.free.clear();
  d.problems.clear();
  d.problems_total = 0;
  d.problem_counts.clear();
  d.explained.clear();
}

void ledger::report(pricing_problem p) {
  auto& d = *impl_;
  ++d.problems_total;
  auto it = d.problem_counts.find(p.problem.code);
  if (it == d.problem_counts.end()) it = d.problem_counts.emplace(p.problem.code, 0).first;
  ++it->second;
  if (d.problems.size() < d.keep_problems_at_most) d.problems.push_back(std::move(p));
}

bool ledger::impl::inbound(timestamp at, std::string_view business, const phone_number& customer,
                           bool referral, const prepared& p) {
  if (customer.empty())
    return refuse("pricing.invalid_event", "an inbound message needs a customer", "customer");
  const auto b = p.business < businesses.size() ? p.business : this->business(business);
  auto& st = pairs[pair(b, customer, p.customer)];
  if (st.last_inbound == never || at > st.last_inbound) st.last_inbound = at;
  if (referral) {
    st.referral_at = at;
    st.referral_open = true;
  }
  return true;
}

bool ledger::impl::outbound(timestamp at, std::string_view business, const phone_number& customer,
                            std::string_view id, bool is_template, std::optional<template_category> category,
                            std::string_view number, bool reaction, const prepared& p) {
  const auto& key = p.key;
  if (customer.empty())
    return refuse("pricing.invalid_event", "an outbound message needs a customer", "customer");
  if (id.empty()) return refuse("pricing.invalid_event", "an outbound message needs an id", "id");
  if (is_template && !category)
    return refuse("pricing.invalid_event", fmt::format("template message '{}' needs its category", id),
                  "category");
  if (is_template && reaction)
    return refuse("pricing.invalid_event",
                  fmt::format("message '{}' cannot be a template and a reaction", id), "kind");
  if (finished(key))
    return refuse("pricing.duplicate_id", fmt::format("message id '{}' was already sent", id), "id");
  if (at >= next_sweep) sweep_undelivered(at);  // (always true while next_sweep is `never`)
  bool added = false;
  auto& m = pending.insert(key, added);
  if (!added)
    return refuse("pricing.duplicate_id", fmt::format("message id '{}' was already sent", id), "id");
  const auto b = p.business < businesses.size() ? p.business : this->business(business);
  m.business = b;
  m.pair = pair(b, customer, p.customer);
  m.sent = at;
  m.is_template = is_template;
  m.category = is_template ? category : std::nullopt;
  m.csw_open_at_send = pairs[m.pair].csw_open(at);
  m.model = forced ? *forced : day(b, at).in_force;
  m.reaction = reaction;
  m.number = number.empty() ? sole_number : number_id(number);
  return true;
}

result<void> ledger::inbound(timestamp at, std::string_view business, const phone_number& customer,
                             std::string_view id, bool referral) {
  (void)id;
  prepared p;
  p.customer = detail::phone_key(customer);
  if (!impl_->inbound(at, business, customer, referral, p)) return std::move(impl_->refusal);
  return {};
}

result<void> ledger::outbound(timestamp at, std::string_view business, const phone_number& customer,
                              std::string_view id, bool is_template,
                              std::optional<template_category> category, std::string_view number,
                              bool reaction) {
  prepared p;
  p.key = impl_->hash_of(id);
  p.customer = detail::phone_key(customer);
  if (!impl_->outbound(at, business, customer, id, is_template, category, number, reaction, p))
    return std::move(impl_->refusal);
  return {};
}

std::vector<pricing_problem> ledger::apply(std::span<const pricing_event> events) {
  auto& d = *impl_;
  std::vector<pricing_problem> refused;
  // Event i + ahead is hashed and its slots fetched while event i is applied.
  constexpr std::size_t ahead = 16;
  constexpr std::size_t ring = 32;  // a power of two above `ahead`
  std::array<prepared, ring> ready{};
  const std::size_t n = events.size();
  for (std::size_t i = 0; i < std::min(ahead, n); ++i) ready[i] = d.prepare(events[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + ahead < n) ready[(i + ahead) % ring] = d.prepare(events[i + ahead]);
    const auto& e = events[i];
    const auto& p = ready[i % ring];
    switch (e.type) {
      case pricing_event::kind::inbound:
        if (!d.inbound(e.at, e.business, e.customer, e.referral, p))
          refused.push_back({i, std::move(d.refusal)});
        break;
      case pricing_event::kind::outbound:
        if (!d.outbound(e.at, e.business, e.customer, e.id, e.is_template, e.category, e.number, e.reaction,
                        p))
          refused.push_back({i, std::move(d.refusal)});
        break;
      case pricing_event::kind::status:
        if (!d.settle(e.at, e.id, p.key, e.status, nullptr, nullptr))
          refused.push_back({i, std::move(d.refusal)});
        break;
    }
  }
  return refused;
}

bool ledger::impl::settle(timestamp at, std::string_view id, const detail::id_hash& key,
                          message_status status, status_effect* effect, std::optional<charge>* out) {
  auto* msg = pending.find(key);
  if (msg == nullptr) {
    // A late or repeated status of a message already priced (or failed) changes nothing.
    if (finished(key)) return true;
    return refuse("pricing.unknown_message", fmt::format("no outbound message has the id '{}'", id), "id");
  }
  if (status == message_status::failed ||    // failed messages cost nothing
      at - msg->sent > undelivered_after) {  // nor ones past their time-to-live (the sweep may not have run)
    pending.erase(msg);
    finish(key, at);
    return true;
  }
  if (status != message_status::delivered && status != message_status::read) return true;
  priced p;
  if (!price(id, *msg, at, p)) {
    // No card or no rate: the message cannot be priced, now or later (the
    // cards do not change under a ledger). It is refused once and finished,
    // so its later statuses are not refused again and it holds no memory.
    pending.erase(msg);
    finish(key, at);
    return false;
  }
  const bool explain = keep || (!keep_ids.empty() && keep_ids.contains(id));
  if (out != nullptr || explain) {
    auto c = make_charge(id, *msg, p, at, explain);
    if (explain) explained.insert_or_assign(std::string(id), c);
    if (out != nullptr) *out = std::move(c);
  }
  pending.erase(msg);
  finish(key, at);
  if (effect != nullptr)
    *effect = status_effect{true, p.amount, p.decision.reason, rules::free_reason(p.decision.reason)};
  return true;
}

result<std::optional<charge>> ledger::status(timestamp at, std::string_view id, message_status status) {
  std::optional<charge> c;
  if (!impl_->settle(at, id, impl_->hash_of(id), status, nullptr, &c)) return std::move(impl_->refusal);
  return c;
}

result<status_effect> ledger::record_status(timestamp at, std::string_view id, message_status status) {
  status_effect effect;
  if (!impl_->settle(at, id, impl_->hash_of(id), status, &effect, nullptr)) return std::move(impl_->refusal);
  return effect;
}

bool ledger::impl::price(std::string_view id, const pending_message& msg, timestamp at, priced& p) {
  const auto b = msg.business;
  const auto& biz = businesses[b];
  auto& d = day(b, at);
  auto* cc = card_for(d, msg.model);
  if (cc == nullptr)
    return refuse(
        "pricing.no_rate_card",
        fmt::format("no {} rate card is in force on {} (the business's date in {}) for message '{}'",
                    to_string(msg.model), format_date(d.date), businesses[b].zone.name(), id),
        "id");
  auto& st = pairs[msg.pair];  // pricing adds no pairs: the reference stays valid
  const auto& customer = customers[msg.pair];
  const auto& rates = market_of(st, customer, *cc);
  const auto local = d.date;

  p.model = msg.model;
  p.month = d.month;
  p.market = rates.name;

  // The free entry point: the business's first delivery within 24 h of a
  // referral opens 72 h, under the models that have entry points.
  const bool fep_model = has_entry_points(msg.model);
  // The window's length: 72 hours, or the business's setting under pmp_2026_10.
  const auto fep_length =
      msg.model == pricing_model::pmp_2026_10 && biz.entry_point_window
          ? std::chrono::duration_cast<std::chrono::milliseconds>(*biz.entry_point_window)
          : std::chrono::duration_cast<std::chrono::milliseconds>(entry_point_window_length);
  if (st.referral_open && st.referral_at != never && at >= st.referral_at) {
    st.referral_open = false;
    if (fep_model && at < st.referral_at + entry_point_answer_limit) {
      st.fep_end = at + fep_length;
      if (st.conversations != 0) conversations_of(st).close_all(at);  // it closes every open one
    }
  }

  message_facts facts;
  facts.model = msg.model;
  facts.kind = msg.is_template ? kind_of(*msg.category) : message_kind::service;
  facts.reaction = msg.reaction;
  facts.exempt = biz.paid_exempt;
  facts.local_date = local;
  facts.service_window_open_at_send = msg.csw_open_at_send;
  facts.in_entry_point = fep_model && st.fep_end != never && at < st.fep_end && at >= st.fep_end - fep_length;
  pair_conversations* cs = nullptr;
  if (msg.model == pricing_model::cbp_2022 || msg.model == pricing_model::cbp_2023) {
    cs = &conversations_of(st);
    auto open = [&](timestamp end) { return end != never && at < end; };
    if (msg.model == pricing_model::cbp_2022) {
      facts.open_conversations[0] = open(cs->conv2022_end);
    } else {
      for (std::size_t k = 0; k < message_kind_count; ++k)
        facts.open_conversations[k] = open(cs->conv2023_end[k]);
    }
  }
  facts.international = facts.kind == message_kind::authentication && biz.auth_international_from &&
                        *biz.auth_international_from <= local && !biz.home_country.empty() &&
                        !(biz.home_country == customer.country());
  // The counter the rules read: conversations of the business, or charged
  // messages of the category in the customer's market.
  std::uint64_t* counter = nullptr;
  switch (rules::counter_of(msg.model, facts.kind, local)) {
    case monthly_counter::none:
      break;
    case monthly_counter::conversations:
      counter = &count(b, p.month, msg.model, no_market, conversation_counter);
      break;
    case monthly_counter::service_conversations:
      counter = &count(b, p.month, msg.model, no_market, static_cast<std::uint8_t>(rate_key::service));
      break;
    case monthly_counter::category_in_market:
      counter = &count(b, p.month, msg.model, rates.name,
                       static_cast<std::uint8_t>(rules::rate_key_for(facts.kind)));
      break;
    case monthly_counter::service_messages_of_number:
      counter =
          &count(b, p.month, msg.model, msg.number == sole_number ? no_market : msg.number, number_counter);
      break;
  }
  if (counter != nullptr) facts.counted_before = *counter;

  auto& decision = p.decision;  // decided in place: a copy of a decision just made stalls on its stores
  decision = rules::decide_facts(facts);
  const tier_rate* rate = nullptr;
  if (!rules::free_reason(decision.reason)) {
    rate = pick(rates.rates[static_cast<std::size_t>(decision.rate)], decision.rank);
    if (rate == nullptr && decision.rate == rate_key::service && msg.model == pricing_model::pmp_2026_10) {
      // A card without a service rate: service messages cost the market's utility rate, not tiered.
      rate = pick(rates.rates[static_cast<std::size_t>(rate_key::utility)], 1);
    }
    if (rate == nullptr && decision.rate == rate_key::authentication_international) {
      // The card has no authentication-international rate for this market: the ordinary one applies.
      facts.international = false;
      decision = rules::decide_facts(facts);
      rate = pick(rates.rates[static_cast<std::size_t>(decision.rate)], decision.rank);
    }
    if (rate == nullptr) {
      const auto market = names.name(rates.name);
      const auto why = cc->card->unpriced(market, name_of(decision.rate));
      return refuse("pricing.no_rate",
                    fmt::format("{} has no '{}' rate for market '{}'{}{}",
                                cc->card->source().empty() ? "the rate card" : cc->card->source(),
                                name_of(decision.rate), market, why ? ": " : "", why ? *why : ""),
                    "id");
    }
    p.amount = rate->rate;
    p.tier = decision.rate == rate_key::service ? 0 : rate->tier;  // service messages are not tiered
  }
  // The decision stands: record what it changes.
  if (decision.opens_conversation && cs != nullptr) {
    auto& end = msg.model == pricing_model::cbp_2022 ? cs->conv2022_end
                                                     : cs->conv2023_end[static_cast<std::size_t>(facts.kind)];
    end = at + pricing_constants::conversation_length;
  }
  if (decision.count != 0 && counter != nullptr) *counter = decision.count;

  if (rules::free_reason(decision.reason)) {
    ++free[free_key{b, p.month, static_cast<std::uint8_t>(decision.reason)}];
  } else {
    ++lines[line_key{b, p.month, p.market, p.tier, static_cast<std::uint8_t>(decision.rate),
                     static_cast<std::uint8_t>(p.model), p.amount.units()}];
  }
  return true;
}

charge ledger::impl::make_charge(std::string_view id, const pending_message& msg, const priced& p,
                                 timestamp at, bool explain) const {
  const auto& biz = businesses[msg.business];
  const auto& customer = customers[msg.pair];
  charge c;
  c.message_id = std::string(id);
  c.business = biz.id;
  c.month = month_name(p.month);
  c.model = p.model;
  c.market = names.name(p.market);
  c.category = std::string(name_of(p.decision.rate));
  c.tier = names.name(p.tier);
  c.amount = p.amount;
  c.reason = p.decision.reason;
  c.free = p.decision.free();
  c.delivered_at = at;
  if (!explain) return c;

  const std::string what = msg.is_template ? fmt::format("a {} template", to_string(*msg.category))
                                           : std::string("a free-form message");
  const auto when = fmt::format("delivered {} to {} (market {})", format_timestamp(at), customer, c.market);
  const auto abroad = customer.country();  // alpha2() views the value: keep it alive
  const auto reason = describe(p.decision, {biz.home_country.alpha2(), abroad.alpha2()});
  if (c.free) {
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
        {impl_->businesses[k.business].id, month_name(k.month), static_cast<charge_reason>(k.reason), n});
  std::sort(out.free.begin(), out.free.end(), [](const invoice_free& a, const invoice_free& b) {
    return std::tie(a.business, a.month, a.reason) < std::tie(b.business, b.month, b.reason);
  });
  out.problems = impl_->problems;
  out.problems_total = impl_->problems_total;
  for (const auto& [code, n] : impl_->problem_counts) out.problem_counts.push_back({code, n});
  out.total_settled = settle(out.total, out.currency);
  return out;
}

std::optional<charge> ledger::explain(std::string_view id) const {
  auto it = impl_->explained.find(id);
  if (it == impl_->explained.end()) return std::nullopt;
  return it->second;
}

result<invoice> merge_invoices(const std::vector<invoice>& parts, std::size_t problems_listed) {
  if (parts.empty()) return make_error("pricing.no_invoices", "there are no invoices to merge");
  invoice out;
  out.currency = parts.front().currency;
  using line_key =
      std::tuple<std::string, std::string, pricing_model, std::string, std::string, std::string, decimal>;
  std::map<line_key, std::pair<std::uint64_t, decimal>> lines;
  std::map<std::tuple<std::string, std::string, charge_reason>, std::uint64_t> free;
  std::map<std::string, std::uint64_t, std::less<>> counts;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    if (p.currency != out.currency)
      return make_error(
          "pricing.currency_mismatch",
          fmt::format("invoice {} is in {}, the first in {}: only invoices in one currency add up", i + 1,
                      p.currency.code(), out.currency.code()),
          fmt::format("invoices[{}]", i));
    for (const auto& l : p.lines) {
      auto& [count, amount] =
          lines[{l.business, l.month, l.model, l.market, l.category, l.tier, l.unit_price}];
      count += l.count;
      amount += l.amount;
    }
    for (const auto& f : p.free) free[{f.business, f.month, f.reason}] += f.count;
    for (const auto& c : p.problem_counts) counts[c.code] += c.count;
    out.problems.insert(out.problems.end(), p.problems.begin(), p.problems.end());
    out.problems_total += p.problems_total;
    out.total += p.total;
  }
  for (auto& [k, v] : lines) {
    invoice_line l;
    std::tie(l.business, l.month, l.model, l.market, l.category, l.tier, l.unit_price) = k;
    l.count = v.first;
    l.amount = v.second;
    out.lines.push_back(std::move(l));
  }
  for (const auto& [k, n] : free) {
    invoice_free f;
    std::tie(f.business, f.month, f.reason) = k;
    f.count = n;
    out.free.push_back(std::move(f));
  }
  for (const auto& [code, n] : counts) out.problem_counts.push_back({code, n});
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const pricing_problem& a, const pricing_problem& b) { return a.line < b.line; });
  if (out.problems.size() > problems_listed) out.problems.resize(problems_listed);
  out.total_settled = settle(out.total, out.currency);
  return out;
}

}  // namespace chatdesk
