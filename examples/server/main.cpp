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
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>

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
#include "chatdesk/pricing/formats.hpp"
#include "chatdesk/pricing/ledger.hpp"
#include "chatdesk/pricing/rate_card.hpp"
#include "chatdesk/store/sqlite_store.hpp"
#if defined(CHATDESK_WITH_POSTGRES)
#include "chatdesk/store/postgres_store.hpp"
#endif
#include "chatdesk/support/support_desk.hpp"
#include "chatdesk/templates/binding.hpp"
#include "chatdesk/templates/catalog.hpp"
#include "chatdesk/templates/library.hpp"
#include "chatdesk/wire/send.hpp"
#include "chatdesk/wire/signature.hpp"
#include "chatdesk/wire/twilio.hpp"
#include "chatdesk/wire/webhook.hpp"
#include "chatdesk/wire/zendesk.hpp"

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

// --- templates: what may be sent once the window closed ---------------------

/// The variables in `text` ("{{1}}", "{{order_number}}"), in order of appearance.
std::vector<std::string> variables_in(std::string_view text) {
  std::vector<std::string> out;
  for (auto at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at + 2)) {
    const auto end = text.find("}}", at + 2);
    if (end == std::string_view::npos) break;
    std::string name(text.substr(at + 2, end - at - 2));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  return out;
}

json template_json(const template_definition& d) {
  json j{{"name", d.name},
         {"language", d.language},
         {"category", std::string(to_string(d.category))},
         {"body", d.body},
         {"variables", variables_in(d.body)}};
  if (d.header == header_format::text) {
    j["header"] = d.header_text;
    j["header_variables"] = variables_in(d.header_text);
  }
  if (!d.footer.empty()) j["footer"] = d.footer;
  auto buttons = json::array();
  for (std::size_t i = 0; i < d.buttons.size(); ++i)
    if (d.buttons[i].type == button_type::url && d.buttons[i].url.find("{{") != std::string::npos)
      buttons.push_back({{"index", i}, {"text", d.buttons[i].text}, {"url", d.buttons[i].url}});
  j["button_variables"] = std::move(buttons);
  return j;
}

// --- costs: the month so far under each pricing model -----------------------

/// One ledger per pricing model, fed by the desk, each charge also summed by
/// day, category and market for the charts. The desk's journal rebuilds the
/// month after a restart.
class cost_book {
 public:
  cost_book(desk& d, const std::string& rates_dir) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(rates_dir, ec)) {
      if (entry.path().extension() != ".json") continue;
      auto text = read_file(entry.path().string(), std::size_t{8} << 20);
      if (!text) continue;
      if (auto card = parse_rate_card(*text, entry.path().filename().string()); card)
        (void)cards_.add(std::move(*card));
    }
    if (cards_.empty()) return;
    for (const auto m : {pricing_model::legacy_2018, pricing_model::cbp_2023, pricing_model::pmp_2025,
                         pricing_model::pmp_2026_10}) {
      auto one = std::make_unique<per_model>();
      one->model = m;
      ledger_options lo;
      lo.model = m;  // every message priced under this model: the same traffic, four ways
      one->book = std::make_unique<ledger>(cards_, lo);
      one->bridge = std::make_unique<ledger_bridge>(*one->book, d);
      models_.push_back(std::move(one));
    }
  }
  cost_book(const cost_book&) = delete;
  cost_book& operator=(const cost_book&) = delete;

  [[nodiscard]] bool available() const { return !models_.empty(); }
  /// Registers a business with every ledger.
  void add_business(const business& b) {
    for (auto& m : models_)
      m->book->add_business(pricing_business{b.id, b.zone, b.home_country, std::nullopt});
  }
  /// The bridges, to subscribe to the desk (and to replay its journal into).
  template <class F>
  void each_bridge(F&& f) {
    for (auto& m : models_) f(*m->bridge);
  }

  json to_json() {
    std::lock_guard g(mu_);
    auto models = json::array();
    for (auto& m : models_) {
      for (const auto& c : m->bridge->take_charges()) {
        const auto day = format_date(date::year_month_day{std::chrono::floor<date::days>(c.delivered_at)});
        auto& sum = m->by_day[{day, c.category, c.market}];
        sum = sum + c.amount;
      }
      auto days = json::array();
      for (const auto& [k, amount] : m->by_day)
        days.push_back({{"day", std::get<0>(k)},
                        {"category", std::get<1>(k)},
                        {"market", std::get<2>(k)},
                        {"amount", amount.to_string()}});
      const auto inv = m->book->invoice();
      models.push_back({{"model", std::string(to_string(m->model))},
                        {"currency", inv.total_settled.currency().code()},
                        {"total", inv.total_settled.amount_string()},
                        {"invoice", chatdesk::to_json(inv)},
                        {"days", std::move(days)}});
    }
    return json{{"models", std::move(models)}};
  }

 private:
  struct per_model {
    pricing_model model = pricing_model::pmp_2026_10;
    std::unique_ptr<ledger> book;
    std::unique_ptr<ledger_bridge> bridge;
    std::map<std::tuple<std::string, std::string, std::string>, decimal> by_day;
  };
  rate_cards cards_;
  std::vector<std::unique_ptr<per_model>> models_;
  std::mutex mu_;
};

// --- live support as the inbox shows it -------------------------------------

json support_json(const support_conversation& c) {
  json j{{"status", std::string(to_string(c.status))}, {"team", c.team}, {"agent", c.agent}};
  auto sla = json::object();
  for (const auto m : {sla_metric::first_response, sla_metric::next_response, sla_metric::resolution}) {
    const auto& k = c.clock_of(m);
    if (k.target.count() == 0 || k.started == never) continue;
    const char* state = k.breached           ? "breached"
                        : k.stopped != never ? "met"
                        : k.warned           ? "warning"
                                             : "running";
    json one{{"state", state}};
    if (k.running() && k.due != never) one["due"] = format_timestamp(k.due);
    sla[std::string(to_string(m))] = std::move(one);
  }
  j["sla"] = std::move(sla);
  if (c.csat) j["csat"] = *c.csat;
  return j;
}

// --- the inbox's index: one record per conversation -------------------------

constexpr std::string_view inbox_kind = "inbox.conversation";

std::string_view text_of(const content& c) {
  if (const auto* t = std::get_if<text_content>(&c)) return t->body;
  if (const auto* i = std::get_if<interactive_content>(&c))
    return i->reply_title.empty() ? i->body : i->reply_title;
  if (const auto* m = std::get_if<media_content>(&c)) return m->caption;
  if (const auto* t = std::get_if<template_content>(&c)) return t->name;
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

// --- live updates: Server-Sent Events from the desk's observers -------------

std::atomic<bool> stopping{false};

/// Keeps the last events the desk told (a message came, a status moved) for
/// the inbox's event streams; each stream waits for events after the last it sent.
class live_events final : public observer {
 public:
  explicit live_events(desk& d) : d_(d) { d_.subscribe(this); }
  ~live_events() override { d_.unsubscribe(this); }
  live_events(const live_events&) = delete;
  live_events& operator=(const live_events&) = delete;

  void message_received(const message& m) override {
    publish(json{{"kind", "message"}, {"customer", m.customer.e164()}});
  }
  void status_changed(const message_record& r, message_status /*from*/) override {
    publish(json{{"kind", "status"}, {"customer", r.key.customer.e164()}, {"status", to_string(r.status)}});
  }

  /// The number of the latest event.
  std::uint64_t latest() {
    std::lock_guard g(mu_);
    return seq_;
  }
  /// The events after `after`, waiting up to a second for one.
  std::vector<std::pair<std::uint64_t, std::string>> after(std::uint64_t after) {
    std::unique_lock g(mu_);
    cv_.wait_for(g, std::chrono::seconds(1), [&] { return seq_ > after || stopping.load(); });
    std::vector<std::pair<std::uint64_t, std::string>> out;
    for (const auto& e : events_)
      if (e.first > after) out.push_back(e);
    return out;
  }

 private:
  void publish(const json& e) {
    {
      std::lock_guard g(mu_);
      events_.emplace_back(++seq_, e.dump(-1, ' ', false, json::error_handler_t::replace));
      if (events_.size() > 256) events_.pop_front();
    }
    cv_.notify_all();
  }

  desk& d_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::uint64_t, std::string>> events_;
  std::uint64_t seq_ = 0;
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
  std::string web = CHATDESK_SERVER_WEB;
  std::string rates = CHATDESK_SERVER_RATES;
  std::string postgres;    // a libpq connection string: the state in PostgreSQL instead
  std::string public_url;  // how Twilio reaches this server (its signature covers the URL)
  std::string twilio_auth_token;
  std::string zendesk_secret;
  std::string agents;  // "giulia:Giulia,marco:Marco": one team, "care", every agent online
  int first_response_minutes = 30;
  int resolution_hours = 24;
};

std::atomic<httplib::Server*> running{nullptr};

extern "C" void stop_serving(int /*signal*/) {
  stopping = true;
  if (auto* s = running.load()) s->stop();
}

/// A file of the inbox page, or nullopt.
std::optional<std::string> web_file(const std::string& dir, const char* name) {
  auto text = read_file((std::filesystem::path(dir) / name).string(), std::size_t{1} << 20);
  if (!text) return std::nullopt;
  return *text;
}

int serve(const options& o) {
  std::filesystem::create_directories(o.dir);
  // SQLite in --dir by default; PostgreSQL when several instances share one state.
  std::unique_ptr<store> state;
#if defined(CHATDESK_WITH_POSTGRES)
  if (!o.postgres.empty()) {
    auto opened = postgres_store::open(o.postgres);
    if (!opened) {
      std::cerr << "chatdesk_server: " << opened.error().message << '\n';
      return 2;
    }
    state = std::move(*opened);
  }
#endif
  if (!state) {
    auto opened = sqlite_store::open((std::filesystem::path(o.dir) / "chatdesk.db").string());
    if (!opened) {
      std::cerr << "chatdesk_server: " << opened.error().message << '\n';
      return 2;
    }
    state = std::move(*opened);
  }
  auto& st = *state;
  system_clock clock;
  std::unique_ptr<transport> sender;
  if (!o.platform.empty()) sender = std::make_unique<http_transport>(o.platform, o.platform_token);
  desk d(clock, st, sender.get());
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
  // The ready-made templates, approved, for every business the store knows.
  template_library templates(clock);
  for (const auto& b : st.load_businesses())
    for (auto& def : catalog::all()) (void)templates.add(b.id, std::move(def));
  d.set_template_directory(&templates);

  // Live support: one team of the agents named on the command line, online
  // from the start, with first-response and resolution targets.
  support_desk support(d, st, clock);
  if (!o.agents.empty()) {
    for (const auto& b : st.load_businesses()) {
      team care;
      care.id = "care";
      care.name = "Customer care";
      std::string_view rest = o.agents;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto colon = item.find(':');
        agent a;
        a.id = std::string(item.substr(0, colon));
        a.name = colon == std::string_view::npos ? a.id : std::string(item.substr(colon + 1));
        if (auto put = support.put_agent(b.id, a); !put) throw std::runtime_error(put.error().message);
        care.members.push_back(a.id);
      }
      if (auto put = support.put_team(b.id, care); !put) throw std::runtime_error(put.error().message);
      support_settings settings;
      settings.default_team = "care";
      settings.sla.first_response = std::chrono::minutes(o.first_response_minutes);
      settings.sla.resolution = std::chrono::hours(o.resolution_hours);
      if (auto c = support.configure(b.id, settings); !c) throw std::runtime_error(c.error().message);
      for (const auto& m : care.members) (void)support.set_presence(b.id, m, presence::online);
    }
  }
  // Costs: four ledgers over the same traffic, the month so far rebuilt from the desk's journal.
  cost_book costs(d, o.rates);
  for (const auto& b : st.load_businesses()) costs.add_business(b);
  {
    const auto now = clock.now();
    const auto month_start =
        timestamp(date::sys_days(date::year_month_day{std::chrono::floor<date::days>(now)}.year() /
                                 date::year_month_day{std::chrono::floor<date::days>(now)}.month() / 1) -
                  std::chrono::hours(24));
    costs.each_bridge([&](ledger_bridge& b) {
      if (auto replayed = d.replay_journal(b, month_start); !replayed)
        std::cerr << "chatdesk_server: costs: " << replayed.error().message << '\n';
      d.subscribe(&b);
    });
  }
  struct unsubscribe_costs {
    desk& d;
    cost_book& c;
    ~unsubscribe_costs() {
      c.each_bridge([&](ledger_bridge& b) { d.unsubscribe(&b); });
    }
  } costs_subscription{d, costs};
  // Time moves windows and SLA clocks: both desks tick once a second.
  std::thread ticker([&] {
    while (!stopping) {
      d.tick();
      support.tick();
      for (int i = 0; i < 10 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  struct join_at_end {
    std::thread& t;
    ~join_at_end() {
      stopping = true;
      if (t.joinable()) t.join();
    }
  } join_ticker{ticker};
  const auto app_secret = read_secret(o.app_secret, o.app_secret_file, "--app-secret-file");
  const auto token = read_secret(o.token, o.token_file, "--token-file");
  if (app_secret.empty() || token.empty()) {
    std::cerr << "chatdesk_server: an app secret (--app-secret) and an API token (--token) are required\n";
    return 2;
  }
  const hub_verifier verifier(app_secret);
  std::string public_url;  // known once the port is
  webhook_feed feed(d);
  // The feed, the desk and both observers are thread-safe: the server's threads share them.
  inbox_index inbox(d, st);
  live_events events(d);

  httplib::Server server;
  server.set_payload_max_length(o.max_body);
  server.set_tcp_nodelay(true);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(std::move(ep));
    } catch (const nlohmann::json::exception& e) {  // a JSON field of the wrong type in a request
      return reply_error(res, 400, "server.bad_request", e.what());
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    reply_error(res, 500, "server.internal", what);
  });
  // The token comes in the Authorization header; the event stream, which a
  // browser opens without headers, may carry it as `?token=`.
  const auto authorised = [&token](const httplib::Request& req, httplib::Response& res) {
    const auto header = req.get_header_value("Authorization");
    constexpr std::string_view bearer = "Bearer ";
    if (header.size() > bearer.size() && std::string_view(header).substr(0, bearer.size()) == bearer &&
        constant_time_equal(std::string_view(header).substr(bearer.size()), token))
      return true;
    if (req.path == "/api/events" && req.has_param("token") &&
        constant_time_equal(req.get_param_value("token"), token))
      return true;
    reply_error(res, 401, "server.unauthorised", "this API needs 'Authorization: Bearer <token>'");
    return false;
  };

  // The inbox page: plain files, no build step; customer text is only ever set as text.
  const auto page = [&o](const char* name, const char* type) {
    return [&o, name, type](const httplib::Request&, httplib::Response& res) {
      auto text = web_file(o.web, name);
      if (!text)
        return reply_error(res, 404, "server.not_found", std::string("the inbox's ") + name + " is missing");
      res.set_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("Cache-Control", "no-cache");
      res.set_content(*text, type);
    };
  };
  server.Get("/", page("inbox.html", "text/html; charset=utf-8"));
  server.Get("/inbox.js", page("inbox.js", "text/javascript; charset=utf-8"));
  server.Get("/inbox.css", page("inbox.css", "text/css; charset=utf-8"));
  server.Get("/costs", page("costs.html", "text/html; charset=utf-8"));
  server.Get("/costs.js", page("costs.js", "text/javascript; charset=utf-8"));
  server.Get("/api/events", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req, res)) return;
    res.set_header("Cache-Control", "no-store");
    auto last = std::make_shared<std::uint64_t>(events.latest());
    auto idle = std::make_shared<int>(0);
    res.set_chunked_content_provider(
        "text/event-stream", [&events, last, idle](std::size_t, httplib::DataSink& sink) {
          if (stopping) return false;
          auto batch = events.after(*last);
          std::string chunk;
          for (const auto& [seq, data] : batch) {
            *last = seq;
            chunk += "id: " + std::to_string(seq) + "\ndata: " + data + "\n\n";
          }
          if (chunk.empty() && ++*idle >= 15)
            chunk = ": still here\n\n";  // keeps proxies from closing an idle stream
          if (chunk.empty()) return true;
          *idle = 0;
          return sink.write(chunk.data(), chunk.size());
        });
  });
  // The conversation a request names: its customer, and its business number (default: the first).
  const auto key_of = [&](const json& body, httplib::Response& res) -> std::optional<conversation_key> {
    const auto customer_text = body.is_object() && body.contains("customer") && body["customer"].is_string()
                                   ? body["customer"].get<std::string>()
                                   : std::string();
    auto customer = phone_number::parse(customer_text);
    if (!customer) {
      reply_error(res, 400, customer.error().code, customer.error().message);
      return std::nullopt;
    }
    std::string number = body.is_object() ? body.value("number_id", std::string()) : std::string();
    if (number.empty())
      for (const auto& b : st.load_businesses())
        if (!b.numbers.empty()) {
          number = b.numbers.front().id;
          break;
        }
    return conversation_key{number, *customer};
  };
  const auto support_step = [&](const httplib::Request& req, httplib::Response& res, auto&& step) {
    if (!authorised(req, res)) return;
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return reply_error(res, 400, "server.bad_request", "the body must be a JSON object");
    auto key = key_of(body, res);
    if (!key) return;
    step(*key, body, res);
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
  // A decoded batch through the feed (all of it, or nothing when it is malformed).
  const auto apply_batch = [&](const result<webhook_batch>& batch, httplib::Response& res) {
    if (!batch) return reply_error(res, 400, batch.error().code, batch.error().to_string());
    const auto report = feed.apply(*batch);
    json j{{"messages", report.messages},
           {"statuses", report.statuses},
           {"duplicates", report.duplicates},
           {"passed", report.passed}};
    auto refused = json::array();
    for (const auto& [i, e] : report.refused)
      refused.push_back({{"event", i}, {"code", e.code}, {"message", e.message}});
    j["refused"] = std::move(refused);
    reply_json(res, 200, j);
  };
  server.Post("/webhook", [&](const httplib::Request& req, httplib::Response& res) {
    if (auto ok = verifier.verify(req.body, req.get_header_value("X-Hub-Signature-256")); !ok)
      return reply_error(res, 401, ok.error().code, ok.error().message);
    apply_batch(decode_webhook(req.body), res);
  });
  // Twilio's callbacks: form bodies signed with the auth token over the public URL.
  server.Post("/twilio", [&](const httplib::Request& req, httplib::Response& res) {
    if (o.twilio_auth_token.empty())
      return reply_error(res, 404, "server.not_found", "Twilio is not configured");
    const auto url =
        public_url + req.path +
        (req.target.find('?') == std::string::npos ? std::string() : req.target.substr(req.target.find('?')));
    if (auto ok = verify_twilio_request(url, req.body, req.get_header_value("X-Twilio-Signature"),
                                        o.twilio_auth_token);
        !ok)
      return reply_error(res, 401, ok.error().code, ok.error().message);
    apply_batch(decode_twilio_webhook(req.body, clock.now()), res);
  });
  // Zendesk Sunshine Conversations: JSON bodies with the webhook's shared secret.
  server.Post("/zendesk", [&](const httplib::Request& req, httplib::Response& res) {
    if (o.zendesk_secret.empty())
      return reply_error(res, 404, "server.not_found", "Zendesk is not configured");
    if (auto ok = verify_zendesk_secret(req.get_header_value("X-API-Key"), o.zendesk_secret); !ok)
      return reply_error(res, 401, ok.error().code, ok.error().message);
    apply_batch(decode_zendesk_webhook(req.body, o.max_body), res);
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
          const conversation_key key{row.value("number_id", std::string()), *customer};
          const auto w = d.window(key.business_number_id, key.customer);
          row["window_open"] = w.service_window_open;
          if (w.service_window_open) row["window_closes_at"] = format_timestamp(w.service_window_closes_at);
          if (auto c = support.conversation(key)) row["support"] = support_json(*c);
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
    if (body.contains("agent") && body["agent"].is_string()) {  // an agent's reply: it counts for the SLA
      auto key = key_of(body, res);
      if (!key) return;
      auto r = support.reply(*key, body["agent"].get<std::string>(), text_content{text});
      if (!r) return reply_error(res, 409, r.error().code, r.error().message);
      if (!r->sent.decision.allowed)
        return reply_error(res, 409, r->sent.decision.refusal->code, r->sent.decision.refusal->message);
      json j{{"correlation_id", r->sent.correlation_id}, {"status", to_string(r->sent.status)}};
      if (!r->sent.message_id.empty()) j["message_id"] = r->sent.message_id;
      return reply_json(res, r->sent.transport_error ? 502 : 200, j);
    }
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
  server.Get("/api/costs", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req, res)) return;
    if (!costs.available())
      return reply_error(res, 404, "server.no_rate_cards", "no rate cards in " + o.rates);
    reply_json(res, 200, costs.to_json());
  });
  server.Get("/api/agents", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req, res)) return;
    auto list = json::array();
    for (const auto& b : st.load_businesses())
      for (const auto& v : support.agents(b.id))
        list.push_back({{"business", b.id},
                        {"id", v.agent.id},
                        {"name", v.agent.name},
                        {"presence", std::string(to_string(v.presence))},
                        {"holding", v.holding},
                        {"capacity", v.agent.capacity}});
    reply_json(res, 200, json{{"agents", std::move(list)}});
  });
  server.Post("/api/assign", [&](const httplib::Request& req, httplib::Response& res) {
    support_step(req, res, [&](const conversation_key& key, const json& body, httplib::Response& out) {
      if (!body.contains("agent") || !body["agent"].is_string())
        return reply_error(out, 400, "server.bad_request", "name the agent: {\"customer\", \"agent\"}");
      auto r = support.assign(key, body["agent"].get<std::string>(), body.value("by", std::string("inbox")));
      if (!r) return reply_error(out, 409, r.error().code, r.error().message);
      reply_json(out, 200,
                 json{{"agent", r->agent}, {"reason", r->reason}, {"over_capacity", r->over_capacity}});
    });
  });
  server.Post("/api/resolve", [&](const httplib::Request& req, httplib::Response& res) {
    support_step(req, res, [&](const conversation_key& key, const json& body, httplib::Response& out) {
      if (auto r = support.resolve(key, body.value("by", std::string("inbox"))); !r)
        return reply_error(out, 409, r.error().code, r.error().message);
      reply_json(out, 200, json{{"status", "resolved"}});
    });
  });
  server.Post("/api/survey", [&](const httplib::Request& req, httplib::Response& res) {
    support_step(req, res, [&](const conversation_key& key, const json& body, httplib::Response& out) {
      auto r = support.send_survey(key, body.value("by", std::string("inbox")));
      if (!r) return reply_error(out, 409, r.error().code, r.error().message);
      if (!r->sent.decision.allowed)
        return reply_error(out, 409, r->sent.decision.refusal->code, r->sent.decision.refusal->message);
      reply_json(out, 200, json{{"as_template", r->as_template}, {"note", r->note}});
    });
  });
  server.Get("/api/templates", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req, res)) return;
    auto list = json::array();
    for (const auto& b : st.load_businesses())
      for (const auto& language : catalog::languages())
        for (const auto& name : templates.approved_in(b.id, language))
          if (auto found = templates.lookup(b.id, name, language); found && !found->fallback) {
            auto j = template_json(found->definition);
            j["business"] = b.id;
            list.push_back(std::move(j));
          }
    reply_json(res, 200, json{{"templates", std::move(list)}});
  });
  server.Post("/api/template", [&](const httplib::Request& req, httplib::Response& res) {
    if (!authorised(req, res)) return;
    auto body = json::parse(req.body, nullptr, false);
    const auto text = [&](const char* key) {
      return body.is_object() && body.contains(key) && body[key].is_string() ? body[key].get<std::string>()
                                                                             : std::string();
    };
    if (body.is_discarded() || !body.is_object() || text("customer").empty() || text("name").empty() ||
        text("language").empty())
      return reply_error(
          res, 400, "server.bad_request",
          "send {\"customer\", \"name\", \"language\", \"values\": {...}, \"buttons\": {...}}");
    auto customer = phone_number::parse(text("customer"));
    if (!customer) return reply_error(res, 400, customer.error().code, customer.error().message);
    const auto businesses = st.load_businesses();
    if (businesses.empty())
      return reply_error(res, 409, "desk.unknown_business", "no business is registered");
    const auto business_id = body.value("business", businesses.front().id);
    auto found = templates.lookup(business_id, text("name"), text("language"));
    if (!found) return reply_error(res, 404, found.error().code, found.error().message);
    template_arguments args;
    const auto values = body.value("values", json::object());
    const auto header = body.value("header", json::object());
    const auto buttons = body.value("buttons", json::object());
    if (!values.is_object() || !header.is_object() || !buttons.is_object())
      return reply_error(res, 400, "server.bad_request", "values, header and buttons are objects of strings");
    for (const auto& [k, v] : values.items())
      if (v.is_string()) args.set(k, v.get<std::string>());
    for (const auto& [k, v] : header.items())
      if (v.is_string()) args.set_header(v.get<std::string>());
    for (const auto& [k, v] : buttons.items()) {
      std::size_t index = 0;
      if (auto [p, ec] = std::from_chars(k.data(), k.data() + k.size(), index);
          ec == std::errc{} && v.is_string())
        args.set_button(index, v.get<std::string>());
    }
    auto bound = bind(found->definition, args);
    if (!bound) return reply_error(res, 400, bound.error().code, bound.error().message);
    send_intent intent;
    intent.business_id = business_id;
    intent.customer = *customer;
    intent.content = to_content(*bound);
    auto sent = d.send(std::move(intent));
    if (!sent) return reply_error(res, 409, sent.error().code, sent.error().message);
    if (!sent->decision.allowed)
      return reply_error(res, 409, sent->decision.refusal->code, sent->decision.refusal->message);
    json j{
        {"correlation_id", sent->correlation_id}, {"status", to_string(sent->status)}, {"text", bound->body}};
    if (!sent->message_id.empty()) j["message_id"] = sent->message_id;
    reply_json(res, sent->transport_error ? 502 : 200, j);
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
  public_url = o.public_url.empty() ? "http://" + o.host + ":" + std::to_string(port) : o.public_url;
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
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
  app.add_option("--public-url", o.public_url,
                 "The URL Twilio calls this server at (default http://HOST:PORT)");
  app.add_option("--twilio-auth-token", o.twilio_auth_token, "Twilio's auth token: enables POST /twilio");
  app.add_option("--zendesk-secret", o.zendesk_secret,
                 "The Sunshine Conversations webhook's secret: enables POST /zendesk");
  app.add_option("--agents", o.agents,
                 "Live support's agents, \"id:Name,id:Name\": one team, every agent online");
  app.add_option("--first-response-minutes", o.first_response_minutes, "The first response's SLA target");
  app.add_option("--resolution-hours", o.resolution_hours, "The resolution's SLA target");
  app.add_option("--postgres", o.postgres,
                 "Keep the state in PostgreSQL (a libpq connection string) instead");
  app.add_option("--rates", o.rates, "The rate cards' folder (default: the source tree's data/rate_cards)");
  app.add_option("--web", o.web, "The inbox page's folder (default: the source tree's examples/server/web)");
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
