#include "chatdesk/pricing/events.hpp"

#include <simdjson.h>

#include <algorithm>

#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

struct pricing_event_reader::impl {
  simdjson::ondemand::parser parser;
  std::string buffer;  // the line, with simdjson's padding after it
};

pricing_event_reader::pricing_event_reader() : impl_(std::make_unique<impl>()) {}
pricing_event_reader::~pricing_event_reader() = default;

namespace {

error field_error(std::string_view field, std::string_view what) {
  return make_error("pricing.field", fmt::format("'{}' {}", field, what), std::string(field));
}

}  // namespace

result<pricing_event> pricing_event_reader::parse(std::string_view line) {
  auto& buf = impl_->buffer;
  buf.assign(line);
  const auto length = buf.size();
  buf.resize(length + simdjson::SIMDJSON_PADDING, '\0');

  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(buf.data(), length, buf.size()).get(doc) != simdjson::SUCCESS)
    return make_error("pricing.syntax", "the line is not JSON");
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS)
    return make_error("pricing.syntax", "each line must be a JSON object");

  pricing_event e;
  std::string_view at, type, customer, kind, category, status;
  bool has_at = false, has_type = false, has_customer = false, has_id = false, has_business = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS)
      return make_error("pricing.syntax", "the line is not valid JSON");
    auto value = field.value();
    auto text = [&](std::string_view& out) -> std::optional<error> {
      if (value.get_string().get(out) != simdjson::SUCCESS) return field_error(key, "must be a string");
      return std::nullopt;
    };
    std::optional<error> bad;
    if (key == "at") {
      bad = text(at);
      has_at = true;
    } else if (key == "type") {
      bad = text(type);
      has_type = true;
    } else if (key == "business") {
      bad = text(e.business);
      has_business = true;
    } else if (key == "customer") {
      bad = text(customer);
      has_customer = true;
    } else if (key == "id") {
      bad = text(e.id);
      has_id = true;
    } else if (key == "kind") {
      bad = text(kind);
    } else if (key == "category") {
      bad = text(category);
    } else if (key == "number") {
      bad = text(e.number);
    } else if (key == "status") {
      bad = text(status);
    } else if (key == "referral") {
      if (value.get_bool().get(e.referral) != simdjson::SUCCESS)
        bad = field_error(key, "must be true or false");
    }
    // Unknown fields are ignored.
    if (bad) return *bad;
  }
  // The strings above view simdjson's buffer, which lives until the next parse.
  if (!has_type) return field_error("type", "is required");
  if (!has_at) return field_error("at", "is required");
  auto when = parse_timestamp(at);
  if (!when) return when.error();
  e.at = *when;
  if (!has_id || e.id.empty()) return field_error("id", "is required");
  if (type == "status") {
    e.type = pricing_event::kind::status;
    auto s = parse_message_status(status);
    if (!s) return s.error();
    e.status = *s;
    return e;
  }
  if (type != "inbound" && type != "outbound")
    return make_error(
        "pricing.unknown_type",
        fmt::format("'{}' is not an event type (inbound, outbound, status)", utf8::printable(type, 32)),
        "type");
  if (!has_business || e.business.empty()) return field_error("business", "is required");
  if (!has_customer) return field_error("customer", "is required");
  auto number = phone_number::parse(customer);
  if (!number) return number.error();
  e.customer = *number;
  if (type == "inbound") {
    e.type = pricing_event::kind::inbound;
    return e;
  }
  e.type = pricing_event::kind::outbound;
  if (kind == "template") {
    e.is_template = true;
    auto c = parse_template_category(category);
    if (!c) return c.error();
    e.category = *c;
  } else if (kind == "reaction") {
    e.reaction = true;
  } else if (kind != "free_form") {
    return field_error("kind", "must be \"template\", \"free_form\" or \"reaction\"");
  }
  return e;
}

pricing_run price_events(std::istream& in, const std::vector<ledger*>& ledgers,
                         const price_options& options) {
  pricing_run run;
  pricing_event_reader reader;
  line_reader lines(in, options.max_line, "the events");
  timestamp last{};
  bool started = false;
  auto problem = [&](const error& e) {
    ++run.problems;
    for (auto* l : ledgers) l->report({run.lines, e});
  };
  const std::size_t every = std::max<std::size_t>(options.progress_every, 1);
  while (auto next = lines.next()) {
    ++run.lines;
    if (options.progress && run.lines % every == 0) options.progress(run);
    if (!*next) {
      problem(next->error());
      continue;
    }
    const std::string_view line = **next;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto e = reader.parse(line);
    if (!e) {
      problem(std::move(e).error());
      continue;
    }
    if (options.latest && e->at > *options.latest) {
      problem(make_error(
          "pricing.future_time",
          fmt::format("the event at {} is later than {}: a time stamp from the future is not priced",
                      format_timestamp(e->at), format_timestamp(*options.latest)),
          "at"));
      continue;
    }
    if (started && e->at < last) {
      problem(make_error("pricing.out_of_order",
                         fmt::format("the event at {} comes after one at {}: events must be in time order",
                                     format_timestamp(e->at), format_timestamp(last)),
                         "at"));
      continue;
    }
    bool failed = false;
    for (auto* l : ledgers) {
      result<void> ok;
      switch (e->type) {
        case pricing_event::kind::inbound:
          ok = l->inbound(e->at, e->business, e->customer, e->id, e->referral);
          break;
        case pricing_event::kind::outbound:
          ok = l->outbound(e->at, e->business, e->customer, e->id, e->is_template, e->category);
          break;
        case pricing_event::kind::status: {
          auto r = l->record_status(e->at, e->id, e->status);
          if (!r) ok = r.error();
          break;
        }
      }
      // Each ledger reports what it refused (a card missing for one model refuses in that ledger only).
      if (!ok) {
        l->report({run.lines, ok.error()});
        failed = true;
      }
    }
    if (failed) {
      ++run.problems;
      continue;
    }
    last = e->at;
    started = true;
    ++run.events;
  }
  run.failure = lines.failure();
  return run;
}

}  // namespace chatdesk
