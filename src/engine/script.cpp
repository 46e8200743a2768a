// Scripts of timed events: reading and writing the lines (docs/simulate.md)
// and replaying them through a desk.
#include "chatdesk/engine/script.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "../core/names.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

namespace {

using json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 4> consent_names{"opt_in", "opt_out", "block", "unblock"};
static_assert(static_cast<std::size_t>(script_consent_action::unblock) + 1 == consent_names.size());

constexpr std::string_view event_types =
    "business, template, inbound, send, status, opt_in, opt_out, block, unblock, tick";
constexpr std::string_view message_kinds =
    "text, template, image, video, audio, document, sticker, location, contacts, interactive, reaction";

/// One output line. Text from the script that is not valid UTF-8 is replaced
/// (U+FFFD) rather than thrown on.
std::string to_output(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// A line that cannot be read or applied: thrown inside this file only and
/// returned as an error at its edge.
struct line_error {
  error problem;
};

[[noreturn]] void fail(std::string_view code, std::string message, std::string where = {}) {
  throw line_error{make_error(code, std::move(message), std::move(where))};
}

/// An optional string field; present with another type is an error.
std::optional<std::string> text_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    fail("simulate.field", fmt::format("'{}' must be a string, not {}", name, it->type_name()), name);
  return it->get<std::string>();
}

std::string required_text(const json& j, const char* name) {
  auto v = text_field(j, name);
  if (!v || v->empty()) fail("simulate.field", fmt::format("'{}' is required", name), name);
  return *v;
}

bool bool_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return false;
  if (!it->is_boolean())
    fail("simulate.field", fmt::format("'{}' must be true or false, not {}", name, it->type_name()), name);
  return it->get<bool>();
}

/// The value, or the library's error with the field named.
template <class T>
T unwrap(result<T> r, const char* field) {
  if (!r) fail(r.error().code, fmt::format("'{}': {}", field, r.error().message), field);
  return std::move(r).value();
}

timestamp time_field(const json& j) {
  return unwrap(parse_timestamp(required_text(j, "at")), "at");
}

phone_number customer_field(const json& j) {
  return unwrap(phone_number::parse(required_text(j, "customer")), "customer");
}

/// `unsupported` (a kind the platform does not model, kept whole) is for inbound lines only.
script_message message_of(const json& j, bool inbound) {
  script_message m;
  m.kind = text_field(j, "kind").value_or("text");
  const auto& kind = m.kind;
  const auto text = text_field(j, "text").value_or("");
  if (kind == "text") {
    m.body = text_content{text};
  } else if (kind == "unsupported" && inbound) {
    m.body = unsupported_content{"unsupported", to_output(j)};  // the whole line, kept
  } else if (kind == "template") {
    template_content t;
    t.name = required_text(j, "template");
    t.language = text_field(j, "language").value_or("en_US");
    if (auto c = text_field(j, "category"))
      t.category = unwrap(parse_template_category(*c), "category");
    else
      m.category_given = false;
    m.body = std::move(t);
  } else if (auto media = parse_media_kind(kind)) {
    media_content c;
    c.kind = *media;
    c.link = text_field(j, "link").value_or("");
    c.caption = text;
    m.body = std::move(c);
  } else if (kind == "location") {
    m.body = location_content{"0", "0", text, ""};
  } else if (kind == "contacts") {
    m.body = contacts_content{};
  } else if (kind == "interactive") {
    m.body = interactive_content{};
  } else if (kind == "reaction") {
    m.body = reaction_content{text_field(j, "reply_to").value_or(""), text};
  } else {
    fail("simulate.unknown_kind",
         fmt::format("'{}' is not a message kind ({})", utf8::printable(kind, 64), message_kinds), "kind");
  }
  return m;
}

script_business business_of(const json& j) {
  business b;
  b.id = required_text(j, "business");
  b.display_name = text_field(j, "display_name").value_or(b.id);
  const auto number_id = text_field(j, "number").value_or(b.id);
  phone_number display;
  if (auto n = text_field(j, "display_number")) display = unwrap(phone_number::parse(*n), "display_number");
  std::uint32_t throughput = 80;
  if (auto it = j.find("throughput"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() < 1 || it->get<std::uint64_t>() > 1000)
      fail("simulate.field", "'throughput' must be a whole number from 1 to 1000", "throughput");
    throughput = it->get<std::uint32_t>();
  }
  b.numbers.push_back({number_id, display, throughput});
  b.tier = unwrap(parse_messaging_tier(text_field(j, "tier").value_or("TIER_UNLIMITED")), "tier");
  if (auto tz = text_field(j, "time_zone")) b.zone = unwrap(time_zone::locate(*tz), "time_zone");
  if (auto c = text_field(j, "country")) b.home_country = unwrap(country::from_alpha2(*c), "country");
  if (auto it = j.find("paid_exempt"); it != j.end()) {
    if (!it->is_boolean()) fail("simulate.field", "'paid_exempt' must be true or false", "paid_exempt");
    b.paid_exempt = it->get<bool>();
  }
  for (const char* list : {"opt_out_keywords", "opt_in_keywords"}) {
    auto it = j.find(list);
    if (it == j.end()) continue;
    if (!it->is_array()) fail("simulate.field", fmt::format("'{}' must be a list of strings", list), list);
    auto& keywords = std::string_view(list) == "opt_out_keywords" ? b.opt_out_keywords : b.opt_in_keywords;
    keywords.clear();  // the line's list replaces the defaults
    for (const auto& k : *it) {
      if (!k.is_string()) fail("simulate.field", fmt::format("'{}' must be a list of strings", list), list);
      keywords.push_back(k.get<std::string>());
    }
  }
  return {std::move(b)};
}

script_event event_of(const json& j) {
  const auto type = required_text(j, "type");
  if (type == "business") return business_of(j);
  if (type == "template") {
    script_template t;
    t.business_id = required_text(j, "business");
    t.name = required_text(j, "template");
    t.language = text_field(j, "language").value_or("en_US");
    t.info.category = unwrap(parse_template_category(required_text(j, "category")), "category");
    t.info.status = unwrap(parse_template_status(text_field(j, "status").value_or("APPROVED")), "status");
    t.info.status_reason = text_field(j, "reason").value_or("");
    return t;
  }
  if (type == "tick") return script_tick{time_field(j)};
  if (type == "status") {
    script_status s;
    s.update.at = time_field(j);
    s.update.message_id = required_text(j, "id");
    s.update.status = unwrap(parse_message_status(required_text(j, "status")), "status");
    if (auto code = j.find("error_code"); code != j.end() && !code->is_null()) {
      if (!code->is_number_integer())
        fail("simulate.field", fmt::format("'error_code' must be a whole number, not {}", code->type_name()),
             "error_code");
      s.update.error = status_error{};
      s.update.error->code = code->get<int>();
      s.update.error->title = text_field(j, "error_title").value_or("");
    }
    return s;
  }
  if (auto action = detail::named<script_consent_action>(consent_names, type)) {
    script_consent c;
    c.at = time_field(j);
    c.action = *action;
    c.business_id = required_text(j, "business");
    c.customer = customer_field(j);
    if (auto source = text_field(j, "source")) c.source = *source;
    return c;
  }
  if (type == "inbound") {
    script_inbound in;
    in.at = time_field(j);
    in.business_id = required_text(j, "business");
    in.customer = customer_field(j);
    in.id = required_text(j, "id");
    in.message = message_of(j, true);
    if (auto r = j.find("referral"); r != j.end() && r->is_object()) {
      referral details;
      details.source_type = text_field(*r, "source_type").value_or("ad");
      details.source_id = text_field(*r, "source_id").value_or("");
      details.ctwa_clid = text_field(*r, "ctwa_clid").value_or("");
      details.headline = text_field(*r, "headline").value_or("");
      in.referral = true;
      in.referral_details = std::move(details);
    } else {
      in.referral = bool_field(j, "referral");
    }
    in.profile_name = text_field(j, "profile_name").value_or("");
    return in;
  }
  if (type == "send") {
    script_send s;
    s.at = time_field(j);
    s.business_id = required_text(j, "business");
    s.customer = customer_field(j);
    s.message = message_of(j, false);
    s.id = text_field(j, "id");
    return s;
  }
  fail("simulate.unknown_type",
       fmt::format("'{}' is not an event type ({})", utf8::printable(type, 64), event_types), "type");
}

// ---- writing ----

void put_message(json& j, const script_message& m) {
  j["kind"] = m.kind;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, text_content>) {
          j["text"] = c.body;
        } else if constexpr (std::is_same_v<T, template_content>) {
          j["template"] = c.name;
          j["language"] = c.language;
          if (m.category_given) j["category"] = std::string(to_string(c.category));
        } else if constexpr (std::is_same_v<T, media_content>) {
          if (!c.link.empty()) j["link"] = c.link;
          if (!c.caption.empty()) j["text"] = c.caption;
        } else if constexpr (std::is_same_v<T, location_content>) {
          if (!c.name.empty()) j["text"] = c.name;
        } else if constexpr (std::is_same_v<T, reaction_content>) {
          if (!c.message_id.empty()) j["reply_to"] = c.message_id;
          j["text"] = c.emoji;
        } else if constexpr (std::is_same_v<T, unsupported_content>) {
          // The line it came from: its fields go back as they were.
          auto raw = json::parse(c.raw_json, nullptr, false);
          if (raw.is_object())
            for (auto it = raw.begin(); it != raw.end(); ++it)
              if (!j.contains(it.key())) j[it.key()] = it.value();
        }
      },
      m.body);
}

json business_json(const business& b) {
  json j;
  j["type"] = "business";
  j["business"] = b.id;
  if (b.display_name != b.id) j["display_name"] = b.display_name;
  if (!b.numbers.empty()) {
    const auto& n = b.numbers.front();
    j["number"] = n.id;
    if (!n.number.empty()) j["display_number"] = n.number.e164();
    if (n.throughput_per_second != 80) j["throughput"] = n.throughput_per_second;
  }
  j["tier"] = std::string(to_string(b.tier));
  if (b.zone != time_zone::utc()) j["time_zone"] = std::string(b.zone.name());
  if (!b.home_country.empty()) j["country"] = std::string(b.home_country.alpha2());
  if (b.paid_exempt) j["paid_exempt"] = true;
  const business defaults;  // keywords are written when they are not the defaults (an empty list too)
  if (b.opt_out_keywords != defaults.opt_out_keywords) j["opt_out_keywords"] = b.opt_out_keywords;
  if (b.opt_in_keywords != defaults.opt_in_keywords) j["opt_in_keywords"] = b.opt_in_keywords;
  return j;
}

std::string time_text(timestamp t) {
  return t == never ? std::string() : format_timestamp(t);
}

json window_json(const window_info& w) {
  json j;
  j["service_window_open"] = w.service_window_open;
  j["service_window_closes_at"] = time_text(w.service_window_closes_at);
  j["entry_point"] = w.entry_point_open ? "open" : w.entry_point_pending ? "pending" : "none";
  if (w.entry_point_open) j["entry_point_closes_at"] = time_text(w.entry_point_closes_at);
  return j;
}

/// Templates declared by the script.
class script_templates final : public template_directory {
 public:
  std::optional<template_info> find(std::string_view business_id, std::string_view name,
                                    std::string_view language) const override {
    auto it = entries_.find(key(business_id, name, language));
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  void put(const script_template& t) { entries_[key(t.business_id, t.name, t.language)] = t.info; }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

 private:
  static std::string key(std::string_view b, std::string_view n, std::string_view l) {
    return fmt::format("{}\n{}\n{}", b, n, l);
  }
  std::map<std::string, template_info, std::less<>> entries_;
};

}  // namespace

std::string_view to_string(script_consent_action a) noexcept {
  return detail::name_in(consent_names, a);
}

std::optional<timestamp> time_of(const script_event& e) noexcept {
  return std::visit(
      [](const auto& x) -> std::optional<timestamp> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, script_business> || std::is_same_v<T, script_template>)
          return std::nullopt;
        else if constexpr (std::is_same_v<T, script_status>)
          return x.update.at;
        else
          return x.at;
      },
      e);
}

result<script_event> script_event_from_json(const json& j) {
  if (!j.is_object()) return make_error("simulate.syntax", "each line must be a JSON object");
  if (json_too_deep(j))
    return make_error("simulate.syntax", fmt::format("the line nests deeper than {} levels", max_json_depth));
  try {
    return event_of(j);
  } catch (const line_error& e) {
    return e.problem;
  }
}

result<script_event> parse_script_event(std::string_view line) {
  if (json_nesting_depth(line) > max_json_depth)
    return make_error("simulate.syntax", fmt::format("the line nests deeper than {} levels", max_json_depth));
  const auto j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return make_error("simulate.syntax", "the line is not valid JSON");
  return script_event_from_json(j);
}

json to_json(const script_event& e) {
  return std::visit(
      [](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        json j;
        if constexpr (std::is_same_v<T, script_business>) {
          return business_json(x.definition);
        } else if constexpr (std::is_same_v<T, script_template>) {
          j["type"] = "template";
          j["business"] = x.business_id;
          j["template"] = x.name;
          j["language"] = x.language;
          j["category"] = std::string(to_string(x.info.category));
          j["status"] = std::string(to_string(x.info.status));
          if (!x.info.status_reason.empty()) j["reason"] = x.info.status_reason;
        } else if constexpr (std::is_same_v<T, script_inbound>) {
          j["at"] = format_timestamp(x.at);
          j["type"] = "inbound";
          j["business"] = x.business_id;
          j["customer"] = x.customer.e164();
          j["id"] = x.id;
          put_message(j, x.message);
          if (x.referral_details) {
            json r;
            r["source_type"] = x.referral_details->source_type;
            if (!x.referral_details->source_id.empty()) r["source_id"] = x.referral_details->source_id;
            if (!x.referral_details->ctwa_clid.empty()) r["ctwa_clid"] = x.referral_details->ctwa_clid;
            if (!x.referral_details->headline.empty()) r["headline"] = x.referral_details->headline;
            j["referral"] = std::move(r);
          } else if (x.referral) {
            j["referral"] = true;
          }
          if (!x.profile_name.empty()) j["profile_name"] = x.profile_name;
        } else if constexpr (std::is_same_v<T, script_send>) {
          j["at"] = format_timestamp(x.at);
          j["type"] = "send";
          j["business"] = x.business_id;
          j["customer"] = x.customer.e164();
          put_message(j, x.message);
          if (x.id) j["id"] = *x.id;
        } else if constexpr (std::is_same_v<T, script_status>) {
          j["at"] = format_timestamp(x.update.at);
          j["type"] = "status";
          j["id"] = x.update.message_id;
          j["status"] = std::string(to_string(x.update.status));
          if (x.update.error) {
            j["error_code"] = x.update.error->code;
            if (!x.update.error->title.empty()) j["error_title"] = x.update.error->title;
          }
        } else if constexpr (std::is_same_v<T, script_consent>) {
          j["at"] = format_timestamp(x.at);
          j["type"] = std::string(to_string(x.action));
          j["business"] = x.business_id;
          j["customer"] = x.customer.e164();
          if (x.action == script_consent_action::opt_in) j["source"] = x.source;
        } else {
          j["at"] = format_timestamp(x.at);
          j["type"] = "tick";
        }
        return j;
      },
      e);
}

// ---- replay ----

struct script_replay::impl final : observer {
  impl(sink out_, store* state, desk_options options)
      : out(std::move(out_)),
        own(state == nullptr ? std::make_unique<memory_store>() : nullptr),
        store(state == nullptr ? *own : *state),
        wire([this](const outbound_message& m) {
          auto it = next_ids.find(m.message.correlation_id);
          if (it != next_ids.end()) return transport_answer::accepted(it->second);
          return transport_answer::accepted("wamid.sim." + m.message.correlation_id);
        }),
        the_desk(clock, store, &wire, std::move(options)) {
    the_desk.subscribe(this);
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl() override { the_desk.unsubscribe(this); }

  sink out;
  manual_clock clock;
  std::unique_ptr<memory_store> own;  // when the caller gives no store
  chatdesk::store& store;
  std::map<std::string, std::string> next_ids;  // correlation id -> platform id the transport returns
  function_transport wire;
  desk the_desk;
  script_templates templates;
  std::map<std::string, std::string, std::less<>> first_number;  // business -> its number id
  std::uint64_t sends = 0;
  std::size_t line = 0;
  std::size_t problem_count = 0;
  bool started = false;

  void print(const json& j) const { out(to_output(j)); }

  json base(const char* event) const {
    json j;
    j["line"] = line;
    j["at"] = format_timestamp(clock.now());
    j["event"] = event;
    return j;
  }

  // The desk's events.
  void emit(const char* event, const conversation_key& k, const char* field, timestamp t) const {
    json j = base(event);
    j["business"] = the_desk.business_id_of(k.business_number_id).value_or(std::string());
    j["number"] = k.business_number_id;
    j["customer"] = k.customer.e164();
    j[field] = format_timestamp(t);
    print(j);
  }
  void window_closing(const conversation_key& k, timestamp closes) override {
    emit("window_closing", k, "closes_at", closes);
  }
  void window_closed(const conversation_key& k, timestamp closed) override {
    emit("window_closed", k, "closed_at", closed);
  }
  void entry_point_opened(const conversation_key& k, timestamp closes) override {
    emit("entry_point_opened", k, "closes_at", closes);
  }
  void limit_near(std::string_view business_id, std::uint32_t used, std::uint32_t limit) override {
    json j = base("limit_near");
    j["business"] = std::string(business_id);
    j["used"] = used;
    j["limit"] = limit;
    print(j);
  }
  void consent_changed(std::string_view business_id, const phone_number& c, const consent& now) override {
    json j = base(now.opted_out() ? "opted_out" : "opted_in");
    j["business"] = std::string(business_id);
    j["customer"] = c.e164();
    print(j);
  }

  /// The number of business `id`, registering it with defaults on first use.
  std::string number_of(const std::string& id) {
    if (auto it = first_number.find(id); it != first_number.end()) return it->second;
    business b;
    b.id = id;
    b.display_name = id;
    b.numbers.push_back({id, phone_number{}, 80});
    b.tier = messaging_tier::unlimited;
    unwrap(the_desk.add_business(std::move(b)), "business");
    first_number[id] = id;
    return id;
  }

  /// The content to send or receive: a template without a category takes the declared one's.
  content body_of(const script_message& m, const std::string& business_id) const {
    content c = m.body;
    if (auto* t = std::get_if<template_content>(&c); t != nullptr && !m.category_given) {
      auto known = templates.empty() ? std::nullopt : templates.find(business_id, t->name, t->language);
      if (!known) fail("simulate.field", "'category' is required for a template", "category");
      t->category = known->category;
    }
    return c;
  }

  void run(const script_business& e) {
    const auto id = e.definition.id;
    const auto number_id = e.definition.numbers.empty() ? id : e.definition.numbers.front().id;
    unwrap(the_desk.add_business(e.definition), "business");
    first_number[id] = number_id;
    json o;
    o["line"] = line;
    o["event"] = "business";
    o["business"] = id;
    print(o);
  }

  void run(const script_template& e) {
    if (templates.empty()) the_desk.set_template_directory(&templates);
    templates.put(e);
  }

  void run(const script_tick& /*unused*/) {}  // the clock has moved and ticked already

  void run(const script_status& e) {
    const auto r = unwrap(the_desk.apply_status(e.update), "id");
    json o = base("status");
    o["id"] = e.update.message_id;
    o["status"] = std::string(to_string(e.update.status));
    o["result"] = std::string(to_string(r.change));
    o["message_status"] = std::string(to_string(r.status));
    print(o);
  }

  void run(const script_consent& e) {
    number_of(e.business_id);
    switch (e.action) {
      case script_consent_action::opt_in:
        unwrap(the_desk.opt_in(e.business_id, e.customer, e.source), "customer");
        return;
      case script_consent_action::opt_out:
        unwrap(the_desk.opt_out(e.business_id, e.customer), "customer");
        return;
      case script_consent_action::block:
      case script_consent_action::unblock: {
        const bool block = e.action == script_consent_action::block;
        unwrap(the_desk.set_blocked(e.business_id, e.customer, block), "customer");
        json o = base(block ? "blocked" : "unblocked");
        o["business"] = e.business_id;
        o["customer"] = e.customer.e164();
        print(o);
        return;
      }
    }
  }

  void run(const script_inbound& e) {
    message m;
    m.direction = direction::inbound;
    m.id = e.id;
    m.business_number_id = number_of(e.business_id);
    m.customer = e.customer;
    m.at = clock.now();
    m.content = body_of(e.message, e.business_id);
    if (e.referral_details) {
      m.referral = *e.referral_details;
    } else if (e.referral) {
      m.referral = referral{};
      m.referral->source_type = "ad";
    }
    const auto r = unwrap(the_desk.receive(m, e.profile_name), "id");
    json o = base("inbound");
    o["id"] = m.id;
    o["customer"] = e.customer.e164();
    o["result"] = r.duplicate ? "duplicate" : "accepted";
    if (r.window_opened) o["window_opened"] = true;
    if (r.opted_out) o["opted_out"] = true;
    if (r.opted_in) o["opted_in"] = true;
    o["window"] = window_json(r.window);
    print(o);
  }

  void run(const script_send& e) {
    send_intent intent;
    intent.business_id = e.business_id;
    intent.business_number_id = number_of(e.business_id);
    intent.customer = e.customer;
    intent.content = body_of(e.message, e.business_id);
    intent.correlation_id = fmt::format("send-{}", sends + 1);
    ++sends;
    if (e.id) next_ids[intent.correlation_id] = *e.id;
    auto r = the_desk.send(intent);
    next_ids.erase(intent.correlation_id);
    const auto sent = unwrap(std::move(r), "business");
    json o = base("send");
    o["customer"] = e.customer.e164();
    o["kind"] = e.message.kind;
    // The platform's id of an allowed send; for a refused one, the id the
    // script gave (or the send's correlation id), so every send can be followed.
    o["id"] = sent.decision.allowed ? sent.message_id : e.id.value_or(intent.correlation_id);
    if (sent.decision.allowed) {
      o["decision"] = "allowed";
      o["charge"] = std::string(to_string(sent.decision.charge));
    } else {
      o["decision"] = "refused";
      o["policy"] = sent.decision.policy;
      o["code"] = sent.decision.refusal->code;
      o["reason"] = sent.decision.refusal->message;
    }
    o["window"] = window_json(sent.decision.window);
    print(o);
  }

  void advance(timestamp when) {
    if (started && when < clock.now())
      fail("simulate.out_of_order", fmt::format("'at' {} is before the previous event ({})",
                                                format_timestamp(when), format_timestamp(clock.now())));
    clock.set(when);
    started = true;
    the_desk.tick();
  }

  result<void> problem(const error& e) {
    ++problem_count;
    json o;
    o["line"] = line;
    o["event"] = "problem";
    o["code"] = e.code;
    o["reason"] = e.message;
    print(o);
    return e;
  }
};

script_replay::script_replay(sink out, desk_options options)
    : impl_(std::make_unique<impl>(std::move(out), nullptr, std::move(options))) {}

script_replay::script_replay(sink out, store& state, desk_options options)
    : impl_(std::make_unique<impl>(std::move(out), &state, std::move(options))) {}

script_replay::~script_replay() = default;

result<void> script_replay::apply(const script_event& e, std::size_t number) {
  auto& s = *impl_;
  s.line = number;
  try {
    if (const auto when = time_of(e)) s.advance(*when);
    std::visit([&](const auto& x) { s.run(x); }, e);
  } catch (const line_error& bad) {
    return s.problem(bad.problem);
  }
  return {};
}

result<void> script_replay::apply_line(std::string_view line, std::size_t number) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return {};
  impl_->line = number;
  auto e = parse_script_event(line);
  if (!e) return impl_->problem(e.error());
  return apply(*e, number);
}

result<void> script_replay::reject_line(std::size_t number, const error& why) {
  impl_->line = number;
  return impl_->problem(why);
}

std::size_t script_replay::problems() const noexcept {
  return impl_->problem_count;
}

const desk& script_replay::replay_desk() const noexcept {
  return impl_->the_desk;
}

timestamp script_replay::now() const noexcept {
  return impl_->clock.now();
}

result<void> script_replay::advance(timestamp at, std::size_t number) {
  impl_->line = number;
  try {
    impl_->advance(at);
  } catch (const line_error& bad) {
    return bad.problem;
  }
  return {};
}

result<std::string> script_replay::number_of(std::string_view business_id) {
  try {
    return impl_->number_of(std::string(business_id));
  } catch (const line_error& bad) {
    return bad.problem;
  }
}

void script_replay::print(const nlohmann::ordered_json& line) const {
  impl_->print(line);
}

desk& script_replay::replay_desk() noexcept {
  return impl_->the_desk;
}

store& script_replay::replay_store() noexcept {
  return impl_->store;
}

const chatdesk::clock& script_replay::replay_clock() const noexcept {
  return impl_->clock;
}

}  // namespace chatdesk
