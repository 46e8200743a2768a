// CSV cells as RFC 4180 quotes them (internal): the reports' one writer.
#pragma once

#include <string>
#include <string_view>

namespace chatdesk::detail {

/// `text` as one CSV cell: quoted, with quotes doubled, when it holds a
/// comma, a quote or a line break; else as it is.
inline std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char ch : text) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
  return out;
}

}  // namespace chatdesk::detail
