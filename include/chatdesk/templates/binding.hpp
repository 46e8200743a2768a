/// @file
/// Binding parameter values to a template, refusing every mistake the
/// platform would reject before anything is sent, and rendering exactly what
/// the customer will see plus the platform's send-request JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/decimal.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/templates/definition.hpp"

namespace chatdesk {

/// An amount of money for a `currency` parameter: an ISO 4217 code, an exact
/// amount, and the text shown where the app cannot format it (empty: chatdesk
/// formats one).
struct CHATDESK_API currency_parameter {
  std::string code;  ///< "EUR"
  decimal amount;
  std::string fallback;
};

/// A point in time for a `date_time` parameter, shown in `zone` (an IANA
/// name; empty: UTC), and the fallback text (empty: chatdesk formats one).
struct CHATDESK_API date_time_parameter {
  timestamp at{};
  std::string zone;
  std::string fallback;
};

/// A media header: by link or by uploaded media id.
struct CHATDESK_API media_parameter {
  media_kind kind = media_kind::document;
  std::string link;
  std::string media_id;
  std::string filename;  ///< documents
};

/// One parameter value.
using template_value = std::variant<std::string, currency_parameter, date_time_parameter, media_parameter>;

/// The values to bind: by position ("1", "2") or by name ("order_id"),
/// per component. Button values are keyed by the button's index in the
/// definition (its URL suffix, copy code or passcode).
struct CHATDESK_API template_arguments {
  std::vector<std::pair<std::string, template_value>> header;
  std::vector<std::pair<std::string, template_value>> body;
  std::vector<std::pair<std::size_t, std::string>> buttons;

  /// Appends a body value under the next position ("1", "2", ...).
  template_arguments& add(template_value v) {
    body.emplace_back(std::to_string(body.size() + 1), std::move(v));
    return *this;
  }
  /// Sets a body value by name or position.
  template_arguments& set(std::string key, template_value v) {
    body.emplace_back(std::move(key), std::move(v));
    return *this;
  }
  /// Sets the header's value (its text variable, or its media).
  template_arguments& set_header(template_value v) {
    header.emplace_back("1", std::move(v));
    return *this;
  }
  /// Sets button `index`'s variable.
  template_arguments& set_button(std::size_t index, std::string v) {
    buttons.emplace_back(index, std::move(v));
    return *this;
  }
};

/// A value as bound: its type, and the text it shows.
struct CHATDESK_API bound_value {
  std::string key;   ///< position or name
  std::string text;  ///< what the customer sees
  template_value value;
};

/// A template with every variable bound and checked.
struct CHATDESK_API bound_template {
  std::string name;
  std::string language;
  template_category category = template_category::utility;
  parameter_format format = parameter_format::positional;
  header_format header = header_format::none;
  std::optional<bound_value> header_value;  ///< text variable or media
  std::vector<bound_value> body_values;     ///< in the order of first appearance
  struct button_value {
    std::size_t index = 0;
    button_type type = button_type::url;
    std::string text;
  };
  std::vector<button_value> button_values;

  /// What the customer sees.
  std::string header_text;
  std::string body;
  std::string footer;
  std::vector<std::string> button_labels;
  std::vector<std::string> button_urls;  ///< URL buttons' final URLs (empty for others)
};

namespace detail {
/// Where one variable sits in a template's text: the binder's bookkeeping,
/// not part of the stable API.
struct CHATDESK_API template_slot {
  std::size_t offset = 0;  ///< of "{{" in the text
  std::size_t length = 0;
  std::size_t key = 0;  ///< index into the body's keys
};
}  // namespace detail

/// A definition with its variables located once, for binding it many times.
/// `bind(def, args)` prepares on every call; keep a `prepared_template` when
/// the same definition is sent again and again.
class CHATDESK_API prepared_template {
 public:
  /// Locates the variables. Error `template.invalid_definition` for a
  /// malformed variable (see `validate` for every other rule).
  [[nodiscard]] static result<prepared_template> prepare(template_definition def);
  [[nodiscard]] const template_definition& definition() const noexcept { return def_; }

 private:
  friend result<void> bind_into(bound_template& out, const prepared_template& t,
                                const template_arguments& args);

  template_definition def_;
  std::vector<detail::template_slot> header_slots_;
  std::string header_key_;
  std::vector<std::string>
      keys_;  ///< body variables, positional in number order, named in order of appearance
  std::vector<detail::template_slot> body_slots_;
  std::vector<std::vector<detail::template_slot>> button_slots_;  ///< per button: its URL variable, if any
};

/// Binds `args` to a prepared template; see the overload below for the refusals.
[[nodiscard]] CHATDESK_API result<bound_template> bind(const prepared_template& t,
                                                       const template_arguments& args);
/// The same into `out`, reusing its strings' memory: for hot loops that send
/// the same template many times (like fmt::format_to). On an error `out` is
/// left partly written.
[[nodiscard]] CHATDESK_API result<void> bind_into(bound_template& out, const prepared_template& t,
                                                  const template_arguments& args);

/// Binds `args` to `def`. Refuses, naming the component and the variable:
/// `template.missing_parameter` (a variable without a value, in the header,
/// body or a button), `template.unknown_parameter` (a value no variable takes),
/// `template.parameter_count` (positional counts differ),
/// `template.parameter_type` (media in the body, text for a media header, ...),
/// `template.invalid_text` (newlines or tabs, more than 4 consecutive spaces,
/// invalid UTF-8), `template.too_long` (a component too long after
/// substitution), `template.unknown_currency`, `template.currency_precision`,
/// `template.unknown_time_zone`, `template.invalid_definition` (the definition
/// itself has problems: see `validate`). A value containing `{{2}}` is kept
/// literally, never expanded.
[[nodiscard]] CHATDESK_API result<bound_template> bind(const template_definition& def,
                                                       const template_arguments& args);

/// The bound template as the message model's content, for `desk::send`:
/// every value typed as bound (header media, currencies, dates, button
/// values), so the send request the transport encodes is the template's own
/// (see `send_request_json` in wire/send.hpp).
[[nodiscard]] CHATDESK_API template_content to_content(const bound_template& bound);

/// Checks a template message against the template it names, as the desk does
/// before a send: the same name and language, and values that bind (every
/// variable has one, no value is left over, each fits its component).
/// Currencies and dates are checked as the text they show. Errors:
/// `template.mismatch` (another template's name or language), and `bind`'s.
[[nodiscard]] CHATDESK_API result<void> check_content(const prepared_template& t, const template_content& c);

/// Formats an amount as the customer sees it in `language`: "1,234.50 EUR"
/// (English and most languages) or "1.234,50 EUR" (Italian, German, Spanish,
/// Portuguese, French, ...), with the currency's minor digits. Exact.
[[nodiscard]] CHATDESK_API std::string format_amount(decimal amount, const currency& c,
                                                     std::string_view language);

/// Formats a time in a zone for `language`: "Mon 2 Mar 2026, 09:30 CET" or
/// "lun 2 mar 2026, 09:30 CET" (Italian).
[[nodiscard]] CHATDESK_API std::string format_date_time(timestamp t, const time_zone& zone,
                                                        std::string_view language);

}  // namespace chatdesk
