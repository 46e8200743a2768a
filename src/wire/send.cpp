#include "chatdesk/wire/send.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"
#include "chatdesk/wire/json_writer.hpp"

namespace chatdesk {

namespace {

std::optional<error> check_text(std::string_view what, std::string_view text, std::size_t limit) {
  const auto n = utf8::length(text);
  if (!n) return make_error("send.invalid", fmt::format("{} is not valid UTF-8", what), std::string(what));
  if (*n > limit)
    return make_error("send.limit",
                      fmt::format("{} has {} characters, more than the limit of {}", what, *n, limit),
                      std::string(what));
  return std::nullopt;
}

// A coordinate as a JSON number -?(0|[1-9][0-9]*)(.[0-9]+)? within +-limit degrees.
bool is_coordinate(std::string_view s, int limit) {
  if (s.size() > 32) return false;
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i != s.size()) return false;
  // Degrees: the integer part decides, unless it equals the limit and a fraction follows.
  const auto start = s.front() == '-' ? 1U : 0U;
  const auto dot = s.find('.');
  const auto whole = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
  if (whole.size() > 3) return false;
  int degrees = 0;
  for (char c : whole) degrees = degrees * 10 + (c - '0');
  if (degrees > limit) return false;
  if (degrees == limit && dot != std::string_view::npos)
    return s.substr(dot + 1).find_first_not_of('0') == std::string_view::npos;
  return true;
}

// A literal's length is known here, so no strlen at run time.
void put(std::string& out, std::string_view s) {
  out.append(s.data(), s.size());
}

void field(std::string& out, std::string_view key, std::string_view value, bool comma = true) {
  if (comma) out += ',';
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
}

// A template value's text: valid UTF-8 within `limit` characters. The place
// is formatted only for a refusal, so checking costs no allocation.
std::optional<error> check_value(std::string_view where, std::string_view key, std::string_view text,
                                 std::size_t limit) {
  const auto n = utf8::length(text);
  if (n && *n <= limit) return std::nullopt;
  return check_text(fmt::format("{} '{}'", where, key), text, limit);
}

std::optional<error> check_parameter(const template_parameter& p, std::string_view where) {
  using type = template_parameter::type;
  if (p.kind == type::media) {
    if (p.media_id.empty() == p.link.empty())
      return make_error("send.invalid",
                        fmt::format("the {} needs exactly one of a media id and a link", where),
                        std::string(where));
    if (p.media_type != media_kind::image && p.media_type != media_kind::video &&
        p.media_type != media_kind::document)
      return make_error("send.invalid",
                        fmt::format("a template header takes an image, a video or a document, not {}",
                                    to_string(p.media_type)),
                        std::string(where));
    if (auto e = check_value(where, "filename", p.filename, 240)) return e;
    return check_value(where, "link", p.link, 2048);
  }
  if (p.key.empty())
    return make_error("send.invalid", "template parameters need a position or a name", std::string(where));
  // A name as templates write them ({{order_id}}): it goes into the request as it is.
  const bool name_ok = p.key.size() <= 64 && p.key[0] >= 'a' && p.key[0] <= 'z' &&
                       std::all_of(p.key.begin(), p.key.end(), [](char ch) {
                         return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
                       });
  if (!p.positional() && !name_ok)
    return make_error("send.invalid",
                      fmt::format("'{}' is not a {} parameter's position or name (1, 2 ... or up to 64 "
                                  "lower-case letters, digits and underscores, starting with a letter)",
                                  utf8::printable(p.key, 70), where),
                      std::string(where));
  if (auto e = check_value(where, p.key, p.text, 32768)) return e;
  if (p.kind == type::currency) {
    const bool iso =
        p.currency_code.size() == 3 && std::all_of(p.currency_code.begin(), p.currency_code.end(),
                                                   [](char ch) { return ch >= 'A' && ch <= 'Z'; });
    if (!iso)
      return make_error("send.invalid",
                        fmt::format("the currency of {} '{}' is not a three-letter ISO 4217 code ('{}')",
                                    where, p.key, utf8::printable(p.currency_code, 16)),
                        std::string(where));
  }
  return std::nullopt;
}

std::optional<error> check_template(const template_content& t) {
  if (t.name.empty() || t.language.empty())
    return make_error("send.invalid", "a template needs a name and a language", "template");
  if (auto e = check_value("template", "name", t.name, 512)) return e;
  if (auto e = check_value("template", "language", t.language, 32)) return e;
  if (t.header) {
    if (auto e = check_parameter(*t.header, "header")) return e;
  }
  for (const auto& p : t.parameters) {
    if (p.kind == template_parameter::type::media)
      return make_error("send.invalid", "media goes in a template's header, not its body", "body");
    if (auto e = check_parameter(p, "body")) return e;
  }
  unsigned seen = 0;  // one bit per button index
  static_assert(max_template_buttons <= 32);
  for (const auto& b : t.buttons) {
    if (b.index >= max_template_buttons || (seen & (1U << b.index)) != 0)
      return make_error(
          "send.invalid",
          fmt::format("button values need distinct indexes below {} (not {})", max_template_buttons, b.index),
          "buttons");
    seen |= 1U << b.index;
    if (auto e = check_value("button", std::to_string(b.index), b.value, 2000)) return e;
  }
  return std::nullopt;
}

std::optional<error> check_content(const content& c) {
  if (const auto* t = std::get_if<text_content>(&c)) return check_text("text.body", t->body, 4096);
  if (const auto* m = std::get_if<media_content>(&c)) {
    if (m->media_id.empty() == m->link.empty())
      return make_error("send.invalid", "a media message needs exactly one of an id and a link", "media");
    if (auto e = check_text("caption", m->caption, 1024)) return e;
    if (auto e = check_text("filename", m->filename, 240)) return e;
    if (auto e = check_text("link", m->link, 2048)) return e;
    return std::nullopt;
  }
  if (const auto* l = std::get_if<location_content>(&c)) {
    if (!is_coordinate(l->latitude, 90) || !is_coordinate(l->longitude, 180))
      return make_error(
          "send.invalid",
          fmt::format("coordinates must be decimal degrees (latitude -90 to 90, longitude -180 to 180), "
                      "not '{}' and '{}'",
                      utf8::printable(l->latitude, 40), utf8::printable(l->longitude, 40)),
          "location");
    if (auto e = check_text("location.name", l->name, 1000)) return e;
    return check_text("location.address", l->address, 1000);
  }
  if (const auto* k = std::get_if<contacts_content>(&c)) {
    if (k->contacts.empty())
      return make_error("send.invalid", "a contacts message needs a contact card", "contacts");
    for (const auto& card : k->contacts)
      if (card.formatted_name.empty())
        return make_error("send.invalid", "every contact card needs a formatted name", "contacts.name");
    return std::nullopt;
  }
  if (const auto* r = std::get_if<reaction_content>(&c)) {
    if (r->message_id.empty())
      return make_error("send.invalid", "a reaction needs the message it reacts to", "reaction");
    return check_text("reaction.emoji", r->emoji, 16);
  }
  if (const auto* t = std::get_if<template_content>(&c)) return check_template(*t);
  if (const auto* i = std::get_if<interactive_content>(&c)) {
    if (auto e = check_text("interactive.header", i->header, 60)) return e;
    if (auto e = check_text("interactive.body", i->body, 1024)) return e;
    if (auto e = check_text("interactive.footer", i->footer, 60)) return e;
    if (i->body.empty() && i->kind != interactive_kind::order_status &&
        i->kind != interactive_kind::order_details)
      return make_error("send.invalid", "an interactive message needs a body", "interactive.body");
    switch (i->kind) {
      case interactive_kind::button: {
        if (i->options.empty() || i->options.size() > 3)
          return make_error("send.limit",
                            fmt::format("a button message needs 1 to 3 buttons, not {}", i->options.size()),
                            "interactive.action.buttons");
        std::set<std::string> ids;
        for (const auto& o : i->options) {
          if (auto e = check_text("interactive.button.title", o.title, 20)) return e;
          if (auto e = check_text("interactive.button.id", o.id, 256)) return e;
          if (o.id.empty() || !ids.insert(o.id).second)
            return make_error("send.invalid", "reply buttons need unique, non-empty ids",
                              "interactive.action.buttons");
        }
        return std::nullopt;
      }
      case interactive_kind::list: {
        if (i->options.empty() || i->options.size() > 10)
          return make_error("send.limit", fmt::format("a list needs 1 to 10 rows, not {}", i->options.size()),
                            "interactive.action.sections");
        if (i->action_label.empty())
          return make_error("send.invalid", "a list needs a button label", "interactive.action.button");
        if (auto e = check_text("interactive.action.button", i->action_label, 20)) return e;
        std::set<std::string> ids;
        for (const auto& o : i->options) {
          if (auto e = check_text("interactive.row.title", o.title, 24)) return e;
          if (auto e = check_text("interactive.row.description", o.description, 72)) return e;
          if (auto e = check_text("interactive.row.id", o.id, 200)) return e;
          if (o.id.empty() || !ids.insert(o.id).second)
            return make_error("send.invalid", "list rows need unique, non-empty ids",
                              "interactive.action.sections");
        }
        return std::nullopt;
      }
      case interactive_kind::cta_url:
        if (i->url.empty() || i->action_label.empty())
          return make_error("send.invalid", "a call-to-action button needs a label and a URL",
                            "interactive.action");
        return check_text("interactive.action.display_text", i->action_label, 20);
      case interactive_kind::order_details:
      case interactive_kind::order_status: {
        const auto j = nlohmann::json::parse(i->payload_json, nullptr, false);
        if (j.is_discarded() || !j.is_object())
          return make_error("send.invalid", "order parameters must be a JSON object",
                            "interactive.action.parameters");
        if (json_too_deep(j))  // they are printed into the request, which recurses per level
          return make_error("send.invalid",
                            fmt::format("order parameters nest deeper than {} levels", max_json_depth),
                            "interactive.action.parameters");
        return std::nullopt;
      }
      case interactive_kind::button_reply:
      case interactive_kind::list_reply:
      case interactive_kind::quick_reply:
      case interactive_kind::flow_reply:
        return make_error("send.unsupported",
                          fmt::format("'{}' is what a customer sends, not a business", to_string(i->kind)),
                          "interactive");
    }
  }
  return make_error("send.unsupported", fmt::format("a business cannot send '{}' content", type_name(c)),
                    "type");
}

// `,"phones":[{"phone":"..."},...]`, nothing for an empty list.
void append_list(std::string& out, std::string_view list, std::string_view key,
                 const std::vector<std::string>& values) {
  if (values.empty()) return;
  out += ',';
  append_json_string(out, list);
  put(out, ":[");
  for (std::size_t n = 0; n < values.size(); ++n) {
    if (n > 0) out += ',';
    out += '{';
    field(out, key, values[n], false);
    out += '}';
  }
  out += ']';
}

void append_interactive(std::string& out, const interactive_content& i) {
  put(out, R"(,"interactive":{"type":)");
  append_json_string(out, to_string(i.kind));
  if (!i.header.empty()) {
    put(out, R"(,"header":{"type":"text","text":)");
    append_json_string(out, i.header);
    out += '}';
  }
  if (!i.body.empty()) {
    put(out, R"(,"body":{"text":)");
    append_json_string(out, i.body);
    out += '}';
  }
  if (!i.footer.empty()) {
    put(out, R"(,"footer":{"text":)");
    append_json_string(out, i.footer);
    out += '}';
  }
  put(out, R"(,"action":{)");
  switch (i.kind) {
    case interactive_kind::button:
      put(out, R"("buttons":[)");
      for (std::size_t k = 0; k < i.options.size(); ++k) {
        if (k > 0) out += ',';
        put(out, R"({"type":"reply","reply":{"id":)");
        append_json_string(out, i.options[k].id);
        field(out, "title", i.options[k].title);
        put(out, "}}");
      }
      out += ']';
      break;
    case interactive_kind::list:
      put(out, R"("button":)");
      append_json_string(out, i.action_label);
      put(out, R"(,"sections":[{"rows":[)");
      for (std::size_t k = 0; k < i.options.size(); ++k) {
        if (k > 0) out += ',';
        put(out, R"({"id":)");
        append_json_string(out, i.options[k].id);
        field(out, "title", i.options[k].title);
        if (!i.options[k].description.empty()) field(out, "description", i.options[k].description);
        out += '}';
      }
      put(out, "]}]");
      break;
    case interactive_kind::cta_url:
      put(out, R"("name":"cta_url","parameters":{"display_text":)");
      append_json_string(out, i.action_label);
      field(out, "url", i.url);
      out += '}';
      break;
    default:  // order_details, order_status: parameters as given (checked to be an object)
      put(out, R"("name":)");
      append_json_string(out, i.kind == interactive_kind::order_details ? "review_and_pay" : "review_order");
      put(out, R"(,"parameters":)");
      out += nlohmann::json::parse(i.payload_json)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      break;
  }
  put(out, "}}");
}

// One parameter: `{"type":"text","parameter_name":"order_id","text":"..."}`
// and its currency, date and media forms. Names go with named templates only.
// Keys and type names are literals, so only the values go through the escaper.
void append_parameter(std::string& out, const template_parameter& p) {
  using type = template_parameter::type;
  if (p.kind == type::media) {
    const auto kind = to_string(p.media_type);  // image, video or document: checked before
    put(out, R"({"type":")");
    out += kind;
    put(out, R"(",")");
    out += kind;
    out += p.media_id.empty() ? R"(":{"link":)" : R"(":{"id":)";
    append_json_string(out, p.media_id.empty() ? p.link : p.media_id);
    if (p.media_type == media_kind::document && !p.filename.empty()) {
      put(out, R"(,"filename":)");
      append_json_string(out, p.filename);
    }
    put(out, "}}");
    return;
  }
  const std::string_view name = p.kind == type::currency    ? "currency"
                                : p.kind == type::date_time ? "date_time"
                                                            : "text";
  put(out, R"({"type":")");
  out += name;
  out += '"';
  if (!p.positional()) {
    put(out, R"(,"parameter_name":)");
    append_json_string(out, p.key);
  }
  put(out, R"(,")");
  out += name;
  if (p.kind == type::text) {
    put(out, R"(":)");
    append_json_string(out, p.text);
    out += '}';
    return;
  }
  put(out, R"(":{"fallback_value":)");
  append_json_string(out, p.text);
  if (p.kind == type::currency) {
    put(out, R"(,"code":)");
    append_json_string(out, p.currency_code);
    put(out, R"(,"amount_1000":)");
    char digits[24];
    out.append(digits, std::to_chars(std::begin(digits), std::end(digits), p.amount_1000).ptr);
  }
  put(out, "}}");
}

// `,"template":{"name":..,"language":{"code":..},"components":[...]}`: the
// header's value, the body's, then each button's, as the platform takes them.
void append_template(std::string& out, const template_content& t) {
  put(out, R"(,"template":{"name":)");
  append_json_string(out, t.name);
  put(out, R"(,"language":{"code":)");
  append_json_string(out, t.language);
  out += '}';
  if (!t.header && t.parameters.empty() && t.buttons.empty()) {
    out += '}';
    return;
  }
  put(out, R"(,"components":[)");
  bool first = true;
  auto comma = [&] {
    if (!first) out += ',';
    first = false;
  };
  if (t.header) {
    comma();
    put(out, R"({"type":"header","parameters":[)");
    append_parameter(out, *t.header);
    put(out, "]}");
  }
  if (!t.parameters.empty()) {
    comma();
    put(out, R"({"type":"body","parameters":[)");
    for (std::size_t n = 0; n < t.parameters.size(); ++n) {
      if (n > 0) out += ',';
      append_parameter(out, t.parameters[n]);
    }
    put(out, "]}");
  }
  for (const auto& b : t.buttons) {
    comma();
    put(out, R"({"type":"button","sub_type":")");
    out += to_string(b.kind);
    put(out, R"(","index":")");
    char digits[8];
    out.append(digits, std::to_chars(std::begin(digits), std::end(digits), b.index).ptr);
    put(out, R"(","parameters":[)");
    switch (b.kind) {
      case template_button_kind::copy_code:
        put(out, R"({"type":"coupon_code","coupon_code":)");
        break;
      case template_button_kind::quick_reply:
        put(out, R"({"type":"payload","payload":)");
        break;
      case template_button_kind::url:
        put(out, R"({"type":"text","text":)");
        break;
    }
    append_json_string(out, b.value);
    put(out, "}]}");
  }
  put(out, "]}");
}

void append_body(std::string& out, const content& c) {
  if (const auto* t = std::get_if<text_content>(&c)) {
    put(out, R"(,"text":{"preview_url":)");
    out += t->preview_url ? "true" : "false";
    field(out, "body", t->body);
    out += '}';
  } else if (const auto* m = std::get_if<media_content>(&c)) {
    out += ',';
    append_json_string(out, to_string(m->kind));
    put(out, ":{");
    if (!m->media_id.empty())
      field(out, "id", m->media_id, false);
    else
      field(out, "link", m->link, false);
    const bool captioned =
        m->kind == media_kind::image || m->kind == media_kind::video || m->kind == media_kind::document;
    if (captioned && !m->caption.empty()) field(out, "caption", m->caption);
    if (m->kind == media_kind::document && !m->filename.empty()) field(out, "filename", m->filename);
    out += '}';
  } else if (const auto* l = std::get_if<location_content>(&c)) {
    put(out, R"(,"location":{"latitude":)");
    out += l->latitude;
    put(out, R"(,"longitude":)");
    out += l->longitude;
    if (!l->name.empty()) field(out, "name", l->name);
    if (!l->address.empty()) field(out, "address", l->address);
    out += '}';
  } else if (const auto* k = std::get_if<contacts_content>(&c)) {
    put(out, R"(,"contacts":[)");
    for (std::size_t n = 0; n < k->contacts.size(); ++n) {
      const auto& card = k->contacts[n];
      if (n > 0) out += ',';
      put(out, R"({"name":{"formatted_name":)");
      append_json_string(out, card.formatted_name);
      out += '}';
      append_list(out, "phones", "phone", card.phones);
      append_list(out, "emails", "email", card.emails);
      out += '}';
    }
    out += ']';
  } else if (const auto* r = std::get_if<reaction_content>(&c)) {
    put(out, R"(,"reaction":{"message_id":)");
    append_json_string(out, r->message_id);
    field(out, "emoji", r->emoji);
    out += '}';
  } else if (const auto* tpl = std::get_if<template_content>(&c)) {
    append_template(out, *tpl);
  } else if (const auto* i = std::get_if<interactive_content>(&c)) {
    append_interactive(out, *i);
  }
}

// About the request's size, so it is written without growing: the values
// plus the JSON around them.
std::size_t size_hint(const content& c) {
  std::size_t n = 160;
  if (const auto* t = std::get_if<template_content>(&c)) {
    n += 128 + t->name.size();
    auto value = [&](const template_parameter& p) {
      n += 64 + p.key.size() + p.text.size() + p.link.size() + p.media_id.size() + p.filename.size();
    };
    if (t->header) value(*t->header);
    for (const auto& p : t->parameters) value(p);
    for (const auto& b : t->buttons) n += 96 + b.value.size();
  } else if (const auto* x = std::get_if<text_content>(&c)) {
    n += x->body.size() + x->body.size() / 8;
  }
  return n;
}

}  // namespace

result<void> append_send_request(std::string& out, const phone_number& to, const content& c,
                                 const send_options& options) {
  if (to.empty()) return make_error("send.invalid", "the recipient's number is empty", "to");
  if (auto e = check_content(c)) return std::move(*e);
  if (options.biz_opaque_callback_data.size() > 512)
    return make_error("send.limit", "biz_opaque_callback_data is longer than 512 bytes",
                      "biz_opaque_callback_data");
  if (!utf8::valid(options.biz_opaque_callback_data) || !utf8::valid(options.reply_to))
    return make_error("send.invalid", "options must be valid UTF-8", "options");
  const auto start = out.size();
  out.reserve(start + size_hint(c));
  put(out, R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"+)");
  out += to.digits();
  out += '"';
  if (!options.reply_to.empty()) {
    put(out, R"(,"context":{"message_id":)");
    append_json_string(out, options.reply_to);
    out += '}';
  }
  if (!options.biz_opaque_callback_data.empty())
    field(out, "biz_opaque_callback_data", options.biz_opaque_callback_data);
  put(out, R"(,"type":)");
  append_json_string(out, type_name(c));
  append_body(out, c);
  out += '}';
  // Every value was checked where a limit applies (a template's every value);
  // this catches the rest (ids, names, URLs) so no request is ever invalid JSON.
  if (!std::holds_alternative<template_content>(c) && !utf8::valid(std::string_view(out).substr(start))) {
    out.resize(start);
    return make_error("send.invalid", "a value of the message is not valid UTF-8", "content");
  }
  return {};
}

result<std::string> encode_send_request(const phone_number& to, const content& c,
                                        const send_options& options) {
  std::string out;
  if (auto r = append_send_request(out, to, c, options); !r) return r.error();
  return out;
}

result<std::string> encode_send_request(const message& outbound, const send_options& options) {
  if (options.reply_to.empty() && outbound.context && !outbound.context->message_id.empty()) {
    send_options quoted = options;
    quoted.reply_to = outbound.context->message_id;
    return encode_send_request(outbound.customer, outbound.content, quoted);
  }
  return encode_send_request(outbound.customer, outbound.content, options);
}

result<std::string> encode_read_receipt(std::string_view message_id, bool typing) {
  if (message_id.empty())
    return make_error("send.invalid", "a read receipt needs the message's id", "message_id");
  if (!utf8::valid(message_id))
    return make_error("send.invalid", "the message id is not valid UTF-8", "message_id");
  std::string out;
  out.reserve(96 + message_id.size());
  put(out, R"({"messaging_product":"whatsapp","status":"read","message_id":)");
  append_json_string(out, message_id);
  if (typing) put(out, R"(,"typing_indicator":{"type":"text"})");
  out += '}';
  return out;
}

result<void> append_send_request(std::string& out, const phone_number& to, const bound_template& bound,
                                 const send_options& options) {
  return append_send_request(out, to, content{to_content(bound)}, options);
}

result<std::string> send_request_json(const bound_template& bound, const phone_number& to,
                                      const send_options& options) {
  return encode_send_request(to, content{to_content(bound)}, options);
}

namespace {

// A string member of a JSON object, or empty.
std::string text_of(const nlohmann::json& o, const char* key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

result<send_response> decode_send_response(std::string_view body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error("send.response", "the send response is not a JSON object");
  send_response r;
  const auto text = text_of;
  if (const auto c = j.find("contacts");
      c != j.end() && c->is_array() && !c->empty() && c->front().is_object()) {
    r.input = text(c->front(), "input");
    r.wa_id = text(c->front(), "wa_id");
  }
  if (const auto m = j.find("messages");
      m != j.end() && m->is_array() && !m->empty() && m->front().is_object()) {
    r.message_id = text(m->front(), "id");
    r.message_status = text(m->front(), "message_status");
  }
  if (r.message_id.empty())
    return make_error("send.response", "the send response has no message id", "messages[0].id");
  return r;
}

result<api_error> decode_api_error(std::string_view body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error("send.error_body", "the error response is not a JSON object");
  const auto it = j.find("error");
  if (it == j.end() || !it->is_object())
    return make_error("send.error_body", "the response has no error object", "error");
  const auto& o = *it;
  api_error e;
  const auto text = text_of;
  auto number = [](const nlohmann::json& x, const char* key) -> int {
    const auto f = x.find(key);
    if (f == x.end() || !f->is_number_integer()) return 0;
    const auto v = f->get<long long>();
    return v >= -2147483647LL && v <= 2147483647LL ? static_cast<int>(v) : 0;
  };
  e.code = number(o, "code");
  e.subcode = number(o, "error_subcode");
  e.type = text(o, "type");
  e.message = text(o, "message");
  e.title = text(o, "error_user_title");
  e.fbtrace_id = text(o, "fbtrace_id");
  if (const auto d = o.find("error_data"); d != o.end() && d->is_object()) e.details = text(*d, "details");
  if (e.details.empty()) e.details = text(o, "error_user_msg");
  return e;
}

std::string_view platform_error_name(int code) noexcept {
  switch (code) {
    case 131047:
      return "re_engagement";
    case 131056:
      return "pair_rate_limit";
    case 130429:
      return "throughput";
    case 132000:
      return "parameter_mismatch";
    case 132001:
      return "template_missing";
    case 132015:
      return "template_paused";
    case 132016:
      return "template_disabled";
    case 131049:
      return "not_delivered_marketing";
    case 131026:
      return "unsupported_recipient";
    case 131048:
      return "spam_rate_limit";
    case 131009:
    case 100:
      return "invalid_parameter";
    case 190:
      return "access_token";
    case 131057:
      return "upgrading";
    case 131000:
    case 131016:
      return "service_unavailable";
    case 4:
    case 80007:
    case 130472:
      return "rate_limit";
    default:
      return "unknown";
  }
}

bool platform_error_retryable(int code) noexcept {
  switch (code) {
    case 130429:
    case 131056:
    case 131057:
    case 131000:
    case 131016:
    case 4:
    case 80007:
    case 131048:
      return true;
    default:
      return false;
  }
}

namespace {

std::string_view advice(int code) {
  switch (code) {
    case 131047:
      return "more than 24 hours have passed since the customer last wrote: send an approved template "
             "instead";
    case 131056:
      return "too many messages to this customer in a short time: wait and send again";
    case 130429:
      return "the number's throughput was exceeded: slow down and send again";
    case 132000:
      return "the number of parameters does not match the template";
    case 132001:
      return "the template does not exist in this language";
    case 132015:
      return "the template is paused for low quality";
    case 132016:
      return "the template is disabled for low quality";
    case 131049:
      return "the platform held this marketing message back to keep engagement healthy: try later";
    case 131026:
      return "the customer cannot receive this message (no WhatsApp, old version, or terms not accepted)";
    default:
      return {};
  }
}

error make_platform_error(int code, std::string_view title, std::string_view message,
                          std::string_view details) {
  std::string text = fmt::format("platform error {}", code);
  if (!title.empty())
    text += fmt::format(": {}", title);
  else if (!message.empty())
    text += fmt::format(": {}", message);
  if (!details.empty()) text += fmt::format(" ({})", details);
  if (const auto a = advice(code); !a.empty()) text += fmt::format("; {}", a);
  return make_error(fmt::format("platform.{}", platform_error_name(code)), std::move(text),
                    std::to_string(code));
}

}  // namespace

error to_error(const api_error& e) {
  return make_platform_error(e.code, e.title, e.message, e.details);
}
error to_error(const status_error& e) {
  return make_platform_error(e.code, e.title, e.message, e.details);
}

}  // namespace chatdesk
