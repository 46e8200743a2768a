// The worked day of docs/support.md, step by step: if this test changes, the page changes with it.
#include <string>
#include <vector>

#include "helpers/catch.hpp"
#include "support/support_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

TEST_CASE("a day at Bottega Rossi: a bot, two agents, hours in Rome", "[support][docs]") {
  // Tuesday 1 December 2026, Florence (UTC+1). 08:40 local is 07:40 UTC.
  support_fixture f(at("2026-12-01T07:40:00Z"));
  auto hours = business_hours::parse(R"({"zone":"Europe/Rome",
      "week":{"mon":["09:00-13:00","14:00-18:00"],"tue":["09:00-13:00","14:00-18:00"],
              "wed":["09:00-13:00","14:00-18:00"],"thu":["09:00-13:00","14:00-18:00"],
              "fri":["09:00-13:00","14:00-18:00"],"sat":["10:00-13:00"]},
      "holidays":["2026-12-08","2026-12-25","2026-12-26"]})")
                   .value();
  support_settings s;
  s.bot_first = true;
  s.hours = hours;
  s.out_of_office = "Siamo chiusi: rispondiamo dalle 9:00. / We open at 9:00.";
  s.sla.first_response = 30min;
  s.sla.next_response = 1h;
  s.sla.resolution = 8h;
  s.sla.business_hours_only = true;
  f.staff({person("giulia", 3, {"it", "en"}), person("marco", 2, {"it"})},
          crew("shop-floor", {"giulia", "marco"}, routing_policy::balanced), s);

  // 08:40 Maria writes; the bot has her.
  f.writes(1, "Ciao, avete la taglia M?");
  CHECK(f.support->conversation(key_of(1))->with == handler::bot);
  // 08:42 she asks for a person: handed off, queued outside hours, one out-of-office reply.
  f.clock.advance(2min);
  f.writes(1, "operatore");
  auto c = f.support->conversation(key_of(1));
  CHECK(c->with == handler::person);
  CHECK(f.log.of(support_event_kind::queued).back().reason ==
        "queued: team shop-floor is outside its hours; it opens 2026-12-01 09:00 CET");
  CHECK(f.wire.delivered.size() == 1);
  // Her first-response clock counts business time only: due 09:30, warning at 09:24.
  CHECK(c->clock_of(sla_metric::first_response).due == at("2026-12-01T08:30:00Z"));
  CHECK(c->clock_of(sla_metric::first_response).warn_at == at("2026-12-01T08:24:00Z"));

  // 09:00 Giulia comes online and takes Maria at once; then Marco.
  f.clock.set(at("2026-12-01T08:00:00Z"));
  f.online("giulia");
  CHECK(f.holder(1) == "giulia");
  CHECK(f.log.of(support_event_kind::assigned).back().reason ==
        "assigned to giulia: holds 0 of 3, the fewest among the 1 online agent with room in team shop-floor");
  f.online("marco");

  // 09:05 Luca writes and asks for a person at once: Marco holds fewer.
  f.clock.set(at("2026-12-01T08:05:00Z"));
  f.writes(2, "agent");
  CHECK(f.holder(2) == "marco");

  // 09:12 Giulia answers Maria: first response in 12 minutes of business time.
  f.clock.set(at("2026-12-01T08:12:00Z"));
  REQUIRE(f.support->reply(key_of(1), "giulia", text_content{"Ciao Maria, sì: la M è disponibile."}));
  c = f.support->conversation(key_of(1));
  CHECK(c->clock_of(sla_metric::first_response).consumed == 12min);
  CHECK_FALSE(c->clock_of(sla_metric::first_response).breached);

  // 09:29 Luca's clock warns (24 of 30 minutes); 09:35 it breaches: Marco has not answered.
  f.clock.set(at("2026-12-01T08:28:59Z"));
  f.support->tick();
  CHECK(f.log.count(support_event_kind::sla_warning) == 0);
  f.clock.set(at("2026-12-01T08:29:00Z"));
  f.support->tick();
  CHECK(f.log.of(support_event_kind::sla_warning).back().key == key_of(2));
  f.clock.set(at("2026-12-01T08:35:00Z"));
  f.support->tick();
  CHECK(f.log.of(support_event_kind::sla_breached).back().key == key_of(2));
  CHECK(f.log.of(support_event_kind::sla_breached).back().agent == "marco");

  // 12:40 Maria asks again; lunch (13-14) does not count: her next response is due 14:40.
  f.clock.set(at("2026-12-01T11:40:00Z"));
  f.writes(1, "Posso cambiarla in negozio?");
  c = f.support->conversation(key_of(1));
  CHECK(c->clock_of(sla_metric::next_response).due == at("2026-12-01T13:40:00Z"));

  // 12:50 Marco leaves without answering Luca: Luca goes back to the queue, and to Giulia.
  f.clock.set(at("2026-12-01T11:50:00Z"));
  REQUIRE(f.support->set_presence("shop", "marco", presence::offline));
  CHECK(f.holder(2) == "giulia");

  // 14:10 Giulia answers Maria (30 minutes of business time) and resolves it.
  f.clock.set(at("2026-12-01T13:10:00Z"));
  REQUIRE(f.support->reply(key_of(1), "giulia", text_content{"Certo, entro 30 giorni."}));
  REQUIRE(f.support->resolve(key_of(1), "agent:giulia"));
  c = f.support->conversation(key_of(1));
  CHECK(c->next_responses == 1);
  CHECK(c->next_response_time == 30min);
  CHECK(c->status == support_status::resolved);
  // Resolution: 09:00-13:00 and 14:00-14:10 of business time.
  CHECK(c->clock_of(sla_metric::resolution).consumed == 4h + 10min);
  CHECK(f.holding("giulia") == 1);
}
