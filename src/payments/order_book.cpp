#include "chatdesk/payments/order_book.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../core/names.hpp"
#include "../core/record_fields.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/core/utf8.hpp"

namespace chatdesk {

namespace {

constexpr std::string_view order_kind = "payments.order";
constexpr std::string_view details_kind = "payments.details";
constexpr std::string_view payer_kind = "payments.payer";
constexpr std::string_view payers_kind = "payments.payers";
constexpr std::string_view day_kind = "payments.day";
constexpr char unit = '\x1f';       // between fields and key parts
constexpr char entry_sep = '\x1e';  // between list entries
constexpr char part = '\x1d';       // between an entry's parts
// Failures and flags kept per order. Once full, later ones still change the
// payment but are not listed (nothing is dropped, so a retried webhook finds
// what it applied before).
constexpr std::size_t max_kept = 32;

constexpr std::array<std::string_view, 4> change_names{"advanced", "duplicate", "stale", "flagged"};
static_assert(static_cast<std::size_t>(payment_change::flagged) + 1 == change_names.size());

std::string key_of(std::string_view business_id, std::string_view second) {
  std::string k;
  k.reserve(business_id.size() + 1 + second.size());
  k.append(business_id);
  k.push_back(unit);
  k.append(second);
  return k;
}

bool valid_reference(std::string_view ref) noexcept {
  if (ref.empty() || ref.size() > 128) return false;
  return std::all_of(ref.begin(), ref.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool valid_business(std::string_view id) noexcept {
  return !id.empty() && id.find(unit) == std::string_view::npos && id.find('\0') == std::string_view::npos;
}

// Text from outside kept in a record.
std::string clean(std::string_view text) {
  return detail::record_text(text, 256);
}

std::int64_t ms_of(timestamp t) noexcept {
  return t.time_since_epoch().count();
}

std::string day_of(timestamp t) {
  return format_date(date::year_month_day{std::chrono::floor<date::days>(t)});
}

// The state record: fields separated by `unit`.
std::string encode(const order_record& r) {
  std::string out;
  out.reserve(160);
  const auto field = [&out](std::string_view v) {
    out.append(v);
    out.push_back(unit);
  };
  field("o1");
  field(r.customer.empty() ? std::string_view{} : std::string_view(r.customer.digits()));
  field(r.total.currency().code());
  fmt::format_to(std::back_inserter(out), "{}{}{}{}", r.total.minor_units(), unit, ms_of(r.created), unit);
  field(to_string(r.status));
  field(to_string(r.payment));
  fmt::format_to(std::back_inserter(out), "{}{}{}{}", ms_of(r.updated), unit, ms_of(r.payment_at), unit);
  field(r.transaction_id);
  if (r.captured)
    fmt::format_to(std::back_inserter(out), "{}{}{}{}", r.captured->minor_units(), unit,
                   r.captured->currency().code(), unit);
  else
    out.append({unit, unit});
  for (std::size_t i = 0; i < r.flags.size(); ++i) {
    if (i > 0) out.push_back(entry_sep);
    out.append(r.flags[i]);
  }
  out.push_back(unit);
  for (std::size_t i = 0; i < r.failures.size(); ++i) {
    const auto& f = r.failures[i];
    if (i > 0) out.push_back(entry_sep);
    fmt::format_to(std::back_inserter(out), "{}{}{}{}{}{}{}", f.transaction_id, part, f.code, part, f.reason,
                   part, ms_of(f.at));
  }
  return out;
}

using detail::split_fields;
template <class Int>
bool number(std::string_view s, Int& out) {
  return detail::whole_number(s, out);
}

error corrupt(std::string_view key) {
  return make_error("store.corrupt",
                    fmt::format("the payments record '{}' cannot be read", utf8::printable(key)),
                    std::string(key));
}

// Splits `s` at `sep` into exactly N fields; false when it has another count.
template <std::size_t N>
bool split_exact(std::string_view s, char sep, std::array<std::string_view, N>& out) {
  std::size_t n = 0, start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    if (n == N) return false;
    out[n++] = s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
    if (at == std::string_view::npos) return n == N;
    start = at + 1;
  }
}

result<order_record> decode(std::string_view business_id, std::string_view reference_id,
                            std::string_view text) {
  std::array<std::string_view, 14> f;
  const auto bad = [&] { return corrupt(key_of(business_id, reference_id)); };
  if (!split_exact(text, unit, f) || f[0] != "o1") return bad();
  order_record r;
  r.business_id = std::string(business_id);
  r.reference_id = std::string(reference_id);
  if (!f[1].empty()) {
    auto phone = phone_number::parse(fmt::format("+{}", f[1]));
    if (!phone) return bad();
    r.customer = *phone;
  }
  auto c = currency::from_code(f[2]);
  std::int64_t total = 0, created = 0, updated = 0;
  std::int64_t payment_at = 0;
  if (!c || !number(f[3], total) || !number(f[4], created) || !number(f[7], updated) ||
      !number(f[8], payment_at))
    return bad();
  r.total = money(total, *c);
  r.created = timestamp(std::chrono::milliseconds(created));
  r.updated = timestamp(std::chrono::milliseconds(updated));
  r.payment_at = timestamp(std::chrono::milliseconds(payment_at));
  auto os = parse_order_status(f[5]);
  if (!os) return bad();
  r.status = *os;
  if (f[6] == "none") {
    r.payment = payment_status::none;
  } else if (auto ps = parse_payment_status(f[6])) {
    r.payment = *ps;
  } else {
    return bad();
  }
  r.transaction_id = std::string(f[9]);
  if (!f[10].empty()) {
    std::int64_t captured = 0;
    auto cc = currency::from_code(f[11]);
    if (!cc || !number(f[10], captured)) return bad();
    r.captured = money(captured, *cc);
  }
  if (!f[12].empty())
    for (auto flag : split_fields(f[12], entry_sep)) r.flags.emplace_back(flag);
  if (!f[13].empty())
    for (auto entry : split_fields(f[13], entry_sep)) {
      std::array<std::string_view, 4> p;
      std::int64_t at = 0;
      if (!split_exact(entry, part, p) || !number(p[3], at)) return bad();
      r.failures.push_back({std::string(p[0]), std::string(p[1]), std::string(p[2]),
                            timestamp(std::chrono::milliseconds(at))});
    }
  return r;
}

template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const exception& e) {
    return e.err();
  }
}

error unknown_order(std::string_view business_id, std::string_view reference_id) {
  return make_error("payments.unknown_order",
                    fmt::format("business '{}' has no order '{}'", utf8::printable(business_id),
                                utf8::printable(reference_id)),
                    std::string(utf8::printable(reference_id)));
}

// The amount a notice names, in exact money, when it names one.
result<std::optional<money>> notice_amount(const payment_notice& n) {
  std::optional<payment_amount> a = n.amount;
  std::string_view code = n.currency;
  if (!a && n.transaction && n.transaction->amount) {
    a = n.transaction->amount;
    code = n.transaction->currency;
  }
  if (code.empty() && n.transaction) code = n.transaction->currency;
  if (!a) return std::optional<money>{};
  if (code.empty())
    return make_error("payments.invalid_amount",
                      fmt::format("the payment of order '{}' names an amount but no currency",
                                  utf8::printable(n.reference_id)));
  auto c = currency::from_code(code);
  if (!c)
    return make_error("payments.invalid_amount",
                      fmt::format("the payment of order '{}' is in '{}', which is not an ISO 4217 currency",
                                  utf8::printable(n.reference_id), utf8::printable(code)));
  if (a->value < 0)
    return make_error("payments.invalid_amount",
                      fmt::format("the payment of order '{}' has a negative value, {}",
                                  utf8::printable(n.reference_id), a->value));
  auto m = to_money(*a, *c);
  if (!m) return m.error();
  return std::optional<money>{*m};
}

bool failed_before(const order_record& r, std::string_view tx) {
  return std::any_of(r.failures.begin(), r.failures.end(),
                     [&](const payment_failure& f) { return f.transaction_id == tx; });
}

void add_flag(order_record& r, std::string flag) {
  if (r.flags.size() >= max_kept || std::find(r.flags.begin(), r.flags.end(), flag) != r.flags.end()) return;
  r.flags.push_back(std::move(flag));
}

// How far a status goes: at one time, a failure outranks a pending attempt.
int rank(payment_status s) noexcept {
  switch (s) {
    case payment_status::none:
      return 0;
    case payment_status::pending:
      return 1;
    case payment_status::failed:
      return 2;
    case payment_status::captured:
      return 3;
  }
  return 0;
}

// The payment state machine (docs/payments.md has its table). Returns the
// change and its reason; `r` changes only as the caller then saves it.
// Statuses are ordered by the time the platform stamped them: a pending or
// failed status older than the one the payment holds is late, so applying a
// batch again, or its statuses in another order, ends in the same state.
std::pair<payment_change, std::string> step_payment(order_record& r, payment_status s, std::string_view tx,
                                                    const std::optional<money>& amount,
                                                    const std::optional<payment_error>& why, timestamp at) {
  const auto moved = [&](payment_status to) {
    r.payment = to;
    r.transaction_id = std::string(tx);
    r.payment_at = at;
    r.updated = std::max(r.updated, at);
  };
  const auto note_failure = [&] {
    if (r.failures.size() < max_kept)
      r.failures.push_back({std::string(tx), why ? clean(why->code) : std::string(),
                            why ? clean(why->reason) : std::string(), at});
  };
  const bool known_failure = failed_before(r, tx);
  if (s == payment_status::captured) {
    if (r.payment == payment_status::captured) {
      if (tx == r.transaction_id) return {payment_change::duplicate, "the payment was captured already"};
      auto flag = fmt::format("transaction '{}' captured{} after transaction '{}' had captured the order", tx,
                              amount ? " " + amount->to_string() : std::string(), r.transaction_id);
      if (std::find(r.flags.begin(), r.flags.end(), flag) != r.flags.end())
        return {payment_change::duplicate, "this second capture was flagged already"};
      add_flag(r, flag);
      r.updated = std::max(r.updated, at);
      return {payment_change::flagged, std::move(flag)};
    }
    moved(payment_status::captured);  // money taken wins over any pending or failed status
    r.captured = amount ? *amount : r.total;
    if (!amount || *amount != r.total) {
      auto flag = amount ? fmt::format("transaction '{}' captured {}; the order's total is {}", tx,
                                       amount->to_string(), r.total.to_string())
                         : fmt::format(
                               "transaction '{}' was captured without an amount to check against the "
                               "order's {}",
                               tx, r.total.to_string());
      add_flag(r, flag);
      return {payment_change::flagged, std::move(flag)};
    }
    return {payment_change::advanced, {}};
  }
  if (s == payment_status::failed && known_failure)
    return {payment_change::duplicate, "this transaction's failure was recorded already"};
  if (r.payment == payment_status::captured) {
    if (s == payment_status::failed) note_failure();  // kept for the record; the capture stands
    return {payment_change::stale,
            fmt::format("the payment was captured already; a {} status changes nothing", to_string(s))};
  }
  if (s == payment_status::pending && known_failure)
    return {payment_change::stale, "this transaction failed already; its pending status came late"};
  if (s == payment_status::pending && r.payment == payment_status::pending && tx == r.transaction_id)
    return {payment_change::duplicate, "the payment is pending already"};
  const bool late = at < r.payment_at || (at == r.payment_at && rank(s) < rank(r.payment));
  if (late) {
    if (s == payment_status::failed) note_failure();
    return {payment_change::stale, fmt::format("a {} status older than the payment's {} one changes nothing",
                                               to_string(s), to_string(r.payment))};
  }
  if (s == payment_status::failed) note_failure();
  moved(s);
  return {payment_change::advanced, {}};
}

// Which order statuses may follow which.
bool may_follow(order_status from, order_status to) noexcept {
  using o = order_status;
  switch (from) {
    case o::pending:
      return to != o::pending;
    case o::processing:
      return to == o::partially_shipped || to == o::shipped || to == o::completed || to == o::canceled;
    case o::partially_shipped:
      return to == o::shipped || to == o::completed;
    case o::shipped:
      return to == o::completed;
    case o::completed:
    case o::canceled:
      return false;
  }
  return false;
}

}  // namespace

std::string_view to_string(payment_change c) noexcept {
  return detail::name_in(change_names, c);
}

order_book::order_book(const chatdesk::clock& clock, chatdesk::store& store, payments_options options)
    : clock_(clock), store_(store), options_(std::move(options)) {}

result<interactive_content> order_book::create(const business& business, const phone_number& customer,
                                               const order_details& order) {
  if (!valid_business(business.id))
    return make_error("payments.invalid_business", "a business id is required, without control characters");
  const auto now = clock_.now();
  if (auto r = validate(order, now, options_.limits); !r) return r.error();
  if (auto m = check_market(business, customer, order, options_.markets); !m) return m.error();
  return guarded([&]() -> result<interactive_content> {
    auto lock = store_.lock(business.id, customer, true);
    const auto key = key_of(business.id, order.reference_id);
    if (store_.load_record(order_kind, key))
      return make_error("payments.duplicate_reference",
                        fmt::format("business '{}' has an order '{}' already; a reference id is used once",
                                    utf8::printable(business.id), order.reference_id),
                        order.reference_id);
    const auto payer_key = key_of(business.id, customer.digits());
    const bool new_payer = !store_.load_record(payer_kind, payer_key);
    std::uint64_t payers = 0;
    if (new_payer) {
      if (auto count = store_.load_record(payers_kind, business.id); count && !number(*count, payers))
        return corrupt(business.id);
      if (options_.pilot_cap > 0 && payers >= options_.pilot_cap)
        return make_error(
            "payments.pilot_cap",
            fmt::format("the payments pilot of '{}' is limited to {} paying customers and has "
                        "reached them; {} cannot be asked to pay",
                        utf8::printable(business.display_name.empty() ? business.id : business.display_name),
                        options_.pilot_cap, customer.e164()));
    }
    order_record r;
    r.business_id = business.id;
    r.reference_id = order.reference_id;
    r.customer = customer;
    r.total = order.total;
    r.created = now;
    r.updated = now;
    auto message = order_details_message(order);
    nlohmann::ordered_json kept;
    if (!message.header.empty()) kept["header"] = {{"type", "text"}, {"text", message.header}};
    kept["body"] = {{"text", message.body}};
    if (!message.footer.empty()) kept["footer"] = {{"text", message.footer}};
    kept["action"] = {{"name", "review_and_pay"},
                      {"parameters", nlohmann::ordered_json::parse(message.payload_json)}};
    store_.save_record(order_kind, key, encode(r));
    store_.save_record(details_kind, key, kept.dump());
    store_.save_record(day_kind, key_of(business.id, day_of(now) + unit + order.reference_id), "");
    if (new_payer) {
      store_.save_record(payer_kind, payer_key, order.reference_id);
      store_.save_record(payers_kind, business.id, std::to_string(payers + 1));
    }
    lock->commit();
    return message;
  });
}

result<payment_result> order_book::apply(std::string_view business_id, const payment_notice& notice,
                                         timestamp at, const phone_number& customer) {
  if (!valid_business(business_id) || !valid_reference(notice.reference_id))
    return unknown_order(business_id, notice.reference_id);
  if (!notice.status)
    return make_error(
        "payments.unknown_payment_status",
        fmt::format("the payment of order '{}' has no status chatdesk knows (pending, captured, failed)",
                    notice.reference_id));
  auto amount = notice_amount(notice);
  if (!amount) return amount.error();
  const auto key = key_of(business_id, notice.reference_id);
  return guarded([&]() -> result<payment_result> {
    phone_number owner = customer;
    if (owner.empty()) {  // learn whose order it is, then lock that customer's step
      auto text = store_.load_record(order_kind, key);
      if (!text) return unknown_order(business_id, notice.reference_id);
      auto r = decode(business_id, notice.reference_id, *text);
      if (!r) return r.error();
      owner = r->customer;
    }
    auto lock = store_.lock(business_id, owner, false);
    auto text = store_.load_record(order_kind, key);
    if (!text) return unknown_order(business_id, notice.reference_id);
    auto r = decode(business_id, notice.reference_id, *text);
    if (!r) return r.error();
    if (!(r->customer == owner))
      return make_error("payments.wrong_customer",
                        fmt::format("the payment of order '{}' names customer {}; the order is {}'s",
                                    notice.reference_id, owner.e164(), r->customer.e164()),
                        notice.reference_id);
    const auto tx = notice.transaction ? clean(notice.transaction->id) : std::string();
    const auto why = notice.transaction ? notice.transaction->error : std::nullopt;
    auto [change, reason] = step_payment(*r, *notice.status, tx, *amount, why, at);
    if (auto after = encode(*r); after != *text) {  // a late failure is listed though the payment stays
      store_.save_record(order_kind, key, after);
      lock->commit();
    }
    return payment_result{change, std::move(reason), std::move(*r)};
  });
}

result<payment_result> order_book::apply(std::string_view business_id, const webhook_status& status) {
  if (status.type != "payment" || !status.payment)
    return make_error("payments.not_a_payment",
                      fmt::format("status '{}' of message '{}' is not a payment's",
                                  utf8::printable(status.status_text), utf8::printable(status.id)));
  return apply(business_id, *status.payment, status.at, status.recipient);
}

result<interactive_content> order_book::update(std::string_view business_id, const order_update& update) {
  if (!valid_business(business_id) || !valid_reference(update.reference_id))
    return unknown_order(business_id, update.reference_id);
  const auto length_of = [](std::string_view t) { return utf8::length(t); };
  for (auto [text, name, max] :
       {std::tuple{std::string_view(update.description), "description", std::size_t{120}},
        std::tuple{std::string_view(update.body), "body", options_.limits.max_body},
        std::tuple{std::string_view(update.footer), "footer", options_.limits.max_footer}}) {
    const auto n = length_of(text);
    if (!n || *n > max)
      return make_error("payments.invalid_order",
                        n ? fmt::format("{}: is {} characters; at most {}", name, *n, max)
                          : fmt::format("{}: is not valid UTF-8", name),
                        name);
  }
  const auto key = key_of(business_id, update.reference_id);
  return guarded([&]() -> result<interactive_content> {
    auto text = store_.load_record(order_kind, key);
    if (!text) return unknown_order(business_id, update.reference_id);
    auto first = decode(business_id, update.reference_id, *text);
    if (!first) return first.error();
    auto lock = store_.lock(business_id, first->customer, false);
    text = store_.load_record(order_kind, key);
    if (!text) return unknown_order(business_id, update.reference_id);
    auto r = decode(business_id, update.reference_id, *text);
    if (!r) return r.error();
    if (update.status == order_status::canceled &&
        (r->payment == payment_status::pending || r->payment == payment_status::captured))
      return make_error("payments.cancel_refused",
                        fmt::format("order '{}' cannot be canceled: its payment is {}", update.reference_id,
                                    to_string(r->payment)),
                        update.reference_id);
    if (!may_follow(r->status, update.status))
      return make_error("payments.invalid_transition",
                        fmt::format("order '{}' is {}; it cannot become {}", update.reference_id,
                                    to_string(r->status), to_string(update.status)),
                        update.reference_id);
    r->status = update.status;
    r->updated = std::max(r->updated, clock_.now());
    store_.save_record(order_kind, key, encode(*r));
    lock->commit();
    return order_status_message(update);
  });
}

std::optional<order_record> order_book::find(std::string_view business_id, std::string_view reference_id) {
  if (!valid_business(business_id) || !valid_reference(reference_id)) return std::nullopt;
  auto text = store_.load_record(order_kind, key_of(business_id, reference_id));
  if (!text) return std::nullopt;
  auto r = decode(business_id, reference_id, *text);
  if (!r) throw exception(r.error());
  return std::move(*r);
}

std::optional<order_details> order_book::details(std::string_view business_id,
                                                 std::string_view reference_id) {
  if (!valid_business(business_id) || !valid_reference(reference_id)) return std::nullopt;
  auto text = store_.load_record(details_kind, key_of(business_id, reference_id));
  if (!text) return std::nullopt;
  auto d = parse_order_details(*text);
  if (!d) throw exception(corrupt(key_of(business_id, reference_id)));
  return std::move(*d);
}

std::uint64_t order_book::paying_customers(std::string_view business_id) {
  if (!valid_business(business_id)) return 0;
  auto text = store_.load_record(payers_kind, business_id);
  std::uint64_t n = 0;
  if (text && !number(*text, n)) throw exception(corrupt(business_id));
  return n;
}

void order_book::orders(std::string_view business_id, timestamp from, timestamp to,
                        const std::function<bool(const order_record&)>& each) {
  if (!valid_business(business_id) || !(from < to)) return;
  for (auto day = std::chrono::floor<date::days>(from); day < to; day += date::days(1)) {
    const auto prefix = key_of(business_id, format_date(date::year_month_day{day}) + unit);
    std::vector<std::string> refs;
    store_.scan_records(day_kind, prefix, [&](std::string_view key, std::string_view) {
      refs.emplace_back(key.substr(prefix.size()));
      return true;
    });
    for (const auto& ref : refs) {
      auto r = find(business_id, ref);
      if (!r || r->created < from || !(r->created < to)) continue;
      if (!each(*r)) return;
    }
  }
}

}  // namespace chatdesk
