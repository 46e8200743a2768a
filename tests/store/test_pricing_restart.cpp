// Pricing survives a restart: a month priced by a ledger fed live by the desk,
// with the application restarted half-way (the ledger rebuilt from the desk's
// journal in the SQLite file), gives exactly the invoice of the same month
// without a restart, under every pricing model.
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/feed/webhook_feed.hpp"
#include "chatdesk/pricing/formats.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "engine/desk_fixture.hpp"
#include "helpers/catch.hpp"
#include "helpers/rate_cards.hpp"
#include "store/store_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;

namespace {

/// An application: a desk over a SQLite file, a ledger fed by it.
struct app {
  app(store& st, manual_clock& clock, const rate_cards& cards, bool replay)
      : l(cards), bridge(l, d0(st, clock)) {
    if (replay) REQUIRE(d->replay_journal(bridge));
    d->subscribe(&bridge);
  }
  ~app() { d->unsubscribe(&bridge); }
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  chatdesk::desk& d0(store& st, manual_clock& clock) {
    d = std::make_unique<chatdesk::desk>(clock, st, &wire);
    if (!d->find_business("shop")) {
      auto b = shop(messaging_tier::tier_10k);
      d->add_business(b).value();
    }
    return *d;
  }

  function_transport wire{[](const outbound_message& m) {
    return transport_answer::accepted("wamid.out." + m.message.correlation_id);  // unique, as the platform's
  }};
  std::unique_ptr<chatdesk::desk> d;
  ledger l;
  ledger_bridge bridge;
};

/// Day `day` of the month's traffic: customers write (some from an ad), the
/// shop answers in the window, sends marketing and utility templates, and the
/// platform reports statuses.
void traffic_of_day(chatdesk::desk& d, manual_clock& clock, timestamp month, int day) {
  clock.set(month + std::chrono::hours(24 * day + 8));
  for (int c = 0; c < 12; ++c) {
    // North America: every card of every model prices it.
    const auto customer = number(fmt::format("+1415555{:04}", 100 + c).c_str());
    clock.advance(std::chrono::minutes(7));
    if ((c + day) % 3 == 0) {
      message m;
      m.id = fmt::format("wamid.in.{}.{}", day, c);
      m.business_number_id = "n1";
      m.customer = customer;
      m.at = clock.now();
      m.content = text_content{"hello"};
      if (c % 5 == 0 && day % 4 == 0)
        m.referral = referral{"ad", "1", "", "", "", fmt::format("clid-{}", day), "", "", "", ""};
      REQUIRE(d.receive(m));
    }
    std::vector<content> sends;
    if (d.window("n1", customer).service_window_open) sends.emplace_back(text_content{"thanks"});
    if ((c + day) % 2 == 0)
      sends.emplace_back(template_content{"promo", "en_US", template_category::marketing, {}});
    if ((c + day) % 5 == 1)
      sends.emplace_back(template_content{"order_update", "en_US", template_category::utility, {}});
    for (auto& content : sends) {
      clock.advance(std::chrono::seconds(30));
      auto sent = d.send({"shop", "n1", customer, std::move(content), ""}).value();
      if (!sent.decision.allowed) continue;
      clock.advance(std::chrono::seconds(2));
      INFO(sent.message_id);
      auto applied = d.apply_status(status(sent.message_id, message_status::sent, clock.now()));
      if (!applied) FAIL(applied.error().to_string());
      clock.advance(std::chrono::seconds(2));
      REQUIRE(d.apply_status(status(sent.message_id, message_status::delivered, clock.now())));
      if ((c + day) % 4 == 0)
        REQUIRE(d.apply_status(status(sent.message_id, message_status::read, clock.now())));
    }
  }
}

}  // namespace

TEST_CASE("a month priced with a restart in the middle gives the invoice of one without",
          "[store][pricing]") {
  const auto month = at(GENERATE("2019-03-01T00:00:00Z",    // legacy_2018
                                 "2022-06-01T00:00:00Z",    // cbp_2022
                                 "2024-03-01T00:00:00Z",    // cbp_2023
                                 "2026-03-01T00:00:00Z",    // pmp_2025
                                 "2026-11-01T00:00:00Z"));  // pmp_2026_10
  const auto kind = GENERATE(from_range(durable_store_kinds()));
  INFO(format_timestamp(month) << " " << kind);
  const auto cards = all_cards();
  constexpr int days = 28;

  std::string without;
  {
    store_under_test u(kind);
    manual_clock clock{month};
    app a(u.get(), clock, cards, false);
    for (int day = 0; day < days; ++day) traffic_of_day(*a.d, clock, month, day);
    for (const auto& p : a.bridge.take_problems()) FAIL_CHECK(p.to_string());
    const auto inv = a.l.invoice();
    CHECK(inv.lines.size() + inv.free.size() > 1);  // something was priced (cbp_2022's first 1,000 are free)
    without = to_json(inv).dump();
  }
  std::string with;
  {
    store_under_test u(kind);
    manual_clock clock{month};
    {
      app first(u.get(), clock, cards, false);
      for (int day = 0; day < days / 2; ++day) traffic_of_day(*first.d, clock, month, day);
    }  // the application stops: its ledger's memory is gone
    u.reopen();
    app second(u.get(), clock, cards, true);
    for (int day = days / 2; day < days; ++day) traffic_of_day(*second.d, clock, month, day);
    for (const auto& p : second.bridge.take_problems()) FAIL_CHECK(p.to_string());
    with = to_json(second.l.invoice()).dump();
  }
  CHECK(with == without);
}
