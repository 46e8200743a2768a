// Scripts of timed events: reading, writing and replaying them through the
// library's own API (the program `chatdesk simulate` is a thin loop over it).
#include <fstream>
#include <string>
#include <vector>

#include "chatdesk/engine/script.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

namespace {

std::vector<std::string> script_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The replay's output for `lines`, one string per output line.
std::vector<std::string> replay_all(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  script_replay replay([&](std::string_view l) { out.emplace_back(l); });
  for (std::size_t i = 0; i < lines.size(); ++i) (void)replay.apply_line(lines[i], i + 1);
  return out;
}

std::string example() {
  return std::string(CHATDESK_SOURCE_DIR) + "/examples/scripts/conversation.jsonl";
}

}  // namespace

TEST_CASE("every line of the example script reads, writes and reads back the same", "[engine][script]") {
  const auto lines = script_lines(example());
  REQUIRE(lines.size() > 10);
  std::vector<std::string> rewritten;
  for (const auto& line : lines) {
    INFO(line);
    auto e = parse_script_event(line);
    REQUIRE(e);
    const auto written = to_json(*e).dump();
    auto again = parse_script_event(written);
    REQUIRE(again);
    CHECK(to_json(*again).dump() == written);
    CHECK(time_of(*again) == time_of(*e));
    rewritten.push_back(written);
  }
  // The written script replays exactly as the original.
  const auto original = replay_all(lines);
  CHECK(original.size() > lines.size());
  CHECK(replay_all(rewritten) == original);
}

TEST_CASE("a script built in code replays through the desk's rules", "[engine][script]") {
  std::vector<std::string> out;
  script_replay replay([&](std::string_view l) { out.emplace_back(l); });
  const auto customer = phone_number::parse("+393331234567").value();
  const auto t0 = parse_timestamp("2026-03-02T09:00:00Z").value();

  script_business shop;
  shop.definition.id = "shop";
  shop.definition.numbers.push_back({"n1", phone_number{}, 80});
  shop.definition.tier = messaging_tier::unlimited;
  REQUIRE(replay.apply(shop, 1));
  REQUIRE(replay.replay_desk().find_business("shop") != nullptr);

  script_inbound hello;
  hello.at = t0;
  hello.business_id = "shop";
  hello.customer = customer;
  hello.id = "in1";
  hello.message.body = text_content{"Hello"};
  REQUIRE(replay.apply(hello, 2));

  script_send reply;
  reply.at = t0 + std::chrono::hours(23);
  reply.business_id = "shop";
  reply.customer = customer;
  reply.message.body = text_content{"Hi!"};
  reply.id = "out1";
  REQUIRE(replay.apply(reply, 3));
  CHECK(out.back().find(R"("id":"out1","decision":"allowed")") != std::string::npos);

  reply.at = t0 + std::chrono::hours(25);  // the window has closed
  reply.id = "out2";
  REQUIRE(replay.apply(reply, 4));
  CHECK(out.back().find(R"("id":"out2","decision":"refused","policy":"service_window")") !=
        std::string::npos);
  CHECK(replay.now() == reply.at);
  CHECK(replay.problems() == 0);

  // Events before the clock are refused and change nothing.
  script_tick back{t0};
  auto r = replay.apply(back, 5);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "simulate.out_of_order");
  CHECK(replay.now() == reply.at);
  CHECK(replay.problems() == 1);
  CHECK(out.back().find(R"("line":5,"event":"problem","code":"simulate.out_of_order")") != std::string::npos);
}

TEST_CASE("a bad line is a problem that names its field and changes nothing", "[engine][script]") {
  std::vector<std::string> out;
  script_replay replay([&](std::string_view l) { out.emplace_back(l); });
  struct bad_case {
    const char* line;
    const char* code;
    const char* where;
  };
  const bad_case cases[] = {
      {R"({"at":"2026-03-02T09:00:00Z","type":"inbound","business":"new","customer":"+39 12","id":"a"})",
       "phone.too_short", "customer"},
      {R"({"at":"2026-03-02T09:00:00Z","type":"send","business":"new","customer":"+393331234567","kind":"unsupported"})",
       "simulate.unknown_kind", "kind"},
      {R"({"at":"2026-03-02T09:00:00Z","type":"send","business":"new","customer":"+393331234567","kind":"hologram"})",
       "simulate.unknown_kind", "kind"},
      {R"({"at":"2026-03-02T25:00:00Z","type":"tick"})", "time.invalid", "at"},
      {R"({"at":"2026-03-02T09:00:00Z","type":"status","id":"x","status":"read","error_code":"E"})",
       "simulate.field", "error_code"},
      {R"({"type":"business","business":"b","throughput":0})", "simulate.field", "throughput"},
      {R"({"type":"business","business":"b","paid_exempt":"yes"})", "simulate.field", "paid_exempt"},
      {R"({"type":"template","business":"b","template":"t","category":"promo"})", "message.unknown_category",
       "category"},
      {R"({"type":"launch"})", "simulate.unknown_type", "type"},
      {R"([1,2])", "simulate.syntax", ""},
      {R"(not json)", "simulate.syntax", ""},
  };
  std::size_t n = 0;
  for (const auto& c : cases) {
    INFO(c.line);
    auto r = replay.apply_line(c.line, ++n);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
    CHECK(r.error().where == c.where);
    CHECK(out.back().find(R"("event":"problem")") != std::string::npos);
  }
  CHECK(replay.problems() == n);
  // Nothing named by a bad line was registered, and the clock never moved.
  CHECK(replay.replay_desk().find_business("new") == nullptr);
  CHECK(replay.replay_desk().find_business("b") == nullptr);
  CHECK(replay.now() == timestamp{});
  // Blank lines are skipped without a word.
  const auto printed = out.size();
  CHECK(replay.apply_line("  \r", ++n));
  CHECK(out.size() == printed);
}

TEST_CASE("a business line carries the service-charge exemption", "[engine][script]") {
  const auto line = R"({"type":"business","business":"gov","paid_exempt":true,"time_zone":"Europe/Rome"})";
  auto e = parse_script_event(line);
  REQUIRE(e);
  const auto& b = std::get<script_business>(*e).definition;
  CHECK(b.paid_exempt);
  CHECK(to_json(*e).value("paid_exempt", false));
  // Not written when false.
  auto plain = parse_script_event(R"({"type":"business","business":"shop"})");
  REQUIRE(plain);
  CHECK_FALSE(to_json(*plain).contains("paid_exempt"));
  // Keywords: the defaults unless the line gives a list, which replaces them ([] turns them off).
  CHECK(std::get<script_business>(*plain).definition.opt_out_keywords == business{}.opt_out_keywords);
  CHECK_FALSE(to_json(*plain).contains("opt_out_keywords"));
  auto none = parse_script_event(R"({"type":"business","business":"shop","opt_out_keywords":[]})");
  REQUIRE(none);
  CHECK(std::get<script_business>(*none).definition.opt_out_keywords.empty());
  CHECK(to_json(*none)["opt_out_keywords"].empty());
  auto own = parse_script_event(R"({"type":"business","business":"shop","opt_in_keywords":["ANCORA"]})");
  REQUIRE(own);
  CHECK(std::get<script_business>(*own).definition.opt_in_keywords == std::vector<std::string>{"ANCORA"});
  std::vector<std::string> out;
  script_replay replay([&](std::string_view l) { out.emplace_back(l); });
  REQUIRE(replay.apply_line(line, 1));
  const auto* registered = replay.replay_desk().find_business("gov");
  REQUIRE(registered != nullptr);
  CHECK(registered->paid_exempt);
}

TEST_CASE("a template send takes the declared template's category", "[engine][script]") {
  const std::vector<std::string> lines = {
      R"({"type":"template","business":"shop","template":"order_update","language":"it","category":"utility"})",
      R"({"at":"2026-03-02T09:00:00Z","type":"send","business":"shop","customer":"+393331234567","kind":"template","template":"order_update","language":"it"})",
      R"({"at":"2026-03-02T09:00:01Z","type":"send","business":"shop","customer":"+393331234567","kind":"template","template":"unknown","language":"it"})",
  };
  auto e = parse_script_event(lines[1]);
  REQUIRE(e);
  CHECK_FALSE(std::get<script_send>(*e).message.category_given);
  CHECK_FALSE(to_json(*e).contains("category"));
  const auto out = replay_all(lines);
  REQUIRE(out.size() == 2);
  CHECK(out[0].find(R"("decision":"allowed")") != std::string::npos);
  CHECK(out[1].find(R"("code":"simulate.field","reason":"'category' is required for a template")") !=
        std::string::npos);
}
