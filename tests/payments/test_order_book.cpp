// The order book over every store: orders kept under their reference ids,
// payments' statuses applied once whatever their order, captures that do
// not match flagged, the order's own statuses, the pilot cap under
// concurrency, restarts, and the reconciliation report.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatdesk/payments/order_book.hpp"
#include "chatdesk/payments/report.hpp"
#include "helpers/catch.hpp"
#include "payments/payments_fixture.hpp"
#include "store/store_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

namespace {

payment_notice notice_of(std::string ref, payment_status s, std::string tx, std::int64_t value = 37200,
                         std::string currency = "INR") {
  payment_notice n;
  n.reference_id = std::move(ref);
  n.status = s;
  n.amount = payment_amount{value, 100};
  n.currency = std::move(currency);
  payment_transaction t;
  t.id = std::move(tx);
  t.gateway = "razorpay";
  t.status = s == payment_status::captured ? "success" : s == payment_status::failed ? "failed" : "pending";
  t.method = "upi";
  n.transaction = t;
  return n;
}

payment_notice failure_of(std::string ref, std::string tx, std::string code, std::string reason) {
  auto n = notice_of(std::move(ref), payment_status::failed, std::move(tx));
  n.transaction->error = payment_error{std::move(code), std::move(reason)};
  return n;
}

payment_change change_of(const result<payment_result>& r) {
  REQUIRE(r);
  return r->change;
}

}  // namespace

TEST_CASE("order book: an order is kept under its reference id, once per business", "[payments][store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  manual_clock clock(payments_noon());
  order_book book(clock, u.get());
  const auto customer = indian_customer();

  auto m = book.create(chai_shop(), customer, chai_order());
  REQUIRE(m);
  CHECK(m->kind == interactive_kind::order_details);
  CHECK(nlohmann::json::parse(m->payload_json)["total_amount"]["value"] == 37200);

  auto again = book.create(chai_shop(), indian_customer(1), chai_order());
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "payments.duplicate_reference");
  CHECK(book.paying_customers("chai") == 1);  // the refused order counted no one

  u.reopen();
  order_book after(clock, u.get());
  const auto o = after.find("chai", "CHAI-1001");
  REQUIRE(o);
  CHECK(o->customer == customer);
  CHECK(o->total == inr(37200));
  CHECK(o->status == order_status::pending);
  CHECK(o->payment == payment_status::none);
  CHECK(o->created == payments_noon());
  const auto d = after.details("chai", "CHAI-1001");
  REQUIRE(d);
  CHECK(*d == chai_order());
  CHECK(after.paying_customers("chai") == 1);
  CHECK_FALSE(after.find("chai", "CHAI-9"));
  CHECK_FALSE(after.find("other", "CHAI-1001"));

  SECTION("refusals record nothing") {
    auto bad = chai_order("CHAI-2");
    bad.total = inr(1);
    CHECK(after.create(chai_shop(), customer, bad).error().code == "payments.total_mismatch");
    CHECK(after.create(chai_shop(), brazilian_customer(), chai_order("CHAI-3")).error().code ==
          "payments.market");
    CHECK_FALSE(after.find("chai", "CHAI-2"));
    CHECK_FALSE(after.find("chai", "CHAI-3"));
  }
}

TEST_CASE("order book: a payment's statuses in any order, each applied once", "[payments][store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  manual_clock clock(payments_noon());
  order_book book(clock, u.get());
  const auto c = indian_customer();
  REQUIRE(book.create(chai_shop(), c, chai_order()));
  const auto at = payments_noon() + 5min;

  SECTION("pending, then captured, then the same again and a late pending") {
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx1"), at, c)) ==
          payment_change::advanced);
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx1"), at, c)) ==
          payment_change::duplicate);
    auto r = book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx1"), at + 1s, c);
    CHECK(change_of(r) == payment_change::advanced);
    CHECK(r->order.payment == payment_status::captured);
    CHECK(r->order.captured == inr(37200));
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx1"), at + 2s,
                               c)) == payment_change::duplicate);
    r = book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx1"), at, c);
    CHECK(change_of(r) == payment_change::stale);
    CHECK_THAT(r->reason, contains_substring("captured already"));
    r = book.apply("chai", failure_of("CHAI-1001", "tx1", "U30", "debit failed"), at, c);
    CHECK(change_of(r) == payment_change::stale);
    u.reopen();
    order_book after(clock, u.get());
    const auto o = after.find("chai", "CHAI-1001");
    REQUIRE(o);
    CHECK(o->payment == payment_status::captured);
    CHECK(o->captured == inr(37200));
    CHECK(o->transaction_id == "tx1");
    REQUIRE(o->failures.size() == 1);  // the late failure is listed; the capture stands
    CHECK(o->failures[0].code == "U30");
    CHECK(o->flags.empty());
  }
  SECTION("statuses stamped earlier than the payment's arrive late and change nothing") {
    // A new attempt (tx2) at 12:07 came first; tx1's pending (12:05) and failure (12:06) come after.
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx2"), at + 2min,
                               c)) == payment_change::advanced);
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx1"), at, c)) ==
          payment_change::stale);
    auto r = book.apply("chai", failure_of("CHAI-1001", "tx1", "U69", "expired"), at + 1min, c);
    CHECK(change_of(r) == payment_change::stale);
    CHECK(r->order.payment == payment_status::pending);
    CHECK(r->order.transaction_id == "tx2");
    REQUIRE(r->order.failures.size() == 1);  // listed for the record
    // At the same second, a failure outranks a pending attempt, in either order.
    CHECK(change_of(book.apply("chai", failure_of("CHAI-1001", "tx2", "U30", "declined"), at + 2min, c)) ==
          payment_change::advanced);
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx3"), at + 2min,
                               c)) == payment_change::stale);
    CHECK(book.find("chai", "CHAI-1001")->payment == payment_status::failed);
  }
  SECTION("captured before pending: the late pending is stale") {
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx1"), at, c)) ==
          payment_change::advanced);
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx1"), at - 1s, c)) ==
          payment_change::stale);
    CHECK(book.find("chai", "CHAI-1001")->payment == payment_status::captured);
  }
  SECTION("a failed attempt, then a new attempt that succeeds") {
    auto r = book.apply("chai", failure_of("CHAI-1001", "tx1", "U30", "Debit has failed, \"bank\" declined"),
                        at, c);
    CHECK(change_of(r) == payment_change::advanced);
    CHECK(r->order.payment == payment_status::failed);
    CHECK(change_of(book.apply("chai", failure_of("CHAI-1001", "tx1", "U30", "x"), at, c)) ==
          payment_change::duplicate);
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx1"), at, c)) ==
          payment_change::stale);  // tx1's pending came after its failure
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx2"), at + 1min,
                               c)) == payment_change::advanced);
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx2"), at + 2min,
                               c)) == payment_change::advanced);
    u.reopen();
    order_book after(clock, u.get());
    const auto o = after.find("chai", "CHAI-1001");
    REQUIRE(o);
    CHECK(o->payment == payment_status::captured);
    REQUIRE(o->failures.size() == 1);
    CHECK(o->failures[0].transaction_id == "tx1");
    CHECK(o->failures[0].code == "U30");
    CHECK(o->failures[0].reason == "Debit has failed, \"bank\" declined");
  }
  SECTION("a capture of another amount or currency is flagged, not taken silently") {
    auto r = book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx1", 37000), at, c);
    CHECK(change_of(r) == payment_change::flagged);
    CHECK_THAT(r->reason, contains_substring("captured 370.00 INR; the order's total is 372.00 INR"));
    CHECK(r->order.flags.size() == 1);
    CHECK(r->order.captured == inr(37000));
    // A second capture by another transaction is flagged too, once.
    r = book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx9"), at + 1min, c);
    CHECK(change_of(r) == payment_change::flagged);
    CHECK_THAT(r->reason, contains_substring("after transaction 'tx1'"));
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx9"), at + 2min,
                               c)) == payment_change::duplicate);
    CHECK(book.find("chai", "CHAI-1001")->flags.size() == 2);
  }
  SECTION("a capture in another currency") {
    auto r = book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx1", 37200, "BRL"), at, c);
    CHECK(change_of(r) == payment_change::flagged);
    CHECK_THAT(r->reason, contains_substring("372.00 BRL"));
  }
  SECTION("bad notices are refused and change nothing") {
    auto n = notice_of("CHAI-1001", payment_status::captured, "tx1");
    n.amount->offset = 1000;
    auto r = book.apply("chai", n, at, c);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "payments.invalid_amount");
    n = notice_of("CHAI-1001", payment_status::captured, "tx1", -5);
    CHECK(book.apply("chai", n, at, c).error().code == "payments.invalid_amount");
    n = notice_of("CHAI-1001", payment_status::captured, "tx1", 37200, "RUPEES");
    CHECK(book.apply("chai", n, at, c).error().code == "payments.invalid_amount");
    n = notice_of("CHAI-404", payment_status::captured, "tx1");
    r = book.apply("chai", n, at, c);
    CHECK(r.error().code == "payments.unknown_order");
    CHECK_THAT(r.error().message, contains_substring("no order 'CHAI-404'"));
    n = notice_of(
        "CHAI\x1f"
        "1001",
        payment_status::captured, "tx1");
    CHECK(book.apply("chai", n, at, c).error().code == "payments.unknown_order");
    n = notice_of("CHAI-1001", payment_status::captured, "tx1");
    n.status.reset();
    CHECK(book.apply("chai", n, at, c).error().code == "payments.unknown_payment_status");
    n = notice_of("CHAI-1001", payment_status::captured, "tx1");
    CHECK(book.apply("chai", n, at, indian_customer(5)).error().code == "payments.wrong_customer");
    CHECK(book.find("chai", "CHAI-1001")->payment == payment_status::none);
  }
  SECTION("without the customer, the book finds whose order it is") {
    CHECK(change_of(book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx1"), at)) ==
          payment_change::advanced);
  }
}

TEST_CASE("order book: the order's statuses move forward only", "[payments][store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  manual_clock clock(payments_noon());
  order_book book(clock, u.get());
  const auto c = indian_customer();
  REQUIRE(book.create(chai_shop(), c, chai_order()));
  const auto move = [&](order_status s) {
    order_update up;
    up.reference_id = "CHAI-1001";
    up.status = s;
    up.body = "Update";
    return book.update("chai", up);
  };
  SECTION("cancel refused while a payment is pending or captured, allowed after a failure") {
    REQUIRE(book.apply("chai", notice_of("CHAI-1001", payment_status::pending, "tx1"), payments_noon(), c));
    auto r = move(order_status::canceled);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "payments.cancel_refused");
    CHECK_THAT(r.error().message, contains_substring("its payment is pending"));
    REQUIRE(book.apply("chai", failure_of("CHAI-1001", "tx1", "E1", "timeout"), payments_noon(), c));
    CHECK(move(order_status::canceled));
    r = move(order_status::processing);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "payments.invalid_transition");
    CHECK_THAT(r.error().message, contains_substring("is canceled; it cannot become processing"));
  }
  SECTION("pending -> processing -> partially-shipped -> shipped -> completed") {
    REQUIRE(book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx1"), payments_noon(), c));
    CHECK(move(order_status::canceled).error().code == "payments.cancel_refused");
    auto m = move(order_status::processing);
    REQUIRE(m);
    CHECK(nlohmann::json::parse(m->payload_json)["order"]["status"] == "processing");
    CHECK(move(order_status::partially_shipped));
    CHECK(move(order_status::processing).error().code == "payments.invalid_transition");
    CHECK(move(order_status::shipped));
    CHECK(move(order_status::shipped).error().code == "payments.invalid_transition");
    CHECK(move(order_status::completed));
    u.reopen();
    order_book after(clock, u.get());
    CHECK(after.find("chai", "CHAI-1001")->status == order_status::completed);
  }
  SECTION("an unknown order") {
    order_update up;
    up.reference_id = "NOPE";
    CHECK(book.update("chai", up).error().code == "payments.unknown_order");
  }
}

TEST_CASE("order book: 8 threads capturing one order count it once", "[payments][store][threads]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  manual_clock clock(payments_noon());
  order_book book(clock, u.get());
  const auto c = indian_customer();
  REQUIRE(book.create(chai_shop(), c, chai_order()));
  std::atomic<int> advanced{0}, duplicates{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = book.apply("chai", notice_of("CHAI-1001", payment_status::captured, "tx1"), payments_noon(),
                            i % 2 == 0 ? c : phone_number{});
        if (!r)
          ++errors;
        else if (r->change == payment_change::advanced)
          ++advanced;
        else if (r->change == payment_change::duplicate)
          ++duplicates;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(errors == 0);
  CHECK(advanced == 1);
  CHECK(duplicates == 8 * 25 - 1);
  auto report = make_payments_report(book, "chai", payments_noon() - 1h, payments_noon() + 1h);
  REQUIRE(report);
  REQUIRE(report->captured.size() == 1);
  CHECK(report->captured[0] == inr(37200));
}

TEST_CASE("order book: the pilot cap counts distinct paying customers exactly",
          "[payments][store][threads]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  manual_clock clock(payments_noon());
  payments_options options;
  options.pilot_cap = 5;
  order_book book(clock, u.get(), options);
  // 8 threads, 12 customers, 3 orders each: exactly 5 customers get in, and
  // each of them may order again.
  std::atomic<int> created{0}, capped{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 12; ++i) {
        const int customer = (i + t) % 12;
        auto r = book.create(chai_shop(), indian_customer(customer),
                             chai_order("T" + std::to_string(t) + "-" + std::to_string(i)));
        if (r)
          ++created;
        else if (r.error().code == "payments.pilot_cap")
          ++capped;
        else
          ++other;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(other == 0);
  CHECK(book.paying_customers("chai") == 5);
  CHECK(created + capped == 96);
  // Every order made belongs to one of five customers.
  std::set<std::string> owners;
  book.orders("chai", payments_noon() - 1h, payments_noon() + 1h, [&](const order_record& o) {
    owners.insert(o.customer.e164());
    return true;
  });
  CHECK(owners.size() == 5);
  CHECK(static_cast<int>(
            make_payments_report(book, "chai", payments_noon() - 1h, payments_noon() + 1h)->orders.size()) ==
        created.load());
  auto refused = book.create(chai_shop(), indian_customer(40), chai_order("LATE"));
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message,
             contains_substring("limited to 5 paying customers and has reached them; +919876543250"));
}

TEST_CASE("payments report: orders by status, totals by currency, failures, mismatches",
          "[payments][store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  manual_clock clock(payments_noon());
  order_book book(clock, u.get());
  // Day 1 (20 Nov): A captured, B failed twice then pending, C flagged. Day 2: D captured. Day 3: E, outside.
  REQUIRE(book.create(chai_shop(), indian_customer(1), chai_order("A")));
  REQUIRE(book.create(chai_shop(), indian_customer(2), chai_order("B")));
  REQUIRE(book.create(chai_shop(), indian_customer(3), chai_order("C")));
  const auto t = payments_noon() + 10min;
  REQUIRE(book.apply("chai", notice_of("A", payment_status::captured, "a1"), t));
  REQUIRE(book.apply("chai", failure_of("B", "b1", "U30", "insufficient funds"), t));
  REQUIRE(book.apply("chai", failure_of("B", "b2", "U69", "collect request expired"), t + 1min));
  REQUIRE(book.apply("chai", notice_of("B", payment_status::pending, "b3"), t + 2min));
  REQUIRE(book.apply("chai", notice_of("C", payment_status::captured, "c1", 30000), t));
  const auto later = [&](std::string ref) {  // an order with no expiry, for the days after
    auto o = chai_order(std::move(ref));
    o.expires.reset();
    return o;
  };
  clock.advance(24h);
  REQUIRE(book.create(chai_shop(), indian_customer(4), later("D")));
  REQUIRE(book.apply("chai", notice_of("D", payment_status::captured, "d1"), clock.now()));
  order_update ship;
  ship.reference_id = "D";
  ship.status = order_status::shipped;
  ship.body = "Shipped";
  REQUIRE(book.update("chai", ship));
  clock.advance(24h);
  REQUIRE(book.create(chai_shop(), indian_customer(5), later("E")));
  u.reopen();
  order_book after(clock, u.get());

  const auto zone = time_zone::locate("Asia/Kolkata").value();
  auto r = make_payments_report(after, "chai",
                                date::year_month_day{date::year{2026}, date::month{11}, date::day{20}},
                                date::year_month_day{date::year{2026}, date::month{11}, date::day{21}}, zone);
  REQUIRE(r);
  CHECK(r->orders.size() == 4);
  CHECK(r->by_status[static_cast<std::size_t>(order_status::pending)] == 3);
  CHECK(r->by_status[static_cast<std::size_t>(order_status::shipped)] == 1);
  CHECK(r->by_payment[static_cast<std::size_t>(payment_status::captured)] == 3);
  CHECK(r->by_payment[static_cast<std::size_t>(payment_status::pending)] == 1);
  REQUIRE(r->ordered.size() == 1);
  CHECK(r->ordered[0] == inr(4 * 37200));
  REQUIRE(r->captured.size() == 1);
  CHECK(r->captured[0] == inr(37200 + 30000 + 37200));
  REQUIRE(r->failures.size() == 2);
  CHECK(r->failures[0].reference_id == "B");
  CHECK(r->failures[0].failure.reason == "insufficient funds");
  CHECK(r->failures[1].failure.code == "U69");
  REQUIRE(r->flagged.size() == 1);
  CHECK(r->flagged[0].reference_id == "C");

  const auto j = nlohmann::json::parse(to_json(*r));
  CHECK(j["orders"] == 4);
  CHECK(j["captured"][0]["amount"] == "1044.00");
  CHECK(j["by_payment"]["captured"] == 3);
  CHECK(j["failed_payments"][1]["reason"] == "collect request expired");
  CHECK(j["mismatched_captures"][0]["captured"]["amount"] == "300.00");

  const auto csv = to_csv(*r);
  CHECK(csv.rfind("reference_id,customer,created,status,payment,currency,total,captured,", 0) == 0);
  CHECK_THAT(csv, contains_substring(
                      "\r\nB,+919876543212,2026-11-20T12:00:00Z,pending,pending,INR,372.00,,b3,2,\r\n"));
  CHECK_THAT(csv,
             contains_substring(
                 "\r\nD,+919876543214,2026-11-21T12:00:00Z,shipped,captured,INR,372.00,372.00,d1,0,\r\n"));
  CHECK_THAT(
      csv, contains_substring(",transaction 'c1' captured 300.00 INR; the order's total is 372.00 INR\r\n"));

  CHECK(make_payments_report(after, "chai", payments_noon(), payments_noon()).error().code ==
        "payments.invalid_period");
  CHECK(make_payments_report(after, "chai", payments_noon(), payments_noon() + 24h * 400).error().code ==
        "payments.invalid_period");
}
