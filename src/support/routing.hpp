#pragma once
// Routing's index: for each team, its online agents with room in the order
// its policy offers conversations, and its queue. Chosen in O(log n); the
// reason for a choice (or for none) is a separate, slower step.
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "chatdesk/support/model.hpp"
#include "records.hpp"

namespace chatdesk::detail::support {

/// Where an agent sits in a team's order of candidates: smaller first.
struct candidate_key {
  std::uint32_t load = 0;  // 0 for round robin
  std::int64_t last_assigned = 0;
  std::uint32_t order = 0;
  friend auto operator<=>(const candidate_key&, const candidate_key&) = default;
};

/// Where a conversation waits in a team's queue: higher priority, then longest waiting.
struct queue_key {
  int neg_priority = 0;
  std::int64_t since = 0;
  std::uint64_t seq = 0;
  friend auto operator<=>(const queue_key&, const queue_key&) = default;
};

struct agent_state {
  agent_record rec;
  std::uint32_t order = 0;  // ties go by id: the same order in every instance
  std::unordered_set<conversation_key> held;
  std::vector<std::string> teams;
  bool indexed = false;
  candidate_key indexed_rr;
  candidate_key indexed_load;

  [[nodiscard]] bool has_room() const { return held.size() < rec.agent.capacity; }
  [[nodiscard]] candidate_key key(bool by_load) const {
    return {by_load ? static_cast<std::uint32_t>(held.size()) : 0U,
            rec.last_assigned == never ? std::numeric_limits<std::int64_t>::min()
                                       : rec.last_assigned.time_since_epoch().count(),
            order};
  }
};

struct team_state {
  team def;
  std::set<std::pair<candidate_key, agent_state*>> available;  // online agents with room, best first
  std::map<queue_key, conversation_key> queue;
  [[nodiscard]] bool by_load() const { return def.policy != routing_policy::round_robin; }
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
