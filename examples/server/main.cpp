// chatdesk_server: a small customer-service service built only on chatdesk's
// public API, for one machine (docs/server.md). It listens on 127.0.0.1:
//
//   GET  /webhook              the platform's subscription handshake
//   POST /webhook              signed webhook bodies (X-Hub-Signature-256), applied through the feed
//   GET  /api/conversations    the inbox: one line per customer, newest first
//   GET  /api/transcript?customer=+E164
//   POST /api/reply            {"customer": "+E164", "text": "..."}: sent through the desk's policies
//   GET  /healthz
//
// The API requires `Authorization: Bearer <token>`. State lives in a SQLite
// file in --dir, so a restart keeps everything. Sends go to --platform (the
// Cloud API's base URL, or a fake one on loopback) with a bearer token,
// retried with backoff on 5xx and 429.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <httplib.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/input.hpp"
#include "chatdesk/core/utf8.hpp"
#include "chatdesk/engine/desk.hpp"
#include "chatdesk/engine/observer.hpp"
#include "chatdesk/feed/webhook_feed.hpp"
#include "chatdesk/model/documents.hpp"
#include "chatdesk/store/sqlite_store.hpp"
#include "chatdesk/wire/send.hpp"
#include "chatdesk/wire/signature.hpp"
#include "chatdesk/wire/webhook.hpp"

namespace {

using json = nlohmann::ordered_json;
using namespace chatdesk;

// --- sending: the platform over HTTP ----------------------------------------

/// Posts send requests to `{base}/{phone_number_id}/messages` with a bearer
/// token; retries 5xx and 429 answers and lost connections with backoff.
class http_transport final : public transport {
 public:
  http_transport(const std::string& base_url, std::string token) : token_(std::move(token)) {
    // "http://host:port/v21.0" -> the scheme and authority, and the path prefix.
    const auto scheme_end = base_url.find("://");
    const auto path_at = base_url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    origin_ = base_url.substr(0, path_at);
    prefix_ = path_at == std::string::npos ? std::string() : base_url.substr(path_at);
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  }

  transport_answer deliver(const outbound_message& m) override {
    auto body = encode_send_request(m.message);
    if (!body) return transport_answer::failed(status_error{0, "not sent", body.error().message, {}});
    const auto path = prefix_ + "/" + m.number.id + "/messages";
    std::string last_problem;
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
      httplib::Client client(origin_);
      client.set_connection_timeout(5);
      client.set_read_timeout(10);
      client.set_write_timeout(10);
      const httplib::Headers headers{{"Authorization", "Bearer " + token_}};
      auto answer = client.Post(path, headers, *body, "application/json");
      if (!answer) {
        last_problem = "the platform could not be reached (" + httplib::to_string(answer.error()) + ")";
        continue;
      }
      if (answer->status >= 200 && answer->status < 300) {
        auto sent = decode_send_response(answer->body);
        if (!sent)
          return transport_answer::failed(status_error{0, "unreadable answer", sent.error().message, {}});
        return transport_answer::accepted(sent->message_id);
      }
      if (answer->status == 429 || answer->status >= 500) {
        last_problem = "the platform answered " + std::to_string(answer->status);
        continue;
      }
      auto e = decode_api_error(answer->body);
      if (!e)
        return transport_answer::failed(
            status_error{answer->status, "refused", answer->body.substr(0, 200), {}});
      return transport_answer::failed(
          status_error{e->code, e->title.empty() ? e->message : e->title, e->details, e->message});
    }
    return transport_answer::failed(status_error{0, "not sent", last_problem, {}});
  }

 private:
  static constexpr int max_attempts = 4;
  std::string origin_;
  std::string prefix_;
  std::string token_;
};

// --- the inbox's index: one record per conversation -------------------------

constexpr std::string_view inbox_kind = "inbox.conversation";

std::string_view text_of(const content& c) {
  if (const auto* t = std::get_if<text_content>(&c)) return t->body;
  if (const auto* i = std::get_if<interactive_content>(&c))
    return i->reply_title.empty() ? i->body : i->reply_title;
  if (const auto* m = std::get_if<media_content>(&c)) return m->caption;
  return {};
}

/// Keeps, for each conversation, the customer's latest message: what the
/// inbox lists. Written in its own step after the desk's.
class inbox_index final : public observer {
 public:
  inbox_index(desk& d, store& st) : d_(d), st_(st) { d_.subscribe(this); }
  ~inbox_index() override { d_.unsubscribe(this); }
  inbox_index(const inbox_index&) = delete;
  inbox_index& operator=(const inbox_index&) = delete;

  void message_received(const message& m) override {
    const auto business_id = d_.business_id_of(m.business_number_id);
    if (!business_id || m.customer.empty()) return;
    try {
      auto lock = st_.lock(*business_id, m.customer, false);
      json j;
      j["customer"] = m.customer.e164();
      j["number_id"] = m.business_number_id;
      j["last_at"] = format_timestamp(m.at);
      j["last_text"] = std::string(text_of(m.content).substr(0, 200));
      j["type"] = std::string(type_name(m.content));
      st_.save_record(inbox_kind, *business_id + '\x1f' + std::string(m.customer.digits()),
                      j.dump(-1, ' ', false, json::error_handler_t::replace));
      lock->commit();
    } catch (const exception& e) {
      std::cerr << "inbox: " << e.what() << '\n';
    }
  }

 private:
  desk& d_;
  store& st_;
};

// --- HTTP -------------------------------------------------------------------

void reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void reply_error(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  reply_json(res, status, json{{"error", {{"code", code}, {"message", message}}}});
}

std::string read_secret(const std::string& value, const std::string& file, const char* what) {
  if (!file.empty()) {
    auto text = read_file(file, 4096);
    if (!text) throw std::runtime_error(std::string(what) + ": " + text.error().message);
    auto s = *text;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
  }
  return value;
}

struct options {
  std::string dir;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string business_file;
  std::string app_secret;
  std::string app_secret_file;
  std::string verify_token;
  std::string token;
  std::string token_file;
  std::string platform;
  std::string platform_token = "test-token";
  std::size_t max_body = std::size_t{1} << 20;
};

std::atomic<httplib::Server*> running{nullptr};

extern "C" void stop_serving(int /*signal*/) {
  if (auto* s = running.load()) s->stop();
}

int serve(const options& o) {
  std::filesystem::create_directories(o.dir);
  auto opened = sqlite_store::open((std::filesystem::path(o.dir) / "chatdesk.db").string());
  if (!opened) {
    std::cerr << "chatdesk_server: " << opened.error().message << '\n';
    return 2;
  }
  auto& st = **opened;
  system_clock clock;
  std::unique_ptr<transport> out;
  if (!o.platform.empty()) out = std::make_unique<http_transport>(o.platform, o.platform_token);
  desk d(clock, st, out.get());
  if (!o.business_file.empty()) {
    auto text = read_file(o.business_file, 1 << 20);
    if (!text) {
      std::cerr << "chatdesk_server: " << text.error().message << '\n';
      return 2;
    }
    auto b = parse_business(*text);
    if (!b) {
      std::cerr << "chatdesk_server: " << o.business_file << ": " << b.error().message << '\n';
      return 2;
    }
    if (auto added = d.add_business(std::move(*b)); !added) {
      std::cerr << "chatdesk_server: " << added.error().message << '\n';
      return 2;
    }
  }
  const auto app_secret = read_secret(o.app_secret, o.app_secret_file, "--app-secret-file");
  const auto token = read_secret(o.token, o.token_file, "--token-file");
  if (app_secret.empty() || token.empty()) {
    std::cerr << "chatdesk_server: an app secret (--app-secret) and an API token (--token) are required\n";
    return 2;
  }
  const hub_verifier verifier(app_secret);
  webhook_feed feed(d);
  std::mutex feed_mu;  // the feed's de-duplication window is shared; the desk itself is thread-safe
  inbox_index inbox(d, st);

  httplib::Server server;
  server.set_payload_max_length(o.max_body);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(std::move(ep));
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    reply_error(res, 500, "server.internal", what);
  });
  const auto authorised = [&token](const httplib::Request& req, httplib::Response& res) {
    const auto header = req.get_header_value("Authorization");
    constexpr std::string_view bearer = "Bearer ";
    if (header.size() > bearer.size() && std::string_view(header).substr(0, bearer.size()) == bearer &&
        constant_time_equal(std::string_view(header).substr(bearer.size()), token))
      return true;
    reply_error(res, 401, "server.unauthorised", "this API needs 'Authorization: Bearer <token>'");
    return false;
  };

  server.Get("/healthz",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  server.Get("/webhook", [&](const httplib::Request& req, httplib::Response& res) {
    subscription_request q;
    q.mode = req.get_param_value("hub.mode");
    q.verify_token = req.get_param_value("hub.verify_token");
    q.challenge = req.get_param_value("hub.challenge");
    auto answer = answer_subscription(q, o.verify_token);
    if (!answer) return reply_error(res, 403, answer.error().code, answer.error().message);
    res.set_content(*answer, "text/plain");
  });
  server.Post("/webhook", [&](const httplib::Request& req, httplib::Response& res) {
    if (auto ok = verifier.verify(req.body, req.get_header_value("X-Hub-Signature-256")); !ok)
      return reply_error(res, 401, ok.error().code, ok.error().message);
    auto batch = decode_webhook(req.body);
    if (!batch) return reply_error(res, 400, batch.error().code, batch.error().to_string());
    feed_report report;
    {
      std::lock_guard g(feed_mu);
      report = feed.apply(*batch);
    }
    json j{{"messages", report.messages},
           {"statuses", report.statuses},
           {"duplicates", report.duplicates},
           {"passed", report.passed}};
    auto refused = json::array();
    for (const auto& [i, e] : report.refused)
      refused.push_back({{"event", i}, {"code", e.code}, {"message", e.message}});
    j["refused"] = std::move(refused);
    reply_json(res, 200, j);
  });
  server.Get("/api/conversations", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req, res)) return;
    auto list = json::array();
    for (const auto& b : st.load_businesses())
      st.scan_records(inbox_kind, b.id + '\x1f', [&](std::string_view, std::string_view value) {
        auto row = json::parse(value, nullptr, false);
        if (row.is_discarded()) return true;
        row["business"] = b.id;
        if (auto customer = phone_number::parse(row.value("customer", std::string())); customer) {
          const auto w = d.window(row.value("number_id", std::string()), *customer);
          row["window_open"] = w.service_window_open;
          if (w.service_window_open) row["window_closes_at"] = format_timestamp(w.service_window_closes_at);
        }
        list.push_back(std::move(row));
        return true;
      });
    std::sort(list.begin(), list.end(),
              [](const json& a, const json& b) { return a.value("last_at", "") > b.value("last_at", ""); });
    reply_json(res, 200, json{{"conversations", std::move(list)}});
  });
  server.Get("/api/transcript", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req, res)) return;
    auto customer = phone_number::parse(req.get_param_value("customer"));
    if (!customer) return reply_error(res, 400, customer.error().code, customer.error().message);
    auto items = json::array();
    for (const auto& b : st.load_businesses())
      for (const auto& n : b.numbers)
        for (const auto& e : st.transcript({n.id, *customer})) {
          json m;
          m["direction"] = e.record.direction == direction::inbound ? "inbound" : "outbound";
          m["at"] = format_timestamp(e.record.at);
          m["type"] = e.record.type;
          if (e.record.direction == direction::outbound) m["status"] = to_string(e.record.status);
          if (e.message) m["text"] = std::string(text_of(e.message->content));
          items.push_back(std::move(m));
        }
    reply_json(res, 200, json{{"customer", customer->e164()}, {"messages", std::move(items)}});
  });
  server.Post("/api/reply", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req, res)) return;
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("customer") ||
        !body["customer"].is_string() || !body.contains("text") || !body["text"].is_string())
      return reply_error(res, 400, "server.bad_request", "send {\"customer\": \"+E164\", \"text\": \"...\"}");
    auto customer = phone_number::parse(body["customer"].get<std::string>());
    if (!customer) return reply_error(res, 400, customer.error().code, customer.error().message);
    const auto text = body["text"].get<std::string>();
    if (!utf8::valid(text) || text.empty())
      return reply_error(res, 400, "server.bad_request", "the text must be non-empty UTF-8");
    const auto businesses = st.load_businesses();
    if (businesses.empty())
      return reply_error(res, 409, "desk.unknown_business", "no business is registered");
    send_intent intent;
    intent.business_id = body.value("business", businesses.front().id);
    intent.customer = *customer;
    intent.content = text_content{text};
    auto sent = d.send(std::move(intent));
    if (!sent) return reply_error(res, 409, sent.error().code, sent.error().message);
    if (!sent->decision.allowed) {
      const auto& why = *sent->decision.refusal;
      return reply_error(res, 409, why.code, why.message);
    }
    json j{{"correlation_id", sent->correlation_id}, {"status", to_string(sent->status)}};
    if (!sent->message_id.empty()) j["message_id"] = sent->message_id;
    if (sent->transport_error) {
      j["error"] = {{"code", sent->transport_error->code}, {"message", sent->transport_error->title}};
      return reply_json(res, 502, j);
    }
    reply_json(res, 200, j);
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty())
      reply_error(res, res.status, res.status == 413 ? "server.too_large" : "server.not_found",
                  res.status == 413 ? "the request body is too large" : "no such endpoint");
  });

  const int port =
      o.port == 0 ? server.bind_to_any_port(o.host) : (server.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) {
    std::cerr << "chatdesk_server: cannot listen on " << o.host << ':' << o.port << '\n';
    return 1;
  }
  running = &server;
  std::signal(SIGINT, stop_serving);
  std::signal(SIGTERM, stop_serving);
  std::cout << "chatdesk_server listening on http://" << o.host << ':' << port << std::endl;
  server.listen_after_bind();
  running = nullptr;
  std::cout << "chatdesk_server stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"chatdesk_server: a webhook server and an inbox API over a SQLite store (docs/server.md)"};
  app.add_option("--dir", o.dir, "Where the state lives (created when missing)")->required();
  app.add_option("--host", o.host, "The address to listen on (default 127.0.0.1)");
  app.add_option("--port", o.port, "The port (0: any free one; it is printed)");
  app.add_option("--business", o.business_file, "A business's definition (JSON) to register");
  app.add_option("--app-secret", o.app_secret, "The app secret webhooks are signed with");
  app.add_option("--app-secret-file", o.app_secret_file, "Or a file holding it");
  app.add_option("--verify-token", o.verify_token, "The token of the subscription handshake");
  app.add_option("--token", o.token, "The API's login token");
  app.add_option("--token-file", o.token_file, "Or a file holding it");
  app.add_option("--platform", o.platform,
                 "The platform's base URL, such as https://graph.facebook.com/v21.0");
  app.add_option("--platform-token", o.platform_token, "The bearer token for the platform");
  app.add_option("--max-body", o.max_body, "The largest request body accepted, in bytes");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return serve(o);
  } catch (const std::exception& e) {
    std::cerr << "chatdesk_server: " << e.what() << '\n';
    return 1;
  }
}
