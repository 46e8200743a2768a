#include "chatdesk/core/money.hpp"

#include "chatdesk/core/detail/checked.hpp"

namespace chatdesk {

namespace {
[[noreturn]] void mismatch(currency a, currency b) {
  detail::throw_error(
      make_error("money.currency_mismatch", fmt::format("cannot combine {} with {}", a.code(), b.code())));
}
[[noreturn]] void overflow() {
  detail::throw_error(make_error("money.overflow", "the amount is outside the 64-bit range of minor units"));
}
}  // namespace

result<money> money::parse(std::string_view amount, chatdesk::currency c) {
  auto d = decimal::parse(amount);
  if (!d) {
    auto e = std::move(d).error();
    e.code = "money." + e.code.substr(e.code.find('.') + 1);
    return e;
  }
  const std::int64_t step = detail::pow10(decimal::scale - c.minor_digits());
  if (d->units() % step != 0)
    return make_error("money.too_precise", fmt::format("'{}' has more fractional digits than {} allows ({})",
                                                       amount, c.code(), c.minor_digits()));
  return money(d->units() / step, c);
}

result<money> money::parse(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos || text.find(' ', space + 1) != std::string_view::npos)
    return make_error("money.syntax",
                      fmt::format("'{}' is not an amount with a currency such as '12.34 USD'", text));
  std::string_view left = text.substr(0, space);
  std::string_view right = text.substr(space + 1);
  const bool code_first = left.size() == 3 && left.find_first_of("0123456789") == std::string_view::npos;
  auto c = chatdesk::currency::from_code(code_first ? left : right);
  if (!c) return c.error();
  return parse(code_first ? right : left, *c);
}

decimal money::to_decimal() const {
  std::int64_t units = 0;
  if (!detail::checked_mul(minor_, detail::pow10(decimal::scale - currency_.minor_digits()), &units))
    overflow();
  return decimal::from_units(units);
}

std::string money::amount_string() const {
  return to_decimal().to_string(currency_.minor_digits());
}

std::string money::to_string() const {
  return fmt::format("{} {}", amount_string(), currency_.code());
}

result<money> money::checked_add(money a, money b) {
  if (!(a.currency_ == b.currency_))
    return make_error("money.currency_mismatch",
                      fmt::format("cannot add {} to {}", b.currency_.code(), a.currency_.code()));
  std::int64_t r = 0;
  if (!detail::checked_add(a.minor_, b.minor_, &r))
    return make_error("money.overflow", "the sum is outside the 64-bit range of minor units");
  return money(r, a.currency_);
}

money operator+(money a, money b) {
  if (!(a.currency_ == b.currency_)) mismatch(a.currency_, b.currency_);
  std::int64_t r = 0;
  if (!detail::checked_add(a.minor_, b.minor_, &r)) overflow();
  return {r, a.currency_};
}

money operator-(money a, money b) {
  if (!(a.currency_ == b.currency_)) mismatch(a.currency_, b.currency_);
  std::int64_t r = 0;
  if (!detail::checked_sub(a.minor_, b.minor_, &r)) overflow();
  return {r, a.currency_};
}

money operator*(money a, std::int64_t count) {
  std::int64_t r = 0;
  if (!detail::checked_mul(a.minor_, count, &r)) overflow();
  return {r, a.currency_};
}

money money::operator-() const {
  std::int64_t r = 0;
  if (!detail::checked_sub(0, minor_, &r)) overflow();
  return {r, currency_};
}

money settle(decimal amount, currency c, rounding mode) {
  const std::int64_t step = detail::pow10(decimal::scale - c.minor_digits());
  return {detail::divide_rounded(amount.units(), step, mode), c};
}

}  // namespace chatdesk
