#include "chatdesk/version.hpp"

namespace chatdesk {

const char* library_version() noexcept {
  return version_string;
}

}  // namespace chatdesk
