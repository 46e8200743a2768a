#include "chatdesk/engine/policy.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "chatdesk/templates/binding.hpp"

namespace chatdesk {

std::optional<std::chrono::microseconds> rate_limit::wait(std::int64_t tat_us,
                                                          std::int64_t now_us) const noexcept {
  // Allowed when the bucket, drained at one message per interval, has room:
  // tat - now <= (burst - 1) * interval.
  const std::int64_t tolerance = (burst - 1) * interval.count();
  const std::int64_t earliest = tat_us - tolerance;
  if (now_us >= earliest) return std::nullopt;
  return std::chrono::microseconds{earliest - now_us};
}

std::int64_t rate_limit::next(std::int64_t tat_us, std::int64_t now_us) const noexcept {
  return std::max(tat_us, now_us) + interval.count();
}

namespace {

std::int64_t micros(timestamp t) noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::string seconds_text(std::chrono::microseconds d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return fmt::format("{}.{:03} s", ms / 1000, ms % 1000);
}

std::string customer_text(const send_context& ctx) {
  return fmt::format("{}", ctx.intent.customer);
}

std::optional<template_category> category_of(const send_context& ctx) {
  if (ctx.template_entry) return ctx.template_entry->category;
  if (const auto* t = std::get_if<template_content>(&ctx.intent.content)) return t->category;
  return std::nullopt;
}

class customer_blocked_policy final : public send_policy {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "customer_blocked"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    if (!ctx.customer.blocked) return std::nullopt;
    return make_error(
        "policy.customer_blocked",
        fmt::format("{} blocked {}: unblock the customer before sending",
                    ctx.biz.display_name.empty() ? ctx.biz.id : ctx.biz.display_name, customer_text(ctx)));
  }
};

class consent_policy final : public send_policy {
 public:
  explicit consent_policy(bool block_service_replies) : block_service_replies_(block_service_replies) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "consent"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    if (!ctx.customer.consent.opted_out()) return std::nullopt;
    if (!is_template(ctx.intent.content) && !block_service_replies_) return std::nullopt;
    return make_error("policy.opted_out",
                      fmt::format("{} opted out on {}: no {} may be sent until they opt in again",
                                  customer_text(ctx), format_timestamp(*ctx.customer.consent.opted_out_at),
                                  is_template(ctx.intent.content) ? "template" : "message"));
  }

 private:
  bool block_service_replies_;
};

class service_window_policy final : public send_policy {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "service_window"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    if (is_template(ctx.intent.content) || ctx.window.service_window_open) return std::nullopt;
    if (ctx.conversation.last_inbound == never)
      return make_error("policy.outside_service_window",
                        fmt::format("{} has never written to this number, so only a template may be sent",
                                    customer_text(ctx)));
    return make_error(
        "policy.outside_service_window",
        fmt::format("the customer service window with {} closed at {} (24 hours after their last "
                    "message): send an approved template instead",
                    customer_text(ctx), format_timestamp(ctx.conversation.service_window_closes_at())));
  }
};

class template_status_policy final : public send_policy {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "template_status"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    const auto* t = std::get_if<template_content>(&ctx.intent.content);
    if (t == nullptr) return std::nullopt;
    if (!ctx.template_entry && !ctx.template_languages.empty())
      return make_error(
          "policy.template_language",
          fmt::format("template '{}' has no '{}' version for business '{}' (it has: {})", t->name,
                      t->language, ctx.biz.id, fmt::join(ctx.template_languages, ", ")),
          "language");
    if (!ctx.template_entry)
      return make_error("policy.unknown_template",
                        fmt::format("template '{}' in language '{}' is not known for business '{}'", t->name,
                                    t->language, ctx.biz.id));
    if (ctx.template_entry->status == chatdesk::template_status::approved) return std::nullopt;
    std::string why = ctx.template_entry->status_reason.empty()
                          ? std::string()
                          : " (" + ctx.template_entry->status_reason + ")";
    return make_error("policy.template_not_approved",
                      fmt::format("template '{}' ({}) is {}{}: only APPROVED templates can be sent", t->name,
                                  t->language, to_string(ctx.template_entry->status), why));
  }
};

class template_values_policy final : public send_policy {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "template_values"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    const auto* t = std::get_if<template_content>(&ctx.intent.content);
    if (t == nullptr || !ctx.template_entry || !ctx.template_entry->definition) return std::nullopt;
    auto checked = check_content(*ctx.template_entry->definition, *t);
    if (checked) return std::nullopt;
    return make_error("policy.template_values",
                      fmt::format("template '{}' ({}): {}", t->name, t->language, checked.error().message),
                      checked.error().where);
  }
};

class us_marketing_policy final : public send_policy {
 public:
  explicit us_marketing_policy(timestamp since) : since_(since) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "us_marketing"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    if (ctx.now < since_ || ctx.intent.customer.country().alpha2() != "US") return std::nullopt;
    if (category_of(ctx) != template_category::marketing) return std::nullopt;
    return make_error(
        "policy.us_marketing",
        fmt::format("marketing templates are not delivered to United States numbers since {} ({})",
                    format_timestamp(since_).substr(0, 10), customer_text(ctx)));
  }

 private:
  timestamp since_;
};

class messaging_limit_policy final : public send_policy {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "messaging_limit"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    if (!ctx.business_initiated() || ctx.customer_reached_24h) return std::nullopt;
    const auto limit = limit_of(ctx.biz.tier);
    if (!limit || ctx.reached_customers_24h < *limit) return std::nullopt;
    return make_error(
        "policy.messaging_limit",
        fmt::format("business '{}' has reached {} unique customers outside a service window in the "
                    "last 24 hours, the limit of its tier {}: {} can be reached when older sends age out",
                    ctx.biz.id, ctx.reached_customers_24h, to_string(ctx.biz.tier), customer_text(ctx)));
  }
  void commit(const send_context& ctx, send_effects& effects) const override {
    if (ctx.business_initiated() && !ctx.customer_reached_24h) effects.count_reached_customer = true;
  }
};

class pair_rate_policy final : public send_policy {
 public:
  pair_rate_policy(std::chrono::milliseconds interval, std::int64_t burst)
      : limit_{std::chrono::duration_cast<std::chrono::microseconds>(interval),
               std::max<std::int64_t>(burst, 1)} {}
  [[nodiscard]] std::string_view name() const noexcept override { return "pair_rate"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    const auto wait = limit_.wait(ctx.conversation.pair_rate_tat_us, micros(ctx.now));
    if (!wait) return std::nullopt;
    return make_error(
        "policy.pair_rate",
        fmt::format("too many messages to {} in a short time (one every {} with bursts of {}): retry "
                    "in {}",
                    customer_text(ctx), seconds_text(limit_.interval), limit_.burst, seconds_text(*wait)));
  }
  void commit(const send_context& ctx, send_effects& effects) const override {
    effects.conversation.pair_rate_tat_us = limit_.next(ctx.conversation.pair_rate_tat_us, micros(ctx.now));
  }

 private:
  rate_limit limit_;
};

class service_free_tier_policy final : public send_policy {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "service_free_tier"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    const auto f = send_facts(ctx);
    if (decide(f).reason != charge_reason::service_message) return std::nullopt;
    return make_error(
        "policy.service_free_tier",
        fmt::format("number '{}' has sent its {} free service messages this month: the platform charges "
                    "more, and does not deliver them without a payment method",
                    ctx.number.id, pricing_constants::free_service_messages_per_number));
  }
};

class throughput_policy final : public send_policy {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "throughput"; }
  [[nodiscard]] std::optional<error> check(const send_context& ctx) const override {
    const auto limit = limit_for(ctx.number);
    const auto wait = limit.wait(ctx.number_state.throughput_tat_us, micros(ctx.now));
    if (!wait) return std::nullopt;
    return make_error(
        "policy.throughput",
        fmt::format("number '{}' is sending faster than its {} messages per second: retry in {}",
                    ctx.number.id, ctx.number.throughput_per_second, seconds_text(*wait)));
  }
  void commit(const send_context& ctx, send_effects& effects) const override {
    effects.number_state.throughput_tat_us =
        limit_for(ctx.number).next(ctx.number_state.throughput_tat_us, micros(ctx.now));
  }

 private:
  static rate_limit limit_for(const business_number& n) {
    const std::int64_t per_second = std::max<std::int64_t>(n.throughput_per_second, 1);
    return rate_limit{std::chrono::microseconds{1'000'000 / per_second}, per_second};
  }
};

}  // namespace

std::int32_t month_number(date::year_month_day day) noexcept {
  return static_cast<std::int32_t>(day.year()) * 12 + static_cast<std::int32_t>(unsigned(day.month())) - 1;
}

message_facts send_facts(const send_context& ctx) {
  message_facts f;
  f.local_date = ctx.biz.zone.local_date(ctx.now);
  f.model = model_in_force(f.local_date);
  const auto* t = std::get_if<template_content>(&ctx.intent.content);
  f.kind = t == nullptr ? message_kind::service
                        : kind_of(ctx.template_entry ? ctx.template_entry->category : t->category);
  f.reaction = std::holds_alternative<reaction_content>(ctx.intent.content);
  f.exempt = ctx.biz.paid_exempt;
  f.service_window_open_at_send = ctx.window.service_window_open;
  f.in_entry_point =
      has_entry_points(f.model) && (ctx.window.entry_point_open || ctx.window.entry_point_pending);
  f.international = f.kind == message_kind::authentication && ctx.biz.auth_international_from &&
                    *ctx.biz.auth_international_from <= ctx.now && !ctx.biz.home_country.empty() &&
                    !(ctx.biz.home_country == ctx.intent.customer.country());
  f.counted_before = counter_for(f.model, f.kind, f.local_date) == monthly_counter::service_messages_of_number
                         ? ctx.number_state.service_messages_in(month_number(f.local_date))
                         : pricing_constants::free_conversations_per_month;
  return f;
}

namespace policies {
std::unique_ptr<send_policy> customer_blocked() {
  return std::make_unique<customer_blocked_policy>();
}
std::unique_ptr<send_policy> consent(bool block_service_replies) {
  return std::make_unique<consent_policy>(block_service_replies);
}
std::unique_ptr<send_policy> service_window() {
  return std::make_unique<service_window_policy>();
}
std::unique_ptr<send_policy> template_status() {
  return std::make_unique<template_status_policy>();
}
std::unique_ptr<send_policy> template_values() {
  return std::make_unique<template_values_policy>();
}
std::unique_ptr<send_policy> us_marketing(timestamp since) {
  return std::make_unique<us_marketing_policy>(since);
}
std::unique_ptr<send_policy> messaging_limit() {
  return std::make_unique<messaging_limit_policy>();
}
std::unique_ptr<send_policy> pair_rate(std::chrono::milliseconds interval, std::int64_t burst) {
  return std::make_unique<pair_rate_policy>(interval, burst);
}
std::unique_ptr<send_policy> throughput() {
  return std::make_unique<throughput_policy>();
}
std::unique_ptr<send_policy> service_free_tier() {
  return std::make_unique<service_free_tier_policy>();
}

std::vector<std::unique_ptr<send_policy>> defaults(bool block_service_replies_on_opt_out) {
  std::vector<std::unique_ptr<send_policy>> out;
  out.push_back(customer_blocked());
  out.push_back(consent(block_service_replies_on_opt_out));
  out.push_back(service_window());
  out.push_back(template_status());
  out.push_back(template_values());
  out.push_back(us_marketing());
  out.push_back(messaging_limit());
  out.push_back(pair_rate());
  out.push_back(throughput());
  return out;
}
}  // namespace policies

}  // namespace chatdesk
