#include "chatdesk/support/report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "../core/csv.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "records.hpp"

namespace chatdesk {
namespace rec = detail::support;
using std::chrono::milliseconds;

duration_summary duration_summary::of(std::vector<milliseconds> values) {
  duration_summary s;
  s.count = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const auto rank = [&](std::size_t percent) {  // nearest rank: ceil(p/100 x n), 1-based
    const auto r = (percent * values.size() + 99) / 100;
    return values[std::max<std::size_t>(r, 1) - 1];
  };
  s.median = rank(50);
  s.p90 = rank(90);
  milliseconds total{0};
  for (const auto v : values) total += v;
  s.mean = total / static_cast<std::int64_t>(values.size());
  return s;
}

std::optional<double> sla_summary::hit_rate() const noexcept {
  if (met + missed == 0) return std::nullopt;
  return static_cast<double>(met) / static_cast<double>(met + missed);
}

std::optional<double> csat_summary::average() const noexcept {
  if (answered == 0) return std::nullopt;
  return static_cast<double>(score_total) / static_cast<double>(answered);
}

std::optional<double> csat_summary::response_rate() const noexcept {
  if (sent == 0) return std::nullopt;
  return static_cast<double>(answered) / static_cast<double>(sent);
}

namespace {

/// What one scope (the business, a team, an agent) gathers before it is summed up.
struct gathered {
  report_figures figures;
  std::set<std::string> conversations;
  std::array<std::vector<milliseconds>, 3> times;  // by sla_metric

  void measure(const rec::fact& f, sla_metric m) {
    const auto i = static_cast<std::size_t>(m);
    if (f.ms) times[i].emplace_back(*f.ms);
    if (f.met) {
      auto& s = figures.sla[i];
      (*f.met ? s.met : s.missed) += 1;
    }
  }

  /// Counts `f`; `scope_conversations` is the fact whose conversations this scope counts.
  void add(const rec::fact& f, std::string_view scope_conversations) {
    if (f.name == scope_conversations) conversations.insert(f.conversation);
    if (f.name == "handed_off") {
      ++figures.handed_off;
    } else if (f.name == "assigned") {
      ++figures.assignments;
    } else if (f.name == "first_response") {
      measure(f, sla_metric::first_response);
    } else if (f.name == "next_response") {
      measure(f, sla_metric::next_response);
    } else if (f.name == "resolved") {
      ++figures.resolved;
      measure(f, sla_metric::resolution);
    } else if (f.name == "survey_sent") {
      ++figures.csat.sent;
    } else if (f.name == "survey_answered" && f.score) {
      ++figures.csat.answered;
      figures.csat.score_total += *f.score;
    }
  }

  report_figures finish(std::string id) {
    figures.id = std::move(id);
    figures.conversations = conversations.size();
    figures.first_response = duration_summary::of(std::move(times[0]));
    figures.next_response = duration_summary::of(std::move(times[1]));
    figures.resolution = duration_summary::of(std::move(times[2]));
    for (const auto& s : figures.sla) {
      figures.sla_total.met += s.met;
      figures.sla_total.missed += s.missed;
    }
    return std::move(figures);
  }
};

nlohmann::ordered_json seconds(const std::optional<milliseconds>& v) {
  if (!v) return nullptr;
  return static_cast<double>(v->count()) / 1000.0;
}

nlohmann::ordered_json rounded(const std::optional<double>& v, double scale) {
  if (!v) return nullptr;
  return std::round(*v * scale) / scale;
}

nlohmann::ordered_json to_json(const duration_summary& d) {
  return {{"count", d.count},
          {"median_s", seconds(d.median)},
          {"p90_s", seconds(d.p90)},
          {"mean_s", seconds(d.mean)}};
}

nlohmann::ordered_json to_json(const sla_summary& s) {
  return {{"met", s.met}, {"missed", s.missed}, {"hit_rate", rounded(s.hit_rate(), 1e4)}};
}

nlohmann::ordered_json to_json(const report_figures& f) {
  nlohmann::ordered_json j;
  if (!f.id.empty()) j["id"] = f.id;
  j["conversations"] = f.conversations;
  j["handed_off"] = f.handed_off;
  j["assignments"] = f.assignments;
  j["resolved"] = f.resolved;
  j["first_response"] = to_json(f.first_response);
  j["next_response"] = to_json(f.next_response);
  j["resolution"] = to_json(f.resolution);
  auto& sla = j["sla"];
  for (std::size_t i = 0; i < f.sla.size(); ++i)
    sla[std::string(to_string(static_cast<sla_metric>(i)))] = to_json(f.sla[i]);
  sla["total"] = to_json(f.sla_total);
  j["csat"] = {{"sent", f.csat.sent},
               {"answered", f.csat.answered},
               {"average", rounded(f.csat.average(), 100)},
               {"response_rate", rounded(f.csat.response_rate(), 1e4)}};
  return j;
}

using detail::csv_cell;

std::string csv_number(const nlohmann::ordered_json& v) {
  return v.is_null() ? std::string() : v.dump();
}

}  // namespace

result<support_report> make_support_report(store& st, std::string_view business_id,
                                           date::year_month_day first, date::year_month_day last) {
  if (auto days = check_report_days({first, last}, "support.invalid_period"); !days) return days.error();
  support_report r;
  r.business_id = std::string(business_id);
  r.first = first;
  r.last = last;
  std::vector<rec::fact> facts;
  try {
    const auto lock = st.lock(business_id, phone_number{}, true);  // one consistent read; never committed
    const auto settings_text = st.load_record(rec::settings_kind, business_id);
    if (!settings_text)
      return make_error("support.not_configured",
                        fmt::format("live support is not configured for business '{}'", business_id),
                        std::string(business_id));
    const auto settings =
        rec::decode_settings(*settings_text, fmt::format("{} {}", rec::settings_kind, business_id));
    const auto& zone = settings.hours.zone();
    r.time_zone = std::string(zone.name());
    r.business_hours_only = settings.sla.business_hours_only;
    std::tie(r.from, r.to) = report_period({first, last}, zone);
    const auto utc_last = date::floor<date::days>(r.to - milliseconds{1});
    for (auto day = date::floor<date::days>(r.from); day <= utc_last; day += date::days{1}) {
      st.scan_records(rec::fact_kind, rec::fact_day_prefix(business_id, day),
                      [&](std::string_view key, std::string_view value) {
                        auto f = rec::decode_fact(value, key);
                        if (f.at >= r.from && f.at < r.to) facts.push_back(std::move(f));
                        return true;
                      });
    }
  } catch (const exception& e) {
    return e.err();
  }
  gathered whole;
  std::map<std::string, gathered, std::less<>> teams;
  std::map<std::string, gathered, std::less<>> agents;
  for (const auto& f : facts) {
    whole.add(f, "created");
    if (!f.team.empty()) teams[f.team].add(f, "assigned");
    if (!f.agent.empty()) agents[f.agent].add(f, "assigned");
  }
  r.business = whole.finish({});
  for (auto& [id, g] : teams) r.teams.push_back(g.finish(id));
  for (auto& [id, g] : agents) r.agents.push_back(g.finish(id));
  return r;
}

result<support_report> make_support_report(store& st, std::string_view business_id, std::string_view first,
                                           std::string_view last) {
  const auto days = parse_report_days(first, last, "support.invalid_period");
  if (!days) return days.error();
  return make_support_report(st, business_id, days->first, days->last);
}

nlohmann::ordered_json to_json(const support_report& r) {
  nlohmann::ordered_json j;
  j["business"] = r.business_id;
  j["time_zone"] = r.time_zone;
  j["from"] = format_date(r.first);
  j["to"] = format_date(r.last);
  j["start"] = format_timestamp(r.from);
  j["end"] = format_timestamp(r.to);
  j["measured_in"] = r.business_hours_only ? "business_hours" : "calendar";
  j["totals"] = to_json(r.business);
  auto& teams = j["teams"] = nlohmann::ordered_json::array();
  for (const auto& t : r.teams) teams.push_back(to_json(t));
  auto& agents = j["agents"] = nlohmann::ordered_json::array();
  for (const auto& a : r.agents) agents.push_back(to_json(a));
  return j;
}

std::string to_csv(const support_report& r) {
  std::string out =
      "scope,id,conversations,handed_off,assignments,resolved,first_response_median_s,first_response_p90_s,"
      "next_response_median_s,next_response_p90_s,resolution_median_s,resolution_p90_s,sla_met,sla_missed,"
      "sla_hit_rate,csat_sent,csat_answered,csat_average,csat_response_rate\r\n";
  const auto line = [&out](std::string_view scope, const report_figures& f, std::string_view id) {
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n", scope, csv_cell(id), f.conversations,
        f.handed_off, f.assignments, f.resolved, csv_number(seconds(f.first_response.median)),
        csv_number(seconds(f.first_response.p90)), csv_number(seconds(f.next_response.median)),
        csv_number(seconds(f.next_response.p90)), csv_number(seconds(f.resolution.median)),
        csv_number(seconds(f.resolution.p90)), f.sla_total.met, f.sla_total.missed,
        csv_number(rounded(f.sla_total.hit_rate(), 1e4)), f.csat.sent, f.csat.answered,
        csv_number(rounded(f.csat.average(), 100)), csv_number(rounded(f.csat.response_rate(), 1e4)));
  };
  line("business", r.business, r.business_id);
  for (const auto& t : r.teams) line("team", t, t.id);
  for (const auto& a : r.agents) line("agent", a, a.id);
  return out;
}

}  // namespace chatdesk
