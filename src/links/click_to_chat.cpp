#include "chatdesk/links/click_to_chat.hpp"

#include <array>

#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"

namespace chatdesk {
namespace {

constexpr std::string_view hex = "0123456789ABCDEF";
constexpr std::string_view ref_open = "[ref:";
constexpr std::size_t max_ref = 32;

/// Bytes RFC 3986 keeps as they are in a query value.
constexpr std::array<bool, 256> unreserved_table() {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("-._~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr auto unreserved = unreserved_table();

std::size_t encoded_size(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += unreserved[static_cast<unsigned char>(c)] ? 1U : 3U;
  return n;
}

/// Writes `text` encoded at `p` (room for `encoded_size(text)` bytes); returns the end.
char* encode_at(char* p, std::string_view text) {
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (unreserved[b]) {
      *p++ = c;
    } else {
      p[0] = '%';
      p[1] = hex[b >> 4U];
      p[2] = hex[b & 0xFU];
      p += 3;
    }
  }
  return p;
}

char* copy_at(char* p, std::string_view text) {
  text.copy(p, text.size());
  return p + text.size();
}

bool ref_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool valid_ref(std::string_view ref) noexcept {
  if (ref.empty() || ref.size() > max_ref) return false;
  for (const char c : ref)
    if (!ref_char(c)) return false;
  return true;
}

std::string percent_encode(std::string_view text) {
  std::string out(encoded_size(text), '\0');
  encode_at(out.data(), text);
  return out;
}

result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0)
      return make_error("links.invalid_encoding",
                        fmt::format("'%' at byte {} is not followed by two hex digits", i),
                        fmt::format("byte {}", i));
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string text_with_ref(std::string_view text, std::string_view ref) {
  std::string out(text);
  if (!out.empty()) out.push_back(' ');
  out.append(ref_open);
  out.append(ref);
  out.push_back(']');
  return out;
}

std::optional<std::string> find_ref(std::string_view message_text) {
  for (auto at = message_text.rfind(ref_open); at != std::string_view::npos;
       at = at == 0 ? std::string_view::npos : message_text.rfind(ref_open, at - 1)) {
    const auto start = at + ref_open.size();
    const auto end = message_text.find(']', start);
    if (end == std::string_view::npos) continue;
    const auto token = message_text.substr(start, end - start);
    if (valid_ref(token)) return std::string(token);
  }
  return std::nullopt;
}

result<void> append_link(std::string& out, const phone_number& number, const link_options& options) {
  if (number.digits().empty())
    return make_error("links.no_number", "a click-to-chat link needs the business's phone number", "number");
  if (const auto bad = utf8::first_invalid(options.text))
    return make_error("links.invalid_text",
                      fmt::format("the prefilled text is not valid UTF-8 at byte {}", *bad), "text");
  if (!options.ref.empty() && !valid_ref(options.ref))
    return make_error("links.invalid_ref",
                      fmt::format("the reference '{}' must be 1 to {} letters, digits, '_' or '-'",
                                  utf8::printable(options.ref), max_ref),
                      "ref");
  const bool legacy = options.form == link_form::legacy;
  const std::string_view head = legacy ? "https://api.whatsapp.com/send?phone=" : "https://wa.me/";
  const std::string_view text_key = legacy ? "&text=" : "?text=";
  std::size_t text_size = encoded_size(options.text);
  if (!options.ref.empty())  // "%20" (after a text), "%5Bref%3A", the token (unreserved), "%5D"
    text_size += (options.text.empty() ? 0 : 3) + 9 + options.ref.size() + 3;
  const bool has_text = !options.text.empty() || !options.ref.empty();
  const auto length = head.size() + number.digits().size() + (has_text ? text_key.size() + text_size : 0);
  if (length > options.max_length)
    return make_error(
        "links.too_long",
        fmt::format("the link would be {} bytes, over the limit of {}: shorten the prefilled text", length,
                    options.max_length),
        "text");
  const auto start = out.size();
  out.resize(start + length);  // then written in place: one size check, no reallocation
  char* p = copy_at(out.data() + start, head);
  p = copy_at(p, number.digits());
  if (!has_text) return {};
  p = copy_at(p, text_key);
  p = encode_at(p, options.text);
  if (!options.ref.empty()) {
    if (!options.text.empty()) p = copy_at(p, "%20");
    p = copy_at(p, "%5Bref%3A");
    p = copy_at(p, options.ref);
    copy_at(p, "%5D");
  }
  return {};
}

result<std::string> make_link(const phone_number& number, const link_options& options) {
  std::string out;
  if (auto r = append_link(out, number, options); !r) return r.error();
  return out;
}

result<std::string> make_link(std::string_view number, std::string_view region, const link_options& options) {
  auto parsed = phone_number::parse(number, region);
  if (!parsed) return parsed.error();
  return make_link(*parsed, options);
}

}  // namespace chatdesk
