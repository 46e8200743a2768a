#include "chatdesk/support/model.hpp"

namespace chatdesk {

std::string_view to_string(presence p) noexcept {
  switch (p) {
    case presence::offline:
      return "offline";
    case presence::away:
      return "away";
    case presence::online:
      return "online";
  }
  return "offline";
}

std::optional<presence> parse_presence(std::string_view text) noexcept {
  for (auto p : {presence::offline, presence::away, presence::online})
    if (to_string(p) == text) return p;
  return std::nullopt;
}

std::string_view to_string(routing_policy p) noexcept {
  switch (p) {
    case routing_policy::round_robin:
      return "round_robin";
    case routing_policy::balanced:
      return "balanced";
    case routing_policy::skills:
      return "skills";
  }
  return "round_robin";
}

std::optional<routing_policy> parse_routing_policy(std::string_view text) noexcept {
  for (auto p : {routing_policy::round_robin, routing_policy::balanced, routing_policy::skills})
    if (to_string(p) == text) return p;
  return std::nullopt;
}

std::string_view to_string(support_status s) noexcept {
  switch (s) {
    case support_status::open:
      return "open";
    case support_status::pending:
      return "pending";
    case support_status::snoozed:
      return "snoozed";
    case support_status::resolved:
      return "resolved";
  }
  return "open";
}

std::string_view to_string(sla_metric m) noexcept {
  switch (m) {
    case sla_metric::first_response:
      return "first_response";
    case sla_metric::next_response:
      return "next_response";
    case sla_metric::resolution:
      return "resolution";
  }
  return "first_response";
}

std::string_view to_string(support_event_kind k) noexcept {
  switch (k) {
    case support_event_kind::created:
      return "created";
    case support_event_kind::queued:
      return "queued";
    case support_event_kind::assigned:
      return "assigned";
    case support_event_kind::unassigned:
      return "unassigned";
    case support_event_kind::handed_off:
      return "handed_off";
    case support_event_kind::returned_to_bot:
      return "returned_to_bot";
    case support_event_kind::status_changed:
      return "status_changed";
    case support_event_kind::reopened:
      return "reopened";
    case support_event_kind::agent_replied:
      return "agent_replied";
    case support_event_kind::reply_refused:
      return "reply_refused";
    case support_event_kind::out_of_office:
      return "out_of_office";
    case support_event_kind::sla_warning:
      return "sla_warning";
    case support_event_kind::sla_breached:
      return "sla_breached";
    case support_event_kind::window_closing:
      return "window_closing";
    case support_event_kind::presence_changed:
      return "presence_changed";
    case support_event_kind::survey_sent:
      return "survey_sent";
    case support_event_kind::survey_answered:
      return "survey_answered";
  }
  return "created";
}

}  // namespace chatdesk
