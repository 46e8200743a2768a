// A complete webhook endpoint as an application writes it around its own
// HTTP server: the GET handshake, the signature check, decoding, and
// de-duplicated application to the desk. main() plays the platform.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "chatdesk/chatdesk.hpp"

using namespace chatdesk;

struct http_request {
  std::string method;
  std::string query;
  std::vector<http_header> headers;
  std::string body;
};
struct http_response {
  int status = 200;
  std::string body;
};

// --- the endpoint: everything an application needs -------------------------
class whatsapp_endpoint {
 public:
  whatsapp_endpoint(desk& d, std::string_view app_secret, std::string verify_token)
      : verifier_(app_secret), verify_token_(std::move(verify_token)), feed_(d) {}

  http_response handle(const http_request& request) {
    if (request.method == "GET") {  // subscription handshake
      auto query = parse_subscription_query(request.query);
      auto answer = query ? answer_subscription(*query, verify_token_) : result<std::string>(query.error());
      return answer ? http_response{200, *answer} : http_response{403, answer.error().message};
    }
    if (auto ok = verifier_.verify(request.body, request.headers); !ok) return {401, ok.error().message};
    auto batch = decoder_.decode(request.body);
    if (!batch) return {400, batch.error().to_string()};  // nothing was applied
    const auto report = feed_.apply(*batch);
    return {200, std::to_string(report.messages) + " messages, " + std::to_string(report.statuses) +
                     " statuses, " + std::to_string(report.duplicates) + " duplicates"};
  }

 private:
  hub_verifier verifier_;
  std::string verify_token_;
  webhook_decoder decoder_;  // one per thread: it reuses its buffers
  webhook_feed feed_;
};
// ---------------------------------------------------------------------------

int main() {
  manual_clock clock(parse_timestamp("2026-03-02T09:00:00Z").value());
  // The desk's state in a SQLite file, so a restarted endpoint still knows
  // every message it acknowledged (a temporary file here).
  const auto file =
      (std::filesystem::temp_directory_path() / ("chatdesk-webhook-" + std::to_string(::getpid()) + ".db"))
          .string();
  struct remove_at_end {  // the example cleans up after itself; destroyed after the store
    std::string file;
    ~remove_at_end() {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix);
    }
  } cleanup{file};
  auto store = sqlite_store::open(file).value();
  desk d(clock, *store);
  business shop;
  shop.id = "shop";
  shop.numbers.push_back({"106540352242922", phone_number::parse("+16505550100").value(), 80});
  d.add_business(shop).value();

  whatsapp_endpoint endpoint(d, "app-secret", "verify-me");

  auto show = [](const char* what, const http_response& r) {
    std::cout << what << ": " << r.status << " " << r.body << '\n';
  };
  show("handshake",
       endpoint.handle(
           {"GET", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me", {}, {}}));
  show("wrong token",
       endpoint.handle({"GET", "hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess", {}, {}}));

  const std::string body =
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{)"
      R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"16505550100","phone_number_id":)"
      R"("106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[)"
      R"({"from":"16505551234","id":"wamid.1","timestamp":"1772442000","type":"text","text":{"body":"Hi!"}}]},)"
      R"("field":"messages"}]}]})";
  const std::string signature = hub_signature(body, "app-secret").value();
  const http_request post{"POST", {}, {{"x-hub-signature-256", signature}}, body};
  show("delivery", endpoint.handle(post));
  show("redelivery", endpoint.handle(post));
  auto tampered = post;
  tampered.body.replace(tampered.body.find("Hi!"), 3, "Ho!");
  show("tampered", endpoint.handle(tampered));

  const auto window = d.window("106540352242922", phone_number::parse("+16505551234").value());
  std::cout << "service window open until " << format_timestamp(window.service_window_closes_at) << '\n';
}
