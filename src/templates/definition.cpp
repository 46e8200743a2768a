#include "chatdesk/templates/definition.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "../core/ascii.hpp"
#include "../core/names.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

using ojson = nlohmann::ordered_json;

namespace {

// The platform's names, in the order of each enum's values.
constexpr std::array<std::string_view, 2> parameter_format_names{"POSITIONAL", "NAMED"};
constexpr std::array<std::string_view, 6> header_format_names{"NONE",  "TEXT",     "IMAGE",
                                                              "VIDEO", "DOCUMENT", "LOCATION"};
constexpr std::array<std::string_view, 6> button_type_names{"QUICK_REPLY", "URL", "PHONE_NUMBER",
                                                            "COPY_CODE",   "OTP", "OTHER"};
static_assert(static_cast<std::size_t>(parameter_format::named) + 1 == parameter_format_names.size());
static_assert(static_cast<std::size_t>(header_format::location) + 1 == header_format_names.size());
static_assert(static_cast<std::size_t>(button_type::other) + 1 == button_type_names.size());

}  // namespace

std::string_view to_string(parameter_format f) noexcept {
  return detail::name_in(parameter_format_names, f, "POSITIONAL");
}

std::string_view to_string(header_format f) noexcept {
  return detail::name_in(header_format_names, f, "NONE");
}

std::string_view to_string(button_type t) noexcept {
  return detail::name_in(button_type_names, t, "OTHER");
}

result<std::vector<placeholder>> scan_placeholders(std::string_view text) {
  std::vector<placeholder> out;
  out.reserve(16);
  std::size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    const auto close = text.find("}}", pos + 2);
    const auto inner =
        close == std::string_view::npos ? std::string_view{} : text.substr(pos + 2, close - pos - 2);
    bool digits = !inner.empty() && inner[0] != '0';
    bool name = !inner.empty() && inner[0] >= 'a' && inner[0] <= 'z';
    for (char c : inner) {
      digits = digits && c >= '0' && c <= '9';
      name = name && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    }
    if (close == std::string_view::npos || (!digits && !name) || inner.size() > 64)
      return make_error("template.malformed_placeholder",
                        fmt::format("'{}' is not a variable: write {{{{1}}}} or {{{{lower_case_name}}}}",
                                    text.substr(pos, std::min<std::size_t>(close == std::string_view::npos
                                                                               ? text.size() - pos
                                                                               : close + 2 - pos,
                                                                           40))),
                        fmt::format("byte {}", pos));
    out.push_back({inner, pos, close + 2 - pos, digits});
    pos = close + 2;
  }
  return out;
}

namespace {

class checker {
 public:
  explicit checker(const template_definition& d) : def_(d) {}

  std::vector<template_problem> run() {
    check_identity();
    check_text("header", def_.header_text, template_limits::header_text);
    check_text("body", def_.body, template_limits::body);
    check_text("footer", def_.footer, template_limits::footer);
    check_header();
    check_body();
    check_footer();
    check_buttons();
    check_parameter_style();
    return std::move(problems_);
  }

 private:
  void add(std::string_view code, std::string message, std::string component,
           std::optional<std::size_t> limit = {}, std::optional<std::size_t> actual = {}) {
    problems_.push_back(
        {make_error(code, std::move(message), component), std::move(component), limit, actual});
  }

  void check_identity() {
    if (def_.name.empty() || def_.name.size() > template_limits::name ||
        !std::all_of(def_.name.begin(), def_.name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }))
      add("template.invalid_name",
          fmt::format("'{}' is not a template name: 1 to 512 lower-case letters, digits and underscores",
                      utf8::printable(def_.name, 80)),
          "name", template_limits::name, def_.name.size());
    if (def_.language.empty())
      add("template.missing_language", "a template needs a language code", "language");
    if (def_.body.empty()) add("template.missing_body", "the body is required", "body");
  }

  /// Checks UTF-8 and the length in characters; returns the placeholders if it parsed.
  /// `what` names the text for a person ("the body", "the label of button 2").
  void check_text(const std::string& component, const std::string& text, std::size_t limit,
                  std::string what = {}) {
    if (what.empty()) what = "the " + component;
    if (const auto bad = utf8::first_invalid(text)) {
      add("template.invalid_utf8", fmt::format("{} is not valid UTF-8 (at byte {})", what, *bad), component);
      return;
    }
    const auto n = *utf8::length(text);
    if (n > limit)
      add("template.too_long", fmt::format("{} has {} characters: the limit is {}", what, n, limit),
          component, limit, n);
  }

  /// The placeholders of a text; `counts` says whether they count towards the
  /// template's parameter style (a URL button's variable is always {{1}}).
  std::vector<placeholder> placeholders(const std::string& component, const std::string& text,
                                        bool counts = true) {
    auto r = scan_placeholders(text);
    if (!r) {
      add(r.error().code, fmt::format("{}: {}", component, r.error().message), component);
      return {};
    }
    if (counts)
      for (const auto& p : *r) (p.positional ? positional_seen_ : named_seen_) = true;
    return std::move(r).value();
  }

  void check_header() {
    const bool text = def_.header == header_format::text;
    if (text && def_.header_text.empty())
      add("template.header_format_mismatch", "a TEXT header needs its text", "header");
    if (!text && !def_.header_text.empty())
      add("template.header_format_mismatch",
          fmt::format("a {} header carries media, not text", to_string(def_.header)), "header");
    if (!text) return;
    const auto ps = placeholders("header", def_.header_text);
    if (ps.size() > template_limits::header_parameters)
      add("template.too_many_parameters",
          fmt::format("the header has {} variables: the limit is 1", ps.size()), "header",
          template_limits::header_parameters, ps.size());
    if (ps.size() == 1 && ps[0].positional && ps[0].name != "1")
      add("template.parameter_gap",
          fmt::format("the header's variable must be {{{{1}}}}, not {{{{{}}}}}", ps[0].name), "header");
  }

  void check_body() {
    const auto ps = placeholders("body", def_.body);
    std::set<std::size_t> numbers;
    for (const auto& p : ps)
      if (p.positional) numbers.insert(p.name.size() > 4 ? 99999 : std::stoul(std::string(p.name)));
    std::size_t expected = 1;
    for (auto n : numbers) {
      if (n != expected) {
        add("template.parameter_gap",
            fmt::format("body variables must be numbered 1 to {} without gaps: {{{{{}}}}} is missing",
                        numbers.size(), expected),
            "body", expected, n);
        break;
      }
      ++expected;
    }
  }

  void check_footer() {
    if (!placeholders("footer", def_.footer).empty())
      add("template.footer_parameters", "the footer cannot have variables", "footer");
  }

  void check_buttons() {
    const auto& bs = def_.buttons;
    if (bs.size() > template_limits::buttons)
      add("template.too_many_buttons", fmt::format("{} buttons: the limit is 10", bs.size()), "buttons",
          template_limits::buttons, bs.size());
    std::size_t urls = 0, phones = 0, codes = 0, otps = 0, quick_runs = 0;
    for (std::size_t i = 0; i < bs.size(); ++i) {
      const auto& b = bs[i];
      const auto where = fmt::format("buttons[{}]", i);
      if (b.type == button_type::quick_reply && (i == 0 || bs[i - 1].type != button_type::quick_reply))
        ++quick_runs;
      const bool needs_text = b.type == button_type::quick_reply || b.type == button_type::url ||
                              b.type == button_type::phone_number;
      if (needs_text && b.text.empty())
        add("template.button_missing_text", fmt::format("button {} needs a label", i + 1), where);
      check_text(where, b.text, template_limits::button_label, fmt::format("the label of button {}", i + 1));
      switch (b.type) {
        case button_type::url: {
          ++urls;
          if (b.url.empty())
            add("template.missing_url", fmt::format("URL button {} has no URL", i + 1), where);
          check_text(where + ".url", b.url, template_limits::url, fmt::format("the URL of button {}", i + 1));
          const auto ps = placeholders(where, b.url, false);
          if (ps.size() > 1 || (ps.size() == 1 && ps[0].offset + ps[0].length != b.url.size()))
            add("template.url_variable_not_last",
                fmt::format("URL button {} may have one variable, at the very end of the URL", i + 1), where);
          break;
        }
        case button_type::phone_number:
          ++phones;
          if (b.phone_number.empty())
            add("template.missing_phone_number", fmt::format("phone button {} has no number", i + 1), where);
          break;
        case button_type::copy_code:
          ++codes;
          check_text(where + ".example", b.example, template_limits::copy_code,
                     fmt::format("the example code of button {}", i + 1));
          break;
        case button_type::otp:
          ++otps;
          break;
        case button_type::quick_reply:
        case button_type::other:
          break;
      }
    }
    auto too_many = [&](std::size_t n, std::size_t limit, const char* what) {
      if (n > limit)
        add("template.too_many_buttons", fmt::format("{} {} buttons: the limit is {}", n, what, limit),
            "buttons", limit, n);
    };
    too_many(urls, template_limits::url_buttons, "URL");
    too_many(phones, template_limits::phone_buttons, "phone-number");
    too_many(codes, template_limits::copy_code_buttons, "copy-code");
    if (quick_runs > 1)
      add("template.quick_replies_not_grouped",
          "quick-reply buttons must be grouped together, not mixed with others", "buttons");
    if (def_.category == template_category::authentication && otps == 0)
      add("template.missing_otp_button", "an authentication template needs a one-time-passcode (OTP) button",
          "buttons");
    if (def_.category != template_category::authentication && otps > 0)
      add("template.otp_outside_authentication", "OTP buttons belong to authentication templates only",
          "buttons");
  }

  void check_parameter_style() {
    if (positional_seen_ && named_seen_)
      add("template.mixed_parameters", "a template uses {{1}}-style or {{name}}-style variables, never both",
          "parameter_format");
    else if (def_.format == parameter_format::positional && named_seen_)
      add("template.wrong_parameter_format", "this POSITIONAL template has {{name}} variables",
          "parameter_format");
    else if (def_.format == parameter_format::named && positional_seen_)
      add("template.wrong_parameter_format", "this NAMED template has {{1}} variables", "parameter_format");
  }

  const template_definition& def_;
  std::vector<template_problem> problems_;
  bool positional_seen_ = false;
  bool named_seen_ = false;
};

// --- JSON ------------------------------------------------------------------

struct json_failure {
  error err;
};

[[noreturn]] void fail(std::string_view code, std::string message, std::string where) {
  throw json_failure{make_error(code, std::move(message), std::move(where))};
}

std::string string_at(const ojson& j, const char* key, const std::string& path, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) fail("template.json", fmt::format("'{}' is required", key), path + "." + key);
    return {};
  }
  if (!it->is_string())
    fail("template.json", fmt::format("'{}' must be a string, not {}", key, it->type_name()),
         path + "." + key);
  return it->get<std::string>();
}

template <class T>
T enum_at(const ojson& j, const char* key, const std::string& path, result<T> (*parse)(std::string_view),
          T fallback) {
  const auto text = string_at(j, key, path, false);
  if (text.empty()) return fallback;
  auto r = parse(text);
  if (!r) fail("template.unknown_value", r.error().message, path + "." + key);
  return *r;
}

result<header_format> parse_header_format(std::string_view s) {
  // A header that is present has a format: NONE is what an absent one is.
  const auto f = detail::named_ignoring_case<header_format>(header_format_names, s);
  if (f && *f != header_format::none) return *f;
  return make_error("template.unknown_value",
                    fmt::format("'{}' is not a header format (TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION)",
                                utf8::printable(s)));
}

result<parameter_format> parse_parameter_format(std::string_view s) {
  if (auto f = detail::named_ignoring_case<parameter_format>(parameter_format_names, s)) return *f;
  return make_error("template.unknown_value",
                    fmt::format("'{}' is not a parameter format ({})", utf8::printable(s),
                                detail::names_list(parameter_format_names)));
}

/// Buttons the library does not model (CATALOG, MPM, FLOW, ...) are kept as OTHER.
button_type button_type_of(std::string_view s) {
  return detail::named_ignoring_case<button_type>(button_type_names, s).value_or(button_type::other);
}

/// The object's keys other than `known`.
ojson rest(const ojson& j, std::initializer_list<const char*> known) {
  ojson out = ojson::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; }))
      out[it.key()] = it.value();
  }
  return out;
}

template_button read_button(const ojson& b, const std::string& path) {
  if (!b.is_object()) fail("template.json", "a button must be an object", path);
  template_button out;
  const auto type = string_at(b, "type", path, true);
  out.type = button_type_of(type);
  out.text = string_at(b, "text", path, false);
  out.url = string_at(b, "url", path, false);
  out.phone_number = string_at(b, "phone_number", path, false);
  out.otp_type = string_at(b, "otp_type", path, false);
  if (auto ex = b.find("example"); ex != b.end() && ex->is_string()) out.example = ex->get<std::string>();
  out.extra = rest(b, {"type", "text", "url", "phone_number", "otp_type"});
  if (out.extra.contains("example") && !out.example.empty()) out.extra.erase("example");
  if (out.type == button_type::other) out.extra["type"] = type;
  return out;
}

}  // namespace

std::vector<template_problem> validate(const template_definition& def) {
  return checker(def).run();
}

result<template_definition> template_from_json(const ojson& j) {
  // Unknown fields are kept by copying them, and a copy recurses once per level.
  if (json_too_deep(j))
    return make_error(
        "template.json",
        fmt::format("the definition nests arrays and objects deeper than {} levels", max_json_depth), "$");
  try {
    if (!j.is_object()) fail("template.json", "a template definition must be a JSON object", "$");
    template_definition d;
    d.id = string_at(j, "id", "$", false);
    d.name = string_at(j, "name", "$", true);
    d.language = string_at(j, "language", "$", true);
    d.category = enum_at(j, "category", "$", &parse_template_category, template_category::utility);
    if (string_at(j, "category", "$", true).empty())
      fail("template.json", "'category' is required", "$.category");
    d.status = enum_at(j, "status", "$", &parse_template_status, template_status::pending);
    d.format = enum_at(j, "parameter_format", "$", &parse_parameter_format, parameter_format::positional);
    if (auto q = j.find("quality_score"); q != j.end() && q->is_object())
      d.quality = enum_at(*q, "score", "$.quality_score", &parse_quality_rating, quality_rating::unknown);
    const auto reason = string_at(j, "rejected_reason", "$", false);
    if (reason != "NONE") d.status_reason = reason;
    d.extra = rest(j, {"id", "name", "language", "category", "status", "parameter_format", "quality_score",
                       "rejected_reason", "components"});
    if (auto q = j.find("quality_score"); q != j.end() && q->is_object()) {
      auto kept = rest(*q, {"score"});
      if (!kept.empty()) d.extra["quality_score"] = kept;
    }

    auto comps = j.find("components");
    if (comps == j.end() || !comps->is_array())
      fail("template.json", "'components' must be a list of components", "$.components");
    bool body_seen = false;
    for (std::size_t i = 0; i < comps->size(); ++i) {
      const auto& c = (*comps)[i];
      const auto path = fmt::format("$.components[{}]", i);
      if (!c.is_object()) fail("template.json", "a component must be an object", path);
      const auto type = detail::ascii_upper(string_at(c, "type", path, true));
      if (type == "HEADER") {
        d.header = enum_at(c, "format", path, &parse_header_format, header_format::text);
        d.header_text = string_at(c, "text", path, false);
        d.header_extra = rest(c, {"type", "format", "text"});
      } else if (type == "BODY") {
        d.body = string_at(c, "text", path, true);
        d.body_extra = rest(c, {"type", "text"});
        body_seen = true;
      } else if (type == "FOOTER") {
        d.footer = string_at(c, "text", path, false);
        d.footer_extra = rest(c, {"type", "text"});
      } else if (type == "BUTTONS") {
        auto bs = c.find("buttons");
        if (bs == c.end() || !bs->is_array())
          fail("template.json", "'buttons' must be a list of buttons", path + ".buttons");
        for (std::size_t k = 0; k < bs->size(); ++k)
          d.buttons.push_back(read_button((*bs)[k], fmt::format("{}.buttons[{}]", path, k)));
        d.buttons_extra = rest(c, {"type", "buttons"});
      } else {
        d.unknown_components.push_back(c);
      }
    }
    if (!body_seen) fail("template.json", "a template needs a BODY component", "$.components");
    return d;
  } catch (const json_failure& f) {
    return f.err;
  }
}

result<template_definition> parse_template(std::string_view text) {
  auto j = parse_json(text, "template.json", "the file");
  if (!j) return j.error();
  return template_from_json(*j);
}

ojson to_json(const template_definition& d) {
  ojson j = ojson::object();
  if (!d.id.empty()) j["id"] = d.id;
  j["name"] = d.name;
  j["language"] = d.language;
  j["category"] = detail::ascii_upper(to_string(d.category));
  j["status"] = std::string(to_string(d.status));
  j["parameter_format"] = std::string(to_string(d.format));
  if (d.quality != quality_rating::unknown || d.extra.contains("quality_score")) {
    ojson q = d.extra.contains("quality_score") ? d.extra["quality_score"] : ojson::object();
    q["score"] = std::string(to_string(d.quality));
    j["quality_score"] = q;
  }
  if (!d.status_reason.empty()) j["rejected_reason"] = d.status_reason;
  ojson comps = ojson::array();
  if (d.header != header_format::none) {
    ojson h = ojson::object();
    h["type"] = "HEADER";
    h["format"] = std::string(to_string(d.header));
    if (d.header == header_format::text) h["text"] = d.header_text;
    h.update(d.header_extra);
    comps.push_back(h);
  }
  ojson b = ojson::object();
  b["type"] = "BODY";
  b["text"] = d.body;
  b.update(d.body_extra);
  comps.push_back(b);
  if (!d.footer.empty()) {
    ojson f = ojson::object();
    f["type"] = "FOOTER";
    f["text"] = d.footer;
    f.update(d.footer_extra);
    comps.push_back(f);
  }
  if (!d.buttons.empty()) {
    ojson bs = ojson::array();
    for (const auto& btn : d.buttons) {
      ojson o = ojson::object();
      o["type"] = btn.type == button_type::other && btn.extra.contains("type")
                      ? btn.extra["type"]
                      : ojson(std::string(to_string(btn.type)));
      if (!btn.text.empty()) o["text"] = btn.text;
      if (!btn.url.empty()) o["url"] = btn.url;
      if (!btn.phone_number.empty()) o["phone_number"] = btn.phone_number;
      if (!btn.otp_type.empty()) o["otp_type"] = btn.otp_type;
      if (!btn.example.empty()) o["example"] = btn.example;
      for (auto it = btn.extra.begin(); it != btn.extra.end(); ++it)
        if (it.key() != "type") o[it.key()] = it.value();
      bs.push_back(o);
    }
    ojson c = ojson::object();
    c["type"] = "BUTTONS";
    c["buttons"] = bs;
    c.update(d.buttons_extra);
    comps.push_back(c);
  }
  for (const auto& u : d.unknown_components) comps.push_back(u);
  j["components"] = comps;
  for (auto it = d.extra.begin(); it != d.extra.end(); ++it)
    if (it.key() != "quality_score") j[it.key()] = it.value();
  return j;
}

}  // namespace chatdesk
