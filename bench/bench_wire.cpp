// Benchmarks of the wire module: webhook bodies decoded per second and MB/s
// for a typical single-message body (~500 bytes) and a 100-message batch,
// with and without the X-Hub-Signature-256 check, and send requests encoded
// per second. bench/node/run.sh measures whatsapp-api-js 6.x on the same
// bodies for comparison (docs/wire.md). Targets: 5x its bodies per second
// without signature checks, 20x with them.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>

#include "chatdesk/wire/send.hpp"
#include "chatdesk/wire/signature.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace {

using namespace chatdesk;

std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string& single() {
  static const std::string body = slurp(CHATDESK_SOURCE_DIR "/bench/data/webhook_single.json");
  return body;
}
const std::string& batch() {
  static const std::string body = slurp(CHATDESK_SOURCE_DIR "/tests/wire/fixtures/platform/batch_100.json");
  return body;
}

void decode(benchmark::State& state, const std::string& body, bool signed_body) {
  webhook_decoder decoder;
  webhook_batch out;
  const hub_verifier verifier("bench-app-secret");
  const std::string header = verifier.sign(body).value();
  std::size_t events = 0;
  for (auto _ : state) {
    if (signed_body && !verifier.verify(body, header)) state.SkipWithError("signature refused");
    if (!decoder.decode_into(body, out)) state.SkipWithError("decode failed");
    events += out.events.size();
    benchmark::DoNotOptimize(out.events.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["body_bytes"] = static_cast<double>(body.size());
}

void bm_decode_single(benchmark::State& s) {
  decode(s, single(), false);
}
void bm_decode_single_signed(benchmark::State& s) {
  decode(s, single(), true);
}
void bm_decode_batch100(benchmark::State& s) {
  decode(s, batch(), false);
}
void bm_decode_batch100_signed(benchmark::State& s) {
  decode(s, batch(), true);
}

void bm_verify_signature_single(benchmark::State& state) {
  const hub_verifier verifier("bench-app-secret");
  const std::string header = verifier.sign(single()).value();
  for (auto _ : state) benchmark::DoNotOptimize(verifier.verify(single(), header).has_value());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void bm_encode_send_text(benchmark::State& state) {
  const auto to = phone_number::parse("+393331234567").value();
  const content c = text_content{"Your order 48213 has shipped and will arrive on Thursday.", false};
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!append_send_request(out, to, c)) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void bm_encode_send_interactive(benchmark::State& state) {
  const auto to = phone_number::parse("+393331234567").value();
  interactive_content i;
  i.kind = interactive_kind::button;
  i.header = "Dentist";
  i.body = "Your appointment is on Tuesday at 10:00. Confirm?";
  i.footer = "Studio Rossi";
  i.options = {{"yes", "Confirm", ""}, {"move", "Change date", ""}, {"no", "Cancel", ""}};
  const content c = i;
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!append_send_request(out, to, c)) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK(bm_decode_single);
BENCHMARK(bm_decode_single_signed);
BENCHMARK(bm_decode_batch100);
BENCHMARK(bm_decode_batch100_signed);
BENCHMARK(bm_verify_signature_single);
BENCHMARK(bm_encode_send_text);
BENCHMARK(bm_encode_send_interactive);
BENCHMARK_MAIN();
