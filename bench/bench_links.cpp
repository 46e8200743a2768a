// Click-to-chat links per second: a link with a prefilled text (accents, an
// emoji, '&' and spaces to encode) and a reference token, written into a
// reused string as a site generator would, and made as a new string; QR codes
// drawn as SVG per second, for scale.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "chatdesk/links/click_to_chat.hpp"
#include "chatdesk/links/qr.hpp"

namespace {

using namespace chatdesk;

std::vector<phone_number> numbers() {
  std::vector<phone_number> out;
  for (int i = 0; i < 1000; ++i) out.push_back(phone_number::parse(fmt::format("+39055{:07}", i)).value());
  return out;
}

link_options options() {
  link_options o;
  o.text = "Ciao! Vorrei sapere se la taglia M è disponibile & quando arriva 😀";
  o.ref = "spring-26";
  return o;
}

void bm_link_append(benchmark::State& state) {
  const auto list = numbers();
  const auto o = options();
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    out.clear();
    if (!append_link(out, list[i++ % list.size()], o)) state.SkipWithError("refused");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["links/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes"] = static_cast<double>(out.size());
}

void bm_link_new_string(benchmark::State& state) {
  const auto list = numbers();
  const auto o = options();
  std::size_t i = 0;
  for (auto _ : state) {
    auto link = make_link(list[i++ % list.size()], o);
    benchmark::DoNotOptimize(link);
  }
  state.counters["links/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void bm_qr_svg(benchmark::State& state) {
  const auto link = make_link(numbers()[0], options()).value();
  for (auto _ : state) {
    auto svg = qr_svg(link);
    benchmark::DoNotOptimize(svg);
  }
  state.counters["codes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(bm_link_append);
BENCHMARK(bm_link_new_string);
BENCHMARK(bm_qr_svg);
BENCHMARK_MAIN();
