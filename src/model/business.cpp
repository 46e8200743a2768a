#include "chatdesk/model/business.hpp"

#include <set>

#include <fmt/format.h>

#include "../core/ascii.hpp"
#include "../core/names.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

namespace {

// One row per value, in the enum's order: the platform's name, the other
// spellings people type, and (for tiers) the limit.
constexpr std::array<std::string_view, 6> tier_names{"TIER_250", "TIER_1K",   "TIER_2K",
                                                     "TIER_10K", "TIER_100K", "TIER_UNLIMITED"};
constexpr std::array<std::array<std::string_view, 2>, 6> tier_aliases{
    {{"250", ""}, {"1000", "1K"}, {"2000", "2K"}, {"10000", "10K"}, {"100000", "100K"}, {"UNLIMITED", ""}}};
constexpr std::array<std::uint32_t, 5> tier_limits{250, 1'000, 2'000, 10'000, 100'000};
static_assert(static_cast<std::size_t>(messaging_tier::unlimited) + 1 == tier_names.size());
static_assert(static_cast<std::size_t>(messaging_tier::unlimited) == tier_limits.size());

constexpr std::array<std::string_view, 4> quality_names{"GREEN", "YELLOW", "RED", "UNKNOWN"};
constexpr std::array<std::array<std::string_view, 2>, 4> quality_aliases{
    {{"HIGH", ""}, {"MEDIUM", ""}, {"LOW", ""}, {"NA", ""}}};
static_assert(static_cast<std::size_t>(quality_rating::unknown) + 1 == quality_names.size());

/// The value whose name or alias is `text` in any ASCII case.
template <class Enum, std::size_t N>
std::optional<Enum> find(const std::array<std::string_view, N>& names,
                         const std::array<std::array<std::string_view, 2>, N>& aliases,
                         std::string_view text) {
  if (auto e = detail::named_ignoring_case<Enum>(names, text)) return e;
  for (std::size_t i = 0; i < N; ++i)
    for (const auto alias : aliases[i])
      if (!alias.empty() && detail::iequals(alias, text)) return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> limit_of(messaging_tier tier) noexcept {
  const auto i = static_cast<std::size_t>(tier);
  if (i < tier_limits.size()) return tier_limits[i];
  return std::nullopt;
}

std::string_view to_string(messaging_tier tier) noexcept {
  return detail::name_in(tier_names, tier, "TIER_UNKNOWN");
}

result<messaging_tier> parse_messaging_tier(std::string_view text) {
  if (auto t = find<messaging_tier>(tier_names, tier_aliases, text)) return *t;
  return make_error("business.unknown_tier",
                    fmt::format("'{}' is not a messaging-limit tier (250, 1K, 2K, 10K, 100K, unlimited)",
                                utf8::printable(text)));
}

std::string_view to_string(quality_rating q) noexcept {
  return detail::name_in(quality_names, q, "UNKNOWN");
}

result<quality_rating> parse_quality_rating(std::string_view text) {
  if (auto q = find<quality_rating>(quality_names, quality_aliases, text)) return *q;
  return make_error("business.unknown_quality",
                    fmt::format("'{}' is not a quality rating ({})", utf8::printable(text),
                                detail::names_list(quality_names)));
}

const business_number* business::find_number(std::string_view number_id) const noexcept {
  for (const auto& n : numbers)
    if (n.id == number_id) return &n;
  return nullptr;
}

result<void> business::validate() const {
  if (id.empty()) return make_error("business.invalid", "a business needs an id", "id");
  if (numbers.empty())
    return make_error("business.invalid", fmt::format("business '{}' has no phone number", id), "numbers");
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    const auto& n = numbers[i];
    const auto where = fmt::format("numbers[{}]", i);
    if (n.id.empty()) return make_error("business.invalid", "a business number needs an id", where + ".id");
    if (!seen.insert(n.id).second)
      return make_error("business.invalid", fmt::format("number id '{}' appears twice", n.id), where + ".id");
    if (n.throughput_per_second < 1 || n.throughput_per_second > 1000)
      return make_error(
          "business.invalid",
          fmt::format("throughput {} is outside 1 to 1,000 messages per second", n.throughput_per_second),
          where + ".throughput_per_second");
  }
  return {};
}

}  // namespace chatdesk
