#include "chatdesk/model/message.hpp"

#include <fmt/format.h>

#include "../core/ascii.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

std::string_view to_string(template_category c) noexcept {
  switch (c) {
    case template_category::marketing:
      return "marketing";
    case template_category::utility:
      return "utility";
    case template_category::authentication:
      return "authentication";
  }
  return "unknown";
}

result<template_category> parse_template_category(std::string_view text) {
  const auto t = detail::ascii_lower(text);
  if (t == "marketing") return template_category::marketing;
  if (t == "utility") return template_category::utility;
  if (t == "authentication") return template_category::authentication;
  return make_error("message.unknown_category",
                    fmt::format("'{}' is not a template category (marketing, utility, authentication)",
                                utf8::printable(text)));
}

std::string_view to_string(media_kind k) noexcept {
  switch (k) {
    case media_kind::image:
      return "image";
    case media_kind::video:
      return "video";
    case media_kind::audio:
      return "audio";
    case media_kind::document:
      return "document";
    case media_kind::sticker:
      return "sticker";
  }
  return "unknown";
}

std::string_view to_string(interactive_kind k) noexcept {
  switch (k) {
    case interactive_kind::button:
      return "button";
    case interactive_kind::list:
      return "list";
    case interactive_kind::cta_url:
      return "cta_url";
    case interactive_kind::order_details:
      return "order_details";
    case interactive_kind::order_status:
      return "order_status";
    case interactive_kind::button_reply:
      return "button_reply";
    case interactive_kind::list_reply:
      return "list_reply";
    case interactive_kind::quick_reply:
      return "quick_reply";
    case interactive_kind::flow_reply:
      return "flow_reply";
  }
  return "unknown";
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
  switch (s) {
    case message_status::accepted:
      return "accepted";
    case message_status::sent:
      return "sent";
    case message_status::delivered:
      return "delivered";
    case message_status::read:
      return "read";
    case message_status::failed:
      return "failed";
  }
  return "unknown";
}

result<message_status> parse_message_status(std::string_view text) {
  const auto t = detail::ascii_lower(text);
  if (t == "accepted") return message_status::accepted;
  if (t == "sent") return message_status::sent;
  if (t == "delivered") return message_status::delivered;
  if (t == "read") return message_status::read;
  if (t == "failed") return message_status::failed;
  return make_error("message.unknown_status",
                    fmt::format("'{}' is not a message status (accepted, sent, delivered, read, failed)",
                                utf8::printable(text)));
}

std::string_view to_string(status_change c) noexcept {
  switch (c) {
    case status_change::advanced:
      return "advanced";
    case status_change::duplicate:
      return "duplicate";
    case status_change::stale:
      return "stale";
    case status_change::held:
      return "held";
  }
  return "unknown";
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

}  // namespace chatdesk

#include "chatdesk/model/template_status.hpp"

namespace chatdesk {

std::string_view to_string(template_status s) noexcept {
  switch (s) {
    case template_status::approved:
      return "APPROVED";
    case template_status::pending:
      return "PENDING";
    case template_status::rejected:
      return "REJECTED";
    case template_status::paused:
      return "PAUSED";
    case template_status::disabled:
      return "DISABLED";
  }
  return "UNKNOWN";
}

result<template_status> parse_template_status(std::string_view text) {
  const auto t = detail::ascii_upper(text);
  if (t == "APPROVED") return template_status::approved;
  if (t == "PENDING") return template_status::pending;
  if (t == "REJECTED") return template_status::rejected;
  if (t == "PAUSED") return template_status::paused;
  if (t == "DISABLED") return template_status::disabled;
  return make_error(
      "template.unknown_status",
      fmt::format("'{}' is not a template status (APPROVED, PENDING, REJECTED, PAUSED, DISABLED)",
                  utf8::printable(text)));
}

}  // namespace chatdesk
