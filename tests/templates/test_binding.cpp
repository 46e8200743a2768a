#include <string>

#include <nlohmann/json.hpp>

#include "chatdesk/templates/binding.hpp"
#include "chatdesk/templates/catalog.hpp"
#include "chatdesk/templates/checked.hpp"
#include "helpers/catch.hpp"
#include "templates/test_definitions.hpp"

using namespace chatdesk;

namespace {

using test::positional;

std::string refusal(const template_definition& d, const template_arguments& a) {
  auto r = bind(d, a);
  return r ? std::string("bound") : r.error().code;
}

decimal dec(const char* s) {
  return decimal::parse(s).value();
}
timestamp at(const char* s) {
  return parse_timestamp(s).value();
}

}  // namespace

TEST_CASE("positional values bind in order and render exactly", "[templates][bind]") {
  auto d = positional("Hi {{1}}, order {{2}} ships {{3}}. Thanks, {{1}}!");
  template_arguments a;
  a.add("Maria").add("A-1").add("today");
  auto b = bind(d, a).value();
  CHECK(b.body == "Hi Maria, order A-1 ships today. Thanks, Maria!");
  REQUIRE(b.body_values.size() == 3);
  CHECK(b.body_values[0].key == "1");
}

TEST_CASE("wrong counts, missing and unknown values are refused before sending", "[templates][bind]") {
  auto d = positional("Hi {{1}}, order {{2}}.");
  template_arguments one;
  one.add("Maria");
  auto r = bind(d, one);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "template.parameter_count");
  CHECK(r.error().message == "the body of 't' takes 2 values, got 1");
  template_arguments three;
  three.add("a").add("b").add("c");
  CHECK(refusal(d, three) == "template.parameter_count");
  template_arguments wrong_keys;
  wrong_keys.set("1", "a").set("3", "b");
  CHECK(bind(d, wrong_keys).error().message == "the body of 't' has no variable {{3}}");

  auto named = positional("Hi {{first_name}}, order {{order_id}}.");
  named.format = parameter_format::named;
  template_arguments n;
  n.set("first_name", "Maria");
  auto missing = bind(named, n);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "template.missing_parameter");
  CHECK(missing.error().message == "the body variable {{order_id}} has no value");
  n.set("order_id", "A-1").set("coupon", "X");
  auto unknown = bind(named, n);
  CHECK(unknown.error().code == "template.unknown_parameter");
  CHECK(unknown.error().message == "the body of 't' has no variable {{coupon}}");
}

TEST_CASE("header and button variables must be given", "[templates][bind]") {
  auto d = positional("Body {{1}}");
  d.header = header_format::text;
  d.header_text = "Order {{1}}";
  d.buttons.push_back({button_type::url, "Track", "https://shop.example/t/{{1}}", "", "", "", {}});
  template_arguments a;
  a.add("x");
  CHECK(bind(d, a).error().message == "the header variable {{1}} has no value");
  a.set_header("A-1");
  auto no_button = bind(d, a);
  CHECK(no_button.error().code == "template.missing_parameter");
  CHECK(no_button.error().message == "button 0 (Track) needs the end of its URL");
  a.set_button(0, "A-1");
  auto ok = bind(d, a).value();
  CHECK(ok.header_text == "Order A-1");
  CHECK(ok.button_urls[0] == "https://shop.example/t/A-1");
  a.set_button(3, "nope");
  CHECK(refusal(d, a) == "template.unknown_parameter");

  auto media = positional("Your pass");
  media.header = header_format::document;
  CHECK(refusal(media, {}) == "template.missing_parameter");
  template_arguments text_header;
  text_header.set_header("a string");
  CHECK(refusal(media, text_header) == "template.parameter_type");
  template_arguments image;
  image.set_header(media_parameter{media_kind::image, "https://x.example/a.png", "", ""});
  CHECK(bind(media, image).error().message == "the header takes a document, not image");
  template_arguments doc;
  doc.set_header(media_parameter{media_kind::document, "https://x.example/pass.pdf", "", "pass.pdf"});
  CHECK(bind(media, doc).has_value());
}

TEST_CASE("text values: no new lines or tabs, at most 4 consecutive spaces", "[templates][bind]") {
  auto d = positional("Hi {{1}}");
  auto with = [&](const char* v) {
    template_arguments a;
    a.add(std::string(v));
    return bind(d, a);
  };
  CHECK(with("a    b").has_value());  // exactly 4 spaces
  auto five = with("a     b");
  REQUIRE_FALSE(five);
  CHECK(five.error().code == "template.invalid_text");
  CHECK(five.error().where == "body {{1}}");
  CHECK(with("a\nb").error().code == "template.invalid_text");
  CHECK(with("a\tb").error().message ==
        "the value of body {{1}} contains a tab: parameters cannot have new lines or tabs");
  CHECK(with("\xC3\x28").error().code == "template.invalid_text");
}

TEST_CASE("lengths are checked after substitution, in characters", "[templates][bind]") {
  auto d = positional("{{1}}");
  template_arguments ok;
  ok.add(std::string(1024, 'x'));
  CHECK(bind(d, ok).has_value());
  template_arguments emoji;
  std::string e;
  for (int i = 0; i < 1024; ++i) e += "😀";
  emoji.add(e);
  CHECK(bind(d, emoji).has_value());  // 4,096 bytes, 1,024 characters
  emoji.body[0].second = e + "😀";
  auto over = bind(d, emoji);
  REQUIRE_FALSE(over);
  CHECK(over.error().code == "template.too_long");
  CHECK(over.error().message ==
        "the body has 1025 characters once its variables are filled in: the limit is 1024");

  auto h = positional("x");
  h.header = header_format::text;
  h.header_text = "Order {{1}}";  // 6 characters + the value
  template_arguments a;
  a.set_header(std::string(54, 'a'));
  CHECK(bind(h, a).has_value());
  a.header[0].second = std::string(55, 'a');
  CHECK(bind(h, a).error().where == "header");
}

TEST_CASE("a value is never expanded again", "[templates][bind]") {
  auto d = positional("Hi {{1}}, your code is {{2}}");
  template_arguments a;
  a.add("{{2}}").add("1234");
  CHECK(bind(d, a).value().body == "Hi {{2}}, your code is 1234");
}

TEST_CASE("currency values are exact and formatted per language", "[templates][bind]") {
  CHECK(format_amount(dec("1234.5"), currencies::usd, "en_US") == "1,234.50 USD");
  CHECK(format_amount(dec("1234.5"), currencies::eur, "it") == "1.234,50 EUR");
  CHECK(format_amount(dec("1500"), currencies::jpy, "en") == "1,500 JPY");
  CHECK(format_amount(dec("-0.125"), currencies::kwd, "en") == "-0.125 KWD");
  CHECK(format_amount(dec("1234567.89"), currencies::inr, "en_US") == "1,234,567.89 INR");
  CHECK(format_amount(dec("0.1"), currencies::usd, "en_US") == "0.10 USD");

  auto d = positional("Total {{1}}");
  template_arguments a;
  a.add(currency_parameter{"EUR", dec("99.90"), ""});
  auto b = bind(d, a).value();
  CHECK(b.body == "Total 99.90 EUR");
  const auto sent = to_content(b).parameters.at(0);
  CHECK(sent == template_parameter::currency("1", "99.90 EUR", "EUR", 99900));
  a.body[0].second = currency_parameter{"EUR", dec("99.90"), "€99.90"};
  CHECK(bind(d, a).value().body == "Total €99.90");
  a.body[0].second = currency_parameter{"ZZZ", dec("1"), ""};
  CHECK(refusal(d, a) == "template.unknown_currency");
  a.body[0].second = currency_parameter{"JPY", dec("1.5"), ""};
  CHECK(refusal(d, a) == "template.currency_precision");
}

TEST_CASE("date_time values are shown in the requested time zone", "[templates][bind]") {
  const auto rome = time_zone::locate("Europe/Rome");
  if (!rome) {
    WARN("no time-zone database: " << rome.error().to_string());
    return;
  }
  CHECK(format_date_time(at("2026-03-02T08:30:00Z"), *rome, "en_US") == "Mon 2 Mar 2026, 09:30 CET");
  CHECK(format_date_time(at("2026-03-02T08:30:00Z"), *rome, "it") == "lun 2 mar 2026, 09:30 CET");
  const auto ny = time_zone::locate("America/New_York").value();
  CHECK(format_date_time(at("2026-07-04T16:00:00Z"), ny, "en_US") == "Sat 4 Jul 2026, 12:00 EDT");

  auto d = positional("Departs {{1}}, arrives {{2}}");
  template_arguments a;
  a.add(date_time_parameter{at("2026-03-02T08:30:00Z"), "Europe/Rome", ""});
  a.add(date_time_parameter{at("2026-03-02T18:05:00Z"), "America/New_York", ""});
  CHECK(bind(d, a).value().body == "Departs Mon 2 Mar 2026, 09:30 CET, arrives Mon 2 Mar 2026, 13:05 EST");
  a.body[0].second = date_time_parameter{at("2026-03-02T08:30:00Z"), "Mars/Olympus", ""};
  CHECK(refusal(d, a) == "template.unknown_time_zone");
}

TEST_CASE("the catalog binds: purchase confirmation, boarding pass, passcode", "[templates][catalog]") {
  auto pc = catalog::get("purchase_confirmation", "it").value();
  template_arguments a;
  a.set("customer_name", "Maria")
      .set("order_number", "A-1042")
      .set("items", "2 x Borsa in pelle (89,00 EUR); 1 x Portafoglio (35,00 EUR)")
      .set("total", currency_parameter{"EUR", dec("213.00"), ""})
      .set("delivery_eta", "3-5 giorni lavorativi");
  a.set_button(0, "A-1042");
  auto b = bind(pc, a).value();
  CHECK(b.header_text == "Ordine A-1042 confermato");
  CHECK_THAT(b.body, test::contains_substring("Totale: 213,00 EUR"));
  CHECK(b.button_labels[0] == "Segui il tuo ordine");
  CHECK(b.header_value->key == "order_number");  // a named value feeds the header's variable too
  // Without its value, the header variable is missing.
  template_arguments no_order = a;
  no_order.body.erase(no_order.body.begin() + 1);
  CHECK(bind(pc, no_order).error().message == "the header variable {{order_number}} has no value");

  auto otp = catalog::get("one_time_passcode", "en_US").value();
  template_arguments code;
  code.add("482913");
  CHECK(bind(otp, code).error().message == "button 0 (Copy code) needs its passcode");
  code.set_button(0, "482913");
  auto ob = bind(otp, code).value();
  CHECK(ob.body == "482913 is your verification code. For your security, do not share this code.");
  // The platform takes a passcode as the copy-code button's URL parameter.
  CHECK(to_content(ob).buttons ==
        std::vector<template_button_value>{{0, template_button_kind::url, "482913"}});
}

TEST_CASE("compile-time checked template texts", "[templates][checked]") {
  auto args = checked_arguments("Hi {{1}}, order {{2}} ships {{3}}.", "Maria", "A-1", "today");
  CHECK(args.body.size() == 3);
  auto bound = bind_checked("order_ships", "en_US", template_category::utility, "Hi {{1}}, order {{2}}.",
                            "Maria", "A-1");
  CHECK(bound.value().body == "Hi Maria, order A-1.");
  CHECK(to_content(*bound).name == "order_ships");
  CHECK(render_checked("Your code is {{1}}", std::string("1234")).value() == "Your code is 1234");
  CHECK(render_checked("{{2}} then {{1}}", "b", "a").value() == "a then b");
  CHECK(render_checked("No variables").value() == "No variables");
  // Runtime content is still checked.
  CHECK(render_checked("Hi {{1}}", "two\nlines").error().code == "template.invalid_text");
  static_assert(detail::count_positional_variables("{{1}} {{2}} {{1}}") == 2);
  static_assert(detail::count_positional_variables("none") == 0);
}

TEST_CASE("bind_into reuses a bound template and gives the same result", "[templates][bind]") {
  const auto prepared = prepared_template::prepare(catalog::get("shipping_update", "en_US").value()).value();
  template_arguments a;
  a.set("customer_name", "Maria")
      .set("order_number", "A-1")
      .set("carrier", "DHL")
      .set("tracking_number", "JD0001")
      .set("delivery_date", "Friday")
      .set_button(0, "JD0001");
  bound_template reused;
  REQUIRE(bind_into(reused, prepared, a));
  const auto first = reused.body;
  a.body[0].second = std::string("Luca");
  REQUIRE(bind_into(reused, prepared, a));
  CHECK(reused.body == bind(prepared, a).value().body);
  CHECK(reused.body != first);
  CHECK(to_content(reused) == to_content(bind(prepared, a).value()));
  CHECK(prepared_template::prepare(positional("bad {{ x }}")).error().code == "template.invalid_definition");
}
