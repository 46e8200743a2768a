#include "chatdesk/feed/dispatch.hpp"

#include <algorithm>
#include <exception>
#include <variant>

#include <fmt/format.h>

#include "../core/ascii.hpp"
#include "chatdesk/wire/send.hpp"

namespace chatdesk {

// ---------------------------------------------------------------- contexts

message_context::message_context(chatdesk::desk& d, const webhook_message& event,
                                 const chatdesk::message& message, std::string business_id, std::size_t index)
    : desk_(&d), event_(&event), message_(&message), business_id_(std::move(business_id)), index_(index) {}

std::string_view message_context::text() const noexcept {
  const auto& c = message_->content;
  if (const auto* t = std::get_if<text_content>(&c)) return t->body;
  if (const auto* i = std::get_if<interactive_content>(&c))
    return i->reply_title.empty() ? i->body : i->reply_title;
  if (const auto* m = std::get_if<media_content>(&c)) return m->caption;
  if (const auto* o = std::get_if<order_content>(&c)) return o->text;
  return {};
}

std::string_view message_context::reply_id() const noexcept {
  if (const auto* i = std::get_if<interactive_content>(&message_->content)) return i->reply_id;
  return {};
}

send_intent message_context::intent(content c) const {
  send_intent i;
  i.business_id = business_id_;
  i.business_number_id = message_->business_number_id;
  i.customer = message_->customer;
  i.content = std::move(c);
  return i;
}

result<send_result> message_context::reply(std::string text, bool quote) {
  return reply(content{text_content{std::move(text), false}}, quote);
}

result<send_result> message_context::reply(content c, bool quote) {
  auto i = intent(std::move(c));
  if (quote) i.reply_to = message_->id;
  return desk_->send(std::move(i));
}

result<send_result> message_context::reply_template(template_content t) {
  return desk_->send(intent(std::move(t)));
}

result<send_result> message_context::react(std::string emoji) {
  return desk_->send(intent(reaction_content{message_->id, std::move(emoji)}));
}

result<void> message_context::mark_read(bool typing) {
  return desk_->mark_read(message_->id, typing);
}

// ---------------------------------------------------------------- filters

namespace filters {
namespace {

bool same(std::string_view a, std::string_view b, match_case c) {
  return c == match_case::exact ? a == b : detail::iequals(a, b);
}

bool has_part(std::string_view text, std::string_view part, match_case c) {
  if (c == match_case::exact) return text.find(part) != std::string_view::npos;
  if (part.size() > text.size()) return false;
  for (std::size_t at = 0; at + part.size() <= text.size(); ++at)
    if (detail::iequals(text.substr(at, part.size()), part)) return true;
  return false;
}

const interactive_content* interactive_of(const message_context& m) {
  return std::get_if<interactive_content>(&m.message().content);
}

}  // namespace

message_filter any() {
  return {};
}

message_filter text() {
  return [](const message_context& m) { return std::holds_alternative<text_content>(m.message().content); };
}

message_filter text_is(std::string value, match_case c) {
  return [value = std::move(value), c](const message_context& m) {
    return same(detail::trim(m.text()), value, c);
  };
}

message_filter starts_with(std::string prefix, match_case c) {
  return [prefix = std::move(prefix), c](const message_context& m) {
    const auto t = m.text();
    return t.size() >= prefix.size() && same(t.substr(0, prefix.size()), prefix, c);
  };
}

message_filter contains(std::string part, match_case c) {
  return [part = std::move(part), c](const message_context& m) { return has_part(m.text(), part, c); };
}

message_filter matches(std::regex pattern) {
  return [pattern = std::move(pattern)](const message_context& m) {
    const auto t = m.text();
    return std::regex_search(t.begin(), t.end(), pattern);
  };
}

message_filter media() {
  return [](const message_context& m) { return std::holds_alternative<media_content>(m.message().content); };
}

message_filter media(media_kind kind) {
  return [kind](const message_context& m) {
    const auto* media = std::get_if<media_content>(&m.message().content);
    return media != nullptr && media->kind == kind;
  };
}

message_filter type(std::string type_name) {
  return [name = std::move(type_name)](const message_context& m) {
    return chatdesk::type_name(m.message().content) == name;
  };
}

message_filter interactive(interactive_kind kind) {
  return [kind](const message_context& m) {
    const auto* i = interactive_of(m);
    return i != nullptr && i->kind == kind;
  };
}

message_filter quick_reply() {
  return interactive(interactive_kind::quick_reply);
}

message_filter quick_reply(std::string payload) {
  return [payload = std::move(payload)](const message_context& m) {
    const auto* i = interactive_of(m);
    return i != nullptr && i->kind == interactive_kind::quick_reply && i->reply_id == payload;
  };
}

message_filter reply_id(std::string id) {
  return [id = std::move(id)](const message_context& m) {
    const auto* i = interactive_of(m);
    return i != nullptr && !i->reply_id.empty() && i->reply_id == id;
  };
}

message_filter from(phone_number customer) {
  return [customer](const message_context& m) { return m.customer() == customer; };
}

message_filter business(std::string business_id) {
  return [id = std::move(business_id)](const message_context& m) { return m.business_id() == id; };
}

message_filter business_number(std::string business_number_id) {
  return
      [id = std::move(business_number_id)](const message_context& m) { return m.business_number_id() == id; };
}

message_filter referral() {
  return [](const message_context& m) { return m.message().referral.has_value(); };
}

message_filter is_reply() {
  return [](const message_context& m) { return m.message().context.has_value(); };
}

message_filter forwarded() {
  return [](const message_context& m) {
    const auto& c = m.message().context;
    return c && (c->forwarded || c->frequently_forwarded);
  };
}

status_filter status_is(message_status status) {
  return [status](const status_context& s) { return s.event().status == status; };
}

status_filter failed_with(int code) {
  return [code](const status_context& s) {
    const auto& errors = s.event().errors;
    return s.event().status == message_status::failed &&
           std::any_of(errors.begin(), errors.end(),
                       [code](const status_error& e) { return e.code == code; });
  };
}

status_filter callback_data(std::string value) {
  return [value = std::move(value)](const status_context& s) {
    return s.event().biz_opaque_callback_data == value;
  };
}

}  // namespace filters

// ---------------------------------------------------------------- dispatcher

struct dispatcher::impl {
  impl(webhook_feed& f, chatdesk::desk& d) : feed(f), desk(d) {}
  webhook_feed& feed;
  chatdesk::desk& desk;
  std::vector<std::pair<message_filter, message_handler>> messages;
  std::vector<std::pair<status_filter, status_handler>> statuses;
  std::vector<template_handler> templates;
  std::vector<account_handler> accounts;
  std::vector<agent_handler> agents;
  std::vector<error_handler> errors;

  void report(const dispatch_error& e) const {
    for (const auto& h : errors) {
      try {
        h(e);
      } catch (...) {  // NOLINT(bugprone-empty-catch): an error handler's own failure has nowhere to go
      }
    }
  }

  /// Runs `call`, turning an exception into a reported error; false when it threw.
  template <class Call>
  bool guarded(std::size_t index, const webhook_event& e, Call&& call) const {
    std::string what;
    try {
      std::forward<Call>(call)();
      return true;
    } catch (const std::exception& x) {
      what = x.what();
    } catch (...) {
      what = "an exception that is not a std::exception";
    }
    report({index, &e,
            make_error("dispatch.handler",
                       fmt::format("a handler for {} {} threw: {}", event_kind(e), index, what), "handler"),
            "handler"});
    return false;
  }

  /// Offers a context to matching handlers in order; {matched, threw}.
  template <class Context, class Handlers>
  std::pair<bool, bool> offer(Context& ctx, const Handlers& handlers, const webhook_event& e) const {
    bool matched = false;
    for (const auto& registered : handlers) {
      const auto& when = registered.first;  // (clang 14 lambdas cannot capture structured bindings)
      const auto& handler = registered.second;
      bool hit = false;
      if (!guarded(ctx.index(), e, [&] { hit = when(ctx); })) return {matched, true};
      if (!hit) continue;
      matched = true;
      ctx.continue_ = false;  // each handler decides afresh
      if (!guarded(ctx.index(), e, [&] { handler(ctx); })) return {matched, true};
      if (!ctx.continue_) break;
    }
    return {matched, false};
  }

  /// Calls each of `handlers` with `value`; {matched, threw}.
  template <class Value, class Handlers>
  std::pair<bool, bool> each(std::size_t index, const Value& value, const Handlers& handlers,
                             const webhook_event& e) const {
    for (const auto& h : handlers)
      if (!guarded(index, e, [&] { h(value); })) return {true, true};
    return {!handlers.empty(), false};
  }

  std::string business_of(std::string_view number_id) const {
    return desk.business_id_of(number_id).value_or(std::string());
  }
};

dispatcher::dispatcher(webhook_feed& feed, chatdesk::desk& desk)
    : impl_(std::make_unique<impl>(feed, desk)) {}
dispatcher::~dispatcher() = default;

dispatcher& dispatcher::on_message(message_handler handler) {
  return on_message(filters::any(), std::move(handler));
}
dispatcher& dispatcher::on_message(message_filter when, message_handler handler) {
  impl_->messages.emplace_back(std::move(when), std::move(handler));
  return *this;
}
dispatcher& dispatcher::on_status(status_handler handler) {
  return on_status(status_filter{}, std::move(handler));
}
dispatcher& dispatcher::on_status(status_filter when, status_handler handler) {
  impl_->statuses.emplace_back(std::move(when), std::move(handler));
  return *this;
}
dispatcher& dispatcher::on_template_update(template_handler handler) {
  impl_->templates.push_back(std::move(handler));
  return *this;
}
dispatcher& dispatcher::on_account_update(account_handler handler) {
  impl_->accounts.push_back(std::move(handler));
  return *this;
}
dispatcher& dispatcher::on_agent_message(agent_handler handler) {
  impl_->agents.push_back(std::move(handler));
  return *this;
}
dispatcher& dispatcher::on_error(error_handler handler) {
  impl_->errors.push_back(std::move(handler));
  return *this;
}

dispatch_report dispatcher::dispatch(const webhook_batch& batch) {
  const auto& s = *impl_;
  dispatch_report out;
  out.feed = s.feed.apply(batch);
  for (const auto& [index, why] : out.feed.refused) s.report({index, &batch.events[index], why, "refused"});
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    const auto outcome = out.feed.outcomes[i];
    if (outcome == event_outcome::duplicate || outcome == event_outcome::refused) continue;
    const auto& e = batch.events[i];
    std::pair<bool, bool> r{false, false};
    if (const auto* m = std::get_if<webhook_message>(&e)) {
      if (s.messages.empty()) {
        ++out.unhandled;
        continue;
      }
      std::optional<chatdesk::message> mapped;  // a CRM user's message, with its customer's number
      const chatdesk::message* msg = &m->message;
      if (msg->customer.empty()) {
        mapped = m->message;
        mapped->customer = s.feed.customer_of(*m).value_or(phone_number{});
        msg = &*mapped;
      }
      message_context ctx(s.desk, *m, *msg, s.business_of(msg->business_number_id), i);
      r = s.offer(ctx, s.messages, e);
    } else if (const auto* st = std::get_if<webhook_status>(&e)) {
      if (outcome == event_outcome::passed || s.statuses.empty()) {  // a status chatdesk does not model
        ++out.unhandled;
        continue;
      }
      status_context ctx(s.desk, *st, s.business_of(st->metadata.phone_number_id),
                         outcome == event_outcome::held, i);
      r = s.offer(ctx, s.statuses, e);
    } else if (const auto* t = std::get_if<webhook_template_update>(&e)) {
      r = s.each(i, *t, s.templates, e);
    } else if (const auto* a = std::get_if<webhook_account_update>(&e)) {
      r = s.each(i, *a, s.accounts, e);
    } else if (const auto* g = std::get_if<webhook_agent_message>(&e)) {
      r = s.each(i, *g, s.agents, e);
    } else if (const auto* p = std::get_if<webhook_errors>(&e)) {
      for (const auto& pe : p->errors) s.report({i, &e, to_error(pe), "platform"});
      r = {!s.errors.empty() && !p->errors.empty(), false};
    }
    if (r.second) ++out.failures;
    if (r.first) {
      ++out.handled;
    } else {
      ++out.unhandled;
    }
  }
  return out;
}

}  // namespace chatdesk
