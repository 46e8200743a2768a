// The pricing rules as pure functions: every combination of facts, checked
// against the platform's rules stated one by one, and the name tables.
#include <cstdint>
#include <string>
#include <vector>

#include "chatdesk/core/utf8.hpp"
#include "chatdesk/rules/pricing_rules.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

namespace {

constexpr std::array<message_kind, message_kind_count> kinds{
    message_kind::marketing, message_kind::utility, message_kind::authentication, message_kind::service};

date::year_month_day ymd(int y, unsigned m, unsigned d) {
  return date::year{y} / date::month{m} / date::day{d};
}

/// Calls `check` with every combination of facts (5 models x 4 kinds x 2
/// windows x 2 entry points x 16 open-conversation sets x 2 international x 5
/// counts x 2 dates x 2 reactions x 2 exemptions = 102,400 cases).
template <class F>
void every_fact(F&& check) {
  for (auto model : pricing_models)
    for (auto kind : kinds)
      for (bool window : {false, true})
        for (bool fep : {false, true})
          for (unsigned open = 0; open < 16; ++open)
            for (bool international : {false, true})
              for (std::uint64_t before : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{999},
                                           std::uint64_t{1000}, std::uint64_t{25'000'000}})
                for (auto day : {ymd(2024, 10, 31), ymd(2024, 11, 1)})
                  for (bool reaction : {false, true})
                    for (bool exempt : {false, true}) {
                      message_facts f;
                      f.model = model;
                      f.kind = kind;
                      f.local_date = day;
                      f.service_window_open_at_send = window;
                      f.in_entry_point = fep;
                      for (std::size_t k = 0; k < message_kind_count; ++k)
                        f.open_conversations[k] = (open >> k) & 1U;
                      f.international = international;
                      f.counted_before = before;
                      f.reaction = reaction && kind == message_kind::service;
                      f.exempt = exempt;
                      check(f, decide(f));
                    }
}

bool any_open(const message_facts& f) {
  for (bool o : f.open_conversations)
    if (o) return true;
  return false;
}

}  // namespace

TEST_CASE("every decision follows its model's rules", "[rules][pricing]") {
  std::size_t cases = 0;
  every_fact([&](const message_facts& f, const charge_decision& d) {
    ++cases;
    // The same facts give the same decision; free follows from the reason alone.
    REQUIRE(decide(f) == d);
    REQUIRE(d.free() == is_free(d.reason));
    // What is counted is the next number of the counter the model names.
    if (d.count != 0) {
      REQUIRE(d.count == f.counted_before + 1);
      REQUIRE(counter_for(f.model, f.kind, f.local_date) != monthly_counter::none);
    }
    REQUIRE(d.rank >= 1);
    // Under pmp_2026_10 a reaction is free whatever else holds, and counts nowhere.
    if (f.model == pricing_model::pmp_2026_10 && f.reaction) {
      REQUIRE(d.reason == charge_reason::reaction);
      REQUIRE(d.count == 0);
      return;
    }
    // A free entry point makes everything free, under the models that have them.
    if (f.in_entry_point && has_entry_points(f.model)) {
      REQUIRE(d.reason == charge_reason::free_entry_point);
      REQUIRE_FALSE(d.opens_conversation);
      REQUIRE(d.count == 0);
      return;
    }
    switch (f.model) {
      case pricing_model::legacy_2018:
        // Only the window at sending matters; entry points did not exist.
        REQUIRE(d.reason == (f.service_window_open_at_send ? charge_reason::inside_service_window
                                                           : charge_reason::outside_service_window));
        REQUIRE(d.rate == rate_key::message);
        REQUIRE_FALSE(d.opens_conversation);
        REQUIRE(d.count == 0);
        break;
      case pricing_model::cbp_2022:
        REQUIRE(d.rate ==
                (f.service_window_open_at_send ? rate_key::user_initiated : rate_key::business_initiated));
        if (any_open(f)) {
          REQUIRE(d.reason == charge_reason::conversation_open);
          REQUIRE_FALSE(d.opens_conversation);
        } else {
          REQUIRE(d.opens_conversation);
          REQUIRE(d.reason == (f.counted_before < 1000 ? charge_reason::free_tier_conversation
                                                       : charge_reason::opened_conversation));
          REQUIRE(d.rank == 1);
        }
        break;
      case pricing_model::cbp_2023: {
        REQUIRE(d.rate == rate_key_of(f.kind));
        const bool open = f.kind == message_kind::service
                              ? any_open(f)
                              : f.open_conversations[static_cast<std::size_t>(f.kind)];
        REQUIRE(d.opens_conversation == !open);
        if (open) {
          REQUIRE(d.free());
        } else if (f.kind != message_kind::service) {
          REQUIRE(d.reason == charge_reason::opened_category_conversation);
        } else if (f.local_date >= ymd(2024, 11, 1)) {
          REQUIRE(d.reason == charge_reason::service_conversation_free);
          REQUIRE(d.count == 0);
        } else {
          REQUIRE(d.reason == (f.counted_before < 1000 ? charge_reason::free_tier_service
                                                       : charge_reason::opened_category_conversation));
        }
        break;
      }
      case pricing_model::pmp_2025:
        REQUIRE_FALSE(d.opens_conversation);
        if (f.kind == message_kind::service) {
          REQUIRE(d.reason == charge_reason::free_form);
        } else if (f.kind == message_kind::utility && f.service_window_open_at_send) {
          REQUIRE(d.reason == charge_reason::utility_in_window);
        } else if (f.kind == message_kind::authentication && f.international) {
          REQUIRE(d.reason == charge_reason::authentication_international);
          REQUIRE(d.rate == rate_key::authentication_international);
          REQUIRE(d.count == 0);  // not in the volume tiers
        } else {
          // Marketing inside the window is charged as outside it.
          REQUIRE(d.reason == charge_reason::volume_tier);
          REQUIRE(d.rate == rate_key_of(f.kind));
          REQUIRE(d.rank == f.counted_before + 1);
        }
        break;
      case pricing_model::pmp_2026_10:
        REQUIRE_FALSE(d.opens_conversation);
        if (f.kind == message_kind::service) {
          // Counted in the number's free tier; beyond 1,000 charged at a flat
          // rate (rank 1), or free for an exempt business.
          REQUIRE(d.count == f.counted_before + 1);
          REQUIRE(d.rank == 1);
          REQUIRE(d.rate == rate_key::service);
          if (f.counted_before < 1000)
            REQUIRE(d.reason == charge_reason::free_tier_service_message);
          else
            REQUIRE(d.reason == (f.exempt ? charge_reason::paid_exempt : charge_reason::service_message));
        } else if (f.kind == message_kind::authentication && f.international) {
          REQUIRE(d.reason == charge_reason::authentication_international);
          REQUIRE(d.count == 0);
        } else {
          // Utility inside the window is charged like any template; exemption is for service only.
          REQUIRE(d.reason == charge_reason::volume_tier);
          REQUIRE(d.rate == rate_key_of(f.kind));
          REQUIRE(d.rank == f.counted_before + 1);
        }
        break;
    }
    // pmp_2025 never charges a service message; the exemption changes nothing but service under pmp_2026_10.
    if (f.model == pricing_model::pmp_2025 && f.kind == message_kind::service) REQUIRE(d.free());
  });
  CHECK(cases == 102'400);
}

TEST_CASE("decisions in the platform's words", "[rules][pricing]") {
  message_facts f;
  f.model = pricing_model::cbp_2022;
  f.kind = message_kind::marketing;
  f.counted_before = 41;
  auto d = decide(f);
  CHECK(describe(d) == "it opened conversation 42 of the month, within the first 1,000");
  f.counted_before = 1'041;
  CHECK(describe(decide(f)) == "it opened a business_initiated conversation (1042 of the month)");
  f.model = pricing_model::pmp_2025;
  f.kind = message_kind::authentication;
  f.international = true;
  CHECK(describe(decide(f), {"IN", "AE"}) ==
        "authentication-international: the business is in IN, the customer in AE");
  f.model = pricing_model::cbp_2023;
  f.kind = message_kind::service;
  f.local_date = ymd(2024, 11, 1);
  CHECK(describe(decide(f)) == "service conversations are free from 2024-11-01");
  f.kind = message_kind::utility;
  CHECK(describe(decide(f)) == "it opened a 24-hour utility conversation");
  // Every reason has a sentence in valid UTF-8, and a name that reads back.
  for (std::size_t i = 0; i < charge_reason_count; ++i) {
    charge_decision x;
    x.reason = static_cast<charge_reason>(i);
    const auto sentence = describe(x, {"IT", "IN"});
    CHECK_FALSE(sentence.empty());
    CHECK(utf8::valid(sentence));
    CHECK(parse_charge_reason(to_string(x.reason)).value() == x.reason);
  }
}

TEST_CASE("pmp_2026_10: the 1,000th service message of a number is free, the 1,001st is not",
          "[rules][pricing]") {
  message_facts f;
  f.model = pricing_model::pmp_2026_10;
  f.kind = message_kind::service;
  f.service_window_open_at_send = true;
  f.counted_before = 999;
  auto d = decide(f);
  CHECK(d.reason == charge_reason::free_tier_service_message);
  CHECK(d.count == 1000);
  CHECK(describe(d) == "service message 1000 of the month from this number, within the first 1,000 free");
  f.counted_before = 1000;
  d = decide(f);
  CHECK(d.reason == charge_reason::service_message);
  CHECK_FALSE(d.free());
  CHECK(platform_pricing_type(d.reason) == "regular");
  f.exempt = true;
  d = decide(f);
  CHECK(d.reason == charge_reason::paid_exempt);
  CHECK(d.free());
  CHECK(platform_pricing_type(d.reason) == "regular");
  f.reaction = true;
  CHECK(decide(f).reason == charge_reason::reaction);
  CHECK(platform_pricing_type(charge_reason::reaction) == "free_customer_service");
  CHECK(counter_for(pricing_model::pmp_2026_10, message_kind::service, ymd(2026, 10, 1)) ==
        monthly_counter::service_messages_of_number);
  CHECK(model_in_force(ymd(2026, 9, 30)) == pricing_model::pmp_2025);
  CHECK(model_in_force(ymd(2026, 10, 1)) == pricing_model::pmp_2026_10);
}

TEST_CASE("the platform's pricing types", "[rules][pricing]") {
  CHECK(platform_pricing_type(charge_reason::free_entry_point) == "free_entry_point");
  CHECK(platform_pricing_type(charge_reason::utility_in_window) == "free_customer_service");
  CHECK(platform_pricing_type(charge_reason::free_form) == "free_customer_service");
  CHECK(platform_pricing_type(charge_reason::volume_tier) == "regular");
  CHECK(platform_pricing_type(charge_reason::authentication_international) == "regular");
}

TEST_CASE("models, rate keys and kinds have one name table each", "[rules][pricing]") {
  for (auto m : pricing_models) CHECK(parse_pricing_model(to_string(m)).value() == m);
  auto bad = parse_pricing_model("pmp_2030");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "pricing.unknown_model");
  CHECK(bad.error().message.find("legacy_2018, cbp_2022, cbp_2023, pmp_2025, pmp_2026_10") !=
        std::string::npos);
  for (std::size_t i = 0; i < rate_key_count; ++i) {
    const auto k = static_cast<rate_key>(i);
    CHECK(parse_rate_key(to_string(k)).value() == k);
  }
  CHECK(parse_rate_key("tip").error().code == "pricing.unknown_rate_key");
  CHECK(parse_charge_reason("cheap").error().code == "pricing.unknown_reason");
  CHECK(to_string(message_kind::service) == "service");
  CHECK(kind_of(template_category::authentication) == message_kind::authentication);
  CHECK(rate_key_of(template_category::utility) == rate_key::utility);
  CHECK(required_rate_keys(pricing_model::cbp_2022).size() == 2);
  CHECK(required_rate_keys(pricing_model::cbp_2023).back() == rate_key::service);
}

TEST_CASE("the model in force changes on each model's first day", "[rules][pricing]") {
  for (std::size_t i = 1; i < pricing_models.size(); ++i) {
    const auto first = first_day(pricing_models[i]);
    CHECK(model_in_force(first) == pricing_models[i]);
    CHECK(model_in_force(date::sys_days{first} - date::days{1}) == pricing_models[i - 1]);
  }
  CHECK(model_in_force(ymd(2010, 1, 1)) == pricing_model::legacy_2018);
  CHECK_FALSE(has_entry_points(pricing_model::legacy_2018));
  CHECK(has_entry_points(pricing_model::cbp_2022));
  CHECK(counter_for(pricing_model::cbp_2023, message_kind::service, ymd(2024, 11, 1)) ==
        monthly_counter::none);
  CHECK(counter_for(pricing_model::cbp_2023, message_kind::service, ymd(2024, 10, 31)) ==
        monthly_counter::service_conversations);
  CHECK(counter_for(pricing_model::pmp_2025, message_kind::marketing, ymd(2025, 7, 1)) ==
        monthly_counter::category_in_market);
}
