#include "chatdesk/core/dedupe.hpp"

namespace chatdesk {

dedupe_window::dedupe_window(std::chrono::seconds window, std::size_t capacity)
    : window_(window), capacity_(capacity == 0 ? 1 : capacity) {}

void dedupe_window::pop_oldest() {
  const auto& oldest = order_.front();
  // An id recorded again later has a newer record: only that one forgets it.
  if (auto it = seen_.find(*oldest.id); it != seen_.end() && it->second == oldest.at) seen_.erase(it);
  order_.pop_front();
}

void dedupe_window::expire(timestamp now) {
  while (!order_.empty() && (order_.front().at + window_ <= now || seen_.size() > capacity_)) pop_oldest();
}

bool dedupe_window::first_seen(std::string_view id, timestamp now) {
  std::lock_guard lock(mutex_);
  expire(now);
  auto it = seen_.find(id);
  if (it == seen_.end()) {
    it = seen_.emplace(std::string(id), now).first;
  } else {
    if (it->second + window_ > now) return false;
    it->second = now;  // seen long ago: a new delivery, remembered from now
  }
  order_.push_back({now, &it->first});
  while (seen_.size() > capacity_ && !order_.empty()) pop_oldest();
  return true;
}

bool dedupe_window::contains(std::string_view id, timestamp now) const {
  std::lock_guard lock(mutex_);
  const auto it = seen_.find(id);
  return it != seen_.end() && it->second + window_ > now;
}

std::size_t dedupe_window::size() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

void dedupe_window::clear() {
  std::lock_guard lock(mutex_);
  order_.clear();
  seen_.clear();
}

}  // namespace chatdesk
