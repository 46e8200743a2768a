#include "chatdesk/support/script.hpp"

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/phone_number.hpp"

namespace chatdesk {
namespace {

using json = nlohmann::ordered_json;

/// A support line that cannot be read or applied: thrown inside this file only.
struct line_error {
  error problem;
};

[[noreturn]] void fail(std::string_view code, std::string message, std::string where = {}) {
  throw line_error{make_error(code, std::move(message), std::move(where))};
}

template <class T>
T unwrap(result<T> r) {
  if (!r) throw line_error{std::move(r.error())};
  return std::move(*r);
}
inline void unwrap(const result<void>& r) {
  if (!r) throw line_error{r.error()};
}

constexpr std::array<std::string_view, 15> support_types{
    "support",       "agent", "team",    "presence", "handoff", "assign",  "transfer", "unassign",
    "return_to_bot", "reply", "pending", "snooze",   "reopen",  "resolve", "survey"};

bool is_support_type(std::string_view type) {
  for (const auto t : support_types)
    if (t == type) return true;
  return false;
}

bool untimed(std::string_view type) {
  return type == "support" || type == "agent" || type == "team";
}

std::optional<std::string> text(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    fail("simulate.field", fmt::format("'{}' must be a string, not {}", name, it->type_name()), name);
  return it->get<std::string>();
}

std::string need(const json& j, const char* name) {
  auto v = text(j, name);
  if (!v || v->empty()) fail("simulate.field", fmt::format("'{}' is required", name), name);
  return *v;
}

std::optional<std::vector<std::string>> strings(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) fail("simulate.field", fmt::format("'{}' must be a list of strings", name), name);
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) fail("simulate.field", fmt::format("'{}' must be a list of strings", name), name);
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<std::int64_t> integer(const json& j, const char* name, std::int64_t low, std::int64_t high) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<std::int64_t>() < low || it->get<std::int64_t>() > high)
    fail("simulate.field", fmt::format("'{}' must be a whole number from {} to {}", name, low, high), name);
  return it->get<std::int64_t>();
}

std::optional<bool> boolean(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) fail("simulate.field", fmt::format("'{}' must be true or false", name), name);
  return it->get<bool>();
}

timestamp time_field(const json& j, const char* name) {
  auto t = parse_timestamp(need(j, name));
  if (!t) fail(t.error().code, t.error().message, name);
  return *t;
}

business_hours hours_field(const json& j, const char* name) {
  const auto& v = j.at(name);
  if (!v.is_object())
    fail("simulate.field", fmt::format("'{}' must be an object of business hours", name), name);
  auto h = business_hours::parse(v.dump());
  if (!h) fail(h.error().code, h.error().message, fmt::format("{}.{}", name, h.error().where));
  return *h;
}

constexpr std::int64_t a_year = 366LL * 24 * 3600;

}  // namespace

struct support_replay::impl final : support_observer {
  impl(sink o, store* state, desk_options options)
      : engine(state == nullptr ? std::make_unique<script_replay>(std::move(o), std::move(options))
                                : std::make_unique<script_replay>(std::move(o), *state, std::move(options))),
        support(engine->replay_desk(), engine->replay_store(), engine->replay_clock()) {
    support.subscribe(this);
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl() override { support.unsubscribe(this); }

  std::unique_ptr<script_replay> engine;
  support_desk support;
  std::vector<chatdesk::support_event> heard;

  void support_event(const chatdesk::support_event& e) override { heard.push_back(e); }

  /// Prints the support events heard, as lines of script line `number`.
  void flush(std::size_t number) {
    auto events = std::move(heard);
    heard.clear();
    for (const auto& e : events) {
      json j;
      j["line"] = number;
      j["at"] = format_timestamp(e.at);
      j["event"] = fmt::format("support.{}", to_string(e.kind));
      j["business"] = e.business_id;
      if (!e.key.business_number_id.empty()) j["customer"] = e.key.customer.e164();
      j["who"] = e.who;
      if (!e.agent.empty()) j["agent"] = e.agent;
      if (!e.team.empty()) j["team"] = e.team;
      if (e.kind == support_event_kind::status_changed) j["status"] = std::string(to_string(e.status));
      if (e.kind == support_event_kind::presence_changed) j["presence"] = std::string(to_string(e.presence));
      if (e.kind == support_event_kind::sla_warning || e.kind == support_event_kind::sla_breached)
        j["metric"] = std::string(to_string(e.metric));
      if (e.due != never) j["due"] = format_timestamp(e.due);
      if (!e.reason.empty()) j["reason"] = e.reason;
      if (!e.detail.empty()) j["detail"] = e.detail;
      engine->print(j);
    }
  }

  /// Moves time to `at` for line `number`: the desk and the support desk tick.
  void advance(timestamp at, std::size_t number) {
    unwrap(engine->advance(at, number));
    support.tick();
    flush(number);
  }

  conversation_key key(const json& j, const std::string& business) const {
    auto customer = phone_number::parse(need(j, "customer"));
    if (!customer) fail(customer.error().code, customer.error().message, "customer");
    return {unwrap(engine->number_of(business)), *customer};
  }

  std::string by(const json& j) { return text(j, "by").value_or("app"); }

  void run(const std::string& type, const json& j) {
    const auto business = need(j, "business");
    if (type == "agent") {
      agent a;
      a.id = need(j, "agent");
      a.name = text(j, "name").value_or(a.id);
      a.languages = strings(j, "languages").value_or(std::vector<std::string>{});
      a.skills = strings(j, "skills").value_or(std::vector<std::string>{});
      a.capacity = static_cast<std::uint32_t>(integer(j, "capacity", 0, 100000).value_or(a.capacity));
      (void)unwrap(engine->number_of(business));
      unwrap(support.put_agent(business, std::move(a)));
    } else if (type == "team") {
      team t;
      t.id = need(j, "team");
      t.name = text(j, "name").value_or(t.id);
      t.members = strings(j, "members").value_or(std::vector<std::string>{});
      if (auto p = text(j, "policy")) {
        auto policy = parse_routing_policy(*p);
        if (!policy)
          fail("simulate.field",
               fmt::format("'policy' must be round_robin, balanced or skills, not '{}'", *p), "policy");
        t.policy = *policy;
      }
      t.fair_limit = static_cast<std::uint32_t>(integer(j, "fair_limit", 0, 100000).value_or(0));
      t.fair_window = std::chrono::seconds{integer(j, "fair_window", 1, a_year).value_or(3600)};
      if (j.contains("hours")) t.hours = hours_field(j, "hours");
      (void)unwrap(engine->number_of(business));
      unwrap(support.put_team(business, std::move(t)));
    } else if (type == "support") {
      support_settings s;
      s.default_team = need(j, "default_team");
      s.bot_first = boolean(j, "bot_first").value_or(false);
      if (auto k = strings(j, "handoff_keywords")) s.handoff_keywords = std::move(*k);
      if (j.contains("hours")) s.hours = hours_field(j, "hours");
      s.out_of_office = text(j, "out_of_office").value_or("");
      if (auto q = text(j, "survey_question")) s.survey_question = *q;
      s.survey_template = text(j, "survey_template").value_or("");
      if (auto it = j.find("sla"); it != j.end()) {
        if (!it->is_object()) fail("simulate.field", "'sla' must be an object", "sla");
        const auto target = [&](const char* name) -> std::optional<std::chrono::seconds> {
          if (auto v = integer(*it, name, 1, a_year)) return std::chrono::seconds{*v};
          return std::nullopt;
        };
        s.sla.first_response = target("first_response");
        s.sla.next_response = target("next_response");
        s.sla.resolution = target("resolution");
        s.sla.business_hours_only = boolean(*it, "business_hours_only").value_or(false);
        s.sla.warn_percent = static_cast<std::uint32_t>(integer(*it, "warn_percent", 0, 99).value_or(80));
      }
      (void)unwrap(engine->number_of(business));
      unwrap(support.configure(business, std::move(s)));
    } else if (type == "presence") {
      const auto p = need(j, "presence");
      auto parsed = parse_presence(p);
      if (!parsed)
        fail("simulate.field", fmt::format("'presence' must be online, away or offline, not '{}'", p),
             "presence");
      unwrap(support.set_presence(business, need(j, "agent"), *parsed));
    } else if (type == "handoff") {
      handoff_request r;
      r.team = text(j, "team").value_or("");
      r.reason = text(j, "reason").value_or("");
      r.language = text(j, "language").value_or("");
      r.skills = strings(j, "skills").value_or(std::vector<std::string>{});
      r.priority = static_cast<int>(integer(j, "priority", -1000, 1000).value_or(0));
      (void)unwrap(support.handoff(key(j, business), std::move(r)));
    } else if (type == "assign") {
      (void)unwrap(support.assign(key(j, business), need(j, "agent"), by(j)));
    } else if (type == "transfer") {
      (void)unwrap(support.transfer(key(j, business), need(j, "team"), by(j)));
    } else if (type == "unassign") {
      (void)unwrap(support.unassign(key(j, business), by(j)));
    } else if (type == "return_to_bot") {
      unwrap(support.return_to_bot(key(j, business), text(j, "reason").value_or("")));
    } else if (type == "reply") {
      (void)unwrap(support.reply(key(j, business), need(j, "agent"), text_content{need(j, "text"), false}));
    } else if (type == "pending") {
      unwrap(support.set_pending(key(j, business), by(j)));
    } else if (type == "snooze") {
      unwrap(support.snooze(key(j, business), time_field(j, "until"), by(j)));
    } else if (type == "reopen") {
      unwrap(support.reopen(key(j, business), by(j)));
    } else if (type == "resolve") {
      unwrap(support.resolve(key(j, business), by(j)));
    } else if (type == "survey") {
      const auto r = unwrap(support.send_survey(key(j, business), by(j)));
      if (!r.sent.decision.allowed) {
        json o;
        o["line"] = nullptr;
        o["event"] = "support.survey_refused";
        o["customer"] = need(j, "customer");
        o["code"] = r.sent.decision.refusal->code;
        o["reason"] = r.sent.decision.refusal->message;
        refused = std::move(o);
      }
    }
  }

  std::optional<json> refused;  // a survey the desk refused, printed after the line's events

  result<void> apply_line(std::string_view line, std::size_t number) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return {};
    json j;
    if (json_nesting_depth(line) <= max_json_depth) j = json::parse(line, nullptr, false);
    const auto type = j.is_object() ? j.find("type") : j.end();
    if (!j.is_object() || type == j.end() || !type->is_string() ||
        !is_support_type(type->get_ref<const std::string&>())) {
      // The engine's line: time moves for the support desk too.
      auto e = parse_script_event(line);
      if (!e) return engine->reject_line(number, e.error());
      try {
        if (const auto when = time_of(*e)) advance(*when, number);
      } catch (const line_error& bad) {
        flush(number);
        return engine->reject_line(number, bad.problem);
      }
      auto r = engine->apply(*e, number);
      flush(number);
      return r;
    }
    const auto& name = type->get_ref<const std::string&>();
    try {
      if (!untimed(name)) advance(time_field(j, "at"), number);
      run(name, j);
    } catch (const line_error& bad) {
      heard.clear();  // a refused step told nothing
      return engine->reject_line(number, bad.problem);
    }
    flush(number);
    if (refused) {
      (*refused)["line"] = number;
      engine->print(*refused);
      refused.reset();
    }
    return {};
  }
};

support_replay::support_replay(sink out, desk_options options)
    : impl_(std::make_unique<impl>(std::move(out), nullptr, std::move(options))) {}

support_replay::support_replay(sink out, store& state, desk_options options)
    : impl_(std::make_unique<impl>(std::move(out), &state, std::move(options))) {}

support_replay::~support_replay() = default;

result<void> support_replay::apply_line(std::string_view line, std::size_t number) {
  return impl_->apply_line(line, number);
}

result<void> support_replay::reject_line(std::size_t number, const error& why) {
  return impl_->engine->reject_line(number, why);
}

std::size_t support_replay::problems() const noexcept {
  return impl_->engine->problems();
}

script_replay& support_replay::engine() noexcept {
  return *impl_->engine;
}

support_desk& support_replay::support() noexcept {
  return impl_->support;
}

}  // namespace chatdesk
