#include "routing.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace chatdesk::detail::support {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

bool matches(const agent_state& a, const support_conversation& c) {
  const auto& who = a.rec.agent;
  const bool speaks = c.language.empty() || who.languages.empty() || contains(who.languages, c.language);
  return speaks && std::all_of(c.skills.begin(), c.skills.end(),
                               [&](const std::string& s) { return contains(who.skills, s); });
}

}  // namespace

void roster::unindex(agent_state& a) {
  if (!a.indexed) return;
  for (const auto& tid : a.teams)
    if (auto t = teams.find(tid); t != teams.end())
      t->second.available.erase({t->second.by_load() ? a.indexed_load : a.indexed_rr, &a});
  a.indexed = false;
}

void roster::reindex(agent_state& a) {
  unindex(a);
  if (a.rec.presence != presence::online || !a.has_room()) return;
  a.indexed_rr = a.key(false);
  a.indexed_load = a.key(true);
  for (const auto& tid : a.teams)
    if (auto t = teams.find(tid); t != teams.end())
      t->second.available.insert({t->second.by_load() ? a.indexed_load : a.indexed_rr, &a});
  a.indexed = true;
}

void roster::reindex_all() {
  for (auto& [id, t] : teams) t.available.clear();
  std::uint32_t order = 0;
  for (auto& [id, a] : agents) {  // in id order: the same in every instance
    a->teams.clear();
    a->indexed = false;
    a->order = order++;
  }
  for (auto& [tid, t] : teams)
    for (const auto& m : t.def.members)
      if (auto a = agents.find(m); a != agents.end()) a->second->teams.push_back(tid);
  for (auto& [id, a] : agents) reindex(*a);
}

choice roster::choose(team_state& t, const support_conversation& c, timestamp now) const {
  choice out;
  const auto& def = t.def;
  for (const auto& entry : t.available) {
    agent_state* a = entry.second;
    if (def.fair_limit > 0) {
      auto& recent = a->rec.recent;
      while (!recent.empty() && recent.front() <= now - def.fair_window) recent.pop_front();
      if (recent.size() >= def.fair_limit) {
        ++out.fair_capped;
        continue;
      }
    }
    if (def.policy == routing_policy::skills && !matches(*a, c)) {
      ++out.mismatched;
      continue;
    }
    out.agent = a;
    return out;
  }
  return out;
}

std::string roster::explain(const team_state& t, const support_conversation& c, const choice& found) const {
  const auto& def = t.def;
  if (const auto* a = found.agent) {
    const auto n = t.available.size();
    const auto& who = a->rec.agent.name.empty() ? a->rec.agent.id : a->rec.agent.name;
    switch (def.policy) {
      case routing_policy::round_robin:
        return fmt::format("assigned to {}: the least recently assigned of the {} with room in team {}", who,
                           plural(n, "online agent", "online agents"), def.id);
      case routing_policy::balanced:
        return fmt::format("assigned to {}: holds {} of {}, the fewest among the {} with room in team {}",
                           who, a->held.size(), a->rec.agent.capacity,
                           plural(n, "online agent", "online agents"), def.id);
      case routing_policy::skills:
        return fmt::format(
            "assigned to {}: {}{}, holds {} of {}, the fewest among those who match in team {}", who,
            c.language.empty() ? "any language" : "speaks " + c.language,
            c.skills.empty() ? std::string() : fmt::format(" and has {}", fmt::join(c.skills, ", ")),
            a->held.size(), a->rec.agent.capacity, def.id);
    }
  }
  std::size_t offline = 0;
  std::size_t away = 0;
  std::size_t full = 0;
  std::size_t known = 0;
  for (const auto& m : def.members) {
    const auto a = agents.find(m);
    if (a == agents.end()) continue;
    ++known;
    const auto p = a->second->rec.presence;
    if (p == presence::offline) ++offline;
    if (p == presence::away) ++away;
    if (p == presence::online && !a->second->has_room()) ++full;
  }
  if (known == 0) return fmt::format("queued: team {} has no agents", def.id);
  if (found.fair_capped > 0 && found.mismatched == 0)
    return fmt::format("queued: the {} of team {} with room reached the fair-distribution cap of {} per {} s",
                       plural(found.fair_capped, "agent", "agents"), def.id, def.fair_limit,
                       def.fair_window.count());
  if (found.mismatched > 0)
    return fmt::format(
        "queued: none of the {} of team {} with room {}{}",
        plural(found.mismatched + found.fair_capped, "agent", "agents"), def.id,
        c.language.empty() ? "matches" : "speaks '" + c.language + "'",
        c.skills.empty() ? std::string() : fmt::format(" with skills {}", fmt::join(c.skills, ", ")));
  if (offline + away == known)
    return fmt::format("queued: no agent of team {} is online ({} offline, {} away)", def.id, offline, away);
  return fmt::format("queued: all {} of team {} are at capacity",
                     plural(full, "online agent", "online agents"), def.id);
}

}  // namespace chatdesk::detail::support
