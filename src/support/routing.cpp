#include "routing.hpp"

#include <algorithm>

#include <absl/container/inlined_vector.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace chatdesk::detail::support {
namespace {

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

/// A profile's key: sorted skills, then sorted languages.
std::string profile_key(const std::vector<std::string>& skills, const std::vector<std::string>& languages) {
  return fmt::format("{}\x1e{}", fmt::join(skills, "\x1f"), fmt::join(languages, "\x1f"));
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

/// Every index of team `t` the agent belongs in.
template <class Op>
void each_index(team_state& t, const agent_state& a, Op op) {
  op(t.available);
  if (t.def.policy != routing_policy::skills) return;
  auto skills = sorted(a.rec.agent.skills);
  auto languages = sorted(a.rec.agent.languages);
  auto& group = t.profiles[profile_key(skills, languages)];
  if (group.skills.empty() && group.languages.empty()) {
    group.skills = std::move(skills);
    group.languages = std::move(languages);
  }
  op(group.agents);
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
    t.profiles.clear();
    t.matching.clear();
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

const std::vector<const profile_group*>& team_state::matching_profiles(
    const std::string& language, const std::vector<std::string>& skills) {
  auto& kind = scratch;  // no allocation once it has grown
  kind.assign(language);
  kind.push_back('\x1e');
  for (const auto& s : skills) {
    kind.append(s);
    kind.push_back('\x1f');
  }
  if (auto found = matching.find(kind); found != matching.end()) return found->second;
  if (matching.size() >= 4096) matching.clear();  // kinds come from callers: keep the cache bounded
  std::vector<const profile_group*> out;
  for (const auto& entry : profiles) {
    const auto& g = entry.second;
    const bool speaks = language.empty() || g.languages.empty() ||
                        std::binary_search(g.languages.begin(), g.languages.end(), language);
    const bool able = std::all_of(skills.begin(), skills.end(), [&](const std::string& s) {
      return std::binary_search(g.skills.begin(), g.skills.end(), s);
    });
    if (speaks && able) out.push_back(&g);
  }
  return matching.emplace(kind, std::move(out)).first->second;
}

choice roster::choose(team_state& t, const support_conversation& c, timestamp now) const {
  choice out;
  const auto& def = t.def;
  const auto fair = [&](agent_state& a) {
    if (def.fair_limit == 0) return true;
    auto& recent = a.rec.recent;
    while (!recent.empty() && recent.front() <= now - def.fair_window) recent.pop_front();
    if (recent.size() < def.fair_limit) return true;
    ++out.fair_capped;
    return false;
  };
  if (def.policy != routing_policy::skills || (c.language.empty() && c.skills.empty())) {
    for (const auto& [key, a] : t.available)
      if (fair(*a)) {
        out.agent = a;
        return out;
      }
    return out;
  }
  // Skills: the best of the heads of the matching profiles, merged in key order
  // (past an agent at the fair-distribution cap).
  using range = std::pair<candidates::const_iterator, candidates::const_iterator>;
  absl::InlinedVector<range, 8> heads;
  for (const auto* g : t.matching_profiles(c.language, c.skills))
    if (!g->agents.empty()) heads.emplace_back(g->agents.begin(), g->agents.end());
  while (!heads.empty()) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < heads.size(); ++k)
      if (heads[k].first->first < heads[best].first->first) best = k;
    agent_state* a = heads[best].first->second;
    if (++heads[best].first == heads[best].second)
      heads.erase(heads.begin() + static_cast<std::ptrdiff_t>(best));
    if (fair(*a)) {
      out.agent = a;
      return out;
    }
  }
  out.mismatched = t.available.size() - out.fair_capped;  // the rest did not match
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
  if (found.mismatched > 0 && found.fair_capped > 0)
    return fmt::format(
        "queued: of the {} of team {} with room, {} reached the fair-distribution cap of {} per {} s and {} "
        "{}{}",
        plural(found.mismatched + found.fair_capped, "agent", "agents"), def.id, found.fair_capped,
        def.fair_limit, def.fair_window.count(), found.mismatched,
        c.language.empty()
            ? std::string(found.mismatched == 1 ? "does not match" : "do not match")
            : fmt::format("{} not speak '{}'", found.mismatched == 1 ? "does" : "do", c.language),
        c.skills.empty() ? std::string() : fmt::format(" with skills {}", fmt::join(c.skills, ", ")));
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
