#include "chatdesk/core/market.hpp"

#include <algorithm>
#include <array>

#include "chatdesk/core/detail/market_index.hpp"

#include <fmt/format.h>

#include "ascii.hpp"

namespace chatdesk {

namespace {

std::size_t to_index(std::string_view digits) {
  std::size_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<std::size_t>(c - '0');
  return v;
}

/// A country's slot in `by_country_`, or 26 * 26 when it has none (empty).
std::size_t country_index(const country& c) noexcept {
  const auto a = c.alpha2();
  if (a.size() != 2 || a[0] < 'A' || a[0] > 'Z' || a[1] < 'A' || a[1] > 'Z') return std::size_t{26} * 26;
  return static_cast<std::size_t>(a[0] - 'A') * 26 + static_cast<std::size_t>(a[1] - 'A');
}

/// The main country of each calling code, by code (empty: none or not geographic).
struct main_countries {
  std::array<country, 1000> by_code{};
  main_countries() {
    for (const auto& row : calling_code_table())
      if (row.code < by_code.size() && row.regions.size() >= 2)
        by_code[row.code] = country::unchecked(row.regions.substr(0, 2));
  }
};
const main_countries& mains() {
  static const main_countries m;
  return m;
}

}  // namespace

result<market_table> market_table::create(std::vector<market_rule> rules, std::string default_market) {
  market_table t;
  if (rules.size() >= 0xFFFF)
    return make_error("market.invalid_rule", "a market table holds at most 65534 markets");
  if (default_market.empty())
    return make_error("market.invalid_rule", "the default market needs a name", "default_market");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    const auto where = fmt::format("markets[{}]", i);
    if (r.name.empty()) return make_error("market.invalid_rule", "a market needs a name", where);
    const auto id = static_cast<std::uint16_t>(i + 1);
    // Claims each code of one list for this market in `index`.
    auto claim = [&](const std::vector<std::string>& codes, std::string_view list, bool area,
                     std::vector<std::uint16_t>& index) -> result<void> {
      for (std::size_t j = 0; j < codes.size(); ++j) {
        const auto& code = codes[j];
        const auto at = fmt::format("{}.{}[{}]", where, list, j);
        const bool well_formed = detail::all_digits(code) && (area ? code.size() == 3 && code[0] >= '2'
                                                                   : code.size() <= 3 && code[0] != '0');
        if (!well_formed)
          return make_error(
              "market.invalid_rule",
              area ? fmt::format("'{}' is not a North American area code (3 digits, 200-999)", code)
                   : fmt::format("'{}' is not a country calling code (1 to 3 digits)", code),
              at);
        auto& slot = index[to_index(code)];
        if (slot != 0)
          return make_error(
              "market.duplicate_code",
              fmt::format("{} {} is claimed by both '{}' and '{}'", area ? "area code" : "calling code", code,
                          rules[slot - 1U].name, r.name),
              at);
        slot = id;
      }
      return {};
    };
    if (auto ok = claim(r.calling_codes, "calling_codes", false, t.by_code_); !ok) return ok.error();
    if (auto ok = claim(r.nanp_area_codes, "nanp_area_codes", true, t.by_area_); !ok) return ok.error();
    for (std::size_t j = 0; j < r.countries.size(); ++j) {
      const auto at = fmt::format("{}.countries[{}]", where, j);
      auto c = country::from_alpha2(r.countries[j]);
      if (!c)
        return make_error("market.invalid_rule",
                          fmt::format("'{}' is not an ISO 3166-1 alpha-2 country code", r.countries[j]), at);
      auto& slot = t.by_country_[country_index(*c)];
      if (slot != 0)
        return make_error("market.duplicate_code",
                          fmt::format("country {} is claimed by both '{}' and '{}'", c->alpha2(),
                                      rules[slot - 1U].name, r.name),
                          at);
      slot = id;
    }
  }
  t.rules_ = std::move(rules);
  t.default_market_ = std::move(default_market);
  return t;
}

std::size_t detail::market_rule_index(const market_table& table, const phone_number& number) noexcept {
  return table.find_rule(number);
}

std::size_t market_table::find_rule(const phone_number& number) const noexcept {
  const auto customer_country = number.country();
  const auto slot = country_index(customer_country);
  if (slot < by_country_.size() && by_country_[slot] != 0) return by_country_[slot] - 1U;
  const auto code = static_cast<std::size_t>(number.calling_code_value());
  if (code == 1) {
    const auto area = to_index(number.national_number().substr(0, 3));
    if (by_area_[area] != 0) return by_area_[area] - 1U;
  }
  if (code < by_code_.size() && by_code_[code] != 0) {
    // A calling code stands for its main country; the others sharing it need a market that names them.
    const auto& main = mains().by_code[code];
    if (customer_country.empty() || main.empty() || customer_country == main) return by_code_[code] - 1U;
  }
  return rules_.size();
}

std::string_view market_table::find(const phone_number& number) const noexcept {
  const auto rule = find_rule(number);
  return rule < rules_.size() ? std::string_view(rules_[rule].name) : std::string_view(default_market_);
}

namespace {

/// The markets of PLATFORM.md 1d (in force until 2026-06-30).
std::vector<market_rule> platform_rules_2025() {
  // Markets with their own rates, then the regional groups.
  std::vector<market_rule> rules = {
      {"Argentina", {"54"}, {}},
      {"Brazil", {"55"}, {}},
      {"Chile", {"56"}, {}},
      {"Colombia", {"57"}, {}},
      {"Egypt", {"20"}, {}},
      {"France", {"33"}, {}},
      {"Germany", {"49"}, {}},
      {"India", {"91"}, {}},
      {"Indonesia", {"62"}, {}},
      {"Israel", {"972"}, {}},
      {"Italy", {"39"}, {}},
      {"Malaysia", {"60"}, {}},
      {"Mexico", {"52"}, {}},
      {"Netherlands", {"31"}, {}},
      {"Nigeria", {"234"}, {}},
      {"Pakistan", {"92"}, {}},
      {"Peru", {"51"}, {}},
      {"Russia", {"7"}, {}},
      {"Saudi Arabia", {"966"}, {}},
      {"South Africa", {"27"}, {}},
      {"Spain", {"34"}, {}},
      {"Turkey", {"90"}, {}},
      {"United Arab Emirates", {"971"}, {}},
      {"United Kingdom", {"44"}, {}},
      // The United States by its code, Canada by name: the other +1 countries are in no market.
      {"North America", {"1"}, {}, {"CA"}},
      {"Rest of Africa",
       {"213", "244", "229", "267", "226", "257", "237", "235", "242", "291", "251", "241", "220", "233",
        "245", "225", "254", "266", "231", "218", "261", "265", "223", "222", "212", "258", "264", "227",
        "250", "221", "232", "252", "211", "249", "268", "255", "228", "216", "256", "260"},
       {}},
      {"Rest of Asia Pacific",
       {"93",  "61", "880", "855", "86",  "852", "81", "856", "976", "977", "64",
        "675", "63", "65",  "94",  "886", "992", "66", "993", "998", "84"},
       {}},
      {"Rest of Central & Eastern Europe",
       {"355", "374", "994", "375", "359", "385", "420", "995", "30",  "36",
        "371", "370", "373", "389", "48",  "40",  "381", "421", "386", "380"},
       {}},
      {"Rest of Western Europe", {"43", "32", "45", "358", "353", "47", "351", "46", "41"}, {}},
      {"Rest of Latin America",
       {"591", "506", "593", "503", "502", "509", "504", "505", "507", "595", "598", "58"},
       {},
       {"DO", "JM", "PR"}},
      {"Rest of Middle East", {"973", "964", "962", "965", "961", "968", "974", "967"}, {}},
  };
  return rules;
}

/// Moves the calling code `code` (or the country `alpha2` when `code` is
/// empty) out of whichever market lists it into a market of its own.
void split_out(std::vector<market_rule>& rules, const char* name, const char* code, const char* alpha2 = "") {
  for (auto& r : rules) {
    auto& codes = r.calling_codes;
    codes.erase(std::remove(codes.begin(), codes.end(), std::string(code)), codes.end());
  }
  market_rule m{name, {}, {}};
  if (*code != '\0') m.calling_codes.emplace_back(code);
  if (*alpha2 != '\0') m.countries.emplace_back(alpha2);
  rules.push_back(std::move(m));
}

/// 2026-07-01: six markets leave their regions (PLATFORM.md 1h).
std::vector<market_rule> platform_rules_2026_07() {
  auto rules = platform_rules_2025();
  split_out(rules, "Hong Kong", "852");
  split_out(rules, "Hungary", "36");
  split_out(rules, "Qatar", "974");
  split_out(rules, "Romania", "40");
  split_out(rules, "Singapore", "65");
  split_out(rules, "Poland", "48");
  return rules;
}

/// 2026-10-01: nine more (PLATFORM.md 1h). Kazakhstan shares +7 with Russia,
/// the code's main country: its numbers are told apart by the number itself
/// (+7 6xx and 7xx), as every shared code is.
std::vector<market_rule> platform_rules_2026_10() {
  auto rules = platform_rules_2026_07();
  split_out(rules, "Bangladesh", "880");
  split_out(rules, "Iraq", "964");
  split_out(rules, "Nepal", "977");
  split_out(rules, "Sri Lanka", "94");
  split_out(rules, "Kuwait", "965");
  split_out(rules, "Oman", "968");
  split_out(rules, "Morocco", "212");
  split_out(rules, "Ukraine", "380");
  split_out(rules, "Kazakhstan", "", "KZ");
  return rules;
}

}  // namespace

const market_table& market_table::platform() {
  static const market_table table = create(platform_rules_2025()).value();
  return table;
}

const market_table& market_table::platform(date::year_month_day day) {
  static const market_table july_2026 = create(platform_rules_2026_07()).value();
  static const market_table october_2026 = create(platform_rules_2026_10()).value();
  using date::month;
  using date::year;
  if (day >= year{2026} / month{10} / 1) return october_2026;
  if (day >= year{2026} / month{7} / 1) return july_2026;
  return platform();
}

}  // namespace chatdesk
