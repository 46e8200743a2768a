// Decoded webhook events as one-line JSON objects: what `chatdesk webhook
// decode` prints and what the fixture tests compare. Empty fields are left out.
#include <nlohmann/json.hpp>

#include "chatdesk/wire/webhook.hpp"

namespace chatdesk {

namespace {

using json = nlohmann::ordered_json;

void put(json& j, const char* key, std::string_view value) {
  if (!value.empty()) j[key] = value;
}

json errors_json(const std::vector<status_error>& errors) {
  json a = json::array();
  for (const auto& e : errors) {
    json o;
    o["code"] = e.code;
    put(o, "title", e.title);
    put(o, "message", e.message);
    put(o, "details", e.details);
    a.push_back(std::move(o));
  }
  return a;
}

void content_json(json& j, const content& c) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, text_content>) {
          j["text"] = x.body;
        } else if constexpr (std::is_same_v<T, media_content>) {
          put(j, "media_id", x.media_id);
          put(j, "link", x.link);
          put(j, "mime_type", x.mime_type);
          put(j, "caption", x.caption);
          put(j, "filename", x.filename);
          put(j, "sha256", x.sha256);
          if (x.voice) j["voice"] = true;
          if (x.animated) j["animated"] = true;
        } else if constexpr (std::is_same_v<T, location_content>) {
          j["latitude"] = x.latitude;
          j["longitude"] = x.longitude;
          put(j, "name", x.name);
          put(j, "address", x.address);
        } else if constexpr (std::is_same_v<T, contacts_content>) {
          json a = json::array();
          for (const auto& card : x.contacts) {
            json o;
            put(o, "formatted_name", card.formatted_name);
            if (!card.phones.empty()) o["phones"] = card.phones;
            if (!card.emails.empty()) o["emails"] = card.emails;
            a.push_back(std::move(o));
          }
          j["contacts"] = std::move(a);
        } else if constexpr (std::is_same_v<T, interactive_content>) {
          j["interactive"] = to_string(x.kind);
          put(j, "reply_id", x.reply_id);
          put(j, "reply_title", x.reply_title);
          put(j, "reply_description", x.body);
          put(j, "response_json", x.payload_json);
        } else if constexpr (std::is_same_v<T, reaction_content>) {
          j["reacted_to"] = x.message_id;
          j["emoji"] = x.emoji;
        } else if constexpr (std::is_same_v<T, order_content>) {
          put(j, "catalog_id", x.catalog_id);
          put(j, "order_text", x.text);
          json a = json::array();
          for (const auto& item : x.items) {
            json o;
            o["product_retailer_id"] = item.product_retailer_id;
            o["quantity"] = item.quantity;
            o["item_price"] = item.item_price;
            o["currency"] = item.currency;
            a.push_back(std::move(o));
          }
          j["items"] = std::move(a);
        } else if constexpr (std::is_same_v<T, system_content>) {
          put(j, "system_type", x.type);
          put(j, "body", x.body);
          put(j, "new_wa_id", x.new_wa_id);
        } else if constexpr (std::is_same_v<T, unsupported_content>) {
          j["raw"] = x.raw_json;
        } else if constexpr (std::is_same_v<T, template_content>) {
          j["template"] = x.name;
        }
      },
      c);
}

json message_json(const webhook_message& e) {
  json j;
  j["kind"] = std::holds_alternative<unsupported_content>(e.message.content) ? "unsupported" : "message";
  j["id"] = e.message.id;
  j["type"] = e.type;
  j["from"] = e.from;
  j["timestamp"] = format_timestamp(e.message.at);
  put(j, "phone_number_id", e.metadata.phone_number_id);
  put(j, "profile_name", e.profile_name);
  put(j, "conversation_id", e.conversation_id);
  content_json(j, e.message.content);
  if (e.message.context) {
    json c;
    put(c, "id", e.message.context->message_id);
    put(c, "from", e.message.context->from);
    if (e.message.context->forwarded) c["forwarded"] = true;
    if (e.message.context->frequently_forwarded) c["frequently_forwarded"] = true;
    put(c, "product_retailer_id", e.message.context->product_retailer_id);
    j["context"] = std::move(c);
  }
  if (e.message.referral) {
    const auto& r = *e.message.referral;
    json o;
    put(o, "source_type", r.source_type);
    put(o, "source_id", r.source_id);
    put(o, "source_url", r.source_url);
    put(o, "headline", r.headline);
    put(o, "ctwa_clid", r.ctwa_clid);
    put(o, "media_type", r.media_type);
    j["referral"] = std::move(o);
  }
  if (!e.errors.empty()) j["errors"] = errors_json(e.errors);
  return j;
}

json amount_json(const payment_amount& a) {
  return json{{"value", a.value}, {"offset", a.offset}};
}

json payment_json(const payment_notice& n) {
  json p;
  p["reference_id"] = n.reference_id;
  if (n.status) p["status"] = to_string(*n.status);
  if (n.amount) p["amount"] = amount_json(*n.amount);
  put(p, "currency", n.currency);
  put(p, "receipt", n.receipt);
  if (n.transaction) {
    const auto& t = *n.transaction;
    json o;
    put(o, "id", t.id);
    put(o, "type", t.gateway);
    put(o, "status", t.status);
    put(o, "method", t.method);
    put(o, "pg_transaction_id", t.pg_transaction_id);
    if (t.amount) o["amount"] = amount_json(*t.amount);
    put(o, "currency", t.currency);
    if (t.created) o["created"] = format_timestamp(*t.created);
    if (t.updated) o["updated"] = format_timestamp(*t.updated);
    if (t.error) o["error"] = json{{"code", t.error->code}, {"reason", t.error->reason}};
    p["transaction"] = std::move(o);
  }
  return p;
}

json status_json(const webhook_status& e) {
  json j;
  j["kind"] = "status";
  j["id"] = e.id;
  j["status"] = e.status_text;
  j["recipient"] = e.recipient_id;
  j["timestamp"] = format_timestamp(e.at);
  put(j, "phone_number_id", e.metadata.phone_number_id);
  put(j, "recipient_type", e.recipient_type);
  put(j, "biz_opaque_callback_data", e.biz_opaque_callback_data);
  if (e.pricing) {
    json p;
    if (e.pricing->billable) p["billable"] = *e.pricing->billable;
    put(p, "pricing_model", e.pricing->pricing_model);
    put(p, "type", e.pricing->type);
    put(p, "category", e.pricing->category);
    put(p, "subtype", e.pricing->subtype);
    j["pricing"] = std::move(p);
  }
  if (e.conversation) {
    json c;
    put(c, "id", e.conversation->id);
    if (e.conversation->expires) c["expires"] = format_timestamp(*e.conversation->expires);
    put(c, "origin", e.conversation->origin);
    j["conversation"] = std::move(c);
  }
  if (!e.errors.empty()) j["errors"] = errors_json(e.errors);
  put(j, "type", e.type);
  if (e.payment) j["payment"] = payment_json(*e.payment);
  return j;
}

}  // namespace

std::string_view event_kind(const webhook_event& e) noexcept {
  switch (e.index()) {
    case 0:
      return std::holds_alternative<unsupported_content>(std::get<0>(e).message.content) ? "unsupported"
                                                                                         : "message";
    case 1:
      return "status";
    case 2:
      return "template_update";
    case 3:
      return "account_update";
    case 4:
      return "unknown_field";
    case 5:
      return "errors";
    default:
      return "agent_message";
  }
}

std::string to_json_line(const webhook_event& e) {
  json j;
  if (const auto* m = std::get_if<webhook_message>(&e)) {
    j = message_json(*m);
  } else if (const auto* s = std::get_if<webhook_status>(&e)) {
    j = status_json(*s);
  } else if (const auto* t = std::get_if<webhook_template_update>(&e)) {
    j["kind"] = "template_update";
    j["field"] = t->field;
    put(j, "account_id", t->account_id);
    put(j, "template_id", t->template_id);
    put(j, "name", t->name);
    put(j, "language", t->language);
    put(j, "event", t->event);
    put(j, "reason", t->reason);
    put(j, "previous", t->previous);
    put(j, "current", t->current);
    if (t->at) j["timestamp"] = format_timestamp(*t->at);
  } else if (const auto* a = std::get_if<webhook_account_update>(&e)) {
    j["kind"] = "account_update";
    j["field"] = a->field;
    put(j, "account_id", a->account_id);
    put(j, "event", a->event);
    put(j, "display_phone_number", a->display_phone_number);
    put(j, "messaging_limit", a->messaging_limit);
    if (a->at) j["timestamp"] = format_timestamp(*a->at);
  } else if (const auto* u = std::get_if<webhook_unknown_field>(&e)) {
    j["kind"] = "unknown_field";
    j["field"] = u->field;
    put(j, "account_id", u->account_id);
    put(j, "raw", u->raw_json);
  } else if (const auto* g = std::get_if<webhook_agent_message>(&e)) {
    j["kind"] = "agent_message";
    j["id"] = g->id;
    j["type"] = type_name(g->content);
    j["conversation_id"] = g->conversation_id;
    put(j, "author_id", g->author_id);
    put(j, "author_name", g->author_name);
    j["timestamp"] = format_timestamp(g->at);
    put(j, "account_id", g->metadata.account_id);
    put(j, "integration_id", g->metadata.phone_number_id);
    content_json(j, g->content);
  } else if (const auto* x = std::get_if<webhook_errors>(&e)) {
    j["kind"] = "errors";
    put(j, "phone_number_id", x->metadata.phone_number_id);
    j["errors"] = errors_json(x->errors);
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace chatdesk
