#include "chatdesk/payments/report.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../core/csv.hpp"
#include "../core/record_fields.hpp"

namespace chatdesk {

namespace {

using json = nlohmann::ordered_json;

void add_to(std::vector<money>& sums, money m) {
  detail::add_to_sums(sums, m);
}

json money_json(money m) {
  return json{
      {"currency", m.currency().code()}, {"amount", m.amount_string()}, {"minor_units", m.minor_units()}};
}

json sums_json(const std::vector<money>& sums) {
  json a = json::array();
  for (const auto& m : sums) a.push_back(money_json(m));
  return a;
}

}  // namespace

result<payments_report> make_payments_report(order_book& book, std::string_view business_id, timestamp from,
                                             timestamp to) {
  if (auto period = check_report_period(from, to, "payments.invalid_period"); !period) return period.error();
  payments_report r;
  r.business_id = std::string(business_id);
  r.from = from;
  r.to = to;
  try {
    book.orders(business_id, from, to, [&](const order_record& o) {
      ++r.by_status[static_cast<std::size_t>(o.status)];
      ++r.by_payment[static_cast<std::size_t>(o.payment)];
      add_to(r.ordered, o.total);
      if (o.payment == payment_status::captured && o.captured) add_to(r.captured, *o.captured);
      for (const auto& f : o.failures) r.failures.push_back({o.reference_id, o.customer, f});
      if (!o.flags.empty()) r.flagged.push_back(o);
      r.orders.push_back(o);
      return true;
    });
  } catch (const exception& e) {
    return e.err();
  }
  const auto by_time = [](const auto& a, const auto& b) { return a.created < b.created; };
  std::stable_sort(r.orders.begin(), r.orders.end(), by_time);
  std::stable_sort(r.flagged.begin(), r.flagged.end(), by_time);
  std::stable_sort(
      r.failures.begin(), r.failures.end(),
      [](const failed_payment& a, const failed_payment& b) { return a.failure.at < b.failure.at; });
  return r;
}

result<payments_report> make_payments_report(order_book& book, std::string_view business_id,
                                             date::year_month_day first, date::year_month_day last,
                                             const time_zone& zone) {
  const auto days = check_report_days({first, last}, "payments.invalid_period");
  if (!days) return days.error();
  const auto [from, to] = report_period(*days, zone);
  return make_payments_report(book, business_id, from, to);
}

std::string to_json(const payments_report& r) {
  json j;
  j["business"] = r.business_id;
  j["from"] = format_timestamp(r.from);
  j["to"] = format_timestamp(r.to);
  j["orders"] = r.orders.size();
  json status;
  for (std::size_t i = 0; i < r.by_status.size(); ++i)
    status[std::string(to_string(static_cast<order_status>(i)))] = r.by_status[i];
  j["by_status"] = std::move(status);
  json payment;
  for (std::size_t i = 0; i < r.by_payment.size(); ++i)
    payment[std::string(to_string(static_cast<payment_status>(i)))] = r.by_payment[i];
  j["by_payment"] = std::move(payment);
  j["ordered"] = sums_json(r.ordered);
  j["captured"] = sums_json(r.captured);
  json failures = json::array();
  for (const auto& f : r.failures)
    failures.push_back(json{{"reference_id", f.reference_id},
                            {"customer", f.customer.empty() ? std::string() : f.customer.e164()},
                            {"transaction_id", f.failure.transaction_id},
                            {"code", f.failure.code},
                            {"reason", f.failure.reason},
                            {"at", format_timestamp(f.failure.at)}});
  j["failed_payments"] = std::move(failures);
  json flagged = json::array();
  for (const auto& o : r.flagged) {
    json f{{"reference_id", o.reference_id}, {"total", money_json(o.total)}};
    if (o.captured) f["captured"] = money_json(*o.captured);
    f["flags"] = o.flags;
    flagged.push_back(std::move(f));
  }
  j["mismatched_captures"] = std::move(flagged);
  return j.dump(2) + "\n";
}

std::string to_csv(const payments_report& r) {
  using detail::csv_cell;
  std::string out =
      "reference_id,customer,created,status,payment,currency,total,captured,transaction_id,failed_attempts,"
      "flags\r\n";
  for (const auto& o : r.orders) {
    std::string flags;
    for (const auto& f : o.flags) flags += (flags.empty() ? "" : "; ") + f;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\r\n", csv_cell(o.reference_id),
                       o.customer.empty() ? std::string() : o.customer.e164(), format_timestamp(o.created),
                       to_string(o.status), to_string(o.payment), o.total.currency().code(),
                       o.total.amount_string(), o.captured ? o.captured->amount_string() : std::string(),
                       csv_cell(o.transaction_id), o.failures.size(), csv_cell(flags));
  }
  return out;
}

}  // namespace chatdesk
