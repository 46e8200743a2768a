// CHATDESK_API: marks what the library exports from a shared build.
//
// The library is built with hidden visibility (-fvisibility=hidden), so a
// shared libchatdesk exports exactly the declarations of its public headers
// that carry this mark: its API, not its internals. A static build defines
// CHATDESK_STATIC (the CMake target does it for its users), and the mark is empty.
#pragma once

#if defined(CHATDESK_STATIC)
#define CHATDESK_API
#elif defined(_WIN32) || defined(__CYGWIN__)
#if defined(CHATDESK_BUILDING)
#define CHATDESK_API __declspec(dllexport)
#else
#define CHATDESK_API __declspec(dllimport)
#endif
#else
#define CHATDESK_API __attribute__((visibility("default")))
#endif

// CHATDESK_LIFETIME_BOUND: the returned view refers into the object (or the
// argument) it marks, so clang warns where the view outlives a temporary
// (`auto code = number.country().alpha2();`). Empty for other compilers.
#if defined(__clang__) && defined(__has_cpp_attribute)
#if __has_cpp_attribute(clang::lifetimebound)
#define CHATDESK_LIFETIME_BOUND [[clang::lifetimebound]]
#endif
#endif
#ifndef CHATDESK_LIFETIME_BOUND
#define CHATDESK_LIFETIME_BOUND
#endif
