#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <absl/container/btree_set.h>
#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include "../core/lookup.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/engine/store.hpp"

namespace chatdesk {

namespace {

constexpr std::size_t shard_count = 64;

using detail::text_map;
std::uint64_t number_value(const phone_number& p) noexcept {
  return detail::phone_value(p);
}

/// A compact key: an interned id and a phone number value (16 bytes).
struct compact_key {
  std::uint32_t owner = 0;
  std::uint64_t customer = 0;
  friend bool operator==(const compact_key&, const compact_key&) = default;
};

struct compact_key_hash {
  std::size_t operator()(const compact_key& k) const noexcept {
    std::uint64_t h = k.customer * 0x9E3779B97F4A7C15ULL ^ (static_cast<std::uint64_t>(k.owner) << 32U);
    h ^= h >> 29U;
    return static_cast<std::size_t>(h);
  }
};

std::size_t shard_of(std::uint64_t customer) noexcept {
  return static_cast<std::size_t>((customer * 0x9E3779B97F4A7C15ULL) >> 58U) % shard_count;
}

struct shard {
  std::mutex step;  // held for a whole desk step (store::lock)
  std::mutex data;  // held for each map access
  std::unordered_map<compact_key, conversation_state, compact_key_hash> conversations;
  std::unordered_map<compact_key, customer_state, compact_key_hash> customers;
};

/// Unique customers reached in a moving window, per business.
struct reach_log {
  std::unordered_map<std::uint64_t, timestamp> last;      // customer -> latest time
  std::deque<std::pair<timestamp, std::uint64_t>> order;  // in time order, with stale entries

  void expire(timestamp since) {
    while (!order.empty() && order.front().first < since) {
      auto it = last.find(order.front().second);
      if (it != last.end() && it->second == order.front().first) last.erase(it);
      order.pop_front();
    }
  }
};

class mutex_pair_lock final : public store_lock {
 public:
  mutex_pair_lock(std::mutex& first, std::mutex* second) : first_(first), second_(second) {
    first_.lock();
    if (second_ != nullptr) second_->lock();
  }
  ~mutex_pair_lock() override {
    if (second_ != nullptr) second_->unlock();
    first_.unlock();
  }
  mutex_pair_lock(const mutex_pair_lock&) = delete;
  mutex_pair_lock& operator=(const mutex_pair_lock&) = delete;

 private:
  std::mutex& first_;
  std::mutex* second_;
};

}  // namespace

struct memory_store::impl {
  explicit impl(memory_store_options o) : options(o) {}

  memory_store_options options;
  std::array<shard, shard_count> shards;

  // Interned ids of business numbers and businesses.
  std::shared_mutex ids_mu;
  text_map<std::uint32_t> number_ids;
  std::vector<std::string> number_names;  // by index
  text_map<std::uint32_t> business_ids;
  std::deque<std::mutex> business_locks;  // by business index; a deque keeps them in place

  std::mutex numbers_mu;
  text_map<number_state> numbers;

  std::mutex reach_mu;
  std::unordered_map<std::uint32_t, reach_log> reach;

  std::mutex messages_mu;
  std::deque<message_record> records;  // in the order added; records[i - first] is record number i
  std::size_t first = 0;               // the number of the oldest record still held
  text_map<std::size_t> by_id;
  text_map<std::size_t> by_correlation;
  std::unordered_map<compact_key, std::vector<std::size_t>, compact_key_hash> history;
  std::unordered_map<std::size_t, message> contents;  // by record number
  timestamp newest = never;                           // the latest record's time
  std::size_t since_forget = 0;                       // records added since the last forgetting

  /// Drops records from the front, in the order added, while older than
  /// `before` (messages_mu held). Returns how many went.
  std::size_t forget(timestamp before) {
    std::size_t forgotten = 0;
    while (!records.empty() && records.front().at < before) {
      const auto& r = records.front();
      if (!r.id.empty()) by_id.erase(r.id);
      if (!r.correlation_id.empty()) by_correlation.erase(r.correlation_id);
      if (options.keep_history) {
        const auto conv = conversation(r.key);
        if (auto h = history.find(conv); h != history.end()) {
          auto& list = h->second;
          list.erase(std::remove(list.begin(), list.end(), first), list.end());
          if (list.empty()) history.erase(h);
        }
      }
      contents.erase(first);
      records.pop_front();
      ++first;
      ++forgotten;
    }
    return forgotten;
  }

  std::mutex businesses_mu;
  std::map<std::string, business, std::less<>> businesses;
  std::map<std::string, timestamp, std::less<>> marks;
  std::deque<journal_entry> journal;  // under businesses_mu
  std::uint64_t journal_seq = 0;

  // Records of the modules above the desk, under "<kind>\0<key>": the values
  // by hash (reads and writes are point lookups), and the keys in byte order
  // for scans (touched only when a key comes or goes).
  std::mutex records_mu;
  absl::flat_hash_map<std::string, std::string> record_values;
  absl::btree_set<std::string> record_keys;

  message_record& record(std::size_t number) { return records[number - first]; }
  std::size_t next_number() const { return first + records.size(); }
  /// The number of the record with platform id or correlation id `id`.
  std::optional<std::size_t> number_of(std::string_view id) const {
    if (auto it = by_id.find(id); it != by_id.end()) return it->second;
    if (auto it = by_correlation.find(id); it != by_correlation.end()) return it->second;
    return std::nullopt;
  }

  std::uint32_t number_index(std::string_view id) {
    std::lock_guard g(ids_mu);
    auto [it, added] = number_ids.try_emplace(std::string(id), static_cast<std::uint32_t>(number_ids.size()));
    if (added) number_names.push_back(it->first);
    return it->second;
  }
  std::string number_name(std::uint32_t index) {
    std::shared_lock g(ids_mu);
    return number_names[index];
  }
  std::uint32_t business_index(std::string_view id) {
    std::lock_guard g(ids_mu);
    auto [it, added] =
        business_ids.try_emplace(std::string(id), static_cast<std::uint32_t>(business_ids.size()));
    if (added) business_locks.emplace_back();
    return it->second;
  }
  std::mutex& business_lock(std::uint32_t index) {
    std::lock_guard g(ids_mu);
    return business_locks[index];
  }
  compact_key conversation(const conversation_key& k) {
    return {number_index(k.business_number_id), number_value(k.customer)};
  }
};

namespace {
[[noreturn]] void no_records(std::string_view kind) {
  throw exception(make_error("store.unsupported",
                             fmt::format("this store keeps no records of other modules (asked for '{}'): use "
                                         "memory_store, sqlite_store or postgres_store",
                                         kind),
                             std::string(kind)));
}
}  // namespace

std::optional<std::string> store::load_record(std::string_view kind, std::string_view) {
  no_records(kind);
}
void store::save_record(std::string_view kind, std::string_view, std::string_view) {
  no_records(kind);
}
void store::erase_record(std::string_view kind, std::string_view) {
  no_records(kind);
}
void store::scan_records(std::string_view kind, std::string_view,
                         const std::function<bool(std::string_view, std::string_view)>&) {
  no_records(kind);
}

std::vector<transcript_entry> store::transcript(const conversation_key& key, std::size_t last) {
  auto list = messages(key);
  const std::size_t from = last == 0 || last >= list.size() ? 0 : list.size() - last;
  std::vector<transcript_entry> out;
  out.reserve(list.size() - from);
  for (std::size_t i = from; i < list.size(); ++i) out.push_back({std::move(list[i]), std::nullopt});
  return out;
}

memory_store::memory_store(memory_store_options options) : impl_(std::make_unique<impl>(options)) {}
memory_store::~memory_store() = default;

std::unique_ptr<store_lock> memory_store::lock(std::string_view business_id, const phone_number& customer,
                                               bool business_wide) {
  auto& s = impl_->shards[shard_of(number_value(customer))];
  std::mutex* business = business_wide ? &impl_->business_lock(impl_->business_index(business_id)) : nullptr;
  return std::make_unique<mutex_pair_lock>(s.step, business);
}

std::optional<conversation_state> memory_store::load_conversation(const conversation_key& key) {
  const auto k = impl_->conversation(key);
  auto& s = impl_->shards[shard_of(k.customer)];
  std::lock_guard g(s.data);
  auto it = s.conversations.find(k);
  if (it == s.conversations.end()) return std::nullopt;
  return it->second;
}

void memory_store::save_conversation(const conversation_key& key, const conversation_state& state) {
  const auto k = impl_->conversation(key);
  auto& s = impl_->shards[shard_of(k.customer)];
  std::lock_guard g(s.data);
  s.conversations.insert_or_assign(k, state);
}

std::optional<customer_state> memory_store::load_customer(std::string_view business_id,
                                                          const phone_number& customer) {
  const compact_key k{impl_->business_index(business_id), number_value(customer)};
  auto& s = impl_->shards[shard_of(k.customer)];
  std::lock_guard g(s.data);
  auto it = s.customers.find(k);
  if (it == s.customers.end()) return std::nullopt;
  return it->second;
}

void memory_store::save_customer(std::string_view business_id, const phone_number& customer,
                                 const customer_state& state) {
  const compact_key k{impl_->business_index(business_id), number_value(customer)};
  auto& s = impl_->shards[shard_of(k.customer)];
  std::lock_guard g(s.data);
  s.customers.insert_or_assign(k, state);
}

number_state memory_store::load_number(std::string_view business_number_id) {
  std::lock_guard g(impl_->numbers_mu);
  auto it = impl_->numbers.find(business_number_id);
  return it == impl_->numbers.end() ? number_state{} : it->second;
}

void memory_store::save_number(std::string_view business_number_id, const number_state& state) {
  std::lock_guard g(impl_->numbers_mu);
  impl_->numbers.insert_or_assign(std::string(business_number_id), state);
}

std::uint32_t memory_store::reached_customers(std::string_view business_id, timestamp since) {
  const auto b = impl_->business_index(business_id);
  std::lock_guard g(impl_->reach_mu);
  auto& log = impl_->reach[b];
  log.expire(since);
  return static_cast<std::uint32_t>(log.last.size());
}

bool memory_store::was_reached(std::string_view business_id, const phone_number& customer, timestamp since) {
  const auto b = impl_->business_index(business_id);
  std::lock_guard g(impl_->reach_mu);
  auto& log = impl_->reach[b];
  auto it = log.last.find(number_value(customer));
  return it != log.last.end() && it->second >= since;
}

void memory_store::record_reached(std::string_view business_id, const phone_number& customer, timestamp at) {
  const auto b = impl_->business_index(business_id);
  const auto c = number_value(customer);
  std::lock_guard g(impl_->reach_mu);
  auto& log = impl_->reach[b];
  auto& last = log.last[c];
  if (at > last) last = at;
  log.order.emplace_back(at, c);
}

bool memory_store::add_message(const message_record& record) {
  const auto conv = impl_->conversation(record.key);
  std::lock_guard g(impl_->messages_mu);
  auto& s = *impl_;
  if (!record.id.empty() && s.by_id.find(std::string_view(record.id)) != s.by_id.end()) return false;
  if (!record.correlation_id.empty() &&
      s.by_correlation.find(std::string_view(record.correlation_id)) != s.by_correlation.end())
    return false;
  const std::size_t number = s.next_number();
  s.records.push_back(record);
  if (record.at > s.newest) s.newest = record.at;
  // Without history, old records serve nothing: forget them now and then.
  if (!s.options.keep_history && ++s.since_forget >= 4096) {
    s.since_forget = 0;
    (void)s.forget(s.newest - s.options.forget_after);
  }
  if (!record.id.empty()) s.by_id.emplace(record.id, number);
  if (!record.correlation_id.empty()) s.by_correlation.emplace(record.correlation_id, number);
  if (s.options.keep_history) s.history[conv].push_back(number);
  return true;
}

std::optional<message_record> memory_store::find_message(std::string_view id) {
  std::lock_guard g(impl_->messages_mu);
  if (auto n = impl_->number_of(id)) return impl_->record(*n);
  return std::nullopt;
}

void memory_store::update_message(const message_record& record) {
  std::lock_guard g(impl_->messages_mu);
  auto& s = *impl_;
  std::optional<std::size_t> number;
  if (!record.correlation_id.empty()) {
    auto it = s.by_correlation.find(std::string_view(record.correlation_id));
    if (it != s.by_correlation.end()) number = it->second;
  }
  if (!number && !record.id.empty()) {
    auto it = s.by_id.find(std::string_view(record.id));
    if (it != s.by_id.end()) number = it->second;
  }
  if (!number) return;
  auto& stored = s.record(*number);
  if (stored.id.empty() && !record.id.empty()) s.by_id.emplace(record.id, *number);
  stored = record;
}

std::vector<message_record> memory_store::messages(const conversation_key& key) {
  const auto conv = impl_->conversation(key);
  std::lock_guard g(impl_->messages_mu);
  std::vector<message_record> out;
  auto it = impl_->history.find(conv);
  if (it == impl_->history.end()) return out;
  out.reserve(it->second.size());
  for (auto n : it->second) out.push_back(impl_->record(n));
  return out;
}

void memory_store::keep_content(const message& m) {
  if (!impl_->options.keep_history || !impl_->options.keep_content) return;
  std::lock_guard g(impl_->messages_mu);
  const auto number = impl_->number_of(m.direction == direction::outbound ? std::string_view(m.correlation_id)
                                                                          : std::string_view(m.id));
  if (number) impl_->contents.insert_or_assign(*number, m);
}

std::vector<transcript_entry> memory_store::transcript(const conversation_key& key, std::size_t last) {
  const auto conv = impl_->conversation(key);
  std::lock_guard g(impl_->messages_mu);
  std::vector<transcript_entry> out;
  auto it = impl_->history.find(conv);
  if (it == impl_->history.end()) return out;
  const auto& numbers = it->second;
  const std::size_t from = last == 0 || last >= numbers.size() ? 0 : numbers.size() - last;
  out.reserve(numbers.size() - from);
  for (std::size_t i = from; i < numbers.size(); ++i) {
    transcript_entry e{impl_->record(numbers[i]), std::nullopt};
    if (auto c = impl_->contents.find(numbers[i]); c != impl_->contents.end()) e.message = c->second;
    out.push_back(std::move(e));
  }
  return out;
}

std::size_t memory_store::purge(timestamp content_before, timestamp records_before) {
  std::size_t forgotten = 0;
  {
    std::lock_guard g(impl_->messages_mu);
    auto& s = *impl_;
    for (auto it = s.contents.begin(); it != s.contents.end();) {
      if (s.record(it->first).at < content_before) {
        it = s.contents.erase(it);
      } else {
        ++it;
      }
    }
    // Records go in the order they were added, up to the first that is not old enough.
    forgotten = s.forget(records_before);
  }
  std::lock_guard g(impl_->reach_mu);
  for (auto& [business, log] : impl_->reach) log.expire(records_before);
  return forgotten;
}

void memory_store::save_business(const business& b) {
  std::lock_guard g(impl_->businesses_mu);
  impl_->businesses.insert_or_assign(b.id, b);
}

std::vector<business> memory_store::load_businesses() {
  std::lock_guard g(impl_->businesses_mu);
  std::vector<business> out;
  for (const auto& [id, b] : impl_->businesses) out.push_back(b);
  return out;
}

namespace {
std::string record_key(std::string_view kind, std::string_view key) {
  std::string k;
  k.reserve(kind.size() + 1 + key.size());
  k.append(kind).push_back('\0');
  k.append(key);
  return k;
}
}  // namespace

std::optional<std::string> memory_store::load_record(std::string_view kind, std::string_view key) {
  const auto k = record_key(kind, key);
  std::lock_guard g(impl_->records_mu);
  const auto it = impl_->record_values.find(k);
  if (it == impl_->record_values.end()) return std::nullopt;
  return it->second;
}

void memory_store::save_record(std::string_view kind, std::string_view key, std::string_view value) {
  auto k = record_key(kind, key);
  std::lock_guard g(impl_->records_mu);
  if (const auto it = impl_->record_values.find(k); it != impl_->record_values.end()) {
    it->second.assign(value);
    return;
  }
  impl_->record_keys.insert(k);
  impl_->record_values.emplace(std::move(k), std::string(value));
}

void memory_store::erase_record(std::string_view kind, std::string_view key) {
  const auto k = record_key(kind, key);
  std::lock_guard g(impl_->records_mu);
  if (impl_->record_values.erase(k) > 0) impl_->record_keys.erase(k);
}

void memory_store::scan_records(std::string_view kind, std::string_view prefix,
                                const std::function<bool(std::string_view, std::string_view)>& each) {
  const auto start = record_key(kind, prefix);
  std::vector<std::pair<std::string, std::string>> found;  // handed out without the mutex
  {
    std::lock_guard g(impl_->records_mu);
    for (auto it = impl_->record_keys.lower_bound(start);
         it != impl_->record_keys.end() && it->compare(0, start.size(), start) == 0; ++it)
      found.emplace_back(it->substr(kind.size() + 1), impl_->record_values.find(*it)->second);
  }
  for (const auto& [key, value] : found)
    if (!each(key, value)) return;
}

std::vector<window_closing> memory_store::service_windows_closing(timestamp after, timestamp until) {
  std::vector<std::pair<compact_key, timestamp>> found;
  for (auto& sh : impl_->shards) {
    std::lock_guard g(sh.data);
    for (const auto& [k, state] : sh.conversations) {
      const auto closes = state.service_window_closes_at();
      if (closes != never && closes > after && closes <= until) found.emplace_back(k, closes);
    }
  }
  std::vector<window_closing> out;
  out.reserve(found.size());
  for (const auto& [k, closes] : found) {
    auto customer = phone_number::parse("+" + std::to_string(k.customer));
    if (customer) out.push_back({{impl_->number_name(k.owner), *customer}, closes});
  }
  return out;
}

std::optional<timestamp> memory_store::load_mark(std::string_view name) {
  std::lock_guard g(impl_->businesses_mu);
  auto it = impl_->marks.find(name);
  if (it == impl_->marks.end()) return std::nullopt;
  return it->second;
}

void memory_store::save_mark(std::string_view name, timestamp at) {
  std::lock_guard g(impl_->businesses_mu);
  impl_->marks.insert_or_assign(std::string(name), at);
}

bool memory_store::keeps_journal() const {
  return impl_->options.keep_journal;
}

void memory_store::append_journal(timestamp at, std::string_view data) {
  if (!impl_->options.keep_journal) return;
  std::lock_guard g(impl_->businesses_mu);
  impl_->journal.push_back({++impl_->journal_seq, at, std::string(data)});
}

void memory_store::read_journal(timestamp since, const std::function<bool(const journal_entry&)>& each) {
  std::vector<journal_entry> copy;
  {
    std::lock_guard g(impl_->businesses_mu);
    for (const auto& e : impl_->journal)
      if (e.at >= since) copy.push_back(e);
  }
  for (const auto& e : copy)
    if (!each(e)) return;
}

void memory_store::trim_journal(timestamp before) {
  std::lock_guard g(impl_->businesses_mu);
  auto& j = impl_->journal;
  j.erase(std::remove_if(j.begin(), j.end(), [before](const journal_entry& e) { return e.at < before; }),
          j.end());
}

std::size_t memory_store::message_count() const {
  std::lock_guard g(impl_->messages_mu);
  return impl_->records.size();
}

std::size_t memory_store::conversation_count() const {
  std::size_t n = 0;
  for (auto& s : impl_->shards) {
    std::lock_guard g(s.data);
    n += s.conversations.size();
  }
  return n;
}

}  // namespace chatdesk
