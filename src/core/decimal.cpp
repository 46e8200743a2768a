#include "chatdesk/core/decimal.hpp"

#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

void decimal::overflow() {
  detail::throw_error(make_error("decimal.overflow", "the decimal value is outside +/-9223372036854.775807"));
}

namespace detail {

std::int64_t divide_rounded(std::int64_t value, std::int64_t divisor, rounding mode) noexcept {
  std::int64_t q = value / divisor;
  std::int64_t r = value % divisor;  // same sign as value
  if (r == 0 || mode == rounding::toward_zero) return q;
  // Compare |r| with divisor / 2 without overflow.
  const std::int64_t abs_r = r < 0 ? -r : r;
  const std::int64_t rest = divisor - abs_r;
  const int away = value < 0 ? -1 : 1;
  if (abs_r > rest) return q + away;
  if (abs_r < rest) return q;
  // An exact tie.
  if (mode == rounding::half_up) return q + away;
  return (q % 2 == 0) ? q : q + away;
}

}  // namespace detail

result<decimal> decimal::parse(std::string_view text) {
  if (text.empty()) return make_error("decimal.empty", "a decimal number is required, got an empty string");
  std::size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    ++i;
  }
  std::int64_t whole = 0;
  std::size_t whole_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++whole_digits) {
    if (whole > (max_whole - (text[i] - '0')) / 10)
      return make_error(
          "decimal.overflow",
          fmt::format("'{}' is too large: at most 9223372036854 whole units", utf8::printable(text)));
    whole = whole * 10 + (text[i] - '0');
  }
  std::int64_t fraction = 0;
  std::size_t fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++fraction_digits) {
      if (fraction_digits < static_cast<std::size_t>(scale)) {
        fraction = fraction * 10 + (text[i] - '0');
      } else if (text[i] != '0') {
        return make_error(
            "decimal.too_precise",
            fmt::format("'{}' has more than {} fractional digits", utf8::printable(text), scale),
            fmt::format("character {}", i + 1));
      }
    }
    if (fraction_digits == 0)
      return make_error("decimal.syntax",
                        fmt::format("'{}' has no digit after the decimal point", utf8::printable(text)),
                        fmt::format("character {}", i));
  }
  if (i != text.size())
    return make_error("decimal.syntax",
                      fmt::format("'{}' is not a decimal number: unexpected '{}'", utf8::printable(text),
                                  utf8::printable(utf8::character_at(text, i))),
                      fmt::format("character {}", i + 1));
  if (whole_digits == 0)
    return make_error("decimal.syntax",
                      fmt::format("'{}' has no digit before the decimal point", utf8::printable(text)));
  for (std::size_t d = fraction_digits; d < static_cast<std::size_t>(scale); ++d) fraction *= 10;
  std::int64_t units = 0;
  if (!detail::checked_add(whole * units_per_one, fraction, &units))
    return make_error("decimal.overflow",
                      fmt::format("'{}' is outside +/-9223372036854.775807", utf8::printable(text)));
  return from_units(negative ? -units : units);
}

std::string decimal::to_string(int min_fraction_digits) const {
  if (min_fraction_digits < 0) min_fraction_digits = 0;
  if (min_fraction_digits > scale) min_fraction_digits = scale;
  // Work in unsigned to print INT64_MIN correctly.
  const bool negative = units_ < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(units_ + 1)) + 1U : static_cast<std::uint64_t>(units_);
  const std::uint64_t whole = magnitude / static_cast<std::uint64_t>(units_per_one);
  std::uint64_t fraction = magnitude % static_cast<std::uint64_t>(units_per_one);
  int digits = scale;
  while (digits > min_fraction_digits && fraction % 10 == 0) {
    fraction /= 10;
    --digits;
  }
  if (digits == 0) return fmt::format("{}{}", negative ? "-" : "", whole);
  return fmt::format("{}{}.{:0{}}", negative ? "-" : "", whole, fraction, digits);
}

decimal decimal::round(int digits, rounding mode) const {
  if (digits >= scale) return *this;
  if (digits < 0) digits = 0;
  const std::int64_t step = detail::pow10(scale - digits);
  const std::int64_t q = detail::divide_rounded(units_, step, mode);
  std::int64_t r = 0;
  if (!detail::checked_mul(q, step, &r)) overflow();
  return from_units(r);
}

decimal decimal::divide(std::int64_t divisor, rounding mode) const {
  if (divisor == 0)
    detail::throw_error(make_error("decimal.division_by_zero", "a decimal was divided by zero"));
  if (divisor == std::numeric_limits<std::int64_t>::min()) overflow();
  if (divisor < 0) return (-*this).divide(-divisor, mode);
  return from_units(detail::divide_rounded(units_, divisor, mode));
}

}  // namespace chatdesk
