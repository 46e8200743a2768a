/// @file
/// Handlers over the feed: what an application writes every day. Register
/// what to do with customers' messages (by type, text, button, sender...),
/// statuses, template and account updates, CRM agent messages and errors;
/// the dispatcher applies each webhook batch through a `webhook_feed` (so the
/// desk's state and de-duplication come first) and calls the handlers for
/// the events the feed applied, never for a redelivery.
///
///     dispatcher bot(feed, desk);
///     bot.on_message(filters::text_is("hi", match_case::ignore),
///                    [](message_context& m) { (void)m.reply("Hello!"); });
///     bot.on_message(filters::media(media_kind::image) && !filters::from(vip),
///                    [](message_context& m) { (void)m.react("👍"); });
///     bot.on_status(filters::status_is(message_status::failed),
///                   [](status_context& s) { log(s.event().errors); });
///     auto report = bot.dispatch(batch);
///
/// A handler's replies go through the desk, so every policy applies (a
/// free-form reply outside the service window is refused with its reason)
/// and the transport delivers what is allowed.
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/engine/desk.hpp"
#include "chatdesk/feed/webhook_feed.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace chatdesk {

/// A customer's message as a handler sees it, with ways to answer it.
class CHATDESK_API message_context {
 public:
  message_context(chatdesk::desk& d, const webhook_message& event, const chatdesk::message& message,
                  std::string business_id, std::size_t index);

  /// The decoded event (metadata, sender as received, profile name, platform type).
  [[nodiscard]] const webhook_message& event() const noexcept { return *event_; }
  /// The message, with its customer filled in (a CRM user mapped to their number).
  [[nodiscard]] const chatdesk::message& message() const noexcept { return *message_; }
  [[nodiscard]] const phone_number& customer() const noexcept { return message_->customer; }
  /// The business that owns the number the message reached.
  [[nodiscard]] const std::string& business_id() const noexcept { return business_id_; }
  [[nodiscard]] const std::string& business_number_id() const noexcept {
    return message_->business_number_id;
  }
  /// The customer's name as their profile shows it, when the webhook gave it.
  [[nodiscard]] const std::string& profile_name() const noexcept { return event_->profile_name; }
  /// The words of the message: a text's body, the title of the button or
  /// list row chosen, a media's caption, an order's note; else empty.
  [[nodiscard]] std::string_view text() const noexcept;
  /// The id a reply carries: a quick-reply button's payload, or the id of
  /// the reply button or list row chosen; else empty.
  [[nodiscard]] std::string_view reply_id() const noexcept;
  /// The event's position in its batch.
  [[nodiscard]] std::size_t index() const noexcept { return index_; }
  [[nodiscard]] chatdesk::desk& desk() const noexcept { return *desk_; }

  /// Answers with a text (quoting the customer's message with `quote`).
  result<send_result> reply(std::string text, bool quote = false);
  /// Answers with any content the platform lets a business send.
  result<send_result> reply(content c, bool quote = false);
  /// Answers with a template (the only thing allowed once the window closed).
  result<send_result> reply_template(template_content t);
  /// Reacts to the customer's message; an empty emoji removes the reaction.
  result<send_result> react(std::string emoji);
  /// Marks the message read; with `typing`, also shows a typing indicator.
  result<void> mark_read(bool typing = false);

  /// Lets the next matching handler run after this one (by default the first
  /// matching handler is the last).
  void continue_handling() noexcept { continue_ = true; }
  [[nodiscard]] bool continues() const noexcept { return continue_; }

 private:
  friend class dispatcher;
  send_intent intent(content c) const;

  chatdesk::desk* desk_;
  const webhook_message* event_;
  const chatdesk::message* message_;
  std::string business_id_;
  std::size_t index_;
  bool continue_ = false;
};

/// A status of a business's message as a handler sees it.
class CHATDESK_API status_context {
 public:
  status_context(chatdesk::desk& d, const webhook_status& event, std::string business_id, bool held,
                 std::size_t index)
      : desk_(&d), event_(&event), business_id_(std::move(business_id)), held_(held), index_(index) {}

  /// The decoded status (errors, pricing, conversation, callback data).
  [[nodiscard]] const webhook_status& event() const noexcept { return *event_; }
  [[nodiscard]] const std::string& message_id() const noexcept { return event_->id; }
  [[nodiscard]] message_status status() const noexcept {
    return event_->status.value_or(message_status::sent);
  }
  [[nodiscard]] const phone_number& customer() const noexcept { return event_->recipient; }
  /// The business that owns the number the message went through.
  [[nodiscard]] const std::string& business_id() const noexcept { return business_id_; }
  /// True when the status overtook its send's answer: the desk applies it
  /// when the answer names the message.
  [[nodiscard]] bool held() const noexcept { return held_; }
  [[nodiscard]] std::size_t index() const noexcept { return index_; }
  [[nodiscard]] chatdesk::desk& desk() const noexcept { return *desk_; }

  /// Lets the next matching handler run after this one.
  void continue_handling() noexcept { continue_ = true; }
  [[nodiscard]] bool continues() const noexcept { return continue_; }

 private:
  friend class dispatcher;
  chatdesk::desk* desk_;
  const webhook_status* event_;
  std::string business_id_;
  bool held_;
  std::size_t index_;
  bool continue_ = false;
};

/// A yes-or-no question about a context, composable with `&&`, `||` and `!`.
/// Any callable `bool(const Context&)` converts to one.
template <class Context>
class filter {
 public:
  /// Matches everything.
  filter() = default;
  template <class F>
  requires(!std::same_as<std::remove_cvref_t<F>, filter> &&
           std::is_invocable_r_v<bool, const F&, const Context&>)
      filter(F f)  // NOLINT(google-explicit-constructor): lambdas are filters
      : test_(std::make_shared<std::function<bool(const Context&)>>(std::move(f))) {}

  [[nodiscard]] bool operator()(const Context& c) const { return !test_ || (*test_)(c); }

  friend filter operator&&(filter a, filter b) {
    return filter([a = std::move(a), b = std::move(b)](const Context& c) { return a(c) && b(c); });
  }
  friend filter operator||(filter a, filter b) {
    return filter([a = std::move(a), b = std::move(b)](const Context& c) { return a(c) || b(c); });
  }
  friend filter operator!(filter a) {
    return filter([a = std::move(a)](const Context& c) { return !a(c); });
  }

 private:
  std::shared_ptr<const std::function<bool(const Context&)>> test_;
};

using message_filter = filter<message_context>;
using status_filter = filter<status_context>;

/// How text filters compare letters.
enum class match_case : std::uint8_t {
  exact,   ///< as written
  ignore,  ///< ASCII letters in any case ("Stop", "STOP", "stop")
};

/// Ready-made filters. Text filters look at `message_context::text()`.
namespace filters {
/// Every message.
[[nodiscard]] CHATDESK_API message_filter any();
/// Text messages.
[[nodiscard]] CHATDESK_API message_filter text();
/// Messages whose text is `value` (ignoring spaces around it).
[[nodiscard]] CHATDESK_API message_filter text_is(std::string value, match_case c = match_case::exact);
/// Messages whose text starts with `prefix`.
[[nodiscard]] CHATDESK_API message_filter starts_with(std::string prefix, match_case c = match_case::exact);
/// Messages whose text contains `part`.
[[nodiscard]] CHATDESK_API message_filter contains(std::string part, match_case c = match_case::exact);
/// Messages whose text the pattern matches somewhere (`std::regex_search`).
[[nodiscard]] CHATDESK_API message_filter matches(std::regex pattern);
/// Media messages (image, video, audio, document, sticker), or one kind of them.
[[nodiscard]] CHATDESK_API message_filter media();
[[nodiscard]] CHATDESK_API message_filter media(media_kind kind);
/// Messages of the platform type `type_name` ("location", "reaction", "order",
/// "contacts", "system", "interactive", an unsupported type's own name...).
[[nodiscard]] CHATDESK_API message_filter type(std::string type_name);
/// Interactive replies of one kind (button_reply, list_reply, quick_reply, flow_reply).
[[nodiscard]] CHATDESK_API message_filter interactive(interactive_kind kind);
/// A template's quick-reply button was tapped; with a payload, that one.
[[nodiscard]] CHATDESK_API message_filter quick_reply();
[[nodiscard]] CHATDESK_API message_filter quick_reply(std::string payload);
/// A reply button or list row with this id was chosen, or a quick reply with this payload.
[[nodiscard]] CHATDESK_API message_filter reply_id(std::string id);
/// Messages from this customer.
[[nodiscard]] CHATDESK_API message_filter from(phone_number customer);
/// Messages to a number of this business.
[[nodiscard]] CHATDESK_API message_filter business(std::string business_id);
/// Messages to this business number.
[[nodiscard]] CHATDESK_API message_filter business_number(std::string business_number_id);
/// Messages that came from an ad or a page button (they carry a `referral`).
[[nodiscard]] CHATDESK_API message_filter referral();
/// Messages that quote an earlier message (they carry a `context`).
[[nodiscard]] CHATDESK_API message_filter is_reply();
/// Forwarded messages.
[[nodiscard]] CHATDESK_API message_filter forwarded();

/// Statuses of one kind (sent, delivered, read, failed).
[[nodiscard]] CHATDESK_API status_filter status_is(message_status status);
/// Failed statuses carrying the platform error `code` (131047, ...).
[[nodiscard]] CHATDESK_API status_filter failed_with(int code);
/// Statuses carrying the send's `biz_opaque_callback_data`.
[[nodiscard]] CHATDESK_API status_filter callback_data(std::string value);
}  // namespace filters

/// Something that went wrong with one event: the feed or the desk refused it,
/// the platform reported errors, or a handler threw.
struct CHATDESK_API dispatch_error {
  std::size_t index = 0;                 ///< the event's position in its batch
  const webhook_event* event = nullptr;  ///< the event (valid during the handler)
  chatdesk::error error;
  /// "refused" (by the feed or desk), "platform" (the platform's errors
  /// webhook), or "handler" (a handler threw; `error.code` is `dispatch.handler`).
  std::string_view source;
};

/// What dispatching one batch did.
struct CHATDESK_API dispatch_report {
  feed_report feed;           ///< what the feed did with each event
  std::size_t handled = 0;    ///< events at least one handler took
  std::size_t unhandled = 0;  ///< events for handlers that none matched
  std::size_t failures = 0;   ///< handlers that threw (each also went to the error handlers)
};

/// Calls the application's handlers for the events of webhook batches.
///
/// Handlers of one kind run in the order they were registered; for each
/// event, the first whose filter matches handles it, and the next matching
/// one runs only if it called `continue_handling()`. A handler that throws
/// stops that event's handling: the exception is reported to the error
/// handlers (`dispatch.handler`) and the batch goes on.
///
/// Register every handler before dispatching; then `dispatch` may be called
/// from many threads at once (the handlers must allow that).
class CHATDESK_API dispatcher {
 public:
  using message_handler = std::function<void(message_context&)>;
  using status_handler = std::function<void(status_context&)>;
  using template_handler = std::function<void(const webhook_template_update&)>;
  using account_handler = std::function<void(const webhook_account_update&)>;
  using agent_handler = std::function<void(const webhook_agent_message&)>;
  using error_handler = std::function<void(const dispatch_error&)>;

  /// Handlers over `feed`, which applies batches to `desk`.
  dispatcher(webhook_feed& feed, chatdesk::desk& desk);
  ~dispatcher();
  dispatcher(const dispatcher&) = delete;
  dispatcher& operator=(const dispatcher&) = delete;

  dispatcher& on_message(message_handler handler);
  dispatcher& on_message(message_filter when, message_handler handler);
  dispatcher& on_status(status_handler handler);
  dispatcher& on_status(status_filter when, status_handler handler);
  dispatcher& on_template_update(template_handler handler);
  dispatcher& on_account_update(account_handler handler);
  /// Messages agents wrote in a CRM, to send with `agent_reply_intent`.
  dispatcher& on_agent_message(agent_handler handler);
  dispatcher& on_error(error_handler handler);

  /// Applies `batch` through the feed, then calls the handlers, in batch
  /// order, for the events the feed applied (messages received, statuses
  /// that advanced or were held) or passed on; redeliveries reach no handler.
  dispatch_report dispatch(const webhook_batch& batch);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chatdesk
