#include "chatdesk/templates/binding.hpp"

#include <algorithm>
#include <array>

#include <date/date.h>
#include <fmt/format.h>

#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

namespace {

bool decimal_comma(std::string_view language) {
  const auto base = language.substr(0, language.find('_'));
  static constexpr std::array<std::string_view, 22> comma = {"it", "de", "es", "pt", "fr", "nl", "ru", "tr",
                                                             "id", "pl", "cs", "sk", "da", "nb", "sv", "fi",
                                                             "el", "ro", "hr", "sl", "uk", "bg"};
  return std::find(comma.begin(), comma.end(), base) != comma.end();
}

bool italian(std::string_view language) {
  return language.substr(0, language.find('_')) == "it";
}

error refuse(std::string code, std::string message, std::string where) {
  return make_error(code, std::move(message), std::move(where));
}

/// Checks a text value against the platform's rules for parameters.
std::optional<error> check_text(std::string_view text, const std::string& where) {
  if (const auto bad = utf8::first_invalid(text))
    return refuse("template.invalid_text",
                  fmt::format("the value of {} is not valid UTF-8 (at byte {})", where, *bad), where);
  std::size_t spaces = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t')
      return refuse("template.invalid_text",
                    fmt::format("the value of {} contains a {}: parameters cannot have new lines or tabs",
                                where, c == '\t' ? "tab" : "new line"),
                    where);
    spaces = c == ' ' ? spaces + 1 : 0;
    if (spaces > 4)
      return refuse(
          "template.invalid_text",
          fmt::format("the value of {} has more than 4 consecutive spaces, which the platform refuses",
                      where),
          where);
  }
  return std::nullopt;
}

/// The text a value shows, or an error.
result<std::string> value_text(const template_value& v, std::string_view language, const std::string& where) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (auto e = check_text(*s, where)) return *e;
    return *s;
  }
  if (const auto* c = std::get_if<currency_parameter>(&v)) {
    auto cur = currency::from_code(c->code);
    if (!cur)
      return refuse(
          "template.unknown_currency",
          fmt::format("the value of {} names '{}', which is not an ISO 4217 currency", where, c->code),
          where);
    if (c->amount.round(cur->minor_digits(), rounding::toward_zero) != c->amount)
      return refuse("template.currency_precision",
                    fmt::format("the value of {} ({} {}) has more digits than {} allows ({})", where,
                                c->amount.to_string(), c->code, c->code, cur->minor_digits()),
                    where);
    if (!c->fallback.empty()) {
      if (auto e = check_text(c->fallback, where)) return *e;
      return c->fallback;
    }
    return format_amount(c->amount, *cur, language);
  }
  if (const auto* d = std::get_if<date_time_parameter>(&v)) {
    auto zone = d->zone.empty() ? result<time_zone>(time_zone::utc()) : time_zone::locate(d->zone);
    if (!zone)
      return refuse(
          "template.unknown_time_zone",
          fmt::format("the value of {} names the time zone '{}': {}", where, d->zone, zone.error().message),
          where);
    if (!d->fallback.empty()) {
      if (auto e = check_text(d->fallback, where)) return *e;
      return d->fallback;
    }
    return format_date_time(d->at, *zone, language);
  }
  return refuse("template.parameter_type", fmt::format("{} takes text, not media", where), where);
}

/// Replaces each placeholder of `text` with its value's text, in one pass.
template <class Lookup>
std::string substitute(std::string_view text, const std::vector<placeholder>& ps, Lookup&& lookup) {
  std::string out;
  out.reserve(text.size() + 32 * ps.size());
  std::size_t pos = 0;
  for (const auto& p : ps) {
    out.append(text.substr(pos, p.offset - pos));
    out.append(lookup(p.name));
    pos = p.offset + p.length;
  }
  out.append(text.substr(pos));
  return out;
}

std::optional<error> check_length(std::string_view component, const std::string& text, std::size_t limit) {
  const auto n = utf8::length(text).value_or(0);
  if (n <= limit) return std::nullopt;
  return refuse("template.too_long",
                fmt::format("the {} has {} characters once its variables are filled in: the limit is {}",
                            component, n, limit),
                std::string(component));
}

std::string_view media_name(header_format f) {
  switch (f) {
    case header_format::image:
      return "image";
    case header_format::video:
      return "video";
    case header_format::document:
      return "document";
    default:
      return "media";
  }
}

}  // namespace

std::string format_amount(decimal amount, const currency& c, std::string_view language) {
  const bool comma = decimal_comma(language);
  const auto digits = c.minor_digits();
  std::string plain = amount.round(digits).to_string(digits);  // "-1234.50"
  const bool negative = !plain.empty() && plain[0] == '-';
  if (negative) plain.erase(0, 1);
  const auto dot = plain.find('.');
  const std::string whole = plain.substr(0, dot);
  std::string out;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += comma ? '.' : ',';
    out += whole[i];
  }
  if (dot != std::string::npos) {
    out += comma ? ',' : '.';
    out += plain.substr(dot + 1);
  }
  return fmt::format("{}{} {}", negative ? "-" : "", out, c.code());
}

std::string format_date_time(timestamp t, const time_zone& zone, std::string_view language) {
  static constexpr std::array<std::string_view, 7> en_days = {"Sun", "Mon", "Tue", "Wed",
                                                              "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 7> it_days = {"dom", "lun", "mar", "mer",
                                                              "gio", "ven", "sab"};
  static constexpr std::array<std::string_view, 12> en_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr std::array<std::string_view, 12> it_months = {"gen", "feb", "mar", "apr", "mag", "giu",
                                                                 "lug", "ago", "set", "ott", "nov", "dic"};
  const auto local = std::chrono::floor<std::chrono::minutes>(zone.to_local(t));
  const auto day = std::chrono::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::weekday wd{day};
  const date::hh_mm_ss<std::chrono::minutes> tod{local - day};
  const bool it = italian(language);
  const auto full = zone.format(t);  // "2026-03-02 09:30 CET": its last word is the abbreviation
  const auto abbrev = full.substr(full.rfind(' ') + 1);
  return fmt::format("{} {} {} {}, {:02}:{:02} {}", (it ? it_days : en_days)[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()),
                     (it ? it_months : en_months)[static_cast<unsigned>(ymd.month()) - 1U],
                     static_cast<int>(ymd.year()), tod.hours().count(), tod.minutes().count(), abbrev);
}

result<bound_template> bind(const template_definition& def, const template_arguments& args) {
  bound_template out;
  out.name = def.name;
  out.language = def.language;
  out.category = def.category;
  out.format = def.format;
  out.header = def.header;
  out.footer = def.footer;

  // Header.
  std::string header_name_from_body;
  if (def.header == header_format::text) {
    auto ps = scan_placeholders(def.header_text);
    if (!ps) return refuse("template.invalid_definition", "header: " + ps.error().message, "header");
    if (!ps->empty()) {
      const auto& name = (*ps)[0].name;
      auto it = std::find_if(args.header.begin(), args.header.end(),
                             [&](const auto& a) { return a.first == name || args.header.size() == 1; });
      if (it == args.header.end() && def.format == parameter_format::named) {
        // By name, a value may feed the header's variable wherever it was given.
        it = std::find_if(args.body.begin(), args.body.end(), [&](const auto& a) { return a.first == name; });
        if (it == args.body.end())
          it = args.header.end();
        else
          header_name_from_body = name;
      }
      if (it == args.header.end())
        return refuse("template.missing_parameter",
                      fmt::format("the header variable {{{{{}}}}} has no value", name), "header");
      const auto where = fmt::format("header {{{{{}}}}}", name);
      auto text = value_text(it->second, def.language, where);
      if (!text) return text.error();
      out.header_value = bound_value{name, *text, it->second};
      out.header_text = substitute(def.header_text, *ps, [&](const std::string&) { return *text; });
      if (args.header.size() > 1)
        return refuse("template.unknown_parameter", "the header takes one value, got several", "header");
    } else {
      if (!args.header.empty())
        return refuse("template.unknown_parameter", "the header has no variable, but a value was given",
                      "header");
      out.header_text = def.header_text;
    }
    if (auto e = check_length("header", out.header_text, template_limits::header_text)) return *e;
  } else if (def.header == header_format::image || def.header == header_format::video ||
             def.header == header_format::document) {
    if (args.header.empty())
      return refuse("template.missing_parameter",
                    fmt::format("the {} header needs its {} (a link or a media id)", media_name(def.header),
                                media_name(def.header)),
                    "header");
    const auto* media = std::get_if<media_parameter>(&args.header.front().second);
    const auto want = def.header == header_format::image   ? media_kind::image
                      : def.header == header_format::video ? media_kind::video
                                                           : media_kind::document;
    if (media == nullptr || media->kind != want)
      return refuse("template.parameter_type",
                    fmt::format("the header takes a {}, not {}", media_name(def.header),
                                media == nullptr ? std::string("text") : std::string(to_string(media->kind))),
                    "header");
    if (media->link.empty() && media->media_id.empty())
      return refuse("template.missing_parameter",
                    fmt::format("the {} header needs a link or a media id", media_name(def.header)),
                    "header");
    out.header_value = bound_value{"1", media->filename, *media};
  } else if (!args.header.empty()) {
    return refuse("template.unknown_parameter", "this template's header takes no value", "header");
  }

  // Body.
  auto ps = scan_placeholders(def.body);
  if (!ps) return refuse("template.invalid_definition", "body: " + ps.error().message, "body");
  std::vector<std::string> keys;
  for (const auto& p : *ps)
    if (std::find(keys.begin(), keys.end(), p.name) == keys.end()) keys.push_back(p.name);
  if (def.format == parameter_format::positional) {
    std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    if (args.body.size() != keys.size())
      return refuse("template.parameter_count",
                    fmt::format("the body of '{}' takes {} value{}, got {}", def.name, keys.size(),
                                keys.size() == 1 ? "" : "s", args.body.size()),
                    "body");
  }
  for (const auto& key : keys) {
    auto it = std::find_if(args.body.begin(), args.body.end(), [&](const auto& a) { return a.first == key; });
    if (it == args.body.end())
      return refuse("template.missing_parameter",
                    fmt::format("the body variable {{{{{}}}}} has no value", key), "body");
    const auto where = fmt::format("body {{{{{}}}}}", key);
    auto text = value_text(it->second, def.language, where);
    if (!text) return text.error();
    out.body_values.push_back({key, std::move(*text), it->second});
  }
  for (const auto& a : args.body) {
    if (std::find(keys.begin(), keys.end(), a.first) == keys.end() && a.first != header_name_from_body)
      return refuse("template.unknown_parameter",
                    fmt::format("the body of '{}' has no variable {{{{{}}}}}", def.name, a.first), "body");
  }
  out.body = substitute(def.body, *ps, [&](const std::string& name) -> const std::string& {
    return std::find_if(out.body_values.begin(), out.body_values.end(),
                        [&](const bound_value& v) { return v.key == name; })
        ->text;
  });
  if (auto e = check_length("body", out.body, template_limits::body)) return *e;

  // Buttons.
  for (std::size_t i = 0; i < def.buttons.size(); ++i) {
    const auto& b = def.buttons[i];
    const auto where =
        fmt::format("button {} ({})", i, b.text.empty() ? std::string(to_string(b.type)) : b.text);
    auto arg =
        std::find_if(args.buttons.begin(), args.buttons.end(), [&](const auto& a) { return a.first == i; });
    const bool has_arg = arg != args.buttons.end();
    std::string label = b.text;
    std::string url;
    if (b.type == button_type::url) {
      auto ups = scan_placeholders(b.url);
      if (!ups) return refuse("template.invalid_definition", where + ": " + ups.error().message, where);
      if (!ups->empty()) {
        if (!has_arg)
          return refuse("template.missing_parameter", fmt::format("{} needs the end of its URL", where),
                        where);
        if (auto e = check_text(arg->second, where)) return *e;
        if (arg->second.find(' ') != std::string::npos)
          return refuse("template.invalid_text", fmt::format("the value of {} cannot contain spaces", where),
                        where);
        url = substitute(b.url, *ups, [&](const std::string&) { return arg->second; });
        if (url.size() > template_limits::url)
          return refuse("template.too_long",
                        fmt::format("{} has a URL of {} characters: the limit is 2000", where, url.size()),
                        where);
        out.button_values.push_back({i, b.type, arg->second});
      } else {
        if (has_arg)
          return refuse("template.unknown_parameter", fmt::format("{} takes no value", where), where);
        url = b.url;
      }
    } else if (b.type == button_type::copy_code || b.type == button_type::otp) {
      if (!has_arg)
        return refuse("template.missing_parameter",
                      fmt::format("{} needs its {}", where, b.type == button_type::otp ? "passcode" : "code"),
                      where);
      if (auto e = check_text(arg->second, where)) return *e;
      if (b.type == button_type::copy_code &&
          utf8::length(arg->second).value_or(0) > template_limits::copy_code)
        return refuse("template.too_long",
                      fmt::format("{} has a code of {} characters: the limit is 15", where,
                                  utf8::length(arg->second).value_or(0)),
                      where);
      if (label.empty()) label = b.type == button_type::otp ? "Copy code" : "Copy offer code";
      out.button_values.push_back({i, b.type, arg->second});
    } else if (b.type == button_type::quick_reply) {
      if (has_arg) {
        if (auto e = check_text(arg->second, where)) return *e;
        out.button_values.push_back({i, b.type, arg->second});  // a payload
      }
    } else if (has_arg) {
      return refuse("template.unknown_parameter", fmt::format("{} takes no value", where), where);
    }
    out.button_labels.push_back(label);
    out.button_urls.push_back(url);
  }
  for (const auto& a : args.buttons) {
    if (a.first >= def.buttons.size())
      return refuse(
          "template.unknown_parameter",
          fmt::format("'{}' has {} buttons: there is no button {}", def.name, def.buttons.size(), a.first),
          "buttons");
  }
  return out;
}

template_content to_content(const bound_template& bound) {
  template_content c;
  c.name = bound.name;
  c.language = bound.language;
  c.category = bound.category;
  if (bound.header_value && bound.header == header_format::text)
    c.parameters.emplace_back("header." + bound.header_value->key, bound.header_value->text);
  for (const auto& v : bound.body_values) c.parameters.emplace_back(v.key, v.text);
  for (const auto& b : bound.button_values)
    c.parameters.emplace_back(fmt::format("button.{}", b.index), b.text);
  return c;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

namespace {

void append_parameter(std::string& out, const bound_value& v, bool named) {
  out += "{\"type\":";
  if (const auto* m = std::get_if<media_parameter>(&v.value)) {
    const auto kind = to_string(m->kind);
    append_json_string(out, kind);
    out += ',';
    append_json_string(out, kind);
    out += ":{";
    if (!m->media_id.empty()) {
      out += "\"id\":";
      append_json_string(out, m->media_id);
    } else {
      out += "\"link\":";
      append_json_string(out, m->link);
    }
    if (!m->filename.empty() && m->kind == media_kind::document) {
      out += ",\"filename\":";
      append_json_string(out, m->filename);
    }
    out += "}}";
    return;
  }
  if (const auto* c = std::get_if<currency_parameter>(&v.value)) {
    out += "\"currency\",";
    if (named) {
      out += "\"parameter_name\":";
      append_json_string(out, v.key);
      out += ',';
    }
    out += "\"currency\":{\"fallback_value\":";
    append_json_string(out, v.text);
    out += ",\"code\":";
    append_json_string(out, c->code);
    fmt::format_to(std::back_inserter(out), ",\"amount_1000\":{}}}}}", c->amount.units() / 1000);
    return;
  }
  if (std::holds_alternative<date_time_parameter>(v.value)) {
    out += "\"date_time\",";
    if (named) {
      out += "\"parameter_name\":";
      append_json_string(out, v.key);
      out += ',';
    }
    out += "\"date_time\":{\"fallback_value\":";
    append_json_string(out, v.text);
    out += "}}";
    return;
  }
  out += "\"text\",";
  if (named) {
    out += "\"parameter_name\":";
    append_json_string(out, v.key);
    out += ',';
  }
  out += "\"text\":";
  append_json_string(out, v.text);
  out += '}';
}

}  // namespace

std::string send_request_json(const bound_template& bound, const phone_number& to) {
  std::string out;
  out.reserve(256 + bound.body.size());
  out += R"({"messaging_product":"whatsapp","recipient_type":"individual","to":)";
  append_json_string(out, to.e164());
  out += R"(,"type":"template","template":{"name":)";
  append_json_string(out, bound.name);
  out += R"(,"language":{"code":)";
  append_json_string(out, bound.language);
  out += R"(},"components":[)";
  const bool named = bound.format == parameter_format::named;
  bool first = true;
  auto comma = [&] {
    if (!first) out += ',';
    first = false;
  };
  if (bound.header_value) {
    comma();
    out += R"({"type":"header","parameters":[)";
    append_parameter(out, *bound.header_value, named && bound.header == header_format::text);
    out += "]}";
  }
  if (!bound.body_values.empty()) {
    comma();
    out += R"({"type":"body","parameters":[)";
    for (std::size_t i = 0; i < bound.body_values.size(); ++i) {
      if (i > 0) out += ',';
      append_parameter(out, bound.body_values[i], named);
    }
    out += "]}";
  }
  for (const auto& b : bound.button_values) {
    comma();
    const char* sub_type = b.type == button_type::copy_code     ? "copy_code"
                           : b.type == button_type::quick_reply ? "quick_reply"
                                                                : "url";
    fmt::format_to(std::back_inserter(out),
                   R"({{"type":"button","sub_type":"{}","index":"{}","parameters":[)", sub_type, b.index);
    if (b.type == button_type::copy_code) {
      out += R"({"type":"coupon_code","coupon_code":)";
    } else if (b.type == button_type::quick_reply) {
      out += R"({"type":"payload","payload":)";
    } else {
      out += R"({"type":"text","text":)";
    }
    append_json_string(out, b.text);
    out += "}]}";
  }
  out += "]}}";
  return out;
}

}  // namespace chatdesk
