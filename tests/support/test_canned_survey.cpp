#include <map>
#include <string>
#include <variant>

#include "chatdesk/templates/library.hpp"
#include "helpers/catch.hpp"
#include "support/support_fixture.hpp"

using namespace chatdesk;
using namespace chatdesk::test;
using namespace std::chrono_literals;

TEST_CASE("canned responses fill their placeholders, or say which value is missing", "[support][canned]") {
  support_fixture f;
  f.staff({person("giulia")}, crew("care", {"giulia"}));
  f.online("giulia");
  REQUIRE(f.desk->receive(f.from_customer(1, "wamid.c1", "ciao"), "Maria Rossi"));
  REQUIRE(f.support->put_canned(
      "shop", {"refund",
               "Ciao {{customer_name}}, sono {{agent_name}} di {{business_name}}: il rimborso "
               "dell'ordine {{order_id}} parte oggi."}));
  REQUIRE(f.support->put_canned("shop", {"hi", "Ciao!"}));
  const auto filled = f.support->fill_canned(key_of(1), "refund", {{"order_id", "A-1042"}});
  REQUIRE(filled);
  CHECK(*filled ==
        "Ciao Maria Rossi, sono giulia di Bottega Rossi: il rimborso dell'ordine A-1042 parte oggi.");
  const auto missing = f.support->fill_canned(key_of(1), "refund");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "support.missing_value");
  CHECK(missing.error().where == "order_id");
  CHECK(f.support->fill_canned(key_of(1), "nope").error().code == "support.unknown_canned");
  // Refused as written.
  CHECK(f.support->put_canned("shop", {"bad", "Ciao {{Customer Name}}"}).error().code ==
        "support.invalid_canned");
  CHECK(f.support->put_canned("shop", {"bad", "Ciao {{name"}).error().code == "support.invalid_canned");
  CHECK(f.support->put_canned("shop", {"", "text"}).error().where == "code");
  CHECK(f.support->put_canned("shop", {"empty", ""}).error().where == "text");
  // Listed by code, removed, and kept in the store.
  auto list = f.support->canned("shop");
  REQUIRE(list.size() == 2);
  CHECK(list[0].code == "hi");
  REQUIRE(f.support->remove_canned("shop", "hi"));
  CHECK(f.support->remove_canned("shop", "hi").error().code == "support.unknown_canned");
  support_desk again(*f.desk, f.st, f.clock);
  CHECK(again.remove_canned("shop", "zzz").error().code == "support.unknown_canned");
  list = again.canned("shop");
  REQUIRE(list.size() == 1);
  CHECK(list[0].code == "refund");
}

TEST_CASE("a survey inside the window is a free list message; the answer is recorded after resolution",
          "[support][survey]") {
  support_fixture f;
  f.staff({person("giulia")}, crew("care", {"giulia"}));
  f.online("giulia");
  f.writes(1, "ciao");
  REQUIRE(f.support->reply(key_of(1), "giulia", text_content{"Fatto!"}));
  REQUIRE(f.support->resolve(key_of(1), "agent:giulia"));
  const auto sent = f.support->send_survey(key_of(1), "agent:giulia");
  REQUIRE(sent);
  CHECK(sent->sent.decision.allowed);
  CHECK_FALSE(sent->as_template);
  const auto transcript = f.st.transcript(key_of(1));
  REQUIRE(transcript.back().message);
  const auto* list = std::get_if<interactive_content>(&transcript.back().message->content);
  REQUIRE(list != nullptr);
  CHECK(list->kind == interactive_kind::list);
  REQUIRE(list->options.size() == 5);
  CHECK(list->options[4].id == "csat_5");
  CHECK(f.log.count(support_event_kind::survey_sent) == 1);
  // The customer picks a row: recorded, told, and the conversation stays resolved.
  auto answer = f.from_customer(1, "wamid.answer");
  interactive_content reply;
  reply.kind = interactive_kind::list_reply;
  reply.reply_id = "csat_4";
  reply.reply_title = "4 ****";
  answer.content = reply;
  REQUIRE(f.desk->receive(answer));
  const auto c = f.support->conversation(key_of(1));
  REQUIRE(c);
  CHECK(c->csat == 4);
  CHECK(c->status == support_status::resolved);
  CHECK(c->last_agent == "giulia");
  CHECK(f.log.of(support_event_kind::survey_answered).back().detail == "4");
  CHECK(f.log.count(support_event_kind::reopened) == 0);
}

TEST_CASE("a survey outside the window needs a template, and says it may be charged as marketing",
          "[support][survey]") {
  manual_clock templates_clock{at("2026-03-02T09:00:00Z")};
  template_library lib(templates_clock);
  template_definition survey;
  survey.name = "csat_request";
  survey.language = "it";
  survey.body = "Come valuta il nostro aiuto di oggi? Risponda da 1 a 5.";
  REQUIRE(lib.add("shop", survey));
  support_options o;
  o.templates = &lib;
  support_fixture f(at("2026-03-02T09:00:00Z"), std::make_unique<memory_store>(), o);
  f.staff({person("giulia")}, crew("care", {"giulia"}));
  f.online("giulia");
  f.writes(1, "Buongiorno, il mio ordine non è arrivato");
  REQUIRE(f.support->resolve(key_of(1), "agent:giulia"));
  f.clock.advance(25h);  // the window closed
  const auto refused = f.support->send_survey(key_of(1), "app");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "support.no_survey_template");
  support_settings s;
  s.default_team = "care";
  s.survey_template = "csat_request";
  REQUIRE(f.support->configure("shop", s));
  const auto sent = f.support->send_survey(key_of(1), "app");
  REQUIRE(sent);
  CHECK(sent->as_template);
  CHECK(sent->sent.decision.allowed);
  const auto transcript = f.st.transcript(key_of(1));
  REQUIRE(transcript.back().message);
  const auto* sent_template = std::get_if<template_content>(&transcript.back().message->content);
  REQUIRE(sent_template != nullptr);
  CHECK(sent_template->name == "csat_request");
  CHECK(sent_template->language == "it");
  CHECK(sent->note ==
        "sent as the utility template csat_request (it): the platform may recategorize a survey template as "
        "marketing, which is charged at the marketing rate");
}
