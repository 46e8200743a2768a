#include "chatdesk/pricing/formats.hpp"

#include <chrono>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/time_zone.hpp"

namespace chatdesk {

namespace {

using ojson = nlohmann::ordered_json;

/// Reading failed: the code and the JSON path.
struct format_failure {
  error err;
};

class reader {
 public:
  explicit reader(std::string code) : code_(std::move(code)) {}

  [[noreturn]] void fail(std::string message, std::string where) const {
    throw format_failure{make_error(code_, std::move(message), std::move(where))};
  }
  const ojson& member(const ojson& j, const char* key, const std::string& where) const {
    auto it = j.find(key);
    if (it == j.end()) fail(fmt::format("'{}' is missing", key), where + "." + key);
    return *it;
  }
  std::string text(const ojson& j, const char* key, const std::string& where) const {
    const auto& v = member(j, key, where);
    if (!v.is_string()) fail(fmt::format("'{}' must be a string", key), where + "." + key);
    return v.get<std::string>();
  }
  std::uint64_t count(const ojson& j, const char* key, const std::string& where) const {
    const auto& v = member(j, key, where);
    if (!v.is_number_unsigned()) fail(fmt::format("'{}' must be a whole number", key), where + "." + key);
    return v.get<std::uint64_t>();
  }
  decimal amount(const ojson& j, const char* key, const std::string& where) const {
    auto d = decimal::parse(text(j, key, where));
    if (!d) fail(d.error().message, where + "." + key);
    return *d;
  }
  const ojson& list(const ojson& j, const char* key, const std::string& where) const {
    const auto& v = member(j, key, where);
    if (!v.is_array()) fail(fmt::format("'{}' must be a list", key), where + "." + key);
    return v;
  }

 private:
  std::string code_;
};

}  // namespace

ojson to_json(const invoice& inv) {
  ojson j;
  j["currency"] = std::string(inv.currency.code());
  const int digits = inv.currency.minor_digits();
  j["total"] = inv.total.to_string(digits);
  j["total_settled"] = inv.total_settled.amount_string();
  ojson lines = ojson::array();
  for (const auto& l : inv.lines) {
    ojson o;
    o["business"] = l.business;
    o["month"] = l.month;
    o["model"] = std::string(to_string(l.model));
    o["market"] = l.market;
    o["category"] = l.category;
    o["tier"] = l.tier;
    o["count"] = l.count;
    o["unit_price"] = l.unit_price.to_string(4);
    o["amount"] = l.amount.to_string(digits);
    lines.push_back(std::move(o));
  }
  j["lines"] = std::move(lines);
  ojson free = ojson::array();
  for (const auto& f : inv.free) {
    ojson o;
    o["business"] = f.business;
    o["month"] = f.month;
    o["reason"] = std::string(to_string(f.reason));
    o["count"] = f.count;
    free.push_back(std::move(o));
  }
  j["free"] = std::move(free);
  ojson problems = ojson::array();
  for (const auto& p : inv.problems) {
    ojson o;
    o["line"] = p.line;
    o["code"] = p.problem.code;
    o["reason"] = p.problem.message;
    problems.push_back(std::move(o));
  }
  j["problems"] = std::move(problems);
  j["problems_total"] = inv.problems_total;
  ojson counts = ojson::object();
  for (const auto& c : inv.problem_counts) counts[c.code] = c.count;
  j["problem_counts"] = std::move(counts);
  return j;
}

result<invoice> invoice_from_json(const ojson& j) {
  const reader r("pricing.invalid_invoice");
  try {
    if (json_too_deep(j)) r.fail(fmt::format("nested deeper than {} levels", max_json_depth), "$");
    if (!j.is_object()) r.fail("an invoice must be a JSON object", "$");
    invoice inv;
    auto cur = currency::from_code(r.text(j, "currency", "$"));
    if (!cur) r.fail(cur.error().message, "$.currency");
    inv.currency = *cur;
    const auto total = r.amount(j, "total", "$");
    auto settled = money::parse(r.text(j, "total_settled", "$"), inv.currency);
    if (!settled) r.fail(settled.error().message, "$.total_settled");
    inv.total_settled = *settled;
    const auto& lines = r.list(j, "lines", "$");
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto where = fmt::format("$.lines[{}]", i);
      const auto& e = lines[i];
      if (!e.is_object()) r.fail("a line must be an object", where);
      invoice_line l;
      l.business = r.text(e, "business", where);
      l.month = r.text(e, "month", where);
      auto model = parse_pricing_model(r.text(e, "model", where));
      if (!model) r.fail(model.error().message, where + ".model");
      l.model = *model;
      l.market = r.text(e, "market", where);
      l.category = r.text(e, "category", where);
      l.tier = r.text(e, "tier", where);
      l.count = r.count(e, "count", where);
      l.unit_price = r.amount(e, "unit_price", where);
      l.amount = r.amount(e, "amount", where);
      if (l.unit_price * static_cast<std::int64_t>(l.count) != l.amount)
        r.fail(fmt::format("{} x {} is not {}", l.count, l.unit_price.to_string(), l.amount.to_string()),
               where + ".amount");
      inv.total += l.amount;
      inv.lines.push_back(std::move(l));
    }
    if (inv.total != total)
      r.fail(fmt::format("the lines add up to {}, not {}", inv.total.to_string(), total.to_string()),
             "$.total");
    const auto& free = r.list(j, "free", "$");
    for (std::size_t i = 0; i < free.size(); ++i) {
      const auto where = fmt::format("$.free[{}]", i);
      const auto& e = free[i];
      if (!e.is_object()) r.fail("a free line must be an object", where);
      invoice_free f;
      f.business = r.text(e, "business", where);
      f.month = r.text(e, "month", where);
      auto reason = parse_charge_reason(r.text(e, "reason", where));
      if (!reason) r.fail(reason.error().message, where + ".reason");
      if (!is_free(*reason))
        r.fail(fmt::format("'{}' is not a reason to be free", to_string(*reason)), where);
      f.reason = *reason;
      f.count = r.count(e, "count", where);
      inv.free.push_back(std::move(f));
    }
    if (auto p = j.find("problems"); p != j.end()) {
      if (!p->is_array()) r.fail("'problems' must be a list", "$.problems");
      for (std::size_t i = 0; i < p->size(); ++i) {
        const auto where = fmt::format("$.problems[{}]", i);
        const auto& e = (*p)[i];
        if (!e.is_object()) r.fail("a problem must be an object", where);
        inv.problems.push_back(
            {r.count(e, "line", where), make_error(r.text(e, "code", where), r.text(e, "reason", where))});
      }
    }
    if (j.contains("problems_total")) inv.problems_total = r.count(j, "problems_total", "$");
    if (auto c = j.find("problem_counts"); c != j.end()) {
      if (!c->is_object()) r.fail("'problem_counts' must be an object", "$.problem_counts");
      for (auto it = c->begin(); it != c->end(); ++it) {
        if (!it->is_number_unsigned())
          r.fail("a problem count must be a whole number", "$.problem_counts." + it.key());
        inv.problem_counts.push_back({it.key(), it->get<std::uint64_t>()});
      }
    }
    return inv;
  } catch (const format_failure& f) {
    return f.err;
  } catch (const exception& e) {  // amounts beyond the exact range
    return make_error("pricing.invalid_invoice", e.err().message, "$");
  }
}

ojson to_json(const charge& c) {
  ojson j;
  j["id"] = c.message_id;
  j["business"] = c.business;
  j["month"] = c.month;
  j["model"] = std::string(to_string(c.model));
  j["market"] = c.market;
  j["category"] = c.category;
  j["tier"] = c.tier;
  j["amount"] = c.amount.to_string(4);
  j["reason"] = std::string(to_string(c.reason));
  j["free"] = c.free;
  j["delivered_at"] = format_timestamp(c.delivered_at);
  j["explanation"] = c.explanation;
  return j;
}

result<std::vector<pricing_business>> pricing_businesses_from_json(const ojson& j) {
  const reader r("pricing.businesses");
  try {
    if (json_too_deep(j)) r.fail(fmt::format("nested deeper than {} levels", max_json_depth), "$");
    if (!j.is_object()) r.fail("the businesses must be a JSON object of business ids", "$");
    std::vector<pricing_business> out;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const auto where = "$." + it.key();
      if (!it->is_object()) r.fail("each business must be an object", where);
      pricing_business b;
      b.id = it.key();
      auto field = [&](const char* key) -> std::string {
        auto f = it->find(key);
        if (f == it->end() || f->is_null()) return {};
        if (!f->is_string()) r.fail(fmt::format("'{}' must be a string", key), where + "." + key);
        return f->get<std::string>();
      };
      if (const auto zone = field("time_zone"); !zone.empty()) {
        auto z = time_zone::locate(zone);
        if (!z) r.fail(z.error().message, where + ".time_zone");
        b.zone = *z;
      }
      if (const auto c = field("country"); !c.empty()) {
        auto k = country::from_alpha2(c);
        if (!k) r.fail(k.error().message, where + ".country");
        b.home_country = *k;
      }
      if (const auto from = field("auth_international_from"); !from.empty()) {
        auto t = parse_timestamp(from + "T00:00:00Z");
        if (!t || from.size() != 10)
          r.fail(fmt::format("'{}' is not a date like 2025-08-01", from), where + ".auth_international_from");
        b.auth_international_from = date::year_month_day{std::chrono::floor<date::days>(*t)};
      }
      if (auto f = it->find("paid_exempt"); f != it->end() && !f->is_null()) {
        if (!f->is_boolean()) r.fail("'paid_exempt' must be true or false", where + ".paid_exempt");
        b.paid_exempt = f->get<bool>();
      }
      if (auto f = it->find("entry_point_hours"); f != it->end() && !f->is_null()) {
        if (!f->is_number_integer() || f->get<std::int64_t>() < 1 || f->get<std::int64_t>() > 168)
          r.fail("'entry_point_hours' must be a whole number of hours from 1 to 168 (7 days)",
                 where + ".entry_point_hours");
        b.entry_point_window = std::chrono::hours{f->get<std::int64_t>()};
      }
      out.push_back(std::move(b));
    }
    return out;
  } catch (const format_failure& f) {
    return f.err;
  }
}

ojson to_json(const std::vector<pricing_business>& businesses) {
  ojson j = ojson::object();
  for (const auto& b : businesses) {
    ojson o = ojson::object();
    if (b.zone.name() != "UTC") o["time_zone"] = std::string(b.zone.name());
    if (!b.home_country.empty()) o["country"] = std::string(b.home_country.alpha2());
    if (b.auth_international_from) o["auth_international_from"] = format_date(*b.auth_international_from);
    if (b.paid_exempt) o["paid_exempt"] = true;
    if (b.entry_point_window) o["entry_point_hours"] = b.entry_point_window->count();
    j[b.id] = std::move(o);
  }
  return j;
}

}  // namespace chatdesk
