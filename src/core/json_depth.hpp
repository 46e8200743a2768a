// Internal: how deeply a JSON text nests, found without parsing it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace chatdesk::detail {

// The deepest nesting of arrays and objects in a JSON text, counting only
// brackets outside strings (unbalanced text only under-counts). Used to
// refuse hostile nesting before a recursive parser or a caller sees it.
inline std::size_t nesting_depth(std::string_view json) noexcept {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace chatdesk::detail
