#pragma once
// Routing's index: for each team, its online agents with room in the order
// its policy offers conversations, and its queue. Chosen in O(log n); the
// reason for a choice (or for none) is a separate, slower step.
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <absl/container/btree_map.h>
#include <absl/numeric/int128.h>

#include "chatdesk/support/model.hpp"
#include "records.hpp"

namespace chatdesk::detail::support {

/// Where an agent sits in a team's order of candidates, smaller first: the
/// load (0 for round robin), then the last assignment, then the agent's rank,
/// packed in one 128-bit number so the index compares one value.
using candidate_key = absl::uint128;

[[nodiscard]] inline candidate_key make_candidate_key(std::uint32_t load, std::int64_t last_assigned,
                                                      std::uint32_t order) {
  const auto last = static_cast<std::uint64_t>(last_assigned) ^ (std::uint64_t{1} << 63);  // order-preserving
  return (absl::uint128(load) << 96) | (absl::uint128(last) << 32) | absl::uint128(order);
}

/// Where a conversation waits in a team's queue: higher priority, then longest waiting.
struct queue_key {
  int neg_priority = 0;
  std::int64_t since = 0;
  std::uint64_t seq = 0;
  friend bool operator<(const queue_key& a, const queue_key& b) {
    return std::tie(a.neg_priority, a.since, a.seq) < std::tie(b.neg_priority, b.since, b.seq);
  }
  friend bool operator==(const queue_key&, const queue_key&) = default;
};

struct agent_state;
/// A B-tree: faster than std::set for the erase and insert of every assignment.
using candidates = absl::btree_map<candidate_key, agent_state*>;

/// The candidate lists of one team an agent sits in (worked out once, when
/// teams or agents change, so an assignment touches no map).
struct agent_slot {
  bool by_load = false;
  std::vector<candidates*> lists;
};

struct agent_state {
  agent_record rec;
  std::vector<agent_slot> slots;
  std::uint32_t order = 0;  // ties go by id: the same order in every instance
  std::uint32_t held = 0;   // conversations held (open, pending, snoozed)
  std::vector<std::string> teams;
  bool indexed = false;
  candidate_key indexed_rr{0};
  candidate_key indexed_load{0};

  [[nodiscard]] bool has_room() const { return held < rec.agent.capacity; }
  [[nodiscard]] candidate_key key(bool by_load) const {
    return make_candidate_key(by_load ? held : 0U,
                              rec.last_assigned == never ? std::numeric_limits<std::int64_t>::min()
                                                         : rec.last_assigned.time_since_epoch().count(),
                              order);
  }
};

/// Skills teams: the agents with room who have the same skills and languages.
struct profile_group {
  std::vector<std::string> skills;     // sorted
  std::vector<std::string> languages;  // sorted; none: speaks any
  candidates agents;
};

struct team_state {
  team def;
  candidates available;  // online agents with room, best first
  // Skills teams: the same agents by profile (skills and languages), so each
  // agent sits in one more list, and a conversation looks only at the heads
  // of the profiles that match it (worked out once per kind of conversation).
  std::map<std::string, profile_group, std::less<>> profiles;
  std::map<std::string, std::vector<const profile_group*>, std::less<>>
      matching;         // cache, by conversation kind
  std::string scratch;  // the kind being looked up
  std::map<queue_key, conversation_key> queue;
  [[nodiscard]] bool by_load() const { return def.policy != routing_policy::round_robin; }
  /// The profiles whose agents can answer a conversation in `language` needing `skills`.
  const std::vector<const profile_group*>& matching_profiles(const std::string& language,
                                                             const std::vector<std::string>& skills);
};

/// What `choose` found: an agent, or nobody, with what it passed over.
struct choice {
  agent_state* agent = nullptr;
  std::size_t fair_capped = 0;  // agents with room at their fair-distribution cap
  std::size_t mismatched = 0;   // agents with room without the language or skills
};

/// A business's agents and teams, with the routing index.
struct roster {
  std::map<std::string, std::unique_ptr<agent_state>, std::less<>> agents;
  std::map<std::string, team_state, std::less<>> teams;

  /// Takes `a` out of its teams' candidates.
  void unindex(agent_state& a);
  /// Puts `a` back among its teams' candidates where it belongs now (online, with room).
  void reindex(agent_state& a);
  /// Rebuilds memberships, orders and candidates (after agents or teams change).
  void reindex_all();
  /// The agent team `t` offers `c` to now, by its policy.
  [[nodiscard]] choice choose(team_state& t, const support_conversation& c, timestamp now) const;
  /// One sentence: why that agent, or why nobody.
  [[nodiscard]] std::string explain(const team_state& t, const support_conversation& c,
                                    const choice& found) const;
};

}  // namespace chatdesk::detail::support
