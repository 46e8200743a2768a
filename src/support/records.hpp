#pragma once
// Live support's records in the store: JSON text, one record per agent, team,
// business settings and conversation. A record that cannot be read throws
// `store.corrupt` naming it.
#include <deque>
#include <string>
#include <string_view>

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

[[nodiscard]] std::string encode(const support_settings& s);
[[nodiscard]] support_settings decode_settings(std::string_view text, std::string_view where);
[[nodiscard]] std::string encode(const agent_record& a);
[[nodiscard]] agent_record decode_agent(std::string_view text, std::string_view where);
[[nodiscard]] std::string encode(const team& t);
[[nodiscard]] team decode_team(std::string_view text, std::string_view where);
[[nodiscard]] std::string encode(const support_conversation& c);
[[nodiscard]] support_conversation decode_conversation(std::string_view text, std::string_view where);

}  // namespace chatdesk::detail::support
