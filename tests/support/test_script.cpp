// Scripts with live support's lines: every decision printed, every bad line a problem.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatdesk/support/script.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

namespace {

struct replayed {
  std::vector<nlohmann::json> lines;
  support_replay replay{[this](std::string_view l) { lines.push_back(nlohmann::json::parse(l)); }};

  void run(const std::vector<std::string>& script) {
    for (std::size_t i = 0; i < script.size(); ++i) (void)replay.apply_line(script[i], i + 1);
  }
  [[nodiscard]] std::vector<nlohmann::json> of(const std::string& event) const {
    std::vector<nlohmann::json> out;
    for (const auto& l : lines)
      if (l["event"] == event) out.push_back(l);
    return out;
  }
};

const std::vector<std::string> staff{
    R"({"type":"agent","business":"shop","agent":"ana","capacity":1})",
    R"({"type":"team","business":"shop","team":"care","members":["ana"]})",
    R"({"type":"support","business":"shop","default_team":"care","sla":{"first_response":1800}})",
};

}  // namespace

TEST_CASE("a script routes, measures and prints every support decision", "[support][script]") {
  replayed r;
  auto script = staff;
  script.insert(
      script.end(),
      {
          R"({"type":"presence","at":"2026-03-02T09:00:00Z","business":"shop","agent":"ana","presence":"online"})",
          R"({"type":"inbound","at":"2026-03-02T09:01:00Z","business":"shop","customer":"+393331234567","id":"a"})",
          R"({"type":"inbound","at":"2026-03-02T09:02:00Z","business":"shop","customer":"+393339876543","id":"b"})",
          R"({"type":"tick","at":"2026-03-02T09:40:00Z"})",
          R"({"type":"resolve","at":"2026-03-02T09:41:00Z","business":"shop","customer":"+393331234567"})",
      });
  r.run(script);
  CHECK(r.replay.problems() == 0);
  const auto assigned = r.of("support.assigned");
  REQUIRE(assigned.size() == 2);
  CHECK(assigned[0]["customer"] == "+393331234567");
  CHECK(assigned[0]["line"] == 5);
  // The second waits for ana's room and gets it when the first is resolved.
  const auto queued = r.of("support.queued");
  REQUIRE(queued.size() == 1);
  CHECK(queued[0]["reason"] == "queued: the one online agent of team care is at capacity");
  CHECK(assigned[1]["customer"] == "+393339876543");
  CHECK(assigned[1]["line"] == 8);
  // The tick moved the support clock: both first responses breached.
  const auto breached = r.of("support.sla_breached");
  REQUIRE(breached.size() == 2);
  CHECK(breached[0]["line"] == 7);
  CHECK(breached[0]["metric"] == "first_response");
  CHECK(breached[0]["due"] == "2026-03-02T09:31:00Z");
  const auto c = r.replay.support().conversation({"shop", *phone_number::parse("+393339876543")});
  REQUIRE(c);
  CHECK(c->agent == "ana");
}

TEST_CASE("bad support lines are problems that change nothing", "[support][script]") {
  replayed r;
  r.run(staff);
  const std::vector<std::pair<std::string, std::string>> bad{
      {R"({"type":"presence","at":"2026-03-02T09:00:00Z","business":"shop","agent":"zoe","presence":"online"})",
       "support.unknown_agent"},
      {R"({"type":"presence","business":"shop","agent":"ana","presence":"online"})", "simulate.field"},
      {R"({"type":"presence","at":"2026-03-02T09:00:00Z","business":"shop","agent":"ana","presence":"busy"})",
       "simulate.field"},
      {R"({"type":"agent","business":"shop","agent":"bo","capacity":"two"})", "simulate.field"},
      {R"({"type":"team","business":"shop","team":"sales","members":["nobody"]})", "support.unknown_agent"},
      {R"({"type":"team","business":"shop","team":"sales","policy":"random"})", "simulate.field"},
      {R"({"type":"support","business":"shop","default_team":"care","hours":{"zone":"Mars/Base"}})",
       "time_zone.unknown"},
      {R"({"type":"support","business":"shop","default_team":"care","hours":{"week":{"mon":["18:00-09:00"]}}})",
       "support.invalid_hours"},
      {R"({"type":"reply","at":"2026-03-02T09:00:00Z","business":"shop","customer":"+393331234567","agent":"ana","text":"hi"})",
       "support.unknown_conversation"},
      {R"({"type":"resolve","at":"2026-03-02T09:00:00Z","business":"shop","customer":"12"})",
       "phone.missing_region"},
      {R"({"type":"tick","at":"2026-03-02T10:00:00Z"})", ""},
      {R"({"type":"snooze","at":"2026-03-02T09:00:00Z","business":"shop","customer":"+393331234567","until":"2026-03-03T09:00:00Z"})",
       "simulate.out_of_order"},
      {R"({"type":"handoff","at":"2026-03-02T10:00:00Z","business":"shop","customer":"+393331234567","priority":5000})",
       "simulate.field"},
  };
  std::size_t expected = 0;
  for (std::size_t i = 0; i < bad.size(); ++i) {
    INFO(bad[i].first);
    const auto out = r.replay.apply_line(bad[i].first, 10 + i);
    if (bad[i].second.empty()) {
      CHECK(out);
      continue;
    }
    ++expected;
    REQUIRE_FALSE(out);
    CHECK(out.error().code == bad[i].second);
    CHECK(r.lines.back()["event"] == "problem");
    CHECK(r.lines.back()["line"] == 10 + i);
  }
  CHECK(r.replay.problems() == expected);
  // Nothing a bad line named was kept.
  const auto agents = r.replay.support().agents("shop");
  REQUIRE(agents.size() == 1);
  CHECK(agents[0].agent.id == "ana");
  CHECK(agents[0].presence == presence::offline);
  CHECK(r.replay.support().queue("shop", "sales").empty());
}
