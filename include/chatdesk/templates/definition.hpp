/// @file
/// Message template definitions: components, limits, validation, and the
/// platform's own template JSON (the shape its management API returns).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/model/template_status.hpp"

namespace chatdesk {

/// The platform's limits on templates (PLATFORM.md Part B 3), in characters.
namespace template_limits {
inline constexpr std::size_t name = 512;
inline constexpr std::size_t header_text = 60;
inline constexpr std::size_t header_parameters = 1;
inline constexpr std::size_t body = 1024;
inline constexpr std::size_t footer = 60;
inline constexpr std::size_t button_label = 25;
inline constexpr std::size_t buttons = 10;
inline constexpr std::size_t url_buttons = 2;
inline constexpr std::size_t phone_buttons = 1;
inline constexpr std::size_t copy_code_buttons = 1;
inline constexpr std::size_t url = 2000;
inline constexpr std::size_t copy_code = 15;
/// A free-form text message body.
inline constexpr std::size_t text_message = 4096;
}  // namespace template_limits

/// How parameters are written: `{{1}}` or `{{first_name}}`, never both.
enum class parameter_format : std::uint8_t { positional, named };
/// What a header carries.
enum class header_format : std::uint8_t { none, text, image, video, document, location };
/// Kinds of button.
enum class button_type : std::uint8_t { quick_reply, url, phone_number, copy_code, otp, other };

[[nodiscard]] CHATDESK_API std::string_view to_string(
    parameter_format f) noexcept;                                                 ///< "POSITIONAL", "NAMED"
[[nodiscard]] CHATDESK_API std::string_view to_string(header_format f) noexcept;  ///< "TEXT", "IMAGE", ...
[[nodiscard]] CHATDESK_API std::string_view to_string(button_type t) noexcept;  ///< "QUICK_REPLY", "URL", ...

/// One button of a template.
struct CHATDESK_API template_button {
  button_type type = button_type::quick_reply;
  std::string text;          ///< the label (25 characters at most)
  std::string url;           ///< URL buttons: may end with one variable, `.../track/{{1}}`
  std::string phone_number;  ///< phone-number buttons
  std::string example;       ///< copy-code example
  std::string otp_type;      ///< OTP buttons: "COPY_CODE", "ONE_TAP", "ZERO_TAP"
  nlohmann::ordered_json extra =
      nlohmann::ordered_json::object();  ///< fields chatdesk does not model, kept as they came
};

/// A message template.
struct CHATDESK_API template_definition {
  std::string id;  ///< the platform's id, if known
  std::string name;
  std::string language;  ///< "en_US", "it"
  template_category category = template_category::utility;
  template_status status = template_status::approved;
  std::optional<timestamp> status_changed_at;  ///< when `status` last changed
  std::string status_reason;                   ///< why (rejection reason, "quality RED", ...)
  quality_rating quality = quality_rating::unknown;
  parameter_format format = parameter_format::positional;

  header_format header = header_format::none;
  std::string header_text;  ///< TEXT headers
  std::string body;         ///< required
  std::string footer;
  std::vector<template_button> buttons;

  /// Fields chatdesk does not model, kept so a definition saves as it loaded:
  /// top-level keys, and the keys of each component (examples included).
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  nlohmann::ordered_json header_extra = nlohmann::ordered_json::object();
  nlohmann::ordered_json body_extra = nlohmann::ordered_json::object();
  nlohmann::ordered_json footer_extra = nlohmann::ordered_json::object();
  nlohmann::ordered_json buttons_extra = nlohmann::ordered_json::object();
  nlohmann::ordered_json unknown_components =
      nlohmann::ordered_json::array();  ///< components of types chatdesk does not know
};

/// One `{{...}}` in a text.
struct CHATDESK_API placeholder {
  std::string_view name;    ///< "1" or "first_name": a view into the scanned text
  std::size_t offset = 0;   ///< byte offset of "{{"
  std::size_t length = 0;   ///< bytes up to and including "}}"
  bool positional = false;  ///< a number
};

/// The placeholders of `text`, in order (their names view `text`, which must
/// outlive them). Error `template.malformed_placeholder`
/// for `{{` not followed by a number or a lower-case name and `}}`.
[[nodiscard]] CHATDESK_API result<std::vector<placeholder>> scan_placeholders(std::string_view text);
/// The placeholders view the text: not a temporary string's.
template <class S, std::enable_if_t<std::is_same_v<S, std::string>, int> = 0>
result<std::vector<placeholder>> scan_placeholders(S&& text) = delete;

/// One problem found by `validate`: a stable code, a sentence, the component
/// it is in ("body", "buttons[2]"), and the limit and the actual value where a
/// limit was broken.
struct CHATDESK_API template_problem {
  chatdesk::error error;
  std::string component;
  std::optional<std::size_t> limit;
  std::optional<std::size_t> actual;
};

/// Every problem of a definition against the platform's rules and limits;
/// empty when it is valid. Codes: `template.invalid_name`, `template.missing_language`,
/// `template.missing_body`, `template.invalid_utf8`, `template.too_long`,
/// `template.malformed_placeholder`, `template.too_many_parameters`,
/// `template.parameter_gap`, `template.mixed_parameters`, `template.wrong_parameter_format`,
/// `template.too_many_buttons`, `template.button_missing_text`,
/// `template.url_variable_not_last`, `template.missing_otp_button`,
/// `template.otp_outside_authentication`, `template.header_format_mismatch`,
/// `template.quick_replies_not_grouped`, `template.footer_parameters`,
/// `template.missing_phone_number`, `template.missing_url`.
[[nodiscard]] CHATDESK_API std::vector<template_problem> validate(const template_definition& def);

/// Reads a definition in the platform's template JSON. Unknown fields are kept;
/// missing or mistyped known fields are errors naming the JSON path
/// (`template.json`, `template.unknown_value`).
[[nodiscard]] CHATDESK_API result<template_definition> template_from_json(const nlohmann::ordered_json& j);
/// Parses JSON text, then `template_from_json`. Error `template.json` with the position.
[[nodiscard]] CHATDESK_API result<template_definition> parse_template(std::string_view text);
/// Writes a definition in the platform's template JSON, unknown fields included.
[[nodiscard]] CHATDESK_API nlohmann::ordered_json to_json(const template_definition& def);

}  // namespace chatdesk
