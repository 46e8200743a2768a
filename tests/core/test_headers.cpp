// The umbrella header brings in the whole public API, and the compiled
// library matches the headers' version.
#include <string>

#include "chatdesk/chatdesk.hpp"
#include "helpers/catch.hpp"

TEST_CASE("headers and library agree on the version", "[core]") {
  CHECK(std::string(chatdesk::library_version()) == chatdesk::version_string);
  CHECK(CHATDESK_VERSION ==
        CHATDESK_VERSION_MAJOR * 10000 + CHATDESK_VERSION_MINOR * 100 + CHATDESK_VERSION_PATCH);
  CHECK(std::string(chatdesk::version_string) == std::to_string(CHATDESK_VERSION_MAJOR) + "." +
                                                     std::to_string(CHATDESK_VERSION_MINOR) + "." +
                                                     std::to_string(CHATDESK_VERSION_PATCH));
}
