#include "chatdesk/core/json.hpp"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "chatdesk/core/utf8.hpp"
#include "json_depth.hpp"

namespace chatdesk {

std::size_t json_nesting_depth(std::string_view text) noexcept {
  return detail::nesting_depth(text);
}

namespace {

template <class Json>
bool too_deep(const Json& root, std::size_t max_depth) {
  // Each entry: a container and its depth (1 for the root container).
  std::vector<std::pair<const Json*, std::size_t>> todo;
  if (root.is_structured()) todo.emplace_back(&root, 1);
  while (!todo.empty()) {
    const auto [value, depth] = todo.back();
    todo.pop_back();
    if (depth > max_depth) return true;
    for (const auto& child : *value)
      if (child.is_structured()) todo.emplace_back(&child, depth + 1);
  }
  return false;
}

}  // namespace

bool json_too_deep(const nlohmann::ordered_json& value, std::size_t max_depth) {
  return too_deep(value, max_depth);
}

bool json_too_deep(const nlohmann::json& value, std::size_t max_depth) {
  return too_deep(value, max_depth);
}

result<nlohmann::ordered_json> parse_json(std::string_view text, std::string_view code, std::string_view what,
                                          std::size_t max_depth) {
  if (detail::nesting_depth(text) > max_depth)
    return make_error(code,
                      fmt::format("{} nests arrays and objects deeper than {} levels", what, max_depth));
  try {
    return nlohmann::ordered_json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // The parser quotes the bytes it last read, which may not be UTF-8.
    return make_error(code, fmt::format("{} is not valid JSON: {}", what, utf8::printable(e.what(), 400)),
                      fmt::format("byte {}", e.byte));
  } catch (const nlohmann::json::exception& e) {
    return make_error(code,
                      fmt::format("{} cannot be read as JSON: {}", what, utf8::printable(e.what(), 400)));
  }
}

}  // namespace chatdesk
