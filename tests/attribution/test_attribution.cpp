// Attribution over every store: a link's reference token or an ad's referral
// names the conversation's source when the customer's first message arrives;
// answers within the window and paid orders are counted per source.
#include <string>

#include <nlohmann/json.hpp>

#include "chatdesk/attribution/attribution.hpp"
#include "chatdesk/links/click_to_chat.hpp"
#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"
#include "payments/payments_fixture.hpp"
#include "store/store_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

namespace {

struct shop_day {
  manual_clock clock{payments_noon()};
  test_transport wire;
  store& st;
  desk d;
  attribution_tracker tracker;
  order_book orders;
  int next = 0;

  explicit shop_day(store& s) : st(s), d(clock, s, &wire), tracker(d, s), orders(clock, s) {
    d.add_business(chai_shop()).value();
  }

  message from(const phone_number& who, std::string body) {
    message m;
    m.direction = direction::inbound;
    m.id = "wamid.in." + std::to_string(++next);
    m.business_number_id = "in-1";
    m.customer = who;
    m.at = clock.now();
    m.content = text_content{std::move(body)};
    return m;
  }
  void writes(const phone_number& who, std::string body) { REQUIRE(d.receive(from(who, std::move(body)))); }
  void clicks_ad(const phone_number& who, std::string ad, std::string clid) {
    auto m = from(who, "Is this in stock?");
    referral r;
    r.source_type = "ad";
    r.source_id = std::move(ad);
    r.ctwa_clid = std::move(clid);
    r.headline = "Diwali chai";
    m.referral = r;
    REQUIRE(d.receive(m));
  }
  void answers(const phone_number& who) {
    send_intent i;
    i.business_id = "chai";
    i.customer = who;
    i.content = text_content{"Hello! Here is your order."};
    auto r = d.send(i);  // refused outside the window: then nothing is answered
    // The platform's "sent" status tells the desk the answer went out.
    if (r && !r->message_id.empty())
      REQUIRE(d.apply_status(status(r->message_id, message_status::sent, clock.now())));
  }
  void orders_and_pays(const phone_number& who, const std::string& ref, bool pays) {
    auto o = chai_order(ref);
    o.expires.reset();
    REQUIRE(orders.create(chai_shop(), who, o));
    if (pays) {
      payment_notice n;
      n.reference_id = ref;
      n.status = payment_status::captured;
      n.amount = payment_amount{37200, 100};
      n.currency = "INR";
      REQUIRE(orders.apply("chai", n, clock.now(), who));
    }
  }
};

const source_figures* find(const attribution_report& r, std::string_view kind, std::string_view id) {
  for (const auto& f : r.sources)
    if (f.source.kind == kind && f.source.id == id) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("source_of: a referral first, else a link's reference token", "[attribution]") {
  message m;
  m.content = text_content{"Ciao! [ref:diwali-26]"};
  auto s = source_of(m);
  REQUIRE(s);
  CHECK(*s == conversation_source{"link", "diwali-26", {}});
  referral r;
  r.source_type = "ad";
  r.source_id = "120201";
  r.ctwa_clid = "ARAkLk";
  m.referral = r;
  CHECK(source_of(m) == conversation_source{"ad", "120201", "ARAkLk"});
  m.referral->source_type.clear();
  CHECK(source_of(m)->kind == "referral");
  m.referral.reset();
  m.content = text_content{"no token here, nor [ref:] nor [ref:a b]"};
  CHECK_FALSE(source_of(m));
  // The drafted text of a link made by the links module reads back.
  link_options o;
  o.text = "I'd like the chai";
  o.ref = "page-home";
  auto link = make_link(indian_customer(), o);
  REQUIRE(link);
  m.content = text_content{percent_decode(link->substr(link->find("text=") + 5)).value()};
  CHECK(source_of(m)->id == "page-home");
}

TEST_CASE("attribution: conversations, answers within the window and paid orders per source",
          "[attribution][store]") {
  store_under_test u(GENERATE(from_range(store_kinds())));
  INFO(u.kind());
  const auto a = indian_customer(1), b = indian_customer(2), c = indian_customer(3), e = indian_customer(4),
             f = indian_customer(5);
  {
    shop_day s(u.get());
    // a: from the home page's link, answered, pays.
    s.writes(a, "Hi! [ref:page-home]");
    s.clock.advance(5min);
    s.answers(a);
    s.orders_and_pays(a, "A1", true);
    // b: from the ad, writes again in the same window (one conversation), never answered, orders but does not
    // pay.
    s.clicks_ad(b, "ad-77", "clid-b");
    s.clock.advance(1h);
    s.writes(b, "hello?");
    s.orders_and_pays(b, "B1", false);
    // c: from the ad too; answered after the window closed: not within it.
    s.clicks_ad(c, "ad-77", "clid-c");
    s.clock.advance(25h);
    s.answers(c);  // a free-form answer after the window is refused by the desk: not answered
    // e: writes with no source, orders and pays: no credit.
    s.writes(e, "hello");
    s.orders_and_pays(e, "E1", true);
    // f: the home page link twice within one window is one conversation; the ad later is another.
    s.writes(f, "[ref:page-home]");
    s.writes(f, "[ref:page-home] again");
    s.answers(f);
    s.clock.advance(2h);
    s.clicks_ad(f, "ad-77", "clid-f");
    s.orders_and_pays(f, "F1", true);  // credited to the ad, the latest source
    CHECK(s.tracker.problems().empty());
    const auto latest = s.tracker.source_at("chai", f, s.clock.now());
    REQUIRE(latest);
    CHECK(latest->source == conversation_source{"ad", "ad-77", "clid-f"});
  }
  u.reopen();  // the report reads what the store kept
  manual_clock clock(payments_noon());
  order_book orders(clock, u.get());
  auto r = make_attribution_report(u.get(), "chai", payments_noon() - 1h, payments_noon() + 48h, &orders);
  REQUIRE(r);
  const auto* home = find(*r, "link", "page-home");
  const auto* ad = find(*r, "ad", "ad-77");
  const auto* none = find(*r, "none", "");
  REQUIRE(home);
  REQUIRE(ad);
  REQUIRE(none);
  CHECK(home->conversations == 2);       // a, f
  CHECK(home->answered_in_window == 2);  // a, f
  CHECK(home->orders == 1);              // A1
  CHECK(home->paid_orders == 1);
  CHECK(home->paid == std::vector<money>{inr(37200)});
  CHECK(ad->conversations == 3);       // b, c, f
  CHECK(ad->answered_in_window == 0);  // b never, c too late, f not answered after the ad
  CHECK(ad->orders == 2);              // B1, F1
  CHECK(ad->paid_orders == 1);         // F1
  CHECK(none->orders == 1);            // E1
  CHECK(none->paid_orders == 1);
  CHECK(r->sources.back().source.kind == "none");

  const auto j = nlohmann::json::parse(to_json(*r));
  CHECK(j["sources"][0]["kind"] == "ad");
  CHECK(j["sources"][0]["paid"][0]["amount"] == "372.00");
  const auto csv = to_csv(*r);
  CHECK_THAT(csv, contains_substring("\r\nlink,page-home,2,2,1,1,372.00 INR\r\n"));
  CHECK_THAT(csv, contains_substring("\r\nad,ad-77,3,0,2,1,372.00 INR\r\n"));

  // A period that holds none of it.
  auto empty =
      make_attribution_report(u.get(), "chai", payments_noon() + 72h, payments_noon() + 96h, &orders);
  REQUIRE(empty);
  CHECK(empty->sources.empty());
  CHECK(make_attribution_report(u.get(), "chai", payments_noon(), payments_noon()).error().code ==
        "attribution.invalid_period");
}

TEST_CASE("attribution: an ad's referral opens the free entry point, as pricing models it", "[attribution]") {
  memory_store st;
  shop_day s(st);
  s.clicks_ad(indian_customer(1), "ad-1", "clid");
  CHECK(s.d.window("in-1", indian_customer(1)).entry_point_pending);
  s.answers(indian_customer(1));
  CHECK(s.d.window("in-1", indian_customer(1)).entry_point_open);
}
