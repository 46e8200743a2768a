#include "journal.hpp"

#include <charconv>
#include <cstdint>
#include <span>
#include <vector>

#include <fmt/format.h>

namespace chatdesk::detail {

// Entries are one line of fields separated by '\x1f' (the unit separator,
// which ids, numbers and type names never hold): compact, because a store
// keeps one per step. The entry's own time (the store keeps it beside the
// line) is the message's time for R and the status's time for S:
//   R <id> <number> <customer> <type> <referral 0|1>
//   S <from> <status> <id> <correlation> <number> <customer> <type> <category|-> <charge>
//     <status time - sent time, ms> <error code|->          (an outbound message)
// Entries of earlier versions carry every time themselves, and are still read:
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
  return fmt::format("R{0}{1}{0}{2}{0}{3}{0}{4}{0}{5}", sep, m.id, m.business_number_id, m.customer.digits(),
                     type_name(m.content), m.referral ? 1 : 0);
}

std::string journal_status(const message_record& r, message_status from) {
  const auto category = r.category ? std::to_string(static_cast<int>(*r.category)) : std::string("-");
  const auto code = r.error ? std::to_string(r.error->code) : std::string("-");
  if (r.direction != direction::outbound)  // the desk journals outbound statuses only; kept whole if not
    return fmt::format("s{0}{1}{0}{2}{0}{3}{0}{4}{0}{5}{0}{6}{0}{7}{0}{8}{0}{9}{0}{10}{0}{11}{0}{12}{0}{13}",
                       sep, static_cast<int>(from), static_cast<int>(r.status), ms(r.status_at), r.id,
                       r.correlation_id, r.key.business_number_id, r.key.customer.digits(),
                       static_cast<int>(r.direction), r.type, category, static_cast<int>(r.charge), ms(r.at),
                       code);
  return fmt::format("S{0}{1}{0}{2}{0}{3}{0}{4}{0}{5}{0}{6}{0}{7}{0}{8}{0}{9}{0}{10}{0}{11}", sep,
                     static_cast<int>(from), static_cast<int>(r.status), r.id, r.correlation_id,
                     r.key.business_number_id, r.key.customer.digits(), r.type, category,
                     static_cast<int>(r.charge), ms(r.status_at) - ms(r.at), code);
}

namespace {

/// The message of an R or r entry: fields after the time, which `at` gives.
std::optional<journal_event> received(timestamp at, std::span<const std::string_view> f) {
  const auto customer = customer_of(f[2]);
  if (!customer || (f[4] != "0" && f[4] != "1")) return std::nullopt;
  message m;
  m.direction = direction::inbound;
  m.at = at;
  m.id = std::string(f[0]);
  m.business_number_id = std::string(f[1]);
  m.customer = *customer;
  m.content = unsupported_content{std::string(f[3]), {}};  // the type, without the content
  if (f[4] == "1") m.referral = referral{};
  return journal_event{std::move(m)};
}

/// The status change of an S or s entry, from its fields in S's order
/// (no times, no direction), which the caller completes.
std::optional<journal_status_change> changed(std::string_view from_field, std::string_view status_field,
                                             std::span<const std::string_view> f, std::string_view code) {
  // f: id, correlation, number, customer, type, category, charge
  journal_status_change c;
  auto& r = c.record;
  const auto from = enum_of(from_field, message_status::failed);
  const auto status = enum_of(status_field, message_status::failed);
  const auto customer = customer_of(f[3]);
  const auto charge = number_of<int>(f[6]);
  if (!from || !status || !customer || !charge) return std::nullopt;
  c.from = *from;
  r.status = *status;
  r.id = std::string(f[0]);
  r.correlation_id = std::string(f[1]);
  r.key.business_number_id = std::string(f[2]);
  r.key.customer = *customer;
  r.type = std::string(f[4]);
  if (f[5] != "-") {
    const auto category = enum_of(f[5], template_category::authentication);
    if (!category) return std::nullopt;
    r.category = *category;
  }
  r.charge = static_cast<charge_reason>(*charge);
  if (code != "-") {
    const auto v = number_of<int>(code);
    if (!v) return std::nullopt;
    r.error = status_error{*v, {}, {}, {}};
  }
  return c;
}

}  // namespace

std::optional<journal_event> read_journal_entry(timestamp at, std::string_view data) {
  const auto f = split(data);
  const std::span<const std::string_view> all(f);
  if (f[0] == "R" && f.size() == 6) return received(at, all.subspan(1));
  if (f[0] == "r" && f.size() == 7) {
    const auto stamped = time_of(f[1]);
    if (!stamped) return std::nullopt;
    std::vector<std::string_view> rest = {f[2], f[3], f[4], f[5], f[6]};
    return received(*stamped, rest);
  }
  if (f[0] == "S" && f.size() == 12) {
    auto c = changed(f[1], f[2], all.subspan(3, 7), f[11]);
    const auto sent_before = number_of<std::int64_t>(f[10]);
    if (!c || !sent_before) return std::nullopt;
    c->record.direction = direction::outbound;
    c->record.status_at = at;
    c->record.at = at - std::chrono::milliseconds{*sent_before};
    return journal_event{std::move(*c)};
  }
  if (f[0] == "s" && f.size() == 14) {
    // s: from status status_at id correlation number customer direction type category charge at code
    const std::vector<std::string_view> rest = {f[4], f[5], f[6], f[7], f[9], f[10], f[11]};
    auto c = changed(f[1], f[2], rest, f[13]);
    const auto status_at = time_of(f[3]);
    const auto dir = enum_of(f[8], direction::outbound);
    const auto sent = time_of(f[12]);
    if (!c || !status_at || !dir || !sent) return std::nullopt;
    c->record.direction = *dir;
    c->record.status_at = *status_at;
    c->record.at = *sent;
    return journal_event{std::move(*c)};
  }
  return std::nullopt;
}

}  // namespace chatdesk::detail
