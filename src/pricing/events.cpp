#include "chatdesk/pricing/events.hpp"

#include <simdjson.h>

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

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

namespace {

/// FNV-1a, 64 bits, then a finaliser that spreads every input bit: stable
/// across machines, builds and runs (a shard must mean the same everywhere).
std::uint64_t stable_hash(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::uint32_t pricing_shard::of(std::string_view business, std::uint32_t count) noexcept {
  return count <= 1 ? 0 : static_cast<std::uint32_t>(stable_hash(business) % count);
}

result<pricing_shard> pricing_shard::parse(std::string_view text) {
  const auto bad = [&] {
    return make_error("pricing.invalid_shard",
                      fmt::format("'{}' is not a shard: write K/N, K from 1 to N (1/4 is the first of four)",
                                  utf8::printable(text, 32)),
                      "shard");
  };
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  std::uint32_t k = 0;
  std::uint32_t n = 0;
  const auto a = text.substr(0, slash);
  const auto b = text.substr(slash + 1);
  if (a.empty() || b.empty()) return bad();
  if (std::from_chars(a.data(), a.data() + a.size(), k).ptr != a.data() + a.size()) return bad();
  if (std::from_chars(b.data(), b.data() + b.size(), n).ptr != b.data() + b.size()) return bad();
  if (n == 0 || k == 0 || k > n || n > 65'536) return bad();
  return pricing_shard{k - 1, n};
}

pricing_run price_events(std::istream& in, const std::vector<ledger*>& ledgers,
                         const price_options& options) {
  pricing_run run;
  pricing_event_reader reader;
  line_reader lines(in, options.max_line, "the events");
  timestamp last{};
  bool started = false;
  const auto shards = std::max<std::uint32_t>(options.shard.count, 1);
  const auto mine = options.shard.index;
  // Sharded: which shard sent each message, by its id's hash, so a status
  // goes to the shard of its message.
  absl::flat_hash_set<std::uint64_t> own_ids;
  absl::flat_hash_set<std::uint64_t> other_ids;
  auto problem = [&](const error& e) {
    ++run.problems;
    for (auto* l : ledgers) l->report({run.lines, e});
  };
  // A line's own problem (unreadable, out of order) is reported by one shard.
  const auto line_is_mine = [&] { return shards == 1 || run.lines % shards == mine; };
  const std::size_t every = std::max<std::size_t>(options.progress_every, 1);
  while (auto next = lines.next()) {
    ++run.lines;
    if (options.progress && run.lines % every == 0) options.progress(run);
    if (!*next) {
      if (line_is_mine()) problem(next->error());
      continue;
    }
    const std::string_view line = **next;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto e = reader.parse(line);
    if (!e) {
      if (line_is_mine()) problem(std::move(e).error());
      continue;
    }
    if (options.latest && e->at > *options.latest) {
      if (line_is_mine())
        problem(make_error(
            "pricing.future_time",
            fmt::format("the event at {} is later than {}: a time stamp from the future is not priced",
                        format_timestamp(e->at), format_timestamp(*options.latest)),
            "at"));
      continue;
    }
    if (started && e->at < last) {
      if (line_is_mine())
        problem(make_error("pricing.out_of_order",
                           fmt::format("the event at {} comes after one at {}: events must be in time order",
                                       format_timestamp(e->at), format_timestamp(last)),
                           "at"));
      continue;
    }
    // Time order is the stream's, whatever a ledger makes of the event (and
    // whichever shard prices it).
    last = e->at;
    started = true;
    if (shards > 1) {
      if (e->type == pricing_event::kind::status) {
        const auto h = stable_hash(e->id);
        if (other_ids.contains(h)) continue;
        // An id no message of the stream had: its hash's shard reports it.
        if (!own_ids.contains(h) && h % shards != mine) continue;
      } else if (e->type == pricing_event::kind::inbound) {
        if (pricing_shard::of(e->business, shards) != mine) continue;
      } else {
        // An id already sent belongs to the shard that sent it first, which
        // refuses it as one run would (`pricing.duplicate_id`).
        const auto h = stable_hash(e->id);
        if (other_ids.contains(h)) continue;
        if (!own_ids.contains(h)) {
          const bool ours = pricing_shard::of(e->business, shards) == mine;
          (ours ? own_ids : other_ids).insert(h);
          if (!ours) continue;
        }
      }
    }
    bool failed = false;
    for (auto* l : ledgers) {
      result<void> ok;
      switch (e->type) {
        case pricing_event::kind::inbound:
          ok = l->inbound(e->at, e->business, e->customer, e->id, e->referral);
          break;
        case pricing_event::kind::outbound:
          ok = l->outbound(e->at, e->business, e->customer, e->id, e->is_template, e->category, e->number,
                           e->reaction);
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
    ++run.events;
  }
  run.failure = lines.failure();
  return run;
}

}  // namespace chatdesk
