#include "journal.hpp"

#include <charconv>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

namespace chatdesk::detail {

// Entries are one line of fields separated by '\x1f' (the unit separator,
// which ids, numbers and type names never hold): compact, because a store
// keeps one per step.
//   r <at> <id> <number> <customer> <type> <referral 0|1>
//   s <from> <status> <status_at> <id> <correlation> <number> <customer> <direction> <type> <category|->
//   <charge> <at> <error code|->
namespace {

constexpr char sep = '\x1f';

std::int64_t ms(timestamp t) noexcept {
  return t.time_since_epoch().count();
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) return out;
    s.remove_prefix(i + 1);
  }
}

template <class Int>
std::optional<Int> number_of(std::string_view s) {
  Int v{};
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<timestamp> time_of(std::string_view s) {
  auto v = number_of<std::int64_t>(s);
  if (!v) return std::nullopt;
  return timestamp{std::chrono::milliseconds{*v}};
}

/// An enum stored as its value, checked against its last value.
template <class Enum>
std::optional<Enum> enum_of(std::string_view s, Enum last) {
  auto v = number_of<int>(s);
  if (!v || *v < 0 || *v > static_cast<int>(last)) return std::nullopt;
  return static_cast<Enum>(*v);
}

std::optional<phone_number> customer_of(std::string_view digits) {
  auto p = phone_number::parse("+" + std::string(digits));
  if (!p) return std::nullopt;
  return *p;
}

}  // namespace

std::string journal_received(const message& m) {
  return fmt::format("r{0}{1}{0}{2}{0}{3}{0}{4}{0}{5}{0}{6}", sep, ms(m.at), m.id, m.business_number_id,
                     m.customer.digits(), type_name(m.content), m.referral ? 1 : 0);
}

std::string journal_status(const message_record& r, message_status from) {
  return fmt::format(
      "s{0}{1}{0}{2}{0}{3}{0}{4}{0}{5}{0}{6}{0}{7}{0}{8}{0}{9}{0}{10}{0}{11}{0}{12}{0}{13}", sep,
      static_cast<int>(from), static_cast<int>(r.status), ms(r.status_at), r.id, r.correlation_id,
      r.key.business_number_id, r.key.customer.digits(), static_cast<int>(r.direction), r.type,
      r.category ? std::to_string(static_cast<int>(*r.category)) : std::string("-"),
      static_cast<int>(r.charge), ms(r.at), r.error ? std::to_string(r.error->code) : std::string("-"));
}

std::optional<journal_event> read_journal_entry(std::string_view data) {
  const auto f = split(data);
  if (f[0] == "r" && f.size() == 7) {
    message m;
    const auto at = time_of(f[1]);
    const auto customer = customer_of(f[4]);
    if (!at || !customer || (f[6] != "0" && f[6] != "1")) return std::nullopt;
    m.direction = direction::inbound;
    m.at = *at;
    m.id = std::string(f[2]);
    m.business_number_id = std::string(f[3]);
    m.customer = *customer;
    m.content = unsupported_content{std::string(f[5]), {}};  // the type, without the content
    if (f[6] == "1") m.referral = referral{};
    return journal_event{std::move(m)};
  }
  if (f[0] != "s" || f.size() != 14) return std::nullopt;
  journal_status_change c;
  auto& r = c.record;
  const auto from = enum_of(f[1], message_status::failed);
  const auto status = enum_of(f[2], message_status::failed);
  const auto status_at = time_of(f[3]);
  const auto customer = customer_of(f[7]);
  const auto dir = enum_of(f[8], direction::outbound);
  const auto charge = number_of<int>(f[11]);
  const auto at = time_of(f[12]);
  if (!from || !status || !status_at || !customer || !dir || !charge || !at) return std::nullopt;
  c.from = *from;
  r.status = *status;
  r.status_at = *status_at;
  r.id = std::string(f[4]);
  r.correlation_id = std::string(f[5]);
  r.key.business_number_id = std::string(f[6]);
  r.key.customer = *customer;
  r.direction = *dir;
  r.type = std::string(f[9]);
  if (f[10] != "-") {
    const auto category = enum_of(f[10], template_category::authentication);
    if (!category) return std::nullopt;
    r.category = *category;
  }
  r.charge = static_cast<charge_reason>(*charge);
  r.at = *at;
  if (f[13] != "-") {
    const auto code = number_of<int>(f[13]);
    if (!code) return std::nullopt;
    r.error = status_error{*code, {}, {}, {}};
  }
  return journal_event{std::move(c)};
}

}  // namespace chatdesk::detail
