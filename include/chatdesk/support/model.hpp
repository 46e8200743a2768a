/// @file
/// Live support's values: agents, teams, a business's support settings, SLA
/// policies, support conversations with their clocks, and the events that
/// tell who did what and when. No rules here: they are in `support_desk`.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/conversation.hpp"
#include "chatdesk/model/windows.hpp"
#include "chatdesk/support/business_hours.hpp"
namespace chatdesk {
/// Whether an agent takes conversations.
enum class presence : std::uint8_t {
  offline,  ///< gone: their unanswered conversations go back to the queue
  away,     ///< keeps what they hold, takes nothing new
  online,   ///< takes conversations up to their capacity
};
[[nodiscard]] CHATDESK_API std::string_view to_string(presence p) noexcept;
[[nodiscard]] CHATDESK_API std::optional<presence> parse_presence(std::string_view text) noexcept;
/// A person who answers customers.
struct CHATDESK_API agent {
  std::string id;    ///< unique within the business
  std::string name;  ///< as customers and colleagues see it
  /// Languages spoken ("it", "en"); a conversation in another language is not
  /// routed to them by a team that matches languages.
  std::vector<std::string> languages;
  std::vector<std::string> skills;  ///< "billing", "returns" ...
  /// Conversations held at once (open, pending or snoozed) that automatic
  /// routing never exceeds; a manual assignment may, and says so.
  std::uint32_t capacity = 5;
  friend bool operator==(const agent&, const agent&) = default;
};
/// How a team offers its waiting conversations to its agents.
enum class routing_policy : std::uint8_t {
  round_robin,  ///< online agents with room, the least recently assigned first
  balanced,     ///< the fewest conversations held; ties to the longest since their last assignment
  skills,       ///< as balanced, among agents with the conversation's skills and language
};
[[nodiscard]] CHATDESK_API std::string_view to_string(routing_policy p) noexcept;
[[nodiscard]] CHATDESK_API std::optional<routing_policy> parse_routing_policy(std::string_view text) noexcept;
/// A queue of conversations and the agents who take them.
struct CHATDESK_API team {
  std::string id;
  std::string name;
  std::vector<std::string> members;  ///< agent ids, in the order they joined (round robin's tie-break)
  routing_policy policy = routing_policy::round_robin;
  /// Fair distribution: at most this many automatic assignments per agent
  /// within `fair_window` (0: no cap).
  std::uint32_t fair_limit = 0;
  std::chrono::seconds fair_window{3600};
  /// The team's own hours; none: the business's.
  std::optional<business_hours> hours;
  friend bool operator==(const team&, const team&) = default;
};
/// What a business promises its customers: targets for the first response,
/// each next response and the resolution (none: no target).
struct CHATDESK_API sla_policy {
  std::optional<std::chrono::seconds> first_response;
  std::optional<std::chrono::seconds> next_response;
  std::optional<std::chrono::seconds> resolution;
  /// Count only time inside business hours (the team's, else the business's).
  bool business_hours_only = false;
  /// Warn observers when this share of a target has passed (1-99; 0: no warnings).
  std::uint32_t warn_percent = 80;
  friend bool operator==(const sla_policy&, const sla_policy&) = default;
};
/// A business's live-support settings.
struct CHATDESK_API support_settings {
  /// The team a conversation that needs a person goes to, unless the caller names one.
  std::string default_team;
  /// New conversations start with the application's bot; a person takes over
  /// on `handoff` (or a keyword). Off: every new conversation is routed to people.
  bool bot_first = false;
  /// Words that, as a whole message (case and accents as typed, surrounding
  /// spaces ignored), ask for a person; also an interactive reply with this id.
  std::vector<std::string> handoff_keywords{"agent", "human", "operator", "operatore", "persona"};
  /// When people answer (default: always).
  business_hours hours;
  /// A reply sent when a conversation is queued outside hours (at most once a
  /// day per conversation); empty: none. Sent through the desk's policies.
  std::string out_of_office;
  sla_policy sla;
  /// The satisfaction survey inside the service window: a list message with
  /// this question and five rows, "csat_1" to "csat_5".
  std::string survey_question = "How would you rate our help today?";
  /// The survey outside the window: an approved utility template with
  /// quick-reply buttons whose payloads are "csat_1" to "csat_5"; empty: none.
  std::string survey_template;
  friend bool operator==(const support_settings&, const support_settings&) = default;
};
/// Where a support conversation stands.
enum class support_status : std::uint8_t {
  open,      ///< someone (bot or person) owes the customer an answer
  pending,   ///< waiting on the customer; SLA clocks paused
  snoozed,   ///< set aside until a time; SLA clocks paused
  resolved,  ///< done; the customer's next message reopens it
};
[[nodiscard]] CHATDESK_API std::string_view to_string(support_status s) noexcept;
/// Who a conversation is with.
enum class handler : std::uint8_t {
  bot,     ///< the application's bot
  person,  ///< people: an agent, or a team's queue while it waits
};
/// The three SLA measures.
enum class sla_metric : std::uint8_t {
  first_response,  ///< from going to people to the first agent reply
  next_response,   ///< from the oldest customer message not yet answered by a person to the next agent reply
  resolution,      ///< from going to people to resolved
};
[[nodiscard]] CHATDESK_API std::string_view to_string(sla_metric m) noexcept;
/// One SLA clock of a conversation.
struct CHATDESK_API sla_clock {
  std::chrono::milliseconds target{0};    ///< 0: no target for this measure
  std::chrono::milliseconds consumed{0};  ///< counted time before `running_since`
  timestamp running_since = never;        ///< when it last started or resumed; never: stopped or paused
  timestamp started = never;              ///< when the measure began (for reports)
  timestamp due = never;                  ///< when running: when it breaches
  timestamp warn_at = never;              ///< when running and not yet warned: when it warns
  timestamp stopped = never;              ///< when met (the reply, the resolution)
  bool warned = false;
  bool breached = false;
  [[nodiscard]] bool running() const noexcept { return running_since != never; }
  friend bool operator==(const sla_clock&, const sla_clock&) = default;
};
/// A conversation as live support sees it.
struct CHATDESK_API support_conversation {
  conversation_key key;
  std::string business_id;
  support_status status = support_status::open;
  chatdesk::handler with = handler::bot;
  std::string team;        ///< the team whose queue or agent has it (empty with the bot)
  std::string agent;       ///< the agent holding it; empty while queued
  std::string last_agent;  ///< the agent who held it last (kept after it is resolved, for reports)
  int priority = 0;        ///< higher first in the queue
  std::string language;
  std::vector<std::string> skills;  ///< needed to answer it (skills routing)
  timestamp created = never;        ///< the customer's first message
  timestamp to_people = never;      ///< when it first went to people (SLA start)
  timestamp queued_since = never;   ///< when waiting in a queue; never when not
  timestamp snoozed_until = never;
  timestamp resolved_at = never;
  timestamp first_response = never;  ///< the first agent reply
  timestamp waiting_since = never;   ///< the oldest customer message no person has answered
  timestamp last_customer = never;
  timestamp out_of_office_sent = never;
  timestamp survey_sent = never;
  std::optional<int> csat;  ///< the survey's answer, 1-5
  std::uint32_t reopened = 0;
  /// Next responses measured (each customer message an agent answered after
  /// the first response), how many were late, and their total time.
  std::uint32_t next_responses = 0;
  std::uint32_t next_responses_late = 0;
  std::chrono::milliseconds next_response_time{0};
  std::array<sla_clock, 3> sla{};  ///< by `sla_metric`
  [[nodiscard]] const sla_clock& clock_of(sla_metric m) const { return sla[static_cast<std::size_t>(m)]; }
  friend bool operator==(const support_conversation&, const support_conversation&) = default;
};
/// A saved reply an agent inserts by its code ("refund", typed as /refund).
/// Placeholders in double braces: {{customer_name}}, {{agent_name}},
/// {{business_name}}, and any the caller fills ({{order_id}}).
struct CHATDESK_API canned_response {
  std::string code;
  std::string text;
  friend bool operator==(const canned_response&, const canned_response&) = default;
};
/// What happened in live support.
enum class support_event_kind : std::uint8_t {
  created,           ///< a new support conversation (with the bot or people)
  queued,            ///< waiting in a team's queue; `reason` says why no agent took it
  assigned,          ///< an agent took it (`reason`: why this agent)
  unassigned,        ///< no agent holds it any more (back to the queue or the bot)
  handed_off,        ///< from the bot to people
  returned_to_bot,   ///< from people to the bot
  status_changed,    ///< open, pending, snoozed, resolved (`status`)
  reopened,          ///< a customer message reopened a resolved or snoozed conversation
  agent_replied,     ///< an agent's reply the desk allowed and the transport accepted
  reply_refused,     ///< an agent's reply the desk refused (`reason`; suggested templates in `detail`)
  out_of_office,     ///< the out-of-office reply was sent
  sla_warning,       ///< `metric` has used its warning share; due at `due`
  sla_breached,      ///< `metric` passed its target at `due`
  window_closing,    ///< the service window of a conversation `agent` holds closes at `due`
  presence_changed,  ///< `agent` is now `presence`
  survey_sent,       ///< the satisfaction survey went out
  survey_answered,   ///< the customer answered it (`detail`: the score)
};
[[nodiscard]] CHATDESK_API std::string_view to_string(support_event_kind k) noexcept;
/// One event, with who and when.
struct CHATDESK_API support_event {
  support_event_kind kind = support_event_kind::created;
  std::string business_id;
  conversation_key key;  ///< empty for presence changes
  timestamp at{};
  std::string who;  ///< "customer", "bot", "agent:<id>", "app", "routing", "clock"
  std::string agent;
  std::string team;
  support_status status = support_status::open;
  chatdesk::presence presence = presence::offline;
  sla_metric metric = sla_metric::first_response;
  timestamp due = never;
  std::string reason;  ///< a sentence for a person
  std::string detail;  ///< kind-specific: a score, template names
};
}  // namespace chatdesk
