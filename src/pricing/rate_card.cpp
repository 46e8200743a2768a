#include "chatdesk/pricing/rate_card.hpp"

#include "chatdesk/core/input.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

using ojson = nlohmann::ordered_json;

namespace {

/// The highest rate a card may give one message, in units of its currency.
constexpr std::int64_t max_rate = 1'000'000;

struct card_failure {
  error err;
};

class reader {
 public:
  explicit reader(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(const std::string& path, std::string message) const {
    throw card_failure{
        make_error("pricing.invalid_card",
                   source_.empty() ? std::move(message) : fmt::format("{}: {}", source_, message), path)};
  }

  const ojson& member(const ojson& j, const char* key, const std::string& path) const {
    auto it = j.find(key);
    if (it == j.end()) fail(path + "." + key, fmt::format("'{}' is required", key));
    return *it;
  }

  std::string text(const ojson& j, const std::string& path) const {
    if (!j.is_string()) fail(path, fmt::format("expected a string, got {}", j.type_name()));
    return j.get<std::string>();
  }

  decimal rate(const ojson& j, const std::string& path) const {
    if (!j.is_string())
      fail(path,
           fmt::format("a rate must be an exact decimal string such as \"0.0034\", got {}", j.type_name()));
    auto d = decimal::parse(j.get<std::string>());
    if (!d) fail(path, fmt::format("'{}' is not a rate: {}", j.get<std::string>(), d.error().message));
    if (d->is_negative()) fail(path, fmt::format("the rate {} is negative", j.get<std::string>()));
    // No real rate comes near this in any currency; a bound keeps every
    // invoice of up to millions of messages within exact range.
    if (*d > decimal::from_integer(max_rate))
      fail(path, fmt::format("the rate {} is above {}, the most a message may cost", j.get<std::string>(),
                             max_rate));
    return *d;
  }

 private:
  std::string_view source_;
};

}  // namespace

result<rate_card> rate_card_from_json(const ojson& j, std::string_view source) {
  if (json_too_deep(j))
    return make_error("pricing.invalid_card",
                      fmt::format("{}{}nests arrays and objects deeper than {} levels", source,
                                  source.empty() ? "" : " ", max_json_depth),
                      "$");
  rate_card card;
  card.source_ = std::string(source);
  const reader r(source);
  try {
    if (!j.is_object()) r.fail("$", "a rate card must be a JSON object");
    const auto model_text = r.text(r.member(j, "model", "$"), "$.model");
    auto model = parse_pricing_model(model_text);
    if (!model)
      return make_error(
          "pricing.unknown_model",
          source.empty() ? model.error().message : fmt::format("{}: {}", source, model.error().message),
          "$.model");
    card.model_ = *model;

    const auto from = r.text(r.member(j, "effective_from", "$"), "$.effective_from");
    auto ts = parse_timestamp(from + "T00:00:00Z");
    if (from.size() != 10 || !ts)
      r.fail("$.effective_from", fmt::format("'{}' is not a date like 2026-01-01", from));
    card.effective_from_ = date::year_month_day{std::chrono::floor<date::days>(*ts)};

    const auto code = r.text(r.member(j, "currency", "$"), "$.currency");
    auto cur = currency::from_code(code);
    if (!cur) r.fail("$.currency", cur.error().message);
    card.currency_ = *cur;

    // Markets.
    std::vector<market_rule> rules;
    std::string default_market = "Other";
    if (auto m = j.find("markets"); m != j.end()) {
      if (!m->is_array()) r.fail("$.markets", "'markets' must be a list");
      for (std::size_t i = 0; i < m->size(); ++i) {
        const auto& e = (*m)[i];
        const auto path = fmt::format("$.markets[{}]", i);
        if (!e.is_object()) r.fail(path, "a market must be an object");
        market_rule rule;
        rule.name = r.text(r.member(e, "name", path), path + ".name");
        for (auto [list, out] :
             {std::pair{"calling_codes", &rule.calling_codes},
              std::pair{"nanp_area_codes", &rule.nanp_area_codes}, std::pair{"countries", &rule.countries}}) {
          auto it = e.find(list);
          if (it == e.end()) continue;
          if (!it->is_array()) r.fail(path + "." + list, "expected a list of strings");
          for (std::size_t k = 0; k < it->size(); ++k)
            out->push_back(r.text((*it)[k], fmt::format("{}.{}[{}]", path, list, k)));
        }
        rules.push_back(std::move(rule));
      }
      if (auto d = j.find("default_market"); d != j.end()) default_market = r.text(*d, "$.default_market");
      auto table = market_table::create(rules, default_market);
      if (!table) r.fail("$." + table.error().where, table.error().message);
      card.markets_ = std::move(*table);
    } else {
      card.markets_ = market_table::platform(card.effective_from_);  // the platform's markets on its date
    }
    std::set<std::string, std::less<>> markets;
    for (const auto& rule : card.markets_.rules()) markets.insert(rule.name);
    markets.insert(std::string(card.markets_.default_market()));
    std::vector<std::string_view> keys;
    for (auto k : required_rate_keys(card.model_)) keys.push_back(to_string(k));
    // Rates a card may give beyond those it must: pmp_2026_10's service rate
    // (without it, service messages cost the utility rate).
    std::vector<std::string_view> allowed = keys;
    if (card.model_ == pricing_model::pmp_2026_10) allowed.push_back(to_string(rate_key::service));
    auto known_key = [&](const std::string& k) {
      return std::find(allowed.begin(), allowed.end(), k) != allowed.end();
    };

    // Rates the card's author could not find: market -> rate -> why.
    if (auto u = j.find("unpriced"); u != j.end()) {
      if (!u->is_object()) r.fail("$.unpriced", "'unpriced' must be an object of markets");
      for (auto it = u->begin(); it != u->end(); ++it) {
        const auto path = "$.unpriced." + it.key();
        if (markets.count(it.key()) == 0)
          r.fail(path, fmt::format("'{}' is not a market of this card", it.key()));
        if (!it->is_object()) r.fail(path, "expected an object of rates, each with why it is missing");
        for (auto k = it->begin(); k != it->end(); ++k) {
          if (!known_key(k.key()))
            r.fail(path + "." + k.key(),
                   fmt::format("'{}' is not a rate of model {}", k.key(), to_string(card.model_)));
          auto why = r.text(*k, path + "." + k.key());
          if (why.empty()) r.fail(path + "." + k.key(), "say why the rate is missing");
          card.unpriced_[it.key()][k.key()] = std::move(why);
        }
      }
    }

    // Flat rates.
    const auto& rates = r.member(j, "rates", "$");
    if (!rates.is_object()) r.fail("$.rates", "'rates' must be an object of markets");
    for (auto it = rates.begin(); it != rates.end(); ++it) {
      const auto path = "$.rates." + it.key();
      if (markets.count(it.key()) == 0)
        r.fail(path, fmt::format("'{}' is not a market of this card", it.key()));
      if (!it->is_object()) r.fail(path, "expected an object of rates");
      for (auto k = it->begin(); k != it->end(); ++k) {
        if (!known_key(k.key()))
          r.fail(path + "." + k.key(), fmt::format("'{}' is not a rate of model {} ({})", k.key(),
                                                   to_string(card.model_), fmt::join(keys, ", ")));
        card.rates_[it.key()][k.key()] = r.rate(*k, path + "." + k.key());
      }
    }

    // Tiers.
    if (auto t = j.find("tiers"); t != j.end()) {
      if (!t->is_object()) r.fail("$.tiers", "'tiers' must be an object of markets");
      for (auto it = t->begin(); it != t->end(); ++it) {
        const auto path = "$.tiers." + it.key();
        if (markets.count(it.key()) == 0)
          r.fail(path, fmt::format("'{}' is not a market of this card", it.key()));
        if (!it->is_object()) r.fail(path, "expected an object of categories");
        for (auto k = it->begin(); k != it->end(); ++k) {
          const auto kpath = path + "." + k.key();
          if (!known_key(k.key()))
            r.fail(kpath, fmt::format("'{}' is not a rate of model {}", k.key(), to_string(card.model_)));
          if (!k->is_array() || k->empty()) r.fail(kpath, "tiers must be a non-empty list");
          std::vector<rate_tier> tiers;
          std::uint64_t previous = 0;
          for (std::size_t i = 0; i < k->size(); ++i) {
            const auto& e = (*k)[i];
            const auto tpath = fmt::format("{}[{}]", kpath, i);
            if (!e.is_object()) r.fail(tpath, "a tier must be an object");
            rate_tier tier;
            const auto& up = r.member(e, "up_to", tpath);
            if (up.is_null()) {
              if (i + 1 != k->size()) r.fail(tpath + ".up_to", "only the last tier may be open-ended (null)");
            } else if (up.is_number_unsigned()) {
              tier.up_to = up.get<std::uint64_t>();
              if (*tier.up_to <= previous)
                r.fail(tpath + ".up_to", fmt::format("tiers overlap: {} is not above the previous bound {}",
                                                     *tier.up_to, previous));
              previous = *tier.up_to;
            } else {
              r.fail(tpath + ".up_to", "expected a positive whole number or null");
            }
            tier.rate = r.rate(r.member(e, "rate", tpath), tpath + ".rate");
            tiers.push_back(tier);
          }
          if (tiers.back().up_to) r.fail(kpath, "the last tier must be open-ended (\"up_to\": null)");
          card.tiers_[it.key()][k.key()] = std::move(tiers);
        }
      }
    }

    // Every market needs every rate, flat or tiered.
    for (const auto& m : markets) {
      for (auto k : keys) {
        const bool flat = card.rates_.count(m) != 0 && card.rates_[m].count(k) != 0;
        const bool tiered = card.tiers_.count(m) != 0 && card.tiers_[m].count(k) != 0;
        const bool unpriced = card.unpriced(m, k).has_value();
        if (!flat && !tiered && !unpriced)
          r.fail("$.rates",
                 fmt::format("market '{}' has no '{}' rate (list it under 'unpriced' with why)", m, k));
        if ((flat || tiered) && unpriced)
          r.fail("$.unpriced." + m, fmt::format("market '{}' has a '{}' rate and calls it unpriced", m, k));
      }
    }

    if (auto a = j.find("authentication_international"); a != j.end()) {
      if (!a->is_object()) r.fail("$.authentication_international", "expected an object of markets");
      for (auto it = a->begin(); it != a->end(); ++it) {
        const auto path = "$.authentication_international." + it.key();
        if (markets.count(it.key()) == 0)
          r.fail(path, fmt::format("'{}' is not a market of this card", it.key()));
        card.auth_international_[it.key()] = r.rate(*it, path);
      }
    }
  } catch (const card_failure& f) {
    return f.err;
  }
  return card;
}

result<rate_card> rate_card::load(const std::string& path) {
  auto text = read_file(path, input_limits::document);
  if (!text) return text.error();
  return parse_rate_card(*text, path);
}

result<rate_card> parse_rate_card(std::string_view text, std::string_view source) {
  auto j = parse_json(text, "pricing.invalid_card",
                      source.empty() ? std::string("the card") : std::string(source));
  if (!j) return j.error();
  return rate_card_from_json(*j, source);
}

std::optional<decimal> rate_card::rate(std::string_view market, std::string_view key) const {
  auto m = rates_.find(market);
  if (m == rates_.end()) return std::nullopt;
  auto k = m->second.find(key);
  if (k == m->second.end()) return std::nullopt;
  return k->second;
}

const std::vector<rate_tier>& rate_card::tiers(std::string_view market, std::string_view key) const {
  static const std::vector<rate_tier> none;
  auto m = tiers_.find(market);
  if (m == tiers_.end()) return none;
  auto k = m->second.find(key);
  return k == m->second.end() ? none : k->second;
}

std::string tier_name(std::uint64_t lower, std::optional<std::uint64_t> up_to) {
  return up_to ? fmt::format("{}:{}", lower, *up_to) : fmt::format("{}:MAX", lower);
}

std::optional<std::pair<decimal, std::string>> rate_card::rate_for(std::string_view market,
                                                                   std::string_view key,
                                                                   std::uint64_t n) const {
  const auto& ts = tiers(market, key);
  if (!ts.empty()) {
    std::uint64_t lower = 0;
    for (const auto& t : ts) {
      if (!t.up_to || n <= *t.up_to) return std::pair{t.rate, tier_name(lower, t.up_to)};
      lower = *t.up_to + 1;
    }
  }
  if (auto r = rate(market, key)) return std::pair{*r, std::string("0:MAX")};
  return std::nullopt;
}

std::optional<decimal> rate_card::authentication_international(std::string_view market) const {
  auto it = auth_international_.find(market);
  if (it == auth_international_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> rate_card::unpriced(std::string_view market, std::string_view key) const {
  auto m = unpriced_.find(market);
  if (m == unpriced_.end()) return std::nullopt;
  auto k = m->second.find(key);
  if (k == m->second.end()) return std::nullopt;
  return std::string_view(k->second);
}

result<void> rate_cards::add(rate_card card) {
  if (!cards_.empty() && !(card.currency() == currency_))
    return make_error("pricing.invalid_card",
                      fmt::format("{}: cards in {} and {} cannot be mixed in one run", card.source(),
                                  currency_.code(), card.currency().code()),
                      "$.currency");
  for (const auto& c : cards_)
    if (c.model() == card.model() && c.effective_from() == card.effective_from())
      return make_error("pricing.invalid_card",
                        fmt::format("{}: another {} card is effective from the same date", card.source(),
                                    to_string(card.model())),
                        "$.effective_from");
  currency_ = card.currency();
  cards_.push_back(std::move(card));
  std::sort(cards_.begin(), cards_.end(), [](const rate_card& a, const rate_card& b) {
    return a.model() != b.model() ? a.model() < b.model() : a.effective_from() < b.effective_from();
  });
  return {};
}

const rate_card* rate_cards::find(pricing_model model, date::year_month_day local_date) const {
  const rate_card* best = nullptr;
  for (const auto& c : cards_)
    if (c.model() == model && c.effective_from() <= local_date) best = &c;
  return best;
}

}  // namespace chatdesk
