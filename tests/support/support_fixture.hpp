// A desk with live support for tests: a manual clock, a store of a chosen kind,
// a transport that accepts, and an observer that writes down support events.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/support/support_desk.hpp"
#include "engine/desk_fixture.hpp"

namespace chatdesk::test {

/// Support events as lines: "assigned +39... ana: <reason>".
class support_log final : public support_observer {
 public:
  void support_event(const chatdesk::support_event& e) override {
    std::lock_guard g(mu_);
    all.push_back(e);
  }
  /// The events of one kind.
  std::vector<chatdesk::support_event> of(support_event_kind k) {
    std::lock_guard g(mu_);
    std::vector<chatdesk::support_event> out;
    for (const auto& e : all)
      if (e.kind == k) out.push_back(e);
    return out;
  }
  std::size_t count(support_event_kind k) { return of(k).size(); }
  void clear() {
    std::lock_guard g(mu_);
    all.clear();
  }
  std::vector<chatdesk::support_event> all;

 private:
  std::mutex mu_;
};

inline agent person(const char* id, std::uint32_t capacity = 3, std::vector<std::string> languages = {},
                    std::vector<std::string> skills = {}) {
  agent a;
  a.id = id;
  a.name = id;
  a.capacity = capacity;
  a.languages = std::move(languages);
  a.skills = std::move(skills);
  return a;
}

inline team crew(const char* id, std::vector<std::string> members,
                 routing_policy policy = routing_policy::round_robin) {
  team t;
  t.id = id;
  t.name = id;
  t.members = std::move(members);
  t.policy = policy;
  return t;
}

/// The n-th test customer: "+39333000000n".
inline phone_number customer_number(int n) {
  return number(fmt::format("+39333{:07}", n).c_str());
}

inline conversation_key key_of(int n) {
  return {"n1", customer_number(n)};
}

/// A desk, a support desk over the same store, and helpers.
struct support_fixture {
  manual_clock clock;
  std::unique_ptr<store> owned;
  store& st;
  test_transport wire;
  std::unique_ptr<chatdesk::desk> desk;
  std::unique_ptr<support_desk> support;
  support_log log;
  int next_id = 0;

  explicit support_fixture(timestamp start = at("2026-03-02T09:00:00Z"),
                           std::unique_ptr<store> s = std::make_unique<memory_store>(),
                           support_options o = {})
      : clock(start), owned(std::move(s)), st(*owned) {
    open(o);
  }
  /// Over a store the caller keeps (a durable one a test reopens).
  support_fixture(timestamp start, store& external) : clock(start), st(external) { open({}); }

  void open(support_options o) {
    desk = std::make_unique<chatdesk::desk>(clock, st, &wire);
    if (!desk->find_business("shop")) desk->add_business(shop()).value();
    support = std::make_unique<support_desk>(*desk, st, clock, o);
    support->subscribe(&log);
  }

  /// The message of customer `n` with platform id `id` (thread-safe: no counter).
  [[nodiscard]] message from_customer(int n, std::string id, std::string body = "hello") const {
    message m;
    m.direction = direction::inbound;
    m.id = std::move(id);
    m.business_number_id = "n1";
    m.customer = customer_number(n);
    m.at = clock.now();
    m.content = text_content{std::move(body)};
    return m;
  }

  /// The customer `n` writes `body`.
  void writes(int n, std::string body = "hello") {
    message m;
    m.direction = direction::inbound;
    m.id = fmt::format("wamid.in.{}.{}", clock.now().time_since_epoch().count(),
                       ++next_id);  // unique across restarts
    m.business_number_id = "n1";
    m.customer = customer_number(n);
    m.at = clock.now();
    m.content = text_content{std::move(body)};
    (void)desk->receive(m).value();
  }

  /// Agents and one team, and settings naming it the default.
  void staff(std::vector<agent> agents, team t, support_settings s = {}) {
    for (auto& a : agents) support->put_agent("shop", a).value();
    s.default_team = t.id;
    support->put_team("shop", std::move(t)).value();
    support->configure("shop", std::move(s)).value();
  }

  void online(const char* id) { support->set_presence("shop", id, presence::online).value(); }

  [[nodiscard]] std::string holder(int n) {
    const auto c = support->conversation(key_of(n));
    return c ? c->agent : "?";
  }
  [[nodiscard]] std::uint32_t holding(const char* id) {
    for (const auto& a : support->agents("shop"))
      if (a.agent.id == id) return a.holding;
    return 999;
  }
};

}  // namespace chatdesk::test
