// Platform webhook bodies, decoded by one decoding code over two simdjson
// front ends: the DOM parser first (the fast path, for bodies up to
// `fast_path_max_bytes`), and the On-Demand API (the reference path) for every
// body the fast path cannot keep exact (numbers, escapes it leaves alone) and
// for every error, so that problems are always named by the reference path.
// Values are copied out as they are met; a change's messages and statuses are
// completed with its metadata and contacts when the change ends (keys may come
// in any order), and the batch is handed over only when the whole body
// decoded, so a bad body yields no events. Tests and fuzz_webhook check that
// both paths give the same events.
#include "chatdesk/wire/webhook.hpp"

#include "chatdesk/wire/detail/webhook_paths.hpp"

#include "../core/json_depth.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace chatdesk {

namespace {

namespace od = simdjson::ondemand;
using problem = std::optional<error>;

// The fast path's problem: only whether there is one (the reference path
// decodes the body again and words the error). One byte to return instead of
// an optional error: the decoder's helpers return one on every call.
class retry_flag {
 public:
  retry_flag() noexcept = default;
  retry_flag(std::nullopt_t /*none*/) noexcept {}          // NOLINT(*-explicit-*): as problem's
  retry_flag(const error& /*e*/) noexcept : set_(true) {}  // NOLINT(*-explicit-*): as problem's
  explicit operator bool() const noexcept { return set_; }

 private:
  bool set_ = false;
};

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

// Copies text that does not overlap `out` into it, keeping its storage:
// clear and append cost less than assign, which allows for overlap.
inline void copy_text(std::string& out, std::string_view s) {
  out.clear();
  out.append(s);
}
void copy_metadata(webhook_metadata& to, const webhook_metadata& from, std::string_view account_id) {
  copy_text(to.account_id, account_id);
  copy_text(to.phone_number_id, from.phone_number_id);
  copy_text(to.display_phone_number, from.display_phone_number);
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

// A field's key, compared with the literals the decoder knows in a few
// inlined instructions (a string_view compared with a literal calls memcmp).
struct json_key {
  std::string_view text;
  template <std::size_t N>
  [[nodiscard]] bool operator==(const char (&literal)[N]) const noexcept {
    return text.size() == N - 1 && std::memcmp(text.data(), literal, N - 1) == 0;
  }
  [[nodiscard]] bool operator==(std::string_view other) const noexcept { return text == other; }
  operator std::string_view() const noexcept { return text; }  // NOLINT(google-explicit-constructor)
};

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

// Events are decoded into the slots of the caller's batch, so a decoder and a
// batch kept between bodies reuse their strings' storage instead of
// allocating. A reused event is reset field by field; the structured bindings
// name every field, so a field added to the type and not reset here fails to
// compile.
void reset(webhook_metadata& m) noexcept {
  auto& [account_id, phone_number_id, display_phone_number] = m;
  account_id.clear();
  phone_number_id.clear();
  display_phone_number.clear();
}

// What a template or account update's value holds.
struct update_parts {
  std::string template_id, name, language, event, reason, previous, current;
  std::string display_phone_number, messaging_limit;
  std::string raw_json;
};

// What a change's value holds, gathered in one pass whatever the key order.
struct change_parts {
  webhook_metadata metadata;
  std::vector<std::pair<std::string, std::string>> contacts;  // wa_id, profile name
  std::vector<status_error> errors;
  bool messages_shaped = false;  // had metadata, messages, statuses, contacts or errors
  // Template and account updates only: made when first needed.
  update_parts& update() { return update_ ? *update_ : update_.emplace(); }
  // Ready for the next change, keeping the storage.
  void clear() noexcept {
    reset(metadata);
    contacts.clear();
    errors.clear();
    messages_shaped = false;
    update_.reset();
  }

 private:
  std::optional<update_parts> update_;
};

void reset(webhook_message& e) {
  auto& [metadata, msg, from, profile_name, type, errors, conversation_id] = e;
  reset(metadata);
  auto& [dir, id, correlation_id, business_number_id, customer, at, content, context, ref] = msg;
  dir = direction::inbound;
  id.clear();
  correlation_id.clear();
  business_number_id.clear();
  customer = phone_number{};
  at = timestamp{};
  if (auto* t = std::get_if<text_content>(&content)) {
    auto& [body, preview_url] = *t;
    body.clear();
    preview_url = false;
  } else {
    content.emplace<text_content>();
  }
  context.reset();
  ref.reset();
  from.clear();
  profile_name.clear();
  type.clear();
  errors.clear();
  conversation_id.clear();
}

void reset(webhook_status& e) {
  auto& [metadata, id, status_text, status, at, recipient_id, recipient, recipient_type,
         biz_opaque_callback_data, pricing, conversation, errors, type, payment] = e;
  reset(metadata);
  id.clear();
  status_text.clear();
  status.reset();
  at = timestamp{};
  recipient_id.clear();
  recipient = phone_number{};
  recipient_type.clear();
  biz_opaque_callback_data.clear();
  pricing.reset();
  conversation.reset();
  errors.clear();
  type.clear();
  payment.reset();
}

// The two ways the decoder reads a body. `dom` parses the whole body into
// simdjson's tape first (its parsing stage is chosen at run time for this CPU,
// and strings come out unescaped with their lengths): the fast path. It cannot
// give back text as received, so wherever that is needed (raw JSON of values
// kept for the caller, numbers kept as written) and on any problem it gives
// up, and the body is decoded again with `ondemand`, the reference path,
// which reads the body lazily in place and words every error. A body the fast
// path decodes yields exactly the events the reference path would; tests and
// a fuzz target check this.
struct ondemand_json {
  using root = od::document;
  using value = od::value;
  using object = od::object;
  using array = od::array;
};
struct dom_json {
  using root = simdjson::dom::element;
  using value = simdjson::dom::element;
  using object = simdjson::dom::object;
  using array = simdjson::dom::array;
};

// The fast path's problems say only that the reference path must decide.
constexpr std::string_view retry_code = "webhook.retry";

template <class J>
class run {
 public:
  using root = typename J::root;
  using value = typename J::value;
  using object = typename J::object;
  using array = typename J::array;
  static constexpr bool fast = std::is_same_v<J, dom_json>;
  using problem = std::conditional_t<fast, retry_flag, chatdesk::problem>;

  run(webhook_batch& out, const webhook_limits& limits, od::parser& parser, std::string& scratch,
      change_parts& parts)
      : out_(out), limits_(limits), parser_(parser), scratch_(scratch), parts_(parts) {}

  problem body(root& doc, std::string_view raw_body);

 private:
  error fail(std::string_view code, std::string_view what) const {
    if constexpr (fast) {
      (void)code;
      (void)what;
      return make_error(retry_code, "decode again on the reference path");
    } else {
      const auto where = path_.str();
      return make_error(code, where.empty() ? std::string(what) : fmt::format("{}: {}", where, what), where);
    }
  }
  error json_error(simdjson::error_code code, std::string_view expected) const {
    if constexpr (fast) {
      (void)code;
      return fail(retry_code, expected);
    } else {
      if (code == simdjson::INCORRECT_TYPE || code == simdjson::NUMBER_ERROR)
        return fail("webhook.type", fmt::format("must be {}", expected));
      if (code == simdjson::DEPTH_ERROR)
        return fail("webhook.syntax", fmt::format("nested deeper than {} levels", limits_.max_depth));
      if (code == simdjson::NUMBER_OUT_OF_RANGE) return fail("webhook.value", "number out of range");
      return fail("webhook.syntax", fmt::format("not valid JSON ({})", simdjson::error_message(code)));
    }
  }

  problem object_of(value& v, object& out) {
    if (auto ec = v.get_object().get(out)) return json_error(ec, "an object");
    return std::nullopt;
  }
  problem array_of(value& v, array& out) {
    if (auto ec = v.get_array().get(out)) return json_error(ec, "an array");
    return std::nullopt;
  }
  // Calls f(key, value) for each field of an object, with the key on the path.
  template <class F>
  problem fields_of(object& obj, F&& f) {
    if constexpr (fast) {
      // No path: the fast path's problems are never shown.
      for (auto field : obj)
        if (auto p = f(json_key{field.key}, field.value)) return p;
    } else {
      for (auto field : obj) {
        std::string_view key;
        if (auto ec = key_of(field, key)) return json_error(ec, "an object");
        od::value v;
        if (auto ec = field.value().get(v)) return json_error(ec, "a value");
        path_guard g(path_, key);
        if (auto p = f(json_key{key}, v)) return p;
      }
    }
    return std::nullopt;
  }
  template <class F>
  problem fields(value& v, F&& f) {
    object obj;
    if (auto p = object_of(v, obj)) return p;
    return fields_of(obj, std::forward<F>(f));
  }
  // Calls f(element) for each element of an array, with the index on the path.
  template <class F>
  problem elements(value& v, F&& f) {
    array a;
    if (auto p = array_of(v, a)) return p;
    if constexpr (fast) {
      for (value e : a)
        if (auto p = f(e)) return p;
    } else {
      std::size_t i = 0;
      for (auto item : a) {
        path_guard g(path_, i++);
        value e;
        if (auto ec = item.get(e)) return json_error(ec, "a value");
        if (auto p = f(e)) return p;
      }
    }
    return std::nullopt;
  }
  // An object's JSON as received (after it was iterated), for the caller to
  // keep: refused when nested deeper than the limit.
  result<std::string_view> raw_of(object& obj) {
    if constexpr (fast) {
      (void)obj;
      return fail(retry_code, "raw JSON");
    } else {
      bool ok = false;
      std::string_view raw;
      if (auto ec = obj.reset().get(ok)) return json_error(ec, "an object");
      if (auto ec = obj.raw_json().get(raw)) return json_error(ec, "an object");
      if (detail::nesting_depth(raw) > limits_.max_depth)
        return fail("webhook.syntax", fmt::format("nested deeper than {} levels", limits_.max_depth));
      return trim_right(raw);
    }
  }

  // Text; null reads as empty (optional fields the platform sends as null).
  // Strings without escapes are copied straight from the body; others are
  // unescaped by simdjson.
  problem text(value& v, std::string& out) {
    if constexpr (fast) {
      std::string_view s;
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        copy_text(out, s);
        return std::nullopt;
      }
      if (!v.is_null()) return fail(retry_code, "a string");
      out.clear();
      return std::nullopt;
    } else {
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
  // The fast path reads only strings and null; a number is read as written by
  // the reference path.
  problem id_text(value& v, std::string& out) {
    if constexpr (fast) {
      return text(v, out);
    } else {
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
  }
  // Whether `v` is an object (a value that may be a string or an object).
  bool is_object(value& v) {
    if constexpr (fast) {
      return v.is_object();
    } else {
      od::json_type type{};
      return v.type().get(type) == simdjson::SUCCESS && type == od::json_type::object;
    }
  }
  problem flag(value& v, bool& out) {
    if (auto ec = v.get_bool().get(out)) return json_error(ec, "true or false");
    return std::nullopt;
  }
  // Numbers kept exactly as written (coordinates, prices); as for ids, the
  // fast path leaves numbers to the reference path.
  problem number_text(value& v, std::string& out) {
    if constexpr (fast) {
      if (!v.is_string()) return fail(retry_code, "a number");
      return text(v, out);
    } else {
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
  }
  problem integer(value& v, std::int64_t& out) {
    std::string_view s;
    if constexpr (fast) {
      if (v.is_int64()) {
        out = v.get_int64().value_unsafe();
        return std::nullopt;
      }
      if (v.get_string().get(s) != simdjson::SUCCESS) return fail(retry_code, "a whole number");
    } else {
      od::json_type type{};
      if (auto ec = v.type().get(type)) return json_error(ec, "a whole number");
      if (type != od::json_type::string) {
        if (auto ec = v.get_int64().get(out)) return json_error(ec, "a whole number");
        return std::nullopt;
      }
      if (auto ec = v.get_string().get(s)) return json_error(ec, "a whole number");
    }
    // Up to 18 plain digits cannot overflow: read them inline (Unix times, the common case).
    if (!s.empty() && s.size() <= 18) {
      std::int64_t n = 0;
      bool digits = true;
      for (const char c : s) {
        const auto d = static_cast<unsigned>(c) - unsigned{'0'};
        if (d > 9) {
          digits = false;
          break;
        }
        n = n * 10 + static_cast<std::int64_t>(d);
      }
      if (digits) {
        out = n;
        return std::nullopt;
      }
    }
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    if (ec != std::errc{} || p != end || s.empty()) return fail("webhook.value", "must be a whole number");
    return std::nullopt;
  }
  // Unix seconds, as a string ("1749416383") or a number.
  problem seconds(value& v, timestamp& out) {
    std::int64_t n = 0;
    if (auto p = integer(v, n)) return p;
    // Years 1970 to 9999 only: anything else is a corrupt body, not a date.
    if (n < 0 || n > 253402300799) return fail("webhook.value", "is not a Unix time between 1970 and 9999");
    out = timestamp(std::chrono::seconds(n));
    return std::nullopt;
  }

  problem entry(value& v);
  problem change(value& v, std::string_view account_id, const std::optional<timestamp>& entry_time);
  problem value_object(object& obj, change_parts& parts);
  problem metadata(value& v, webhook_metadata& m);
  problem contacts_array(value& v, change_parts& parts);
  problem message(value& v, webhook_message& m);
  problem status(value& v, webhook_status& s);
  problem errors_array(value& v, std::vector<status_error>& out);
  problem error_object(value& v, status_error& e);
  problem media(value& v, media_kind kind, webhook_message& m);
  problem location(value& v, webhook_message& m);
  problem contacts_content_of(value& v, webhook_message& m);
  problem interactive(value& v, webhook_message& m, bool& known);
  problem order(value& v, webhook_message& m);
  problem context(value& v, webhook_message& m);
  problem referral_of(value& v, webhook_message& m);
  problem pricing(value& v, webhook_pricing& p);
  problem conversation(value& v, webhook_conversation& c);
  problem payment(value& v, payment_notice& n);
  problem transaction(value& v, payment_transaction& t);
  problem amount(value& v, payment_amount& a);

  // The batch's events in use so far; slots past them are kept for reuse.
  [[nodiscard]] std::size_t event_count() const noexcept { return used_; }
  webhook_event& event_at(std::size_t i) noexcept { return out_.events[i]; }
  // The next slot as a T with default values, reusing the slot's storage.
  template <class T>
  T& next_event() {
    if (used_ == out_.events.size()) {
      ++used_;
      return std::get<T>(out_.events.emplace_back(std::in_place_type<T>));
    }
    auto& slot = out_.events[used_++];
    if constexpr (std::is_same_v<T, webhook_message> || std::is_same_v<T, webhook_status>) {
      if (auto* e = std::get_if<T>(&slot)) {
        reset(*e);
        return *e;
      }
    }
    return slot.template emplace<T>();
  }
  template <class T>
  void push_event(T&& e) {
    next_event<std::decay_t<T>>() = std::forward<T>(e);
  }
  void drop_events_from(std::size_t first) noexcept { used_ = std::min(used_, first); }

  problem count_event() {
    if (used_ >= limits_.max_events)
      return fail("webhook.too_many_events",
                  fmt::format("more than {} events in one body", limits_.max_events));
    return std::nullopt;
  }

  webhook_batch& out_;
  const webhook_limits& limits_;
  od::parser& parser_;
  std::string& scratch_;
  change_parts& parts_;  // one change at a time: changes do not nest
  std::size_t used_ = 0;
  // Only the reference path names where a problem is.
  [[no_unique_address]] std::conditional_t<fast, std::monostate, json_path> path_;
};

template <class J>
auto run<J>::body(root& doc, std::string_view raw_body) -> problem {
  // simdjson reads lazily: tell "not JSON" from "JSON, but not an object" first.
  const auto start = raw_body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || (raw_body[start] != '{' && raw_body[start] != '['))
    return fail("webhook.syntax", "the body is not a JSON object");
  object obj;
  if (auto ec = doc.get_object().get(obj)) return json_error(ec, "an object");
  bool has_entry = false;
  if (auto p = fields_of(obj, [&](json_key key, auto& v) -> problem {
        if (key == "object") return text(v, out_.object);
        if (key == "entry") {
          has_entry = true;
          return elements(v, [&](auto& e) { return entry(e); });
        }
        return std::nullopt;
      }))
    return p;
  if (!has_entry) return fail("webhook.missing", "'entry' is required");
  // Nothing may follow the body's object (the fast path's parse made sure).
  if constexpr (!fast) {
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS)
      return fail("webhook.syntax", "unexpected content after the body's JSON object");
  }
  out_.events.erase(out_.events.begin() + static_cast<std::ptrdiff_t>(used_), out_.events.end());
  return std::nullopt;
}

template <class J>
auto run<J>::entry(value& v) -> problem {
  // The account id and time come before or after the changes: the changes'
  // events are completed with them when the entry ends.
  std::string account_id;
  std::optional<timestamp> time;
  const std::size_t first = event_count();
  bool has_changes = false;
  if (auto p = fields(v, [&](json_key key, auto& fv) -> problem {
        if (key == "id") return id_text(fv, account_id);
        if (key == "time") {
          timestamp t{};
          if (auto bad = seconds(fv, t)) return bad;
          time = t;
        } else if (key == "changes") {
          has_changes = true;
          return elements(fv, [&](auto& c) { return change(c, account_id, time); });
        }
        return std::nullopt;
      }))
    return p;
  if (!has_changes) return fail("webhook.missing", "'changes' is required");
  for (std::size_t i = first; i < event_count(); ++i) {
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
        event_at(i));
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

template <class J>
auto run<J>::change(value& v, std::string_view account_id, const std::optional<timestamp>& entry_time)
    -> problem {
  std::string field_name;
  bool has_field = false, has_value = false;
  change_parts& parts = parts_;
  parts.clear();
  // Messages and statuses are decoded in place, after the events before them.
  const std::size_t first = event_count();
  if (auto p = fields(v, [&](json_key key, auto& fv) -> problem {
        if (key == "field") {
          has_field = true;
          return text(fv, field_name);
        }
        if (key != "value") return std::nullopt;
        has_value = true;
        object vo;
        if (auto bad = object_of(fv, vo)) return bad;
        if (auto bad = value_object(vo, parts)) return bad;
        // Small values of other fields are kept as received.
        if (!parts.messages_shaped) {
          auto raw = raw_of(vo);
          if (!raw) return raw.error();
          parts.update().raw_json.assign(*raw);
        }
        return std::nullopt;
      }))
    return p;
  if (!has_field) return fail("webhook.missing", "'field' is required");
  if (!has_value) return fail("webhook.missing", "'value' is required");

  if (field_name == "messages") {
    std::size_t k = 0;  // the k-th message's contact is usually the k-th contact
    for (std::size_t i = first; i < event_count(); ++i) {
      if (auto* m = std::get_if<webhook_message>(&event_at(i))) {
        copy_metadata(m->metadata, parts.metadata, account_id);
        copy_text(m->message.business_number_id, parts.metadata.phone_number_id);
        if (k < parts.contacts.size() && parts.contacts[k].first == m->from) {
          copy_text(m->profile_name, parts.contacts[k].second);
        } else {
          for (const auto& [wa_id, name] : parts.contacts)
            if (wa_id == m->from) m->profile_name = name;
          if (parts.contacts.size() == 1 && m->profile_name.empty() && parts.contacts.front().first.empty())
            m->profile_name = parts.contacts.front().second;
        }
        ++k;
      } else if (auto* st = std::get_if<webhook_status>(&event_at(i))) {
        copy_metadata(st->metadata, parts.metadata, account_id);
      }
    }
    if (!parts.errors.empty()) {
      if (auto p = count_event()) return p;
      webhook_errors e;
      e.metadata = parts.metadata;
      e.metadata.account_id = account_id;
      e.errors = std::move(parts.errors);
      push_event(std::move(e));
    }
    return std::nullopt;
  }
  // Message-shaped content under another field is not messages.
  drop_events_from(first);
  if (auto p = count_event()) return p;
  if (is_template_field(field_name)) {
    webhook_template_update u;
    u.account_id = account_id;
    u.field = std::move(field_name);
    u.at = entry_time;
    u.template_id = std::move(parts.update().template_id);
    u.name = std::move(parts.update().name);
    u.language = std::move(parts.update().language);
    u.event = std::move(parts.update().event);
    u.reason = std::move(parts.update().reason);
    u.previous = std::move(parts.update().previous);
    u.current = std::move(parts.update().current);
    push_event(std::move(u));
  } else if (is_account_field(field_name)) {
    webhook_account_update u;
    u.account_id = account_id;
    u.field = std::move(field_name);
    u.at = entry_time;
    u.event = std::move(parts.update().event);
    u.display_phone_number = parts.update().display_phone_number.empty()
                                 ? parts.metadata.display_phone_number
                                 : parts.update().display_phone_number;
    u.messaging_limit = std::move(parts.update().messaging_limit);
    u.raw_json = std::move(parts.update().raw_json);
    push_event(std::move(u));
  } else {
    webhook_unknown_field u;
    u.account_id = account_id;
    u.field = std::move(field_name);
    u.raw_json = std::move(parts.update().raw_json);
    push_event(std::move(u));
  }
  return std::nullopt;
}

template <class J>
auto run<J>::value_object(object& obj, change_parts& parts) -> problem {
  return fields_of(obj, [&](json_key key, auto& v) -> problem {
    if (key == "metadata") {
      parts.messages_shaped = true;
      return metadata(v, parts.metadata);
    }
    if (key == "contacts") {
      parts.messages_shaped = true;
      return contacts_array(v, parts);
    }
    if (key == "messages") {
      parts.messages_shaped = true;
      return elements(v, [&](auto& mv) -> problem {
        if (auto p = count_event()) return p;
        auto& m = next_event<webhook_message>();
        return message(mv, m);
      });
    }
    if (key == "statuses") {
      parts.messages_shaped = true;
      return elements(v, [&](auto& sv) -> problem {
        if (auto p = count_event()) return p;
        auto& st = next_event<webhook_status>();
        return status(sv, st);
      });
    }
    if (key == "errors") {
      parts.messages_shaped = true;
      return errors_array(v, parts.errors);
    }
    if (key == "message_template_id") return id_text(v, parts.update().template_id);
    if (key == "message_template_name") return text(v, parts.update().name);
    if (key == "message_template_language") return text(v, parts.update().language);
    if (key == "event" || key == "decision") return text(v, parts.update().event);
    if (key == "reason") return text(v, parts.update().reason);
    if (key == "previous_quality_score" || key == "previous_category")
      return text(v, parts.update().previous);
    if (key == "new_quality_score" || key == "new_category") return text(v, parts.update().current);
    if (key == "display_phone_number" || key == "phone_number")
      return id_text(v, parts.update().display_phone_number);
    if (key == "current_limit" || key == "messaging_limit_tier" ||
        key == "whatsapp_business_manager_messaging_limit")
      return text(v, parts.update().messaging_limit);
    return std::nullopt;
  });
}

template <class J>
auto run<J>::metadata(value& v, webhook_metadata& m) -> problem {
  return fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "phone_number_id") return id_text(fv, m.phone_number_id);
    if (key == "display_phone_number") return id_text(fv, m.display_phone_number);
    return std::nullopt;
  });
}

template <class J>
auto run<J>::contacts_array(value& v, change_parts& parts) -> problem {
  return elements(v, [&](auto& cv) -> problem {
    std::string wa_id, name;
    if (auto p = fields(cv, [&](json_key key, auto& fv) -> problem {
          if (key == "wa_id") return id_text(fv, wa_id);
          if (key == "profile")
            return fields(fv, [&](json_key pk, auto& pv) -> problem {
              return pk == "name" ? text(pv, name) : std::nullopt;
            });
          return std::nullopt;
        }))
      return p;
    parts.contacts.emplace_back(std::move(wa_id), std::move(name));
    return std::nullopt;
  });
}

template <class J>
auto run<J>::message(value& v, webhook_message& m) -> problem {
  object obj;
  if (auto p = object_of(v, obj)) return p;
  m.message.direction = direction::inbound;
  bool has_id = false, has_from = false, has_timestamp = false, has_type = false;
  // The content is decoded from the key named like its type; which one counts
  // is known when the type is (it may come after the content).
  std::string_view content_key;  // the key whose content m.message.content holds
  // Decode a content key only when it can be the message's: the type is not
  // known yet, or it names this key.
  auto wanted = [&](std::string_view k) { return !has_type || k == m.type; };
  auto keep = [&](std::string_view k, problem p) {
    if (!p) content_key = k;
    return p;
  };
  if (auto p = fields_of(obj, [&](json_key key, auto& fv) -> problem {
        if (key == "id") {
          if (auto bad = text(fv, m.message.id)) return bad;
          has_id = !m.message.id.empty();
        } else if (key == "from") {
          if (auto bad = id_text(fv, m.from)) return bad;
          has_from = !m.from.empty();
        } else if (key == "timestamp") {
          has_timestamp = true;
          return seconds(fv, m.message.at);
        } else if (key == "type") {
          has_type = true;
          return text(fv, m.type);
        } else if (key == "context") {
          return context(fv, m);
        } else if (key == "referral") {
          return referral_of(fv, m);
        } else if (key == "errors") {
          return errors_array(fv, m.errors);
        } else if (!wanted(key)) {
          return std::nullopt;
        } else if (key == "text") {
          // A reused event's text keeps its storage.
          auto* reused = std::get_if<text_content>(&m.message.content);
          if (reused != nullptr) {
            reused->body.clear();
            reused->preview_url = false;
          }
          auto& t = reused != nullptr ? *reused : m.message.content.template emplace<text_content>();
          return keep(key, fields(fv, [&](json_key k, auto& x) -> problem {
                        return k == "body" ? text(x, t.body) : std::nullopt;
                      }));
        } else if (key == "location") {
          return keep(key, location(fv, m));
        } else if (key == "contacts") {
          return keep(key, contacts_content_of(fv, m));
        } else if (key == "interactive") {
          bool known = false;
          auto bad = interactive(fv, m, known);
          if (bad || !known) return bad;
          return keep(key, std::nullopt);
        } else if (key == "button") {
          interactive_content c;
          c.kind = interactive_kind::quick_reply;
          auto bad = fields(fv, [&](json_key k, auto& x) -> problem {
            if (k == "payload") return text(x, c.reply_id);
            if (k == "text") return text(x, c.reply_title);
            return std::nullopt;
          });
          m.message.content = std::move(c);
          return keep(key, std::move(bad));
        } else if (key == "reaction") {
          reaction_content r;
          auto bad = fields(fv, [&](json_key k, auto& x) -> problem {
            if (k == "message_id") return text(x, r.message_id);
            if (k == "emoji") return text(x, r.emoji);
            return std::nullopt;
          });
          m.message.content = std::move(r);
          return keep(key, std::move(bad));
        } else if (key == "order") {
          return keep(key, order(fv, m));
        } else if (key == "system") {
          system_content sc;
          auto bad = fields(fv, [&](json_key k, auto& x) -> problem {
            if (k == "body") return text(x, sc.body);
            if (k == "type") return text(x, sc.type);
            if (k == "new_wa_id" || k == "wa_id") return id_text(x, sc.new_wa_id);
            return std::nullopt;
          });
          m.message.content = std::move(sc);
          return keep(key, std::move(bad));
        } else if (auto kind = parse_media_kind(key)) {
          return keep(key, media(fv, *kind, m));
        }
        return std::nullopt;
      }))
    return p;
  if (!has_id) return fail("webhook.missing", "'id' is required");
  if (!has_from) return fail("webhook.missing", "'from' is required");
  if (!has_timestamp) return fail("webhook.missing", "'timestamp' is required");
  if (!has_type) return fail("webhook.missing", "'type' is required");

  if (content_key.empty() || content_key != m.type) {
    // A type chatdesk does not model (or whose content is missing): kept whole.
    auto raw = raw_of(obj);
    if (!raw) return raw.error();
    m.message.content = unsupported_content{m.type, std::string(*raw)};
  }
  if (auto phone = parse_wa_id(m.from)) m.message.customer = *phone;
  return std::nullopt;
}

template <class J>
auto run<J>::media(value& v, media_kind kind, webhook_message& m) -> problem {
  media_content c;
  c.kind = kind;
  auto p = fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "id") return id_text(fv, c.media_id);
    if (key == "link" || key == "url") return text(fv, c.link);
    if (key == "caption") return text(fv, c.caption);
    if (key == "filename") return text(fv, c.filename);
    if (key == "mime_type") return text(fv, c.mime_type);
    if (key == "sha256") return text(fv, c.sha256);
    if (key == "voice") return flag(fv, c.voice);
    if (key == "animated") return flag(fv, c.animated);
    return std::nullopt;
  });
  m.message.content = std::move(c);
  return p;
}

template <class J>
auto run<J>::location(value& v, webhook_message& m) -> problem {
  location_content c;
  auto p = fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "latitude") return number_text(fv, c.latitude);
    if (key == "longitude") return number_text(fv, c.longitude);
    if (key == "name") return text(fv, c.name);
    if (key == "address") return text(fv, c.address);
    return std::nullopt;
  });
  m.message.content = std::move(c);
  return p;
}

template <class J>
auto run<J>::contacts_content_of(value& v, webhook_message& m) -> problem {
  contacts_content c;
  auto p = elements(v, [&](auto& cv) -> problem {
    contact_card card;
    auto bad = fields(cv, [&](json_key key, auto& fv) -> problem {
      if (key == "name")
        return fields(fv, [&](json_key nk, auto& nv) -> problem {
          return nk == "formatted_name" ? text(nv, card.formatted_name) : std::nullopt;
        });
      if (key != "phones" && key != "emails") return std::nullopt;
      const bool phones = key == "phones";
      return elements(fv, [&](auto& pv) -> problem {
        return fields(pv, [&](json_key pk, auto& xv) -> problem {
          if (pk != (phones ? "phone" : "email")) return std::nullopt;
          std::string s;
          if (auto e = text(xv, s)) return e;
          (phones ? card.phones : card.emails).push_back(std::move(s));
          return std::nullopt;
        });
      });
    });
    c.contacts.push_back(std::move(card));
    return bad;
  });
  m.message.content = std::move(c);
  return p;
}

template <class J>
auto run<J>::interactive(value& v, webhook_message& m, bool& known) -> problem {
  interactive_content c;
  std::string type;
  if (auto p = fields(v, [&](json_key key, auto& fv) -> problem {
        if (key == "type") return text(fv, type);
        if (key != "button_reply" && key != "list_reply" && key != "nfm_reply") return std::nullopt;
        c.kind = key == "button_reply" ? interactive_kind::button_reply
                 : key == "list_reply" ? interactive_kind::list_reply
                                       : interactive_kind::flow_reply;
        return fields(fv, [&](json_key rk, auto& rv) -> problem {
          if (rk == "id") return text(rv, c.reply_id);
          if (rk == "title" || rk == "name") return text(rv, c.reply_title);
          if (rk == "description" || rk == "body") return text(rv, c.body);
          if (rk == "response_json") return text(rv, c.payload_json);
          return std::nullopt;
        });
      }))
    return p;
  // Another interactive type (a newer reply kind) keeps the message unsupported.
  known = type == "button_reply" || type == "list_reply" || type == "nfm_reply";
  if (known) m.message.content = std::move(c);
  return std::nullopt;
}

template <class J>
auto run<J>::order(value& v, webhook_message& m) -> problem {
  order_content c;
  auto p = fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "catalog_id") return id_text(fv, c.catalog_id);
    if (key == "text") return text(fv, c.text);
    if (key != "product_items") return std::nullopt;
    return elements(fv, [&](auto& iv) -> problem {
      order_item it;
      auto bad = fields(iv, [&](json_key ik, auto& xv) -> problem {
        if (ik == "product_retailer_id") return id_text(xv, it.product_retailer_id);
        if (ik == "item_price") return number_text(xv, it.item_price);
        if (ik == "currency") return text(xv, it.currency);
        if (ik == "quantity") {
          std::int64_t q = 0;
          if (auto e = integer(xv, q)) return e;
          if (q < 0 || q > std::numeric_limits<std::uint32_t>::max())
            return fail("webhook.value", "quantity out of range");
          it.quantity = static_cast<std::uint32_t>(q);
        }
        return std::nullopt;
      });
      c.items.push_back(std::move(it));
      return bad;
    });
  });
  m.message.content = std::move(c);
  return p;
}

template <class J>
auto run<J>::context(value& v, webhook_message& m) -> problem {
  reply_context c;
  auto p = fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "id") return text(fv, c.message_id);
    if (key == "from") return id_text(fv, c.from);
    if (key == "forwarded") return flag(fv, c.forwarded);
    if (key == "frequently_forwarded") return flag(fv, c.frequently_forwarded);
    if (key == "referred_product")
      return fields(fv, [&](json_key pk, auto& pv) -> problem {
        if (pk == "catalog_id") return id_text(pv, c.catalog_id);
        if (pk == "product_retailer_id") return id_text(pv, c.product_retailer_id);
        return std::nullopt;
      });
    return std::nullopt;
  });
  m.message.context = std::move(c);
  return p;
}

template <class J>
auto run<J>::referral_of(value& v, webhook_message& m) -> problem {
  chatdesk::referral r;
  auto p = fields(v, [&](json_key key, auto& fv) -> problem {
    std::string* target = key == "source_type"     ? &r.source_type
                          : key == "source_id"     ? &r.source_id
                          : key == "source_url"    ? &r.source_url
                          : key == "headline"      ? &r.headline
                          : key == "body"          ? &r.body
                          : key == "ctwa_clid"     ? &r.ctwa_clid
                          : key == "media_type"    ? &r.media_type
                          : key == "image_url"     ? &r.image_url
                          : key == "video_url"     ? &r.video_url
                          : key == "thumbnail_url" ? &r.thumbnail_url
                                                   : nullptr;
    return target != nullptr ? id_text(fv, *target) : std::nullopt;
  });
  m.message.referral = std::move(r);
  return p;
}

template <class J>
auto run<J>::status(value& v, webhook_status& s) -> problem {
  bool has_id = false, has_status = false, has_timestamp = false;
  if (auto p = fields(v, [&](json_key key, auto& fv) -> problem {
        if (key == "id") {
          if (auto bad = text(fv, s.id)) return bad;
          has_id = !s.id.empty();
        } else if (key == "status") {
          if (auto bad = text(fv, s.status_text)) return bad;
          has_status = !s.status_text.empty();
        } else if (key == "timestamp") {
          has_timestamp = true;
          return seconds(fv, s.at);
        } else if (key == "recipient_id") {
          return id_text(fv, s.recipient_id);
        } else if (key == "recipient_type") {
          return text(fv, s.recipient_type);
        } else if (key == "biz_opaque_callback_data") {
          return text(fv, s.biz_opaque_callback_data);
        } else if (key == "pricing") {
          return pricing(fv, s.pricing.emplace());
        } else if (key == "conversation") {
          return conversation(fv, s.conversation.emplace());
        } else if (key == "errors") {
          return errors_array(fv, s.errors);
        } else if (key == "type") {
          return text(fv, s.type);
        } else if (key == "payment") {
          return payment(fv, s.payment.emplace());
        }
        return std::nullopt;
      }))
    return p;
  if (!has_id) return fail("webhook.missing", "'id' is required");
  if (!has_status) return fail("webhook.missing", "'status' is required");
  if (!has_timestamp) return fail("webhook.missing", "'timestamp' is required");
  if (s.type == "payment") {
    // A payment's status is not a message's: "failed" here is the payment's.
    if (!s.payment) return fail("webhook.missing", "'payment' is required in a status of type 'payment'");
    if (s.payment->reference_id.empty())
      return fail("webhook.missing", "'payment.reference_id' is required in a status of type 'payment'");
    if (auto ps = parse_payment_status(s.status_text)) s.payment->status = *ps;
  } else if (auto st = parse_message_status(s.status_text); st && *st != message_status::accepted) {
    s.status = *st;
  }
  if (s.recipient_type != "group" && !s.recipient_id.empty())
    if (auto phone = parse_wa_id(s.recipient_id)) s.recipient = *phone;
  return std::nullopt;
}

template <class J>
auto run<J>::pricing(value& v, webhook_pricing& out) -> problem {
  return fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "billable") {
      bool b = false;
      if (auto bad = flag(fv, b)) return bad;
      out.billable = b;
    } else if (key == "pricing_model") {
      return text(fv, out.pricing_model);
    } else if (key == "type") {
      return text(fv, out.type);
    } else if (key == "category") {
      return text(fv, out.category);
    } else if (key == "subtype" || key == "sub_type") {
      return text(fv, out.subtype);
    }
    return std::nullopt;
  });
}

template <class J>
auto run<J>::conversation(value& v, webhook_conversation& c) -> problem {
  return fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "id") return text(fv, c.id);
    if (key == "expiration_timestamp") {
      timestamp t{};
      if (auto bad = seconds(fv, t)) return bad;
      c.expires = t;
    } else if (key == "origin") {
      return fields(fv, [&](json_key ok, auto& tv) -> problem {
        return ok == "type" ? text(tv, c.origin) : std::nullopt;
      });
    }
    return std::nullopt;
  });
}

template <class J>
auto run<J>::payment(value& v, payment_notice& n) -> problem {
  return fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "reference_id") return id_text(fv, n.reference_id);
    if (key == "amount") return amount(fv, n.amount.emplace());
    if (key == "currency") return id_text(fv, n.currency);
    if (key == "receipt") return text(fv, n.receipt);
    if (key == "transaction") return transaction(fv, n.transaction.emplace());
    return std::nullopt;
  });
}

template <class J>
auto run<J>::transaction(value& v, payment_transaction& t) -> problem {
  return fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "id") return id_text(fv, t.id);
    if (key == "type") return id_text(fv, t.gateway);
    if (key == "status") return id_text(fv, t.status);
    if (key == "pg_transaction_id") return id_text(fv, t.pg_transaction_id);
    if (key == "currency") return id_text(fv, t.currency);
    if (key == "amount") return amount(fv, t.amount.emplace());
    if (key == "created_timestamp" || key == "updated_timestamp") {
      timestamp at{};
      if (auto bad = seconds(fv, at)) return bad;
      (key == "created_timestamp" ? t.created : t.updated) = at;
      return std::nullopt;
    }
    if (key == "method") {  // "upi", or {"type": "upi"}
      if (is_object(fv))
        return fields(fv, [&](json_key mk, auto& mv) -> problem {
          return mk == "type" ? id_text(mv, t.method) : std::nullopt;
        });
      return id_text(fv, t.method);
    }
    if (key == "error")
      return fields(fv, [&](json_key ek, auto& ev) -> problem {
        auto& e = t.error ? *t.error : t.error.emplace();
        if (ek == "code") return id_text(ev, e.code);
        if (ek == "reason") return text(ev, e.reason);
        return std::nullopt;
      });
    return std::nullopt;
  });
}

template <class J>
auto run<J>::amount(value& v, payment_amount& a) -> problem {
  bool has_value = false, has_offset = false;
  if (auto p = fields(v, [&](json_key key, auto& fv) -> problem {
        if (key == "value") {
          has_value = true;
          return integer(fv, a.value);
        }
        if (key == "offset") {
          has_offset = true;
          return integer(fv, a.offset);
        }
        return std::nullopt;
      }))
    return p;
  if (!has_value) return fail("webhook.missing", "an amount's 'value' is required");
  if (!has_offset) return fail("webhook.missing", "an amount's 'offset' is required");
  return std::nullopt;
}

template <class J>
auto run<J>::errors_array(value& v, std::vector<status_error>& out) -> problem {
  return elements(v, [&](auto& ev) { return error_object(ev, out.emplace_back()); });
}

template <class J>
auto run<J>::error_object(value& v, status_error& e) -> problem {
  return fields(v, [&](json_key key, auto& fv) -> problem {
    if (key == "code") {
      std::int64_t code = 0;
      if (auto bad = integer(fv, code)) return bad;
      if (code < std::numeric_limits<int>::min() || code > std::numeric_limits<int>::max())
        return fail("webhook.value", "error code out of range");
      e.code = static_cast<int>(code);
    } else if (key == "title") {
      return text(fv, e.title);
    } else if (key == "message") {
      return text(fv, e.message);
    } else if (key == "error_data") {
      return fields(fv, [&](json_key dk, auto& dv) -> problem {
        return dk == "details" ? text(dv, e.details) : std::nullopt;
      });
    }
    return std::nullopt;
  });
}

}  // namespace

constexpr std::size_t parser_depth = 32;
// Larger bodies skip the fast path: its buffers cost about 14 bytes per body
// byte (tape, strings, structural indexes), which one huge body would pin in
// the decoder.
constexpr std::size_t fast_path_max_bytes = std::size_t{1} << 20;

std::string_view to_string(webhook_path p) noexcept {
  return p == webhook_path::fast ? "fast" : "reference";
}

struct webhook_decoder::impl {
  webhook_limits limits;
  simdjson::dom::parser dom;  // the fast path
  od::parser parser;          // the reference path
  std::string buffer;         // the body, with simdjson's padding after it
  std::string scratch;        // unescaped strings
  change_parts parts;         // the change being decoded
  webhook_path preferred = webhook_path::fast;
  webhook_path last = webhook_path::fast;
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
  // The fast path parses the whole body: deeper bodies go to the reference path.
  impl_->dom = simdjson::dom::parser(fast_path_max_bytes);
  if (impl_->dom.allocate(4096, parser_depth) != simdjson::SUCCESS)
    impl_->dom = simdjson::dom::parser(fast_path_max_bytes);
}
webhook_decoder::~webhook_decoder() = default;
void detail::prefer_path(webhook_decoder& decoder, webhook_path path) noexcept {
  decoder.impl_->preferred = path;
}
webhook_path detail::last_path(const webhook_decoder& decoder) noexcept {
  return decoder.impl_->last;
}
webhook_decoder::webhook_decoder(webhook_decoder&&) noexcept = default;
webhook_decoder& webhook_decoder::operator=(webhook_decoder&&) noexcept = default;

result<webhook_batch> webhook_decoder::decode(std::string_view body) {
  webhook_batch batch;
  if (auto r = decode_into(body, batch); !r) return r.error();
  return batch;
}

result<void> webhook_decoder::decode_into(std::string_view body, webhook_batch& out) {
  impl_->last = webhook_path::reference;
  // The batch's events are overwritten in place (their storage is reused)
  // and cleared on any error.
  out.object.clear();
  auto& limits = impl_->limits;
  if (body.size() > limits.max_body_bytes) {
    out.events.clear();
    return make_error("webhook.too_large", fmt::format("the body has {} bytes, more than the limit of {}",
                                                       body.size(), limits.max_body_bytes));
  }
  // The body and zeroed padding in the decoder's buffer, which only grows.
  auto& buf = impl_->buffer;
  if (buf.size() < body.size() + simdjson::SIMDJSON_PADDING)
    buf.resize(body.size() + simdjson::SIMDJSON_PADDING);
  if (!body.empty()) std::memcpy(buf.data(), body.data(), body.size());
  std::memset(buf.data() + body.size(), 0, simdjson::SIMDJSON_PADDING);
  if (impl_->preferred == webhook_path::fast && body.size() <= fast_path_max_bytes) {
    simdjson::dom::element root;
    if (impl_->dom.parse(buf.data(), body.size(), false).get(root) == simdjson::SUCCESS) {
      run<dom_json> fast(out, limits, impl_->parser, impl_->scratch, impl_->parts);
      if (!fast.body(root, body)) {
        impl_->last = webhook_path::fast;
        return {};
      }
      out.object.clear();  // the reference path decodes into the same slots
    }
  }
  od::document doc;
  if (auto ec = impl_->parser.iterate(buf.data(), body.size(), buf.size()).get(doc)) {
    out.events.clear();
    return make_error("webhook.syntax",
                      fmt::format("the body is not JSON ({})", simdjson::error_message(ec)));
  }
  run<ondemand_json> r(out, limits, impl_->parser, impl_->scratch, impl_->parts);
  if (auto p = r.body(doc, body)) {
    out.object.clear();
    out.events.clear();
    return std::move(*p);
  }
  return {};
}

result<webhook_batch> decode_webhook(std::string_view body, webhook_limits limits) {
  webhook_decoder decoder(limits);
  return decoder.decode(body);
}

}  // namespace chatdesk
