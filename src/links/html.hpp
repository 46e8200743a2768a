#pragma once
// Internal: text made safe inside HTML and SVG, as element text and in quoted
// attributes (the caller has checked it is valid UTF-8).
#include <string>
#include <string_view>

namespace chatdesk::detail::links {

inline std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      case '\'':
        out.append("&#39;");
        break;
      default:
        // Control characters are not allowed in XML (SVG); a space keeps the words apart.
        out.push_back(static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r' ? ' ' : c);
    }
  }
  return out;
}

}  // namespace chatdesk::detail::links
