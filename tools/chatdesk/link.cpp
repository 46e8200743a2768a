// chatdesk link NUMBER: a click-to-chat link, its QR code as SVG, or a
// website's chat button as HTML (chatdesk/links/*.hpp, docs/links.md).
#include <memory>
#include <ostream>
#include <string>

#include "chatdesk/links/button.hpp"
#include "chatdesk/links/click_to_chat.hpp"
#include "chatdesk/links/qr.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

command add_link_command(CLI::App& app) {
  struct options {
    std::string number;
    std::string region;
    std::string text;
    std::string ref;
    std::string qr;
    std::string ecc = "M";
    std::string name;
    std::string label;
    bool legacy = false;
    bool html = false;
    std::size_t max_length = 2048;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("link", "A click-to-chat link, its QR code, or a website's chat button");
  sub->add_option("NUMBER", o->number, "The business's number (+39 055 123 4567, or national with --region)")
      ->required();
  sub->add_option("--region", o->region, "The region of a national number (IT, US ...)");
  sub->add_option("--text", o->text, "The message drafted for the customer");
  sub->add_option("--ref", o->ref, "A reference token (1-32 of A-Z a-z 0-9 _ -) added to the text");
  sub->add_flag("--legacy", o->legacy, "The api.whatsapp.com/send form instead of wa.me");
  sub->add_option("--max-length", o->max_length, "The longest link allowed, in bytes")->capture_default_str();
  auto* qr = sub->add_option("--qr", o->qr, "Print the link's QR code instead: svg");
  qr->check(CLI::IsMember({"svg"}));
  sub->add_option("--ecc", o->ecc, "QR error correction: L, M, Q or H")
      ->check(CLI::IsMember({"L", "M", "Q", "H"}))
      ->capture_default_str();
  auto* html = sub->add_flag("--html", o->html, "Print a chat button for a web page (HTML with the QR code)");
  html->excludes(qr);
  sub->add_option("--name", o->name, "The business's name, for the button's labels");
  sub->add_option("--label", o->label, "The button's text");
  return [o](std::ostream& out, std::ostream& err) {
    link_options lo;
    lo.text = o->text;
    lo.ref = o->ref;
    lo.form = o->legacy ? link_form::legacy : link_form::wa_me;
    lo.max_length = o->max_length;
    const auto link = make_link(o->number, o->region, lo);
    if (!link) {
      err << "chatdesk link: " << link.error().message << " [" << link.error().code << "]\n";
      return exit_bad_input;
    }
    qr_options style;
    style.ecc = parse_qr_ecc(o->ecc).value_or(qr_ecc::medium);
    if (o->html) {
      chat_button_options b;
      b.business_name = o->name;
      b.label = o->label;
      b.qr_style = style;
      const auto snippet = chat_button_html(*link, b);
      if (!snippet) {
        err << "chatdesk link: " << snippet.error().message << " [" << snippet.error().code << "]\n";
        return exit_bad_input;
      }
      out << *snippet;
      return exit_ok;
    }
    if (!o->qr.empty()) {
      const auto svg = qr_svg(*link, style);
      if (!svg) {
        err << "chatdesk link: " << svg.error().message << " [" << svg.error().code << "]\n";
        return svg.error().code == "links.unsupported" ? exit_failure : exit_bad_input;
      }
      out << *svg;
      return exit_ok;
    }
    out << *link << '\n';
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
