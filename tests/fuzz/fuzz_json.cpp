// Reading input from outside: parse_json (depth first, then syntax), json_too_deep
// against the text's own depth, and line_reader against a plain split of the bytes.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/input.hpp"
#include "chatdesk/core/json.hpp"
#include "chatdesk/core/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t limit = size == 0 ? 8 : 1 + data[0] % 16;  // a small depth and line limit

  auto j = chatdesk::parse_json(text, "fuzz.json", "the input", limit);
  const std::size_t depth = chatdesk::json_nesting_depth(text);
  if (j) {
    // Accepted text nests at most `limit` deep, and so does the value built from it.
    if (depth > limit || chatdesk::json_too_deep(*j, limit)) __builtin_trap();
    (void)j->dump();  // safe to print: bounded depth
  } else {
    if (j.error().code != "fuzz.json" || !chatdesk::utf8::valid(j.error().message)) __builtin_trap();
  }

  // Lines: the reader agrees with a split on '\n', with long lines reported instead.
  std::istringstream in{std::string(text)};
  chatdesk::line_reader reader(in, limit, "fuzz");
  std::vector<std::string> expected;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    const auto end = nl == std::string_view::npos ? text.size() : nl;
    expected.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::size_t index = 0;
  while (auto line = reader.next()) {
    if (index >= expected.size()) __builtin_trap();
    const auto& want = expected[index++];
    if (*line) {
      if (want.size() > limit || **line != want) __builtin_trap();
    } else if (want.size() <= limit || line->error().code != "input.line_too_long") {
      __builtin_trap();
    }
    if (reader.line_number() != index) __builtin_trap();
  }
  if (index != expected.size() || reader.failure()) __builtin_trap();
  return 0;
}
