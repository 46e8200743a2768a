/// @file
/// Live support over a desk: who answers a customer (the bot, a team's queue,
/// an agent), by when (SLA clocks in calendar or business time), and what
/// happened (events with who and when). State lives in the desk's store as
/// records, so several instances over one durable store agree on who holds what.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/desk.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/support/model.hpp"
namespace chatdesk {
class template_library;
/// Hears live support's events. Called after the step that caused them, on
/// the thread that ran it; may call back into the support desk.
class CHATDESK_API support_observer {
 public:
  support_observer() = default;
  support_observer(const support_observer&) = delete;
  support_observer& operator=(const support_observer&) = delete;
  virtual ~support_observer() = default;
  virtual void support_event(const chatdesk::support_event& e) = 0;
};
/// Settings of a support desk.
struct CHATDESK_API support_options {
  /// Where reply refusals outside the service window find templates to
  /// suggest (approved ones in the customer's language); none: no suggestions.
  const template_library* templates = nullptr;
};
/// What routing did with a conversation, and why.
struct CHATDESK_API routing_result {
  bool assigned = false;
  std::string agent;  ///< when assigned
  std::string team;
  /// One sentence: "assigned to ana: the least recently assigned of 2 online
  /// agents with room in team billing", "queued: all 3 agents of team billing
  /// are at capacity".
  std::string reason;
  bool over_capacity = false;  ///< a manual assignment beyond the agent's capacity
};
/// What the caller asks of a hand-off to people.
struct CHATDESK_API handoff_request {
  std::string team;      ///< empty: the business's default team
  std::string reason;    ///< why, for the record ("asked for a person")
  std::string language;  ///< empty: as known
  std::vector<std::string> skills;
  int priority = 0;
};
/// What an agent's reply did.
struct CHATDESK_API reply_result {
  send_result sent;
  /// When the desk refused it because the service window is closed: the
  /// business's approved templates in the customer's language to send instead.
  std::vector<std::string> suggested_templates;
};
/// What `send_survey` did.
struct CHATDESK_API survey_result {
  send_result sent;
  bool as_template = false;  ///< outside the window: sent as the survey template
  /// For the person who asked: how it went out and what to know, such as
  /// "sent as the utility template csat_request: the platform may recategorize
  /// a survey template as marketing, which is charged at the marketing rate".
  std::string note;
};
/// Live support for the businesses of one desk. Thread-safe. Subscribe it
/// before the desk receives messages; it hears them as the desk's observer.
class CHATDESK_API support_desk {
 public:
  /// Over `d` and its store `st` (the same one the desk uses), with time from
  /// `clock`. Loads what the store holds (agents, teams, open conversations)
  /// and subscribes to the desk. Throws `chatdesk::exception` (`store.*`)
  /// when the store fails while loading.
  support_desk(desk& d, store& st, const chatdesk::clock& clock, support_options options = {});
  ~support_desk();
  support_desk(const support_desk&) = delete;
  support_desk& operator=(const support_desk&) = delete;

  /// Turns live support on for a business, or changes its settings. Errors:
  /// `desk.unknown_business`, `support.unknown_team` (the default team).
  result<void> configure(std::string_view business_id, support_settings settings);
  /// Adds or replaces an agent (presence is kept). Errors: `support.invalid_agent`.
  result<void> put_agent(std::string_view business_id, agent a);
  /// Adds or replaces a team. Errors: `support.invalid_team`,
  /// `support.unknown_agent` (a member).
  result<void> put_team(std::string_view business_id, team t);
  /// Sets an agent's presence. Online: the team queues are offered to them
  /// at once. Offline: conversations they hold that wait on an agent's reply go
  /// back to the queue. Error `support.unknown_agent`.
  result<void> set_presence(std::string_view business_id, std::string_view agent_id, presence p);

  /// Gives a conversation to people: queued in a team and offered to an agent.
  /// Errors: `support.unknown_conversation`, `support.unknown_team`.
  result<routing_result> handoff(const conversation_key& key, handoff_request request);
  /// Gives a conversation back to the bot. Error `support.unknown_conversation`.
  result<void> return_to_bot(const conversation_key& key, std::string_view reason);
  /// Assigns (or transfers) a conversation to an agent by hand, `by` naming
  /// who did it. May exceed capacity (the result says so). Errors:
  /// `support.unknown_conversation`, `support.unknown_agent`, `support.agent_offline`.
  result<routing_result> assign(const conversation_key& key, std::string_view agent_id, std::string_view by);
  /// Moves a conversation to another team's queue and routes it there.
  result<routing_result> transfer(const conversation_key& key, std::string_view team_id, std::string_view by);
  /// Takes a conversation from its agent back to the team's queue (not routed
  /// again until an agent frees up or comes online... or at once if one has room).
  result<routing_result> unassign(const conversation_key& key, std::string_view by);

  /// An agent's reply through the desk. Counts for the SLA only when the desk
  /// allowed it and the transport accepted it. Errors: `support.not_holder`
  /// (another agent, or nobody, holds the conversation), the desk's.
  result<reply_result> reply(const conversation_key& key, std::string_view agent_id, chatdesk::content body);
  /// Adds or replaces a canned response. Errors: `support.invalid_canned`
  /// (an empty or overlong code, an empty text, a placeholder that is not
  /// `{{name}}` with a-z, 0-9 and _).
  result<void> put_canned(std::string_view business_id, canned_response r);
  /// Removes one; error `support.unknown_canned`.
  result<void> remove_canned(std::string_view business_id, std::string_view code);
  /// The business's canned responses, by code.
  [[nodiscard]] std::vector<canned_response> canned(std::string_view business_id);
  /// The text of canned response `code` for a conversation, its placeholders
  /// filled: customer_name (the profile name), agent_name (the holder),
  /// business_name, then `values`. Errors: `support.unknown_canned`,
  /// `support.missing_value` naming the placeholder left without a value.
  result<std::string> fill_canned(const conversation_key& key, std::string_view code,
                                  const std::map<std::string, std::string, std::less<>>& values = {});
  /// Sends the satisfaction survey for a conversation: inside the service
  /// window a list message (free), outside it the settings' survey template.
  /// The customer's answer is recorded (`csat`) and told (`survey_answered`).
  /// Errors: `support.no_survey_template` (outside the window without one),
  /// the desk's refusals.
  result<survey_result> send_survey(const conversation_key& key, std::string_view by);

  /// Marks the conversation pending (waiting on the customer).
  result<void> set_pending(const conversation_key& key, std::string_view by);
  /// Snoozes it until `until` (then it reopens by itself, from `tick()`).
  result<void> snooze(const conversation_key& key, timestamp until, std::string_view by);
  /// Resolves it; the agent's capacity frees up and the queue moves.
  result<void> resolve(const conversation_key& key, std::string_view by);
  /// Opens a pending or snoozed conversation again.
  result<void> reopen(const conversation_key& key, std::string_view by);

  /// The conversation as support sees it.
  [[nodiscard]] std::optional<support_conversation> conversation(const conversation_key& key);
  /// The conversations waiting in a team's queue, in the order they will be offered.
  [[nodiscard]] std::vector<support_conversation> queue(std::string_view business_id,
                                                        std::string_view team_id);
  /// The agents of a business with their presence and the conversations they hold.
  struct agent_view {
    chatdesk::agent agent;
    chatdesk::presence presence = presence::offline;
    std::uint32_t holding = 0;
    timestamp last_assigned = never;
  };
  [[nodiscard]] std::vector<agent_view> agents(std::string_view business_id);

  /// Forgets, for one business, what is older than `before`: the facts
  /// reports read (a report over those days then counts nothing) and the
  /// conversations resolved before it (a customer who writes again starts a
  /// new one). One step; returns how many records went. Error
  /// `support.not_configured`, `store.*`.
  result<std::size_t> purge(std::string_view business_id, timestamp before);

  /// Announces SLA warnings and breaches now due, reopens snoozed
  /// conversations whose time came, and offers queues whose hours opened.
  void tick();
  void subscribe(support_observer* o);
  void unsubscribe(support_observer* o);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};
}  // namespace chatdesk
