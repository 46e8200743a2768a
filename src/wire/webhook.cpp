// Platform webhook bodies, decoded with simdjson's On-Demand API in one
// forward pass. Values are copied out as they are met; a change's messages
// and statuses are completed with its metadata and contacts when the change
// ends (keys may come in any order), and the batch is handed over only when
// the whole body decoded, so a bad body yields no events.
#include "chatdesk/wire/webhook.hpp"

#include "json_depth.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace chatdesk {

namespace {

namespace od = simdjson::ondemand;
using problem = std::optional<error>;

// simdjson's raw views end where the next token starts: drop the whitespace.
std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A WhatsApp id ("16505551234") as a phone number, when it is one.
std::optional<phone_number> parse_wa_id(std::string_view wa_id) {
  std::array<char, 24> buf{};
  if (wa_id.empty() || wa_id.size() + 1 > buf.size()) return std::nullopt;
  buf[0] = '+';
  wa_id.copy(buf.data() + 1, wa_id.size());
  auto r = phone_number::parse(std::string_view(buf.data(), wa_id.size() + 1));
  if (!r) return std::nullopt;
  return *r;
}

// A field's key. Keys are read in place, without copying, unless they hold an
// escape (which the platform never writes, but JSON allows).
simdjson::error_code key_of(simdjson::simdjson_result<od::field>& f, std::string_view& out) noexcept {
  od::raw_json_string raw;
  if (auto ec = f.key().get(raw)) return ec;
  const char* start = raw.raw();
  const char* p = start;
  while (*p != '"') {
    if (*p == '\\') return f.unescaped_key().get(out);
    ++p;
  }
  out = std::string_view(start, static_cast<std::size_t>(p - start));
  return simdjson::SUCCESS;
}

// The JSON path of the value being decoded, kept as a stack of segments and
// written out only when an error names it. Keys view the parser's buffers,
// which live as long as the document.
class json_path {
 public:
  void push(std::string_view key) noexcept { push_segment({key, 0, false}); }
  void push(std::size_t index) noexcept { push_segment({{}, index, true}); }
  void pop() noexcept { --depth_; }
  [[nodiscard]] std::string str() const {
    std::string out;
    for (std::size_t i = 0; i < std::min(depth_, segments_.size()); ++i) {
      const auto& s = segments_[i];
      if (s.is_index) {
        out += '[';
        out += std::to_string(s.index);
        out += ']';
      } else {
        if (!out.empty()) out += '.';
        out += s.key;
      }
    }
    return out;
  }

 private:
  struct segment {
    std::string_view key;
    std::size_t index = 0;
    bool is_index = false;
  };
  void push_segment(segment s) noexcept {
    // The decoder descends a bounded number of levels; deeper ones are counted, not kept.
    if (depth_ < segments_.size()) segments_[depth_] = s;
    ++depth_;
  }
  std::array<segment, 24> segments_{};
  std::size_t depth_ = 0;
};

class path_guard {
 public:
  path_guard(json_path& path, std::string_view key) : path_(path) { path_.push(key); }
  path_guard(json_path& path, std::size_t index) : path_(path) { path_.push(index); }
  ~path_guard() { path_.pop(); }
  path_guard(const path_guard&) = delete;
  path_guard& operator=(const path_guard&) = delete;

 private:
  json_path& path_;
};

// What a change's value holds, gathered in one pass whatever the key order.
struct change_parts {
  webhook_metadata metadata;
  std::vector<std::pair<std::string, std::string>> contacts;  // wa_id, profile name
  std::vector<status_error> errors;
  bool messages_shaped = false;  // had metadata, messages, statuses, contacts or errors
  // Template and account updates.
  std::string template_id, name, language, event, reason, previous, current;
  std::string display_phone_number, messaging_limit;
  std::string raw_json;
};

class run {
 public:
  run(webhook_batch& out, const webhook_limits& limits, od::parser& parser, std::string& scratch)
      : out_(out), limits_(limits), parser_(parser), scratch_(scratch) {}

  problem body(od::document& doc, std::string_view raw_body);

 private:
  error fail(std::string_view code, std::string_view what) const {
    const auto where = path_.str();
    return make_error(code, where.empty() ? std::string(what) : fmt::format("{}: {}", where, what), where);
  }
  error json_error(simdjson::error_code code, std::string_view expected) const {
    if (code == simdjson::INCORRECT_TYPE || code == simdjson::NUMBER_ERROR)
      return fail("webhook.type", fmt::format("must be {}", expected));
    if (code == simdjson::DEPTH_ERROR)
      return fail("webhook.syntax", fmt::format("nested deeper than {} levels", limits_.max_depth));
    if (code == simdjson::NUMBER_OUT_OF_RANGE) return fail("webhook.value", "number out of range");
    return fail("webhook.syntax", fmt::format("not valid JSON ({})", simdjson::error_message(code)));
  }

  problem object_of(od::value& v, od::object& out) {
    if (auto ec = v.get_object().get(out)) return json_error(ec, "an object");
    return std::nullopt;
  }
  problem array_of(od::value& v, od::array& out) {
    if (auto ec = v.get_array().get(out)) return json_error(ec, "an array");
    return std::nullopt;
  }
  // Text; null reads as empty (optional fields the platform sends as null).
  // Strings without escapes are copied straight from the body; others are
  // unescaped by simdjson.
  problem text(od::value& v, std::string& out) {
    od::raw_json_string raw;
    if (auto ec = v.get_raw_json_string().get(raw)) {
      bool null = false;
      if (ec == simdjson::INCORRECT_TYPE && v.is_null().get(null) == simdjson::SUCCESS && null) {
        out.clear();
        return std::nullopt;
      }
      return json_error(ec, "a string");
    }
    const char* start = raw.raw();
    const char* p = start;
    while (*p != '"') {
      if (*p == '\\') return unescape(raw, out);
      ++p;
    }
    out.assign(start, static_cast<std::size_t>(p - start));
    return std::nullopt;
  }
  problem unescape(od::raw_json_string raw, std::string& out) {
    // The escaped text is at least as long as the unescaped one.
    const char* p = raw.raw();
    while (*p != '"') p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
    const auto length = static_cast<std::size_t>(p - raw.raw());
    scratch_.resize(length + simdjson::SIMDJSON_PADDING);
    auto* dst = reinterpret_cast<std::uint8_t*>(scratch_.data());
    std::string_view s;
    if (auto ec = parser_.unescape(raw, dst).get(s)) return json_error(ec, "a valid JSON string");
    out.assign(s);
    return std::nullopt;
  }
  // Ids sometimes come as numbers (template ids): kept as their decimal text.
  problem id_text(od::value& v, std::string& out) {
    od::json_type type{};
    if (auto ec = v.type().get(type)) return json_error(ec, "a string or a number");
    if (type == od::json_type::number) {
      const std::string_view raw = trim_right(v.raw_json_token());
      std::uint64_t n = 0;
      if (auto ec = v.get_uint64().get(n)) return json_error(ec, "a whole number");
      out.assign(raw);
      return std::nullopt;
    }
    return text(v, out);
  }
  problem flag(od::value& v, bool& out) {
    if (auto ec = v.get_bool().get(out)) return json_error(ec, "true or false");
    return std::nullopt;
  }
  // Numbers kept exactly as written (coordinates, prices).
  problem number_text(od::value& v, std::string& out) {
    od::json_type type{};
    if (auto ec = v.type().get(type)) return json_error(ec, "a number");
    if (type == od::json_type::string) return text(v, out);
    if (type != od::json_type::number) return fail("webhook.type", "must be a number");
    double check = 0;
    if (auto ec = v.get_double().get(check)) return json_error(ec, "a number");
    const std::string_view raw = trim_right(v.raw_json_token());
    out.assign(raw);
    return std::nullopt;
  }
  problem integer(od::value& v, std::int64_t& out) {
    od::json_type type{};
    if (auto ec = v.type().get(type)) return json_error(ec, "a whole number");
    if (type == od::json_type::string) {
      std::string_view s;
      if (auto ec = v.get_string().get(s)) return json_error(ec, "a whole number");
      const auto* end = s.data() + s.size();
      auto [p, ec] = std::from_chars(s.data(), end, out);
      if (ec != std::errc{} || p != end || s.empty()) return fail("webhook.value", "must be a whole number");
      return std::nullopt;
    }
    if (auto ec = v.get_int64().get(out)) return json_error(ec, "a whole number");
    return std::nullopt;
  }
  // Unix seconds, as a string ("1749416383") or a number.
  problem seconds(od::value& v, timestamp& out) {
    std::int64_t n = 0;
    if (auto p = integer(v, n)) return p;
    // Years 1970 to 9999 only: anything else is a corrupt body, not a date.
    if (n < 0 || n > 253402300799) return fail("webhook.value", "is not a Unix time between 1970 and 9999");
    out = timestamp(std::chrono::seconds(n));
    return std::nullopt;
  }

  problem entry(od::value& v);
  problem change(od::value& v, std::string_view account_id, std::optional<timestamp> entry_time);
  problem value_object(od::object& obj, change_parts& parts);
  problem metadata(od::value& v, webhook_metadata& m);
  problem contacts_array(od::value& v, change_parts& parts);
  problem message(od::value& v, webhook_message& m);
  problem status(od::value& v, webhook_status& s);
  problem errors_array(od::value& v, std::vector<status_error>& out);
  problem error_object(od::value& v, status_error& e);
  problem media(od::value& v, media_kind kind, webhook_message& m);
  problem location(od::value& v, webhook_message& m);
  problem contacts_content_of(od::value& v, webhook_message& m);
  problem interactive(od::value& v, webhook_message& m, bool& known);
  problem order(od::value& v, webhook_message& m);
  problem context(od::value& v, webhook_message& m);
  problem referral_of(od::value& v, webhook_message& m);
  problem pricing(od::value& v, webhook_pricing& p);
  problem conversation(od::value& v, webhook_conversation& c);

  problem count_event() {
    if (out_.events.size() >= limits_.max_events)
      return fail("webhook.too_many_events",
                  fmt::format("more than {} events in one body", limits_.max_events));
    return std::nullopt;
  }

  webhook_batch& out_;
  const webhook_limits& limits_;
  od::parser& parser_;
  std::string& scratch_;
  json_path path_;
};

problem run::body(od::document& doc, std::string_view raw_body) {
  // simdjson reads lazily: tell "not JSON" from "JSON, but not an object" first.
  const auto start = raw_body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || (raw_body[start] != '{' && raw_body[start] != '['))
    return fail("webhook.syntax", "the body is not a JSON object");
  od::object obj;
  if (auto ec = doc.get_object().get(obj)) return json_error(ec, "an object");
  bool has_entry = false;
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = key_of(field, key)) return json_error(ec, "an object");
    od::value v;
    if (auto ec = field.value().get(v)) return json_error(ec, "a value");
    if (key == "object") {
      path_guard g(path_, "object");
      if (auto p = text(v, out_.object)) return p;
    } else if (key == "entry") {
      path_guard g(path_, "entry");
      has_entry = true;
      od::array entries;
      if (auto p = array_of(v, entries)) return p;
      std::size_t i = 0;
      for (auto e : entries) {
        path_guard gi(path_, i++);
        od::value ev;
        if (auto ec = e.get(ev)) return json_error(ec, "an object");
        if (auto p = entry(ev)) return p;
      }
    }
  }
  if (!has_entry) return fail("webhook.missing", "'entry' is required");
  // Nothing may follow the body's object.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS)
    return fail("webhook.syntax", "unexpected content after the body's JSON object");
  return std::nullopt;
}

problem run::entry(od::value& v) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  // The account id and time come before or after the changes: the changes'
  // events are completed with them when the entry ends.
  std::string account_id;
  std::optional<timestamp> time;
  const std::size_t first = out_.events.size();
  bool has_changes = false;
  for (auto field : obj) {
    std::string_view key;
    if (auto ec = key_of(field, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = field.value().get(fv)) return json_error(ec, "a value");
    if (key == "id") {
      path_guard g(path_, "id");
      if (auto p = id_text(fv, account_id)) return p;
    } else if (key == "time") {
      path_guard g(path_, "time");
      timestamp t{};
      if (auto p = seconds(fv, t)) return p;
      time = t;
    } else if (key == "changes") {
      path_guard g(path_, "changes");
      has_changes = true;
      od::array changes;
      if (auto p = array_of(fv, changes)) return p;
      std::size_t i = 0;
      for (auto c : changes) {
        path_guard gi(path_, i++);
        od::value cv;
        if (auto ec = c.get(cv)) return json_error(ec, "an object");
        if (auto p = change(cv, account_id, time)) return p;
      }
    }
  }
  if (!has_changes) return fail("webhook.missing", "'changes' is required");
  for (std::size_t i = first; i < out_.events.size(); ++i) {
    std::visit(
        [&](auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, webhook_message> || std::is_same_v<T, webhook_status> ||
                        std::is_same_v<T, webhook_errors> || std::is_same_v<T, webhook_agent_message>) {
            if (e.metadata.account_id.empty()) e.metadata.account_id = account_id;
          } else {
            if (e.account_id.empty()) e.account_id = account_id;
            if constexpr (!std::is_same_v<T, webhook_unknown_field>) {
              if (!e.at) e.at = time;
            }
          }
        },
        out_.events[i]);
  }
  return std::nullopt;
}

bool is_template_field(std::string_view f) {
  return f == "message_template_status_update" || f == "message_template_quality_update" ||
         f == "template_category_update" || f == "message_template_components_update";
}

bool is_account_field(std::string_view f) {
  return f == "account_update" || f == "phone_number_quality_update" || f == "business_capability_update" ||
         f == "account_review_update" || f == "phone_number_name_update" || f == "account_alerts" ||
         f == "security" || f == "business_status_update";
}

problem run::change(od::value& v, std::string_view account_id, std::optional<timestamp> entry_time) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  std::string field_name;
  bool has_field = false, has_value = false;
  change_parts parts;
  // Messages and statuses are decoded in place, after the events before them.
  const std::size_t first = out_.events.size();
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    if (key == "field") {
      path_guard g(path_, "field");
      if (auto p = text(fv, field_name)) return p;
      has_field = true;
    } else if (key == "value") {
      path_guard g(path_, "value");
      has_value = true;
      od::object vo;
      if (auto p = object_of(fv, vo)) return p;
      if (auto p = value_object(vo, parts)) return p;
      // Small values of other fields are kept as received.
      if (!parts.messages_shaped) {
        bool ok = false;
        std::string_view raw;
        if (auto ec = vo.reset().get(ok)) return json_error(ec, "an object");
        if (auto ec = vo.raw_json().get(raw)) return json_error(ec, "an object");
        if (detail::nesting_depth(raw) > limits_.max_depth)
          return fail("webhook.syntax", fmt::format("nested deeper than {} levels", limits_.max_depth));
        parts.raw_json.assign(trim_right(raw));
      }
    }
  }
  if (!has_field) return fail("webhook.missing", "'field' is required");
  if (!has_value) return fail("webhook.missing", "'value' is required");

  if (field_name == "messages") {
    std::size_t k = 0;  // the k-th message's contact is usually the k-th contact
    for (std::size_t i = first; i < out_.events.size(); ++i) {
      if (auto* m = std::get_if<webhook_message>(&out_.events[i])) {
        m->metadata = parts.metadata;
        m->metadata.account_id = account_id;
        m->message.business_number_id = parts.metadata.phone_number_id;
        if (k < parts.contacts.size() && parts.contacts[k].first == m->from) {
          m->profile_name = parts.contacts[k].second;
        } else {
          for (const auto& [wa_id, name] : parts.contacts)
            if (wa_id == m->from) m->profile_name = name;
          if (parts.contacts.size() == 1 && m->profile_name.empty() && parts.contacts.front().first.empty())
            m->profile_name = parts.contacts.front().second;
        }
        ++k;
      } else if (auto* st = std::get_if<webhook_status>(&out_.events[i])) {
        st->metadata = parts.metadata;
        st->metadata.account_id = account_id;
      }
    }
    if (!parts.errors.empty()) {
      if (auto p = count_event()) return p;
      webhook_errors e;
      e.metadata = parts.metadata;
      e.metadata.account_id = account_id;
      e.errors = std::move(parts.errors);
      out_.events.emplace_back(std::move(e));
    }
    return std::nullopt;
  }
  // Message-shaped content under another field is not messages.
  out_.events.erase(out_.events.begin() + static_cast<std::ptrdiff_t>(first), out_.events.end());
  if (auto p = count_event()) return p;
  if (is_template_field(field_name)) {
    webhook_template_update u;
    u.account_id = account_id;
    u.field = std::move(field_name);
    u.at = entry_time;
    u.template_id = std::move(parts.template_id);
    u.name = std::move(parts.name);
    u.language = std::move(parts.language);
    u.event = std::move(parts.event);
    u.reason = std::move(parts.reason);
    u.previous = std::move(parts.previous);
    u.current = std::move(parts.current);
    out_.events.emplace_back(std::move(u));
  } else if (is_account_field(field_name)) {
    webhook_account_update u;
    u.account_id = account_id;
    u.field = std::move(field_name);
    u.at = entry_time;
    u.event = std::move(parts.event);
    u.display_phone_number =
        parts.display_phone_number.empty() ? parts.metadata.display_phone_number : parts.display_phone_number;
    u.messaging_limit = std::move(parts.messaging_limit);
    u.raw_json = std::move(parts.raw_json);
    out_.events.emplace_back(std::move(u));
  } else {
    webhook_unknown_field u;
    u.account_id = account_id;
    u.field = std::move(field_name);
    u.raw_json = std::move(parts.raw_json);
    out_.events.emplace_back(std::move(u));
  }
  return std::nullopt;
}

problem run::value_object(od::object& obj, change_parts& parts) {
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value v;
    if (auto ec = f.value().get(v)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "metadata") {
      parts.messages_shaped = true;
      if (auto p = metadata(v, parts.metadata)) return p;
    } else if (key == "contacts") {
      parts.messages_shaped = true;
      if (auto p = contacts_array(v, parts)) return p;
    } else if (key == "messages") {
      parts.messages_shaped = true;
      od::array a;
      if (auto p = array_of(v, a)) return p;
      std::size_t i = 0;
      for (auto item : a) {
        path_guard gi(path_, i++);
        od::value mv;
        if (auto ec = item.get(mv)) return json_error(ec, "an object");
        if (auto p = count_event()) return p;
        auto& m = std::get<webhook_message>(out_.events.emplace_back(std::in_place_type<webhook_message>));
        if (auto p = message(mv, m)) return p;
      }
    } else if (key == "statuses") {
      parts.messages_shaped = true;
      od::array a;
      if (auto p = array_of(v, a)) return p;
      std::size_t i = 0;
      for (auto item : a) {
        path_guard gi(path_, i++);
        od::value sv;
        if (auto ec = item.get(sv)) return json_error(ec, "an object");
        if (auto p = count_event()) return p;
        auto& st = std::get<webhook_status>(out_.events.emplace_back(std::in_place_type<webhook_status>));
        if (auto p = status(sv, st)) return p;
      }
    } else if (key == "errors") {
      parts.messages_shaped = true;
      if (auto p = errors_array(v, parts.errors)) return p;
    } else if (key == "message_template_id") {
      if (auto p = id_text(v, parts.template_id)) return p;
    } else if (key == "message_template_name") {
      if (auto p = text(v, parts.name)) return p;
    } else if (key == "message_template_language") {
      if (auto p = text(v, parts.language)) return p;
    } else if (key == "event" || key == "decision") {
      if (auto p = text(v, parts.event)) return p;
    } else if (key == "reason") {
      if (auto p = text(v, parts.reason)) return p;
    } else if (key == "previous_quality_score" || key == "previous_category") {
      if (auto p = text(v, parts.previous)) return p;
    } else if (key == "new_quality_score" || key == "new_category") {
      if (auto p = text(v, parts.current)) return p;
    } else if (key == "display_phone_number" || key == "phone_number") {
      if (auto p = id_text(v, parts.display_phone_number)) return p;
    } else if (key == "current_limit" || key == "messaging_limit_tier" ||
               key == "whatsapp_business_manager_messaging_limit") {
      if (auto p = text(v, parts.messaging_limit)) return p;
    }
  }
  return std::nullopt;
}

problem run::metadata(od::value& v, webhook_metadata& m) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "phone_number_id") {
      if (auto p = id_text(fv, m.phone_number_id)) return p;
    } else if (key == "display_phone_number") {
      if (auto p = id_text(fv, m.display_phone_number)) return p;
    }
  }
  return std::nullopt;
}

problem run::contacts_array(od::value& v, change_parts& parts) {
  od::array a;
  if (auto p = array_of(v, a)) return p;
  std::size_t i = 0;
  for (auto item : a) {
    path_guard gi(path_, i++);
    od::value cv;
    if (auto ec = item.get(cv)) return json_error(ec, "an object");
    od::object obj;
    if (auto p = object_of(cv, obj)) return p;
    std::string wa_id, name;
    for (auto f : obj) {
      std::string_view key;
      if (auto ec = key_of(f, key)) return json_error(ec, "an object");
      od::value fv;
      if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
      path_guard g(path_, key);
      if (key == "wa_id") {
        if (auto p = id_text(fv, wa_id)) return p;
      } else if (key == "profile") {
        od::object po;
        if (auto p = object_of(fv, po)) return p;
        for (auto pf : po) {
          std::string_view pk;
          if (auto ec = key_of(pf, pk)) return json_error(ec, "an object");
          if (pk != "name") continue;
          od::value nv;
          if (auto ec = pf.value().get(nv)) return json_error(ec, "a value");
          path_guard gn(path_, "name");
          if (auto p = text(nv, name)) return p;
        }
      }
    }
    parts.contacts.emplace_back(std::move(wa_id), std::move(name));
  }
  return std::nullopt;
}

std::optional<media_kind> media_of(std::string_view key) {
  if (key == "image") return media_kind::image;
  if (key == "video") return media_kind::video;
  if (key == "audio") return media_kind::audio;
  if (key == "document") return media_kind::document;
  if (key == "sticker") return media_kind::sticker;
  return std::nullopt;
}

problem run::message(od::value& v, webhook_message& m) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  m.message.direction = direction::inbound;
  bool has_id = false, has_from = false, has_timestamp = false, has_type = false;
  // The content is decoded from the key named like its type; which one counts
  // is known when the type is (it may come after the content).
  std::string_view content_key;  // the key whose content m.message.content holds
  // Decode a content key only when it can be the message's: the type is not
  // known yet, or it names this key.
  auto wanted = [&](std::string_view k) { return !has_type || k == m.type; };
  auto keep = [&](std::string_view k) { content_key = k; };
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "id") {
      if (auto p = text(fv, m.message.id)) return p;
      has_id = !m.message.id.empty();
    } else if (key == "from") {
      if (auto p = id_text(fv, m.from)) return p;
      has_from = !m.from.empty();
    } else if (key == "timestamp") {
      if (auto p = seconds(fv, m.message.at)) return p;
      has_timestamp = true;
    } else if (key == "type") {
      if (auto p = text(fv, m.type)) return p;
      has_type = true;
    } else if (key == "context") {
      if (auto p = context(fv, m)) return p;
    } else if (key == "referral") {
      if (auto p = referral_of(fv, m)) return p;
    } else if (key == "errors") {
      if (auto p = errors_array(fv, m.errors)) return p;
    } else if (wanted(key) && key == "text") {
      od::object to;
      if (auto p = object_of(fv, to)) return p;
      text_content t;
      for (auto tf : to) {
        std::string_view tk;
        if (auto ec = key_of(tf, tk)) return json_error(ec, "an object");
        if (tk != "body") continue;
        od::value bv;
        if (auto ec = tf.value().get(bv)) return json_error(ec, "a value");
        path_guard gb(path_, "body");
        if (auto p = text(bv, t.body)) return p;
      }
      m.message.content = std::move(t);
      keep(key);
    } else if (auto kind = media_of(key); kind && wanted(key)) {
      if (auto p = media(fv, *kind, m)) return p;
      keep(key);
    } else if (wanted(key) && key == "location") {
      if (auto p = location(fv, m)) return p;
      keep(key);
    } else if (wanted(key) && key == "contacts") {
      if (auto p = contacts_content_of(fv, m)) return p;
      keep(key);
    } else if (wanted(key) && key == "interactive") {
      bool known = false;
      if (auto p = interactive(fv, m, known)) return p;
      if (known) keep(key);
    } else if (wanted(key) && key == "button") {
      od::object bo;
      if (auto p = object_of(fv, bo)) return p;
      interactive_content c;
      c.kind = interactive_kind::quick_reply;
      for (auto bf : bo) {
        std::string_view bk;
        if (auto ec = key_of(bf, bk)) return json_error(ec, "an object");
        od::value bv;
        if (auto ec = bf.value().get(bv)) return json_error(ec, "a value");
        path_guard gb(path_, bk);
        if (bk == "payload") {
          if (auto p = text(bv, c.reply_id)) return p;
        } else if (bk == "text") {
          if (auto p = text(bv, c.reply_title)) return p;
        }
      }
      m.message.content = std::move(c);
      keep(key);
    } else if (wanted(key) && key == "reaction") {
      od::object ro;
      if (auto p = object_of(fv, ro)) return p;
      reaction_content r;
      for (auto rf : ro) {
        std::string_view rk;
        if (auto ec = key_of(rf, rk)) return json_error(ec, "an object");
        od::value rv;
        if (auto ec = rf.value().get(rv)) return json_error(ec, "a value");
        path_guard gr(path_, rk);
        if (rk == "message_id") {
          if (auto p = text(rv, r.message_id)) return p;
        } else if (rk == "emoji") {
          if (auto p = text(rv, r.emoji)) return p;
        }
      }
      m.message.content = std::move(r);
      keep(key);
    } else if (wanted(key) && key == "order") {
      if (auto p = order(fv, m)) return p;
      keep(key);
    } else if (wanted(key) && key == "system") {
      od::object so;
      if (auto p = object_of(fv, so)) return p;
      system_content s;
      for (auto sf : so) {
        std::string_view sk;
        if (auto ec = key_of(sf, sk)) return json_error(ec, "an object");
        od::value sv;
        if (auto ec = sf.value().get(sv)) return json_error(ec, "a value");
        path_guard gs(path_, sk);
        if (sk == "body") {
          if (auto p = text(sv, s.body)) return p;
        } else if (sk == "type") {
          if (auto p = text(sv, s.type)) return p;
        } else if (sk == "new_wa_id" || sk == "wa_id") {
          if (auto p = id_text(sv, s.new_wa_id)) return p;
        }
      }
      m.message.content = std::move(s);
      keep(key);
    }
  }
  if (!has_id) return fail("webhook.missing", "'id' is required");
  if (!has_from) return fail("webhook.missing", "'from' is required");
  if (!has_timestamp) return fail("webhook.missing", "'timestamp' is required");
  if (!has_type) return fail("webhook.missing", "'type' is required");

  if (!content_key.empty() && content_key == m.type) {
    // m.message.content holds it already.
  } else {
    // A type chatdesk does not model (or whose content is missing): kept whole.
    bool ok = false;
    std::string_view raw;
    if (auto ec = obj.reset().get(ok)) return json_error(ec, "an object");
    if (auto ec = obj.raw_json().get(raw)) return json_error(ec, "an object");
    if (detail::nesting_depth(raw) > limits_.max_depth)
      return fail("webhook.syntax", fmt::format("nested deeper than {} levels", limits_.max_depth));
    m.message.content = unsupported_content{m.type, std::string(trim_right(raw))};
  }
  if (auto phone = parse_wa_id(m.from)) m.message.customer = *phone;
  return std::nullopt;
}

problem run::media(od::value& v, media_kind kind, webhook_message& m) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  media_content c;
  c.kind = kind;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "id") {
      if (auto p = id_text(fv, c.media_id)) return p;
    } else if (key == "link" || key == "url") {
      if (auto p = text(fv, c.link)) return p;
    } else if (key == "caption") {
      if (auto p = text(fv, c.caption)) return p;
    } else if (key == "filename") {
      if (auto p = text(fv, c.filename)) return p;
    } else if (key == "mime_type") {
      if (auto p = text(fv, c.mime_type)) return p;
    } else if (key == "sha256") {
      if (auto p = text(fv, c.sha256)) return p;
    } else if (key == "voice") {
      if (auto p = flag(fv, c.voice)) return p;
    } else if (key == "animated") {
      if (auto p = flag(fv, c.animated)) return p;
    }
  }
  m.message.content = std::move(c);
  return std::nullopt;
}

problem run::location(od::value& v, webhook_message& m) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  location_content c;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "latitude") {
      if (auto p = number_text(fv, c.latitude)) return p;
    } else if (key == "longitude") {
      if (auto p = number_text(fv, c.longitude)) return p;
    } else if (key == "name") {
      if (auto p = text(fv, c.name)) return p;
    } else if (key == "address") {
      if (auto p = text(fv, c.address)) return p;
    }
  }
  m.message.content = std::move(c);
  return std::nullopt;
}

problem run::contacts_content_of(od::value& v, webhook_message& m) {
  od::array a;
  if (auto p = array_of(v, a)) return p;
  contacts_content c;
  std::size_t i = 0;
  for (auto item : a) {
    path_guard gi(path_, i++);
    od::value cv;
    if (auto ec = item.get(cv)) return json_error(ec, "an object");
    od::object obj;
    if (auto p = object_of(cv, obj)) return p;
    contact_card card;
    for (auto f : obj) {
      std::string_view key;
      if (auto ec = key_of(f, key)) return json_error(ec, "an object");
      od::value fv;
      if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
      path_guard g(path_, key);
      if (key == "name") {
        od::object no;
        if (auto p = object_of(fv, no)) return p;
        for (auto nf : no) {
          std::string_view nk;
          if (auto ec = key_of(nf, nk)) return json_error(ec, "an object");
          if (nk != "formatted_name") continue;
          od::value nv;
          if (auto ec = nf.value().get(nv)) return json_error(ec, "a value");
          path_guard gn(path_, nk);
          if (auto p = text(nv, card.formatted_name)) return p;
        }
      } else if (key == "phones" || key == "emails") {
        const bool phones = key == "phones";
        od::array pa;
        if (auto p = array_of(fv, pa)) return p;
        std::size_t j = 0;
        for (auto pe : pa) {
          path_guard gj(path_, j++);
          od::value pv;
          if (auto ec = pe.get(pv)) return json_error(ec, "an object");
          od::object po;
          if (auto p = object_of(pv, po)) return p;
          for (auto pf : po) {
            std::string_view pk;
            if (auto ec = key_of(pf, pk)) return json_error(ec, "an object");
            if (pk != (phones ? "phone" : "email")) continue;
            od::value xv;
            if (auto ec = pf.value().get(xv)) return json_error(ec, "a value");
            path_guard gx(path_, pk);
            std::string s;
            if (auto p = text(xv, s)) return p;
            (phones ? card.phones : card.emails).push_back(std::move(s));
          }
        }
      }
    }
    c.contacts.push_back(std::move(card));
  }
  m.message.content = std::move(c);
  return std::nullopt;
}

problem run::interactive(od::value& v, webhook_message& m, bool& known) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  interactive_content c;
  std::string type;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "type") {
      if (auto p = text(fv, type)) return p;
    } else if (key == "button_reply" || key == "list_reply" || key == "nfm_reply") {
      c.kind = key == "button_reply" ? interactive_kind::button_reply
               : key == "list_reply" ? interactive_kind::list_reply
                                     : interactive_kind::flow_reply;
      od::object ro;
      if (auto p = object_of(fv, ro)) return p;
      for (auto rf : ro) {
        std::string_view rk;
        if (auto ec = key_of(rf, rk)) return json_error(ec, "an object");
        od::value rv;
        if (auto ec = rf.value().get(rv)) return json_error(ec, "a value");
        path_guard gr(path_, rk);
        if (rk == "id") {
          if (auto p = text(rv, c.reply_id)) return p;
        } else if (rk == "title" || rk == "name") {
          if (auto p = text(rv, c.reply_title)) return p;
        } else if (rk == "description" || rk == "body") {
          if (auto p = text(rv, c.body)) return p;
        } else if (rk == "response_json") {
          if (auto p = text(rv, c.payload_json)) return p;
        }
      }
    }
  }
  // Another interactive type (a newer reply kind) keeps the message unsupported.
  known = type == "button_reply" || type == "list_reply" || type == "nfm_reply";
  if (known) m.message.content = std::move(c);
  return std::nullopt;
}

problem run::order(od::value& v, webhook_message& m) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  order_content c;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "catalog_id") {
      if (auto p = id_text(fv, c.catalog_id)) return p;
    } else if (key == "text") {
      if (auto p = text(fv, c.text)) return p;
    } else if (key == "product_items") {
      od::array a;
      if (auto p = array_of(fv, a)) return p;
      std::size_t i = 0;
      for (auto item : a) {
        path_guard gi(path_, i++);
        od::value iv;
        if (auto ec = item.get(iv)) return json_error(ec, "an object");
        od::object io;
        if (auto p = object_of(iv, io)) return p;
        order_item it;
        for (auto itf : io) {
          std::string_view ik;
          if (auto ec = key_of(itf, ik)) return json_error(ec, "an object");
          od::value xv;
          if (auto ec = itf.value().get(xv)) return json_error(ec, "a value");
          path_guard gx(path_, ik);
          if (ik == "product_retailer_id") {
            if (auto p = id_text(xv, it.product_retailer_id)) return p;
          } else if (ik == "quantity") {
            std::int64_t q = 0;
            if (auto p = integer(xv, q)) return p;
            if (q < 0 || q > std::numeric_limits<std::uint32_t>::max())
              return fail("webhook.value", "quantity out of range");
            it.quantity = static_cast<std::uint32_t>(q);
          } else if (ik == "item_price") {
            if (auto p = number_text(xv, it.item_price)) return p;
          } else if (ik == "currency") {
            if (auto p = text(xv, it.currency)) return p;
          }
        }
        c.items.push_back(std::move(it));
      }
    }
  }
  m.message.content = std::move(c);
  return std::nullopt;
}

problem run::context(od::value& v, webhook_message& m) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  reply_context c;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "id") {
      if (auto p = text(fv, c.message_id)) return p;
    } else if (key == "from") {
      if (auto p = id_text(fv, c.from)) return p;
    } else if (key == "forwarded") {
      if (auto p = flag(fv, c.forwarded)) return p;
    } else if (key == "frequently_forwarded") {
      if (auto p = flag(fv, c.frequently_forwarded)) return p;
    } else if (key == "referred_product") {
      od::object po;
      if (auto p = object_of(fv, po)) return p;
      for (auto pf : po) {
        std::string_view pk;
        if (auto ec = key_of(pf, pk)) return json_error(ec, "an object");
        od::value pv;
        if (auto ec = pf.value().get(pv)) return json_error(ec, "a value");
        path_guard gp(path_, pk);
        if (pk == "catalog_id") {
          if (auto p = id_text(pv, c.catalog_id)) return p;
        } else if (pk == "product_retailer_id") {
          if (auto p = id_text(pv, c.product_retailer_id)) return p;
        }
      }
    }
  }
  m.message.context = std::move(c);
  return std::nullopt;
}

problem run::referral_of(od::value& v, webhook_message& m) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  chatdesk::referral r;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    std::string* target = nullptr;
    if (key == "source_type")
      target = &r.source_type;
    else if (key == "source_id")
      target = &r.source_id;
    else if (key == "source_url")
      target = &r.source_url;
    else if (key == "headline")
      target = &r.headline;
    else if (key == "body")
      target = &r.body;
    else if (key == "ctwa_clid")
      target = &r.ctwa_clid;
    else if (key == "media_type")
      target = &r.media_type;
    else if (key == "image_url")
      target = &r.image_url;
    else if (key == "video_url")
      target = &r.video_url;
    else if (key == "thumbnail_url")
      target = &r.thumbnail_url;
    if (target != nullptr) {
      if (auto p = id_text(fv, *target)) return p;
    }
  }
  m.message.referral = std::move(r);
  return std::nullopt;
}

problem run::status(od::value& v, webhook_status& s) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  bool has_id = false, has_status = false, has_timestamp = false;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "id") {
      if (auto p = text(fv, s.id)) return p;
      has_id = !s.id.empty();
    } else if (key == "status") {
      if (auto p = text(fv, s.status_text)) return p;
      has_status = !s.status_text.empty();
    } else if (key == "timestamp") {
      if (auto p = seconds(fv, s.at)) return p;
      has_timestamp = true;
    } else if (key == "recipient_id") {
      if (auto p = id_text(fv, s.recipient_id)) return p;
    } else if (key == "recipient_type") {
      if (auto p = text(fv, s.recipient_type)) return p;
    } else if (key == "biz_opaque_callback_data") {
      if (auto p = text(fv, s.biz_opaque_callback_data)) return p;
    } else if (key == "pricing") {
      s.pricing.emplace();
      if (auto p = pricing(fv, *s.pricing)) return p;
    } else if (key == "conversation") {
      s.conversation.emplace();
      if (auto p = conversation(fv, *s.conversation)) return p;
    } else if (key == "errors") {
      if (auto p = errors_array(fv, s.errors)) return p;
    }
  }
  if (!has_id) return fail("webhook.missing", "'id' is required");
  if (!has_status) return fail("webhook.missing", "'status' is required");
  if (!has_timestamp) return fail("webhook.missing", "'timestamp' is required");
  if (auto st = parse_message_status(s.status_text); st && *st != message_status::accepted) s.status = *st;
  if (s.recipient_type != "group" && !s.recipient_id.empty())
    if (auto phone = parse_wa_id(s.recipient_id)) s.recipient = *phone;
  return std::nullopt;
}

problem run::pricing(od::value& v, webhook_pricing& out) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "billable") {
      bool b = false;
      if (auto p = flag(fv, b)) return p;
      out.billable = b;
    } else if (key == "pricing_model") {
      if (auto p = text(fv, out.pricing_model)) return p;
    } else if (key == "type") {
      if (auto p = text(fv, out.type)) return p;
    } else if (key == "category") {
      if (auto p = text(fv, out.category)) return p;
    }
  }
  return std::nullopt;
}

problem run::conversation(od::value& v, webhook_conversation& c) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "id") {
      if (auto p = text(fv, c.id)) return p;
    } else if (key == "expiration_timestamp") {
      timestamp t{};
      if (auto p = seconds(fv, t)) return p;
      c.expires = t;
    } else if (key == "origin") {
      od::object oo;
      if (auto p = object_of(fv, oo)) return p;
      for (auto of : oo) {
        std::string_view ok;
        if (auto ec = key_of(of, ok)) return json_error(ec, "an object");
        if (ok != "type") continue;
        od::value tv;
        if (auto ec = of.value().get(tv)) return json_error(ec, "a value");
        path_guard gt(path_, "type");
        if (auto p = text(tv, c.origin)) return p;
      }
    }
  }
  return std::nullopt;
}

problem run::errors_array(od::value& v, std::vector<status_error>& out) {
  od::array a;
  if (auto p = array_of(v, a)) return p;
  std::size_t i = 0;
  for (auto item : a) {
    path_guard gi(path_, i++);
    od::value ev;
    if (auto ec = item.get(ev)) return json_error(ec, "an object");
    out.emplace_back();
    if (auto p = error_object(ev, out.back())) return p;
  }
  return std::nullopt;
}

problem run::error_object(od::value& v, status_error& e) {
  od::object obj;
  if (auto p = object_of(v, obj)) return p;
  for (auto f : obj) {
    std::string_view key;
    if (auto ec = key_of(f, key)) return json_error(ec, "an object");
    od::value fv;
    if (auto ec = f.value().get(fv)) return json_error(ec, "a value");
    path_guard g(path_, key);
    if (key == "code") {
      std::int64_t code = 0;
      if (auto p = integer(fv, code)) return p;
      if (code < std::numeric_limits<int>::min() || code > std::numeric_limits<int>::max())
        return fail("webhook.value", "error code out of range");
      e.code = static_cast<int>(code);
    } else if (key == "title") {
      if (auto p = text(fv, e.title)) return p;
    } else if (key == "message") {
      if (auto p = text(fv, e.message)) return p;
    } else if (key == "error_data") {
      od::object d;
      if (auto p = object_of(fv, d)) return p;
      for (auto df : d) {
        std::string_view dk;
        if (auto ec = key_of(df, dk)) return json_error(ec, "an object");
        if (dk != "details") continue;
        od::value dv;
        if (auto ec = df.value().get(dv)) return json_error(ec, "a value");
        path_guard gd(path_, "details");
        if (auto p = text(dv, e.details)) return p;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

constexpr std::size_t parser_depth = 32;

struct webhook_decoder::impl {
  webhook_limits limits;
  od::parser parser;
  std::string buffer;   // the body, with simdjson's padding after it
  std::string scratch;  // unescaped strings
};

webhook_decoder::webhook_decoder(webhook_limits limits) : impl_(std::make_unique<impl>()) {
  impl_->limits = limits;
  impl_->parser = od::parser(limits.max_body_bytes);
  // The decoder descends at most a dozen levels into known keys, whatever the
  // body holds (skipped values are not descended), so the parser's depth is
  // fixed; limits.max_depth bounds the raw JSON kept for the caller.
  // Allocation failure leaves the parser to allocate on first use.
  if (impl_->parser.allocate(4096, parser_depth) != simdjson::SUCCESS)
    impl_->parser = od::parser(limits.max_body_bytes);
}
webhook_decoder::~webhook_decoder() = default;
webhook_decoder::webhook_decoder(webhook_decoder&&) noexcept = default;
webhook_decoder& webhook_decoder::operator=(webhook_decoder&&) noexcept = default;

result<webhook_batch> webhook_decoder::decode(std::string_view body) {
  webhook_batch batch;
  if (auto r = decode_into(body, batch); !r) return r.error();
  return batch;
}

result<void> webhook_decoder::decode_into(std::string_view body, webhook_batch& out) {
  out.object.clear();
  out.events.clear();
  auto& limits = impl_->limits;
  if (body.size() > limits.max_body_bytes)
    return make_error("webhook.too_large", fmt::format("the body has {} bytes, more than the limit of {}",
                                                       body.size(), limits.max_body_bytes));
  auto& buf = impl_->buffer;
  buf.assign(body);
  buf.resize(body.size() + simdjson::SIMDJSON_PADDING, '\0');
  od::document doc;
  if (auto ec = impl_->parser.iterate(buf.data(), body.size(), buf.size()).get(doc))
    return make_error("webhook.syntax",
                      fmt::format("the body is not JSON ({})", simdjson::error_message(ec)));
  run r(out, limits, impl_->parser, impl_->scratch);
  if (auto p = r.body(doc, body)) {
    out.object.clear();
    out.events.clear();
    return std::move(*p);
  }
  return {};
}

}  // namespace chatdesk
