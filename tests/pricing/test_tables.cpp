// The ledger's internal tables (src/pricing/id_tables.hpp) against plain
// standard containers, and the phone key they use.
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/core/phone_number.hpp"
#include "core/lookup.hpp"
#include "helpers/catch.hpp"
#include "pricing/id_tables.hpp"

using namespace chatdesk;
using detail::id_hash;

namespace {

struct payload {
  id_hash key;
  std::uint32_t value = 0;
};

/// Keys whose home slots collide often: few distinct low bits.
id_hash crowded_key(std::mt19937_64& rng) {
  const std::uint64_t a = ((rng() % 64) | 1U) | (rng() << 32U);
  return {a, rng()};
}

}  // namespace

TEST_CASE("id_table finds, adds and erases like a map, through growth and crowded probes",
          "[pricing][tables]") {
  std::mt19937_64 rng(7);
  detail::id_table<payload> table;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint32_t> model;
  std::vector<id_hash> known;
  for (std::uint32_t step = 0; step < 60000; ++step) {
    const auto op = rng() % 10;
    if (op < 5 || known.empty()) {  // add a new key, or an old one again
      const id_hash k = (op == 0 && !known.empty()) ? known[rng() % known.size()] : crowded_key(rng);
      bool added = false;
      auto& slot = table.insert(k, added);
      const bool fresh = model.find({k.a, k.b}) == model.end();
      REQUIRE(added == fresh);
      if (added) {
        slot.value = step + 1;
        model[{k.a, k.b}] = step + 1;
        known.push_back(k);
      } else {
        CHECK(slot.value == model[{k.a, k.b}]);
      }
    } else if (op < 8) {  // erase a known key (possibly already erased)
      const auto i = rng() % known.size();
      const auto k = known[i];
      auto* slot = table.find(k);
      const auto it = model.find({k.a, k.b});
      REQUIRE((slot != nullptr) == (it != model.end()));
      if (slot != nullptr) {
        CHECK(slot->value == it->second);
        table.erase(slot);
        model.erase(it);
      }
      known[i] = known.back();
      known.pop_back();
    } else {  // look up a key never added
      CHECK(table.find(crowded_key(rng)) == nullptr);
    }
    REQUIRE(table.size() == model.size());
  }
  // Every key left is found with its value, after all the shifting.
  for (const auto& [k, v] : model) {
    auto* slot = table.find({k.first, k.second});
    REQUIRE(slot != nullptr);
    CHECK(slot->value == v);
  }
  const auto capacity = table.capacity();
  table.clear();
  CHECK(table.size() == 0);
  CHECK(table.capacity() == capacity);  // the memory is kept
  for (const auto& entry : model) CHECK(table.find({entry.first.first, entry.first.second}) == nullptr);
}

TEST_CASE("id_table erase_if removes what it is told to, through crowded runs", "[pricing][tables]") {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 20; ++round) {
    detail::id_table<payload> table;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint32_t> model;
    const auto n = static_cast<std::uint32_t>(rng() % 3000 + 1);
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto k = crowded_key(rng);
      bool added = false;
      table.insert(k, added).value = i;
      model[{k.a, k.b}] = i;
    }
    const auto modulus = static_cast<std::uint32_t>(round % 4 + 2);  // every second, third, fourth or fifth
    std::size_t expected = 0;
    for (auto it = model.begin(); it != model.end();) {
      if (it->second % modulus == 0) {
        it = model.erase(it);
        ++expected;
      } else {
        ++it;
      }
    }
    std::size_t asked = 0;
    const auto erased = table.erase_if([&](const payload& p) {
      ++asked;
      return p.value % modulus == 0;
    });
    CHECK(erased == expected);
    CHECK(asked >= n);  // every slot was looked at
    REQUIRE(table.size() == model.size());
    for (const auto& [k, v] : model) {
      auto* slot = table.find({k.first, k.second});
      REQUIRE(slot != nullptr);
      CHECK(slot->value == v);
    }
  }
  detail::id_table<payload> empty;
  CHECK(empty.erase_if([](const payload&) { return true; }) == 0);
}

TEST_CASE("reserve makes room ahead, keeps every key and stops growth", "[pricing][tables]") {
  std::mt19937_64 rng(5);
  std::vector<id_hash> keys(4000);  // crowded: see above
  for (auto& k : keys) k = crowded_key(rng);

  detail::id_table<payload> table;
  detail::id_set set;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    bool added = false;
    table.insert(keys[i], added).value = i + 1;
    set.insert(keys[i]);
  }
  // Reserving moves what is there (a rehash into the larger table)...
  table.reserve(keys.size());
  set.reserve(keys.size());
  for (std::uint32_t i = 0; i < 1000; ++i) {
    auto* slot = table.find(keys[i]);
    REQUIRE(slot != nullptr);
    CHECK(slot->value == i + 1);
    CHECK(set.contains(keys[i]));
  }
  CHECK_FALSE(set.contains(keys[1000]));
  // ...and the reserved number then fits without growing.
  const auto slots = table.capacity();
  const auto set_slots = set.capacity();
  CHECK(slots >= keys.size());
  CHECK(set_slots >= keys.size());
  for (std::uint32_t i = 1000; i < keys.size(); ++i) {
    bool added = false;
    table.insert(keys[i], added).value = i + 1;
    set.insert(keys[i]);
  }
  CHECK(table.capacity() == slots);
  CHECK(set.capacity() == set_slots);
  CHECK(table.size() == keys.size());
  CHECK(set.size() == keys.size());
  // One more past the reserved number is still taken (growing as it must).
  for (int i = 0; i < 4000; ++i) set.insert(crowded_key(rng));
  CHECK(set.capacity() > set_slots);
  for (const auto& k : keys) CHECK(set.contains(k));
  // Reserving less than there is changes nothing.
  const auto now = table.capacity();
  table.reserve(10);
  CHECK(table.capacity() == now);

  detail::pair_index pairs;
  bool added = false;
  CHECK(pairs.find_or_add(2, 99, 0, added) == 0);
  pairs.reserve(50000);
  CHECK(pairs.capacity() >= 50000);
  CHECK(pairs.find_or_add(2, 99, 1, added) == 0);
  CHECK_FALSE(added);
}

TEST_CASE("hash_id spreads ids and depends on every byte, the length and the seed", "[pricing][tables]") {
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  std::vector<std::string> ids;
  for (int i = 0; i < 20000; ++i) ids.push_back(fmt::format("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRB{}", i));
  for (int i = 0; i < 2000; ++i) ids.push_back(fmt::format("m{}", i));
  ids.emplace_back("");
  ids.emplace_back(std::string(1, '\0'));
  ids.emplace_back(std::string(2, '\0'));
  ids.emplace_back(std::string(17, 'a'));
  ids.emplace_back(std::string(16, 'a'));
  for (const auto& id : ids) {
    const auto h = detail::hash_id(id, 1);
    CHECK(h.a != 0);
    seen.insert({h.a, h.b});
  }
  CHECK(seen.size() == ids.size());
  // One byte flipped anywhere changes both halves.
  const std::string base = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";
  const auto h0 = detail::hash_id(base, 1);
  for (std::size_t i = 0; i < base.size(); ++i) {
    auto changed = base;
    changed[i] = static_cast<char>(changed[i] ^ 1);
    const auto h = detail::hash_id(changed, 1);
    CHECK(h.a != h0.a);
    CHECK(h.b != h0.b);
  }
  CHECK_FALSE(detail::hash_id(base, 2) == h0);
}

TEST_CASE("phone_key tells every number apart", "[pricing][tables]") {
  std::unordered_set<std::uint64_t> keys;
  std::vector<std::string> numbers = {"+1 201 555 0100",  "+12015550100",      "+39 333 123 4567",
                                      "+39 06 1234 5678", "+800 1234 5678",    "+44 7700 900123",
                                      "+91 98765 43210",  "+7 700 123 4567",   "+690 1234",
                                      "+870 773 111 632", "+882 1234 5678 901"};
  for (int i = 0; i < 5000; ++i) numbers.push_back(fmt::format("+39333{:07}", i));
  for (int i = 0; i < 5000; ++i) numbers.push_back(fmt::format("+3933{:07}", i));  // one digit shorter
  std::set<std::string> distinct;
  for (const auto& n : numbers) {
    const auto p = phone_number::parse(n);
    REQUIRE(p);
    distinct.insert(std::string(p->digits()));
    const auto key = detail::phone_key(*p);
    CHECK(key != 0);
    keys.insert(key);
    CHECK(key == detail::phone_key(phone_number::parse(p->e164()).value()));
  }
  CHECK(keys.size() == distinct.size());
  CHECK(detail::phone_key(phone_number{}) == 0);
}

TEST_CASE("id_set and pair_index keep every key through growth and crowded buckets", "[pricing][tables]") {
  std::mt19937_64 rng(11);
  detail::id_set set;
  std::set<std::pair<std::uint64_t, std::uint64_t>> model;
  // Crowded keys share few home slots, so probing costs grow with the square
  // of the count: 6,000 keys still grow the table ten times (48 s for 50,000 in a debug build).
  for (int i = 0; i < 6000; ++i) {
    const auto k = crowded_key(rng);
    CHECK(set.contains(k) == (model.count({k.a, k.b}) == 1));
    set.insert(k);
    set.insert(k);  // twice: still one
    model.insert({k.a, k.b});
    REQUIRE(set.size() == model.size());
  }
  for (const auto& [a, b] : model) CHECK(set.contains({a, b}));
  CHECK_FALSE(set.contains({3, 4}));
  set.clear();
  CHECK(set.size() == 0);
  for (const auto& [a, b] : model) CHECK_FALSE(set.contains({a, b}));

  detail::pair_index pairs;
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint32_t> numbers;
  for (std::uint32_t i = 0; i < 40000; ++i) {
    const auto business = static_cast<std::uint32_t>(rng() % 3);
    const std::uint64_t customer = rng() % 20000 + 1;
    const auto next = static_cast<std::uint32_t>(numbers.size());
    bool added = false;
    const auto n = pairs.find_or_add(business, customer, next, added);
    const auto it = numbers.find({business, customer});
    REQUIRE(added == (it == numbers.end()));
    if (added) {
      CHECK(n == next);
      numbers[{business, customer}] = n;
    } else {
      CHECK(n == it->second);
    }
  }
  pairs.clear();
  bool added = false;
  CHECK(pairs.find_or_add(1, 5, 77, added) == 77);
  CHECK(added);
}

TEST_CASE("block_store numbers values in blocks that never move", "[pricing][tables]") {
  detail::block_store<std::uint64_t> store;
  std::vector<const std::uint64_t*> where;
  for (std::uint64_t i = 0; i < 70000; ++i) {
    store.push() = i * 3;
    where.push_back(&store[i]);
  }
  REQUIRE(store.size() == 70000);
  for (std::uint64_t i = 0; i < 70000; i += 997) {
    CHECK(store[i] == i * 3);
    CHECK(where[i] == &store[i]);  // never moved by growth
  }
  store.clear();
  CHECK(store.size() == 0);
  CHECK(store.push() == 0);  // reused and value-initialised
  CHECK(&store[0] == where[0]);
}

TEST_CASE("big_array gives zeroed memory, small and huge", "[pricing][tables]") {
  for (std::size_t n : {std::size_t{1}, std::size_t{1000}, std::size_t{3} * 1024 * 1024 / 8}) {
    {  // memory given back dirty is zero when handed out again
      detail::big_array<std::uint64_t> dirty(n);
      for (auto& x : dirty) x = ~std::uint64_t{0};
    }
    detail::big_array<std::uint64_t> again(n);
    CHECK(std::all_of(again.begin(), again.end(), [](std::uint64_t x) { return x == 0; }));
    detail::big_array<std::uint64_t> a(n);
    REQUIRE(a.size() == n);
    CHECK(a[0] == 0);
    CHECK(a[n - 1] == 0);
    a[n - 1] = 42;
    detail::big_array<std::uint64_t> b(std::move(a));
    CHECK(b[n - 1] == 42);
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  }
}
