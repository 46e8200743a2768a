/// @file
/// Writing JSON text by hand on the hot paths (send requests, event lines),
/// where building a document first would cost more than the output itself.
#pragma once

#include <string>
#include <string_view>

#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// Appends `s` to `out` as a JSON string literal: quotes, `\"`, `\\`, the
/// short escapes and `\u00XX` for other control bytes. Other bytes are copied
/// as they are, so `s` must be valid UTF-8 for the result to be valid JSON
/// (the encoders check their values first).
CHATDESK_API void append_json_string(std::string& out, std::string_view s);

}  // namespace chatdesk
