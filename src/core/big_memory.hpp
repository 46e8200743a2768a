// Memory for large flat tables (internal).
//
// A table of a few megabytes that is probed at random pays, per probe, a
// cache miss and often a TLB miss, and pays once per 4 KiB page for its first
// touch (a page fault: microseconds on some virtual machines). Blocks of
// 2 MiB or more are therefore mapped on their own and offered transparent
// huge pages (Linux, madvise mode): one fault and one TLB entry per 2 MiB.
// Smaller blocks come from malloc. Where huge pages are off or unknown, the
// mapping works as ordinary memory.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "chatdesk/core/export.hpp"

namespace chatdesk::detail {

/// At least `bytes` bytes, all zero, aligned to a cache line (64 bytes);
/// throws std::bad_alloc. (Large blocks come zeroed from the system: they are
/// not written here, so a page costs nothing until it is first touched.)
// Internal, but exported from a shared build: the tests of the tables built on it link to it.
[[nodiscard]] CHATDESK_API void* big_allocate(std::size_t bytes);
/// Gives back what `big_allocate(bytes)` returned (null is ignored).
CHATDESK_API void big_release(void* p, std::size_t bytes) noexcept;

/// A fixed number of `T`s whose bytes are all zero, in memory from
/// `big_allocate`. `T` is a plain slot (trivially copyable, so its objects
/// exist in the allocated bytes) whose users read all-zero bytes as empty.
template <class T>
class big_array {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "big_array holds plain slots");
  static_assert(alignof(T) <= 64, "big_allocate aligns to a cache line");

 public:
  big_array() noexcept = default;
  explicit big_array(std::size_t n) : data_(static_cast<T*>(big_allocate(n * sizeof(T)))), size_(n) {}
  ~big_array() { big_release(data_, size_ * sizeof(T)); }
  big_array(big_array&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  big_array& operator=(big_array&& o) noexcept {
    swap(o);
    return *this;
  }
  big_array(const big_array&) = delete;
  big_array& operator=(const big_array&) = delete;

  void swap(big_array& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] T* data() noexcept { return data_; }
  [[nodiscard]] const T* data() const noexcept { return data_; }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  [[nodiscard]] T* begin() noexcept { return data_; }
  [[nodiscard]] T* end() noexcept { return data_ + size_; }
  [[nodiscard]] const T* begin() const noexcept { return data_; }
  [[nodiscard]] const T* end() const noexcept { return data_ + size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace chatdesk::detail
