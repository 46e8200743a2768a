#include "chatdesk/engine/desk.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <shared_mutex>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "../core/ascii.hpp"
#include "../core/lookup.hpp"
#include "chatdesk/core/utf8.hpp"
#include "journal.hpp"

namespace chatdesk {

window_info windows_at(const conversation_state& state, timestamp t) noexcept {
  window_info w;
  w.service_window_open = state.service_window_open(t);
  w.service_window_closes_at = state.service_window_closes_at();
  w.entry_point_open = state.entry_point_open(t);
  w.entry_point_closes_at = state.entry_point_closes_at();
  w.entry_point_pending = state.entry_point_pending(t);
  return w;
}

namespace {

/// Saves a status change of `record` from `from`, with its journal entry
/// when the store keeps a journal.
void save_status_change(store& st, const message_record& record, message_status from) {
  st.update_message_journaled(record,
                              st.keeps_journal() ? detail::journal_status(record, from) : std::string());
}

/// Events collected during a step and delivered once its locks are released.
class event_list {
 public:
  explicit event_list(bool wanted) : wanted_(wanted) {}
  template <class F>
  void add(F&& f) {
    if (wanted_) events_.emplace_back(std::forward<F>(f));
  }
  void deliver(const std::vector<observer*>& observers) const {
    for (const auto& e : events_)
      for (auto* o : observers) e(*o);
  }

 private:
  bool wanted_;
  std::vector<std::function<void(observer&)>> events_;
};

enum class timer_kind : std::uint8_t { closing, closed };

struct timer {
  timestamp due;
  timer_kind kind;
  conversation_key key;
  timestamp window_end;
  friend bool operator>(const timer& a, const timer& b) { return a.due > b.due; }
};

bool matches_keyword(const content& c, const std::vector<std::string>& keywords) {
  const auto* text = std::get_if<text_content>(&c);
  if (text == nullptr || keywords.empty()) return false;
  const auto body = detail::trim(text->body);
  return std::any_of(keywords.begin(), keywords.end(),
                     [&](const std::string& k) { return detail::iequals(body, detail::trim(k)); });
}

}  // namespace

struct desk::impl {
  impl(const chatdesk::clock& c, chatdesk::store& s, chatdesk::transport* t, desk_options o)
      : clock(c), st(s), tr(t), options(std::move(o)) {
    correlation_prefix = options.correlation_prefix;
    if (correlation_prefix.empty()) {
      std::random_device random;
      const std::uint64_t bits = (std::uint64_t{random()} << 32U) ^ random();
      correlation_prefix = fmt::format("cd-{:016x}-", bits);
    }
    if (options.policies) {
      policies = *options.policies;
    } else {
      for (auto& p : policies::defaults(options.opt_out_blocks_service_replies))
        policies.emplace_back(std::move(p));
    }
  }

  const chatdesk::clock& clock;
  chatdesk::store& st;
  chatdesk::transport* tr;
  desk_options options;

  template <class V>
  using text_map = detail::text_map<V>;

  mutable std::shared_mutex config_mu;
  text_map<std::shared_ptr<const business>> businesses;
  text_map<std::shared_ptr<const business>> number_owner;  // number id -> its business
  std::vector<std::shared_ptr<const send_policy>> policies;
  const template_directory* directory = nullptr;
  std::vector<observer*> observers;

  std::atomic<timestamp> last_purge{never};  // when tick() last purged (keep_messages_for)
  std::mutex timers_mu;
  std::priority_queue<timer, std::vector<timer>, std::greater<>> timers;

  std::string correlation_prefix;
  std::atomic<std::uint64_t> next_correlation{1};

  // Statuses for messages not known yet, by message id, oldest first in `held_order`.
  struct held_statuses {
    std::uint64_t serial = 0;
    std::vector<status_update> updates;
  };
  std::mutex held_mu;
  std::unordered_map<std::string, held_statuses> held;
  std::deque<std::tuple<timestamp, std::string, std::uint64_t>> held_order;
  std::uint64_t held_serial = 0;

  struct config_snapshot {
    std::shared_ptr<const business> biz;
    std::vector<std::shared_ptr<const send_policy>> policies;
    const template_directory* directory = nullptr;
    bool observed = false;
  };

  std::shared_ptr<const business> business_of_number(std::string_view number_id) const {
    std::shared_lock g(config_mu);
    auto it = number_owner.find(number_id);
    return it == number_owner.end() ? nullptr : it->second;
  }
  std::shared_ptr<const business> business_by_id(std::string_view id) const {
    std::shared_lock g(config_mu);
    auto it = businesses.find(id);
    return it == businesses.end() ? nullptr : it->second;
  }
  bool observed() const {
    std::shared_lock g(config_mu);
    return !observers.empty();
  }
  std::vector<observer*> observer_list() const {
    std::shared_lock g(config_mu);
    return observers;
  }
  void deliver(const event_list& events) const {
    const auto list = observer_list();
    if (!list.empty()) events.deliver(list);
  }

  void schedule_window(const conversation_key& key, timestamp window_end) {
    std::lock_guard g(timers_mu);
    timers.push({window_end - options.closing_notice, timer_kind::closing, key, window_end});
    timers.push({window_end, timer_kind::closed, key, window_end});
  }

  /// Applies `change` to a customer's state; `change` returns true for a consent change.
  template <class F>
  result<void> change_customer(std::string_view business_id, const phone_number& customer, F&& change) {
    auto biz = business_by_id(business_id);
    if (!biz)
      return make_error("desk.unknown_business", fmt::format("no business has the id '{}'", business_id),
                        "business_id");
    if (customer.empty())
      return make_error("desk.invalid_intent", "a customer number is required", "customer");
    event_list events(observed());
    {
      auto lock = st.lock(biz->id, customer, false);
      auto cs = st.load_customer(biz->id, customer).value_or(customer_state{});
      const bool consent_changed = change(cs);
      st.save_customer(biz->id, customer, cs);
      if (consent_changed)
        events.add([bid = biz->id, customer, consent = cs.consent](observer& o) {
          o.consent_changed(bid, customer, consent);
        });
      lock->commit();
    }
    deliver(events);
    return {};
  }

  /// The time to record for an event stamped `at` (unset: now), or why it is refused.
  result<timestamp> event_time(timestamp at, std::string_view what, std::string_view where) const {
    const timestamp now = clock.now();
    if (at == timestamp{}) return now;
    if (at > now + options.max_clock_skew)
      return make_error(
          "desk.future_time",
          fmt::format("{} is stamped {}, more than {} ahead of the desk's clock ({})", what,
                      format_timestamp(at), describe(options.max_clock_skew), format_timestamp(now)),
          std::string(where));
    if (at > now) return now;  // a clock a little ahead of ours
    if (at < now - options.max_event_age)
      return make_error(
          "desk.stale_time",
          fmt::format("{} is stamped {}, more than {} before the desk's clock ({}): the platform "
                      "does not deliver events that old",
                      what, format_timestamp(at), describe(options.max_event_age), format_timestamp(now)),
          std::string(where));
    return at;
  }

  static std::string describe(std::chrono::seconds d) {
    const auto s = d.count();
    if (s % 86400 == 0) return fmt::format("{} day{}", s / 86400, s == 86400 ? "" : "s");
    if (s % 3600 == 0) return fmt::format("{} hour{}", s / 3600, s == 3600 ? "" : "s");
    if (s % 60 == 0) return fmt::format("{} minute{}", s / 60, s == 60 ? "" : "s");
    return fmt::format("{} second{}", s, s == 1 ? "" : "s");
  }

  /// Holds a status whose message is not known. False when the message
  /// became known meanwhile (the caller applies it then).
  bool hold(const status_update& update) {
    std::lock_guard g(held_mu);
    // Checked under held_mu: an answer that names the message releases its
    // statuses under held_mu after recording the id, so none is stranded.
    if (st.find_message(update.message_id)) return false;
    const timestamp now = clock.now();
    while (!held_order.empty() && (std::get<0>(held_order.front()) + options.early_status_hold <= now ||
                                   held.size() > options.early_status_capacity)) {
      const auto& [at, id, serial] = held_order.front();
      if (auto it = held.find(id); it != held.end() && it->second.serial == serial) held.erase(it);
      held_order.pop_front();
    }
    auto [it, added] = held.try_emplace(update.message_id);
    if (added) {
      it->second.serial = ++held_serial;
      held_order.emplace_back(now, update.message_id, it->second.serial);
    }
    auto& list = it->second.updates;
    const bool repeat = std::any_of(list.begin(), list.end(),
                                    [&](const status_update& u) { return u.status == update.status; });
    if (!repeat && list.size() < 8) list.push_back(update);
    return true;
  }

  /// The statuses held for `message_id`, taken out.
  std::vector<status_update> release(const std::string& message_id) {
    std::lock_guard g(held_mu);
    auto it = held.find(message_id);
    if (it == held.end()) return {};
    auto out = std::move(it->second.updates);
    held.erase(it);
    return out;
  }

  /// Applies a status to a known message; nothing when the message is not known.
  std::optional<result<status_result>> apply_known(const status_update& update);

  /// The evaluation shared by check and send.
  result<send_result> evaluate(send_intent& intent, bool commit);
  /// Registers (or replaces) `b`, saving it in the store first with `save`.
  result<void> register_business(business b, bool save);
  result<status_result> answered(const message_record& found, const transport_answer& answer);
};

namespace {

/// The store's mark for the last time `tick` told observers about windows.
constexpr std::string_view tick_mark = "desk.tick";

/// Runs one desk call, turning a store's failure (a `chatdesk::exception`
/// whose code starts with "store.") into the call's error: the step was not
/// committed, so nothing of it was applied.
template <class Call>
auto guard_store(Call&& call) -> decltype(call()) {
  try {
    return std::forward<Call>(call)();
  } catch (const exception& e) {
    if (e.err().code.rfind("store.", 0) == 0) return e.err();
    throw;
  }
}

}  // namespace

desk::desk(const chatdesk::clock& clock, chatdesk::store& store, chatdesk::transport* transport,
           desk_options options)
    : impl_(std::make_unique<impl>(clock, store, transport, std::move(options))) {
  // A desk over a durable store knows the businesses registered before a restart,
  for (auto& b : store.load_businesses())
    if (b.validate()) (void)impl_->register_business(std::move(b), false);
  // and the windows it must still announce: those that closed since its last
  // tick (or in the last day, if it never ticked) and those closing later.
  const auto now = impl_->clock.now();
  const auto since =
      store.load_mark(tick_mark).value_or(now - service_window_length - impl_->options.closing_notice);
  for (const auto& w : store.service_windows_closing(since, now + service_window_length)) {
    std::lock_guard g(impl_->timers_mu);
    if (w.closes - impl_->options.closing_notice > since)
      impl_->timers.push({w.closes - impl_->options.closing_notice, timer_kind::closing, w.key, w.closes});
    impl_->timers.push({w.closes, timer_kind::closed, w.key, w.closes});
  }
}

desk::~desk() = default;

result<void> desk::add_business(business b) {
  if (auto ok = b.validate(); !ok) return ok.error();
  return guard_store([&]() -> result<void> { return impl_->register_business(std::move(b), true); });
}

const business* desk::find_business(std::string_view id) const {
  return impl_->business_by_id(id).get();
}

std::optional<std::string> desk::business_id_of(std::string_view business_number_id) const {
  auto b = impl_->business_of_number(business_number_id);
  if (!b) return std::nullopt;
  return b->id;
}

void desk::set_template_directory(const template_directory* directory) {
  std::unique_lock g(impl_->config_mu);
  impl_->directory = directory;
}

void desk::add_policy(std::shared_ptr<const send_policy> policy) {
  std::unique_lock g(impl_->config_mu);
  impl_->policies.push_back(std::move(policy));
}

void desk::subscribe(observer* o) {
  std::unique_lock g(impl_->config_mu);
  if (std::find(impl_->observers.begin(), impl_->observers.end(), o) == impl_->observers.end())
    impl_->observers.push_back(o);
}

void desk::unsubscribe(observer* o) {
  std::unique_lock g(impl_->config_mu);
  impl_->observers.erase(std::remove(impl_->observers.begin(), impl_->observers.end(), o),
                         impl_->observers.end());
}

result<receive_result> desk::receive(const message& inbound, std::string_view profile_name) {
  return guard_store([&]() -> result<receive_result> {
    if (inbound.direction != direction::inbound)
      return make_error("desk.invalid_message", "receive() takes inbound messages; this one is outbound",
                        "direction");
    if (inbound.id.empty())
      return make_error("desk.invalid_message", "an inbound message needs its platform id", "id");
    if (inbound.customer.empty())
      return make_error("desk.invalid_message",
                        fmt::format("inbound message '{}' has no customer number", inbound.id), "customer");
    auto biz = impl_->business_of_number(inbound.business_number_id);
    if (!biz)
      return make_error("desk.unknown_number",
                        fmt::format("no business has the number '{}'", inbound.business_number_id),
                        "business_number_id");

    const auto stamped = impl_->event_time(inbound.at, fmt::format("inbound message '{}'", inbound.id), "at");
    if (!stamped) return stamped.error();
    const timestamp at = *stamped;
    // Observers, the journal and the transcript get the message as recorded:
    // stamped with the time taken (now, for one without a time or a little ahead).
    std::optional<message> restamped;
    if (inbound.at != at) restamped.emplace(inbound).at = at;
    const message& recorded = restamped ? *restamped : inbound;
    const conversation_key key{inbound.business_number_id, inbound.customer};
    event_list events(impl_->observed());
    receive_result out;
    timestamp schedule_end = never;
    {
      message_record record;
      record.id = inbound.id;
      record.key = key;
      record.direction = direction::inbound;
      record.type = std::string(type_name(inbound.content));
      record.at = at;
      auto lock = impl_->st.lock(biz->id, inbound.customer, false);
      auto first = impl_->st.add_for_receive(
          biz->id, record, impl_->st.keeps_journal() ? detail::journal_received(recorded) : std::string());
      auto state = first.conversation.value_or(conversation_state{});
      if (!first.added) {
        out.duplicate = true;
        out.window = windows_at(state, impl_->clock.now());
        return out;
      }
      out.window_opened = !state.service_window_open(at);
      if (state.last_inbound == never || at > state.last_inbound) state.last_inbound = at;
      if (inbound.referral && (state.last_referral == never || at > state.last_referral))
        state.last_referral = at;
      ++state.inbound_count;
      impl_->st.keep_content(recorded);
      impl_->st.save_conversation(key, state);
      out.window = windows_at(state, at);
      if (out.window_opened && state.service_window_open(at)) schedule_end = state.service_window_closes_at();

      const bool known = first.customer.has_value();
      auto cs = first.customer.value_or(customer_state{});
      bool changed = !known;
      if (!profile_name.empty() && cs.profile_name != profile_name) {
        cs.profile_name = std::string(profile_name);
        changed = true;
      }
      if (matches_keyword(inbound.content, biz->opt_out_keywords) && !cs.consent.opted_out()) {
        cs.consent.opted_out_at = at;
        out.opted_out = changed = true;
      } else if (matches_keyword(inbound.content, biz->opt_in_keywords) && !cs.consent.opted_in()) {
        cs.consent.opted_in_at = at;
        cs.consent.opt_in_source = "keyword";
        out.opted_in = changed = true;
      }
      if (changed) impl_->st.save_customer(biz->id, inbound.customer, cs);

      events.add([m = recorded](observer& o) { o.message_received(m); });
      if (out.window_opened) {
        const auto closes = out.window.service_window_closes_at;
        events.add([key, closes](observer& o) { o.window_opened(key, closes); });
      }
      if (out.opted_out || out.opted_in) {
        events.add([bid = biz->id, c = inbound.customer, consent = cs.consent](observer& o) {
          o.consent_changed(bid, c, consent);
        });
      }
      lock->commit();
    }
    if (schedule_end != never) impl_->schedule_window(key, schedule_end);
    impl_->deliver(events);
    return out;
  });
}

result<status_result> desk::apply_status(const status_update& update) {
  return guard_store([&]() -> result<status_result> {
    if (update.message_id.empty())
      return make_error("desk.unknown_message", "a status needs the message's id", "message_id");
    // Twice at most: a message that became known while its status was being held is applied at once.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (auto applied = impl_->apply_known(update)) return std::move(*applied);
      if (impl_->hold(update)) return status_result{status_change::held, message_status::accepted};
    }
    return make_error("desk.unknown_message",
                      fmt::format("no outbound message has the id '{}'", update.message_id), "message_id");
  });
}

std::optional<result<status_result>> desk::impl::apply_known(const status_update& update) {
  auto at = event_time(
      update.at, fmt::format("the {} status of '{}'", to_string(update.status), update.message_id), "at");
  if (!at) return result<status_result>(at.error());
  // Webhook statuses name the recipient and the number: then one look-up under
  // the lock is enough. Otherwise find the message first to know whom to lock.
  std::shared_ptr<const business> biz;
  phone_number customer = update.customer;
  if (!customer.empty()) biz = business_of_number(update.business_number_id);
  if (!biz) {
    auto found = st.find_message(update.message_id);
    if (!found) return std::nullopt;
    biz = business_of_number(found->key.business_number_id);
    if (customer.empty()) customer = found->key.customer;
  }
  const std::string_view business_id = biz ? std::string_view(biz->id) : std::string_view();
  event_list events(observed());
  status_result out;
  {
    auto lock = st.lock(business_id, customer, false);
    auto record = st.find_message(update.message_id);  // fresh, under the lock
    if (!record) return std::nullopt;
    if (record->direction != direction::outbound)
      return result<status_result>(make_error(
          "desk.invalid_status",
          fmt::format("message '{}' is inbound: statuses apply to outbound messages", update.message_id),
          "message_id"));
    if (!(record->key.customer == customer))
      return result<status_result>(make_error("desk.invalid_status",
                                              fmt::format("message '{}' was sent to {}, not {}",
                                                          update.message_id, record->key.customer, customer),
                                              "customer"));
    if (!update.business_number_id.empty() && update.business_number_id != record->key.business_number_id)
      return result<status_result>(make_error(
          "desk.invalid_status",
          fmt::format("message '{}' was sent from business number '{}', not '{}'", update.message_id,
                      record->key.business_number_id, update.business_number_id),
          "business_number_id"));
    const auto from = record->status;
    out.change = compare_status(from, update.status);
    if (out.change == status_change::advanced) {
      record->status = update.status;
      record->status_at = *at;
      if (update.error) record->error = update.error;
      save_status_change(st, *record, from);
      lock->commit();
      events.add([r = *record, from](observer& o) { o.status_changed(r, from); });
    }
    out.status = record->status;
  }
  deliver(events);
  return result<status_result>(out);
}

result<send_result> desk::impl::evaluate(send_intent& intent, bool commit) {
  auto biz = business_by_id(intent.business_id);
  if (!biz)
    return make_error("desk.unknown_business", fmt::format("no business has the id '{}'", intent.business_id),
                      "business_id");
  if (intent.business_number_id.empty()) intent.business_number_id = biz->numbers.front().id;
  const business_number* number = biz->find_number(intent.business_number_id);
  if (number == nullptr)
    return make_error("desk.unknown_number",
                      fmt::format("business '{}' has no number '{}'", biz->id, intent.business_number_id),
                      "business_number_id");
  if (intent.customer.empty())
    return make_error("desk.invalid_intent", "a send needs the customer's number", "customer");
  const auto* tmpl = std::get_if<template_content>(&intent.content);
  if (tmpl != nullptr && (tmpl->name.empty() || tmpl->language.empty()))
    return make_error("desk.invalid_intent", "a template send needs the template's name and language",
                      "content");
  if (commit && !intent.correlation_id.empty() && st.find_message(intent.correlation_id))
    return make_error(
        "desk.duplicate_correlation_id",
        fmt::format("a message with correlation id '{}' was already sent", intent.correlation_id),
        "correlation_id");

  std::vector<std::shared_ptr<const send_policy>> rules;
  const template_directory* dir = nullptr;
  {
    std::shared_lock g(config_mu);
    rules = policies;
    dir = directory;
  }
  std::optional<template_info> entry;
  std::vector<std::string> languages;
  if (tmpl != nullptr) {
    if (dir != nullptr) {
      entry = dir->find(biz->id, tmpl->name, tmpl->language);
      if (!entry) languages = dir->languages(biz->id, tmpl->name);
    } else {
      entry = template_info{template_status::approved, tmpl->category, {}};
    }
  }

  event_list events(observed());
  send_result out;
  message outbound;        // the message as sent, once recorded
  charge_decision charge;  // what the pricing rules make of the send
  const timestamp now = clock.now();
  const conversation_key key{intent.business_number_id, intent.customer};
  {
    auto lock = st.lock(biz->id, intent.customer, true);
    // A customer reached exactly 24 hours ago no longer counts.
    const timestamp since = now - service_window_length + std::chrono::milliseconds{1};
    auto reads = st.load_for_send(biz->id, key, since);
    const auto state = reads.conversation.value_or(conversation_state{});
    const auto cust = reads.customer.value_or(customer_state{});
    const auto num = reads.number;
    const window_info w = windows_at(state, now);
    const send_context ctx{*biz,
                           *number,
                           intent,
                           cust,
                           state,
                           num,
                           reads.reached_customers,
                           reads.was_reached,
                           now,
                           entry,
                           w,
                           std::move(languages)};

    out.decision.window = w;
    for (const auto& rule : rules) {
      if (auto refusal = rule->check(ctx)) {
        out.decision.allowed = false;
        out.decision.refusal = std::move(refusal);
        out.decision.policy = std::string(rule->name());
        break;
      }
    }
    if (!out.decision.refusal) {
      out.decision.allowed = true;
      charge = decide(send_facts(ctx));
      out.decision.charge = charge.reason;
    }
    if (!commit || !out.decision.allowed) {
      if (commit) events.add([i = intent, e = *out.decision.refusal](observer& o) { o.send_refused(i, e); });
      lock.reset();
      deliver(events);
      return out;
    }

    conversation_state next_state = state;
    number_state next_num = num;
    send_effects effects{next_state, next_num};
    for (const auto& rule : rules) rule->commit(ctx, effects);
    // A service message counted in the number's monthly free tier (pmp_2026_10).
    const auto local = biz->zone.local_date(now);
    if (charge.count != 0 &&
        counter_for(model_in_force(local), message_kind::service, local) ==
            monthly_counter::service_messages_of_number &&
        !is_template(intent.content)) {
      const auto month = month_number(local);
      next_num.service_messages = num.service_messages_in(month) + 1;
      next_num.service_month = month;
      const std::uint64_t free = pricing_constants::free_service_messages_per_number;
      const std::uint64_t used = next_num.service_messages;
      if (used == free * 9 / 10 || used == free)
        events.add([id = number->id, used](observer& o) {
          o.free_tier_near(id, static_cast<std::uint32_t>(used),
                           static_cast<std::uint32_t>(pricing_constants::free_service_messages_per_number));
        });
    }
    if (w.entry_point_pending) {
      next_state.entry_point_start = now;
      events.add([key, closes = next_state.entry_point_closes_at()](observer& o) {
        o.entry_point_opened(key, closes);
      });
    }
    next_state.last_outbound = now;
    ++next_state.outbound_count;

    if (intent.correlation_id.empty())
      intent.correlation_id =
          correlation_prefix + std::to_string(next_correlation.fetch_add(1, std::memory_order_relaxed));
    message_record record;
    record.correlation_id = intent.correlation_id;
    record.key = key;
    record.direction = direction::outbound;
    record.type = std::string(type_name(intent.content));
    if (tmpl != nullptr) record.category = entry ? entry->category : tmpl->category;
    record.charge = out.decision.charge;
    record.status = message_status::accepted;
    record.at = now;
    record.status_at = now;
    if (!st.add_message(record))
      return make_error(
          "desk.duplicate_correlation_id",
          fmt::format("a message with correlation id '{}' was already sent", intent.correlation_id),
          "correlation_id");
    outbound.direction = direction::outbound;
    outbound.correlation_id = intent.correlation_id;
    outbound.business_number_id = intent.business_number_id;
    outbound.customer = intent.customer;
    outbound.at = now;
    outbound.content = intent.content;
    if (!intent.reply_to.empty()) outbound.context = reply_context{intent.reply_to, {}, false, false, {}, {}};
    st.keep_content(outbound);
    st.save_conversation(key, next_state);
    st.save_number(number->id, next_num);
    if (effects.count_reached_customer) {
      st.record_reached(biz->id, intent.customer, now);
      if (const auto limit = limit_of(biz->tier)) {
        const std::uint64_t used = ctx.reached_customers_24h + 1ULL;
        const std::uint64_t threshold = *limit * std::uint64_t{options.limit_near_percent};
        const bool crossed = used * 100 >= threshold && (used - 1) * 100 < threshold;
        if (crossed || used == *limit)
          events.add([bid = biz->id, used, l = *limit](observer& o) {
            o.limit_near(bid, static_cast<std::uint32_t>(used), l);
          });
      }
    }
    out.correlation_id = intent.correlation_id;
    lock->commit();
  }
  deliver(events);

  if (tr != nullptr) {
    const auto answer = tr->deliver(outbound_message{*biz, *number, outbound});
    message_record sent;  // what `answered` needs to find the record again, under the lock
    sent.correlation_id = out.correlation_id;
    sent.key = key;
    auto applied = answered(sent, answer);
    if (applied) out.status = applied->status;
    const bool recorded = applied.has_value();  // the answer is the message's (not another's platform id)
    if (answer.outcome == transport_answer::kind::accepted && recorded) out.message_id = answer.message_id;
    if (answer.outcome == transport_answer::kind::failed) out.transport_error = answer.error;
  }
  return out;
}

result<void> desk::impl::register_business(business b, bool save) {
  std::unique_lock g(config_mu);
  for (const auto& n : b.numbers) {
    auto owner = number_owner.find(std::string_view(n.id));
    if (owner != number_owner.end() && owner->second->id != b.id)
      return make_error("desk.number_taken",
                        fmt::format("number '{}' already belongs to business '{}'", n.id, owner->second->id),
                        "numbers");
  }
  if (save) st.save_business(b);  // first: a store that fails leaves the desk as it was
  // Drop the numbers a replaced definition no longer has.
  if (auto old = businesses.find(std::string_view(b.id)); old != businesses.end()) {
    for (const auto& n : old->second->numbers) number_owner.erase(n.id);
  }
  auto stored = std::make_shared<const business>(std::move(b));
  for (const auto& n : stored->numbers) number_owner[n.id] = stored;
  businesses[stored->id] = stored;
  return {};
}

result<status_result> desk::impl::answered(const message_record& found, const transport_answer& answer) {
  auto biz = business_of_number(found.key.business_number_id);
  event_list events(observed());
  status_result out;
  bool identified = false;  // the answer gave the message its platform id
  {
    auto lock = st.lock(biz ? biz->id : std::string(), found.key.customer, false);
    // With an accepted answer, whether its platform id is taken is read in the same trip.
    const bool accepted = answer.outcome == transport_answer::kind::accepted;
    auto both = accepted ? st.find_messages({found.correlation_id, answer.message_id})
                         : std::vector<std::optional<message_record>>{st.find_message(found.correlation_id)};
    auto& record = both.front();
    if (!record) return make_error("desk.unknown_message", "the message disappeared", "correlation_id");
    out.status = record->status;
    if (accepted) {
      if (!record->id.empty() && record->id != answer.message_id)
        return make_error(
            "desk.invalid_answer",
            fmt::format("message '{}' already has the platform id '{}'", record->correlation_id, record->id),
            "message_id");
      if (record->id.empty()) {
        if (const auto& other = both.back())
          return make_error(
              "desk.invalid_answer",
              fmt::format("the platform id '{}' already belongs to message '{}'", answer.message_id,
                          other->correlation_id.empty() ? other->id : other->correlation_id),
              "message_id");
      }
      out.change = record->id.empty() ? status_change::advanced : status_change::duplicate;
      record->id = answer.message_id;
      st.update_message(*record);
      identified = out.change == status_change::advanced;
    } else if (answer.outcome == transport_answer::kind::failed) {
      const auto from = record->status;
      out.change = compare_status(from, message_status::failed);
      if (out.change == status_change::advanced) {
        record->status = message_status::failed;
        record->status_at = clock.now();
        record->error = answer.error;
        save_status_change(st, *record, from);
        out.status = record->status;
        events.add([r = *record, from](observer& o) { o.status_changed(r, from); });
      }
    }
    lock->commit();
  }
  deliver(events);
  if (identified) {  // statuses that overtook this answer
    for (const auto& update : release(answer.message_id))
      if (auto applied = apply_known(update); applied && *applied) out.status = (*applied)->status;
  }
  return out;
}

result<decision> desk::check(const send_intent& intent) {
  return guard_store([&]() -> result<decision> {
    send_intent copy = intent;
    auto r = impl_->evaluate(copy, false);
    if (!r) return r.error();
    return r->decision;
  });
}

result<send_result> desk::send(send_intent intent) {
  return guard_store([&]() -> result<send_result> { return impl_->evaluate(intent, true); });
}

result<status_result> desk::transport_answered(std::string_view correlation_id,
                                               const transport_answer& answer) {
  return guard_store([&]() -> result<status_result> {
    auto found = impl_->st.find_message(correlation_id);
    if (!found || found->direction != direction::outbound)
      return make_error("desk.unknown_message",
                        fmt::format("no outbound message has the correlation id '{}'", correlation_id),
                        "correlation_id");
    return impl_->answered(*found, answer);
  });
}

result<std::size_t> desk::replay_journal(observer& o, timestamp since) {
  return guard_store([&]() -> result<std::size_t> {
    std::size_t replayed = 0;
    std::optional<error> bad;
    impl_->st.read_journal(since, [&](const journal_entry& e) {
      auto event = detail::read_journal_entry(e.at, e.data);
      if (!event) {
        bad = make_error("store.corrupt", fmt::format("journal entry {} cannot be read", e.seq), "journal");
        return false;
      }
      if (const auto* m = std::get_if<message>(&*event)) {
        o.message_received(*m);
      } else {
        const auto& c = std::get<detail::journal_status_change>(*event);
        o.status_changed(c.record, c.from);
      }
      ++replayed;
      return true;
    });
    if (bad) return *bad;
    return replayed;
  });
}

result<void> transport::mark_read(const read_receipt& receipt) {
  (void)receipt;
  return make_error("transport.unsupported",
                    "this transport does not send read receipts or typing indicators", "transport");
}

result<void> desk::mark_read(std::string_view message_id, bool typing) {
  return guard_store([&]() -> result<void> {
    const auto found = message_id.empty() ? std::nullopt : impl_->st.find_message(message_id);
    if (!found || found->id.empty())
      return make_error("desk.unknown_message",
                        fmt::format("no customer's message has the id '{}'", utf8::printable(message_id)),
                        "message_id");
    if (found->direction != direction::inbound)
      return make_error("desk.invalid_receipt",
                        fmt::format("message '{}' was sent by the business; only a customer's messages are "
                                    "marked read",
                                    found->id),
                        "message_id");
    const auto biz = impl_->business_of_number(found->key.business_number_id);
    const business_number* number = biz ? biz->find_number(found->key.business_number_id) : nullptr;
    if (number == nullptr)
      return make_error("desk.unknown_number",
                        fmt::format("no business has the number '{}'", found->key.business_number_id),
                        "business_number_id");
    if (impl_->tr == nullptr)
      return make_error("desk.no_transport", "the desk has no transport to send the read receipt through",
                        "transport");
    return impl_->tr->mark_read(read_receipt{*biz, *number, found->key.customer, found->id, typing});
  });
}

result<service_tier_usage> desk::service_messages(std::string_view business_number_id) {
  return guard_store([&]() -> result<service_tier_usage> {
    auto biz = impl_->business_of_number(business_number_id);
    if (!biz)
      return make_error("desk.unknown_number",
                        fmt::format("no business has the number '{}'", utf8::printable(business_number_id)),
                        "business_number_id");
    const auto local = biz->zone.local_date(impl_->clock.now());
    const auto state = impl_->st.load_number(business_number_id);
    service_tier_usage u;
    u.month = std::string(date::format("%Y-%m", date::sys_days{local}));
    u.free = static_cast<std::uint32_t>(pricing_constants::free_service_messages_per_number);
    u.used = state.service_messages_in(month_number(local));
    u.left = u.used >= u.free ? 0 : u.free - u.used;
    return u;
  });
}

window_info desk::window(std::string_view business_number_id, const phone_number& customer) {
  const auto state = conversation(business_number_id, customer).value_or(conversation_state{});
  return windows_at(state, impl_->clock.now());
}

std::optional<conversation_state> desk::conversation(std::string_view business_number_id,
                                                     const phone_number& customer) {
  return impl_->st.load_conversation(conversation_key{std::string(business_number_id), customer});
}

std::optional<customer_state> desk::customer(std::string_view business_id, const phone_number& customer) {
  return impl_->st.load_customer(business_id, customer);
}

result<void> desk::opt_in(std::string_view business_id, const phone_number& customer, std::string source) {
  return guard_store([&]() -> result<void> {
    const auto now = impl_->clock.now();
    return impl_->change_customer(business_id, customer, [&](customer_state& cs) {
      cs.consent.opted_in_at = now;
      cs.consent.opt_in_source = std::move(source);
      return true;
    });
  });
}

result<void> desk::opt_out(std::string_view business_id, const phone_number& customer) {
  return guard_store([&]() -> result<void> {
    const auto now = impl_->clock.now();
    return impl_->change_customer(business_id, customer, [&](customer_state& cs) {
      cs.consent.opted_out_at = now;
      return true;
    });
  });
}

result<void> desk::set_blocked(std::string_view business_id, const phone_number& customer, bool blocked) {
  return guard_store([&]() -> result<void> {
    return impl_->change_customer(business_id, customer, [&](customer_state& cs) {
      cs.blocked = blocked;
      return false;  // not a consent change
    });
  });
}

result<std::size_t> desk::purge(timestamp before) {
  return guard_store([&]() -> result<std::size_t> {
    const auto horizon = impl_->clock.now() - impl_->options.max_event_age;
    return impl_->st.purge(before, std::min(before, horizon));
  });
}

void desk::tick() {
  const auto now = impl_->clock.now();
  std::vector<timer> due;
  {
    std::lock_guard g(impl_->timers_mu);
    while (!impl_->timers.empty() && impl_->timers.top().due <= now) {
      due.push_back(impl_->timers.top());
      impl_->timers.pop();
    }
  }
  event_list events(impl_->observed());
  for (const auto& t : due) {
    const auto state = impl_->st.load_conversation(t.key);
    if (!state) continue;
    const auto end = state->service_window_closes_at();
    if (end != t.window_end) {
      // The customer wrote again: follow the window to its new end, once.
      if (end > t.window_end) {
        std::lock_guard g(impl_->timers_mu);
        impl_->timers.push(
            {t.kind == timer_kind::closing ? end - impl_->options.closing_notice : end, t.kind, t.key, end});
      }
      continue;
    }
    if (t.kind == timer_kind::closing) {
      if (now < end) events.add([k = t.key, end](observer& o) { o.window_closing(k, end); });
    } else {
      events.add([k = t.key, end](observer& o) { o.window_closed(k, end); });
    }
  }
  // Timers rescheduled above may already be due.
  bool more = false;
  {
    std::lock_guard g(impl_->timers_mu);
    more = !impl_->timers.empty() && impl_->timers.top().due <= now && !due.empty();
  }
  impl_->deliver(events);
  try {
    impl_->st.save_mark(tick_mark, now);  // what a desk made again need not announce
  } catch (const exception&) {  // NOLINT(bugprone-empty-catch): a lost mark only means announcing again
  }
  if (more) {
    tick();
    return;
  }
  const auto last_purge = impl_->last_purge.load();
  if (impl_->options.keep_messages_for &&
      (last_purge == never || now - last_purge >= std::chrono::hours(1))) {
    impl_->last_purge.store(now);
    (void)purge(now - *impl_->options.keep_messages_for);  // a store's failure waits for the next hour
  }
}

}  // namespace chatdesk
