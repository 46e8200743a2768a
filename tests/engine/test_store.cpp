#include <chrono>

#include "chatdesk/engine/store.hpp"
#include "support/catch.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

namespace {
phone_number num(const char* s) {
  return phone_number::parse(s).value();
}
timestamp t0() {
  return parse_timestamp("2026-03-02T09:00:00Z").value();
}
}  // namespace

TEST_CASE("the memory store keeps conversations and customers apart by business", "[engine][store]") {
  memory_store s;
  const conversation_key a{"n1", num("+393331234567")};
  const conversation_key b{"n2", num("+393331234567")};
  CHECK_FALSE(s.load_conversation(a));
  conversation_state st;
  st.last_inbound = t0();
  st.inbound_count = 3;
  s.save_conversation(a, st);
  CHECK(s.load_conversation(a)->inbound_count == 3);
  CHECK_FALSE(s.load_conversation(b));
  CHECK(s.conversation_count() == 1);

  customer_state c;
  c.profile_name = "Maria";
  s.save_customer("shop", num("+393331234567"), c);
  CHECK(s.load_customer("shop", num("+393331234567"))->profile_name == "Maria");
  CHECK_FALSE(s.load_customer("other", num("+393331234567")));
  CHECK(s.load_number("n1").throughput_tat_us == 0);
  s.save_number("n1", number_state{42});
  CHECK(s.load_number("n1").throughput_tat_us == 42);
}

TEST_CASE("message records are found by platform id or correlation id", "[engine][store]") {
  memory_store s;
  message_record r;
  r.correlation_id = "c1";
  r.key = {"n1", num("+393331234567")};
  r.direction = direction::outbound;
  REQUIRE(s.add_message(r));
  CHECK_FALSE(s.add_message(r));  // the same correlation id again
  CHECK(s.find_message("c1"));
  CHECK_FALSE(s.find_message("wamid.1"));
  r.id = "wamid.1";
  r.status = message_status::sent;
  s.update_message(r);
  CHECK(s.find_message("wamid.1")->status == message_status::sent);
  CHECK(s.find_message("c1")->id == "wamid.1");
  message_record in;
  in.id = "wamid.1";
  CHECK_FALSE(s.add_message(in));  // a platform id is unique too
  CHECK(s.messages(r.key).size() == 1);

  memory_store no_history(memory_store_options{false});
  REQUIRE(no_history.add_message(r));
  CHECK(no_history.messages(r.key).empty());
  CHECK(no_history.find_message("wamid.1"));
}

TEST_CASE("reached customers are counted uniquely in a moving window", "[engine][store]") {
  memory_store s;
  const auto a = num("+393331234567");
  const auto b = num("+393477654321");
  s.record_reached("shop", a, t0());
  s.record_reached("shop", a, t0() + 1h);
  s.record_reached("shop", b, t0() + 2h);
  s.record_reached("other", b, t0() + 2h);
  CHECK(s.reached_customers("shop", t0()) == 2);
  CHECK(s.was_reached("shop", a, t0() + 1h));
  CHECK_FALSE(s.was_reached("shop", a, t0() + 1h + 1ms));
  CHECK(s.reached_customers("shop", t0() + 90min) == 1);  // a's latest is before, b's after
  CHECK(s.reached_customers("shop", t0() + 3h) == 0);
  CHECK(s.reached_customers("other", t0()) == 1);
}
