// Payments in the chat: orders validated per second (a three-line order with
// a sale price, tax, shipping and a discount, every limit and sum checked),
// payment statuses applied per second to orders in a memory store (each a
// locked step that reads, moves and writes the order: pending then captured,
// then a retried capture found a duplicate), and from 8 threads on distinct
// orders, for scale.
#include <atomic>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "chatdesk/payments/order_book.hpp"

namespace {

using namespace chatdesk;

money inr(std::int64_t paise) {
  return money(paise, currencies::inr);
}

order_details order_of(std::string reference) {
  order_details o;
  o.reference_id = std::move(reference);
  o.order_currency = currencies::inr;
  o.payment_type = "upi";
  payment_setting g;
  g.method = payment_method::payment_gateway;
  g.gateway = "razorpay";
  g.configuration_name = "shop-razorpay";
  o.payment_settings.push_back(g);
  const auto line = [](const char* id, const char* name, std::int64_t amount, std::uint32_t quantity) {
    order_line l;
    l.retailer_id = id;
    l.name = name;
    l.amount = inr(amount);
    l.quantity = quantity;
    return l;
  };
  o.items.push_back(line("chai-250", "Masala chai 250 g", 15000, 2));
  o.items.back().sale_amount = inr(12000);
  o.items.push_back(line("nb-a5", "Notebook A5", 9950, 1));
  o.items.push_back(line("mug", "Mug, terracotta", 45000, 1));
  o.tax.value = inr(1800);
  o.shipping = order_adjustment{inr(4000), "Courier", {}};
  o.discount = order_adjustment{inr(2550), "Diwali", "festive"};
  o.body = "Your order from Chai & Co";
  o.footer = "Thank you";
  if (!fill_totals(o)) throw std::logic_error("totals");
  return o;
}

void bm_validate_order(benchmark::State& state) {
  const auto o = order_of("CHAI-1001");
  const timestamp now{};
  for (auto _ : state) {
    auto r = validate(o, now);
    if (!r) state.SkipWithError("refused");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_validate_order);

struct shop {
  manual_clock clock;
  memory_store store;
  order_book book{clock, store};
  business b;
  std::vector<phone_number> customers;
  std::vector<std::string> refs;
  explicit shop(int orders) {
    b.id = "chai";
    b.home_country = country::unchecked("IN");
    for (int i = 0; i < orders; ++i) {
      customers.push_back(phone_number::parse(fmt::format("+9198{:08}", i)).value());
      refs.push_back(fmt::format("CHAI-{}", i));
      if (!book.create(b, customers.back(), order_of(refs.back()))) throw std::logic_error("create");
    }
  }
};

payment_notice notice(const std::string& ref, payment_status s) {
  payment_notice n;
  n.reference_id = ref;
  n.status = s;
  n.amount = payment_amount{83350, 100};
  n.currency = "INR";
  payment_transaction t;
  t.id = "pay_" + ref;
  t.gateway = "razorpay";
  n.transaction = t;
  return n;
}

// Each iteration applies one status: pending, captured, a retried capture, in turn over 10,000 orders.
void bm_apply_payment_status(benchmark::State& state) {
  shop s(10000);
  std::vector<payment_notice> notices;
  for (const auto& ref : s.refs)
    for (auto st : {payment_status::pending, payment_status::captured, payment_status::captured})
      notices.push_back(notice(ref, st));
  std::size_t i = 0, advanced = 0;
  for (auto _ : state) {
    const auto k = i++ % notices.size();
    auto r = s.book.apply("chai", notices[k], timestamp{}, s.customers[k / 3]);
    if (!r) {
      state.SkipWithError("refused");
      break;
    }
    if (r->change == payment_change::advanced) ++advanced;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["advanced"] = static_cast<double>(advanced);
}
BENCHMARK(bm_apply_payment_status);

// 8 threads, each on its own orders; items are statuses applied.
void bm_apply_payment_status_threads(benchmark::State& state) {
  static shop* s = nullptr;
  if (state.thread_index() == 0) s = new shop(8 * 2000);
  static std::vector<payment_notice> notices;
  if (state.thread_index() == 0) {
    notices.clear();
    for (const auto& ref : s->refs) notices.push_back(notice(ref, payment_status::captured));
  }
  const std::size_t base = static_cast<std::size_t>(state.thread_index()) * 2000;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto k = base + i++ % 2000;
    auto r = s->book.apply("chai", notices[k], timestamp{}, s->customers[k]);
    if (!r) state.SkipWithError("refused");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete s;
    s = nullptr;
  }
}
BENCHMARK(bm_apply_payment_status_threads)->Threads(8)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
