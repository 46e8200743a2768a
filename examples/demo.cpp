// chatdesk's main demo: a small Italian shop looks at its customers' numbers
// as they were typed into its web form, finds where each customer is, and
// works out exactly what one utility notice to each would cost; then a
// customer writes, the shop answers, the 24-hour window closes, a free-form
// reply is refused with its reason, and a template goes out instead.
//
// It grows with the library: conversations, templates, pricing models and
// webhooks join it as they land.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/chatdesk.hpp"

namespace cd = chatdesk;

namespace {

/// Prints what the desk tells its observers.
class narrator final : public cd::observer {
 public:
  explicit narrator(const cd::time_zone& zone) : zone_(zone) {}
  void window_opened(const cd::conversation_key& k, cd::timestamp closes) override {
    fmt::print("  [window] {} opened a 24-hour service window, closing {}\n", k.customer,
               zone_.format(closes));
  }
  void window_closing(const cd::conversation_key& k, cd::timestamp closes) override {
    fmt::print("  [window] the window with {} closes soon ({}): time to wrap up\n", k.customer,
               zone_.format(closes));
  }
  void window_closed(const cd::conversation_key& k, cd::timestamp closed) override {
    fmt::print("  [window] the window with {} closed at {}\n", k.customer, zone_.format(closed));
  }
  void status_changed(const cd::message_record& r, cd::message_status from) override {
    fmt::print("  [status] {}: {} -> {}\n", r.id, cd::to_string(from), cd::to_string(r.status));
  }

 private:
  cd::time_zone zone_;
};

void show(const cd::manual_clock& clock, const cd::time_zone& zone, std::string_view what,
          const cd::send_result& r) {
  if (r.decision.allowed) {
    fmt::print("{}  shop -> {}: sent as {} ({})\n", zone.format(clock.now()), what, r.message_id,
               cd::to_string(r.decision.charge));
  } else {
    fmt::print("{}  shop -> {}: REFUSED by {}: {}\n", zone.format(clock.now()), what, r.decision.policy,
               r.decision.refusal->message);
  }
}

void conversation_demo(const cd::time_zone& rome) {
  using namespace std::chrono_literals;
  fmt::print("\nA conversation, with the platform's rules applied by chatdesk::desk\n");
  cd::manual_clock clock(cd::parse_timestamp("2026-03-02T08:30:00Z").value());
  // The shop's state lives in a SQLite file, the embedded store: it survives
  // the restart below. (A temporary file here; a real shop keeps it.)
  const auto file =
      (std::filesystem::temp_directory_path() / fmt::format("chatdesk-demo-{}.db", ::getpid())).string();
  struct remove_at_end {  // destroyed after the store and the desks
    std::string file;
    ~remove_at_end() {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix);
    }
  } cleanup{file};
  auto store = cd::sqlite_store::open(file).value();
  int sent = 0;
  cd::function_transport wire([&](const cd::outbound_message&) {
    return cd::transport_answer::accepted(fmt::format("wamid.demo{}", ++sent));
  });
  auto desk_ptr = std::make_unique<cd::desk>(clock, *store, &wire);
  narrator tell(rome);
  desk_ptr->subscribe(&tell);
  auto& desk = *desk_ptr;

  cd::business shop;
  shop.id = "bottega-rossi";
  shop.display_name = "Bottega Rossi";
  shop.zone = rome;
  shop.home_country = cd::country::unchecked("IT");
  shop.numbers.push_back({"florence", cd::phone_number::parse("+39 055 123 4567").value(), 80});
  shop.tier = cd::messaging_tier::tier_1k;
  desk.add_business(shop).value();
  const auto maria = cd::phone_number::parse("+39 333 123 4567").value();

  cd::message hello;
  hello.id = "wamid.maria1";
  hello.business_number_id = "florence";
  hello.customer = maria;
  hello.at = clock.now();
  hello.content = cd::text_content{"Buongiorno! Is the leather bag still available?"};
  fmt::print("{}  Maria -> shop: \"{}\"\n", rome.format(clock.now()),
             std::get<cd::text_content>(hello.content).body);
  (void)desk.receive(hello, "Maria").value();

  clock.advance(10min);
  auto reply =
      desk.send({"bottega-rossi", "", maria, cd::text_content{"Yes! Shall I keep it for you?"}, ""}).value();
  show(clock, rome, "Maria, free-form reply", reply);
  (void)desk.apply_status(
      {reply.message_id, cd::message_status::delivered, clock.now(), {}, maria, "florence"});
  (void)desk.apply_status({reply.message_id, cd::message_status::read, clock.now(), {}, maria, "florence"});

  // The shop's server restarts: a new desk over the same file knows the
  // business, the window Maria opened and every message, with no setup.
  desk_ptr.reset();
  store.reset();
  store = cd::sqlite_store::open(file).value();
  cd::desk again(clock, *store, &wire);
  again.subscribe(&tell);
  fmt::print("  (the shop restarts; its state is in a SQLite file)\n");
  const auto w = again.window("florence", maria);
  fmt::print("  free-form replies are allowed until {}\n", rome.format(w.service_window_closes_at));

  clock.set(w.service_window_closes_at - 30min);
  again.tick();
  clock.set(w.service_window_closes_at + 2h);
  again.tick();
  auto late = again.send({"bottega-rossi", "", maria, cd::text_content{"Still interested?"}, ""}).value();
  show(clock, rome, "Maria, free-form follow-up", late);
  auto tmpl = again
                  .send({"bottega-rossi", "", maria,
                         cd::template_content{"item_reserved",
                                              "it",
                                              cd::template_category::utility,
                                              {{"1", "Maria"}, {"2", "leather bag"}}},
                         ""})
                  .value();
  show(clock, rome, "Maria, template item_reserved", tmpl);
  fmt::print("  the conversation as the store keeps it: {} messages\n",
             store->transcript({"florence", maria}).size());
  again.unsubscribe(&tell);
}

void print_rendered(const cd::bound_template& b) {
  if (!b.header_text.empty()) fmt::print("  | *{}*\n", b.header_text);
  if (b.header_value && b.header != cd::header_format::text)
    fmt::print("  | [{} attached: {}]\n", cd::to_string(b.header), b.header_value->text);
  std::string_view body = b.body;
  while (!body.empty()) {
    const auto nl = body.find('\n');
    fmt::print("  | {}\n", body.substr(0, nl));
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  if (!b.footer.empty()) fmt::print("  | _{}_\n", b.footer);
  for (std::size_t i = 0; i < b.button_labels.size(); ++i)
    fmt::print("  | [ {} ]{}\n", b.button_labels[i],
               b.button_urls[i].empty() ? "" : " -> " + b.button_urls[i]);
}

void templates_demo() {
  fmt::print("\nTemplates from the catalog, bound and rendered exactly as the customer sees them\n");
  const auto maria = cd::phone_number::parse("+39 333 123 4567").value();
  const auto dec = [](const char* s) { return cd::decimal::parse(s).value(); };

  auto confirmation = cd::catalog::get("purchase_confirmation", "it").value();
  cd::template_arguments order;
  order.set("customer_name", "Maria")
      .set("order_number", "A-1042")
      .set("items", "2 x Borsa in pelle (89,00 EUR); 1 x Portafoglio (35,00 EUR)")
      .set("total", cd::currency_parameter{"EUR", dec("89.00") * 2 + dec("35.00"), ""})
      .set("delivery_eta", "3-5 giorni lavorativi")
      .set_button(0, "A-1042");
  const auto bound_order = cd::bind(confirmation, order).value();
  fmt::print("\npurchase_confirmation (it) to {}:\n", maria);
  print_rendered(bound_order);

  // A boarding pass: departure shown in Rome's time, arrival in New York's.
  auto pass = cd::catalog::get("boarding_pass", "en_US").value();
  const auto t = [](const char* iso) { return cd::parse_timestamp(iso).value(); };
  cd::template_arguments flight;
  flight.set_header(cd::media_parameter{cd::media_kind::document,
                                        "https://airline.example.com/pass/X7K2QP.pdf", "",
                                        "boarding-pass-X7K2QP.pdf"});
  flight.set("passenger", "Maria Rossi")
      .set("airline", "ITA Airways")
      .set("flight_number", "AZ610")
      .set("pnr", "X7K2QP")
      .set("depart_airport", "FCO Rome Fiumicino")
      .set("depart_terminal", "3")
      .set("depart_gate", "E12")
      .set("depart_time", cd::date_time_parameter{t("2026-03-02T08:30:00Z"), "Europe/Rome", ""})
      .set("arrival_airport", "JFK New York")
      .set("arrival_terminal", "1")
      .set("arrival_time", cd::date_time_parameter{t("2026-03-02T18:05:00Z"), "America/New_York", ""})
      .set("seat", "14C")
      .set("travel_class", "Economy")
      .set("boarding_group", "3")
      .set("boarding_time", cd::date_time_parameter{t("2026-03-02T07:50:00Z"), "Europe/Rome", ""})
      .set_button(0, "X7K2QP");
  const auto bound_pass = cd::bind(pass, flight).value();
  fmt::print("\nboarding_pass (en_US) to {}:\n", maria);
  print_rendered(bound_pass);
  const auto request = cd::send_request_json(bound_pass, maria).value();
  fmt::print("\nsend request ({} bytes): {}...\n", request.size(), request.substr(0, 150));

  // A mistake caught before sending.
  cd::template_arguments short_of_one = flight;
  short_of_one.body.pop_back();
  auto refused = cd::bind(pass, short_of_one);
  fmt::print("\nWith a value missing, nothing is sent: {}\n", refused.error().message);
}

/// Prices the traffic above: the invoice under the model in force, then the
/// same events under each of the five models.
void pricing_demo(const cd::time_zone& rome) {
  using cd::pricing_model;
  cd::rate_cards cards;
  for (const char* file :
       {"pmp_2025-2026-01-01-usd.json", "pmp_2026_10-2026-10-01-usd.json",
        "legacy_2018-2018-08-01-usd-illustrative.json", "cbp_2022-2022-02-01-usd-illustrative.json",
        "cbp_2023-2023-06-01-usd-illustrative.json"}) {
    const std::string path = std::string(CHATDESK_DATA_DIR) + "/rate_cards/" + file;
    const auto text = cd::read_file(path, cd::input_limits::document);
    auto card = text ? cd::parse_rate_card(*text, file) : cd::result<cd::rate_card>(text.error());
    if (!card || !cards.add(std::move(*card))) {
      fmt::print("\n(rate card {} missing: no invoice)\n", file);
      return;
    }
  }
  const auto t = [](const char* iso) { return cd::parse_timestamp(iso).value(); };
  const auto maria = cd::phone_number::parse("+39 333 123 4567").value();
  const auto jose = cd::phone_number::parse("+1 809 555 0199").value();
  const cd::pricing_business shop{"bottega-rossi", rome, cd::country::unchecked("IT"), std::nullopt};

  auto feed = [&](cd::ledger& book) {
    book.add_business(shop);
    using cat = cd::template_category;
    // Maria writes, the shop answers free-form, later sends a template; then the notices above.
    (void)book.inbound(t("2026-03-02T08:30:00Z"), shop.id, maria, "wamid.maria1");
    (void)book.outbound(t("2026-03-02T08:40:00Z"), shop.id, maria, "wamid.demo1", false, std::nullopt);
    (void)book.status(t("2026-03-02T08:40:02Z"), "wamid.demo1", cd::message_status::delivered);
    (void)book.outbound(t("2026-03-03T10:30:00Z"), shop.id, maria, "wamid.demo2", true, cat::utility);
    (void)book.status(t("2026-03-03T10:30:02Z"), "wamid.demo2", cd::message_status::read);
    (void)book.outbound(t("2026-03-04T09:00:00Z"), shop.id, maria, "order", true, cat::utility);
    (void)book.status(t("2026-03-04T09:00:03Z"), "order", cd::message_status::delivered);
    (void)book.outbound(t("2026-03-05T07:00:00Z"), shop.id, maria, "pass", true, cat::utility);
    (void)book.status(t("2026-03-05T07:00:03Z"), "pass", cd::message_status::delivered);
    // A customer from a click-to-chat ad in the Dominican Republic, and a promotion.
    (void)book.inbound(t("2026-03-05T12:00:00Z"), shop.id, jose, "wamid.jose1", true);
    (void)book.outbound(t("2026-03-05T12:05:00Z"), shop.id, jose, "welcome", false, std::nullopt);
    (void)book.status(t("2026-03-05T12:05:01Z"), "welcome", cd::message_status::delivered);
    (void)book.outbound(t("2026-03-10T12:00:00Z"), shop.id, jose, "promo", true, cat::marketing);
    (void)book.status(t("2026-03-10T12:00:01Z"), "promo", cd::message_status::delivered);
    (void)book.outbound(t("2026-03-10T12:00:00Z"), shop.id, maria, "promo2", true, cat::marketing);
    (void)book.status(t("2026-03-10T12:00:02Z"), "promo2", cd::message_status::failed);
  };

  cd::ledger book(cards);
  feed(book);
  const auto inv = book.invoice();
  fmt::print("\nInvoice for March 2026 ({}, the model in force):\n", cd::to_string(pricing_model::pmp_2025));
  for (const auto& l : inv.lines)
    fmt::print("  {:<22} {:<10} {:>2} x {} = {} {}\n", l.market, l.category, l.count,
               l.unit_price.to_string(4), l.amount.to_string(4), inv.currency.code());
  for (const auto& f : inv.free) fmt::print("  free ({}): {}\n", cd::to_string(f.reason), f.count);
  fmt::print("  total {} {}, settled {}\n", inv.total.to_string(4), inv.currency.code(), inv.total_settled);

  fmt::print("\nThe same traffic under each pricing model:\n");
  for (auto m : cd::pricing_models) {
    cd::ledger what_if(cards, {.model = m});
    feed(what_if);
    const auto i = what_if.invoice();
    // A card may not know every rate (its `unpriced` notes): such messages are refused, and said.
    fmt::print(
        "  {:<12} {}{}\n", cd::to_string(m), i.total_settled,
        i.problems_total == 0 ? "" : fmt::format(" ({} message(s) the card cannot price)", i.problems_total));
  }
}

}  // namespace

int main() {
  const cd::manual_clock clock(cd::parse_timestamp("2026-03-02T08:30:00Z").value());
  const auto rome = cd::time_zone::locate("Europe/Rome").value_or(cd::time_zone::utc());

  fmt::print("chatdesk {} demo: Bottega Rossi (Florence), {}\n\n", cd::version_string,
             rome.format(clock.now()));

  // Customers as they typed their numbers, with the country the web form assumed.
  struct typed {
    std::string_view text;
    std::string_view form_region;
  };
  const std::vector<typed> customers = {
      {"+39 333 123 4567", "IT"}, {"0039 347 765 4321", "IT"},
      {"(415) 555-0134", "US"},   {"whatsapp:+18095550199", ""},
      {"+91 98765 43210", ""},    {"07700 900123", "GB"},
      {"+49 1512 3456789", ""},   {"+7 701 234 5678", ""},
      {"+39 333 CALL NOW", "IT"}, {"12 34", "IT"},
  };

  // Utility-template rates of the 2026-01-01 USD card (PLATFORM.md 1g) for the
  // markets above; the pricing module loads whole rate cards from JSON.
  const std::map<std::string_view, std::string_view> utility_rate = {
      {"Italy", "0.0300"},  {"North America", "0.0034"},  {"Rest of Latin America", "0.0113"},
      {"India", "0.0014"},  {"United Kingdom", "0.0220"}, {"Germany", "0.0550"},
      {"Russia", "0.0400"}, {"Other", "0.0077"},
  };

  fmt::print("{:<24} {:<15} {:<3} {:<22} {}\n", "typed", "E.164", "cc", "market", "click to chat");
  cd::decimal total;
  std::map<std::string, int> per_market;
  const auto& markets = cd::market_table::platform();
  for (const auto& c : customers) {
    auto number = cd::phone_number::parse(c.text, c.form_region);
    if (!number) {
      fmt::print("{:<24} refused: {}\n", c.text, number.error().message);
      continue;
    }
    const auto market = markets.find(*number);
    fmt::print("{:<24} {:<15} {:<3} {:<22} https://wa.me/{}\n", c.text, *number, number->country().alpha2(),
               market, number->click_to_chat());
    total += cd::decimal::parse(utility_rate.at(market)).value();
    ++per_market[std::string(market)];
  }

  fmt::print("\nInvoice estimate: one utility notice to each customer outside the service window\n");
  for (const auto& [market, count] : per_market) {
    const auto rate = cd::decimal::parse(utility_rate.at(market)).value();
    fmt::print("  {:<22} {:>2} x {:>7} USD = {:>7} USD\n", market, count, rate.to_string(4),
               (rate * count).to_string(4));
  }
  const auto settled = cd::settle(total, cd::currencies::usd);
  fmt::print("  {:<22} exact {} USD, settled half-even: {}\n", "total", total, settled);
  fmt::print("\nPrices are exact decimals; the settled amount is in cents ({} minor units).\n",
             settled.minor_units());

  conversation_demo(rome);
  templates_demo();
  pricing_demo(rome);
  return 0;
}
