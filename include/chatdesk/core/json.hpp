/// @file
/// JSON documents from outside, read with a depth limit. nlohmann/json
/// parses without recursion, but copying, comparing and printing a value
/// recurse once per level: a document nested 100,000 deep would overflow the
/// stack long after parsing. Every document chatdesk reads (templates, rate
/// cards, plans, businesses, scripts, Zendesk bodies) passes through here.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// How deeply a document may nest arrays and objects. Real templates, cards
/// and webhook bodies nest fewer than 10 levels.
inline constexpr std::size_t max_json_depth = 64;

/// The deepest nesting of arrays and objects in a JSON text, found without
/// parsing it (brackets outside strings; unbalanced text only under-counts).
[[nodiscard]] CHATDESK_API std::size_t json_nesting_depth(std::string_view text) noexcept;

/// Whether a parsed value nests arrays and objects deeper than `max_depth`
/// levels (a scalar is 0, `[]` is 1). Found with an explicit stack, so it is
/// safe on any value; call it before copying or walking a value from outside.
[[nodiscard]] CHATDESK_API bool json_too_deep(const nlohmann::ordered_json& value,
                                              std::size_t max_depth = max_json_depth);
[[nodiscard]] CHATDESK_API bool json_too_deep(const nlohmann::json& value,
                                              std::size_t max_depth = max_json_depth);

/// Parses a document from outside. Errors carry `code` (the caller's, such as
/// `template.json`), and `what` names the document in the message:
/// - nesting deeper than `max_depth`, refused before anything is built;
/// - invalid JSON, with the byte where it stops (`where` is "byte N");
/// - numbers out of range and the like.
[[nodiscard]] CHATDESK_API result<nlohmann::ordered_json> parse_json(std::string_view text,
                                                                     std::string_view code,
                                                                     std::string_view what,
                                                                     std::size_t max_depth = max_json_depth);

}  // namespace chatdesk
