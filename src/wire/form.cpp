#include "chatdesk/wire/form.hpp"

#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"
#include "crypto.hpp"

namespace chatdesk {

namespace {

result<std::string> decode_component(std::string_view s, std::string_view name) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 1 < s.size() ? detail::hex_digit(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? detail::hex_digit(s[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return make_error(
            "form.malformed",
            fmt::format("'{}' has a bad percent escape at character {}", utf8::printable(name), i + 1),
            utf8::printable(name));
      out += static_cast<char>((hi << 4) | lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

result<form_parameters> parse_form(std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes)
    return make_error("form.too_large", fmt::format("the form has {} bytes, more than the limit of {}",
                                                    body.size(), max_bytes));
  if (!body.empty() && body.front() == '?') body.remove_prefix(1);
  form_parameters out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = decode_component(pair.substr(0, eq), "parameter name");
    if (!name) return name.error();
    auto value =
        decode_component(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), *name);
    if (!value) return value.error();
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::string encode_form(const form_parameters& parameters) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const auto& [name, value] : parameters) {
    if (!out.empty()) out += '&';
    for (const auto* part : {&name, &value}) {
      for (char c : *part) {
        const auto b = static_cast<unsigned char>(c);
        if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
            b == '.' || b == '_' || b == '~') {
          out += c;
        } else {
          out += '%';
          out += hex[b >> 4U];
          out += hex[b & 15U];
        }
      }
      if (part == &name) out += '=';
    }
  }
  return out;
}

std::string_view form_value(const form_parameters& parameters, std::string_view name) noexcept {
  for (const auto& [k, v] : parameters)
    if (k == name) return v;
  return {};
}

}  // namespace chatdesk
