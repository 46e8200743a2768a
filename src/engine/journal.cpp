#include "journal.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "chatdesk/core/json.hpp"
#include "chatdesk/model/documents.hpp"

namespace chatdesk::detail {

namespace {

using json = nlohmann::json;

std::int64_t ms(timestamp t) noexcept {
  return t.time_since_epoch().count();
}
timestamp at_ms(std::int64_t v) noexcept {
  return timestamp{std::chrono::milliseconds{v}};
}

}  // namespace

std::string journal_received(const message& m) {
  message bare = m;
  bare.content = unsupported_content{std::string(type_name(m.content)), {}};  // the type without the content
  json j{{"kind", "received"}, {"message", json::parse(to_json(bare))}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string journal_status(const message_record& r, message_status from) {
  json record{{"id", r.id},
              {"correlation_id", r.correlation_id},
              {"number_id", r.key.business_number_id},
              {"customer", r.key.customer.e164()},
              {"direction", static_cast<int>(r.direction)},
              {"type", r.type},
              {"category", r.category ? static_cast<int>(*r.category) : -1},
              {"charge", static_cast<int>(r.charge)},
              {"status", static_cast<int>(r.status)},
              {"at", ms(r.at)},
              {"status_at", ms(r.status_at)}};
  if (r.error)
    record["error"] = {{"code", r.error->code},
                       {"title", r.error->title},
                       {"details", r.error->details},
                       {"message", r.error->message}};
  json j{{"kind", "status"}, {"from", static_cast<int>(from)}, {"record", std::move(record)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<journal_event> read_journal_entry(std::string_view data) {
  if (json_nesting_depth(data) > 8) return std::nullopt;  // not the desk's: it writes 3 levels
  const auto j = json::parse(data, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    const auto kind = j.at("kind").get<std::string>();
    if (kind == "received") {
      auto m = parse_message(j.at("message").dump());
      if (!m) return std::nullopt;
      return journal_event{std::move(*m)};
    }
    if (kind != "status") return std::nullopt;
    const auto& r = j.at("record");
    journal_status_change c;
    c.from = static_cast<message_status>(j.at("from").get<int>());
    c.record.id = r.at("id").get<std::string>();
    c.record.correlation_id = r.at("correlation_id").get<std::string>();
    c.record.key.business_number_id = r.at("number_id").get<std::string>();
    auto customer = phone_number::parse(r.at("customer").get<std::string>());
    if (!customer) return std::nullopt;
    c.record.key.customer = *customer;
    c.record.direction = static_cast<direction>(r.at("direction").get<int>());
    c.record.type = r.at("type").get<std::string>();
    if (const int category = r.at("category").get<int>(); category >= 0)
      c.record.category = static_cast<template_category>(category);
    c.record.charge = static_cast<charge_reason>(r.at("charge").get<int>());
    c.record.status = static_cast<message_status>(r.at("status").get<int>());
    c.record.at = at_ms(r.at("at").get<std::int64_t>());
    c.record.status_at = at_ms(r.at("status_at").get<std::int64_t>());
    if (r.contains("error")) {
      const auto& e = r.at("error");
      c.record.error = status_error{e.at("code").get<int>(), e.at("title").get<std::string>(),
                                    e.at("details").get<std::string>(), e.at("message").get<std::string>()};
    }
    return journal_event{std::move(c)};
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace chatdesk::detail
