#include "records.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/time_zone.hpp"

namespace chatdesk::detail::support {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

[[noreturn]] void unreadable(std::string_view where, std::string_view why) {
  throw exception(make_error("store.corrupt",
                             fmt::format("the support record {} cannot be read: {}", where, why),
                             std::string(where)));
}

json parse(std::string_view text, std::string_view where) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) unreadable(where, "not a JSON object");
  return j;
}

std::int64_t ms(timestamp t) {
  return t.time_since_epoch().count();
}
timestamp at(const json& j, const char* field) {
  const auto it = j.find(field);
  if (it == j.end() || it->is_null()) return never;
  return timestamp{milliseconds{it->get<std::int64_t>()}};
}
void put(json& j, const char* field, timestamp t) {
  if (t != never) j[field] = ms(t);
}

json encode_sla(const sla_policy& p) {
  json j;
  if (p.first_response) j["first_response"] = p.first_response->count();
  if (p.next_response) j["next_response"] = p.next_response->count();
  if (p.resolution) j["resolution"] = p.resolution->count();
  j["business_hours_only"] = p.business_hours_only;
  j["warn_percent"] = p.warn_percent;
  return j;
}
sla_policy decode_sla(const json& j) {
  sla_policy p;
  if (j.contains("first_response")) p.first_response = seconds{j.at("first_response").get<std::int64_t>()};
  if (j.contains("next_response")) p.next_response = seconds{j.at("next_response").get<std::int64_t>()};
  if (j.contains("resolution")) p.resolution = seconds{j.at("resolution").get<std::int64_t>()};
  p.business_hours_only = j.value("business_hours_only", false);
  p.warn_percent = j.value("warn_percent", 80U);
  return p;
}

business_hours decode_hours(const json& j, std::string_view where) {
  auto h = business_hours::parse(j.dump());
  if (!h) unreadable(where, h.error().message);
  return *h;
}

}  // namespace

std::string key_of(std::string_view business, std::string_view id) {
  std::string k(business);
  k.push_back('\x1f');
  k.append(id);
  return k;
}

std::string key_of(std::string_view business, const conversation_key& key) {
  std::string k = key_of(business, key.business_number_id);
  k.push_back('\x1f');
  k.append(key.customer.digits());
  return k;
}

std::string prefix_of(std::string_view business) {
  return key_of(business, "");
}

std::string fact_day_prefix(std::string_view business, date::sys_days day) {
  return key_of(business, fmt::format("{}\x1f", format_date(date::year_month_day{day})));
}

std::string fact_key(std::string_view business, timestamp at, std::string_view tail) {
  const auto day = date::floor<date::days>(at);
  const auto into = std::chrono::duration_cast<milliseconds>(at - day).count();
  return fmt::format("{}{:08}\x1f{}", fact_day_prefix(business, day), into, tail);
}

std::string encode(const support_settings& s) {
  json j;
  j["default_team"] = s.default_team;
  j["bot_first"] = s.bot_first;
  j["handoff_keywords"] = s.handoff_keywords;
  j["hours"] = json::parse(s.hours.to_json());
  j["out_of_office"] = s.out_of_office;
  j["sla"] = encode_sla(s.sla);
  j["survey_question"] = s.survey_question;
  j["survey_template"] = s.survey_template;
  return j.dump();
}

support_settings decode_settings(std::string_view text, std::string_view where) {
  const auto j = parse(text, where);
  try {
    support_settings s;
    s.default_team = j.at("default_team").get<std::string>();
    s.bot_first = j.at("bot_first").get<bool>();
    s.handoff_keywords = j.at("handoff_keywords").get<std::vector<std::string>>();
    s.hours = decode_hours(j.at("hours"), where);
    s.out_of_office = j.at("out_of_office").get<std::string>();
    s.sla = decode_sla(j.at("sla"));
    s.survey_question = j.value("survey_question", s.survey_question);
    s.survey_template = j.value("survey_template", std::string());
    return s;
  } catch (const json::exception& e) {
    unreadable(where, e.what());
  }
}

std::string encode(const agent_record& a) {
  json j;
  j["id"] = a.agent.id;
  j["name"] = a.agent.name;
  j["languages"] = a.agent.languages;
  j["skills"] = a.agent.skills;
  j["capacity"] = a.agent.capacity;
  j["presence"] = std::string(to_string(a.presence));
  put(j, "last_assigned", a.last_assigned);
  auto& recent = j["recent"] = json::array();
  for (const auto t : a.recent) recent.push_back(ms(t));
  return j.dump();
}

agent_record decode_agent(std::string_view text, std::string_view where) {
  const auto j = parse(text, where);
  try {
    agent_record a;
    a.agent.id = j.at("id").get<std::string>();
    a.agent.name = j.at("name").get<std::string>();
    a.agent.languages = j.at("languages").get<std::vector<std::string>>();
    a.agent.skills = j.at("skills").get<std::vector<std::string>>();
    a.agent.capacity = j.at("capacity").get<std::uint32_t>();
    const auto p = parse_presence(j.at("presence").get<std::string>());
    if (!p) unreadable(where, "an unknown presence");
    a.presence = *p;
    a.last_assigned = at(j, "last_assigned");
    for (const auto& t : j.at("recent")) a.recent.push_back(timestamp{milliseconds{t.get<std::int64_t>()}});
    return a;
  } catch (const json::exception& e) {
    unreadable(where, e.what());
  }
}

std::string encode(const team& t) {
  json j;
  j["id"] = t.id;
  j["name"] = t.name;
  j["members"] = t.members;
  j["policy"] = std::string(to_string(t.policy));
  j["fair_limit"] = t.fair_limit;
  j["fair_window"] = t.fair_window.count();
  if (t.hours) j["hours"] = json::parse(t.hours->to_json());
  return j.dump();
}

team decode_team(std::string_view text, std::string_view where) {
  const auto j = parse(text, where);
  try {
    team t;
    t.id = j.at("id").get<std::string>();
    t.name = j.at("name").get<std::string>();
    t.members = j.at("members").get<std::vector<std::string>>();
    const auto p = parse_routing_policy(j.at("policy").get<std::string>());
    if (!p) unreadable(where, "an unknown routing policy");
    t.policy = *p;
    t.fair_limit = j.at("fair_limit").get<std::uint32_t>();
    t.fair_window = seconds{j.at("fair_window").get<std::int64_t>()};
    if (j.contains("hours")) t.hours = decode_hours(j.at("hours"), where);
    return t;
  } catch (const json::exception& e) {
    unreadable(where, e.what());
  }
}

std::string encode(const support_conversation& c) {
  json j;
  j["number"] = c.key.business_number_id;
  j["customer"] = std::string(c.key.customer.digits());
  j["business"] = c.business_id;
  j["status"] = static_cast<int>(c.status);
  j["with"] = static_cast<int>(c.with);
  j["team"] = c.team;
  j["agent"] = c.agent;
  j["last_agent"] = c.last_agent;
  j["priority"] = c.priority;
  j["language"] = c.language;
  j["skills"] = c.skills;
  put(j, "created", c.created);
  put(j, "to_people", c.to_people);
  put(j, "queued_since", c.queued_since);
  put(j, "snoozed_until", c.snoozed_until);
  put(j, "resolved_at", c.resolved_at);
  put(j, "first_response", c.first_response);
  put(j, "waiting_since", c.waiting_since);
  put(j, "last_customer", c.last_customer);
  put(j, "out_of_office_sent", c.out_of_office_sent);
  put(j, "survey_sent", c.survey_sent);
  if (c.csat) j["csat"] = *c.csat;
  j["reopened"] = c.reopened;
  j["next_responses"] = c.next_responses;
  j["next_responses_late"] = c.next_responses_late;
  j["next_response_time"] = c.next_response_time.count();
  auto& clocks = j["sla"] = json::array();
  for (const auto& k : c.sla) {
    json x;
    x["target"] = k.target.count();
    x["consumed"] = k.consumed.count();
    put(x, "running_since", k.running_since);
    put(x, "started", k.started);
    put(x, "due", k.due);
    put(x, "warn_at", k.warn_at);
    put(x, "stopped", k.stopped);
    x["warned"] = k.warned;
    x["breached"] = k.breached;
    clocks.push_back(std::move(x));
  }
  return j.dump();
}

support_conversation decode_conversation(std::string_view text, std::string_view where) {
  const auto j = parse(text, where);
  try {
    support_conversation c;
    c.key.business_number_id = j.at("number").get<std::string>();
    auto customer = phone_number::parse("+" + j.at("customer").get<std::string>());
    if (!customer) unreadable(where, customer.error().message);
    c.key.customer = *customer;
    c.business_id = j.at("business").get<std::string>();
    const auto status = j.at("status").get<int>();
    const auto with = j.at("with").get<int>();
    if (status < 0 || status > 3 || with < 0 || with > 1) unreadable(where, "an unknown status");
    c.status = static_cast<support_status>(status);
    c.with = static_cast<handler>(with);
    c.team = j.at("team").get<std::string>();
    c.agent = j.at("agent").get<std::string>();
    c.last_agent = j.value("last_agent", std::string());
    c.priority = j.at("priority").get<int>();
    c.language = j.at("language").get<std::string>();
    c.skills = j.at("skills").get<std::vector<std::string>>();
    c.created = at(j, "created");
    c.to_people = at(j, "to_people");
    c.queued_since = at(j, "queued_since");
    c.snoozed_until = at(j, "snoozed_until");
    c.resolved_at = at(j, "resolved_at");
    c.first_response = at(j, "first_response");
    c.waiting_since = at(j, "waiting_since");
    c.last_customer = at(j, "last_customer");
    c.out_of_office_sent = at(j, "out_of_office_sent");
    c.survey_sent = at(j, "survey_sent");
    if (j.contains("csat")) c.csat = j.at("csat").get<int>();
    c.reopened = j.at("reopened").get<std::uint32_t>();
    c.next_responses = j.at("next_responses").get<std::uint32_t>();
    c.next_responses_late = j.at("next_responses_late").get<std::uint32_t>();
    c.next_response_time = milliseconds{j.at("next_response_time").get<std::int64_t>()};
    const auto& clocks = j.at("sla");
    if (!clocks.is_array() || clocks.size() != c.sla.size()) unreadable(where, "not three SLA clocks");
    for (std::size_t i = 0; i < c.sla.size(); ++i) {
      const auto& x = clocks[i];
      auto& k = c.sla[i];
      k.target = milliseconds{x.at("target").get<std::int64_t>()};
      k.consumed = milliseconds{x.at("consumed").get<std::int64_t>()};
      k.running_since = at(x, "running_since");
      k.started = at(x, "started");
      k.due = at(x, "due");
      k.warn_at = at(x, "warn_at");
      k.stopped = at(x, "stopped");
      k.warned = x.at("warned").get<bool>();
      k.breached = x.at("breached").get<bool>();
    }
    return c;
  } catch (const json::exception& e) {
    unreadable(where, e.what());
  }
}

std::string encode(const fact& f) {
  json j;
  j["fact"] = f.name;
  j["at"] = ms(f.at);
  j["conversation"] = f.conversation;
  if (!f.agent.empty()) j["agent"] = f.agent;
  if (!f.team.empty()) j["team"] = f.team;
  if (f.ms) j["ms"] = *f.ms;
  if (f.met) j["met"] = *f.met;
  if (f.score) j["score"] = *f.score;
  return j.dump();
}

fact decode_fact(std::string_view text, std::string_view where) {
  const auto j = parse(text, where);
  try {
    fact f;
    f.name = j.at("fact").get<std::string>();
    f.at = timestamp{milliseconds{j.at("at").get<std::int64_t>()}};
    f.conversation = j.at("conversation").get<std::string>();
    f.agent = j.value("agent", std::string());
    f.team = j.value("team", std::string());
    if (j.contains("ms")) f.ms = j.at("ms").get<std::int64_t>();
    if (j.contains("met")) f.met = j.at("met").get<bool>();
    if (j.contains("score")) f.score = j.at("score").get<int>();
    return f;
  } catch (const json::exception& e) {
    unreadable(where, e.what());
  }
}

}  // namespace chatdesk::detail::support
