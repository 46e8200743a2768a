// Benchmarks of the core vocabulary: phone-number parsing and market look-ups
// (target: 5 million E.164 parses + market look-ups per second on one core),
// with Google's libphonenumber on the same inputs for scale when installed.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "chatdesk/core/market.hpp"
#include "chatdesk/core/money.hpp"
#include "chatdesk/core/phone_number.hpp"

#if defined(CHATDESK_HAVE_LIBPHONENUMBER)
#include <phonenumbers/phonenumberutil.h>
#endif

namespace {

// Numbers from many calling codes and from the shared +1, +7 and +44 plans.
const std::vector<std::string>& e164_inputs() {
  static const std::vector<std::string> inputs = {
      "+393331234567", "+14155551234",  "+18095550199",   "+919876543210",  "+447700900123", "+4915123456789",
      "+77012345678",  "+79123456789",  "+5511987654321", "+6281234567890", "+33612345678",  "+34612345678",
      "+971501234567", "+966501234567", "+2348012345678", "+254712345678",  "+61412345678",  "+8613812345678",
      "+525512345678", "+16135550123",  "+17875551234",   "+18765551234",   "+441481256789", "+35312345678",
      "+380501234567", "+97312345678",  "+59171234567",   "+27821234567",   "+905321234567", "+923001234567",
      "+201001234567", "+60123456789",
  };
  return inputs;
}

const std::vector<std::string>& typed_inputs() {
  static const std::vector<std::string> inputs = {
      "+39 333 123 4567", "whatsapp:+14155551234", "0039 333 1234567", "+44 (7700) 900-123",
      "+91 98765 43210",  "tel:+1-809-555-0199",   "+49 1512 3456789", "+7 701 234 5678",
  };
  return inputs;
}

void bm_parse_e164(benchmark::State& state) {
  const auto& in = e164_inputs();
  std::size_t i = 0;
  for (auto _ : state) {
    auto p = chatdesk::phone_number::parse(in[i++ % in.size()]);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_parse_e164);

void bm_market_lookup(benchmark::State& state) {
  std::vector<chatdesk::phone_number> numbers;
  for (const auto& s : e164_inputs()) numbers.push_back(chatdesk::phone_number::parse(s).value());
  const auto& markets = chatdesk::market_table::platform();
  std::size_t i = 0;
  for (auto _ : state) {
    auto m = markets.find(numbers[i++ % numbers.size()]);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_market_lookup);

// The figure the target names: parse an E.164 string, then find its market.
void bm_parse_e164_and_market(benchmark::State& state) {
  const auto& in = e164_inputs();
  const auto& markets = chatdesk::market_table::platform();
  std::size_t i = 0;
  for (auto _ : state) {
    auto p = chatdesk::phone_number::parse(in[i++ % in.size()]);
    auto m = markets.find(*p);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_parse_e164_and_market);

void bm_parse_typed(benchmark::State& state) {
  const auto& in = typed_inputs();
  std::size_t i = 0;
  for (auto _ : state) {
    auto p = chatdesk::phone_number::parse(in[i++ % in.size()]);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_parse_typed);

void bm_parse_refused(benchmark::State& state) {
  std::size_t i = 0;
  const std::string inputs[] = {"+39 333 CALL NOW", "+999 1234 5678", "+39 12"};
  for (auto _ : state) {
    auto p = chatdesk::phone_number::parse(inputs[i++ % 3]);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_parse_refused);

void bm_decimal_parse_and_sum(benchmark::State& state) {
  const std::string rates[] = {"0.0034", "0.0691", "0.0300", "0.1597"};
  chatdesk::decimal total;
  std::size_t i = 0;
  for (auto _ : state) {
    total += chatdesk::decimal::parse(rates[i++ % 4]).value();
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_decimal_parse_and_sum);

#if defined(CHATDESK_HAVE_LIBPHONENUMBER)
// libphonenumber: parse an E.164 string and find its region, for scale.
void bm_libphonenumber_parse_and_region(benchmark::State& state) {
  const auto* util = i18n::phonenumbers::PhoneNumberUtil::GetInstance();
  const auto& in = e164_inputs();
  std::size_t i = 0;
  for (auto _ : state) {
    i18n::phonenumbers::PhoneNumber pn;
    util->Parse(in[i++ % in.size()], "ZZ", &pn);
    std::string region;
    util->GetRegionCodeForNumber(pn, &region);
    benchmark::DoNotOptimize(region);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(bm_libphonenumber_parse_and_region);
#endif

}  // namespace

BENCHMARK_MAIN();
