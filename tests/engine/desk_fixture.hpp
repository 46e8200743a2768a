// A desk wired for tests: a manual clock, the in-memory store, a transport
// that records and answers, and an observer that writes down every event.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/engine/desk.hpp"

namespace chatdesk::test {

inline timestamp at(const char* iso) {
  return parse_timestamp(iso).value();
}
inline phone_number number(const char* text) {
  return phone_number::parse(text).value();
}

/// Records every observer call as one line of text.
class recording_observer final : public observer {
 public:
  void message_received(const message& m) override { add(fmt::format("received {}", m.id)); }
  void window_opened(const conversation_key& k, timestamp closes) override {
    add(fmt::format("window_opened {} {}", k.customer, format_timestamp(closes)));
  }
  void window_closing(const conversation_key& k, timestamp closes) override {
    add(fmt::format("window_closing {} {}", k.customer, format_timestamp(closes)));
  }
  void window_closed(const conversation_key& k, timestamp closed) override {
    add(fmt::format("window_closed {} {}", k.customer, format_timestamp(closed)));
  }
  void entry_point_opened(const conversation_key& k, timestamp closes) override {
    add(fmt::format("entry_point_opened {} {}", k.customer, format_timestamp(closes)));
  }
  void status_changed(const message_record& r, message_status from) override {
    add(fmt::format("status {} {}->{}", r.id.empty() ? r.correlation_id : r.id, to_string(from),
                    to_string(r.status)));
  }
  void send_refused(const send_intent& i, const error& e) override {
    add(fmt::format("refused {} {}", i.customer, e.code));
  }
  void limit_near(std::string_view b, std::uint32_t used, std::uint32_t limit) override {
    add(fmt::format("limit_near {} {}/{}", b, used, limit));
  }
  void free_tier_near(std::string_view n, std::uint32_t used, std::uint32_t free) override {
    add(fmt::format("free_tier_near {} {}/{}", n, used, free));
  }
  void consent_changed(std::string_view b, const phone_number& c, const consent& now) override {
    add(fmt::format("consent {} {} {}", b, c, now.opted_out() ? "out" : "in"));
  }

  std::vector<std::string> take() {
    std::lock_guard g(mu_);
    auto out = std::move(lines_);
    lines_.clear();
    return out;
  }

 private:
  void add(std::string line) {
    std::lock_guard g(mu_);
    lines_.push_back(std::move(line));
  }
  std::mutex mu_;
  std::vector<std::string> lines_;
};

/// Answers every send with "wamid.<n>", or as told.
/// Every field an observer gets, as one line per event.
class full_observer final : public observer {
 public:
  std::vector<std::string> lines;
  void message_received(const message& m) override {
    lines.push_back(fmt::format("received {} {} {} {} {} {}", m.id, m.business_number_id, m.customer,
                                format_timestamp(m.at), type_name(m.content), m.referral.has_value()));
  }
  void status_changed(const message_record& r, message_status from) override {
    lines.push_back(fmt::format("status {} {} {} {} {} {} {} {} {}->{} {} {} {}", r.id, r.correlation_id,
                                r.key.business_number_id, r.key.customer, static_cast<int>(r.direction),
                                r.type, r.category ? static_cast<int>(*r.category) : -1,
                                static_cast<int>(r.charge), to_string(from), to_string(r.status),
                                format_timestamp(r.at), format_timestamp(r.status_at),
                                r.error ? r.error->code : 0));
  }
};

class test_transport final : public transport {
 public:
  transport_answer deliver(const outbound_message& m) override {
    std::lock_guard g(mu_);
    delivered.push_back(m.message.correlation_id);
    if (next_answer) {
      auto a = *next_answer;
      next_answer.reset();
      return a;
    }
    return transport_answer::accepted(fmt::format("wamid.{}", ++count_));
  }
  std::optional<transport_answer> next_answer;
  std::vector<std::string> delivered;

 private:
  std::mutex mu_;
  int count_ = 0;
};

inline status_update status(std::string id, message_status s, timestamp when) {
  status_update u;
  u.message_id = std::move(id);
  u.status = s;
  u.at = when;
  return u;
}

inline business shop(messaging_tier tier = messaging_tier::tier_250) {
  business b;
  b.id = "shop";
  b.display_name = "Bottega Rossi";
  b.home_country = country::unchecked("IT");
  b.numbers.push_back({"n1", number("+39 055 123 4567"), 80});
  b.tier = tier;
  b.opt_out_keywords = {"STOP", "unsubscribe"};
  b.opt_in_keywords = {"START"};
  return b;
}

struct desk_fixture {
  manual_clock clock{at("2026-03-02T09:00:00Z")};
  memory_store store;
  test_transport wire;
  recording_observer events;
  chatdesk::desk desk{clock, store, &wire};

  explicit desk_fixture(business b = shop()) {
    desk.add_business(std::move(b)).value();
    desk.subscribe(&events);
  }

  receive_result customer_writes(const char* customer, const char* id, std::string body = "hello",
                                 bool referral = false) {
    message m;
    m.direction = direction::inbound;
    m.id = id;
    m.business_number_id = "n1";
    m.customer = number(customer);
    m.at = clock.now();
    m.content = text_content{std::move(body)};
    if (referral) {
      m.referral = chatdesk::referral{};
      m.referral->source_type = "ad";
      m.referral->source_id = "ad-1";
      m.referral->source_url = "https://example.invalid/ad";
      m.referral->headline = "Sale";
      m.referral->ctwa_clid = "clid";
    }
    return desk.receive(m, "Maria").value();
  }

  send_result reply(const char* customer, std::string body = "Thanks!") {
    send_intent i;
    i.business_id = "shop";
    i.customer = number(customer);
    i.content = text_content{std::move(body)};
    return desk.send(std::move(i)).value();
  }

  send_result send_template(const char* customer, template_category category = template_category::utility,
                            const char* name = "order_update") {
    send_intent i;
    i.business_id = "shop";
    i.customer = number(customer);
    i.content = template_content{name, "it", category, {{"1", "A-1"}}};
    return desk.send(std::move(i)).value();
  }
};

}  // namespace chatdesk::test
