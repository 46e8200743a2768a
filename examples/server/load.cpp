// chatdesk_server_load: posts signed webhook bodies to a chatdesk_server
// from several client threads over loopback, then posts a share of them
// again (the platform's retries), and prints what the server answered and
// how fast: posts a second and latency percentiles. One message per body,
// from `customers` customers in turn, each with its own id.
//
// Usage: chatdesk_server_load --url http://127.0.0.1:PORT --secret S
//          [--posts 20000] [--threads 8] [--customers 2000] [--retries 2000]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "chatdesk/wire/signature.hpp"

namespace {

struct totals {
  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::uint64_t> errors{0};
};

std::string body_of(std::size_t i, std::size_t customers, std::int64_t now) {
  const auto customer = fmt::format("39333{:07}", i % customers);
  return fmt::format(
      R"({{"object":"whatsapp_business_account","entry":[{{"id":"load-waba","changes":[{{"field":"messages","value":{{)"
      R"("messaging_product":"whatsapp","metadata":{{"display_phone_number":"390551234567","phone_number_id":"106540352242922"}},)"
      R"("contacts":[{{"profile":{{"name":"Customer {}"}},"wa_id":"{}"}}],)"
      R"("messages":[{{"from":"{}","id":"wamid.load.{}","timestamp":"{}","type":"text","text":{{"body":"Message {}"}}}}]}}}}]}}]}})",
      i % customers, customer, customer, i, now, i);
}

/// Posts bodies `first`, `first + step`, ... below `end`; records each latency.
void post_all(const std::string& url, const std::string& secret, const std::vector<std::string>& bodies,
              const std::vector<std::size_t>& which, std::vector<double>& latencies_ms, totals& t) {
  httplib::Client client(url);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(30);
  for (const auto i : which) {
    const auto& body = bodies[i];
    const httplib::Headers headers{{"X-Hub-Signature-256", chatdesk::hub_signature(body, secret).value()}};
    const auto started = std::chrono::steady_clock::now();
    auto res = client.Post("/webhook", headers, body, "application/json");
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    if (!res || res->status != 200) {
      ++t.errors;
      continue;
    }
    const auto j = nlohmann::json::parse(res->body, nullptr, false);
    if (j.is_discarded()) {
      ++t.errors;
      continue;
    }
    t.messages += j.value("messages", std::uint64_t{0});
    t.duplicates += j.value("duplicates", std::uint64_t{0});
    if (!j.value("refused", nlohmann::json::array()).empty()) ++t.errors;
  }
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size(), std::max<std::size_t>(rank, 1)) - 1];
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  std::string secret;
  std::size_t posts = 20000;
  std::size_t threads = 8;
  std::size_t customers = 2000;
  std::size_t retries = 2000;
  CLI::App app{"chatdesk_server_load: signed webhook posts from many threads"};
  app.add_option("--url", url, "The server, http://127.0.0.1:PORT")->required();
  app.add_option("--secret", secret, "The app secret")->required();
  app.add_option("--posts", posts, "Bodies to post (one message each)");
  app.add_option("--threads", threads, "Client threads")->check(CLI::Range(1, 64));
  app.add_option("--customers", customers, "Distinct customers")->check(CLI::Range(1, 10000000));
  app.add_option("--retries", retries, "Bodies posted a second time afterwards");
  CLI11_PARSE(app, argc, argv);

  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::vector<std::string> bodies;
  bodies.reserve(posts);
  for (std::size_t i = 0; i < posts; ++i) bodies.push_back(body_of(i, customers, now - 60));

  totals first;
  totals again;
  std::vector<std::vector<double>> latencies(threads);
  const auto run = [&](const std::vector<std::size_t>& order, totals& t) {
    std::vector<std::thread> pool;
    for (std::size_t k = 0; k < threads; ++k) {
      std::vector<std::size_t> mine;
      for (std::size_t i = k; i < order.size(); i += threads) mine.push_back(order[i]);
      pool.emplace_back(
          [&, k, mine = std::move(mine)] { post_all(url, secret, bodies, mine, latencies[k], t); });
    }
    for (auto& th : pool) th.join();
  };
  std::vector<std::size_t> all(posts);
  for (std::size_t i = 0; i < posts; ++i) all[i] = i;
  const auto started = std::chrono::steady_clock::now();
  run(all, first);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::vector<double> merged;
  for (const auto& l : latencies) merged.insert(merged.end(), l.begin(), l.end());
  for (auto& l : latencies) l.clear();
  std::vector<std::size_t> retried;
  for (std::size_t i = 0; i < std::min(retries, posts); ++i) retried.push_back((i * 7919) % posts);
  std::sort(retried.begin(), retried.end());
  retried.erase(std::unique(retried.begin(), retried.end()), retried.end());
  run(retried, again);

  nlohmann::ordered_json out;
  out["posts"] = posts;
  out["threads"] = threads;
  out["seconds"] = seconds;
  out["posts_per_second"] = static_cast<double>(posts) / seconds;
  out["p50_ms"] = percentile(merged, 50);
  out["p99_ms"] = percentile(merged, 99);
  out["max_ms"] = percentile(merged, 100);
  out["messages"] = first.messages.load();
  out["duplicates"] = first.duplicates.load();
  out["errors"] = first.errors.load();
  out["retried"] = retried.size();
  out["retried_messages"] = again.messages.load();
  out["retried_duplicates"] = again.duplicates.load();
  out["retried_errors"] = again.errors.load();
  std::cout << out.dump() << std::endl;
  return first.errors + again.errors == 0 ? 0 : 1;
}
