// Small rate cards for the pricing tests: one per model, with Italy, India
// (tiered utility and authentication under pmp_2025), North America, Rest of
// Latin America and Other.
#pragma once

#include <string>

#include <fmt/format.h>

namespace chatdesk::testing {

/// A small card of `model` with Italy, India (tiered utility/auth for pmp) and Other.
inline std::string card_json(const char* model, const char* from) {
  const std::string m = model;
  std::string rates;
  std::string tiers;
  if (m == "legacy_2018") {
    rates =
        R"("Italy":{"message":"0.0500"},"India":{"message":"0.0100"},"North America":{"message":"0.0200"},"Other":{"message":"0.0300"})";
  } else if (m == "cbp_2022") {
    rates =
        R"("Italy":{"user_initiated":"0.0400","business_initiated":"0.0600"},"India":{"user_initiated":"0.0040","business_initiated":"0.0070"},"North America":{"user_initiated":"0.0050","business_initiated":"0.0090"},"Other":{"user_initiated":"0.0200","business_initiated":"0.0300"})";
  } else if (m == "cbp_2023") {
    rates =
        R"("Italy":{"marketing":"0.0691","utility":"0.0300","authentication":"0.0300","service":"0.0100"},"India":{"marketing":"0.0100","utility":"0.0010","authentication":"0.0010","service":"0.0040"},"North America":{"marketing":"0.0250","utility":"0.0040","authentication":"0.0135","service":"0.0088"},"Other":{"marketing":"0.0600","utility":"0.0080","authentication":"0.0080","service":"0.0300"})";
  } else {
    rates =
        R"("Italy":{"marketing":"0.0691","utility":"0.0300","authentication":"0.0300"},"India":{"marketing":"0.0118"},"North America":{"marketing":"0.0250","utility":"0.0034","authentication":"0.0034"},"Other":{"marketing":"0.0604","utility":"0.0077","authentication":"0.0077"})";
    tiers =
        R"(,"tiers":{"India":{"utility":[{"up_to":2,"rate":"0.0014"},{"up_to":null,"rate":"0.0012"}],"authentication":[{"up_to":null,"rate":"0.0014"}]}},"authentication_international":{"India":"0.0280"})";
  }
  return fmt::format(
      R"({{"model":"{}","effective_from":"{}","currency":"USD","markets":[{{"name":"North America","calling_codes":["1"]}},{{"name":"Rest of Latin America","calling_codes":["591"],"nanp_area_codes":["809"]}},{{"name":"Italy","calling_codes":["39"]}},{{"name":"India","calling_codes":["91"]}}],"default_market":"Other","rates":{{{},"Rest of Latin America":{}}}{}}})",
      model, from, rates,
      m == "legacy_2018" ? R"({"message":"0.0700"})"
      : m == "cbp_2022"  ? R"({"user_initiated":"0.0100","business_initiated":"0.0200"})"
      : m == "cbp_2023"
          ? R"({"marketing":"0.0740","utility":"0.0113","authentication":"0.0113","service":"0.0100"})"
          : R"({"marketing":"0.0740","utility":"0.0113","authentication":"0.0113"})",
      tiers);
}

}  // namespace chatdesk::testing
