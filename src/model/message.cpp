#include "chatdesk/model/message.hpp"

#include <fmt/format.h>

#include "../core/names.hpp"
#include "chatdesk/core/utf8.hpp"
#include "chatdesk/model/template_status.hpp"

namespace chatdesk {

namespace {

// The names, in the order of each enum's values.
constexpr std::array<std::string_view, 3> category_names{"marketing", "utility", "authentication"};
constexpr std::array<std::string_view, 5> media_names{"image", "video", "audio", "document", "sticker"};
constexpr std::array<std::string_view, 9> interactive_names{"button",        "list",         "cta_url",
                                                            "order_details", "order_status", "button_reply",
                                                            "list_reply",    "quick_reply",  "flow_reply"};
constexpr std::array<std::string_view, 3> button_kind_names{"url", "quick_reply", "copy_code"};
constexpr std::array<std::string_view, 5> status_names{"accepted", "sent", "delivered", "read", "failed"};
constexpr std::array<std::string_view, 4> change_names{"advanced", "duplicate", "stale", "held"};
constexpr std::array<std::string_view, 5> template_status_names{"APPROVED", "PENDING", "REJECTED", "PAUSED",
                                                                "DISABLED"};
static_assert(static_cast<std::size_t>(template_category::authentication) + 1 == category_names.size());
static_assert(static_cast<std::size_t>(media_kind::sticker) + 1 == media_names.size());
static_assert(static_cast<std::size_t>(interactive_kind::flow_reply) + 1 == interactive_names.size());
static_assert(static_cast<std::size_t>(template_button_kind::copy_code) + 1 == button_kind_names.size());
static_assert(static_cast<std::size_t>(message_status::failed) + 1 == status_names.size());
static_assert(static_cast<std::size_t>(status_change::held) + 1 == change_names.size());
static_assert(static_cast<std::size_t>(template_status::disabled) + 1 == template_status_names.size());

}  // namespace

std::string_view to_string(template_category c) noexcept {
  return detail::name_in(category_names, c);
}

result<template_category> parse_template_category(std::string_view text) {
  if (auto c = detail::named_ignoring_case<template_category>(category_names, text)) return *c;
  return make_error("message.unknown_category",
                    fmt::format("'{}' is not a template category ({})", utf8::printable(text),
                                detail::names_list(category_names)));
}

std::string_view to_string(media_kind k) noexcept {
  return detail::name_in(media_names, k);
}

result<media_kind> parse_media_kind(std::string_view text) {
  if (auto k = detail::named<media_kind>(media_names, text)) return *k;
  return make_error(
      "message.unknown_media",
      fmt::format("'{}' is not a media kind ({})", utf8::printable(text), detail::names_list(media_names)));
}

media_kind media_kind_of_mime(std::string_view mime) noexcept {
  // MIME types are case-insensitive (RFC 2045).
  const auto starts = [&](std::string_view prefix) {
    return detail::iequals(mime.substr(0, prefix.size()), prefix);
  };
  if (starts("image/webp")) return media_kind::sticker;
  if (starts("image/")) return media_kind::image;
  if (starts("video/")) return media_kind::video;
  if (starts("audio/")) return media_kind::audio;
  return media_kind::document;
}

template_parameter template_parameter::currency(std::string key, std::string fallback, std::string code,
                                                std::int64_t amount_1000) {
  template_parameter p(std::move(key), std::move(fallback));
  p.kind = type::currency;
  p.currency_code = std::move(code);
  p.amount_1000 = amount_1000;
  return p;
}

template_parameter template_parameter::date_time(std::string key, std::string fallback) {
  template_parameter p(std::move(key), std::move(fallback));
  p.kind = type::date_time;
  return p;
}

template_parameter template_parameter::media(media_kind kind, std::string media_id, std::string link,
                                             std::string filename) {
  template_parameter p;
  p.kind = type::media;
  p.media_type = kind;
  p.media_id = std::move(media_id);
  p.link = std::move(link);
  p.filename = std::move(filename);
  return p;
}

bool template_parameter::positional() const noexcept {
  return !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
}

std::string_view to_string(template_button_kind k) noexcept {
  return detail::name_in(button_kind_names, k);
}

std::string_view to_string(interactive_kind k) noexcept {
  return detail::name_in(interactive_names, k);
}

std::string_view type_name(const content& c) noexcept {
  struct visitor {
    std::string_view operator()(const text_content&) const { return "text"; }
    std::string_view operator()(const template_content&) const { return "template"; }
    std::string_view operator()(const media_content& m) const { return to_string(m.kind); }
    std::string_view operator()(const location_content&) const { return "location"; }
    std::string_view operator()(const contacts_content&) const { return "contacts"; }
    std::string_view operator()(const interactive_content&) const { return "interactive"; }
    std::string_view operator()(const reaction_content&) const { return "reaction"; }
    std::string_view operator()(const order_content&) const { return "order"; }
    std::string_view operator()(const system_content&) const { return "system"; }
    std::string_view operator()(const unsupported_content& u) const { return u.type; }
  };
  return std::visit(visitor{}, c);
}

std::string_view to_string(message_status s) noexcept {
  return detail::name_in(status_names, s);
}

result<message_status> parse_message_status(std::string_view text) {
  if (auto st = detail::named_ignoring_case<message_status>(status_names, text)) return *st;
  return make_error("message.unknown_status",
                    fmt::format("'{}' is not a message status ({})", utf8::printable(text),
                                detail::names_list(status_names)));
}

std::string_view to_string(status_change c) noexcept {
  return detail::name_in(change_names, c);
}

status_change compare_status(message_status current, message_status incoming) noexcept {
  if (current == incoming) return status_change::duplicate;
  auto rank = [](message_status s) {
    switch (s) {
      case message_status::accepted:
        return 0;
      case message_status::sent:
        return 1;
      case message_status::delivered:
        return 3;
      case message_status::read:
        return 4;
      case message_status::failed:
        return 2;  // after sent, before delivery
    }
    return 0;
  };
  if (current == message_status::failed)
    // Only proof of delivery overrides a failure.
    return (incoming == message_status::delivered || incoming == message_status::read)
               ? status_change::advanced
               : status_change::stale;
  if (incoming == message_status::failed)
    return rank(current) < rank(message_status::delivered) ? status_change::advanced : status_change::stale;
  return rank(incoming) > rank(current) ? status_change::advanced : status_change::stale;
}

std::string_view to_string(template_status s) noexcept {
  return detail::name_in(template_status_names, s, "UNKNOWN");
}

result<template_status> parse_template_status(std::string_view text) {
  if (auto st = detail::named_ignoring_case<template_status>(template_status_names, text)) return *st;
  return make_error("template.unknown_status",
                    fmt::format("'{}' is not a template status ({})", utf8::printable(text),
                                detail::names_list(template_status_names)));
}

}  // namespace chatdesk
