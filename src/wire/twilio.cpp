#include "chatdesk/wire/twilio.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../core/ascii.hpp"
#include "chatdesk/core/utf8.hpp"
#include "chatdesk/wire/signature.hpp"
#include "crypto.hpp"

namespace chatdesk {

std::string twilio_address(const phone_number& number) {
  return "whatsapp:" + number.e164();
}

result<phone_number> parse_twilio_address(std::string_view address) {
  constexpr std::string_view prefix = "whatsapp:";
  const auto a = detail::trim(address);
  if (a.size() <= prefix.size() || !detail::iequals(a.substr(0, prefix.size()), prefix) ||
      a[prefix.size()] != '+')
    return make_error("twilio.address",
                      fmt::format("'{}' is not a WhatsApp address (whatsapp:+<E.164>)", address));
  return phone_number::parse(a.substr(prefix.size()));
}

namespace {

bool valid_content_sid(std::string_view sid) {
  if (sid.size() != 34 || sid.substr(0, 2) != "HX") return false;
  return std::all_of(sid.begin() + 2, sid.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::size_t characters(std::string_view s) {
  return utf8::length(s).value_or(s.size());
}

}  // namespace

result<form_parameters> twilio_message_parameters(const twilio_message& m) {
  if (m.to.empty()) return make_error("twilio.invalid", "the message needs a recipient (To)", "To");
  if (m.from.empty() && m.messaging_service_sid.empty())
    return make_error("twilio.invalid", "the message needs a sender (From) or a MessagingServiceSid", "From");
  if (m.body.empty() && m.media_urls.empty() && m.content_sid.empty())
    return make_error("twilio.invalid", "the message needs a Body, a MediaUrl or a ContentSid", "Body");
  if (characters(m.body) > 1600)
    return make_error("twilio.limit",
                      fmt::format("Body has {} characters, more than 1,600", characters(m.body)), "Body");
  if (!m.content_sid.empty() && !valid_content_sid(m.content_sid))
    return make_error(
        "twilio.invalid",
        fmt::format("ContentSid '{}' is not 'HX' followed by 32 hexadecimal digits", m.content_sid),
        "ContentSid");
  if (!m.content_variables.empty() && m.content_sid.empty())
    return make_error("twilio.invalid", "ContentVariables need a ContentSid (Twilio error 21654)",
                      "ContentVariables");
  if (m.content_variables.size() > 100)
    return make_error("twilio.limit",
                      fmt::format("{} ContentVariables, more than 100", m.content_variables.size()),
                      "ContentVariables");
  nlohmann::ordered_json variables = nlohmann::ordered_json::object();
  for (const auto& [k, v] : m.content_variables) {
    if (k.empty() || characters(k) > 16)
      return make_error("twilio.limit", fmt::format("variable name '{}' must have 1 to 16 characters", k),
                        "ContentVariables");
    if (characters(v) > 1600)
      return make_error("twilio.limit", fmt::format("variable '{}' has more than 1,600 characters", k),
                        "ContentVariables");
    if (!utf8::valid(k) || !utf8::valid(v))
      return make_error("twilio.invalid", fmt::format("variable '{}' is not valid UTF-8", k),
                        "ContentVariables");
    variables[k] = v;
  }
  form_parameters p;
  p.emplace_back("To", twilio_address(m.to));
  if (!m.from.empty()) p.emplace_back("From", twilio_address(m.from));
  if (!m.messaging_service_sid.empty()) p.emplace_back("MessagingServiceSid", m.messaging_service_sid);
  if (!m.body.empty()) p.emplace_back("Body", m.body);
  for (const auto& url : m.media_urls) p.emplace_back("MediaUrl", url);
  if (!m.content_sid.empty()) p.emplace_back("ContentSid", m.content_sid);
  if (!m.content_variables.empty()) p.emplace_back("ContentVariables", variables.dump());
  if (!m.status_callback.empty()) p.emplace_back("StatusCallback", m.status_callback);
  return p;
}

namespace {

/// A name the Content API takes: 1 to 16 letters, digits or underscores.
bool twilio_variable_name(std::string_view k) noexcept {
  if (k.empty() || k.size() > 16) return false;
  return std::all_of(k.begin(), k.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
  });
}

std::string_view part_name(twilio_variable::part p) noexcept {
  switch (p) {
    case twilio_variable::part::header:
      return "header";
    case twilio_variable::part::body:
      return "body";
    case twilio_variable::part::button:
      return "button";
  }
  return "body";
}

}  // namespace

result<std::vector<std::pair<std::string, std::string>>> twilio_content_variables(
    const template_content& t, std::span<const twilio_variable> map) {
  std::vector<std::pair<std::string, std::string>> out;
  // The map's variable for a value, or the default name.
  auto place = [&](twilio_variable::part where, std::string_view key,
                   std::string fallback) -> result<std::string> {
    if (map.empty()) return fallback;
    for (const auto& m : map)
      if (m.where == where && m.key == key) return m.variable;
    return make_error("twilio.unmapped",
                      fmt::format("the {} value{}{}{} of template '{}' has no Content variable in the map",
                                  part_name(where), key.empty() ? "" : " '", utf8::printable(key),
                                  key.empty() ? "" : "'", utf8::printable(t.name)),
                      "ContentVariables");
  };
  const bool named =
      std::any_of(t.parameters.begin(), t.parameters.end(),
                  [](const template_parameter& p) { return !p.positional(); }) ||
      (t.header && t.header->kind != template_parameter::type::media && !t.header->positional());
  std::size_t next = 1;
  if (t.header) {
    if (t.header->kind == template_parameter::type::media) {
      const bool mapped = std::any_of(map.begin(), map.end(), [](const twilio_variable& m) {
        return m.where == twilio_variable::part::header;
      });
      if (mapped) {
        if (t.header->link.empty())
          return make_error("twilio.unsupported",
                            "Twilio takes media by URL: the template's media header needs a link",
                            "MediaUrl");
        auto name = place(twilio_variable::part::header, "", {});
        if (!name) return name.error();
        out.emplace_back(std::move(*name), t.header->link);
      }
    } else {
      auto name = place(twilio_variable::part::header, "", named ? t.header->key : std::to_string(next++));
      if (!name) return name.error();
      out.emplace_back(std::move(*name), t.header->text);
    }
  }
  for (const auto& v : t.parameters) {
    auto name = place(twilio_variable::part::body, v.key, named ? v.key : std::to_string(next++));
    if (!name) return name.error();
    out.emplace_back(std::move(*name), v.text);
  }
  if (named) next = 1;
  for (const auto& b : t.buttons) {
    auto name = place(twilio_variable::part::button, std::to_string(b.index), std::to_string(next++));
    if (!name) return name.error();
    out.emplace_back(std::move(*name), b.value);
  }
  // A named template may use one name in its header and its body: one variable.
  for (std::size_t i = 0; i < out.size(); ++i)
    for (std::size_t j = i + 1; j < out.size();) {
      if (out[j].first != out[i].first) {
        ++j;
        continue;
      }
      if (out[j].second != out[i].second)
        return make_error(
            "twilio.invalid",
            fmt::format("Content variable '{}' would take two values", utf8::printable(out[i].first)),
            "ContentVariables");
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(j));
    }
  for (const auto& [k, v] : out) {
    if (!twilio_variable_name(k))
      return make_error(
          "twilio.limit",
          fmt::format("'{}' cannot be a Content variable (1 to 16 letters, digits or underscores): "
                      "give template '{}' a variable map",
                      utf8::printable(k), utf8::printable(t.name)),
          "ContentVariables");
  }
  return out;
}

result<twilio_message> to_twilio_message(const phone_number& to, const phone_number& from, const content& c,
                                         std::string_view content_sid, std::span<const twilio_variable> map) {
  twilio_message m;
  m.to = to;
  m.from = from;
  if (const auto* t = std::get_if<text_content>(&c)) {
    m.body = t->body;
  } else if (const auto* media = std::get_if<media_content>(&c)) {
    if (media->link.empty())
      return make_error("twilio.unsupported", "Twilio sends media by public URL: the media needs a link",
                        "MediaUrl");
    m.media_urls.push_back(media->link);
    m.body = media->caption;
  } else if (const auto* tpl = std::get_if<template_content>(&c)) {
    if (content_sid.empty())
      return make_error("twilio.invalid",
                        fmt::format("template '{}' needs its Twilio Content SID (HX...)", tpl->name),
                        "ContentSid");
    m.content_sid = std::string(content_sid);
    auto variables = twilio_content_variables(*tpl, map);
    if (!variables) return variables.error();
    m.content_variables = std::move(*variables);
  } else {
    return make_error(
        "twilio.unsupported",
        fmt::format("chatdesk does not map '{}' content to Twilio's Messages resource", type_name(c)),
        "type");
  }
  // Validate now, so a message that cannot be sent is refused here.
  if (auto p = twilio_message_parameters(m); !p) return p.error();
  return m;
}

namespace {

std::optional<message_status> twilio_status(std::string_view s) {
  if (s == "sent") return message_status::sent;
  if (s == "delivered") return message_status::delivered;
  if (s == "read") return message_status::read;
  if (s == "failed" || s == "undelivered") return message_status::failed;
  return std::nullopt;  // queued, accepted, scheduled, sending, canceled, ...
}

}  // namespace

result<webhook_batch> decode_twilio_webhook(std::string_view form_body, timestamp received_at) {
  auto form = parse_form(form_body);
  if (!form) return form.error();
  const auto& f = *form;
  // The platform's decoder refuses invalid UTF-8 (simdjson checks the body); so does this one.
  for (const auto& [name, value] : f)
    if (!utf8::valid(name) || !utf8::valid(value))
      return make_error(
          "twilio.invalid",
          fmt::format("the parameter '{}' is not valid UTF-8 once decoded", utf8::printable(name)),
          utf8::printable(name));
  auto get = [&](std::string_view name) { return form_value(f, name); };
  const auto sid = get("MessageSid").empty() ? get("SmsSid") : get("MessageSid");
  if (sid.empty()) return make_error("twilio.missing", "the body has no MessageSid", "MessageSid");
  if (get("From").empty()) return make_error("twilio.missing", "the body has no From", "From");
  if (get("To").empty()) return make_error("twilio.missing", "the body has no To", "To");
  const auto status_text = get("MessageStatus").empty() ? get("SmsStatus") : get("MessageStatus");
  const bool inbound = status_text.empty() || status_text == "received";

  auto address = [&](std::string_view name) -> result<phone_number> {
    auto p = parse_twilio_address(get(name));
    if (!p) {
      auto e = p.error();
      e.where = std::string(name);
      return e;
    }
    return p;
  };
  webhook_batch batch;
  batch.object = "twilio";
  webhook_metadata md;
  md.account_id = std::string(get("AccountSid"));
  if (inbound) {
    auto customer = address("From");
    if (!customer) return customer.error();
    auto business = address("To");
    if (!business) return business.error();
    md.phone_number_id = std::string(business->digits());
    md.display_phone_number = md.phone_number_id;
    webhook_message m;
    m.metadata = md;
    m.from = std::string(customer->digits());
    m.profile_name = std::string(get("ProfileName"));
    m.message.direction = direction::inbound;
    m.message.id = std::string(sid);
    m.message.business_number_id = md.phone_number_id;
    m.message.customer = *customer;
    m.message.at = received_at;
    std::size_t media_count = 0;
    if (const auto n = get("NumMedia"); !n.empty()) {
      auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), media_count);
      if (ec != std::errc{} || p != n.data() + n.size())
        return make_error("form.malformed", fmt::format("NumMedia '{}' is not a number", n), "NumMedia");
    }
    if (!get("ButtonPayload").empty() || !get("ButtonText").empty()) {
      interactive_content c;
      c.kind = interactive_kind::quick_reply;
      c.reply_id = std::string(get("ButtonPayload"));
      c.reply_title = std::string(get("ButtonText"));
      m.message.content = std::move(c);
      m.type = "button";
    } else if (!get("Latitude").empty() && !get("Longitude").empty()) {
      location_content c{std::string(get("Latitude")), std::string(get("Longitude")),
                         std::string(get("Label")), std::string(get("Address"))};
      m.message.content = std::move(c);
      m.type = "location";
    } else if (media_count > 0) {
      media_content c;
      c.mime_type = std::string(get("MediaContentType0"));
      c.kind = media_kind_of_mime(c.mime_type);
      c.link = std::string(get("MediaUrl0"));
      c.caption = std::string(get("Body"));
      m.type = std::string(to_string(c.kind));
      m.message.content = std::move(c);
    } else {
      m.message.content = text_content{std::string(get("Body"))};
      m.type = "text";
    }
    if (const auto t = get("MessageType"); !t.empty() && m.type == "text" && t != "text")
      m.type = std::string(t);
    if (!get("OriginalRepliedMessageSid").empty() || get("Forwarded") == "true") {
      reply_context ctx;
      ctx.message_id = std::string(get("OriginalRepliedMessageSid"));
      ctx.from = std::string(get("OriginalRepliedMessageSender"));
      ctx.forwarded = get("Forwarded") == "true";
      ctx.frequently_forwarded = get("FrequentlyForwarded") == "true";
      m.message.context = std::move(ctx);
    }
    if (!get("ReferralSourceId").empty() || !get("ReferralCtwaClid").empty() ||
        !get("ReferralSourceUrl").empty()) {
      chatdesk::referral r;
      r.source_type = std::string(get("ReferralSourceType"));
      r.source_id = std::string(get("ReferralSourceId"));
      r.source_url = std::string(get("ReferralSourceUrl"));
      r.headline = std::string(get("ReferralHeadline"));
      r.body = std::string(get("ReferralBody"));
      r.ctwa_clid = std::string(get("ReferralCtwaClid"));
      r.media_type = std::string(get("ReferralMediaContentType"));
      m.message.referral = std::move(r);
    }
    batch.events.emplace_back(std::move(m));
    return batch;
  }
  // A status callback: To is the customer.
  auto customer = address("To");
  if (!customer) return customer.error();
  auto business = address("From");
  if (!business) return business.error();
  md.phone_number_id = std::string(business->digits());
  md.display_phone_number = md.phone_number_id;
  webhook_status s;
  s.metadata = md;
  s.id = std::string(sid);
  s.status_text = std::string(status_text);
  s.status = twilio_status(status_text);
  s.at = received_at;
  s.recipient_id = std::string(customer->digits());
  s.recipient = *customer;
  if (const auto code = get("ErrorCode"); !code.empty()) {
    status_error e;
    auto [p, ec] = std::from_chars(code.data(), code.data() + code.size(), e.code);
    if (ec != std::errc{} || p != code.data() + code.size())
      return make_error("form.malformed", fmt::format("ErrorCode '{}' is not a number", code), "ErrorCode");
    e.message = std::string(get("ErrorMessage"));
    e.details = std::string(get("ChannelStatusMessage"));
    s.errors.push_back(std::move(e));
  }
  batch.events.emplace_back(std::move(s));
  return batch;
}

namespace {

std::string signed_data(std::string_view url, const form_parameters& parameters) {
  auto sorted = parameters;
  std::stable_sort(sorted.begin(), sorted.end());
  std::string data(url);
  for (const auto& [k, v] : sorted) {
    data += k;
    data += v;
  }
  return data;
}

// The URL with its default port added or removed, as Twilio's libraries try both.
std::optional<std::string> other_port_form(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const auto scheme = url.substr(0, scheme_end);
  const auto host_start = scheme_end + 3;
  const auto path_start = url.find_first_of("/?#", host_start);
  const auto host = url.substr(
      host_start, path_start == std::string_view::npos ? std::string_view::npos : path_start - host_start);
  const auto rest = path_start == std::string_view::npos ? std::string_view{} : url.substr(path_start);
  const std::string_view port = detail::iequals(scheme, "https")  ? ":443"
                                : detail::iequals(scheme, "http") ? ":80"
                                                                  : "";
  if (port.empty()) return std::nullopt;
  std::string out(url.substr(0, host_start));
  if (host.size() > port.size() && host.substr(host.size() - port.size()) == port) {
    out += host.substr(0, host.size() - port.size());
  } else if (host.find(':') == std::string_view::npos) {
    out += host;
    out += port;
  } else {
    return std::nullopt;
  }
  out += rest;
  return out;
}

result<void> check(std::string_view data, std::string_view header_value, const detail::prepared_hmac& mac) {
  std::string raw;
  if (!mac.compute(data, raw)) return detail::hmac_failed(detail::digest::sha1);
  if (constant_time_equal(detail::to_base64(raw), detail::trim(header_value))) return {};
  return make_error("signature.mismatch",
                    fmt::format("the {} header does not match the request: the URL, the parameters or the "
                                "auth token differ",
                                twilio_signature_header));
}

/// The `bodySHA256` query parameter of a URL, or empty.
std::string claimed_body_hash(std::string_view url) {
  const auto query_start = url.find('?');
  if (query_start == std::string_view::npos) return {};
  auto query = parse_form(url.substr(query_start + 1));
  return query ? std::string(form_value(*query, "bodySHA256")) : std::string();
}

result<void> preconditions(std::string_view header_value, std::string_view auth_token) {
  if (!detail::have_openssl()) return detail::openssl_missing("checked");
  if (auth_token.empty())
    return make_error("signature.no_secret", "no auth token is configured, so no signature can be accepted");
  if (detail::trim(header_value).empty())
    return make_error("signature.missing",
                      fmt::format("the {} header is missing or empty", twilio_signature_header));
  return {};
}

}  // namespace

result<std::string> twilio_signature(std::string_view url, const form_parameters& parameters,
                                     std::string_view auth_token) {
  if (!detail::have_openssl()) return detail::openssl_missing("made");
  const detail::prepared_hmac mac(detail::digest::sha1, auth_token);
  std::string raw;
  if (!mac.compute(signed_data(url, parameters), raw)) return detail::hmac_failed(detail::digest::sha1);
  return detail::to_base64(raw);
}

result<void> verify_twilio_signature(std::string_view url, const form_parameters& parameters,
                                     std::string_view header_value, std::string_view auth_token) {
  if (auto ok = preconditions(header_value, auth_token); !ok) return ok;
  if (!claimed_body_hash(url).empty())
    return make_error("signature.body_hash",
                      "the URL carries bodySHA256, so the raw body must be checked against it: use "
                      "verify_twilio_request (or verify_twilio_json_signature) with the body",
                      "bodySHA256");
  const detail::prepared_hmac mac(detail::digest::sha1, auth_token);
  auto first = check(signed_data(url, parameters), header_value, mac);
  if (first) return first;
  if (auto other = other_port_form(url))
    if (check(signed_data(*other, parameters), header_value, mac)) return {};
  return first;
}

result<void> verify_twilio_json_signature(std::string_view url, std::string_view body,
                                          std::string_view header_value, std::string_view auth_token) {
  if (auto ok = preconditions(header_value, auth_token); !ok) return ok;
  const std::string claimed = claimed_body_hash(url);
  if (claimed.empty())
    return make_error("signature.body_hash",
                      "the URL has no bodySHA256 parameter to check the JSON body against", "bodySHA256");
  std::string digest;
  if (!detail::sha256(body, digest))
    return make_error("signature.unavailable", "OpenSSL could not compute SHA-256");
  if (!constant_time_equal(detail::to_hex(digest), detail::ascii_lower(claimed)))
    return make_error("signature.body_hash", "the body's SHA-256 does not match the URL's bodySHA256",
                      "bodySHA256");
  const detail::prepared_hmac mac(detail::digest::sha1, auth_token);
  auto first = check(url, header_value, mac);
  if (first) return first;
  if (auto other = other_port_form(url))
    if (check(*other, header_value, mac)) return {};
  return first;
}

result<void> verify_twilio_request(std::string_view url, std::string_view raw_body,
                                   std::string_view header_value, std::string_view auth_token) {
  if (!claimed_body_hash(url).empty())
    return verify_twilio_json_signature(url, raw_body, header_value, auth_token);
  auto form = parse_form(raw_body);
  if (!form) return form.error();
  return verify_twilio_signature(url, *form, header_value, auth_token);
}

}  // namespace chatdesk
