#include "chatdesk/support/support_desk.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "chatdesk/templates/library.hpp"
#include "language.hpp"
#include "records.hpp"
#include "routing.hpp"

namespace chatdesk {
namespace {

namespace rec = detail::support;
using rec::agent_state;
using rec::queue_key;
using rec::team_state;
using std::chrono::milliseconds;

std::int64_t ms(timestamp t) {
  return t.time_since_epoch().count();
}

struct conv_state {
  support_conversation c;
  std::optional<queue_key> queued;
  bool from_closed = false;  // its record is among the resolved ones
};

/// A timer: an SLA warning or breach, or a snooze that ends.
enum class timer_kind : std::uint8_t { warn, breach, wake };
struct timer {
  timestamp when;
  std::string business;
  conversation_key key;
  timer_kind kind = timer_kind::breach;
  sla_metric metric = sla_metric::first_response;
  friend bool operator>(const timer& a, const timer& b) { return a.when > b.when; }
};

struct business_state : rec::roster {
  std::string id;
  std::priority_queue<timer, std::vector<timer>, std::greater<>> timers;  // SLA warnings, breaches, snoozes
  timestamp told = never;  // SLA warnings and breaches told up to here (support.told)
  support_settings settings;
  std::string version;
  std::unordered_map<conversation_key, conv_state> open;
  std::map<std::string, canned_response, std::less<>> canned;
};

/// What one step changed, written and told once it commits.
struct change {
  std::vector<support_event> events;
  std::set<std::string> agents;
  std::set<std::string> teams;
  std::unordered_set<conversation_key> conversations;
  bool settings = false;
  std::set<std::string> canned;  // codes added, changed or removed
  timestamp told = never;        // tick(): warnings and breaches told up to here
  std::set<std::string> drain;   // teams whose queues may move
  std::vector<timer> timers;
  std::vector<send_intent> sends;  // out-of-office replies, after the commit
  std::vector<rec::fact> facts;    // what reports count

  [[nodiscard]] bool changed() const {
    return !events.empty() || !agents.empty() || !teams.empty() || !conversations.empty() || settings ||
           told != never || !canned.empty() || !facts.empty();
  }
};

std::string agent_who(std::string_view id) {
  return fmt::format("agent:{}", id);
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x20; });
}

std::string trimmed_lower(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '!' ||
                        s.back() == '.' || s.back() == '?'))
    s.remove_suffix(1);
  std::string out(s);
  for (auto& ch : out)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

struct support_desk::impl final : observer {
  impl(desk& dk, store& s, const chatdesk::clock& c, support_options o)
      : d(dk),
        st(s),
        clock(c),
        options(o),
        instance(fmt::format("{:016x}",
                             std::random_device{}() * 0x9E3779B97F4A7C15ULL ^ std::random_device{}())) {}

  desk& d;
  store& st;
  const chatdesk::clock& clock;
  support_options options;
  std::string instance;
  std::uint64_t version_counter = 0;
  std::uint64_t queue_seq = 0;
  std::uint64_t fact_seq = 0;

  std::recursive_mutex mu;  // the businesses' state in this process
  std::map<std::string, std::unique_ptr<business_state>, std::less<>> businesses;

  std::mutex observers_mu;
  std::vector<support_observer*> observers;

  // ---- loading ---------------------------------------------------------------------------------------

  /// Reads a business's state from the store (under its lock).
  std::unique_ptr<business_state> load(const std::string& id) {
    auto settings = st.load_record(rec::settings_kind, id);
    if (!settings) return nullptr;
    auto bs = std::make_unique<business_state>();
    bs->id = id;
    bs->settings = rec::decode_settings(*settings, fmt::format("{} of {}", rec::settings_kind, id));
    bs->version = st.load_record(rec::version_kind, id).value_or("");
    const auto prefix = rec::prefix_of(id);
    std::vector<rec::agent_record> agents;
    st.scan_records(rec::agent_kind, prefix, [&](std::string_view key, std::string_view value) {
      agents.push_back(rec::decode_agent(value, fmt::format("{} {}", rec::agent_kind, key)));
      return true;
    });
    for (auto& a : agents) {
      auto state = std::make_unique<agent_state>();
      state->rec = std::move(a);
      bs->agents.emplace(state->rec.agent.id, std::move(state));
    }
    st.scan_records(rec::canned_kind, prefix, [&](std::string_view key, std::string_view value) {
      canned_response r;
      r.code = std::string(key.substr(prefix.size()));
      r.text = std::string(value);
      bs->canned.emplace(r.code, std::move(r));
      return true;
    });
    st.scan_records(rec::team_kind, prefix, [&](std::string_view key, std::string_view value) {
      auto t = rec::decode_team(value, fmt::format("{} {}", rec::team_kind, key));
      bs->teams[t.id].def = std::move(t);
      return true;
    });
    st.scan_records(rec::open_kind, prefix, [&](std::string_view key, std::string_view value) {
      conv_state cs;
      cs.c = rec::decode_conversation(value, fmt::format("{} {}", rec::open_kind, key));
      bs->open.emplace(cs.c.key, std::move(cs));
      return true;
    });
    if (auto told = st.load_record(rec::told_kind, id)) {
      std::int64_t v = 0;
      const auto* end = told->data() + told->size();
      if (std::from_chars(told->data(), end, v).ptr != end)
        throw exception(make_error("store.corrupt", fmt::format("{} of {} is not a time", rec::told_kind, id),
                                   std::string(rec::told_kind)));
      bs->told = timestamp{milliseconds{v}};
    }
    for (auto& [key, cs] : bs->open) {
      auto& c = cs.c;
      for (auto& k : c.sla) {  // told before: not again
        if (k.running() && k.due != never && k.due <= bs->told) k.breached = true;
        if (k.warn_at != never && k.warn_at <= bs->told) {
          k.warned = true;
          k.warn_at = never;
        }
      }
      if (!c.agent.empty())
        if (auto a = bs->agents.find(c.agent); a != bs->agents.end()) ++a->second->held;
      if (c.queued_since != never && c.agent.empty() && c.with == handler::person)
        if (auto t = bs->teams.find(c.team); t != bs->teams.end()) enqueue(t->second, cs);
      schedule_all(*bs, c);
    }
    bs->reindex_all();
    return bs;
  }

  /// The business's state, read again when another instance changed it
  /// (under its lock), given the business's `version` read under that lock.
  business_state* refresh(std::string_view id, const std::optional<std::string>& version) {
    auto it = businesses.find(id);
    if (it != businesses.end() && version.value_or("") == it->second->version) return it->second.get();
    auto loaded = load(std::string(id));
    if (!loaded) {
      if (it != businesses.end()) businesses.erase(it);
      return nullptr;
    }
    auto* raw = loaded.get();
    businesses[std::string(id)] = std::move(loaded);
    return raw;
  }

  // ---- steps -----------------------------------------------------------------------------------------

  /// Runs `f(business, change)` as one step: under the store's business lock,
  /// with state read again if another instance changed it; writes what changed,
  /// commits, then tells observers and sends what the step asked for.
  template <class F>
  auto step(std::string_view business_id, F&& f, bool create = false)
      -> decltype(f(std::declval<business_state&>(), std::declval<change&>())) {
    using R = decltype(f(std::declval<business_state&>(), std::declval<change&>()));
    change ch;
    std::optional<R> out;
    // Asked of the desk before the store's lock: the desk takes its own lock, then the store's.
    const bool known = !create || d.find_business(business_id) != nullptr;
    {
      auto lock = st.lock(business_id, phone_number{}, true);
      // The step's first read, before the process's mutex: a store that
      // takes its lock with the first statement (PostgreSQL) waits for
      // another instance here, without holding up this process's other steps.
      const auto version = st.load_record(rec::version_kind, business_id);
      std::lock_guard g(mu);
      business_state* bs = nullptr;
      try {
        bs = refresh(business_id, version);
        if (bs == nullptr && create) {  // a business's first agent, team or settings
          if (!known)
            return make_error("desk.unknown_business",
                              fmt::format("the desk has no business '{}'", business_id),
                              std::string(business_id));
          auto fresh = std::make_unique<business_state>();
          fresh->id = std::string(business_id);
          bs = fresh.get();
          businesses[fresh->id] = std::move(fresh);
          ch.settings = true;
        }
        if (bs == nullptr)
          return make_error(
              "support.not_configured",
              fmt::format("live support is not configured for business '{}': call configure first",
                          business_id),
              std::string(business_id));
        out.emplace(f(*bs, ch));
        if (!*out) {  // refused; anything changed before the refusal is read again
          if (ch.changed()) businesses.erase(std::string(business_id));
          return std::move(*out);
        }
        for (const auto& t : std::set<std::string>(ch.drain)) drain(*bs, t, ch);
        if (ch.changed()) persist(*bs, ch);
        lock->commit();
      } catch (...) {
        businesses.erase(std::string(business_id));  // read again at the next step
        throw;
      }
      for (auto& t : ch.timers) bs->timers.push(std::move(t));
    }
    tell(ch.events);
    for (auto& intent : ch.sends) send_automatic(std::move(intent));
    return std::move(*out);
  }

  template <class F>
  auto guarded(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const exception& e) {
      return e.err();
    }
  }

  void persist(business_state& bs, change& ch) {
    if (ch.settings) st.save_record(rec::settings_kind, bs.id, rec::encode(bs.settings));
    for (const auto& id : ch.agents)
      if (auto a = bs.agents.find(id); a != bs.agents.end())
        st.save_record(rec::agent_kind, rec::key_of(bs.id, id), rec::encode(a->second->rec));
    for (const auto& id : ch.teams)
      if (auto t = bs.teams.find(id); t != bs.teams.end())
        st.save_record(rec::team_kind, rec::key_of(bs.id, id), rec::encode(t->second.def));
    for (const auto& key : ch.conversations) {
      const auto k = rec::key_of(bs.id, key);
      auto c = bs.open.find(key);
      if (c == bs.open.end()) continue;
      if (c->second.c.status == support_status::resolved) {  // read back to record a survey's answer
        st.save_record(rec::closed_kind, k, rec::encode(c->second.c));
        if (!c->second.from_closed) st.erase_record(rec::open_kind, k);
        bs.open.erase(c);
        continue;
      }
      st.save_record(rec::open_kind, k, rec::encode(c->second.c));
      if (c->second.from_closed) {
        st.erase_record(rec::closed_kind, k);
        c->second.from_closed = false;
      }
    }
    for (const auto& code : ch.canned) {
      const auto k = rec::key_of(bs.id, code);
      if (auto r = bs.canned.find(code); r != bs.canned.end())
        st.save_record(rec::canned_kind, k, r->second.text);
      else
        st.erase_record(rec::canned_kind, k);
    }
    for (const auto& f : ch.facts)
      st.save_record(rec::fact_kind, rec::fact_key(bs.id, f.at, fmt::format("{}.{}", instance, ++fact_seq)),
                     rec::encode(f));
    if (ch.told != never) {
      bs.told = ch.told;
      st.save_record(rec::told_kind, bs.id, std::to_string(ch.told.time_since_epoch().count()));
    }
    bs.version = fmt::format("{}:{}", instance, ++version_counter);
    st.save_record(rec::version_kind, bs.id, bs.version);
  }

  void tell(const std::vector<support_event>& events) {
    if (events.empty()) return;
    std::vector<support_observer*> list;
    {
      std::lock_guard g(observers_mu);
      list = observers;
    }
    for (const auto& e : events)
      for (auto* o : list) o->support_event(e);
  }

  void send_automatic(send_intent intent) {
    const auto key = conversation_key{intent.business_number_id, intent.customer};
    const auto business = intent.business_id;
    auto sent = d.send(std::move(intent));
    if (!sent || !sent->decision.allowed || sent->transport_error) return;
    support_event e;
    e.kind = support_event_kind::out_of_office;
    e.business_id = business;
    e.key = key;
    e.at = clock.now();
    e.who = "routing";
    e.reason = "the out-of-office reply was sent";
    tell({e});
  }

  // ---- events ----------------------------------------------------------------------------------------

  support_event event(support_event_kind kind, const support_conversation& c, std::string who,
                      std::string reason = {}) {
    support_event e;
    e.kind = kind;
    e.business_id = c.business_id;
    e.key = c.key;
    e.at = clock.now();
    e.who = std::move(who);
    e.agent = c.agent;
    e.team = c.team;
    e.status = c.status;
    e.reason = std::move(reason);
    return e;
  }

  /// Records what reports count about `c` now.
  rec::fact& note(change& ch, std::string name, const support_conversation& c, std::string agent) {
    auto& f = ch.facts.emplace_back();
    f.name = std::move(name);
    f.at = clock.now();
    f.conversation = fmt::format("{}\x1f{}", c.key.business_number_id, c.key.customer.digits());
    f.agent = std::move(agent);
    f.team = c.team;
    return f;
  }

  /// How long since `from` as the SLA counts time (business hours or
  /// calendar), and whether SLA clock `m` met its target.
  void measure(const business_state& bs, rec::fact& f, const support_conversation& c, sla_metric m,
               timestamp from) const {
    f.ms = elapsed(bs, c, from, f.at).count();
    const auto& k = c.clock_of(m);
    if (k.target.count() > 0 && k.started != never) f.met = !k.breached && k.consumed <= k.target;
  }

  // ---- routing index ---------------------------------------------------------------------------------

  void enqueue(team_state& t, conv_state& cs) {
    if (cs.queued) return;
    if (cs.c.queued_since == never) cs.c.queued_since = clock.now();
    queue_key k{-cs.c.priority, ms(cs.c.queued_since), ++queue_seq};
    t.queue.emplace(k, cs.c.key);
    cs.queued = k;
  }

  void dequeue(business_state& bs, conv_state& cs) {
    if (!cs.queued) return;
    if (auto t = bs.teams.find(cs.c.team); t != bs.teams.end()) t->second.queue.erase(*cs.queued);
    cs.queued.reset();
  }

  const business_hours& hours_of(const business_state& bs, std::string_view team_id) const {
    if (auto t = bs.teams.find(team_id); t != bs.teams.end() && t->second.def.hours)
      return *t->second.def.hours;
    return bs.settings.hours;
  }

  /// The best agent of team `t` for `cs` now, or nullptr; the reason in `why` either way.
  agent_state* pick(business_state& bs, team_state& t, const conv_state& cs, std::string& why) {
    const auto chosen = bs.choose(t, cs.c, clock.now());
    why = bs.explain(t, cs.c, chosen);
    return chosen.agent;
  }

  void take(business_state& bs, team_state& t, agent_state& a, conv_state& cs, change& ch, std::string who,
            std::string why, bool automatic) {
    const auto now = clock.now();
    dequeue(bs, cs);
    auto& c = cs.c;
    c.queued_since = never;
    c.agent = a.rec.agent.id;
    c.last_agent = c.agent;
    c.team = t.def.id;
    ++a.held;
    if (automatic) {
      a.rec.last_assigned = now;
      if (t.def.fair_limit > 0) a.rec.recent.push_back(now);
    }
    bs.reindex(a);
    ch.agents.insert(a.rec.agent.id);
    ch.conversations.insert(c.key);
    ch.events.push_back(event(support_event_kind::assigned, c, std::move(who), std::move(why)));
    note(ch, "assigned", c, c.agent);
  }

  /// Takes a conversation from its agent (their capacity frees up).
  void release(business_state& bs, conv_state& cs, change& ch) {
    auto& c = cs.c;
    if (c.agent.empty()) return;
    if (auto a = bs.agents.find(c.agent); a != bs.agents.end()) {
      if (a->second->held > 0) --a->second->held;
      bs.reindex(*a->second);
      ch.agents.insert(c.agent);
      for (const auto& tid : a->second->teams) ch.drain.insert(tid);
    }
    c.agent.clear();
  }

  /// Queues `cs` in team `team_id` and offers it to an agent.
  routing_result route(business_state& bs, conv_state& cs, const std::string& team_id, change& ch) {
    routing_result r;
    r.team = team_id;
    auto& c = cs.c;
    auto t = bs.teams.find(team_id);
    release(bs, cs, ch);
    dequeue(bs, cs);  // queued again below, by its priority now and the time it has waited
    c.team = team_id;
    c.with = handler::person;
    start_people_clocks(bs, c, ch);
    ch.conversations.insert(c.key);
    if (t == bs.teams.end()) {  // checked by callers; a team removed since waits for a new one
      r.reason = fmt::format("queued: team {} does not exist", team_id);
      return r;
    }
    enqueue(t->second, cs);
    const auto now = clock.now();
    const auto& hours = hours_of(bs, team_id);
    std::string why;
    agent_state* a = nullptr;
    if (!hours.open_at(now)) {
      const auto next = hours.next_opening(now);
      why = next ? fmt::format("queued: team {} is outside its hours; it opens {}", team_id,
                               hours.zone().format(*next))
                 : fmt::format("queued: team {} has no hours ahead", team_id);
      if (!bs.settings.out_of_office.empty() &&
          (c.out_of_office_sent == never || now - c.out_of_office_sent >= std::chrono::hours(24))) {
        c.out_of_office_sent = now;
        send_intent intent;
        intent.business_id = bs.id;
        intent.business_number_id = c.key.business_number_id;
        intent.customer = c.key.customer;
        intent.content = text_content{bs.settings.out_of_office, false};
        ch.sends.push_back(std::move(intent));
      }
    } else {
      a = pick(bs, t->second, cs, why);
    }
    if (a != nullptr) {
      take(bs, t->second, *a, cs, ch, "routing", why, true);
      r.assigned = true;
      r.agent = a->rec.agent.id;
    } else {
      ch.events.push_back(event(support_event_kind::queued, c, "routing", why));
    }
    r.reason = why;
    return r;
  }

  /// Offers team `team_id`'s queue to its agents with room, in queue order.
  void drain(business_state& bs, const std::string& team_id, change& ch) {
    auto t = bs.teams.find(team_id);
    if (t == bs.teams.end()) return;
    auto& ts = t->second;
    if (ts.queue.empty() || ts.available.empty()) return;
    if (!hours_of(bs, team_id).open_at(clock.now())) return;
    constexpr std::size_t scan_limit = 1000;  // skills routing looks this deep for a match
    for (bool moved = true; moved && !ts.queue.empty() && !ts.available.empty();) {
      moved = false;
      std::size_t looked = 0;
      for (auto it = ts.queue.begin(); it != ts.queue.end() && looked < scan_limit; ++it, ++looked) {
        auto c = bs.open.find(it->second);
        if (c == bs.open.end()) continue;
        std::string why;
        if (auto* a = pick(bs, ts, c->second, why)) {
          take(bs, ts, *a, c->second, ch, "routing", why, true);
          moved = true;
          break;
        }
        if (ts.def.policy != routing_policy::skills) break;  // the head waits for anyone: so do the rest
      }
    }
  }

  // ---- SLA clocks ------------------------------------------------------------------------------------

  milliseconds elapsed(const business_state& bs, const support_conversation& c, timestamp from,
                       timestamp to) const {
    if (bs.settings.sla.business_hours_only) return hours_of(bs, c.team).between(from, to);
    return to > from ? std::chrono::duration_cast<milliseconds>(to - from) : milliseconds{0};
  }

  timestamp after(const business_state& bs, const support_conversation& c, timestamp from,
                  milliseconds amount) const {
    if (bs.settings.sla.business_hours_only) return hours_of(bs, c.team).add(from, amount).value_or(never);
    return from + amount;
  }

  void schedule(const business_state& bs, support_conversation& c, sla_metric m, change* ch) const {
    auto& k = c.sla[static_cast<std::size_t>(m)];
    k.due = never;
    k.warn_at = never;
    if (!k.running()) return;
    const auto remaining = k.target - k.consumed;
    k.due = after(bs, c, k.running_since, std::max(remaining, milliseconds{0}));
    const auto warn_percent = bs.settings.sla.warn_percent;
    if (!k.warned && warn_percent > 0 && warn_percent < 100) {
      const auto warn_amount = k.target * warn_percent / 100 - k.consumed;
      if (warn_amount > milliseconds{0}) k.warn_at = after(bs, c, k.running_since, warn_amount);
    }
    if (ch != nullptr) {
      if (k.due != never && !k.breached) ch->timers.push_back({k.due, bs.id, c.key, timer_kind::breach, m});
      if (k.warn_at != never) ch->timers.push_back({k.warn_at, bs.id, c.key, timer_kind::warn, m});
    }
  }

  /// After a load: timers for every running clock and snooze (straight into the heap).
  static void schedule_all(business_state& bs, const support_conversation& c) {
    for (std::size_t i = 0; i < c.sla.size(); ++i) {
      const auto& k = c.sla[i];
      if (!k.running()) continue;
      if (k.due != never && !k.breached)
        bs.timers.push({k.due, bs.id, c.key, timer_kind::breach, static_cast<sla_metric>(i)});
      if (k.warn_at != never)
        bs.timers.push({k.warn_at, bs.id, c.key, timer_kind::warn, static_cast<sla_metric>(i)});
    }
    if (c.status == support_status::snoozed && c.snoozed_until != never)
      bs.timers.push({c.snoozed_until, bs.id, c.key, timer_kind::wake, sla_metric::first_response});
  }

  void start_clock(const business_state& bs, support_conversation& c, sla_metric m,
                   const std::optional<std::chrono::seconds>& target, timestamp from, change& ch) const {
    auto& k = c.sla[static_cast<std::size_t>(m)];
    k = sla_clock{};
    if (!target || target->count() <= 0) return;
    k.target = *target;
    k.started = from;
    if (c.status == support_status::open) k.running_since = from;
    schedule(bs, c, m, &ch);
  }

  void stop_clock(const business_state& bs, support_conversation& c, sla_metric m, timestamp now) const {
    auto& k = c.sla[static_cast<std::size_t>(m)];
    if (k.target.count() == 0 || k.stopped != never || k.started == never) return;
    if (k.running()) k.consumed += elapsed(bs, c, k.running_since, now);
    k.running_since = never;
    k.stopped = now;
    k.due = never;
    k.warn_at = never;
  }

  void pause_clocks(const business_state& bs, support_conversation& c, timestamp now) const {
    for (auto& k : c.sla) {
      if (!k.running()) continue;
      k.consumed += elapsed(bs, c, k.running_since, now);
      k.running_since = never;
      k.due = never;
      k.warn_at = never;
    }
  }

  void resume_clocks(const business_state& bs, support_conversation& c, timestamp now, change& ch) const {
    for (std::size_t i = 0; i < c.sla.size(); ++i) {
      auto& k = c.sla[i];
      if (k.target.count() == 0 || k.started == never || k.stopped != never || k.running()) continue;
      k.running_since = now;
      schedule(bs, c, static_cast<sla_metric>(i), &ch);
    }
  }

  void start_people_clocks(const business_state& bs, support_conversation& c, change& ch) {
    if (c.to_people != never) return;
    const auto now = clock.now();
    c.to_people = now;
    const auto& p = bs.settings.sla;
    start_clock(bs, c, sla_metric::first_response, p.first_response, now, ch);
    start_clock(bs, c, sla_metric::resolution, p.resolution, now, ch);
  }

  void set_status(business_state& bs, conv_state& cs, support_status s, std::string who, change& ch) {
    auto& c = cs.c;
    if (c.status == s) return;
    const auto now = clock.now();
    const bool was_paused = c.status != support_status::open;  // pending, snoozed or resolved
    c.status = s;
    if (s == support_status::pending || s == support_status::snoozed) pause_clocks(bs, c, now);
    if (s == support_status::open && was_paused) resume_clocks(bs, c, now, ch);
    if (s != support_status::snoozed) c.snoozed_until = never;
    ch.conversations.insert(c.key);
    ch.events.push_back(
        event(support_event_kind::status_changed, c, std::move(who), fmt::format("now {}", to_string(s))));
  }

  // ---- the desk's events -----------------------------------------------------------------------------

  void message_received(const message& m) override {
    const auto business = d.business_id_of(m.business_number_id);
    if (!business) return;
    try {
      (void)step(*business, [&](business_state& bs, change& ch) -> result<bool> {
        on_customer_message(bs, m, ch);
        return true;
      });
    } catch (const exception&) {  // NOLINT(bugprone-empty-catch): the desk applied the message; support
                                  // state is read again at its next step
    }
  }

  void window_closing(const conversation_key& key, timestamp closes_at) override {
    const auto business = d.business_id_of(key.business_number_id);
    if (!business) return;
    support_event e;
    {
      std::lock_guard g(mu);
      auto b = businesses.find(*business);
      if (b == businesses.end()) return;
      auto c = b->second->open.find(key);
      if (c == b->second->open.end() || c->second.c.agent.empty()) return;
      e = event(support_event_kind::window_closing, c->second.c, "clock",
                fmt::format("the service window closes at {}: after it only a template may be sent",
                            format_timestamp(closes_at)));
      e.due = closes_at;
    }
    tell({e});
  }

  void on_customer_message(business_state& bs, const message& m, change& ch) {
    const auto now = clock.now();
    const conversation_key key{m.business_number_id, m.customer};
    auto it = bs.open.find(key);
    bool created = false;
    if (it == bs.open.end()) {
      conv_state cs;
      if (auto closed = st.load_record(rec::closed_kind, rec::key_of(bs.id, key))) {
        cs.c = rec::decode_conversation(*closed,
                                        fmt::format("{} {}", rec::closed_kind, rec::key_of(bs.id, key)));
        cs.from_closed = true;
      } else {
        cs.c.key = key;
        cs.c.business_id = bs.id;
        cs.c.created = now;
        cs.c.with = bs.settings.bot_first ? handler::bot : handler::person;
        created = true;
      }
      it = bs.open.emplace(key, std::move(cs)).first;
    }
    auto& cs = it->second;
    auto& c = cs.c;
    ch.conversations.insert(key);
    c.last_customer = now;
    if (c.language.empty()) c.language = detail::support::guess_language(m);
    if (created) {
      ch.events.push_back(event(support_event_kind::created, c, "customer",
                                c.with == handler::bot ? "with the bot" : "with people"));
      note(ch, "created", c, {});
    }

    // A survey's answer.
    if (c.survey_sent != never && !c.csat) {
      if (auto score = detail::support::survey_score(m)) {
        c.csat = *score;
        auto e =
            event(support_event_kind::survey_answered, c, "customer", fmt::format("scored {} of 5", *score));
        e.detail = std::to_string(*score);
        ch.events.push_back(std::move(e));
        note(ch, "survey_answered", c, c.last_agent).score = *score;
        if (c.status == support_status::resolved) return;  // an answer does not reopen
      }
    }

    // Back from resolved, snoozed or pending.
    if (c.status != support_status::open) {
      const bool was_resolved = c.status == support_status::resolved;
      if (was_resolved) {
        c.resolved_at = never;
        ++c.reopened;
        resume_resolution(c);
      }
      const auto before = c.status;
      set_status(bs, cs, support_status::open, "customer", ch);
      if (before != support_status::pending) {
        ch.events.pop_back();  // told as a reopening instead
        ch.events.push_back(event(support_event_kind::reopened, c, "customer",
                                  fmt::format("the customer wrote to a {} conversation", to_string(before))));
      }
      if (was_resolved && c.with == handler::person && c.agent.empty() && !cs.queued) {
        route(bs, cs, c.team.empty() ? bs.settings.default_team : c.team, ch);
      }
    }
    // Held by an agent who is not online: back to routing rather than waiting for them.
    if (c.with == handler::person && !c.agent.empty()) {
      auto a = bs.agents.find(c.agent);
      if (a == bs.agents.end() || a->second->rec.presence != presence::online) {
        const auto gone = c.agent;
        release(bs, cs, ch);
        ch.events.push_back(
            event(support_event_kind::unassigned, c, "routing",
                  fmt::format("{} is not online: the conversation goes back to routing", gone)));
        route(bs, cs, c.team.empty() ? bs.settings.default_team : c.team, ch);
      }
    }

    // The customer's waiting time: the oldest message no person has answered.
    if (c.waiting_since == never) {
      c.waiting_since = std::min(m.at, now);
      if (c.with == handler::person && c.first_response != never) {
        start_clock(bs, c, sla_metric::next_response, bs.settings.sla.next_response, c.waiting_since, ch);
      }
    }

    // A person asked for.
    if (c.with == handler::bot && asks_for_person(bs, m)) {
      handoff_request req;
      req.reason = "the customer asked for a person";
      do_handoff(bs, cs, req, "customer", ch);
    } else if (created && c.with == handler::person) {
      route(bs, cs, bs.settings.default_team, ch);
    }
  }

  /// A reopened conversation's resolution clock carries on from where it stopped.
  static void resume_resolution(support_conversation& c) {
    auto& k = c.sla[static_cast<std::size_t>(sla_metric::resolution)];
    if (k.target.count() == 0 || k.started == never) return;
    k.stopped = never;
  }

  static bool asks_for_person(const business_state& bs, const message& m) {
    std::string said;
    if (const auto* t = std::get_if<text_content>(&m.content)) said = t->body;
    if (const auto* i = std::get_if<interactive_content>(&m.content)) said = i->reply_id;
    if (said.empty()) return false;
    const auto words = trimmed_lower(said);
    return std::any_of(bs.settings.handoff_keywords.begin(), bs.settings.handoff_keywords.end(),
                       [&](const std::string& k) { return trimmed_lower(k) == words; });
  }

  routing_result do_handoff(business_state& bs, conv_state& cs, const handoff_request& req,
                            const std::string& who, change& ch) {
    auto& c = cs.c;
    if (!req.language.empty()) c.language = req.language;
    if (!req.skills.empty()) c.skills = req.skills;
    c.priority = req.priority;
    const auto team = req.team.empty() ? bs.settings.default_team : req.team;
    const bool from_bot = c.with == handler::bot;
    if (from_bot) {
      c.with = handler::person;
      ch.events.push_back(event(support_event_kind::handed_off, c, who,
                                req.reason.empty() ? std::string("handed to people") : req.reason));
      note(ch, "handed_off", c, {}).team = team;
    }
    if (c.status != support_status::open) set_status(bs, cs, support_status::open, who, ch);
    return route(bs, cs, team, ch);
  }

  /// One step on one open support conversation: its business from its number,
  /// the conversation found, then `f(business, conversation, change)`.
  /// Store failures come back as errors.
  template <class F>
  auto on_conversation(const conversation_key& key, F&& f)
      -> decltype(f(std::declval<business_state&>(), std::declval<conv_state&>(), std::declval<change&>())) {
    using R =
        decltype(f(std::declval<business_state&>(), std::declval<conv_state&>(), std::declval<change&>()));
    return guarded([&]() -> R {
      auto business = business_of(key);
      if (!business) return business.error();
      return step(*business, [&](business_state& bs, change& ch) -> R {
        auto found = find_conversation(bs, key);
        if (!found) return found.error();
        return f(bs, **found, ch);
      });
    });
  }

  // ---- lookups under the step -------------------------------------------------------------------------

  static result<conv_state*> find_conversation(business_state& bs, const conversation_key& key) {
    auto it = bs.open.find(key);
    if (it == bs.open.end())
      return make_error("support.unknown_conversation",
                        fmt::format("no open support conversation with {} on number {}", key.customer.e164(),
                                    key.business_number_id),
                        std::string(key.customer.digits()));
    return &it->second;
  }

  static result<agent_state*> find_agent(business_state& bs, std::string_view id) {
    auto it = bs.agents.find(id);
    if (it == bs.agents.end())
      return make_error("support.unknown_agent", fmt::format("business {} has no agent '{}'", bs.id, id),
                        std::string(id));
    return it->second.get();
  }

  static result<team_state*> find_team(business_state& bs, std::string_view id) {
    auto it = bs.teams.find(id);
    if (it == bs.teams.end())
      return make_error("support.unknown_team", fmt::format("business {} has no team '{}'", bs.id, id),
                        std::string(id));
    return &it->second;
  }

  result<std::string> business_of(const conversation_key& key) const {
    auto b = d.business_id_of(key.business_number_id);
    if (!b)
      return make_error("desk.unknown_number",
                        fmt::format("no business has the number {}", key.business_number_id),
                        key.business_number_id);
    return *b;
  }
};

// ---- the facade ----------------------------------------------------------------------------------------

support_desk::support_desk(desk& d, store& st, const chatdesk::clock& clock, support_options options)
    : impl_(std::make_unique<impl>(d, st, clock, options)) {
  std::vector<std::string> ids;
  st.scan_records(rec::settings_kind, "", [&](std::string_view key, std::string_view) {
    ids.emplace_back(key);
    return true;
  });
  for (const auto& id : ids) {
    auto lock = st.lock(id, phone_number{}, true);
    const auto version = st.load_record(rec::version_kind, id);  // before the mutex, as in a step
    std::lock_guard g(impl_->mu);
    (void)impl_->refresh(id, version);
    lock->commit();
  }
  d.subscribe(impl_.get());
}

support_desk::~support_desk() {
  impl_->d.unsubscribe(impl_.get());
}

void support_desk::subscribe(support_observer* o) {
  std::lock_guard g(impl_->observers_mu);
  impl_->observers.push_back(o);
}

void support_desk::unsubscribe(support_observer* o) {
  std::lock_guard g(impl_->observers_mu);
  std::erase(impl_->observers, o);
}

result<void> support_desk::configure(std::string_view business_id, support_settings settings) {
  if (impl_->d.find_business(business_id) == nullptr)
    return make_error("desk.unknown_business", fmt::format("the desk has no business '{}'", business_id),
                      std::string(business_id));
  if (settings.sla.warn_percent > 99)
    return make_error(
        "support.invalid_settings",
        fmt::format("sla.warn_percent is {}: it must be 0 (no warnings) to 99", settings.sla.warn_percent),
        "sla.warn_percent");
  return impl_->guarded([&] {
    return impl_->step(
        business_id,
        [&](business_state& bs, change& ch) -> result<void> {
          if (!settings.default_team.empty() && !bs.teams.contains(settings.default_team))
            return make_error("support.unknown_team",
                              fmt::format("the default team '{}' does not exist: add it with put_team first",
                                          settings.default_team),
                              "default_team");
          bs.settings = std::move(settings);
          ch.settings = true;
          for (const auto& [id, t] : bs.teams) ch.drain.insert(id);
          return {};
        },
        true);
  });
}

result<void> support_desk::put_agent(std::string_view business_id, agent a) {
  if (!valid_id(a.id))
    return make_error("support.invalid_agent",
                      "an agent's id must be 1 to 128 characters without control characters", "id");
  if (a.capacity == 0)
    return make_error(
        "support.invalid_agent",
        fmt::format("agent '{}' has a capacity of 0: they could never be given a conversation", a.id),
        "capacity");
  return impl_->guarded([&] {
    return impl_->step(
        business_id,
        [&](business_state& bs, change& ch) -> result<void> {
          auto it = bs.agents.find(a.id);
          if (it == bs.agents.end()) {  // in no team yet: put_team ranks and indexes them
            auto state = std::make_unique<agent_state>();
            state->rec.agent = a;
            it = bs.agents.emplace(a.id, std::move(state)).first;
          } else {
            it->second->rec.agent = a;
            bs.reindex_all();  // capacity, skills and languages place them in the teams' lists
          }
          ch.agents.insert(a.id);
          for (const auto& t : it->second->teams) ch.drain.insert(t);
          return {};
        },
        true);
  });
}

result<void> support_desk::put_team(std::string_view business_id, team t) {
  if (!valid_id(t.id))
    return make_error("support.invalid_team",
                      "a team's id must be 1 to 128 characters without control characters", "id");
  if (t.fair_limit > 0 && t.fair_window.count() <= 0)
    return make_error(
        "support.invalid_team",
        fmt::format("team '{}' has a fair-distribution cap with a window of {} s: it must be positive", t.id,
                    t.fair_window.count()),
        "fair_window");
  return impl_->guarded([&] {
    return impl_->step(
        business_id,
        [&](business_state& bs, change& ch) -> result<void> {
          for (std::size_t i = 0; i < t.members.size(); ++i)
            if (!bs.agents.contains(t.members[i]))
              return make_error("support.unknown_agent",
                                fmt::format("team '{}' lists '{}', who is not an agent of business {}", t.id,
                                            t.members[i], bs.id),
                                fmt::format("members[{}]", i));
          auto& ts = bs.teams[t.id];
          ts.def = std::move(t);
          bs.reindex_all();
          ch.teams.insert(ts.def.id);
          ch.drain.insert(ts.def.id);
          return {};
        },
        true);
  });
}

result<void> support_desk::set_presence(std::string_view business_id, std::string_view agent_id, presence p) {
  return impl_->guarded([&] {
    return impl_->step(business_id, [&](business_state& bs, change& ch) -> result<void> {
      auto a = impl::find_agent(bs, agent_id);
      if (!a) return a.error();
      auto& as = **a;
      if (as.rec.presence == p) return {};
      as.rec.presence = p;
      bs.reindex(as);
      ch.agents.insert(as.rec.agent.id);
      support_event e;
      e.kind = support_event_kind::presence_changed;
      e.business_id = bs.id;
      e.at = impl_->clock.now();
      e.who = agent_who(as.rec.agent.id);
      e.agent = as.rec.agent.id;
      e.presence = p;
      e.reason = fmt::format("{} is {}", as.rec.agent.id, to_string(p));
      ch.events.push_back(std::move(e));
      if (p == presence::offline) {
        // Conversations waiting on this agent's reply go back to the queue.
        std::vector<conversation_key> waiting;
        for (const auto& [key, cs] : bs.open)  // rare: a scan beats an index kept on every assignment
          if (cs.c.agent == agent_id && cs.c.status == support_status::open && cs.c.waiting_since != never)
            waiting.push_back(key);
        std::sort(waiting.begin(), waiting.end(), [&](const conversation_key& x, const conversation_key& y) {
          return bs.open.at(x).c.waiting_since < bs.open.at(y).c.waiting_since;
        });
        for (const auto& key : waiting) {
          auto& cs = bs.open.at(key);
          impl_->release(bs, cs, ch);
          ch.events.push_back(
              impl_->event(support_event_kind::unassigned, cs.c, "routing",
                           fmt::format("{} went offline with the customer waiting", agent_id)));
          cs.c.queued_since = cs.c.waiting_since;  // served by how long the customer has waited
          impl_->route(bs, cs, cs.c.team.empty() ? bs.settings.default_team : cs.c.team, ch);
        }
      }
      for (const auto& t : as.teams) ch.drain.insert(t);
      return {};
    });
  });
}

result<routing_result> support_desk::handoff(const conversation_key& key, handoff_request request) {
  return impl_->on_conversation(
      key, [&](business_state& bs, conv_state& cs, change& ch) -> result<routing_result> {
        const auto team = request.team.empty() ? bs.settings.default_team : request.team;
        if (auto t = impl::find_team(bs, team); !t) return t.error();
        return impl_->do_handoff(bs, cs, request, "app", ch);
      });
}

result<void> support_desk::return_to_bot(const conversation_key& key, std::string_view reason) {
  return impl_->on_conversation(key, [&](business_state& bs, conv_state& cs, change& ch) -> result<void> {
    if (cs.c.with == handler::bot) return {};
    impl_->release(bs, cs, ch);
    impl_->dequeue(bs, cs);
    cs.c.queued_since = never;
    cs.c.with = handler::bot;
    const auto now = impl_->clock.now();
    impl_->pause_clocks(bs, cs.c, now);  // the bot's time is not the agents'

    ch.conversations.insert(key);
    ch.events.push_back(impl_->event(support_event_kind::returned_to_bot, cs.c, "app", std::string(reason)));
    return {};
  });
}

result<routing_result> support_desk::assign(const conversation_key& key, std::string_view agent_id,
                                            std::string_view by) {
  return impl_->on_conversation(
      key, [&](business_state& bs, conv_state& cs, change& ch) -> result<routing_result> {
        auto a = impl::find_agent(bs, agent_id);
        if (!a) return a.error();
        auto& as = **a;
        if (as.rec.presence == presence::offline)
          return make_error(
              "support.agent_offline",
              fmt::format("{} is offline: a conversation given to them would wait unanswered", agent_id),
              std::string(agent_id));
        routing_result r;
        if (cs.c.agent == agent_id) {
          r.assigned = true;
          r.agent = cs.c.agent;
          r.team = cs.c.team;
          r.reason = fmt::format("{} already holds it", agent_id);
          return r;
        }
        // The conversation's team if the agent is in it, else the agent's first team.
        std::string team = cs.c.team;
        const auto current = bs.teams.find(team);
        if (current == bs.teams.end() || !contains(current->second.def.members, as.rec.agent.id))
          team = as.teams.empty() ? bs.settings.default_team : as.teams.front();
        auto t = impl::find_team(bs, team);
        if (!t) return t.error();
        if (cs.c.with == handler::bot) {
          cs.c.with = handler::person;
          ch.events.push_back(
              impl_->event(support_event_kind::handed_off, cs.c, std::string(by), "assigned by hand"));
        }
        const auto previous = cs.c.agent;
        impl_->release(bs, cs, ch);
        impl_->start_people_clocks(bs, cs.c, ch);
        r.over_capacity = !as.has_room();
        r.reason = previous.empty() ? fmt::format("assigned to {} by {}", agent_id, by)
                                    : fmt::format("transferred from {} to {} by {}", previous, agent_id, by);
        if (r.over_capacity)
          r.reason += fmt::format(", beyond their capacity ({} held of {})", as.held, as.rec.agent.capacity);
        impl_->take(bs, **t, as, cs, ch, std::string(by), r.reason, false);
        r.assigned = true;
        r.agent = as.rec.agent.id;
        r.team = team;
        return r;
      });
}

result<routing_result> support_desk::transfer(const conversation_key& key, std::string_view team_id,
                                              std::string_view by) {
  return impl_->on_conversation(
      key, [&](business_state& bs, conv_state& cs, change& ch) -> result<routing_result> {
        if (auto t = impl::find_team(bs, team_id); !t) return t.error();
        if (!cs.c.agent.empty())
          ch.events.push_back(impl_->event(support_event_kind::unassigned, cs.c, std::string(by),
                                           fmt::format("transferred to team {}", team_id)));
        impl_->dequeue(bs, cs);
        cs.c.queued_since = never;
        return impl_->route(bs, cs, std::string(team_id), ch);
      });
}

result<routing_result> support_desk::unassign(const conversation_key& key, std::string_view by) {
  return impl_->on_conversation(
      key, [&](business_state& bs, conv_state& cs, change& ch) -> result<routing_result> {
        if (cs.c.agent.empty()) {
          routing_result r;
          r.team = cs.c.team;
          r.reason = "nobody holds it";
          return r;
        }
        const auto gone = cs.c.agent;
        impl_->release(bs, cs, ch);
        ch.events.push_back(impl_->event(support_event_kind::unassigned, cs.c, std::string(by),
                                         fmt::format("taken from {}", gone)));
        return impl_->route(bs, cs, cs.c.team.empty() ? bs.settings.default_team : cs.c.team, ch);
      });
}

result<reply_result> support_desk::reply(const conversation_key& key, std::string_view agent_id,
                                         chatdesk::content body) {
  return impl_->guarded([&]() -> result<reply_result> {
    auto business = impl_->business_of(key);
    if (!business) return business.error();
    // 1. May this agent answer?
    std::string language;
    auto ok = impl_->step(*business, [&](business_state& bs, change&) -> result<bool> {
      auto found = impl::find_conversation(bs, key);
      if (!found) return found.error();
      const auto& c = (*found)->c;
      if (c.agent != agent_id)
        return make_error("support.not_holder",
                          c.agent.empty()
                              ? fmt::format("{} does not hold this conversation: nobody does", agent_id)
                              : fmt::format("{} does not hold this conversation: {} does", agent_id, c.agent),
                          std::string(agent_id));
      language = c.language;
      return false;  // changes nothing
    });
    if (!ok) return ok.error();
    // 2. The desk decides and the transport carries it (outside every support lock).
    send_intent intent;
    intent.business_id = *business;
    intent.business_number_id = key.business_number_id;
    intent.customer = key.customer;
    intent.content = std::move(body);
    auto sent = impl_->d.send(std::move(intent));
    if (!sent) return sent.error();
    reply_result out;
    out.sent = *sent;
    if (!sent->decision.allowed) {
      const auto& why = *sent->decision.refusal;
      if (why.code == "policy.outside_service_window" && impl_->options.templates != nullptr)
        out.suggested_templates =
            impl_->options.templates->approved_in(*business, language.empty() ? "en" : language);
      std::vector<support_event> told;
      {
        std::lock_guard g(impl_->mu);
        auto b = impl_->businesses.find(*business);
        if (b != impl_->businesses.end())
          if (auto c = b->second->open.find(key); c != b->second->open.end()) {
            auto e = impl_->event(support_event_kind::reply_refused, c->second.c, agent_who(agent_id),
                                  why.message);
            e.detail = fmt::format("{}", fmt::join(out.suggested_templates, ","));
            told.push_back(std::move(e));
          }
      }
      impl_->tell(told);
      return out;
    }
    if (sent->transport_error) return out;
    // 3. Counted: the first response, the next response, the customer no longer waiting.
    (void)impl_->step(*business, [&](business_state& bs, change& ch) -> result<bool> {
      auto found = impl::find_conversation(bs, key);
      if (!found) return true;
      auto& c = (*found)->c;
      const auto now = impl_->clock.now();
      // A next response answers a customer waiting after the first response.
      const bool next_response = c.first_response != never && c.waiting_since != never;
      if (c.first_response == never) {
        c.first_response = now;
        impl_->stop_clock(bs, c, sla_metric::first_response, now);
        impl_->measure(bs, impl_->note(ch, "first_response", c, std::string(agent_id)), c,
                       sla_metric::first_response, c.to_people != never ? c.to_people : c.created);
      }
      auto& nrt = c.sla[static_cast<std::size_t>(sla_metric::next_response)];
      if (nrt.started != never && nrt.stopped == never) {
        impl_->stop_clock(bs, c, sla_metric::next_response, now);
        ++c.next_responses;
        c.next_response_time += nrt.consumed;
        if (nrt.consumed > nrt.target) ++c.next_responses_late;
      }
      if (next_response)
        impl_->measure(bs, impl_->note(ch, "next_response", c, std::string(agent_id)), c,
                       sla_metric::next_response, c.waiting_since);
      c.waiting_since = never;
      ch.conversations.insert(key);
      ch.events.push_back(impl_->event(support_event_kind::agent_replied, c, agent_who(agent_id),
                                       fmt::format("{} replied", agent_id)));
      return true;
    });
    return out;
  });
}

result<void> support_desk::set_pending(const conversation_key& key, std::string_view by) {
  return impl_->on_conversation(key, [&](business_state& bs, conv_state& cs, change& ch) -> result<void> {
    impl_->set_status(bs, cs, support_status::pending, std::string(by), ch);
    return {};
  });
}

result<void> support_desk::snooze(const conversation_key& key, timestamp until, std::string_view by) {
  if (until <= impl_->clock.now())
    return make_error("support.invalid_snooze",
                      fmt::format("a snooze must end in the future, not at {}", format_timestamp(until)),
                      "until");
  return impl_->on_conversation(key, [&](business_state& bs, conv_state& cs, change& ch) -> result<void> {
    impl_->set_status(bs, cs, support_status::snoozed, std::string(by), ch);
    cs.c.snoozed_until = until;
    ch.timers.push_back({until, bs.id, key, timer_kind::wake, sla_metric::first_response});
    return {};
  });
}

result<void> support_desk::reopen(const conversation_key& key, std::string_view by) {
  return impl_->on_conversation(key, [&](business_state& bs, conv_state& cs, change& ch) -> result<void> {
    impl_->set_status(bs, cs, support_status::open, std::string(by), ch);
    return {};
  });
}

result<void> support_desk::resolve(const conversation_key& key, std::string_view by) {
  return impl_->on_conversation(key, [&](business_state& bs, conv_state& cs, change& ch) -> result<void> {
    const auto now = impl_->clock.now();
    impl_->set_status(bs, cs, support_status::resolved, std::string(by), ch);
    impl_->pause_clocks(bs, cs.c, now);
    impl_->stop_clock(bs, cs.c, sla_metric::resolution, now);
    cs.c.resolved_at = now;
    cs.c.waiting_since = never;
    impl_->measure(bs, impl_->note(ch, "resolved", cs.c, cs.c.last_agent), cs.c, sla_metric::resolution,
                   cs.c.to_people != never ? cs.c.to_people : cs.c.created);
    impl_->release(bs, cs, ch);
    impl_->dequeue(bs, cs);
    cs.c.queued_since = never;
    ch.conversations.insert(key);  // persisted as resolved, then leaves the open ones
    return {};
  });
}

std::optional<support_conversation> support_desk::conversation(const conversation_key& key) {
  auto business = impl_->d.business_id_of(key.business_number_id);
  if (!business) return std::nullopt;
  std::optional<support_conversation> out;
  (void)impl_->guarded([&]() -> result<bool> {
    return impl_->step(*business, [&](business_state& bs, change&) -> result<bool> {
      if (auto c = bs.open.find(key); c != bs.open.end()) {
        out = c->second.c;
      } else if (auto closed = impl_->st.load_record(rec::closed_kind, rec::key_of(bs.id, key))) {
        out = rec::decode_conversation(*closed, "a resolved conversation");
      }
      return false;
    });
  });
  return out;
}

std::vector<support_conversation> support_desk::queue(std::string_view business_id,
                                                      std::string_view team_id) {
  std::vector<support_conversation> out;
  (void)impl_->guarded([&]() -> result<bool> {
    return impl_->step(business_id, [&](business_state& bs, change&) -> result<bool> {
      auto t = bs.teams.find(team_id);
      if (t == bs.teams.end()) return false;
      for (const auto& [k, key] : t->second.queue)
        if (auto c = bs.open.find(key); c != bs.open.end()) out.push_back(c->second.c);
      return false;
    });
  });
  return out;
}

namespace {

/// The placeholders of a canned text in order, or the position of the first malformed one.
result<std::vector<std::pair<std::size_t, std::size_t>>> placeholders(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> out;  // {start of "{{", end after "}}"}
  for (std::size_t i = text.find("{{"); i != std::string_view::npos; i = text.find("{{", i)) {
    const auto close = text.find("}}", i + 2);
    const auto name =
        close == std::string_view::npos ? std::string_view() : text.substr(i + 2, close - i - 2);
    const bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    });
    if (!ok)
      return make_error(
          "support.invalid_canned",
          fmt::format("the placeholder at character {} is not {{{{name}}}} with a-z, 0-9 and _", i + 1),
          "text");
    out.emplace_back(i, close + 2);
    i = close + 2;
  }
  return out;
}

}  // namespace

result<void> support_desk::put_canned(std::string_view business_id, canned_response r) {
  if (!valid_id(r.code) || r.code.size() > 64)
    return make_error("support.invalid_canned", "a canned response's code must be 1 to 64 characters",
                      "code");
  if (r.text.empty() || r.text.size() > 4096)
    return make_error("support.invalid_canned",
                      fmt::format("canned response '{}' must have a text of 1 to 4,096 bytes", r.code),
                      "text");
  if (auto p = placeholders(r.text); !p) return p.error();
  return impl_->guarded([&] {
    return impl_->step(
        business_id,
        [&](business_state& bs, change& ch) -> result<void> {
          ch.canned.insert(r.code);
          bs.canned[r.code] = std::move(r);
          return {};
        },
        true);
  });
}

result<std::size_t> support_desk::purge(std::string_view business_id, timestamp before) {
  return impl_->guarded([&] {
    return impl_->step(business_id, [&](business_state& bs, change&) -> result<std::size_t> {
      auto& st = impl_->st;
      std::vector<std::string> gone_facts;
      const auto last_day = rec::fact_day_prefix(bs.id, date::floor<date::days>(before));
      st.scan_records(rec::fact_kind, rec::prefix_of(bs.id),
                      [&](std::string_view key, std::string_view value) {
                        if (key.substr(0, last_day.size()) > std::string_view(last_day))
                          return false;  // a later day: done
                        if (rec::decode_fact(value, key).at < before) gone_facts.emplace_back(key);
                        return true;
                      });
      std::vector<std::string> gone_closed;
      st.scan_records(rec::closed_kind, rec::prefix_of(bs.id),
                      [&](std::string_view key, std::string_view value) {
                        const auto c = rec::decode_conversation(value, key);
                        if (c.status == support_status::resolved && c.resolved_at != never &&
                            c.resolved_at < before && bs.open.find(c.key) == bs.open.end())
                          gone_closed.emplace_back(key);
                        return true;
                      });
      for (const auto& k : gone_facts) st.erase_record(rec::fact_kind, k);
      for (const auto& k : gone_closed) st.erase_record(rec::closed_kind, k);
      return gone_facts.size() + gone_closed.size();
    });
  });
}

result<void> support_desk::remove_canned(std::string_view business_id, std::string_view code) {
  return impl_->guarded([&] {
    return impl_->step(business_id, [&](business_state& bs, change& ch) -> result<void> {
      auto it = bs.canned.find(code);
      if (it == bs.canned.end())
        return make_error("support.unknown_canned",
                          fmt::format("business {} has no canned response '{}'", bs.id, code),
                          std::string(code));
      bs.canned.erase(it);
      ch.canned.insert(std::string(code));
      return {};
    });
  });
}

std::vector<canned_response> support_desk::canned(std::string_view business_id) {
  std::vector<canned_response> out;
  (void)impl_->guarded([&]() -> result<bool> {
    return impl_->step(business_id, [&](business_state& bs, change&) -> result<bool> {
      for (const auto& [code, r] : bs.canned) out.push_back(r);
      return false;
    });
  });
  return out;
}

result<std::string> support_desk::fill_canned(const conversation_key& key, std::string_view code,
                                              const std::map<std::string, std::string, std::less<>>& values) {
  auto business = impl_->business_of(key);
  if (!business) return business.error();
  // Asked of the desk before any support lock.
  const auto* biz = impl_->d.find_business(*business);
  const auto who = impl_->d.customer(*business, key.customer);
  std::string text;
  std::string holder;
  auto found = impl_->on_conversation(key, [&](business_state& bs, conv_state& cs, change&) -> result<bool> {
    auto it = bs.canned.find(code);
    if (it == bs.canned.end())
      return make_error("support.unknown_canned",
                        fmt::format("business {} has no canned response '{}'", bs.id, code),
                        std::string(code));
    text = it->second.text;
    if (auto a = bs.agents.find(cs.c.agent); a != bs.agents.end())
      holder = a->second->rec.agent.name.empty() ? a->second->rec.agent.id : a->second->rec.agent.name;
    return false;
  });
  if (!found) return found.error();
  const auto value_of = [&](std::string_view name) -> std::optional<std::string> {
    if (auto v = values.find(name); v != values.end()) return v->second;
    if (name == "customer_name" && who && !who->profile_name.empty()) return who->profile_name;
    if (name == "agent_name" && !holder.empty()) return holder;
    if (name == "business_name" && biz != nullptr && !biz->display_name.empty()) return biz->display_name;
    return std::nullopt;
  };
  const auto spots = placeholders(text).value();
  std::string out;
  std::size_t at = 0;
  for (const auto& [start, end] : spots) {
    const auto name = std::string_view(text).substr(start + 2, end - start - 4);
    const auto v = value_of(name);
    if (!v)
      return make_error("support.missing_value",
                        fmt::format("canned response '{}' needs a value for {{{{{}}}}}", code, name),
                        std::string(name));
    out.append(text, at, start - at).append(*v);
    at = end;
  }
  out.append(text, at);
  return out;
}

result<survey_result> support_desk::send_survey(const conversation_key& key, std::string_view by) {
  return impl_->guarded([&]() -> result<survey_result> {
    auto business = impl_->business_of(key);
    if (!business) return business.error();
    const auto c = conversation(key);
    if (!c)
      return make_error("support.unknown_conversation",
                        fmt::format("no support conversation with {} on number {}", key.customer.e164(),
                                    key.business_number_id),
                        std::string(key.customer.digits()));
    support_settings settings;
    (void)impl_->step(*business, [&](business_state& bs, change&) -> result<bool> {
      settings = bs.settings;
      return false;
    });
    send_intent intent;
    intent.business_id = *business;
    intent.business_number_id = key.business_number_id;
    intent.customer = key.customer;
    survey_result out;
    if (impl_->d.window(key.business_number_id, key.customer).service_window_open) {
      interactive_content list;
      list.kind = interactive_kind::list;
      list.body = settings.survey_question;
      list.action_label = "Rate";
      for (int score = 1; score <= 5; ++score)
        list.options.push_back(
            {fmt::format("csat_{}", score),
             fmt::format("{} {}", score, std::string(static_cast<std::size_t>(score), '*')), ""});
      intent.content = std::move(list);
      out.note = "sent as a list message inside the customer service window";
    } else {
      if (settings.survey_template.empty())
        return make_error("support.no_survey_template",
                          "the customer service window is closed and the business has no survey template "
                          "(support_settings::survey_template): a free-form survey cannot be sent now",
                          "survey_template");
      std::string language = c->language.empty() ? "en" : c->language;
      if (impl_->options.templates != nullptr)
        if (auto found = impl_->options.templates->lookup(*business, settings.survey_template, language))
          language = found->definition.language;
      intent.content = template_content{settings.survey_template, language, template_category::utility};
      out.as_template = true;
      out.note = fmt::format(
          "sent as the utility template {} ({}): the platform may recategorize a survey "
          "template as marketing, which is charged at the marketing rate",
          settings.survey_template, language);
    }
    auto sent = impl_->d.send(std::move(intent));
    if (!sent) return sent.error();
    out.sent = *sent;
    if (!sent->decision.allowed || sent->transport_error) return out;
    (void)impl_->step(*business, [&](business_state& bs, change& ch) -> result<bool> {
      auto it = bs.open.find(key);
      if (it == bs.open.end()) {
        auto closed = impl_->st.load_record(rec::closed_kind, rec::key_of(bs.id, key));
        if (!closed) return false;
        conv_state cs;
        cs.c = rec::decode_conversation(*closed, "a resolved conversation");
        cs.from_closed = true;
        it = bs.open.emplace(key, std::move(cs)).first;
      }
      auto& sc = it->second.c;
      sc.survey_sent = impl_->clock.now();
      sc.csat.reset();
      ch.conversations.insert(key);
      ch.events.push_back(impl_->event(support_event_kind::survey_sent, sc, std::string(by), out.note));
      impl_->note(ch, "survey_sent", sc, sc.last_agent);
      return true;
    });
    return out;
  });
}

std::vector<support_desk::agent_view> support_desk::agents(std::string_view business_id) {
  std::vector<agent_view> out;
  (void)impl_->guarded([&]() -> result<bool> {
    return impl_->step(business_id, [&](business_state& bs, change&) -> result<bool> {
      for (const auto& [id, a] : bs.agents)
        out.push_back({a->rec.agent, a->rec.presence, a->held, a->rec.last_assigned});
      return false;
    });
  });
  return out;
}

void support_desk::tick() {
  auto& m = *impl_;
  const auto now = m.clock.now();
  std::vector<std::string> names;
  {
    std::lock_guard g(m.mu);
    for (const auto& [id, bs] : m.businesses) names.push_back(id);
  }
  for (const auto& id : names) {
    (void)m.guarded([&]() -> result<bool> {
      return m.step(id, [&](business_state& bs, change& ch) -> result<bool> {
        // Read again first (in step), so timers another instance set are here too.
        std::vector<timer> due;
        while (!bs.timers.empty() && bs.timers.top().when <= now) {
          due.push_back(bs.timers.top());
          bs.timers.pop();
        }
        for (const auto& t : due) {
          auto c = bs.open.find(t.key);
          if (c == bs.open.end()) continue;
          auto& sc = c->second.c;
          if (t.kind == timer_kind::wake) {
            if (sc.status == support_status::snoozed && sc.snoozed_until == t.when) {
              m.set_status(bs, c->second, support_status::open, "clock", ch);
              ch.events.pop_back();
              ch.events.push_back(m.event(support_event_kind::reopened, sc, "clock", "the snooze ended"));
            }
            continue;
          }
          auto& k = sc.sla[static_cast<std::size_t>(t.metric)];
          if (!k.running()) continue;
          if (t.kind == timer_kind::breach && k.due == t.when && !k.breached) {
            k.breached = true;
            auto e = m.event(support_event_kind::sla_breached, sc, "clock",
                             fmt::format("{} passed its target", to_string(t.metric)));
            e.metric = t.metric;
            e.due = k.due;
            ch.events.push_back(std::move(e));
          } else if (t.kind == timer_kind::warn && k.warn_at == t.when && !k.warned) {
            k.warned = true;
            k.warn_at = never;
            auto e = m.event(support_event_kind::sla_warning, sc, "clock",
                             fmt::format("{} is due at {}", to_string(t.metric), format_timestamp(k.due)));
            e.metric = t.metric;
            e.due = k.due;
            ch.events.push_back(std::move(e));
          }
        }
        if (!due.empty()) ch.told = now;  // one record, not one per conversation told
        for (const auto& [tid, t] : bs.teams)
          if (!t.queue.empty() && !t.available.empty()) ch.drain.insert(tid);
        return true;
      });
    });
  }
}

}  // namespace chatdesk
