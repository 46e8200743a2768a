#include "chatdesk/attribution/attribution.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <map>
#include <mutex>
#include <utility>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../core/csv.hpp"
#include "../core/record_fields.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/core/utf8.hpp"
#include "chatdesk/links/click_to_chat.hpp"
#include "chatdesk/model/windows.hpp"

namespace chatdesk {

namespace {

constexpr std::string_view touch_kind = "attribution.touch";
constexpr std::string_view fact_kind = "attribution.fact";
constexpr char unit = '\x1f';
constexpr char entry_sep = '\x1e';
constexpr char part = '\x1d';
constexpr std::size_t max_touches = 16;  // conversations kept per customer, newest last
constexpr std::size_t max_problems = 100;

// Text from outside in a record.
std::string clean(std::string_view text) {
  return detail::record_text(text, 128);
}

std::int64_t ms_of(timestamp t) noexcept {
  return t.time_since_epoch().count();
}
timestamp at_ms(std::int64_t ms) noexcept {
  return timestamp(std::chrono::milliseconds(ms));
}

std::string key_of(std::string_view business_id, const phone_number& customer) {
  return fmt::format("{}{}{}", business_id, unit, customer.digits());
}

std::string day_of(timestamp t) {
  return format_date(date::year_month_day{std::chrono::floor<date::days>(t)});
}

template <class Int>
bool number(std::string_view s, Int& out) {
  return detail::whole_number(s, out);
}
std::vector<std::string_view> split(std::string_view s, char sep) {
  return detail::split_fields(s, sep);
}

std::string encode(const std::vector<attributed_conversation>& list) {
  std::string out;
  for (const auto& c : list) {
    if (!out.empty()) out.push_back(entry_sep);
    fmt::format_to(std::back_inserter(out), "{}{}{}{}{}{}{}{}{}{}{}", ms_of(c.started), part,
                   ms_of(c.window_closes), part, c.answered_in_window ? 1 : 0, part, c.source.kind, part,
                   c.source.id, part, c.source.ctwa_clid);
  }
  return out;
}

std::vector<attributed_conversation> decode(std::string_view text, std::string_view key) {
  std::vector<attributed_conversation> out;
  if (text.empty()) return out;
  for (auto entry : split(text, entry_sep)) {
    const auto p = split(entry, part);
    attributed_conversation c;
    std::int64_t started = 0, closes = 0;
    if (p.size() != 6 || !number(p[0], started) || !number(p[1], closes) || (p[2] != "0" && p[2] != "1"))
      throw exception(make_error(
          "store.corrupt", fmt::format("the attribution record '{}' cannot be read", utf8::printable(key)),
          std::string(utf8::printable(key))));
    c.started = at_ms(started);
    c.window_closes = at_ms(closes);
    c.answered_in_window = p[2] == "1";
    c.source = {std::string(p[3]), std::string(p[4]), std::string(p[5])};
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<attributed_conversation> load(store& st, std::string_view key) {
  auto text = st.load_record(touch_kind, key);
  return text ? decode(*text, key) : std::vector<attributed_conversation>{};
}

// The fact written when a conversation starts ('c') or is answered in its window ('a').
void add_fact(store& st, std::string_view business_id, const phone_number& customer, timestamp at, char what,
              const conversation_source& s) {
  st.save_record(fact_kind,
                 fmt::format("{}{}{}{}{:013}{}{}{}{}", business_id, unit, day_of(at), unit, ms_of(at), unit,
                             customer.digits(), unit, what),
                 fmt::format("{}{}{}{}{}", s.kind, part, s.id, part, s.ctwa_clid));
}

// The text of a message that may carry a reference token.
std::string_view text_of(const message& m) {
  if (const auto* t = std::get_if<text_content>(&m.content)) return t->body;
  if (const auto* i = std::get_if<interactive_content>(&m.content)) return i->reply_title;
  return {};
}

std::optional<attributed_conversation> credited(const std::vector<attributed_conversation>& list,
                                                timestamp at, std::chrono::hours credit) {
  for (auto it = list.rbegin(); it != list.rend(); ++it)
    if (it->started <= at && at - it->started <= credit) return *it;
  return std::nullopt;
}

}  // namespace

std::optional<conversation_source> source_of(const message& m) {
  if (m.referral) {
    conversation_source s;
    s.kind = m.referral->source_type.empty() ? "referral" : clean(m.referral->source_type);
    s.id = clean(m.referral->source_id);
    s.ctwa_clid = clean(m.referral->ctwa_clid);
    return s;
  }
  if (auto ref = find_ref(text_of(m))) return conversation_source{"link", *ref, {}};
  return std::nullopt;
}

struct attribution_tracker::impl {
  impl(desk& d_, store& st_, attribution_options o) : d(d_), st(st_), options(o) {}
  desk& d;
  store& st;
  attribution_options options;
  mutable std::mutex problems_mu;
  std::deque<error> problems;

  void problem(error e) {
    std::lock_guard g(problems_mu);
    if (problems.size() == max_problems) problems.pop_front();
    problems.push_back(std::move(e));
  }
};

attribution_tracker::attribution_tracker(desk& d, store& st, attribution_options options)
    : impl_(std::make_unique<impl>(d, st, options)) {
  d.subscribe(this);
}

attribution_tracker::~attribution_tracker() {
  impl_->d.unsubscribe(this);
}

result<std::optional<attributed_conversation>> attribution_tracker::record_inbound(const message& m) {
  if (m.direction != direction::inbound || m.customer.empty())
    return std::optional<attributed_conversation>{};
  const auto business_id = impl_->d.business_id_of(m.business_number_id);
  if (!business_id) return std::optional<attributed_conversation>{};
  const auto source = source_of(m);
  try {
    auto lock = impl_->st.lock(*business_id, m.customer, false);
    const auto key = key_of(*business_id, m.customer);
    auto list = load(impl_->st, key);
    const auto closes = m.at + service_window_length;
    std::optional<attributed_conversation> current;
    const bool open = !list.empty() && m.at >= list.back().started && m.at < list.back().window_closes;
    if (source && !(open && list.back().source == *source)) {
      if (list.size() == max_touches) list.erase(list.begin());
      list.push_back({*source, m.at, closes, false});
      add_fact(impl_->st, *business_id, m.customer, m.at, 'c', *source);
    } else if (open) {
      list.back().window_closes = std::max(list.back().window_closes, closes);
    } else {
      return current;  // an unattributed conversation: nothing to keep
    }
    current = list.back();
    impl_->st.save_record(touch_kind, key, encode(list));
    lock->commit();
    return current;
  } catch (const exception& e) {
    return e.err();
  }
}

result<bool> attribution_tracker::record_answer(const message_record& r) {
  if (r.direction != direction::outbound || r.key.customer.empty()) return false;
  const auto business_id = impl_->d.business_id_of(r.key.business_number_id);
  if (!business_id) return false;
  try {
    auto lock = impl_->st.lock(*business_id, r.key.customer, false);
    const auto key = key_of(*business_id, r.key.customer);
    auto list = load(impl_->st, key);
    if (list.empty()) return false;
    auto& c = list.back();
    if (c.answered_in_window || r.at < c.started || r.at >= c.window_closes) return false;
    c.answered_in_window = true;
    add_fact(impl_->st, *business_id, r.key.customer, r.at, 'a', c.source);
    impl_->st.save_record(touch_kind, key, encode(list));
    lock->commit();
    return true;
  } catch (const exception& e) {
    return e.err();
  }
}

std::optional<attributed_conversation> attribution_tracker::source_at(std::string_view business_id,
                                                                      const phone_number& customer,
                                                                      timestamp at) {
  return credited(load(impl_->st, key_of(business_id, customer)), at, impl_->options.order_credit);
}

std::vector<error> attribution_tracker::problems() const {
  std::lock_guard g(impl_->problems_mu);
  return {impl_->problems.begin(), impl_->problems.end()};
}

void attribution_tracker::message_received(const message& m) {
  if (auto r = record_inbound(m); !r) impl_->problem(r.error());
}

void attribution_tracker::status_changed(const message_record& record, message_status from) {
  if (from != message_status::accepted || record.status == message_status::failed) return;
  if (auto r = record_answer(record); !r) impl_->problem(r.error());
}

namespace {

void add_money(std::vector<money>& sums, money m) {
  detail::add_to_sums(sums, m);
}

}  // namespace

result<attribution_report> make_attribution_report(store& st, std::string_view business_id, timestamp from,
                                                   timestamp to, order_book* orders,
                                                   attribution_options options) {
  if (auto period = check_report_period(from, to, "attribution.invalid_period"); !period)
    return period.error();
  attribution_report r;
  r.business_id = std::string(business_id);
  r.from = from;
  r.to = to;
  // Keyed by (kind, id), with "none" (no credit) after every real kind.
  std::map<std::pair<std::string, std::string>, source_figures> by;
  const auto figures = [&](const conversation_source& s) -> source_figures& {
    auto& f = by[{s.kind == "none" ? std::string("\x7f") : s.kind, s.id}];
    if (f.source.kind.empty()) f.source = conversation_source{s.kind, s.id, {}};
    return f;
  };
  try {
    for (auto day = std::chrono::floor<date::days>(from); day < to; day += date::days(1)) {
      const auto prefix =
          fmt::format("{}{}{}{}", business_id, unit, format_date(date::year_month_day{day}), unit);
      st.scan_records(fact_kind, prefix, [&](std::string_view key, std::string_view value) {
        const auto rest = key.substr(prefix.size());  // ms, customer, what
        const auto p = split(rest, unit);
        std::int64_t ms = 0;
        if (p.size() != 3 || !number(p[0], ms) || p[2].size() != 1) return true;
        const auto at = at_ms(ms);
        if (at < from || !(at < to)) return true;
        const auto v = split(value, part);
        if (v.size() != 3) return true;
        auto& f = figures({std::string(v[0]), std::string(v[1]), {}});
        if (p[2] == "c") ++f.conversations;
        if (p[2] == "a") ++f.answered_in_window;
        return true;
      });
    }
    if (orders != nullptr) {
      std::map<std::string, std::vector<attributed_conversation>> touches;  // by customer, read once
      orders->orders(business_id, from, to, [&](const order_record& o) {
        auto& list = touches[std::string(o.customer.digits())];
        if (list.empty()) list = load(st, key_of(business_id, o.customer));
        const auto c = credited(list, o.created, options.order_credit);
        auto& f = figures(c ? c->source : conversation_source{"none", {}, {}});
        ++f.orders;
        if (o.payment == payment_status::captured && o.captured) {
          ++f.paid_orders;
          add_money(f.paid, *o.captured);
        }
        return true;
      });
    }
  } catch (const exception& e) {
    return e.err();
  }
  for (auto& [k, f] : by) r.sources.push_back(std::move(f));
  return r;
}

std::string to_json(const attribution_report& report) {
  nlohmann::ordered_json j;
  j["business"] = report.business_id;
  j["from"] = format_timestamp(report.from);
  j["to"] = format_timestamp(report.to);
  auto sources = nlohmann::ordered_json::array();
  for (const auto& f : report.sources) {
    nlohmann::ordered_json s;
    s["kind"] = f.source.kind;
    s["id"] = f.source.id;
    s["conversations"] = f.conversations;
    s["answered_in_window"] = f.answered_in_window;
    s["orders"] = f.orders;
    s["paid_orders"] = f.paid_orders;
    auto paid = nlohmann::ordered_json::array();
    for (const auto& m : f.paid)
      paid.push_back({{"currency", m.currency().code()}, {"amount", m.amount_string()}});
    s["paid"] = std::move(paid);
    sources.push_back(std::move(s));
  }
  j["sources"] = std::move(sources);
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string to_csv(const attribution_report& report) {
  using detail::csv_cell;
  std::string out = "kind,id,conversations,answered_in_window,orders,paid_orders,paid\r\n";
  for (const auto& f : report.sources) {
    std::string paid;
    for (const auto& m : f.paid) paid += (paid.empty() ? "" : "; ") + m.to_string();
    out += fmt::format("{},{},{},{},{},{},{}\r\n", csv_cell(f.source.kind), csv_cell(f.source.id),
                       f.conversations, f.answered_in_window, f.orders, f.paid_orders, csv_cell(paid));
  }
  return out;
}

}  // namespace chatdesk
