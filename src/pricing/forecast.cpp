#include "chatdesk/pricing/forecast.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/time_zone.hpp"

namespace chatdesk {

namespace {

/// The most sends (and sends so far) a plan may name for one market and
/// category: far above any campaign, and low enough that counts and tiers
/// never wrap around.
constexpr std::uint64_t max_planned = 1'000'000'000'000;

/// Splits `count` charged messages starting after `so_far` across the tiers.
result<void> add_tiered(forecast& out, const rate_card& card, const std::string& market,
                        const std::string& key, std::uint64_t so_far, std::uint64_t count) {
  std::uint64_t next = so_far + 1;  // the first charged message's rank this month
  std::uint64_t left = count;
  while (left > 0) {
    auto r = card.rate_for(market, key, next);
    if (!r)
      return make_error("pricing.no_rate",
                        fmt::format("the card has no '{}' rate for market '{}'", key, market), "sends");
    // How many fit in this tier?
    std::uint64_t in_tier = left;
    for (const auto& t : card.tiers(market, key)) {
      if (t.up_to && next <= *t.up_to) {
        in_tier = std::min<std::uint64_t>(left, *t.up_to - next + 1);
        break;
      }
      if (!t.up_to) break;
    }
    forecast_line l;
    l.market = market;
    l.category = key;
    l.tier = r->second;
    l.count = in_tier;
    l.unit_price = r->first;
    l.amount = r->first * static_cast<std::int64_t>(in_tier);
    out.total += l.amount;
    out.lines.push_back(std::move(l));
    next += in_tier;
    left -= in_tier;
  }
  return {};
}

/// Adds one entry of a plan to `out`: the sends inside the service window,
/// then the others, each decided by the pricing rules. Every send is taken to
/// open its own conversation with the month's free conversations used up (see
/// forecast.hpp); volume tiers continue from `volume_so_far`.
result<void> estimate_sends(forecast& out, const rate_card& card, pricing_model model,
                            date::year_month_day day, const planned_sends& s) {
  // Sends inside the window, rounded half-even to whole messages.
  const auto inside = static_cast<std::uint64_t>(
      (s.share_in_window * static_cast<std::int64_t>(s.count)).round(0).units() / decimal::units_per_one);
  const auto first_line = out.lines.size();
  std::uint64_t volume = s.volume_so_far;  // charged messages of the category and market so far
  for (const bool in_window : {true, false}) {
    const std::uint64_t n = in_window ? inside : s.count - inside;
    if (n == 0) continue;
    message_facts facts;
    facts.model = model;
    facts.kind = kind_of(s.category);
    facts.local_date = day;
    facts.service_window_open_at_send = in_window;
    facts.counted_before = counter_for(model, facts.kind, day) == monthly_counter::category_in_market
                               ? volume
                               : std::max(volume, pricing_constants::free_conversations_per_month);
    const auto decision = decide(facts);
    if (decision.free()) {
      out.free += n;
      continue;
    }
    if (auto r = add_tiered(out, card, s.market, std::string(to_string(decision.rate)), decision.rank - 1, n);
        !r)
      return r;
    if (decision.count != 0) volume += n;
  }
  // Lines of the same market, category, tier and price, made by both halves, are one.
  for (std::size_t i = first_line; i < out.lines.size(); ++i) {
    for (std::size_t j = i + 1; j < out.lines.size();) {
      auto& a = out.lines[i];
      const auto& b = out.lines[j];
      if (a.category == b.category && a.tier == b.tier && a.unit_price == b.unit_price) {
        a.count += b.count;
        a.amount += b.amount;
        out.lines.erase(out.lines.begin() + static_cast<std::ptrdiff_t>(j));
      } else {
        ++j;
      }
    }
  }
  return {};
}

/// Adds a number's planned service replies: free within its monthly free tier
/// (pmp_2026_10), then charged at the market's service rate, or its utility
/// rate (first tier, not tiered) when the card has no service rate.
result<void> estimate_service(forecast& out, const rate_card& card, const forecast_plan& plan,
                              const planned_service& s, std::uint64_t& counted) {
  message_facts facts;
  facts.model = plan.model;
  facts.kind = message_kind::service;
  facts.local_date = plan.date;
  facts.service_window_open_at_send = true;  // replies go inside the window
  facts.exempt = plan.paid_exempt;
  const bool tiered =
      counter_for(plan.model, facts.kind, plan.date) == monthly_counter::service_messages_of_number;
  std::uint64_t left = s.count;
  while (left > 0) {
    facts.counted_before = tiered ? counted : pricing_constants::free_conversations_per_month;
    const auto d = decide(facts);
    // The sends that share this decision: up to the tier's end, or all the rest.
    std::uint64_t n = left;
    if (tiered && counted < pricing_constants::free_service_messages_per_number)
      n = std::min(left, pricing_constants::free_service_messages_per_number - counted);
    if (d.free()) {
      out.free += n;
    } else {
      auto rate = card.rate_for(s.market, to_string(rate_key::service), 1);
      if (!rate && plan.model == pricing_model::pmp_2026_10) rate = card.rate_for(s.market, "utility", 1);
      if (!rate)
        return make_error("pricing.no_rate",
                          fmt::format("the card has no '{}' rate for market '{}'", "service", s.market),
                          "service");
      forecast_line l;
      l.market = s.market;
      l.category = "service";
      l.tier = "0:MAX";
      l.count = n;
      l.unit_price = rate->first;
      l.amount = rate->first * static_cast<std::int64_t>(n);
      out.total += l.amount;
      out.lines.push_back(std::move(l));
    }
    if (tiered && d.count != 0) counted += n;
    left -= n;
  }
  return {};
}

}  // namespace

result<forecast> estimate(const rate_cards& cards, const forecast_plan& plan) {
  const auto* card = cards.find(plan.model, plan.date);
  if (card == nullptr)
    return make_error(
        "pricing.no_rate_card",
        fmt::format("no {} rate card is in force on {}", to_string(plan.model), format_date(plan.date)),
        "date");
  forecast out;
  out.currency = card->currency();
  const auto one = decimal::from_integer(1);
  for (std::size_t i = 0; i < plan.sends.size(); ++i) {
    const auto& s = plan.sends[i];
    if (s.share_in_window.is_negative() || s.share_in_window > one)
      return make_error("pricing.invalid_plan", "share_in_window must be between 0 and 1",
                        fmt::format("sends[{}].share_in_window", i));
    if (s.count > max_planned)
      return make_error("pricing.invalid_plan",
                        fmt::format("count {} is above {}, the most a plan may send", s.count, max_planned),
                        fmt::format("sends[{}].count", i));
    if (s.volume_so_far > max_planned)
      return make_error("pricing.invalid_plan",
                        fmt::format("volume_so_far {} is above {}", s.volume_so_far, max_planned),
                        fmt::format("sends[{}].volume_so_far", i));
    try {
      if (auto r = estimate_sends(out, *card, plan.model, plan.date, s); !r) {
        auto e = std::move(r).error();
        e.where = fmt::format("sends[{}]", i);
        return e;
      }
    } catch (const exception& e) {  // an amount beyond the exact range
      if (e.err().code != "decimal.overflow") throw;
      return make_error("pricing.too_large",
                        fmt::format("the cost of {} sends to {} is beyond what can be added up exactly ({})",
                                    s.count, s.market, e.err().message),
                        fmt::format("sends[{}]", i));
    }
  }
  std::map<std::string, std::uint64_t, std::less<>> counted;  // each number's service messages so far
  for (std::size_t i = 0; i < plan.service.size(); ++i) {
    const auto& s = plan.service[i];
    const auto where = fmt::format("service[{}]", i);
    if (s.count > max_planned || s.sent_so_far > max_planned)
      return make_error("pricing.invalid_plan",
                        fmt::format("counts above {} are more than a plan may send", max_planned), where);
    auto it = counted.try_emplace(s.number, s.sent_so_far).first;
    try {
      if (auto r = estimate_service(out, *card, plan, s, it->second); !r) {
        auto e = std::move(r).error();
        e.where = where;
        return e;
      }
    } catch (const exception& e) {
      if (e.err().code != "decimal.overflow") throw;
      return make_error(
          "pricing.too_large",
          fmt::format("the cost of {} replies to {} is beyond what can be added up exactly ({})", s.count,
                      s.market, e.err().message),
          where);
    }
  }
  return out;
}

result<forecast_plan> forecast_plan_from_json(const nlohmann::ordered_json& j) {
  auto bad = [](std::string message, std::string where) {
    return make_error("pricing.invalid_plan", std::move(message), std::move(where));
  };
  if (json_too_deep(j))
    return bad(fmt::format("the plan nests arrays and objects deeper than {} levels", max_json_depth), "$");
  if (!j.is_object()) return bad("a plan must be a JSON object", "$");
  forecast_plan plan;
  auto m = j.find("model");
  if (m == j.end() || !m->is_string()) return bad("'model' is required", "$.model");
  auto model = parse_pricing_model(m->get<std::string>());
  if (!model) return bad(model.error().message, "$.model");
  plan.model = *model;
  auto d = j.find("date");
  if (d == j.end() || !d->is_string()) return bad("'date' is required, like 2026-03-01", "$.date");
  auto t = parse_timestamp(d->get<std::string>() + "T00:00:00Z");
  if (!t || d->get<std::string>().size() != 10) return bad("'date' must be a date like 2026-03-01", "$.date");
  plan.date = date::year_month_day{std::chrono::floor<date::days>(*t)};
  auto sends = j.find("sends");
  if (sends == j.end() || !sends->is_array()) return bad("'sends' must be a list", "$.sends");
  for (std::size_t i = 0; i < sends->size(); ++i) {
    const auto& e = (*sends)[i];
    const auto where = fmt::format("$.sends[{}]", i);
    if (!e.is_object()) return bad("each send must be an object", where);
    planned_sends p;
    auto market = e.find("market");
    if (market == e.end() || !market->is_string()) return bad("'market' is required", where + ".market");
    p.market = market->get<std::string>();
    auto category = e.find("category");
    if (category == e.end() || !category->is_string())
      return bad("'category' is required", where + ".category");
    auto c = parse_template_category(category->get<std::string>());
    if (!c) return bad(c.error().message, where + ".category");
    p.category = *c;
    auto count = e.find("count");
    if (count == e.end() || !count->is_number_unsigned())
      return bad("'count' must be a whole number", where + ".count");
    p.count = count->get<std::uint64_t>();
    if (auto share = e.find("share_in_window"); share != e.end()) {
      if (!share->is_string()) return bad("'share_in_window' must be a decimal string like \"0.30\"", where);
      auto s = decimal::parse(share->get<std::string>());
      if (!s) return bad(s.error().message, where + ".share_in_window");
      p.share_in_window = *s;
    }
    if (auto v = e.find("volume_so_far"); v != e.end()) {
      if (!v->is_number_unsigned())
        return bad("'volume_so_far' must be a whole number", where + ".volume_so_far");
      p.volume_so_far = v->get<std::uint64_t>();
    }
    plan.sends.push_back(std::move(p));
  }
  if (auto service = j.find("service"); service != j.end()) {
    if (!service->is_array()) return bad("'service' must be a list", "$.service");
    for (std::size_t i = 0; i < service->size(); ++i) {
      const auto& e = (*service)[i];
      const auto where = fmt::format("$.service[{}]", i);
      if (!e.is_object()) return bad("each entry must be an object", where);
      planned_service p;
      for (auto [key, out] : {std::pair{"number", &p.number}, std::pair{"market", &p.market}}) {
        auto f = e.find(key);
        if (f == e.end() || !f->is_string() || f->get<std::string>().empty())
          return bad(fmt::format("'{}' is required", key), where + "." + key);
        *out = f->get<std::string>();
      }
      auto count = e.find("count");
      if (count == e.end() || !count->is_number_unsigned())
        return bad("'count' must be a whole number", where + ".count");
      p.count = count->get<std::uint64_t>();
      if (auto v = e.find("sent_so_far"); v != e.end()) {
        if (!v->is_number_unsigned())
          return bad("'sent_so_far' must be a whole number", where + ".sent_so_far");
        p.sent_so_far = v->get<std::uint64_t>();
      }
      plan.service.push_back(std::move(p));
    }
  }
  if (auto exempt = j.find("paid_exempt"); exempt != j.end()) {
    if (!exempt->is_boolean()) return bad("'paid_exempt' must be true or false", "$.paid_exempt");
    plan.paid_exempt = exempt->get<bool>();
  }
  return plan;
}

}  // namespace chatdesk
