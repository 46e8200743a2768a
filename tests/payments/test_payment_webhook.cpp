// Payment statuses from a real webhook body, decoded by wire and applied to
// the order book; the same body retried changes nothing; the feed hands
// payment statuses to the application instead of failing a message.
#include <string>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/feed/webhook_feed.hpp"
#include "chatdesk/payments/order_book.hpp"
#include "chatdesk/wire/webhook.hpp"
#include "helpers/catch.hpp"
#include "payments/payments_fixture.hpp"
#include "wire/fixture_support.hpp"

using namespace chatdesk;
using namespace chatdesk::test;

TEST_CASE("payment webhooks: decoded in full and applied once, even when retried", "[payments][wire]") {
  const auto body = slurp(wire_fixtures() / "platform" / "payments.json");
  auto batch = decode_webhook(body);
  REQUIRE(batch);
  REQUIRE(batch->events.size() == 4);
  const auto& captured = std::get<webhook_status>(batch->events[1]);
  CHECK(captured.type == "payment");
  CHECK_FALSE(captured.status);  // not a message's status
  REQUIRE(captured.payment);
  CHECK(captured.payment->reference_id == "CHAI-1001");
  CHECK(captured.payment->status == payment_status::captured);
  CHECK(captured.payment->amount == payment_amount{37200, 100});
  REQUIRE(captured.payment->transaction);
  CHECK(captured.payment->transaction->pg_transaction_id == "rzp_T1");
  CHECK(captured.payment->transaction->method == "upi");
  const auto& failed = std::get<webhook_status>(batch->events[2]);
  CHECK_FALSE(failed.status);  // "failed" here is the payment's, not the message's
  CHECK(failed.payment->transaction->error == payment_error{"U30", "Debit has failed"});

  manual_clock clock(payments_noon());
  memory_store store;
  order_book book(clock, store);
  REQUIRE(book.create(chai_shop(), indian_customer(0), chai_order("CHAI-1001")));
  auto second = chai_order("CHAI-1002");
  second.expires.reset();
  second.items.erase(second.items.begin());
  second.shipping.reset();
  second.discount.reset();
  second.tax.value = inr(0);
  REQUIRE(fill_totals(second));
  REQUIRE(book.create(chai_shop(), indian_customer(1), second));

  const auto apply_all = [&] {
    std::vector<std::string> outcomes;
    for (const auto& e : batch->events) {
      auto r = book.apply("chai", std::get<webhook_status>(e));
      outcomes.push_back(r ? std::string(to_string(r->change)) : r.error().code);
    }
    return outcomes;
  };
  CHECK(apply_all() ==
        std::vector<std::string>{"advanced", "advanced", "advanced", "payments.unknown_payment_status"});
  const auto first_pass = book.find("chai", "CHAI-1001");
  CHECK(apply_all() ==
        std::vector<std::string>{"stale", "duplicate", "duplicate", "payments.unknown_payment_status"});
  CHECK(book.find("chai", "CHAI-1001") == first_pass);
  CHECK(first_pass->payment == payment_status::captured);
  CHECK(first_pass->captured == inr(37200));
  CHECK(book.find("chai", "CHAI-1002")->failures.at(0).reason == "Debit has failed");

  SECTION("a message status is not a payment's") {
    webhook_status s;
    s.status_text = "read";
    CHECK(book.apply("chai", s).error().code == "payments.not_a_payment");
  }
  SECTION("the feed passes payment statuses to the application, and fails no message") {
    memory_store desk_store;
    desk d(clock, desk_store);
    auto shop = chai_shop();
    REQUIRE(d.add_business(shop));
    webhook_feed feed(d);
    auto report = feed.apply(*batch);
    CHECK(report.statuses == 0);
    CHECK(report.passed == 4);
  }
}
