// The ledger's hot tables (internal): a one-pass 128-bit hash of message ids,
// a linear-probing table keyed by such hashes (messages in flight, with
// erase), bucketed tables that only grow (finished ids, pair numbers), and a
// store of pair states that never moves them.
//
// They exist because the pricing ledger handles every event with a few
// look-ups, and on a stream of millions of events the look-ups are the cost:
// these tables hash once, keep their slots small and flat (16 to 40 bytes),
// read neighbouring slots from one cache line, and keep their memory when
// cleared, so a ledger that is reset reuses the pages it already touched.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "../core/big_memory.hpp"

namespace chatdesk::detail {

/// A message id as two 64-bit hashes of one pass over its bytes. Two ids
/// share both with a chance of about 2^-128 per pair. `a` is never 0 (0 marks
/// an empty slot).
struct id_hash {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  friend bool operator==(const id_hash&, const id_hash&) = default;
};

namespace hashing {

constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL;
constexpr std::uint64_t k1 = 0xe7037ed1a0b428dbULL;
constexpr std::uint64_t k2 = 0x8ebc6af09c88c6e3ULL;
constexpr std::uint64_t k3 = 0x589965cc75374cc3ULL;

inline std::uint64_t load64(const char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint64_t load32(const char* p) noexcept {
  std::uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

/// The 128-bit product of `x` and `y`, folded to 64 bits.
inline std::uint64_t fold_multiply(std::uint64_t x, std::uint64_t y) noexcept {
#if defined(__SIZEOF_INT128__)
  __extension__ using u128 = unsigned __int128;
  const u128 r = static_cast<u128>(x) * y;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64U);
#else
  const std::uint64_t xl = x & 0xFFFFFFFFULL, xh = x >> 32U, yl = y & 0xFFFFFFFFULL, yh = y >> 32U;
  const std::uint64_t ll = xl * yl, lh = xl * yh, hl = xh * yl, hh = xh * yh;
  const std::uint64_t mid = (ll >> 32U) + (lh & 0xFFFFFFFFULL) + (hl & 0xFFFFFFFFULL);
  const std::uint64_t lo = (mid << 32U) | (ll & 0xFFFFFFFFULL);
  const std::uint64_t hi = hh + (lh >> 32U) + (hl >> 32U) + (mid >> 32U);
  return lo ^ hi;
#endif
}

/// Finalises a 64-bit value (MurmurHash3's mixer).
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 33U;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33U;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33U;
  return x;
}

}  // namespace hashing

/// Hashes `s` into two lanes that read every word crosswise, so an input that
/// cancels one lane's multiplication leaves the other intact. `seed` varies
/// the hash (the ledger seeds it per process).
inline id_hash hash_id(std::string_view s, std::uint64_t seed) noexcept {
  using namespace hashing;
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t a = seed ^ k0;
  std::uint64_t b = (seed * k3) ^ k2;
  while (n > 16) {
    const std::uint64_t w0 = load64(p);
    const std::uint64_t w1 = load64(p + 8);
    const std::uint64_t x = fold_multiply(w0 ^ k1, w1 ^ a);
    const std::uint64_t y = fold_multiply(w1 ^ k2, w0 ^ b);
    a = x;
    b = y;
    p += 16;
    n -= 16;
  }
  // The last 0-16 bytes, read with overlapping loads (the length tells them apart).
  std::uint64_t w0 = 0;
  std::uint64_t w1 = 0;
  if (n >= 8) {
    w0 = load64(p);
    w1 = load64(p + n - 8);
  } else if (n >= 4) {
    w0 = load32(p);
    w1 = load32(p + n - 4);
  } else if (n > 0) {
    w0 = static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) |
         static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8U |
         static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16U;
  }
  const std::uint64_t len = s.size();
  a = mix64(fold_multiply(w0 ^ k1 ^ len, w1 ^ a) ^ len);
  b = mix64(fold_multiply(w1 ^ k3, w0 ^ b ^ (len << 32U)) + len);
  if (a == 0) a = k0;
  return {a, b};
}

/// Asks the processor to start loading the cache line at `p` (a hint).
inline void prefetch_address(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

/// Open addressing with linear probing over `id_hash` keys. `Slot` has
/// members `key` (an `id_hash`; `key.a == 0` marks an empty slot) and whatever
/// else it carries. At most 70% of the slots are used; erasing shifts the
/// following slots back, so there are no tombstones and probes stay short.
/// `clear` keeps the memory.
template <class Slot>
class id_table {
 public:
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return slots_.size(); }

  /// The slot of `k`, or null.
  [[nodiscard]] Slot* find(const id_hash& k) noexcept {
    if (size_ == 0) return nullptr;
    for (std::size_t i = home(k);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key.a == k.a && s.key.b == k.b) return &s;
      if (s.key.a == 0) return nullptr;
    }
  }
  [[nodiscard]] bool contains(const id_hash& k) noexcept { return find(k) != nullptr; }
  /// Starts fetching the slot where a search for `k` begins.
  void prefetch(const id_hash& k) const noexcept {
    if (size_ != 0) prefetch_address(&slots_[home(k)]);
  }

  /// The slot of `k`, added when missing (with its other members as a slot
  /// last left them: the caller sets them); `added` says which. The slot
  /// stays valid until the next insert or erase.
  Slot& insert(const id_hash& k, bool& added) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    std::size_t i = home(k);
    for (;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key.a == 0) break;
      if (s.key.a == k.a && s.key.b == k.b) {
        added = false;
        return s;
      }
    }
    Slot& s = slots_[i];
    s.key = k;  // member by member: a whole Slot assigned here went through the stack
    ++size_;
    added = true;
    return s;
  }

  /// Removes the slot `s` points to (from `find` or `insert`).
  void erase(Slot* s) noexcept {
    std::size_t hole = static_cast<std::size_t>(s - slots_.data());
    for (std::size_t i = (hole + 1) & mask_;; i = (i + 1) & mask_) {
      Slot& next = slots_[i];
      if (next.key.a == 0) break;
      // `next` may fill the hole if its home is not in (hole, i].
      const std::size_t h = home(next.key);
      if (((i - h) & mask_) >= ((i - hole) & mask_)) {
        slots_[hole] = next;
        hole = i;
      }
    }
    slots_[hole].key = id_hash{};
    --size_;
  }

  /// Removes every slot for which `pred(slot)` is true; returns how many.
  template <class Pred>
  std::size_t erase_if(Pred pred) {
    if (size_ == 0) return 0;
    // Start after an empty slot (there is one: at most 70% are used), so no
    // run of slots wraps past the start: an erase only shifts slots of the
    // current run back into the hole, which is then looked at again.
    std::size_t start = 0;
    while (slots_[start].key.a != 0) ++start;
    std::size_t erased = 0;
    for (std::size_t step = 1; step <= slots_.size(); ++step) {
      const std::size_t i = (start + step) & mask_;
      while (slots_[i].key.a != 0 && pred(slots_[i])) {
        erase(&slots_[i]);
        ++erased;
      }
    }
    return erased;
  }
  /// Forgets every key, keeping the slots.
  void clear() noexcept {
    if (size_ == 0) return;
    std::memset(static_cast<void*>(slots_.data()), 0, slots_.size() * sizeof(Slot));
    size_ = 0;
  }
  /// Makes room for `n` keys without growing again.
  void reserve(std::size_t n) {
    const std::size_t want = std::bit_ceil(std::max<std::size_t>(16, n * 10 / 7 + 1));
    if (want > slots_.size()) grow_to(want);
  }

 private:
  [[nodiscard]] std::size_t home(const id_hash& k) const noexcept {
    return static_cast<std::size_t>(k.a) & mask_;
  }

  void grow() { grow_to(slots_.empty() ? std::size_t{16} : slots_.size() * 2); }
  void grow_to(std::size_t count) {
    big_array<Slot> old(count);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key.a == 0) continue;
      std::size_t i = home(s.key);
      while (slots_[i].key.a != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  big_array<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

/// Open addressing over buckets of four slots, one cache line each, for
/// tables that only grow until cleared: a look-up reads one line in nearly
/// every case even with 85% of the slots used, so a large table costs half
/// the memory (and TLB reach) of one probed slot by slot. Slots fill each
/// bucket in order and are never removed, so the first empty slot ends a
/// search. `Slot` is 16 bytes, with `bool empty() const` true for all-zero bytes.
template <class Slot>
class bucket_table {
  static_assert(sizeof(Slot) == 16, "four slots to a cache line");

 public:
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return buckets_.size() * per_bucket; }

  /// The slot matching `same`, starting at bucket `hash`, or null.
  template <class Same>
  [[nodiscard]] const Slot* find(std::uint64_t hash, Same same) const noexcept {
    if (size_ == 0) return nullptr;
    for (std::size_t b = hash & mask_;; b = (b + 1) & mask_) {
      for (const Slot& s : buckets_[b].slots) {
        if (s.empty()) return nullptr;
        if (same(s)) return &s;
      }
    }
  }
  /// The slot matching `same`, or `fresh` put in the first empty slot after growing if need be.
  template <class Same, class Hash>
  Slot& find_or_add(std::uint64_t hash, Same same, const Slot& fresh, Hash rehash, bool& added) {
    if ((size_ + 1) * 20 > capacity() * 17) grow(rehash);
    for (std::size_t b = hash & mask_;; b = (b + 1) & mask_) {
      for (Slot& s : buckets_[b].slots) {
        if (s.empty()) {
          s = fresh;
          ++size_;
          added = true;
          return s;
        }
        if (same(s)) {
          added = false;
          return s;
        }
      }
    }
  }
  /// Starts fetching the bucket where a search from `hash` begins.
  void prefetch(std::uint64_t hash) const noexcept {
    if (size_ != 0) prefetch_address(&buckets_[hash & mask_]);
  }
  /// Forgets every slot, keeping the memory.
  void clear() noexcept {
    if (size_ == 0) return;
    std::memset(static_cast<void*>(buckets_.data()), 0, buckets_.size() * sizeof(bucket));
    size_ = 0;
  }
  /// Makes room for `n` slots without growing again.
  template <class Hash>
  void reserve(std::size_t n, Hash rehash) {
    const std::size_t want = std::bit_ceil(std::max<std::size_t>(4, (n * 20 / 17 + per_bucket) / per_bucket));
    if (want > buckets_.size()) grow_to(want, rehash);
  }

 private:
  static constexpr std::size_t per_bucket = 4;
  struct alignas(64) bucket {
    Slot slots[per_bucket];  // NOLINT(*-avoid-c-arrays): one cache line
  };

  template <class Hash>
  void grow(Hash rehash) {
    grow_to(buckets_.empty() ? std::size_t{4} : buckets_.size() * 2, rehash);
  }
  template <class Hash>
  void grow_to(std::size_t count, Hash rehash) {
    big_array<bucket> old(count);
    old.swap(buckets_);
    mask_ = buckets_.size() - 1;
    // The old slots are read in order and land at random: a batch's
    // destinations are fetched first, so their misses overlap.
    constexpr std::size_t batch = 32;
    std::array<std::uint64_t, batch> hashes{};
    std::array<const Slot*, batch> slots{};
    std::size_t waiting = 0;
    const auto place_waiting = [&] {
      for (std::size_t i = 0; i < waiting; ++i) place(hashes[i], *slots[i]);
      waiting = 0;
    };
    for (const bucket& from : old) {
      for (const Slot& s : from.slots) {
        if (s.empty()) break;
        hashes[waiting] = rehash(s);
        slots[waiting] = &s;
        prefetch_address(&buckets_[hashes[waiting] & mask_]);
        if (++waiting == batch) place_waiting();
      }
    }
    place_waiting();
  }
  void place(std::uint64_t hash, const Slot& s) noexcept {
    for (std::size_t b = hash & mask_;; b = (b + 1) & mask_) {
      for (Slot& to : buckets_[b].slots) {
        if (to.empty()) {
          to = s;
          return;
        }
      }
    }
  }

  big_array<bucket> buckets_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

/// A set of message id hashes (a finished generation).
class id_set {
 public:
  [[nodiscard]] std::size_t size() const noexcept { return table_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return table_.capacity(); }
  [[nodiscard]] bool contains(const id_hash& k) const noexcept {
    return table_.find(k.a, [&](const slot& s) { return s.key == k; }) != nullptr;
  }
  void insert(const id_hash& k) {
    bool added = false;
    table_.find_or_add(
        k.a, [&](const slot& s) { return s.key == k; }, slot{k}, [](const slot& s) { return s.key.a; },
        added);
  }
  void prefetch(const id_hash& k) const noexcept { table_.prefetch(k.a); }
  void clear() noexcept { table_.clear(); }
  /// Makes room for `n` ids without growing again.
  void reserve(std::size_t n) {
    table_.reserve(n, [](const slot& s) { return s.key.a; });
  }

 private:
  struct slot {
    id_hash key;
    [[nodiscard]] bool empty() const noexcept { return key.a == 0; }
  };
  bucket_table<slot> table_;
};

/// Business and customer to a number (the index of their state); entries are
/// never removed, `clear` keeps the memory.
class pair_index {
 public:
  [[nodiscard]] std::size_t capacity() const noexcept { return table_.capacity(); }
  /// The number of (`business`, `customer`), or `next` after adding it. `customer` is not 0.
  std::uint32_t find_or_add(std::uint32_t business, std::uint64_t customer, std::uint32_t next, bool& added) {
    const auto& s = table_.find_or_add(
        hash(business, customer),
        [&](const slot& x) { return x.customer == customer && x.business == business; },
        slot{customer, business, next}, [](const slot& x) { return hash(x.business, x.customer); }, added);
    return s.index;
  }
  void clear() noexcept { table_.clear(); }
  /// Makes room for `n` pairs without growing again.
  void reserve(std::size_t n) {
    table_.reserve(n, [](const slot& x) { return hash(x.business, x.customer); });
  }
  /// Starts fetching the bucket where a search for the pair begins.
  void prefetch(std::uint32_t business, std::uint64_t customer) const noexcept {
    table_.prefetch(hash(business, customer));
  }

 private:
  struct slot {
    std::uint64_t customer = 0;
    std::uint32_t business = 0;
    std::uint32_t index = 0;
    [[nodiscard]] bool empty() const noexcept { return customer == 0; }
  };
  [[nodiscard]] static std::uint64_t hash(std::uint32_t business, std::uint64_t customer) noexcept {
    return hashing::mix64(customer ^ (std::uint64_t{business} * hashing::k1));
  }
  bucket_table<slot> table_;
};

/// Values numbered from 0 in blocks that never move: growing copies nothing,
/// references stay valid, and `clear` keeps the blocks for reuse. Block k
/// holds 256 * 2^k values, so a small store stays small and a large one is
/// made of large blocks (which `big_array` backs with huge pages).
template <class T>
class block_store {
 public:
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept {
    const std::size_t j = i + first;
    const auto k = block_of(j);
    return blocks_[k][j - (first << k)];
  }
  const T& operator[](std::size_t i) const noexcept {
    const std::size_t j = i + first;
    const auto k = block_of(j);
    return blocks_[k][j - (first << k)];
  }
  /// Adds a value-initialised element; returns it.
  T& push() {
    const std::size_t j = size_ + first;
    const auto k = block_of(j);
    if (k == blocks_.size()) blocks_.emplace_back(first << k);
    T& t = blocks_[k][j - (first << k)];
    t = T{};
    ++size_;
    return t;
  }
  void clear() noexcept { size_ = 0; }

 private:
  static constexpr std::size_t first_bits = 8;
  static constexpr std::size_t first = std::size_t{1} << first_bits;
  /// The block of position `j` (an index plus `first`, so at least `first`).
  [[nodiscard]] static std::size_t block_of(std::size_t j) noexcept {
    const auto width = static_cast<std::size_t>(std::bit_width(j));
    return width > first_bits ? width - 1 - first_bits : 0;
  }
  std::vector<big_array<T>> blocks_;
  std::size_t size_ = 0;
};

}  // namespace chatdesk::detail
