/// @file
/// The library's version, the single source of truth that CMake reads.
#pragma once

#include "chatdesk/core/export.hpp"

#define CHATDESK_VERSION_MAJOR 0
#define CHATDESK_VERSION_MINOR 1
#define CHATDESK_VERSION_PATCH 0

/// The version as one integer: major * 10000 + minor * 100 + patch.
#define CHATDESK_VERSION \
  (CHATDESK_VERSION_MAJOR * 10000 + CHATDESK_VERSION_MINOR * 100 + CHATDESK_VERSION_PATCH)

namespace chatdesk {

/// The version of the headers, "major.minor.patch".
inline constexpr const char* version_string = "0.1.0";

/// The version of the compiled library the program was linked with. Compare it
/// with version_string to detect headers and library from different releases.
CHATDESK_API const char* library_version() noexcept;

}  // namespace chatdesk
