// Benchmarks of the templates module: bind + render + serialise the catalog's
// boarding pass (15 variables, two time zones, a document header, a URL
// button); target at least 500,000 per second on one core.
#include <benchmark/benchmark.h>

#include <string>

#include "chatdesk/templates/binding.hpp"
#include "chatdesk/templates/catalog.hpp"
#include "chatdesk/wire/send.hpp"

namespace {

using namespace chatdesk;

template_arguments boarding_pass_arguments() {
  const auto t = [](const char* iso) { return parse_timestamp(iso).value(); };
  template_arguments a;
  a.set_header(media_parameter{media_kind::document, "https://airline.example.com/pass/X7K2QP.pdf", "",
                               "boarding-pass-X7K2QP.pdf"});
  a.set("passenger", "Maria Rossi")
      .set("airline", "ITA Airways")
      .set("flight_number", "AZ610")
      .set("pnr", "X7K2QP")
      .set("depart_airport", "FCO Rome Fiumicino")
      .set("depart_terminal", "3")
      .set("depart_gate", "E12")
      .set("depart_time", date_time_parameter{t("2026-03-02T08:30:00Z"), "Europe/Rome", ""})
      .set("arrival_airport", "JFK New York")
      .set("arrival_terminal", "1")
      .set("arrival_time", date_time_parameter{t("2026-03-02T18:05:00Z"), "America/New_York", ""})
      .set("seat", "14C")
      .set("travel_class", "Economy")
      .set("boarding_group", "3")
      .set("boarding_time", date_time_parameter{t("2026-03-02T07:50:00Z"), "Europe/Rome", ""})
      .set_button(0, "X7K2QP");
  return a;
}

void bm_boarding_pass_bind_render_serialize(benchmark::State& state) {
  const auto def = prepared_template::prepare(catalog::get("boarding_pass", "en_US").value()).value();
  const auto args = boarding_pass_arguments();
  const auto to = phone_number::parse("+393331234567").value();
  std::size_t bytes = 0;
  // Reused buffers, as a sending loop would keep them (bind_into / append_send_request).
  bound_template bound;
  std::string json;
  for (auto _ : state) {
    if (!bind_into(bound, def, args)) state.SkipWithError("bind failed");
    json.clear();
    if (!append_send_request(json, to, bound)) state.SkipWithError("encode failed");
    bytes += json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(bm_boarding_pass_bind_render_serialize);

/// The same with fresh objects each time (bind(prepared, ...) and send_request_json).
void bm_boarding_pass_fresh_objects(benchmark::State& state) {
  const auto def = prepared_template::prepare(catalog::get("boarding_pass", "en_US").value()).value();
  const auto args = boarding_pass_arguments();
  const auto to = phone_number::parse("+393331234567").value();
  for (auto _ : state) {
    auto bound = bind(def, args);
    benchmark::DoNotOptimize(send_request_json(*bound, to));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_boarding_pass_fresh_objects);

/// The same, preparing the definition on every call (bind(definition, ...)).
void bm_boarding_pass_unprepared(benchmark::State& state) {
  const auto def = catalog::get("boarding_pass", "en_US").value();
  const auto args = boarding_pass_arguments();
  const auto to = phone_number::parse("+393331234567").value();
  for (auto _ : state) {
    auto bound = bind(def, args);
    benchmark::DoNotOptimize(send_request_json(*bound, to));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_boarding_pass_unprepared);

void bm_boarding_pass_bind_only(benchmark::State& state) {
  const auto def = prepared_template::prepare(catalog::get("boarding_pass", "en_US").value()).value();
  const auto args = boarding_pass_arguments();
  for (auto _ : state) benchmark::DoNotOptimize(bind(def, args));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_boarding_pass_bind_only);

void bm_boarding_pass_serialize_only(benchmark::State& state) {
  const auto def = catalog::get("boarding_pass", "en_US").value();
  const auto bound = bind(def, boarding_pass_arguments()).value();
  const auto to = phone_number::parse("+393331234567").value();
  for (auto _ : state) benchmark::DoNotOptimize(send_request_json(bound, to));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_boarding_pass_serialize_only);

/// The two halves of serialising: the bound template as content, and its encoding.
void bm_boarding_pass_to_content(benchmark::State& state) {
  const auto bound = bind(catalog::get("boarding_pass", "en_US").value(), boarding_pass_arguments()).value();
  for (auto _ : state) benchmark::DoNotOptimize(to_content(bound));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_boarding_pass_to_content);

void bm_boarding_pass_encode_content(benchmark::State& state) {
  const content c =
      to_content(bind(catalog::get("boarding_pass", "en_US").value(), boarding_pass_arguments()).value());
  const auto to = phone_number::parse("+393331234567").value();
  std::string json;
  for (auto _ : state) {
    json.clear();
    if (!append_send_request(json, to, c)) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(json.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_boarding_pass_encode_content);

void bm_purchase_confirmation_bind_render_serialize(benchmark::State& state) {
  const auto def = catalog::get("purchase_confirmation", "it").value();
  template_arguments a;
  a.set("customer_name", "Maria")
      .set("order_number", "A-1042")
      .set("items", "2 x Borsa in pelle (89,00 EUR); 1 x Portafoglio (35,00 EUR)")
      .set("total", currency_parameter{"EUR", decimal::parse("213.00").value(), ""})
      .set("delivery_eta", "3-5 giorni lavorativi")
      .set_button(0, "A-1042");
  const auto to = phone_number::parse("+393331234567").value();
  for (auto _ : state) {
    auto bound = bind(def, a);
    benchmark::DoNotOptimize(send_request_json(*bound, to));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_purchase_confirmation_bind_render_serialize);

void bm_validate_boarding_pass(benchmark::State& state) {
  const auto def = catalog::get("boarding_pass", "en_US").value();
  for (auto _ : state) benchmark::DoNotOptimize(validate(def));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_validate_boarding_pass);

}  // namespace

namespace {
void bm_format_date_time(benchmark::State& state) {
  const auto zone = chatdesk::time_zone::locate("Europe/Rome").value();
  const auto t = chatdesk::parse_timestamp("2026-03-02T08:30:00Z").value();
  for (auto _ : state) benchmark::DoNotOptimize(chatdesk::format_date_time(t, zone, "en_US"));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_format_date_time);
}  // namespace
BENCHMARK_MAIN();
