#include "big_memory.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace chatdesk::detail {

namespace {

constexpr std::size_t huge_page = std::size_t{2} * 1024 * 1024;
constexpr std::size_t line = 64;

[[nodiscard]] constexpr std::size_t round_up(std::size_t n, std::size_t to) noexcept {
  return (n + to - 1) / to * to;
}

/// Zeroed, cache-line aligned memory from the C library.
void* small_allocate(std::size_t bytes) {
  const std::size_t size = round_up(bytes == 0 ? 1 : bytes, line);
  void* p = std::aligned_alloc(line, size);  // NOLINT(*-no-malloc,*-owning-memory)
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, size);
  return p;
}

}  // namespace

#if defined(__linux__)

void* big_allocate(std::size_t bytes) {
  if (bytes < huge_page) return small_allocate(bytes);
  // Map one huge page more than needed, keep the aligned part, unmap the rest.
  const std::size_t size = round_up(bytes, huge_page);
  void* raw = mmap(nullptr, size + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  auto* base = static_cast<char*>(raw);
  const auto misaligned = reinterpret_cast<std::uintptr_t>(raw) % huge_page;
  const std::size_t head = misaligned == 0 ? 0 : huge_page - misaligned;
  if (head > 0) munmap(base, head);
  if (huge_page - head > 0) munmap(base + head + size, huge_page - head);
  void* p = base + head;
#if defined(MADV_HUGEPAGE)
  (void)madvise(p, size, MADV_HUGEPAGE);  // a hint: without huge pages the memory works the same
#endif
  return p;
}

void big_release(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes < huge_page) {
    std::free(p);  // NOLINT(*-no-malloc,*-owning-memory)
    return;
  }
  munmap(p, round_up(bytes, huge_page));
}

#else

void* big_allocate(std::size_t bytes) {
  return small_allocate(bytes);
}

void big_release(void* p, std::size_t /*bytes*/) noexcept {
  std::free(p);  // NOLINT(*-no-malloc,*-owning-memory)
}

#endif

}  // namespace chatdesk::detail
