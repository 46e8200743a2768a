// The ledger against a plain reference: the same pricing rules over state kept
// in std::map, written for clarity and nothing else, on generated traffic
// across every model change. The two must agree on every invoice line and
// every free count: what is checked is the ledger's state keeping (windows,
// referrals, entry points, conversations, monthly counters by business, month
// and market, ids), which its speed work made intricate.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "helpers/catch.hpp"
#include "pricing/test_cards.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

namespace {

struct business_info {
  time_zone zone;
  country home;
  std::optional<date::year_month_day> auth_international_from;
  bool paid_exempt = false;
  std::optional<std::chrono::hours> entry_point_window{};
};

/// The reference ledger.
class reference_ledger {
 public:
  reference_ledger(const rate_cards& cards, std::map<std::string, business_info> businesses)
      : cards_(cards), businesses_(std::move(businesses)) {}

  void inbound(timestamp at, const std::string& business, const phone_number& customer, bool referral) {
    auto& p = pairs_[{business, customer.e164()}];
    if (p.last_inbound == never || at > p.last_inbound) p.last_inbound = at;
    if (referral) {
      p.referral_at = at;
      p.referral_open = true;
    }
  }

  void outbound(timestamp at, const std::string& business, const phone_number& customer,
                const std::string& id, std::optional<template_category> category, const std::string& number,
                bool reaction) {
    const auto& p = pairs_[{business, customer.e164()}];
    message m;
    m.business = business;
    m.number = number;
    m.reaction = reaction;
    m.customer = customer;
    m.sent = at;
    m.category = category;
    m.window_at_send = p.last_inbound != never && at >= p.last_inbound && at < p.last_inbound + 24h;
    m.model = model_in_force(businesses_.at(business).zone.local_date(at));
    pending_.emplace(id, m);
  }

  void delivered(timestamp at, const std::string& id) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // already priced or failed
    const message m = it->second;
    pending_.erase(it);
    if (at - m.sent > 30 * 24h) return;  // past its time-to-live: never delivered
    const auto& biz = businesses_.at(m.business);
    const auto local = biz.zone.local_date(at);
    const auto month = std::string(date::format("%Y-%m", date::sys_days{local}));
    const auto* card = cards_.find(m.model, local);
    if (card == nullptr) return;
    const std::string market(card->markets().find(m.customer));
    auto& p = pairs_[{m.business, m.customer.e164()}];

    const bool entry_points = has_entry_points(m.model);
    const std::chrono::milliseconds fep_length =
        m.model == pricing_model::pmp_2026_10 && biz.entry_point_window ? *biz.entry_point_window : 72h;
    if (p.referral_open && at >= p.referral_at) {
      p.referral_open = false;
      if (entry_points && at < p.referral_at + 24h) {
        p.entry_point_end = at + fep_length;
        for (auto& end : p.conversation_end)
          if (end != never && end > at) end = at;
      }
    }
    message_facts f;
    f.model = m.model;
    f.kind = m.category ? kind_of(*m.category) : message_kind::service;
    f.local_date = local;
    f.service_window_open_at_send = m.window_at_send;
    f.in_entry_point = entry_points && p.entry_point_end != never && at < p.entry_point_end &&
                       at >= p.entry_point_end - fep_length;
    f.reaction = m.reaction;
    f.exempt = biz.paid_exempt;
    // cbp_2022 keeps one conversation (slot 0), cbp_2023 one per kind.
    for (std::size_t k = 0; k < message_kind_count; ++k) {
      const auto end = m.model == pricing_model::cbp_2022 ? (k == 0 ? p.conversation_2022_end : never)
                                                          : p.conversation_end[k];
      f.open_conversations[k] = end != never && at < end;
    }
    f.international = f.kind == message_kind::authentication && biz.auth_international_from &&
                      *biz.auth_international_from <= local && !biz.home.empty() &&
                      !(biz.home == m.customer.country());
    const auto counter = counter_for(m.model, f.kind, local);
    // Counters by business and month, and by market (tiers) or by number (the service free tier).
    const std::string where = counter == monthly_counter::category_in_market           ? market
                              : counter == monthly_counter::service_messages_of_number ? "number " + m.number
                                                                                       : "";
    const std::tuple<std::string, std::string, pricing_model, std::string, monthly_counter, message_kind> key{
        m.business, month,   m.model,
        where,      counter, counter == monthly_counter::category_in_market ? f.kind : message_kind::service};
    f.counted_before = counts_[key];

    auto d = decide(f);
    std::optional<std::pair<decimal, std::string>> rate;
    if (!d.free()) {
      if (d.rate == rate_key::authentication_international) {
        if (auto r = card->authentication_international(market)) rate = std::pair{*r, std::string("0:MAX")};
        if (!rate) {
          f.international = false;
          d = decide(f);
        }
      }
      if (!rate) rate = card->rate_for(market, to_string(d.rate), d.rank);
      if (!rate && d.rate == rate_key::service && m.model == pricing_model::pmp_2026_10) {
        // No service rate on the card: the utility rate, its first tier, not tiered.
        rate = card->rate_for(market, "utility", 1);
        if (rate) rate->second = "0:MAX";
      }
      if (!rate) return;  // no rate: refused by both
    }
    if (d.opens_conversation) {
      if (m.model == pricing_model::cbp_2022) {
        p.conversation_2022_end = at + 24h;
      } else {
        p.conversation_end[static_cast<std::size_t>(f.kind)] = at + 24h;
      }
    }
    if (d.count != 0) counts_[key] = d.count;
    if (d.free()) {
      ++free_[{m.business, month, d.reason}];
    } else {
      ++lines_[{m.business, month, m.model, market, std::string(to_string(d.rate)), rate->second,
                rate->first.to_string(4)}];
    }
  }

  void failed(const std::string& id) { pending_.erase(id); }

  using line_key =
      std::tuple<std::string, std::string, pricing_model, std::string, std::string, std::string, std::string>;
  using free_key = std::tuple<std::string, std::string, charge_reason>;
  [[nodiscard]] const std::map<line_key, std::uint64_t>& lines() const { return lines_; }
  [[nodiscard]] const std::map<free_key, std::uint64_t>& free() const { return free_; }

 private:
  struct pair {
    timestamp last_inbound = never;
    timestamp referral_at = never;
    bool referral_open = false;
    timestamp entry_point_end = never;
    timestamp conversation_2022_end = never;
    std::array<timestamp, message_kind_count> conversation_end{never, never, never, never};
  };
  struct message {
    std::string business;
    std::string number;
    bool reaction = false;
    phone_number customer;
    timestamp sent{};
    std::optional<template_category> category;
    bool window_at_send = false;
    pricing_model model = pricing_model::pmp_2025;
  };
  const rate_cards& cards_;
  std::map<std::string, business_info> businesses_;
  std::map<std::pair<std::string, std::string>, pair> pairs_;
  std::map<std::string, message> pending_;
  std::map<std::tuple<std::string, std::string, pricing_model, std::string, monthly_counter, message_kind>,
           std::uint64_t>
      counts_;
  std::map<line_key, std::uint64_t> lines_;
  std::map<free_key, std::uint64_t> free_;
};

/// The entries where the ledger's counts differ from the reference's, one per line.
template <class K, class Name>
std::string differences(const std::map<K, std::uint64_t>& ours, const std::map<K, std::uint64_t>& reference,
                        Name name) {
  std::string out;
  std::set<K> keys;
  for (const auto& [k, n] : ours) keys.insert(k);
  for (const auto& [k, n] : reference) keys.insert(k);
  for (const auto& k : keys) {
    const auto a = ours.count(k) != 0 ? ours.at(k) : 0;
    const auto b = reference.count(k) != 0 ? reference.at(k) : 0;
    if (a != b) out += fmt::format("{}: ledger {}, reference {}\n", name(k), a, b);
  }
  return out;
}

/// Generated traffic around one moment: customers write (some from ads),
/// the businesses answer with free-form messages and templates, and the
/// platform reports deliveries, reads and failures, in time order.
/// `service_share`: in how many of 8 sends a free-form message is sent (2 otherwise).
/// `max_gap`: the longest time between two events, in seconds.
std::set<charge_reason> run(const char* start, std::uint32_t seed, std::size_t events,
                            std::size_t service_share = 2, std::size_t max_gap = 600) {
  rate_cards cards;
  for (const char* m : {"legacy_2018", "cbp_2022", "cbp_2023", "pmp_2025", "pmp_2026_10"})
    REQUIRE(cards.add(parse_rate_card(testing::card_json(m, "2018-01-01"), "test.json").value()));
  std::map<std::string, business_info> businesses;
  // The shop has two numbers and free entry points of 7 days under pmp_2026_10;
  // the bank has one number, in India's zone, and is exempt from service charges.
  businesses["shop"] = {time_zone::utc(), country::from_alpha2("IT").value(), date::year{2025} / 7 / 15,
                        false, std::chrono::hours{24 * 7}};
  businesses["bank"] = {time_zone::locate("Asia/Kolkata").value(), country::from_alpha2("IN").value(),
                        date::year{2018} / 1 / 1, true, std::nullopt};
  ledger book(cards);
  for (const auto& [id, b] : businesses)
    book.add_business({id, b.zone, b.home, b.auth_international_from, b.paid_exempt, b.entry_point_window});
  reference_ledger ref(cards, businesses);

  // Customers in Italy, India, the United States, Bolivia and elsewhere; many,
  // so that conversation counts pass the month's free 1,000.
  std::vector<phone_number> customers;
  for (std::size_t i = 0; i < 1500; ++i) {
    const char* prefix = std::array{"+39333", "+91987", "+1415", "+5917", "+44791"}[i % 5];
    customers.push_back(phone_number::parse(fmt::format("{}{:07}", prefix, 2'001'000 + i)).value());
  }
  std::mt19937 random(seed);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
  timestamp now = parse_timestamp(start).value();
  std::vector<std::string> in_flight;
  std::size_t next_id = 0;
  for (std::size_t i = 0; i < events; ++i) {
    now += std::chrono::seconds(1 + pick(max_gap));
    const auto& customer = customers[pick(customers.size())];
    const std::string business = pick(3) == 0 ? "bank" : "shop";
    const auto roll = pick(10);
    if (roll < 3) {
      const bool referral = pick(6) == 0;
      REQUIRE(book.inbound(now, business, customer, fmt::format("in{}", i), referral));
      ref.inbound(now, business, customer, referral);
    } else if (roll < 7 || in_flight.empty()) {
      const auto id = fmt::format("out{}", next_id++);
      std::optional<template_category> category;
      if (const auto c = pick(8); c >= service_share) category = static_cast<template_category>(c % 3);
      // The shop sends from two numbers; the bank names none (its one number).
      const std::string number = business == "shop" ? (pick(2) == 0 ? "shop-1" : "shop-2") : "";
      const bool reaction = !category && pick(10) == 0;
      REQUIRE(book.outbound(now, business, customer, id, category.has_value(), category, number, reaction));
      ref.outbound(now, business, customer, id, category, number, reaction);
      in_flight.push_back(id);
    } else {
      const auto k = pick(in_flight.size());
      const auto id = in_flight[k];
      in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(k));
      const auto s = pick(10);
      const auto status = s == 0  ? message_status::failed
                          : s < 4 ? message_status::read
                                  : message_status::delivered;
      (void)book.record_status(now, id, status);  // a message without a rate is refused by both
      if (status == message_status::failed) {
        ref.failed(id);
      } else {
        ref.delivered(now, id);
      }
    }
  }

  const auto inv = book.invoice();
  std::map<reference_ledger::line_key, std::uint64_t> lines;
  for (const auto& l : inv.lines)
    lines[{l.business, l.month, l.model, l.market, l.category, l.tier, l.unit_price.to_string(4)}] += l.count;
  std::map<reference_ledger::free_key, std::uint64_t> free;
  for (const auto& f : inv.free) free[{f.business, f.month, f.reason}] += f.count;
  CHECK(differences(lines, ref.lines(), [](const reference_ledger::line_key& k) {
          return fmt::format("{} {} {} {} {} {} {}", std::get<0>(k), std::get<1>(k),
                             to_string(std::get<2>(k)), std::get<3>(k), std::get<4>(k), std::get<5>(k),
                             std::get<6>(k));
        }) == "");
  CHECK(differences(free, ref.free(), [](const reference_ledger::free_key& k) {
          return fmt::format("{} {} {}", std::get<0>(k), std::get<1>(k), to_string(std::get<2>(k)));
        }) == "");
  CHECK(inv.problems_total == 0);
  CHECK_FALSE(lines.empty());
  // The reasons seen: free ones from the invoice, charged ones from its lines.
  std::set<charge_reason> seen;
  for (const auto& [k, n] : free) seen.insert(std::get<2>(k));
  for (const auto& l : inv.lines) {
    if (l.model == pricing_model::legacy_2018) seen.insert(charge_reason::outside_service_window);
    if (l.model == pricing_model::cbp_2022) seen.insert(charge_reason::opened_conversation);
    if (l.model == pricing_model::cbp_2023) seen.insert(charge_reason::opened_category_conversation);
    if (l.model == pricing_model::pmp_2025 || l.model == pricing_model::pmp_2026_10)
      seen.insert(l.category == "authentication_international" ? charge_reason::authentication_international
                  : l.category == "service"                    ? charge_reason::service_message
                                                               : charge_reason::volume_tier);
  }
  return seen;
}

}  // namespace

TEST_CASE("the ledger agrees with a plain reference ledger on generated traffic", "[pricing][reference]") {
  std::set<charge_reason> seen;
  for (const auto& [start, seed] : std::vector<std::pair<const char*, std::uint32_t>>{
           {"2022-01-20T00:00:00Z", 1},     // legacy_2018 to cbp_2022, past the 1,000 free conversations
           {"2023-05-25T00:00:00Z", 2},     // cbp_2022 to cbp_2023
           {"2024-10-25T00:00:00Z", 3},     // cbp_2023: service conversations become free
           {"2025-06-25T00:00:00Z", 4}}) {  // cbp_2023 to pmp_2025, tiers and authentication-international
    INFO(start);
    seen.merge(run(start, seed, 20'000));
  }
  // pmp_2025 to pmp_2026_10 with mostly free-form sends, so numbers pass their
  // 1,000 free service messages within a month (and the bank, exempt, stays free).
  seen.merge(run("2026-09-28T00:00:00Z", 5, 30'000, 6, 120));
  // The traffic met every reason there is.
  std::string missing;
  for (std::size_t i = 0; i < charge_reason_count; ++i)
    if (seen.count(static_cast<charge_reason>(i)) == 0)
      missing += fmt::format(" {}", to_string(static_cast<charge_reason>(i)));
  CHECK(missing == "");
}
