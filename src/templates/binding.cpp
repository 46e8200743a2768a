#include "chatdesk/templates/binding.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <date/date.h>
#include <fmt/format.h>

#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

using namespace std::string_view_literals;

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

error refuse(std::string_view code, std::string message, std::string where) {
  return make_error(code, std::move(message), std::move(where));
}

/// Where a value goes, named only when something is wrong: "body {{order_id}}".
struct slot {
  std::string_view component;
  std::string_view key;
  const template_button* button = nullptr;  ///< set for buttons: named by index and label
  std::size_t index = 0;
  [[nodiscard]] std::string name() const {
    if (button != nullptr)
      return fmt::format("button {} ({})", index,
                         button->text.empty() ? std::string(to_string(button->type)) : button->text);
    return key.empty() ? std::string(component) : fmt::format("{} {{{{{}}}}}", component, key);
  }
};

/// Checks a text value against the platform's rules for parameters.
std::optional<error> check_text(std::string_view text, const slot& at) {
  // Fast path: plain text without control characters or runs of spaces.
  bool plain = true;
  std::size_t run = 0;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    run = c == ' ' ? run + 1 : 0;
    if (u >= 0x80 || u < 0x20 || run > 4) {
      plain = false;
      break;
    }
  }
  if (plain) return std::nullopt;
  const std::string where = at.name();
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

/// Resolves zone names through a small per-thread cache (zone look-ups search the database).
result<time_zone> cached_zone(const std::string& name) {
  if (name.empty()) return time_zone::utc();
  thread_local std::vector<std::pair<std::string, time_zone>> cache;
  for (const auto& [n, z] : cache)
    if (n == name) return z;
  auto z = time_zone::locate(name);
  if (z) {
    if (cache.size() >= 16) cache.erase(cache.begin());
    cache.emplace_back(name, *z);
  }
  return z;
}

void write_date_time(std::string& out, timestamp t, const time_zone& zone, std::string_view language);

/// Writes the text a value shows into `dst` (replacing it), or returns why it cannot.
std::optional<error> write_value(std::string& dst, const template_value& v, std::string_view language,
                                 const slot& at) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (auto e = check_text(*s, at)) return e;
    dst.assign(*s);
    return std::nullopt;
  }
  if (const auto* c = std::get_if<currency_parameter>(&v)) {
    auto cur = currency::from_code(c->code);
    if (!cur)
      return refuse(
          "template.unknown_currency",
          fmt::format("the value of {} names '{}', which is not an ISO 4217 currency", at.name(), c->code),
          at.name());
    if (c->amount.round(cur->minor_digits(), rounding::toward_zero) != c->amount)
      return refuse("template.currency_precision",
                    fmt::format("the value of {} ({} {}) has more digits than {} allows ({})", at.name(),
                                c->amount.to_string(), c->code, c->code, cur->minor_digits()),
                    at.name());
    if (!c->fallback.empty()) {
      if (auto e = check_text(c->fallback, at)) return e;
      dst.assign(c->fallback);
      return std::nullopt;
    }
    dst = format_amount(c->amount, *cur, language);
    return std::nullopt;
  }
  if (const auto* d = std::get_if<date_time_parameter>(&v)) {
    auto zone = cached_zone(d->zone);
    if (!zone)
      return refuse("template.unknown_time_zone",
                    fmt::format("the value of {} names the time zone '{}': {}", at.name(), d->zone,
                                zone.error().message),
                    at.name());
    if (!d->fallback.empty()) {
      if (auto e = check_text(d->fallback, at)) return e;
      dst.assign(d->fallback);
      return std::nullopt;
    }
    write_date_time(dst, d->at, *zone, language);
    return std::nullopt;
  }
  return refuse("template.parameter_type", fmt::format("{} takes text, not media", at.name()), at.name());
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

namespace {
void write_date_time(std::string& out, timestamp t, const time_zone& zone, std::string_view language);
}  // namespace

std::string format_date_time(timestamp t, const time_zone& zone, std::string_view language) {
  std::string out;
  write_date_time(out, t, zone, language);
  return out;
}

namespace {
void write_date_time(std::string& out, timestamp t, const time_zone& zone, std::string_view language) {
  static constexpr std::array<std::string_view, 7> en_days = {"Sun", "Mon", "Tue", "Wed",
                                                              "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 7> it_days = {"dom", "lun", "mar", "mer",
                                                              "gio", "ven", "sab"};
  static constexpr std::array<std::string_view, 12> en_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr std::array<std::string_view, 12> it_months = {"gen", "feb", "mar", "apr", "mag", "giu",
                                                                 "lug", "ago", "set", "ott", "nov", "dic"};
  const auto [exact_local, abbrev] = zone.to_local_with_abbreviation(t);
  const auto local = std::chrono::floor<std::chrono::minutes>(exact_local);
  const auto day = std::chrono::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::weekday wd{day};
  const date::hh_mm_ss<std::chrono::minutes> tod{local - day};
  const bool it = italian(language);
  // "Mon 2 Mar 2026, 09:30 CET", written without a format string (this runs per parameter).
  out.clear();
  auto two = [&](long v) {
    out += static_cast<char>('0' + v / 10);
    out += static_cast<char>('0' + v % 10);
  };
  out += (it ? it_days : en_days)[wd.c_encoding()];
  out += ' ';
  const auto d = static_cast<unsigned>(ymd.day());
  if (d >= 10) out += static_cast<char>('0' + d / 10);
  out += static_cast<char>('0' + d % 10);
  out += ' ';
  out += (it ? it_months : en_months)[static_cast<unsigned>(ymd.month()) - 1U];
  out += ' ';
  out += std::to_string(static_cast<int>(ymd.year()));
  out += ", ";
  two(tod.hours().count());
  out += ':';
  two(tod.minutes().count());
  out += ' ';
  out += abbrev;
}
}  // namespace

result<prepared_template> prepared_template::prepare(template_definition def) {
  prepared_template t;
  t.def_ = std::move(def);
  const auto& d = t.def_;
  if (d.header == header_format::text) {
    auto ps = scan_placeholders(d.header_text);
    if (!ps) return refuse("template.invalid_definition", "header: " + ps.error().message, "header");
    for (const auto& p : *ps) t.header_slots_.push_back({p.offset, p.length, 0});
    if (!ps->empty()) t.header_key_ = std::string((*ps)[0].name);
  }
  auto ps = scan_placeholders(d.body);
  if (!ps) return refuse("template.invalid_definition", "body: " + ps.error().message, "body");
  for (const auto& p : *ps)
    if (std::find(t.keys_.begin(), t.keys_.end(), p.name) == t.keys_.end()) t.keys_.emplace_back(p.name);
  if (d.format == parameter_format::positional)
    std::sort(t.keys_.begin(), t.keys_.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
  for (const auto& p : *ps) {
    const auto key =
        static_cast<std::size_t>(std::find(t.keys_.begin(), t.keys_.end(), p.name) - t.keys_.begin());
    t.body_slots_.push_back({p.offset, p.length, key});
  }
  for (std::size_t i = 0; i < d.buttons.size(); ++i) {
    std::vector<detail::template_slot> slots;
    if (d.buttons[i].type == button_type::url) {
      auto ups = scan_placeholders(d.buttons[i].url);
      if (!ups)
        return refuse("template.invalid_definition", fmt::format("button {}: {}", i, ups.error().message),
                      fmt::format("buttons[{}]", i));
      for (const auto& p : *ups) slots.push_back({p.offset, p.length, 0});
    }
    t.button_slots_.push_back(std::move(slots));
  }
  return t;
}

namespace {

/// Writes `text` into `out` with each slot replaced by `value(slot.key)`, in one pass.
template <class Value>
void fill(std::string& out, std::string_view text, const std::vector<detail::template_slot>& slots,
          Value&& value) {
  out.clear();
  std::size_t pos = 0;
  for (const auto& s : slots) {
    out.append(text.substr(pos, s.offset - pos));
    out.append(value(s.key));
    pos = s.offset + s.length;
  }
  out.append(text.substr(pos));
}

}  // namespace

result<bound_template> bind(const template_definition& def, const template_arguments& args) {
  auto prepared = prepared_template::prepare(def);
  if (!prepared) return prepared.error();
  return bind(*prepared, args);
}

result<bound_template> bind(const prepared_template& t, const template_arguments& args) {
  bound_template out;
  if (auto ok = bind_into(out, t, args); !ok) return ok.error();
  return out;
}

result<void> bind_into(bound_template& out, const prepared_template& t, const template_arguments& args) {
  const auto& def = t.def_;
  out.name.assign(def.name);
  out.language.assign(def.language);
  out.category = def.category;
  out.format = def.format;
  out.header = def.header;
  out.footer.assign(def.footer);
  out.header_text.clear();
  out.button_values.clear();

  // Header.
  std::string_view header_name_from_body;
  if (def.header == header_format::text) {
    if (!t.header_slots_.empty()) {
      const std::string_view name = t.header_key_;
      const template_value* value = nullptr;
      for (const auto& a : args.header)
        if (a.first == name || args.header.size() == 1) value = &a.second;
      if (value == nullptr && def.format == parameter_format::named) {
        // By name, a value may feed the header's variable wherever it was given.
        for (const auto& a : args.body)
          if (a.first == name) {
            value = &a.second;
            header_name_from_body = name;
          }
      }
      if (value == nullptr)
        return refuse("template.missing_parameter",
                      fmt::format("the header variable {{{{{}}}}} has no value", name), "header");
      if (!out.header_value) out.header_value.emplace();
      auto& hv = *out.header_value;
      if (auto e = write_value(hv.text, *value, def.language, slot{"header", name})) return *e;
      fill(out.header_text, def.header_text, t.header_slots_,
           [&](std::size_t) -> const std::string& { return hv.text; });
      hv.key.assign(name);
      hv.value = std::holds_alternative<std::string>(*value) ? template_value{} : *value;
      if (args.header.size() > 1)
        return refuse("template.unknown_parameter", "the header takes one value, got several", "header");
    } else {
      if (!args.header.empty())
        return refuse("template.unknown_parameter", "the header has no variable, but a value was given",
                      "header");
      out.header_text.assign(def.header_text);
      out.header_value.reset();
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
    if (!out.header_value) out.header_value.emplace();
    out.header_value->key.assign("1");
    out.header_value->text.assign(media->filename);
    out.header_value->value = *media;
  } else {
    if (!args.header.empty())
      return refuse("template.unknown_parameter", "this template's header takes no value", "header");
    out.header_value.reset();
  }

  // Body: match each value to its variable once.
  const auto& keys = t.keys_;
  if (def.format == parameter_format::positional && args.body.size() != keys.size())
    return refuse("template.parameter_count",
                  fmt::format("the body of '{}' takes {} value{}, got {}", def.name, keys.size(),
                              keys.size() == 1 ? "" : "s", args.body.size()),
                  "body");
  // Which value feeds each variable (on the stack for the usual handful of variables).
  std::array<const template_value*, 32> small{};
  std::vector<const template_value*> large;
  if (keys.size() > small.size()) large.assign(keys.size(), nullptr);
  const template_value** values = keys.size() > small.size() ? large.data() : small.data();
  for (const auto& a : args.body) {
    const auto it = std::find(keys.begin(), keys.end(), a.first);
    if (it == keys.end()) {
      if (!header_name_from_body.empty() && a.first == header_name_from_body) continue;
      return refuse("template.unknown_parameter",
                    fmt::format("the body of '{}' has no variable {{{{{}}}}}", def.name, a.first), "body");
    }
    auto& v = values[static_cast<std::size_t>(it - keys.begin())];
    if (v == nullptr) v = &a.second;
  }
  out.body_values.resize(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (values[i] == nullptr)
      return refuse("template.missing_parameter",
                    fmt::format("the body variable {{{{{}}}}} has no value", keys[i]), "body");
    auto& bv = out.body_values[i];
    if (auto e = write_value(bv.text, *values[i], def.language, slot{"body", keys[i]})) return *e;
    bv.key.assign(keys[i]);
    // Text values keep their text once; other kinds keep the value for the request.
    if (std::holds_alternative<std::string>(*values[i])) {
      if (!std::holds_alternative<std::string>(bv.value)) bv.value = std::string();
    } else {
      bv.value = *values[i];
    }
  }
  fill(out.body, def.body, t.body_slots_,
       [&](std::size_t key) -> const std::string& { return out.body_values[key].text; });
  if (auto e = check_length("body", out.body, template_limits::body)) return *e;

  // Buttons.
  out.button_labels.resize(def.buttons.size());
  out.button_urls.resize(def.buttons.size());
  for (std::size_t i = 0; i < def.buttons.size(); ++i) {
    const auto& b = def.buttons[i];
    const std::string* arg = nullptr;
    for (const auto& a : args.buttons)
      if (a.first == i && arg == nullptr) arg = &a.second;
    const slot at{"button", "", &b, i};
    auto where = [&] { return at.name(); };
    auto& label = out.button_labels[i];
    auto& url = out.button_urls[i];
    label.assign(b.text);
    url.clear();
    if (b.type == button_type::url) {
      const auto& slots = t.button_slots_[i];
      if (!slots.empty()) {
        if (arg == nullptr)
          return refuse("template.missing_parameter", fmt::format("{} needs the end of its URL", where()),
                        where());
        if (auto e = check_text(*arg, at)) return *e;
        if (arg->find(' ') != std::string::npos)
          return refuse("template.invalid_text",
                        fmt::format("the value of {} cannot contain spaces", where()), where());
        fill(url, b.url, slots, [&](std::size_t) -> const std::string& { return *arg; });
        if (url.size() > template_limits::url)
          return refuse("template.too_long",
                        fmt::format("{} has a URL of {} characters: the limit is 2000", where(), url.size()),
                        where());
        out.button_values.push_back({i, b.type, *arg});
      } else {
        if (arg != nullptr)
          return refuse("template.unknown_parameter", fmt::format("{} takes no value", where()), where());
        url.assign(b.url);
      }
    } else if (b.type == button_type::copy_code || b.type == button_type::otp) {
      if (arg == nullptr)
        return refuse(
            "template.missing_parameter",
            fmt::format("{} needs its {}", where(), b.type == button_type::otp ? "passcode" : "code"),
            where());
      if (auto e = check_text(*arg, at)) return *e;
      if (b.type == button_type::copy_code && utf8::length(*arg).value_or(0) > template_limits::copy_code)
        return refuse("template.too_long",
                      fmt::format("{} has a code of {} characters: the limit is 15", where(),
                                  utf8::length(*arg).value_or(0)),
                      where());
      if (label.empty()) label = b.type == button_type::otp ? "Copy code" : "Copy offer code";
      out.button_values.push_back({i, b.type, *arg});
    } else if (b.type == button_type::quick_reply) {
      if (arg != nullptr) {
        if (auto e = check_text(*arg, at)) return *e;
        out.button_values.push_back({i, b.type, *arg});  // a payload
      }
    } else if (arg != nullptr) {
      return refuse("template.unknown_parameter", fmt::format("{} takes no value", where()), where());
    }
  }
  for (const auto& a : args.buttons) {
    if (a.first >= def.buttons.size())
      return refuse(
          "template.unknown_parameter",
          fmt::format("'{}' has {} buttons: there is no button {}", def.name, def.buttons.size(), a.first),
          "buttons");
  }
  return {};
}

namespace {

template_parameter parameter_of(const bound_value& v) {
  if (const auto* m = std::get_if<media_parameter>(&v.value))
    return template_parameter::media(m->kind, m->media_id, m->link,
                                     m->kind == media_kind::document ? m->filename : std::string());
  if (const auto* c = std::get_if<currency_parameter>(&v.value))
    return template_parameter::currency(v.key, v.text, c->code, c->amount.units() / 1000);
  if (std::holds_alternative<date_time_parameter>(v.value))
    return template_parameter::date_time(v.key, v.text);
  return {v.key, v.text};
}

template_button_kind button_kind_of(button_type t) {
  switch (t) {
    case button_type::quick_reply:
      return template_button_kind::quick_reply;
    case button_type::copy_code:
      return template_button_kind::copy_code;
    default:  // URL suffixes, and one-time passcodes, which the platform takes as a URL button's text
      return template_button_kind::url;
  }
}

}  // namespace

template_content to_content(const bound_template& bound) {
  template_content c;
  c.name = bound.name;
  c.language = bound.language;
  c.category = bound.category;
  if (bound.header_value) c.header = parameter_of(*bound.header_value);
  c.parameters.reserve(bound.body_values.size());
  for (const auto& v : bound.body_values) c.parameters.push_back(parameter_of(v));
  c.buttons.reserve(bound.button_values.size());
  for (const auto& b : bound.button_values) c.buttons.push_back({b.index, button_kind_of(b.type), b.text});
  return c;
}

result<void> check_content(const prepared_template& t, const template_content& c) {
  const auto& def = t.definition();
  if (c.name != def.name)
    return make_error(
        "template.mismatch",
        fmt::format("the message names template '{}', not '{}'", utf8::printable(c.name), def.name), "name");
  if (c.language != def.language)
    return make_error("template.mismatch",
                      fmt::format("the message asks for '{}' in '{}', and this definition is in '{}'",
                                  def.name, utf8::printable(c.language), def.language),
                      "language");
  const auto value_of = [](const template_parameter& p) -> template_value {
    if (p.kind == template_parameter::type::media)
      return media_parameter{p.media_type, p.link, p.media_id, p.filename};
    return p.text;  // currencies and dates as the text they show
  };
  template_arguments args;
  if (c.header) args.header.emplace_back(c.header->key.empty() ? "1" : c.header->key, value_of(*c.header));
  args.body.reserve(c.parameters.size());
  for (const auto& p : c.parameters) args.body.emplace_back(p.key, value_of(p));
  args.buttons.reserve(c.buttons.size());
  for (const auto& b : c.buttons) args.buttons.emplace_back(b.index, b.value);
  auto bound = bind(t, args);
  if (!bound) return bound.error();
  return {};
}

}  // namespace chatdesk
