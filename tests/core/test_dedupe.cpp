// The bounded, time-windowed de-duplication of ids.
#include <string>
#include <thread>
#include <vector>

#include "chatdesk/core/dedupe.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;
using namespace std::chrono_literals;

namespace {
timestamp at(std::int64_t seconds) {
  return timestamp(std::chrono::seconds(seconds));
}
}  // namespace

TEST_CASE("an id is first seen once within the window", "[core][dedupe]") {
  dedupe_window w(60s, 100);
  CHECK(w.first_seen("wamid.1", at(1000)));
  CHECK_FALSE(w.first_seen("wamid.1", at(1000)));
  CHECK_FALSE(w.first_seen("wamid.1", at(1059)));  // 59 s later: still a repeat
  CHECK(w.first_seen("wamid.2", at(1010)));
  CHECK(w.contains("wamid.2", at(1069)));
  CHECK_FALSE(w.contains("wamid.2", at(1070)));  // exactly the window: forgotten
  CHECK(w.first_seen("wamid.1", at(1060)));      // exactly the window later: new again
  CHECK_FALSE(w.first_seen("wamid.1", at(1061)));
}

TEST_CASE("out-of-order times never forget early", "[core][dedupe]") {
  dedupe_window w(60s, 100);
  CHECK(w.first_seen("a", at(2000)));
  CHECK(w.first_seen("b", at(1990)));  // an older delivery
  CHECK_FALSE(w.first_seen("a", at(1995)));
  CHECK_FALSE(w.first_seen("b", at(2049)));
  CHECK(w.size() == 2);
}

TEST_CASE("memory is bounded by the capacity, oldest first", "[core][dedupe]") {
  dedupe_window w(24h, 3);
  for (int i = 0; i < 5; ++i) CHECK(w.first_seen("id" + std::to_string(i), at(100 + i)));
  CHECK(w.size() == 3);
  CHECK_FALSE(w.contains("id0", at(200)));
  CHECK_FALSE(w.contains("id1", at(200)));
  CHECK(w.contains("id4", at(200)));
  CHECK(w.first_seen("id0", at(200)));  // forgotten, so new again
  w.clear();
  CHECK(w.size() == 0);
}

TEST_CASE("many threads agree on exactly one first delivery per id", "[core][dedupe][threads]") {
  dedupe_window w(24h, 100000);
  std::vector<int> firsts(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i)
        if (w.first_seen("wamid." + std::to_string(i), at(1000))) ++firsts[static_cast<std::size_t>(t)];
    });
  for (auto& th : threads) th.join();
  int total = 0;
  for (int f : firsts) total += f;
  CHECK(total == 2000);
}

TEST_CASE("an id seen again after its window is remembered anew", "[core][dedupe]") {
  dedupe_window w(60s, 100);
  CHECK(w.first_seen("old", at(1000)));
  CHECK(w.first_seen("newer", at(1050)));
  CHECK(w.first_seen("old", at(1070)));  // 70 s later: a new delivery
  CHECK_FALSE(w.first_seen("old", at(1100)));
  CHECK_FALSE(w.first_seen("old", at(1129)));
  CHECK(w.contains("old", at(1129)));
  CHECK_FALSE(w.contains("old", at(1130)));
}
