#include "chatdesk/core/phone_number.hpp"

#include <algorithm>
#include <array>

#include "ascii.hpp"
#include "calling_codes.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

std::span<const calling_code_info> calling_code_table() noexcept {
  return detail::calling_code_rows;
}
std::span<const nanp_area_info> nanp_area_table() noexcept {
  return detail::nanp_area_rows;
}

/// Fills a phone_number's private fields (internal).
struct phone_number_builder {
  static phone_number make(std::string_view digits, std::uint8_t code_length, country region) {
    phone_number p;
    std::copy(digits.begin(), digits.end(), p.digits_);
    p.length_ = static_cast<std::uint8_t>(digits.size());
    p.code_length_ = code_length;
    p.region_ = region;
    return p;
  }
};

namespace {

constexpr std::uint16_t no_row = 0xFFFF;

/// Index tables built once: calling code -> row, NANP area code -> country.
struct lookup_tables {
  std::array<std::uint16_t, 1000> code_row{};
  std::array<country, 1000> nanp_region{};

  lookup_tables() {
    code_row.fill(no_row);
    const auto& rows = detail::calling_code_rows;
    for (std::size_t i = 0; i < rows.size(); ++i) code_row[rows[i].code] = static_cast<std::uint16_t>(i);
    const auto us = country::unchecked("US");
    nanp_region.fill(us);
    for (const auto& a : detail::nanp_area_rows) nanp_region[a.area_code] = a.region;
  }
};

const lookup_tables& tables() {
  static const lookup_tables t;
  return t;
}

country first_region(std::string_view regions) {
  return regions.size() >= 2 ? country::unchecked(regions.substr(0, 2)) : country{};
}

bool is_separator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string quoted(std::string_view input) {
  // Keep messages short and printable whatever the input holds, never cutting a character.
  // Built by appending: "'" + std::string&& trips GCC 12's -Wstringop-overflow at -O3.
  std::string out(1, '\'');
  out += utf8::printable(input);
  out += '\'';
  return out;
}

/// The trunk (national) prefix a region's national numbers start with.
struct trunk_rule {
  std::string_view prefix;  // removed when present
  bool keep_leading_zero;   // Italy, San Marino, Vatican: the 0 is part of the number
};

trunk_rule trunk_for(country region, int calling_code) {
  const auto r = region.alpha2();
  if (calling_code == 1) return {"1", false};
  if (r == "IT" || r == "SM" || r == "VA") return {"", true};
  if (r == "RU" || r == "KZ" || r == "BY" || r == "LT" || r == "TM" || r == "TJ" || r == "UZ")
    return {"8", false};
  if (r == "HU") return {"06", false};
  return {"0", false};
}

int calling_code_of(country region) {
  for (const auto& row : detail::calling_code_rows) {
    for (std::size_t i = 0; i + 1 < row.regions.size(); i += 3) {
      if (row.regions.substr(i, 2) == region.alpha2()) return row.code;
    }
  }
  return 0;
}

}  // namespace

int phone_number::calling_code_value() const noexcept {
  int v = 0;
  for (char c : calling_code()) v = v * 10 + (c - '0');
  return v;
}

std::string phone_number::e164() const {
  std::string s;
  s.reserve(length_ + 1U);
  s += '+';
  s.append(digits_, length_);
  return s;
}

namespace {

/// Calling code and national number, digits only, as parsed from `original`.
result<phone_number> from_international(std::string_view digits, std::string_view original) {
  constexpr auto max_digits = phone_number::max_digits;
  const auto& t = tables();
  if (digits.size() > max_digits)
    return make_error("phone.too_long", fmt::format("{} has {} digits: E.164 allows at most 15",
                                                    quoted(original), digits.size()));
  if (digits.empty() || digits[0] == '0')
    return make_error("phone.unknown_calling_code",
                      fmt::format("{} does not start with a country calling code", quoted(original)));

  // Calling codes are prefix-free: at most one of the 1-, 2- and 3-digit prefixes is assigned.
  std::uint16_t row = no_row;
  std::uint8_t code_length = 0;
  int code_value = 0;
  for (std::uint8_t len = 1; len <= 3 && len <= digits.size(); ++len) {
    code_value = code_value * 10 + (digits[len - 1] - '0');
    if (t.code_row[static_cast<std::size_t>(code_value)] != no_row) {
      row = t.code_row[static_cast<std::size_t>(code_value)];
      code_length = len;
      break;
    }
  }
  if (row == no_row)
    return make_error("phone.unknown_calling_code",
                      fmt::format("{} starts with +{}, which is not an assigned country calling code",
                                  quoted(original), digits.substr(0, 3)));

  const auto& info = detail::calling_code_rows[row];
  const std::string_view national = digits.substr(code_length);
  if (national.size() < info.min_length)
    return make_error("phone.too_short",
                      fmt::format("{} has {} digits after +{}: numbers there have at least {}",
                                  quoted(original), national.size(), info.code, info.min_length));
  if (national.size() > info.max_length)
    return make_error("phone.too_long",
                      fmt::format("{} has {} digits after +{}: numbers there have at most {}",
                                  quoted(original), national.size(), info.code, info.max_length));

  chatdesk::country region = first_region(info.regions);
  if (info.code == 1) {
    if (national[0] < '2' || national[3] < '2')
      return make_error("phone.invalid_area_code",
                        fmt::format("{} is not a North American number: area code and exchange "
                                    "cannot start with 0 or 1",
                                    quoted(original)));
    std::size_t area = 0;
    for (char c : national.substr(0, 3)) area = area * 10 + static_cast<std::size_t>(c - '0');
    region = t.nanp_region[area];
  } else if (info.regions.size() > 2) {
    for (const auto& s : detail::split_rows) {
      if (s.code == info.code && national.substr(0, s.prefix.size()) == s.prefix) {
        region = s.region;
        break;
      }
    }
  }
  return phone_number_builder::make(digits, code_length, region);
}

}  // namespace

result<phone_number> phone_number::parse(std::string_view input, std::string_view default_region) {
  const std::string_view original = input;
  // The common case first: '+' and the digits, nothing else (as webhooks and stores give them).
  if (input.size() >= 2 && input.size() <= max_digits + 1 && input[0] == '+' &&
      detail::all_digits(input.substr(1)))
    return from_international(input.substr(1), original);
  // Trim surrounding white space and the address schemes systems put in front.
  while (!input.empty() && (input.front() == ' ' || input.front() == '\t')) input.remove_prefix(1);
  while (!input.empty() &&
         (input.back() == ' ' || input.back() == '\t' || input.back() == '\n' || input.back() == '\r'))
    input.remove_suffix(1);
  std::size_t offset = static_cast<std::size_t>(input.data() - original.data());
  for (std::string_view scheme : {std::string_view("whatsapp:"), std::string_view("tel:")}) {
    if (starts_with_nocase(input, scheme)) {
      input.remove_prefix(scheme.size());
      offset += scheme.size();
      break;
    }
  }
  if (input.empty()) return make_error("phone.empty", "a phone number is required, got an empty string");

  // Collect the digits, noting a leading '+'.
  char buf[32];
  std::size_t n = 0;
  bool plus = false;
  bool seen_digit = false;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    if (c >= '0' && c <= '9') {
      if (n == sizeof buf)
        return make_error("phone.too_long", fmt::format("{} has more than 15 digits", quoted(original)));
      buf[n++] = c;
      seen_digit = true;
    } else if (c == '+' && !plus && !seen_digit) {
      plus = true;
    } else if (is_separator(c)) {
      continue;
    } else if (static_cast<unsigned char>(c) == 0xC2 && i + 1 < input.size() &&
               static_cast<unsigned char>(input[i + 1]) == 0xA0) {
      ++i;  // a no-break space, as copied from web pages
    } else if (is_letter(c)) {
      return make_error(
          "phone.letters",
          fmt::format("{} contains the letter '{}': a phone number has digits only", quoted(original), c),
          fmt::format("character {}", offset + i + 1));
    } else {
      return make_error("phone.invalid_character",
                        fmt::format("{} contains {} where a digit was expected", quoted(original),
                                    quoted(utf8::character_at(input, i))),
                        fmt::format("character {}", offset + i + 1));
    }
  }
  if (n == 0) return make_error("phone.empty", fmt::format("{} contains no digits", quoted(original)));

  std::string_view digits(buf, n);

  if (!plus) {
    chatdesk::country region;
    int region_code = 0;
    if (!default_region.empty()) {
      auto r = country::from_alpha2(default_region);
      if (!r || (region_code = calling_code_of(*r)) == 0)
        return make_error(
            "phone.unknown_region",
            fmt::format("the default region '{}' is not a country with a calling code", default_region));
      region = *r;
    }
    if (digits.substr(0, 2) == "00") {
      digits.remove_prefix(2);  // international prefix used in most of the world
    } else if (region_code == 1 && digits.substr(0, 3) == "011") {
      digits.remove_prefix(3);  // the NANP international prefix
    } else if (region.empty()) {
      return make_error("phone.missing_region",
                        fmt::format("{} has no '+' or international prefix, so it needs a default "
                                    "region to say which country it belongs to",
                                    quoted(original)));
    } else {
      // A national number: drop the trunk prefix, put the calling code in front.
      const auto rule = trunk_for(region, region_code);
      if (!rule.prefix.empty() && digits.substr(0, rule.prefix.size()) == rule.prefix &&
          (region_code != 1 || digits.size() == 11))
        digits.remove_prefix(rule.prefix.size());
      const auto code = fmt::format_int(region_code);
      if (code.size() + digits.size() > max_digits)
        return make_error("phone.too_long",
                          fmt::format("{} has more than 15 digits with its calling code", quoted(original)));
      char joined[max_digits];
      std::copy_n(code.data(), code.size(), joined);
      std::copy(digits.begin(), digits.end(), joined + code.size());
      std::copy_n(joined, code.size() + digits.size(), buf);
      digits = std::string_view(buf, code.size() + digits.size());
    }
  }

  return from_international(digits, original);
}

}  // namespace chatdesk
