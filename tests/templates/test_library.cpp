#include <chrono>
#include <string_view>
#include <vector>

#include "chatdesk/engine/desk.hpp"
#include "chatdesk/templates/catalog.hpp"
#include "chatdesk/templates/library.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

namespace {
template_definition def(const char* name, const char* language) {
  template_definition d;
  d.name = name;
  d.language = language;
  d.body = "Hello {{1}}";
  return d;
}
}  // namespace

TEST_CASE("every catalog template is valid and round-trips through JSON", "[templates][catalog]") {
  const auto all = catalog::all();
  CHECK(all.size() == catalog::names().size() * catalog::languages().size());
  for (const auto& d : all) {
    INFO(d.name << " " << d.language);
    CHECK(validate(d).empty());
    CHECK(d.status == template_status::approved);
    CHECK(to_json(template_from_json(to_json(d)).value()) == to_json(d));
  }
  // Each data file holds the template its name says (templates/catalog/<name>.<language>.json).
  CHECK(catalog::names().size() == 9);
  CHECK(catalog::languages() == std::vector<std::string_view>{"en_US", "it"});
  for (const auto name : catalog::names())
    for (const auto language : catalog::languages()) {
      auto d = catalog::get(name, language);
      REQUIRE(d);
      CHECK(d->name == name);
      CHECK(d->language == language);
    }
  CHECK(catalog::get("boarding_pass", "it")->header == header_format::document);
  CHECK(catalog::get("one_time_passcode", "en_US")->category == template_category::authentication);
  CHECK(catalog::get("nope", "it").error().code == "template.not_in_catalog");
}

TEST_CASE("lookup falls back from en_GB to en, then to other variants, never to another language",
          "[templates][library]") {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  template_library lib(clock);
  REQUIRE(lib.add("shop", def("welcome", "en")));
  REQUIRE(lib.add("shop", def("welcome", "it")));
  REQUIRE(lib.add("shop", def("other", "en_US")));

  auto exact = lib.lookup("shop", "welcome", "it").value();
  CHECK(exact.definition.language == "it");
  CHECK_FALSE(exact.fallback);
  auto gb = lib.lookup("shop", "welcome", "en_GB").value();
  CHECK(gb.definition.language == "en");
  CHECK(gb.fallback);
  auto variant = lib.lookup("shop", "other", "en").value();
  CHECK(variant.definition.language == "en_US");
  CHECK(variant.fallback);
  auto fr = lib.lookup("shop", "welcome", "fr");
  REQUIRE_FALSE(fr);
  CHECK(fr.error().code == "template.not_found");
  CHECK(fr.error().message == "template 'welcome' has no 'fr' version (it has: en, it)");
  CHECK(lib.lookup("shop", "ghost", "en").error().message == "business 'shop' has no template 'ghost'");
  CHECK(lib.lookup("other_shop", "welcome", "en").error().code == "template.not_found");
  CHECK(lib.languages("shop", "welcome") == std::vector<std::string>{"en", "it"});

  auto bad = def("Bad Name", "en");
  auto refused = lib.add("shop", bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "template.invalid_definition");
}

TEST_CASE("a RED template is paused for 3 hours, then 6, then disabled", "[templates][library]") {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  template_library lib(clock);
  REQUIRE(lib.add("shop", def("promo", "it")));
  CHECK(lib.set_quality("shop", "promo", "it", quality_rating::yellow).value() == template_status::approved);
  CHECK(lib.set_quality("shop", "promo", "it", quality_rating::red).value() == template_status::paused);
  CHECK(lib.find("shop", "promo", "it")->status == template_status::paused);
  CHECK(lib.find("shop", "promo", "it")->status_reason ==
        "quality RED: paused for 3 hours, until 2026-03-02T12:00:00Z");
  clock.advance(3h - 1s);
  CHECK(lib.find("shop", "promo", "it")->status == template_status::paused);
  clock.advance(1s);
  CHECK(lib.find("shop", "promo", "it")->status == template_status::approved);

  // RED again while still RED changes nothing; after recovering, the second RED pauses for 6 hours.
  CHECK(lib.set_quality("shop", "promo", "it", quality_rating::red).value() == template_status::approved);
  CHECK(lib.set_quality("shop", "promo", "it", quality_rating::green).value() == template_status::approved);
  CHECK(lib.set_quality("shop", "promo", "it", quality_rating::red).value() == template_status::paused);
  clock.advance(6h - 1s);
  CHECK(lib.find("shop", "promo", "it")->status == template_status::paused);
  clock.advance(1s);
  CHECK(lib.find("shop", "promo", "it")->status == template_status::approved);
  CHECK(lib.set_quality("shop", "promo", "it", quality_rating::yellow).value() == template_status::approved);
  CHECK(lib.set_quality("shop", "promo", "it", quality_rating::red).value() == template_status::disabled);
  clock.advance(24h);
  CHECK(lib.find("shop", "promo", "it")->status == template_status::disabled);
  CHECK(lib.set_quality("shop", "nope", "it", quality_rating::red).error().code == "template.not_found");

  REQUIRE(lib.set_status("shop", "promo", "it", template_status::approved, "appeal granted"));
  CHECK(lib.find("shop", "promo", "it")->status == template_status::approved);
}

TEST_CASE("the library is the desk's template directory", "[templates][library]") {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  template_library lib(clock);
  REQUIRE(lib.add("shop", catalog::get("shipping_update", "it").value()));
  memory_store store;
  desk d(clock, store);
  business b;
  b.id = "shop";
  b.numbers.push_back({"n1", phone_number::parse("+390551234567").value(), 80});
  d.add_business(b).value();
  d.set_template_directory(&lib);
  const auto customer = phone_number::parse("+393331234567").value();
  template_content shipping{"shipping_update",
                            "it",
                            template_category::utility,
                            {{"customer_name", "Maria"},
                             {"order_number", "A-1"},
                             {"carrier", "BRT"},
                             {"tracking_number", "T9"},
                             {"delivery_date", "5 marzo"}}};
  shipping.buttons.push_back({0, template_button_kind::url, "T9"});
  send_intent intent{"shop", "", customer, shipping, ""};
  CHECK(d.check(intent).value().allowed);

  // The desk checks the values against the definition before any transport call.
  auto bad = intent;
  std::get<template_content>(bad.content).parameters.clear();
  auto refused = d.check(bad).value();
  CHECK_FALSE(refused.allowed);
  CHECK(refused.policy == "template_values");
  CHECK(refused.refusal->code == "policy.template_values");
  CHECK(refused.refusal->message ==
        "template 'shipping_update' (it): the body variable {{customer_name}} has no value");
  bad = intent;
  std::get<template_content>(bad.content).parameters.push_back({"coupon", "X"});
  CHECK(d.check(bad).value().refusal->code == "policy.template_values");
  bad = intent;
  std::get<template_content>(bad.content).buttons.clear();
  CHECK(d.check(bad).value().refusal->where == "button 0 (Traccia la spedizione)");
  bad = intent;
  std::get<template_content>(bad.content).language = "en_US";
  refused = d.check(bad).value();
  CHECK(refused.refusal->code == "policy.template_language");
  CHECK(refused.refusal->message ==
        "template 'shipping_update' has no 'en_US' version for business 'shop' (it has: it)");
  bad = intent;
  std::get<template_content>(bad.content).name = "nope";
  CHECK(d.check(bad).value().refusal->code == "policy.unknown_template");

  REQUIRE(lib.set_quality("shop", "shipping_update", "it", quality_rating::red));
  auto paused = d.check(intent).value();
  CHECK(paused.refusal->code == "policy.template_not_approved");
  CHECK(paused.refusal->message ==
        "template 'shipping_update' (it) is PAUSED (quality RED: paused for 3 hours, "
        "until 2026-03-02T12:00:00Z): only APPROVED templates can be sent");
  clock.advance(3h);
  CHECK(d.check(intent).value().allowed);
}
