#include "chatdesk/model/business.hpp"

#include <set>

#include <fmt/format.h>

#include "../core/ascii.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

std::optional<std::uint32_t> limit_of(messaging_tier tier) noexcept {
  switch (tier) {
    case messaging_tier::tier_250:
      return 250;
    case messaging_tier::tier_1k:
      return 1'000;
    case messaging_tier::tier_2k:
      return 2'000;
    case messaging_tier::tier_10k:
      return 10'000;
    case messaging_tier::tier_100k:
      return 100'000;
    case messaging_tier::unlimited:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view to_string(messaging_tier tier) noexcept {
  switch (tier) {
    case messaging_tier::tier_250:
      return "TIER_250";
    case messaging_tier::tier_1k:
      return "TIER_1K";
    case messaging_tier::tier_2k:
      return "TIER_2K";
    case messaging_tier::tier_10k:
      return "TIER_10K";
    case messaging_tier::tier_100k:
      return "TIER_100K";
    case messaging_tier::unlimited:
      return "TIER_UNLIMITED";
  }
  return "TIER_UNKNOWN";
}

result<messaging_tier> parse_messaging_tier(std::string_view text) {
  const std::string t = detail::ascii_upper(text);
  if (t == "TIER_250" || t == "250") return messaging_tier::tier_250;
  if (t == "TIER_1K" || t == "1000" || t == "1K") return messaging_tier::tier_1k;
  if (t == "TIER_2K" || t == "2000" || t == "2K") return messaging_tier::tier_2k;
  if (t == "TIER_10K" || t == "10000" || t == "10K") return messaging_tier::tier_10k;
  if (t == "TIER_100K" || t == "100000" || t == "100K") return messaging_tier::tier_100k;
  if (t == "TIER_UNLIMITED" || t == "UNLIMITED") return messaging_tier::unlimited;
  return make_error("business.unknown_tier",
                    fmt::format("'{}' is not a messaging-limit tier (250, 1K, 2K, 10K, 100K, unlimited)",
                                utf8::printable(text)));
}

std::string_view to_string(quality_rating q) noexcept {
  switch (q) {
    case quality_rating::green:
      return "GREEN";
    case quality_rating::yellow:
      return "YELLOW";
    case quality_rating::red:
      return "RED";
    case quality_rating::unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

result<quality_rating> parse_quality_rating(std::string_view text) {
  const std::string t = detail::ascii_upper(text);
  if (t == "GREEN" || t == "HIGH") return quality_rating::green;
  if (t == "YELLOW" || t == "MEDIUM") return quality_rating::yellow;
  if (t == "RED" || t == "LOW") return quality_rating::red;
  if (t == "UNKNOWN" || t == "NA") return quality_rating::unknown;
  return make_error(
      "business.unknown_quality",
      fmt::format("'{}' is not a quality rating (GREEN, YELLOW, RED, UNKNOWN)", utf8::printable(text)));
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
