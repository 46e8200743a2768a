// chatdesk simulate SCRIPT.jsonl: replays timed events through a desk with a
// manual clock and prints one JSON line per decision or event. The format is
// in docs/simulate.md; every rule applied is the library's.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/input.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/engine/desk.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

namespace {

using json = nlohmann::ordered_json;

/// A bad line: reported with its number and skipped.
struct line_error {
  std::string code;
  std::string reason;
};

/// Reads an optional string field; a present field of another type is an error.
std::optional<std::string> text_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    throw line_error{"simulate.field", fmt::format("'{}' must be a string, not {}", name, it->type_name())};
  return it->get<std::string>();
}

std::string required_text(const json& j, const char* name) {
  auto v = text_field(j, name);
  if (!v || v->empty()) throw line_error{"simulate.field", fmt::format("'{}' is required", name)};
  return *v;
}

bool bool_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return false;
  if (!it->is_boolean())
    throw line_error{"simulate.field",
                     fmt::format("'{}' must be true or false, not {}", name, it->type_name())};
  return it->get<bool>();
}

template <class T>
T unwrap(result<T> r, const char* field) {
  if (!r) throw line_error{r.error().code, fmt::format("'{}': {}", field, r.error().message)};
  return std::move(r).value();
}

std::string time_text(timestamp t) {
  return t == never ? std::string() : format_timestamp(t);
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
  void put(std::string_view business_id, std::string_view name, std::string_view language,
           template_info info) {
    entries_[key(business_id, name, language)] = std::move(info);
  }

 private:
  static std::string key(std::string_view b, std::string_view n, std::string_view l) {
    return fmt::format("{}\n{}\n{}", b, n, l);
  }
  std::map<std::string, template_info> entries_;
};

/// Prints the desk's events as JSON lines.
class printer final : public observer {
 public:
  printer(std::ostream& out, const chatdesk::clock& clock, const desk& d)
      : out_(out), clock_(clock), desk_(d) {}
  void set_line(std::size_t line) { line_ = line; }
  [[nodiscard]] std::size_t line() const { return line_; }

  void window_closing(const conversation_key& k, timestamp closes) override {
    emit("window_closing", k, {{"closes_at", format_timestamp(closes)}});
  }
  void window_closed(const conversation_key& k, timestamp closed) override {
    emit("window_closed", k, {{"closed_at", format_timestamp(closed)}});
  }
  void entry_point_opened(const conversation_key& k, timestamp closes) override {
    emit("entry_point_opened", k, {{"closes_at", format_timestamp(closes)}});
  }
  void limit_near(std::string_view business_id, std::uint32_t used, std::uint32_t limit) override {
    json j = base("limit_near");
    j["business"] = std::string(business_id);
    j["used"] = used;
    j["limit"] = limit;
    out_ << to_output(j) << '\n';
  }
  void consent_changed(std::string_view business_id, const phone_number& c, const consent& now) override {
    json j = base(now.opted_out() ? "opted_out" : "opted_in");
    j["business"] = std::string(business_id);
    j["customer"] = c.e164();
    out_ << to_output(j) << '\n';
  }

  json base(const char* event) const {
    json j;
    j["line"] = line_;
    j["at"] = format_timestamp(clock_.now());
    j["event"] = event;
    return j;
  }

 private:
  void emit(const char* event, const conversation_key& k,
            std::initializer_list<std::pair<const char*, std::string>> f) {
    json j = base(event);
    j["business"] = desk_.business_id_of(k.business_number_id).value_or(std::string());
    j["number"] = k.business_number_id;
    j["customer"] = k.customer.e164();
    for (const auto& [name, value] : f) j[name] = value;
    out_ << to_output(j) << '\n';
  }

  std::ostream& out_;
  const chatdesk::clock& clock_;
  const desk& desk_;
  std::size_t line_ = 0;
};

content content_of(const json& j, const std::string& kind, const std::string& business_id,
                   const script_templates& templates, bool has_templates) {
  const auto text = text_field(j, "text").value_or("");
  if (kind == "text") return text_content{text};
  if (kind == "template") {
    template_content t;
    t.name = required_text(j, "template");
    t.language = text_field(j, "language").value_or("en_US");
    if (auto c = text_field(j, "category")) {
      t.category = unwrap(parse_template_category(*c), "category");
    } else if (auto known = has_templates ? templates.find(business_id, t.name, t.language) : std::nullopt) {
      t.category = known->category;
    } else {
      throw line_error{"simulate.field", "'category' is required for a template"};
    }
    return t;
  }
  for (auto k :
       {media_kind::image, media_kind::video, media_kind::audio, media_kind::document, media_kind::sticker})
    if (kind == to_string(k)) {
      media_content m;
      m.kind = k;
      m.link = text_field(j, "link").value_or("");
      m.caption = text;
      return m;
    }
  if (kind == "location") return location_content{"0", "0", text, ""};
  if (kind == "contacts") return contacts_content{};
  if (kind == "interactive") return interactive_content{};
  if (kind == "reaction") return reaction_content{text_field(j, "reply_to").value_or(""), text};
  throw line_error{
      "simulate.unknown_kind",
      fmt::format("'{}' is not a message kind (text, template, image, video, audio, document, sticker, "
                  "location, contacts, interactive, reaction)",
                  kind)};
}

struct simulation {
  manual_clock clock;
  memory_store store;
  std::map<std::string, std::string> next_ids;  // correlation id -> platform id the transport returns
  function_transport wire{[this](const outbound_message& m) {
    auto it = next_ids.find(m.message.correlation_id);
    if (it != next_ids.end()) return transport_answer::accepted(it->second);
    return transport_answer::accepted("wamid.sim." + m.message.correlation_id);
  }};
  chatdesk::desk desk{clock, store, &wire};
  script_templates templates;
  bool has_templates = false;
  std::map<std::string, std::string> first_number;  // business -> its number id
  std::uint64_t sends = 0;

  /// The business with `id`, registered with defaults on first use.
  std::string ensure_business(const std::string& id) {
    if (first_number.count(id) == 0) {
      business b;
      b.id = id;
      b.display_name = id;
      b.numbers.push_back({id, phone_number{}, 80});
      b.tier = messaging_tier::unlimited;
      unwrap(desk.add_business(std::move(b)), "business");
      first_number[id] = id;
    }
    return first_number[id];
  }
};

void define_business(simulation& sim, const json& j) {
  business b;
  b.id = required_text(j, "business");
  b.display_name = text_field(j, "display_name").value_or(b.id);
  const auto number_id = text_field(j, "number").value_or(b.id);
  phone_number display;
  if (auto n = text_field(j, "display_number")) display = unwrap(phone_number::parse(*n), "display_number");
  std::uint32_t throughput = 80;
  if (auto it = j.find("throughput"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() < 1 || it->get<std::uint64_t>() > 1000)
      throw line_error{"simulate.field", "'throughput' must be a whole number from 1 to 1000"};
    throughput = it->get<std::uint32_t>();
  }
  b.numbers.push_back({number_id, display, throughput});
  b.tier = unwrap(parse_messaging_tier(text_field(j, "tier").value_or("TIER_UNLIMITED")), "tier");
  if (auto tz = text_field(j, "time_zone")) b.zone = unwrap(time_zone::locate(*tz), "time_zone");
  if (auto c = text_field(j, "country")) b.home_country = unwrap(country::from_alpha2(*c), "country");
  for (const char* list : {"opt_out_keywords", "opt_in_keywords"}) {
    auto it = j.find(list);
    if (it == j.end()) continue;
    if (!it->is_array())
      throw line_error{"simulate.field", fmt::format("'{}' must be a list of strings", list)};
    for (const auto& k : *it) {
      if (!k.is_string())
        throw line_error{"simulate.field", fmt::format("'{}' must be a list of strings", list)};
      (std::string(list) == "opt_out_keywords" ? b.opt_out_keywords : b.opt_in_keywords)
          .push_back(k.get<std::string>());
    }
  }
  const auto id = b.id;
  unwrap(sim.desk.add_business(std::move(b)), "business");
  sim.first_number[id] = number_id;
}

json window_json(const window_info& w) {
  json j;
  j["service_window_open"] = w.service_window_open;
  j["service_window_closes_at"] = time_text(w.service_window_closes_at);
  j["entry_point"] = w.entry_point_open ? "open" : w.entry_point_pending ? "pending" : "none";
  if (w.entry_point_open) j["entry_point_closes_at"] = time_text(w.entry_point_closes_at);
  return j;
}

constexpr const char* event_types[] = {"business", "template", "inbound", "send",    "status",
                                       "opt_in",   "opt_out",  "block",   "unblock", "tick"};

void run_line(simulation& sim, printer& print, const json& j, std::ostream& out) {
  const auto type = required_text(j, "type");
  if (type == "business") {
    define_business(sim, j);
    json o;
    o["line"] = print.line();
    o["event"] = "business";
    o["business"] = j.at("business");
    out << to_output(o) << '\n';
    return;
  }
  if (type == "template") {
    const auto business_id = required_text(j, "business");
    template_info info;
    info.category = unwrap(parse_template_category(required_text(j, "category")), "category");
    info.status = unwrap(parse_template_status(text_field(j, "status").value_or("APPROVED")), "status");
    info.status_reason = text_field(j, "reason").value_or("");
    sim.templates.put(business_id, required_text(j, "template"), text_field(j, "language").value_or("en_US"),
                      info);
    if (!sim.has_templates) sim.desk.set_template_directory(&sim.templates);
    sim.has_templates = true;
    return;
  }
  if (type == "tick") return;  // the clock has moved and ticked already

  if (type == "status") {
    auto update_status = unwrap(parse_message_status(required_text(j, "status")), "status");
    status_update u;
    u.message_id = required_text(j, "id");
    u.status = update_status;
    u.at = sim.clock.now();
    if (auto code = j.find("error_code"); code != j.end() && code->is_number_integer()) {
      u.error = status_error{};
      u.error->code = code->get<int>();
      u.error->title = text_field(j, "error_title").value_or("");
    }
    const auto r = unwrap(sim.desk.apply_status(u), "id");
    json o = print.base("status");
    o["id"] = u.message_id;
    o["status"] = std::string(to_string(update_status));
    o["result"] = std::string(to_string(r.change));
    o["message_status"] = std::string(to_string(r.status));
    out << to_output(o) << '\n';
    return;
  }

  const auto business_id = required_text(j, "business");
  const auto number_id = sim.ensure_business(business_id);
  const auto customer = unwrap(phone_number::parse(required_text(j, "customer")), "customer");

  if (type == "opt_in" || type == "opt_out" || type == "block" || type == "unblock") {
    if (type == "opt_in")
      unwrap(sim.desk.opt_in(business_id, customer, text_field(j, "source").value_or("script")), "customer");
    if (type == "opt_out") unwrap(sim.desk.opt_out(business_id, customer), "customer");
    if (type == "block" || type == "unblock") {
      unwrap(sim.desk.set_blocked(business_id, customer, type == "block"), "customer");
      json o = print.base(type == "block" ? "blocked" : "unblocked");
      o["business"] = business_id;
      o["customer"] = customer.e164();
      out << to_output(o) << '\n';
    }
    return;
  }

  const auto kind = text_field(j, "kind").value_or("text");
  if (type == "inbound") {
    message m;
    m.direction = direction::inbound;
    m.id = required_text(j, "id");
    m.business_number_id = number_id;
    m.customer = customer;
    m.at = sim.clock.now();
    m.content = kind == "unsupported" ? content{unsupported_content{"unsupported", to_output(j)}}
                                      : content_of(j, kind, business_id, sim.templates, sim.has_templates);
    if (bool_field(j, "referral")) {
      m.referral = referral{};
      m.referral->source_type = "ad";
    }
    const auto r = unwrap(sim.desk.receive(m, text_field(j, "profile_name").value_or("")), "id");
    json o = print.base("inbound");
    o["id"] = m.id;
    o["customer"] = customer.e164();
    o["result"] = r.duplicate ? "duplicate" : "accepted";
    if (r.window_opened) o["window_opened"] = true;
    if (r.opted_out) o["opted_out"] = true;
    if (r.opted_in) o["opted_in"] = true;
    o["window"] = window_json(r.window);
    out << to_output(o) << '\n';
    return;
  }
  if (type == "send") {
    send_intent intent;
    intent.business_id = business_id;
    intent.business_number_id = number_id;
    intent.customer = customer;
    intent.content = content_of(j, kind, business_id, sim.templates, sim.has_templates);
    intent.correlation_id = fmt::format("send-{}", ++sim.sends);
    const auto script_id = text_field(j, "id");
    if (script_id) sim.next_ids[intent.correlation_id] = *script_id;
    const auto r = unwrap(sim.desk.send(intent), "business");
    sim.next_ids.erase(intent.correlation_id);
    json o = print.base("send");
    o["customer"] = customer.e164();
    o["kind"] = kind;
    // The platform's id of an allowed send; for a refused one, the id the
    // script gave (or the send's correlation id), so every send can be followed.
    o["id"] = r.decision.allowed ? r.message_id : script_id.value_or(intent.correlation_id);
    if (r.decision.allowed) {
      o["decision"] = "allowed";
      o["charge"] = std::string(to_string(r.decision.charge));
    } else {
      o["decision"] = "refused";
      o["policy"] = r.decision.policy;
      o["code"] = r.decision.refusal->code;
      o["reason"] = r.decision.refusal->message;
    }
    o["window"] = window_json(r.decision.window);
    out << to_output(o) << '\n';
    return;
  }
  throw line_error{"simulate.unknown_type", fmt::format("'{}' is not an event type", type)};
}

}  // namespace

command add_simulate_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto* sub =
      app.add_subcommand("simulate", "Replay a script of timed events through the engine (docs/simulate.md)");
  sub->add_option("SCRIPT", *file, "JSON Lines: one event per line, in time order")->required();
  return [file](std::ostream& out, std::ostream& err) {
    auto in = open_file(*file);
    if (!in) {
      err << "chatdesk simulate: " << in.error().message << '\n';
      return exit_bad_input;
    }
    simulation sim;
    printer print(out, sim.clock, sim.desk);
    sim.desk.subscribe(&print);
    line_reader lines(*in, input_limits::line, "'" + *file + "'");
    std::size_t problems = 0;
    bool started = false;
    while (auto next = lines.next()) {
      const std::size_t number = lines.line_number();
      print.set_line(number);
      try {
        if (!*next) throw line_error{next->error().code, next->error().message};
        const std::string_view line = **next;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        if (json_nesting_depth(line) > max_json_depth)
          throw line_error{"simulate.syntax",
                           fmt::format("the line nests deeper than {} levels", max_json_depth)};
        const auto j = json::parse(line, nullptr, false);
        if (j.is_discarded()) throw line_error{"simulate.syntax", "the line is not valid JSON"};
        if (!j.is_object()) throw line_error{"simulate.syntax", "each line must be a JSON object"};
        const auto type = required_text(j, "type");
        if (std::find(std::begin(event_types), std::end(event_types), type) == std::end(event_types))
          throw line_error{
              "simulate.unknown_type",
              fmt::format("'{}' is not an event type (business, template, inbound, send, status, opt_in, "
                          "opt_out, block, unblock, tick)",
                          type)};
        if (type != "business" && type != "template") {
          const auto when = unwrap(parse_timestamp(required_text(j, "at")), "at");
          if (started && when < sim.clock.now())
            throw line_error{"simulate.out_of_order",
                             fmt::format("'at' {} is before the previous event ({})", format_timestamp(when),
                                         format_timestamp(sim.clock.now()))};
          sim.clock.set(when);
          started = true;
          sim.desk.tick();
        }
        run_line(sim, print, j, out);
      } catch (const line_error& e) {
        ++problems;
        json o;
        o["line"] = number;
        o["event"] = "problem";
        o["code"] = e.code;
        o["reason"] = e.reason;
        out << to_output(o) << '\n';
      }
    }
    if (lines.failure()) {
      err << "chatdesk simulate: " << lines.failure()->message << '\n';
      return exit_bad_input;
    }
    if (problems > 0) {
      err << "chatdesk simulate: " << problems << " line(s) of '" << *file
          << "' were skipped (see \"problem\" lines)\n";
      return exit_bad_input;
    }
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
