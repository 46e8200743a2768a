// Catch2 v2 (Debian) or v3 (vcpkg, Conan) behind one include for chatdesk's tests.
#pragma once

#if defined(CHATDESK_CATCH2_V2)
#include <catch2/catch.hpp>
#else
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#endif

namespace chatdesk::test {

/// A matcher for "the string contains `s`" under both Catch2 versions.
inline auto contains_substring(const std::string& s) {
#if defined(CHATDESK_CATCH2_V2)
  return Catch::Matchers::Contains(s);
#else
  return Catch::Matchers::ContainsSubstring(s);
#endif
}

}  // namespace chatdesk::test
