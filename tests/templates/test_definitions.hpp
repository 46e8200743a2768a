// Template definitions the tests build by hand.
#pragma once

#include <string>
#include <utility>

#include "chatdesk/templates/definition.hpp"

namespace chatdesk::test {

/// A utility template "t" in en_US with `body` and nothing else.
inline template_definition positional(std::string body) {
  template_definition d;
  d.name = "t";
  d.language = "en_US";
  d.body = std::move(body);
  return d;
}

}  // namespace chatdesk::test
