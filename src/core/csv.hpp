// CSV cells as RFC 4180 quotes them, formulas neutralised (internal): the
// reports' one writer.
#pragma once

#include <string>
#include <string_view>

namespace chatdesk::detail {

/// `text` as one CSV cell: quoted, with quotes doubled, when it holds a
/// comma, a quote or a line break; else as it is. A cell a spreadsheet would
/// read as a formula (starting with =, +, -, @, a tab or a carriage return)
/// gets a leading apostrophe and quotes, so opening a report never runs what
/// a customer or a webhook put in a name or an id (OWASP's CSV injection).
inline std::string csv_cell(std::string_view text) {
  const bool formula =
      !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
  if (!formula && text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = formula ? "\"'" : "\"";
  for (const char ch : text) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
  return out;
}

}  // namespace chatdesk::detail
