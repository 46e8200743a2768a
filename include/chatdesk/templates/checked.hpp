/// @file
/// Compile-time checked template texts: when a template's body is known at
/// compile time, binding it with the wrong number of values does not compile,
/// as with fmt's checked format strings.
///
/// ```cpp
/// auto ok  = chatdesk::bind_checked("order_ships", "en_US", chatdesk::template_category::utility,
///                                   "Hi {{1}}, order {{2}} ships {{3}}.", "Maria", "A-1", "today");
/// auto bad = chatdesk::bind_checked("order_ships", "en_US", chatdesk::template_category::utility,
///                                   "Hi {{1}}, order {{2}}.", "Maria");  // does not compile
/// ```
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "chatdesk/core/export.hpp"
#include "chatdesk/templates/binding.hpp"

namespace chatdesk {

namespace detail {

// Called only when a check fails during constant evaluation: the compiler then
// reports a call to a non-constexpr function, whose name says what is wrong.
CHATDESK_API void template_text_has_a_malformed_or_named_variable();
CHATDESK_API void template_variables_are_not_numbered_1_to_n_without_gaps();
CHATDESK_API void number_of_values_does_not_match_the_template_variables();

/// The number of distinct positional variables in `text`, checking that they
/// are {{1}}..{{n}} without gaps (at compile time).
consteval std::size_t count_positional_variables(std::string_view text) {
  bool seen[101] = {};
  std::size_t highest = 0;
  for (std::size_t pos = text.find("{{"); pos != std::string_view::npos; pos = text.find("{{", pos)) {
    const auto close = text.find("}}", pos + 2);
    if (close == std::string_view::npos || close == pos + 2)
      template_text_has_a_malformed_or_named_variable();
    std::size_t n = 0;
    for (std::size_t i = pos + 2; i < close; ++i) {
      if (text[i] < '0' || text[i] > '9' || n > 10) template_text_has_a_malformed_or_named_variable();
      n = n * 10 + static_cast<std::size_t>(text[i] - '0');
    }
    if (n == 0 || n > 100) template_text_has_a_malformed_or_named_variable();
    seen[n] = true;
    if (n > highest) highest = n;
    pos = close + 2;
  }
  for (std::size_t i = 1; i <= highest; ++i)
    if (!seen[i]) template_variables_are_not_numbered_1_to_n_without_gaps();
  return highest;
}

}  // namespace detail

/// A template text whose positional variables are checked against the number
/// of values, `Args`, at compile time. Construct it from a string literal.
template <class... Args>
class checked_text {
 public:
  template <class S>
  requires std::is_convertible_v<const S&, std::string_view>
  consteval checked_text(const S& text)  // NOLINT(google-explicit-constructor): like fmt::format_string
      : text_(text) {
    if (detail::count_positional_variables(text_) != sizeof...(Args))
      detail::number_of_values_does_not_match_the_template_variables();
  }
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }

 private:
  std::string_view text_;
};

/// The body values for a checked text, positionally ("1", "2", ...).
template <class... Args>
[[nodiscard]] template_arguments checked_arguments(checked_text<std::type_identity_t<Args>...> text,
                                                   Args&&... values) {
  (void)text;
  template_arguments args;
  (args.add(template_value(std::forward<Args>(values))), ...);
  return args;
}

/// Defines a positional template from a checked body text and binds the
/// values to it: the number of values is checked when compiling, their
/// content (new lines, lengths ...) when running.
template <class... Args>
[[nodiscard]] result<bound_template> bind_checked(std::string name, std::string language,
                                                  template_category category,
                                                  checked_text<std::type_identity_t<Args>...> body,
                                                  Args&&... values) {
  template_definition def;
  def.name = std::move(name);
  def.language = std::move(language);
  def.category = category;
  def.body = std::string(body.text());
  template_arguments args;
  (args.add(template_value(std::forward<Args>(values))), ...);
  return bind(def, args);
}

/// Binds a checked text to its values and returns the rendered body: the
/// number of values is checked when compiling, their content when running.
template <class... Args>
[[nodiscard]] result<std::string> render_checked(checked_text<std::type_identity_t<Args>...> text,
                                                 Args&&... values) {
  template_definition def;
  def.name = "checked";
  def.language = "en_US";
  def.body = std::string(text.text());
  template_arguments args;
  (args.add(template_value(std::forward<Args>(values))), ...);
  auto bound = bind(def, args);
  if (!bound) return bound.error();
  return std::move(bound->body);
}

}  // namespace chatdesk
