// Sunshine Conversations v2 webhooks (nlohmann/json: small bodies, off the
// hot path) and message posts.
#include "chatdesk/wire/zendesk.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../core/ascii.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"
#include "chatdesk/wire/signature.hpp"

namespace chatdesk {

result<void> verify_zendesk_secret(std::string_view header_value, std::string_view secret) {
  if (secret.empty())
    return make_error("signature.no_secret",
                      "no webhook secret is configured, so no request can be accepted");
  const auto value = detail::trim(header_value);
  if (value.empty())
    return make_error("signature.missing",
                      fmt::format("the {} header is missing or empty", zendesk_secret_header));
  if (!constant_time_equal(value, secret))
    return make_error("signature.mismatch", fmt::format("the {} header does not match the webhook's secret",
                                                        zendesk_secret_header));
  return {};
}

namespace {

using json = nlohmann::json;

class reader {
 public:
  explicit reader(webhook_batch& out) : out_(out) {}

  result<void> body(const json& j) {
    if (!j.is_object()) return fail("zendesk.type", "the body must be a JSON object", "");
    std::string app_id;
    if (auto a = j.find("app"); a != j.end() && a->is_object()) app_id = text(*a, "id");
    const auto events = j.find("events");
    if (events == j.end()) return fail("zendesk.missing", "'events' is required", "events");
    if (!events->is_array()) return fail("zendesk.type", "'events' must be an array", "events");
    for (std::size_t i = 0; i < events->size(); ++i) {
      const auto where = fmt::format("events[{}]", i);
      if (auto r = event((*events)[i], app_id, where); !r) return r;
    }
    return {};
  }

 private:
  static error fail(std::string_view code, std::string what, std::string where) {
    return make_error(code, where.empty() ? what : fmt::format("{}: {}", where, what), std::move(where));
  }
  static std::string text(const json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  }
  // A string field that must be a string when present.
  static result<std::string> string_field(const json& o, const char* key, const std::string& where,
                                          bool required) {
    const auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
      if (required) return fail("zendesk.missing", fmt::format("'{}' is required", key), where);
      return std::string();
    }
    if (!it->is_string())
      return fail("zendesk.type", fmt::format("'{}' must be a string", key), where + "." + key);
    return it->get<std::string>();
  }
  static const json* object_field(const json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_object() ? &*it : nullptr;
  }

  // The customer's phone number when the webhook includes the full source
  // (`includeFullSource`): a WhatsApp client's `externalId` is the number's
  // digits. Empty otherwise: the feed then asks the application.
  static phone_number whatsapp_client(const json* source) {
    if (source == nullptr || text(*source, "type") != "whatsapp") return {};
    const json* client = object_field(*source, "client");
    if (client == nullptr) return {};
    auto digits = text(*client, "externalId");
    if (digits.empty() || digits.size() > 20) return {};
    if (digits.front() != '+') digits.insert(digits.begin(), '+');
    auto number = phone_number::parse(digits);
    return number ? *number : phone_number{};
  }

  // A message from the customer in a conversation, before its sender and content.
  static webhook_message customer_message(const webhook_metadata& md, const std::string& conversation_id,
                                          const std::string& id, timestamp at) {
    webhook_message m;
    m.metadata = md;
    m.conversation_id = conversation_id;
    m.message.direction = direction::inbound;
    m.message.id = id;
    m.message.business_number_id = md.phone_number_id;
    m.message.at = at;
    return m;
  }

  result<timestamp> time_of(const json& o, const char* key, const std::string& where, timestamp fallback) {
    auto t = string_field(o, key, where, false);
    if (!t) return t.error();
    if (t->empty()) return fallback;
    auto parsed = parse_timestamp(*t);
    if (!parsed)
      return fail("zendesk.value",
                  fmt::format("'{}' is not an ISO 8601 time: {}", key, parsed.error().message),
                  where + "." + key);
    return *parsed;
  }

  result<content> content_of(const json& c, const std::string& where) {
    const auto type = text(c, "type");
    if (type == "text") return content{text_content{text(c, "text")}};
    if (type == "image" || type == "file") {
      media_content m;
      m.link = text(c, "mediaUrl");
      m.mime_type = text(c, "mediaType");
      m.caption = text(c, "text");
      m.filename = text(c, "altText");
      const auto& mime = m.mime_type;
      // An "image" message is shown as a picture; a "file" is a document unless
      // its MIME type says video or audio.
      const auto by_type = media_kind_of_mime(mime);
      m.kind = type == "image"                                                ? media_kind::image
               : by_type == media_kind::video || by_type == media_kind::audio ? by_type
                                                                              : media_kind::document;
      return content{std::move(m)};
    }
    if (type == "location") {
      location_content l;
      if (const auto* co = object_field(c, "coordinates")) {
        for (const auto* key : {"lat", "long"}) {
          const auto it = co->find(key);
          if (it == co->end() || !it->is_number())
            return fail("zendesk.type", fmt::format("'{}' must be a number", key),
                        where + ".content.coordinates." + key);
        }
        l.latitude = (*co)["lat"].dump();
        l.longitude = (*co)["long"].dump();
      } else {
        return fail("zendesk.missing", "a location needs 'coordinates'", where + ".content");
      }
      if (const auto* lo = object_field(c, "location")) {
        l.name = text(*lo, "name");
        l.address = text(*lo, "address");
      }
      return content{std::move(l)};
    }
    return content{unsupported_content{type.empty() ? std::string("unknown") : type, c.dump()}};
  }

  result<void> event(const json& e, const std::string& app_id, const std::string& where) {
    if (!e.is_object()) return fail("zendesk.type", "each event must be an object", where);
    auto type = string_field(e, "type", where, true);
    if (!type) return type.error();
    auto id = string_field(e, "id", where, false);
    if (!id) return id.error();
    auto created = time_of(e, "createdAt", where, timestamp{});
    if (!created) return created.error();
    const json* payload = object_field(e, "payload");
    if (payload == nullptr) return fail("zendesk.missing", "'payload' must be an object", where + ".payload");
    const auto pwhere = where + ".payload";
    std::string conversation_id;
    if (const auto* conv = object_field(*payload, "conversation")) conversation_id = text(*conv, "id");

    webhook_metadata md;
    md.account_id = app_id;

    if (*type == "conversation:message") {
      const json* msg = object_field(*payload, "message");
      if (msg == nullptr) return fail("zendesk.missing", "'message' must be an object", pwhere + ".message");
      const auto mwhere = pwhere + ".message";
      auto mid = string_field(*msg, "id", mwhere, true);
      if (!mid) return mid.error();
      auto at = time_of(*msg, "received", mwhere, *created);
      if (!at) return at.error();
      const json* author = object_field(*msg, "author");
      if (author == nullptr) return fail("zendesk.missing", "'author' must be an object", mwhere + ".author");
      const json* c = object_field(*msg, "content");
      if (c == nullptr) return fail("zendesk.missing", "'content' must be an object", mwhere + ".content");
      auto body = content_of(*c, mwhere);
      if (!body) return body.error();
      if (const auto* source = object_field(*msg, "source"))
        md.phone_number_id = text(*source, "integrationId");
      if (text(*author, "type") == "business") {
        webhook_agent_message a;
        a.metadata = md;
        a.conversation_id = conversation_id;
        a.id = *mid;
        a.author_id = text(*author, "userId");
        a.author_name = text(*author, "displayName");
        a.at = *at;
        a.content = std::move(*body);
        out_.events.emplace_back(std::move(a));
        return {};
      }
      auto m = customer_message(md, conversation_id, *mid, *at);
      m.from = text(*author, "userId");
      m.message.customer = whatsapp_client(object_field(*msg, "source"));
      m.profile_name = text(*author, "displayName");
      m.type = text(*c, "type");
      m.message.content = std::move(*body);
      out_.events.emplace_back(std::move(m));
      return {};
    }
    if (*type == "conversation:postback") {
      const json* postback = object_field(*payload, "postback");
      if (postback == nullptr)
        return fail("zendesk.missing", "'postback' must be an object", pwhere + ".postback");
      if (const auto* source = object_field(*payload, "source"))
        md.phone_number_id = text(*source, "integrationId");
      auto m = customer_message(md, conversation_id, *id, *created);
      if (const auto* user = object_field(*payload, "user")) m.from = text(*user, "id");
      m.message.customer = whatsapp_client(object_field(*payload, "source"));
      m.type = "postback";
      interactive_content q;
      q.kind = interactive_kind::quick_reply;
      q.reply_id = text(*postback, "payload");
      q.reply_title = text(*postback, "actionName");
      if (q.reply_title.empty()) q.reply_title = text(*postback, "text");
      m.message.content = std::move(q);
      out_.events.emplace_back(std::move(m));
      return {};
    }
    const bool read = *type == "conversation:read";
    std::string_view delivery;
    constexpr std::string_view prefix = "conversation:message:delivery:";
    if (type->rfind(prefix, 0) == 0) delivery = std::string_view(*type).substr(prefix.size());
    if (read || delivery == "channel" || delivery == "user" || delivery == "failure") {
      webhook_status s;
      if (const auto* dest = object_field(*payload, "destination"))
        md.phone_number_id = text(*dest, "integrationId");
      if (const auto* source = object_field(*payload, "source"); source && md.phone_number_id.empty())
        md.phone_number_id = text(*source, "integrationId");
      s.metadata = md;
      s.at = *created;
      if (const auto* user = object_field(*payload, "user")) s.recipient_id = text(*user, "id");
      s.conversation = webhook_conversation{};
      s.conversation->id = conversation_id;
      if (read) {
        s.status_text = "read";
        s.status = message_status::read;
      } else {
        const json* msg = object_field(*payload, "message");
        if (msg == nullptr)
          return fail("zendesk.missing", "'message' must be an object", pwhere + ".message");
        auto mid = string_field(*msg, "id", pwhere + ".message", true);
        if (!mid) return mid.error();
        s.id = *mid;
        s.status_text = delivery == "channel" ? "sent" : delivery == "user" ? "delivered" : "failed";
        s.status = delivery == "channel" ? message_status::sent
                   : delivery == "user"  ? message_status::delivered
                                         : message_status::failed;
        if (const auto* err = object_field(*payload, "error")) {
          status_error se;
          const auto code = text(*err, "code");
          se.title = code;
          se.message = text(*err, "message");
          if (const auto* u = object_field(*err, "underlyingError")) {
            if (auto it = u->find("code"); it != u->end() && it->is_number_integer()) {
              const auto v = it->get<long long>();
              if (v > 0 && v < 10'000'000) se.code = static_cast<int>(v);
            }
            se.details = text(*u, "message");
          }
          s.errors.push_back(std::move(se));
        }
      }
      out_.events.emplace_back(std::move(s));
      return {};
    }
    webhook_unknown_field u;
    u.account_id = app_id;
    u.field = *type;
    u.raw_json = payload->dump(-1, ' ', false, json::error_handler_t::replace);
    out_.events.emplace_back(std::move(u));
    return {};
  }

  webhook_batch& out_;
};

}  // namespace

result<webhook_batch> decode_zendesk_webhook(std::string_view body, std::size_t max_body_bytes) {
  if (body.size() > max_body_bytes)
    return make_error("zendesk.too_large", fmt::format("the body has {} bytes, more than the limit of {}",
                                                       body.size(), max_body_bytes));
  if (json_nesting_depth(body) > max_json_depth)
    return make_error("zendesk.too_deep",
                      fmt::format("the body nests deeper than {} levels", max_json_depth));
  const auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return make_error("zendesk.syntax", "the body is not valid JSON");
  webhook_batch batch;
  batch.object = "zendesk";
  reader r(batch);
  if (auto ok = r.body(j); !ok) return ok.error();
  return batch;
}

namespace {

std::optional<error> check_utf8(std::string_view s, std::string_view what) {
  if (!utf8::valid(s))
    return make_error("zendesk.invalid", fmt::format("{} is not valid UTF-8", what), std::string(what));
  return std::nullopt;
}

}  // namespace

result<std::string> zendesk_message_body(const content& c, const zendesk_author& author) {
  nlohmann::ordered_json j;
  for (auto [value, what] : {std::pair{std::string_view(author.type), "author.type"},
                             std::pair{std::string_view(author.display_name), "author.displayName"}})
    if (auto e = check_utf8(value, what)) return std::move(*e);
  j["author"]["type"] = author.type;
  if (!author.display_name.empty()) j["author"]["displayName"] = author.display_name;
  if (!author.avatar_url.empty()) j["author"]["avatarUrl"] = author.avatar_url;
  auto& body = j["content"];
  if (const auto* t = std::get_if<text_content>(&c)) {
    if (auto e = check_utf8(t->body, "text")) return std::move(*e);
    body["type"] = "text";
    body["text"] = t->body;
  } else if (const auto* i = std::get_if<interactive_content>(&c);
             i && (i->kind == interactive_kind::button || i->kind == interactive_kind::list ||
                   i->kind == interactive_kind::cta_url)) {
    for (const auto* s : {&i->header, &i->body, &i->footer, &i->action_label, &i->url})
      if (auto e = check_utf8(*s, "interactive")) return std::move(*e);
    std::string text = i->header.empty() ? i->body : i->header + "\n" + i->body;
    if (!i->footer.empty()) text += "\n" + i->footer;
    body["type"] = "text";
    body["text"] = text;
    auto actions = nlohmann::ordered_json::array();
    if (i->kind == interactive_kind::cta_url) {
      actions.push_back({{"type", "link"}, {"text", i->action_label}, {"uri", i->url}});
    } else {
      for (const auto& o : i->options) {
        if (auto e = check_utf8(o.title, "option")) return std::move(*e);
        if (auto e = check_utf8(o.id, "option")) return std::move(*e);
        actions.push_back({{"type", "reply"}, {"text", o.title}, {"payload", o.id}});
      }
    }
    body["actions"] = std::move(actions);
  } else if (const auto* m = std::get_if<media_content>(&c)) {
    if (m->link.empty())
      return make_error("zendesk.invalid", "Sunshine Conversations needs media by URL: the media has no link",
                        "content.mediaUrl");
    for (const auto* s : {&m->link, &m->caption, &m->filename, &m->mime_type})
      if (auto e = check_utf8(*s, "media")) return std::move(*e);
    body["type"] = m->kind == media_kind::image || m->kind == media_kind::sticker ? "image" : "file";
    body["mediaUrl"] = m->link;
    if (!m->mime_type.empty()) body["mediaType"] = m->mime_type;
    if (!m->caption.empty()) body["text"] = m->caption;
    if (!m->filename.empty()) body["altText"] = m->filename;
  } else if (const auto* l = std::get_if<location_content>(&c)) {
    const auto lat = nlohmann::json::parse(l->latitude, nullptr, false);
    const auto lon = nlohmann::json::parse(l->longitude, nullptr, false);
    if (!lat.is_number() || !lon.is_number())
      return make_error("zendesk.invalid", "coordinates must be numbers", "content.coordinates");
    for (const auto* s : {&l->name, &l->address})
      if (auto e = check_utf8(*s, "location")) return std::move(*e);
    body["type"] = "location";
    body["coordinates"] = {{"lat", lat}, {"long", lon}};
    if (!l->name.empty() || !l->address.empty()) {
      body["location"] = nlohmann::ordered_json::object();
      if (!l->name.empty()) body["location"]["name"] = l->name;
      if (!l->address.empty()) body["location"]["address"] = l->address;
    }
  } else {
    return make_error(
        "zendesk.unsupported",
        fmt::format("chatdesk does not post '{}' content to Sunshine Conversations (render templates "
                    "to text first)",
                    type_name(c)),
        "content");
  }
  try {
    return j.dump();
  } catch (const nlohmann::json::type_error&) {  // invalid UTF-8 in a value not checked above
    return make_error("zendesk.invalid", "a value of the message is not valid UTF-8", "content");
  }
}

std::string zendesk_messages_path(std::string_view app_id, std::string_view conversation_id) {
  return fmt::format("/v2/apps/{}/conversations/{}/messages", app_id, conversation_id);
}

}  // namespace chatdesk
