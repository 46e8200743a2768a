#include "chatdesk/feed/webhook_feed.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

// ---------------------------------------------------------------- ledger_bridge

struct ledger_bridge::impl {
  impl(ledger& target, std::function<std::string(std::string_view)> map)
      : l(target), business_of(std::move(map)) {}
  ledger& l;
  std::function<std::string(std::string_view)> business_of;
  mutable std::mutex mutex;
  std::unordered_set<std::string> announced;  // outbound ids the ledger knows
  std::vector<charge> charges;
  std::unordered_map<std::string, std::size_t> charge_index;  // id -> position in charges
  std::vector<error> problems;

  std::string business(std::string_view number_id) const {
    return business_of ? business_of(number_id) : std::string(number_id);
  }
};

ledger_bridge::ledger_bridge(ledger& l, std::function<std::string(std::string_view)> business_of)
    : impl_(std::make_unique<impl>(l, std::move(business_of))) {}
ledger_bridge::ledger_bridge(ledger& l, const desk& d)
    : ledger_bridge(l, [&d](std::string_view number_id) {
        return d.business_id_of(number_id).value_or(std::string(number_id));
      }) {}
ledger_bridge::~ledger_bridge() = default;

void ledger_bridge::message_received(const message& m) {
  std::lock_guard lock(impl_->mutex);
  if (auto r = impl_->l.inbound(m.at, impl_->business(m.business_number_id), m.customer, m.id,
                                m.referral.has_value());
      !r)
    impl_->problems.push_back(r.error());
}

void ledger_bridge::status_changed(const message_record& record, message_status from) {
  (void)from;
  if (record.direction != direction::outbound || record.id.empty()) return;
  if (record.status == message_status::accepted) return;
  std::lock_guard lock(impl_->mutex);
  auto& d = *impl_;
  if (d.announced.insert(record.id).second) {
    if (auto r = d.l.outbound(record.at, d.business(record.key.business_number_id), record.key.customer,
                              record.id, record.type == "template", record.category,
                              record.key.business_number_id, record.type == "reaction");
        !r) {
      d.problems.push_back(r.error());
      return;
    }
  }
  auto c = d.l.status(record.status_at, record.id, record.status);
  if (!c) {
    d.problems.push_back(c.error());
    return;
  }
  if (*c) {
    d.charge_index[(*c)->message_id] = d.charges.size();
    d.charges.push_back(std::move(**c));
  }
  // A message that reached its last state needs no outbound record any more.
  if (record.status == message_status::read || record.status == message_status::failed)
    d.announced.erase(record.id);
}

std::vector<charge> ledger_bridge::take_charges() {
  std::lock_guard lock(impl_->mutex);
  impl_->charge_index.clear();
  return std::exchange(impl_->charges, {});
}

std::optional<charge> ledger_bridge::charge_for(std::string_view message_id) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->charge_index.find(std::string(message_id));
  if (it == impl_->charge_index.end()) return std::nullopt;
  return impl_->charges[it->second];
}

std::vector<error> ledger_bridge::take_problems() {
  std::lock_guard lock(impl_->mutex);
  return std::exchange(impl_->problems, {});
}

// ---------------------------------------------------------------- pricing check

std::string compare_pricing(const webhook_pricing& platform, const charge& c) {
  // Only the per-message model reports a pricing type to compare with.
  if (platform.pricing_model != "PMP" ||
      (c.model != pricing_model::pmp_2025 && c.model != pricing_model::pmp_2026_10))
    return {};
  // An exempt business's service message beyond the free tier: "regular" with
  // the subtype paid_exempt, and free.
  const bool exempt_theirs = platform.subtype == "paid_exempt";
  const bool exempt_ours = c.reason == charge_reason::paid_exempt;
  if (exempt_theirs != exempt_ours)
    return exempt_theirs ? fmt::format("the platform exempts it (paid_exempt), chatdesk {} it ({})",
                                       c.free ? "found free" : "charged", to_string(c.reason))
                         : fmt::format("chatdesk exempts it (paid_exempt), the platform does not ({} {})",
                                       platform.type, platform.category);
  std::string_view theirs = platform.type;
  if (theirs.empty()) {  // older payloads: only "billable"
    if (platform.billable != true) return {};
    theirs = "regular";
  }
  const auto ours = platform_pricing_type(c.reason);
  if (theirs == ours) {
    if (theirs == "regular" && !platform.category.empty() && platform.category != c.category)
      return fmt::format("the platform charges it as {}, chatdesk as {}", platform.category, c.category);
    return {};
  }
  if (theirs == "regular")
    return fmt::format("the platform charges it ({}), chatdesk found it free ({})", platform.category,
                       to_string(c.reason));
  if (theirs != "free_customer_service" && theirs != "free_entry_point")
    return {};  // a type chatdesk does not know
  const auto where = theirs == "free_entry_point" ? "in an entry point window" : "in the service window";
  if (ours == "regular")
    return fmt::format("the platform found it free {}, chatdesk charged {}", where, c.category);
  // Free in the service window while chatdesk found another reason to be free: both agree it is free.
  if (theirs == "free_customer_service") return {};
  return fmt::format("the platform found it free {}, chatdesk free for {}", where, to_string(c.reason));
}

result<void> apply_template_update(template_library& templates, std::string_view business_id,
                                   const webhook_template_update& u) {
  if (u.field == "message_template_status_update") {
    std::optional<template_status> status;
    if (u.event == "REINSTATED") {
      status = template_status::approved;
    } else if (u.event == "IN_APPEAL") {
      status = template_status::rejected;
    } else if (u.event == "DELETED" || u.event == "PENDING_DELETION") {
      status = template_status::disabled;
    } else if (u.event != "FLAGGED") {
      auto parsed = parse_template_status(u.event);
      if (!parsed) return parsed.error();
      status = *parsed;
    }
    if (!status) return {};
    std::string reason = u.reason == "NONE" ? std::string() : u.reason;
    if (reason.empty() && u.event != "APPROVED") reason = u.event;
    return templates.set_status(business_id, u.name, u.language, *status, std::move(reason));
  }
  if (u.field == "message_template_quality_update") {
    auto quality = parse_quality_rating(u.current);
    if (!quality) return quality.error();
    auto r = templates.set_quality(business_id, u.name, u.language, *quality);
    if (!r) return r.error();
    return {};
  }
  if (u.field == "template_category_update") {
    auto category = parse_template_category(u.current);
    if (!category) return category.error();
    return templates.set_category(business_id, u.name, u.language, *category);
  }
  return make_error("feed.invalid_update",
                    fmt::format("'{}' is not a template update chatdesk applies", utf8::printable(u.field)),
                    "field");
}

send_intent agent_reply_intent(const webhook_agent_message& reply, std::string business_id,
                               const phone_number& customer) {
  send_intent i;
  i.business_id = std::move(business_id);
  i.customer = customer;
  i.content = reply.content;
  i.correlation_id = reply.id;
  return i;
}

// ---------------------------------------------------------------- webhook_feed

struct webhook_feed::impl {
  impl(desk& target, feed_options o)
      : d(target), seen(o.dedupe_window, o.dedupe_capacity), options(std::move(o)) {}
  desk& d;
  dedupe_window seen;  // events the desk took (or refused for good); thread-safe
  feed_options options;
  std::atomic<ledger_bridge*> bridge{nullptr};
  std::mutex pending_mu;
  std::unordered_map<std::string, webhook_pricing> pending;  // platform pricing awaiting chatdesk's charge

  void keep_pricing(const std::string& id, const webhook_pricing& p) {
    std::lock_guard g(pending_mu);
    if (pending.size() >= options.pending_pricing_capacity) pending.clear();
    pending[id] = p;
  }
  /// The platform's pricing for `id`, taken out once chatdesk's charge is known or the message failed.
  std::optional<webhook_pricing> settle_pricing(const std::string& id, bool failed, ledger_bridge& b,
                                                std::optional<charge>& c) {
    std::lock_guard g(pending_mu);
    const auto p = pending.find(id);
    if (p == pending.end()) return std::nullopt;
    c = b.charge_for(id);
    if (!c && !failed) return std::nullopt;
    auto out = std::move(p->second);
    pending.erase(p);
    return out;
  }
};

namespace {

/// Refusals that a later delivery of the same event can overcome: the number
/// is registered a moment later, the send's answer names the message, or the
/// platform's clock was ahead. Such events are not remembered as seen.
bool may_change(const error& e) {
  return e.code == "desk.unknown_number" || e.code == "desk.unknown_message" || e.code == "desk.future_time";
}

}  // namespace

webhook_feed::webhook_feed(desk& d, feed_options options)
    : impl_(std::make_unique<impl>(d, std::move(options))) {}
webhook_feed::~webhook_feed() = default;

void webhook_feed::check_pricing_with(ledger_bridge* bridge) {
  impl_->bridge.store(bridge);
}

std::string_view to_string(event_outcome o) noexcept {
  switch (o) {
    case event_outcome::applied:
      return "applied";
    case event_outcome::held:
      return "held";
    case event_outcome::duplicate:
      return "duplicate";
    case event_outcome::passed:
      return "passed";
    case event_outcome::refused:
      return "refused";
  }
  return "unknown";
}

namespace {

/// The identity of an event passed to the application, for de-duplication,
/// and the time it is remembered from; nullopt for events without one.
std::optional<std::pair<std::string, timestamp>> passed_identity(const webhook_event& e) {
  if (const auto* t = std::get_if<webhook_template_update>(&e); t != nullptr && t->at)
    return std::pair{fmt::format("t:{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", t->account_id, t->field,
                                 t->template_id, t->name, t->language, t->event, t->current),
                     *t->at};
  if (const auto* a = std::get_if<webhook_account_update>(&e); a != nullptr && a->at)
    return std::pair{fmt::format("u:{}\x1f{}\x1f{}\x1f{:x}", a->account_id, a->field, a->event,
                                 std::hash<std::string_view>{}(a->raw_json)),
                     *a->at};
  if (const auto* g = std::get_if<webhook_agent_message>(&e); g != nullptr && !g->id.empty())
    return std::pair{"g:" + g->id, g->at};
  return std::nullopt;
}

}  // namespace

std::optional<phone_number> webhook_feed::customer_of(const webhook_message& m) const {
  if (!m.message.customer.empty()) return m.message.customer;
  if (!impl_->options.customer_of) return std::nullopt;
  auto customer = impl_->options.customer_of(m);
  if (customer && customer->empty()) return std::nullopt;
  return customer;
}

feed_report webhook_feed::apply(const webhook_batch& batch) {
  auto& s = *impl_;
  feed_report report;
  report.outcomes.assign(batch.events.size(), event_outcome::passed);
  const auto refuse = [&](std::size_t i, error e) {
    report.outcomes[i] = event_outcome::refused;
    report.refused.emplace_back(i, std::move(e));
  };
  const auto duplicate = [&](std::size_t i) {
    report.outcomes[i] = event_outcome::duplicate;
    ++report.duplicates;
  };
  ledger_bridge* bridge = s.bridge.load();
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    const auto& e = batch.events[i];
    if (const auto* m = std::get_if<webhook_message>(&e)) {
      std::optional<webhook_message> mapped;  // a copy with the customer the application names
      if (m->message.customer.empty()) {
        auto customer = customer_of(*m);
        if (!customer) {
          refuse(i, make_error("feed.customer",
                               fmt::format("message {} is from '{}', which is not a phone number{}",
                                           m->message.id, utf8::printable(m->from),
                                           s.options.customer_of ? " and not a known customer"
                                                                 : ": map CRM users to customers with "
                                                                   "feed_options::customer_of"),
                               "from"));
          continue;
        }
        mapped = *m;
        mapped->message.customer = *customer;
        m = &*mapped;
      }
      const auto key = "m:" + m->message.id;
      if (s.seen.contains(key, m->message.at)) {
        duplicate(i);
        continue;
      }
      auto r = s.d.receive(m->message, m->profile_name);
      if (!r) {
        if (!may_change(r.error())) (void)s.seen.first_seen(key, m->message.at);
        refuse(i, r.error());
        continue;
      }
      (void)s.seen.first_seen(key, m->message.at);
      if (r->duplicate) {
        duplicate(i);
      } else {
        report.outcomes[i] = event_outcome::applied;
        ++report.messages;
      }
      continue;
    }
    const auto* st = std::get_if<webhook_status>(&e);
    if (st == nullptr || !st->status || st->id.empty()) {
      if (auto identity = passed_identity(e);
          identity && !s.seen.first_seen(identity->first, identity->second)) {
        duplicate(i);
        continue;
      }
      ++report.passed;
      continue;
    }
    const auto key = fmt::format("s:{}:{}", st->id, st->status_text);
    if (s.seen.contains(key, st->at)) {
      duplicate(i);
      continue;
    }
    if (bridge != nullptr && st->pricing) s.keep_pricing(st->id, *st->pricing);
    status_update u;
    u.message_id = st->id;
    u.status = *st->status;
    u.at = st->at;
    if (!st->errors.empty()) u.error = st->errors.front();
    u.customer = st->recipient;
    u.business_number_id = st->metadata.phone_number_id;
    auto r = s.d.apply_status(u);
    if (!r) {
      if (!may_change(r.error())) (void)s.seen.first_seen(key, st->at);
      refuse(i, r.error());
      continue;
    }
    if (r->change == status_change::held) {  // not seen yet: if the hold lapses, a redelivery still counts
      report.outcomes[i] = event_outcome::held;
      ++report.held;
      continue;
    }
    (void)s.seen.first_seen(key, st->at);
    if (r->change != status_change::advanced) {
      duplicate(i);
      continue;
    }
    report.outcomes[i] = event_outcome::applied;
    ++report.statuses;
    if (bridge == nullptr) continue;
    std::optional<charge> c;
    if (auto platform = s.settle_pricing(st->id, *st->status == message_status::failed, *bridge, c);
        platform && c) {
      if (auto why = compare_pricing(*platform, *c); !why.empty())
        report.mismatches.push_back({st->id, std::move(*platform), std::move(*c), std::move(why)});
    }
  }
  return report;
}

struct customer_table::impl {
  mutable std::shared_mutex mu;
  std::map<std::string, phone_number, std::less<>> users;
};

customer_table::customer_table() : impl_(std::make_unique<impl>()) {}
customer_table::~customer_table() = default;

void customer_table::set(std::string user_id, phone_number customer) {
  std::unique_lock g(impl_->mu);
  impl_->users.insert_or_assign(std::move(user_id), customer);
}

void customer_table::erase(std::string_view user_id) {
  std::unique_lock g(impl_->mu);
  if (auto it = impl_->users.find(user_id); it != impl_->users.end()) impl_->users.erase(it);
}

std::optional<phone_number> customer_table::find(std::string_view user_id) const {
  std::shared_lock g(impl_->mu);
  auto it = impl_->users.find(user_id);
  if (it == impl_->users.end()) return std::nullopt;
  return it->second;
}

customer_lookup customer_table::lookup() const {
  return [this](const webhook_message& m) { return find(m.from); };
}

}  // namespace chatdesk
