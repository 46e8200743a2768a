// Sample values for any template definition: every body and header variable,
// a media header and every button that takes a value, so that each catalog
// template can be bound and sent in tests.
#pragma once

#include <set>
#include <string>

#include "chatdesk/templates/binding.hpp"

namespace chatdesk::test {

/// Values for every variable of `def`: "V-<name>" in the body, "H-<name>" in
/// a text header, a document by link or an image or video by id, "B<i>" for
/// button i.
inline template_arguments sample_arguments(const template_definition& def) {
  template_arguments a;
  const bool named = def.format == parameter_format::named;
  std::set<std::string> seen;
  const auto body_slots = scan_placeholders(def.body).value();  // kept: the loops below read it
  const auto header_slots = scan_placeholders(def.header_text).value();
  for (const auto& p : body_slots)
    if (seen.insert(std::string(p.name)).second) a.set(std::string(p.name), "V-" + std::string(p.name));
  if (def.header == header_format::text)
    for (const auto& p : header_slots) {
      if (!named)
        a.set_header("H-" + std::string(p.name));
      else if (seen.insert(std::string(p.name)).second)
        a.set(std::string(p.name), "H-" + std::string(p.name));
    }
  if (def.header == header_format::document)
    a.set_header(media_parameter{media_kind::document, "https://x.example/f.pdf", "", "f.pdf"});
  if (def.header == header_format::image || def.header == header_format::video)
    a.set_header(media_parameter{def.header == header_format::image ? media_kind::image : media_kind::video,
                                 "", "4490", ""});
  for (std::size_t b = 0; b < def.buttons.size(); ++b) {
    const auto& button = def.buttons[b];
    if (button.url.find("{{") != std::string::npos || button.type == button_type::copy_code ||
        button.type == button_type::otp)
      a.set_button(b, "B" + std::to_string(b));
  }
  return a;
}

}  // namespace chatdesk::test
