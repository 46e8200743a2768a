// What both durable stores do with the documents they keep: a message's
// content and a business's definition, read back and checked (a damaged one
// is `store.corrupt`, naming the record and the store).
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "chatdesk/core/error.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/model/documents.hpp"

namespace chatdesk::detail::stored {

/// The content kept for `record`, as written by `to_json(message)`.
inline message content_of(std::string_view body, const message_record& record, std::string_view where) {
  auto m = parse_message(body);
  if (!m)
    throw_error(make_error(
        "store.corrupt",
        fmt::format("the content of message '{}' in {} cannot be read: {}",
                    record.id.empty() ? record.correlation_id : record.id, where, m.error().message),
        std::string(where)));
  return std::move(*m);
}

/// The business `id`, as written by `to_json(business)`.
inline business business_of(std::string_view definition, std::string_view id, std::string_view where) {
  auto b = parse_business(definition);
  if (!b)
    throw_error(make_error(
        "store.corrupt", fmt::format("business '{}' in {} cannot be read: {}", id, where, b.error().message),
        std::string(where)));
  return std::move(*b);
}

/// The end of the range of keys that start with `prefix`, in byte order: the
/// prefix followed by U+10FFFF, the largest character (valid UTF-8 either way).
inline std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  end.append("\xF4\x8F\xBF\xBF");
  return end;
}

}  // namespace chatdesk::detail::stored
