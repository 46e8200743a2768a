#pragma once
// Live support's records in the store: JSON text, one record per agent, team,
// business settings and conversation. A record that cannot be read throws
// `store.corrupt` naming it.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

#include "chatdesk/support/model.hpp"

namespace chatdesk::detail::support {

inline constexpr std::string_view settings_kind = "support.settings";  // key: business
inline constexpr std::string_view agent_kind = "support.agent";        // key: business \x1f agent
inline constexpr std::string_view team_kind = "support.team";          // key: business \x1f team
inline constexpr std::string_view open_kind = "support.open";      // key: business \x1f number \x1f customer
inline constexpr std::string_view closed_kind = "support.closed";  // resolved conversations, same keys
inline constexpr std::string_view version_kind = "support.version";  // key: business
inline constexpr std::string_view canned_kind = "support.canned";    // key: business \x1f code
/// The time up to which tick() told a business's SLA warnings and breaches
/// (milliseconds since 1970): a restarted desk does not tell them again, and a
/// tick writes this one record instead of every conversation it warned about.
inline constexpr std::string_view told_kind = "support.told";  // key: business
/// What reports count, written in the step where it happened: key business
/// \x1f UTC date \x1f milliseconds into the day (8 digits) \x1f a unique tail,
/// so a report reads only the days of its period.
inline constexpr std::string_view fact_kind = "support.fact";

/// One reported happening.
struct fact {
  std::string name;  // created, handed_off, assigned, first_response, next_response, resolved,
                     // survey_sent, survey_answered
  timestamp at{};
  std::string conversation;  // number \x1f customer digits
  std::string agent;
  std::string team;
  std::optional<std::int64_t> ms;  // a measured time (first response, next response, resolution)
  std::optional<bool> met;         // its SLA target met; none: no target
  std::optional<int> score;        // a survey's answer
};

/// An agent with what routing keeps about them.
struct agent_record {
  chatdesk::agent agent;
  chatdesk::presence presence = presence::offline;
  timestamp last_assigned = never;
  std::deque<timestamp> recent;  // automatic assignments within the fair window
};

[[nodiscard]] std::string key_of(std::string_view business, std::string_view id);
[[nodiscard]] std::string key_of(std::string_view business, const conversation_key& key);
[[nodiscard]] std::string prefix_of(std::string_view business);
/// The key of a fact at `at`, made unique by `tail`.
[[nodiscard]] std::string fact_key(std::string_view business, timestamp at, std::string_view tail);
/// The prefix of a business's facts on UTC day `day`.
[[nodiscard]] std::string fact_day_prefix(std::string_view business, date::sys_days day);

[[nodiscard]] std::string encode(const support_settings& s);
[[nodiscard]] support_settings decode_settings(std::string_view text, std::string_view where);
[[nodiscard]] std::string encode(const agent_record& a);
[[nodiscard]] agent_record decode_agent(std::string_view text, std::string_view where);
[[nodiscard]] std::string encode(const team& t);
[[nodiscard]] team decode_team(std::string_view text, std::string_view where);
[[nodiscard]] std::string encode(const support_conversation& c);
[[nodiscard]] support_conversation decode_conversation(std::string_view text, std::string_view where);
[[nodiscard]] std::string encode(const fact& f);
[[nodiscard]] fact decode_fact(std::string_view text, std::string_view where);

}  // namespace chatdesk::detail::support
