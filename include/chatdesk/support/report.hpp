/// @file
/// Live support's reports: over a period of days in the business's time zone,
/// how fast people answered and resolved, how often the SLA was met, who
/// handled how much, and what customers scored. Read from the facts the
/// support desk writes to the store in the step where each happened, so a
/// report is the same from any instance and after any restart.
#pragma once
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/support/model.hpp"

namespace chatdesk {

/// Durations measured in a period (as the SLA policy counts time): how many, the median and the 90th
/// percentile (nearest rank: the value at rank ceil(p/100 x count) in
/// ascending order), and the mean rounded down to the millisecond.
struct CHATDESK_API duration_summary {
  std::size_t count = 0;
  std::optional<std::chrono::milliseconds> median;
  std::optional<std::chrono::milliseconds> p90;
  std::optional<std::chrono::milliseconds> mean;
  /// From the measured values, in any order.
  [[nodiscard]] static duration_summary of(std::vector<std::chrono::milliseconds> values);
  friend bool operator==(const duration_summary&, const duration_summary&) = default;
};

/// SLA targets met and missed among the measures that had one.
struct CHATDESK_API sla_summary {
  std::size_t met = 0;
  std::size_t missed = 0;
  /// met / (met + missed); none when nothing had a target.
  [[nodiscard]] std::optional<double> hit_rate() const noexcept;
  friend bool operator==(const sla_summary&, const sla_summary&) = default;
};

/// Satisfaction surveys sent and answered in a period.
struct CHATDESK_API csat_summary {
  std::size_t sent = 0;
  std::size_t answered = 0;
  int score_total = 0;  ///< the sum of the answers (1-5 each)
  /// score_total / answered; none without answers.
  [[nodiscard]] std::optional<double> average() const noexcept;
  /// answered / sent; none when none was sent.
  [[nodiscard]] std::optional<double> response_rate() const noexcept;
  friend bool operator==(const csat_summary&, const csat_summary&) = default;
};

/// The figures of the whole business, one team or one agent.
struct CHATDESK_API report_figures {
  std::string id;                   ///< the team's or agent's id; empty for the business
  std::size_t conversations = 0;    ///< distinct conversations assigned (agent, team) or created (business)
  std::size_t handed_off = 0;       ///< from the bot to people (business, team)
  std::size_t assignments = 0;      ///< assignments, automatic and manual
  std::size_t resolved = 0;         ///< resolutions (a conversation reopened and resolved again counts twice)
  duration_summary first_response;  ///< going to people (or created) to the first agent reply
  duration_summary next_response;   ///< the oldest unanswered customer message to the next agent reply
  duration_summary resolution;      ///< going to people (or created) to resolved
  std::array<sla_summary, 3> sla{};  ///< by `sla_metric`
  sla_summary sla_total;             ///< the three together
  csat_summary csat;
  friend bool operator==(const report_figures&, const report_figures&) = default;
};

/// A report over local days `first` to `last` (both included) in the
/// business's time zone (its support hours' zone).
struct CHATDESK_API support_report {
  std::string business_id;
  std::string time_zone;
  date::year_month_day first{};
  date::year_month_day last{};
  timestamp from{};  ///< the first instant of `first`
  timestamp to{};    ///< the first instant after `last`
  /// Durations are business time (the SLA policy's `business_hours_only`,
  /// as it was when each was measured), else calendar time.
  bool business_hours_only = false;
  report_figures business;
  std::vector<report_figures> teams;   ///< by id
  std::vector<report_figures> agents;  ///< by id
};

/// The report of `business_id` over local days `first` to `last`, read from
/// `st` (the support desk's store) under the business's lock. Each figure
/// counts what happened within the period: a first response is counted on
/// the day it was sent, a resolution on the day it was made, a survey's
/// answer on the day it came. Errors: `support.invalid_period` (not dates, or
/// `last` before `first`, or more than 366 days), `support.not_configured`
/// (no live support for the business), `store.*`.
[[nodiscard]] CHATDESK_API result<support_report> make_support_report(store& st, std::string_view business_id,
                                                                      date::year_month_day first,
                                                                      date::year_month_day last);
/// The same with the days as ISO 8601 dates ("2026-12-01"); errors name "from" or "to".
[[nodiscard]] CHATDESK_API result<support_report> make_support_report(store& st, std::string_view business_id,
                                                                      std::string_view first,
                                                                      std::string_view last);

/// The report as JSON: durations in seconds (with milliseconds), rates as
/// fractions of 1 rounded to 4 decimals, the CSAT average to 2.
[[nodiscard]] CHATDESK_API nlohmann::ordered_json to_json(const support_report& r);
/// The report as CSV (RFC 4180, a header line then one line for the business,
/// each team and each agent), with the same units as the JSON.
[[nodiscard]] CHATDESK_API std::string to_csv(const support_report& r);

}  // namespace chatdesk
