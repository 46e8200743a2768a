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

std::string pair_key(std::string_view skill, std::string_view language) {
  std::string k(skill);
  k.push_back('\x1f');
  k.append(language);
  return k;
}

const candidates& index_of(const std::map<std::string, candidates, std::less<>>& map, std::string_view key) {
  static const candidates none;
  const auto found = map.find(key);
  return found == map.end() ? none : found->second;
}

/// Adds (or takes away) `entry` in every index of team `t` the agent belongs in.
template <class Op>
void each_index(team_state& t, const agent_state& a, Op op) {
  op(t.available);
  if (t.def.policy != routing_policy::skills) return;
  const auto& who = a.rec.agent;
  for (const auto& s : who.skills) {
    op(t.by_skill[s]);
    if (who.languages.empty()) op(t.by_skill_any_language[s]);
    for (const auto& l : who.languages) op(t.by_skill_language[pair_key(s, l)]);
  }
  if (who.languages.empty()) op(t.any_language);
  for (const auto& l : who.languages) op(t.by_language[l]);
}

}  // namespace

void roster::unindex(agent_state& a) {
  if (!a.indexed) return;
  for (auto& slot : a.slots) {
    const auto key = slot.by_load ? a.indexed_load : a.indexed_rr;
    for (auto* list : slot.lists) list->erase(key);
  }
  a.indexed = false;
}

void roster::reindex(agent_state& a) {
  unindex(a);
  if (a.rec.presence != presence::online || !a.has_room()) return;
  a.indexed_rr = a.key(false);
  a.indexed_load = a.key(true);
  for (auto& slot : a.slots) {
    const auto key = slot.by_load ? a.indexed_load : a.indexed_rr;
    for (auto* list : slot.lists) list->emplace(key, &a);
  }
  a.indexed = true;
}

void roster::reindex_all() {
  for (auto& [id, t] : teams) {
    t.available.clear();
    t.by_skill.clear();
    t.by_skill_language.clear();
    t.by_skill_any_language.clear();
    t.by_language.clear();
    t.any_language.clear();
  }
  std::uint32_t order = 0;
  for (auto& [id, a] : agents) {  // in id order: the same in every instance
    a->teams.clear();
    a->slots.clear();
    a->indexed = false;
    a->order = order++;
  }
  for (auto& [tid, t] : teams)
    for (const auto& m : t.def.members)
      if (auto a = agents.find(m); a != agents.end()) {
        a->second->teams.push_back(tid);
        agent_slot slot;
        slot.by_load = t.by_load();
        each_index(t, *a->second, [&](candidates& c) { slot.lists.push_back(&c); });
        a->second->slots.push_back(std::move(slot));
      }
  for (auto& [id, a] : agents) reindex(*a);
}

choice roster::choose(team_state& t, const support_conversation& c, timestamp now) const {
  choice out;
  const auto& def = t.def;
  // Skills teams look only among the agents with the rarest skill asked for,
  // or who speak the language: the others would be passed over one by one.
  const candidates* pool = &t.available;
  const candidates* also = nullptr;  // agents of any language, merged in order
  if (def.policy == routing_policy::skills && !c.skills.empty()) {
    std::size_t best = 0;
    bool first = true;
    for (const auto& s : c.skills) {
      const auto* list = c.language.empty() ? &index_of(t.by_skill, s)
                                            : &index_of(t.by_skill_language, pair_key(s, c.language));
      const auto* any = c.language.empty() ? nullptr : &index_of(t.by_skill_any_language, s);
      const auto size = list->size() + (any != nullptr ? any->size() : 0);
      if (first || size < best) {
        pool = list;
        also = any;
        best = size;
        first = false;
      }
    }
  } else if (def.policy == routing_policy::skills && !c.language.empty()) {
    pool = &index_of(t.by_language, c.language);
    also = &t.any_language;
  }
  auto i = pool->begin();
  auto j = also != nullptr ? also->begin() : pool->end();
  const auto j_end = also != nullptr ? also->end() : pool->end();
  while (i != pool->end() || (also != nullptr && j != j_end)) {
    const bool from_pool = also == nullptr || j == j_end || (i != pool->end() && i->first < j->first);
    const auto& entry = from_pool ? *i++ : *j++;
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
  if (pool != &t.available) out.mismatched = t.available.size() - out.fair_capped;  // the rest did not match
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
                           who, a->held, a->rec.agent.capacity, plural(n, "online agent", "online agents"),
                           def.id);
      case routing_policy::skills:
        return fmt::format(
            "assigned to {}: {}{}, holds {} of {}, the fewest among those who match in team {}", who,
            c.language.empty() ? "any language" : "speaks " + c.language,
            c.skills.empty() ? std::string() : fmt::format(" and has {}", fmt::join(c.skills, ", ")), a->held,
            a->rec.agent.capacity, def.id);
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
  if (full == 1) return fmt::format("queued: the one online agent of team {} is at capacity", def.id);
  return fmt::format("queued: all {} online agents of team {} are at capacity", full, def.id);
}

}  // namespace chatdesk::detail::support
