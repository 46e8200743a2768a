// Click-to-chat links, their reference tokens, QR codes and the website button.
#include <string>

#include "chatdesk/links/button.hpp"
#include "chatdesk/links/click_to_chat.hpp"
#include "chatdesk/links/qr.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

namespace {

phone_number shop() {
  return phone_number::parse("+39 055 123 4567").value();
}

link_options with(std::string_view text, std::string_view ref = {}, std::size_t max_length = 2048,
                  link_form form = link_form::wa_me) {
  link_options o;
  o.text = text;
  o.ref = ref;
  o.max_length = max_length;
  o.form = form;
  return o;
}

qr_options qr_style(qr_ecc ecc, int border, int module_px, std::string_view label = {}) {
  qr_options o;
  o.ecc = ecc;
  o.border = border;
  o.module_px = module_px;
  o.label = label;
  return o;
}

/// `code_point` as UTF-8.
std::string utf8_of(char32_t code_point) {
  std::string out;
  const auto c = static_cast<std::uint32_t>(code_point);
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
  return out;
}

}  // namespace

TEST_CASE("a link is wa.me and the number's digits, with the text percent-encoded", "[links]") {
  CHECK(make_link(shop()).value() == "https://wa.me/390551234567");
  CHECK(make_link("(415) 555-1234", "US", with("Hi there")).value() ==
        "https://wa.me/14155551234?text=Hi%20there");
  CHECK(make_link("07700 900123", "GB").value() == "https://wa.me/447700900123");
  const auto legacy = with("Ciao", {}, 2048, link_form::legacy);
  CHECK(make_link(shop(), legacy).value() == "https://api.whatsapp.com/send?phone=390551234567&text=Ciao");
  // RFC 3986: unreserved kept; '&', '#', '+', newlines, accents and emoji encoded as UTF-8 bytes.
  CHECK(percent_encode("A-z0.9_~") == "A-z0.9_~");
  CHECK(percent_encode("a&b#c+d e\nf") == "a%26b%23c%2Bd%20e%0Af");
  CHECK(percent_encode("caffè") == "caff%C3%A8");
  CHECK(percent_encode("😀") == "%F0%9F%98%80");
  CHECK(percent_encode("?/=%") == "%3F%2F%3D%25");
}

TEST_CASE("every printable character and emoji survives encoding and decoding", "[links]") {
  std::string all;
  for (char c = 0x20; c < 0x7F; ++c) all.push_back(c);
  for (char32_t cp = 0xA0; cp < 0x3000; cp += 7) all += utf8_of(cp);
  for (char32_t cp = 0x1F300; cp < 0x1FAFF; ++cp) all += utf8_of(cp);  // the emoji blocks
  all += "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB";               // a joined emoji (woman technologist)
  const auto encoded = percent_encode(all);
  CHECK(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%") ==
        std::string::npos);
  CHECK(percent_decode(encoded).value() == all);
  const auto link = make_link(shop(), with(all, {}, 1'000'000));
  REQUIRE(link);
  CHECK(percent_decode(link->substr(link->find("?text=") + 6)).value() == all);
  CHECK(percent_decode("%zz").error().code == "links.invalid_encoding");
  CHECK(percent_decode("ab%4").error().where == "byte 2");
}

TEST_CASE("a reference token rides in the text and is found in the first message", "[links]") {
  const auto link = make_link(shop(), with("Vorrei info", "spring-26"));
  CHECK(link.value() == "https://wa.me/390551234567?text=Vorrei%20info%20%5Bref%3Aspring-26%5D");
  CHECK(make_link(shop(), with({}, "page_7")).value() ==
        "https://wa.me/390551234567?text=%5Bref%3Apage_7%5D");
  CHECK(text_with_ref("Vorrei info", "spring-26") == "Vorrei info [ref:spring-26]");
  CHECK(find_ref("Vorrei info [ref:spring-26]") == "spring-26");
  CHECK(find_ref("[ref:a] poi [ref:b]") == "b");
  CHECK(find_ref("[ref:ok] e [ref:no spaces]") == "ok");
  CHECK_FALSE(find_ref("niente"));
  CHECK_FALSE(find_ref("[ref:]"));
  CHECK_FALSE(find_ref("[ref:abc"));
  const auto bad = make_link(shop(), with("x", "has space"));
  CHECK(bad.error().code == "links.invalid_ref");
  CHECK(bad.error().where == "ref");
  CHECK(make_link(shop(), with("x", std::string(33, 'a'))).error().code == "links.invalid_ref");
  CHECK(make_link(shop(), with("x", std::string(32, 'a'))));
}

TEST_CASE("links refuse bad numbers, bad text and excess length, naming what", "[links]") {
  CHECK(make_link(phone_number{}).error().code == "links.no_number");
  CHECK(make_link("333", "IT").error().code == "phone.too_short");
  CHECK(make_link("12ab", "").error().code == "phone.letters");
  const auto invalid = make_link(shop(), with("ok\xC3"));
  CHECK(invalid.error().code == "links.invalid_text");
  CHECK(invalid.error().message == "the prefilled text is not valid UTF-8 at byte 2");
  // The limit is exact: a link of 60 bytes (26 + "?text=" + 28) passes a limit of 60 and fails 59.
  const std::string text(28, 'a');
  const auto exact = make_link(shop(), with(text, {}, 60));
  REQUIRE(exact);
  CHECK(exact->size() == 60);
  const auto over = make_link(shop(), with(text, {}, 59));
  CHECK(over.error().code == "links.too_long");
  CHECK(over.error().message ==
        "the link would be 60 bytes, over the limit of 59: shorten the prefilled text");
  // With a reference, the computed length is the real one.
  const auto with_ref = make_link(shop(), with("a b", "r1"));
  REQUIRE(with_ref);
  CHECK(make_link(shop(), with("a b", "r1", with_ref->size())));
  CHECK_FALSE(make_link(shop(), with("a b", "r1", with_ref->size() - 1)));
  std::string out = "prefix:";
  CHECK_FALSE(append_link(out, shop(), with("x", {}, 10)));
  CHECK(out == "prefix:");
}

TEST_CASE("QR codes are SVG with a quiet zone, sized by their content and error correction", "[links][qr]") {
  if (!qr_available()) {
    WARN("built without CHATDESK_WITH_QR");
    return;
  }
  const auto small = qr_svg("https://wa.me/390551234567", qr_style(qr_ecc::low, 4, 8));
  const auto high = qr_svg("https://wa.me/390551234567", qr_style(qr_ecc::high, 4, 8));
  REQUIRE(small);
  REQUIRE(high);
  CHECK(small->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(small->find("</svg>") != std::string::npos);
  CHECK(small->find("viewBox=\"0 0 33 33\"") != std::string::npos);  // version 2 (25) + 2 x 4
  CHECK(high->find("viewBox=\"0 0 41 41\"") != std::string::npos);   // version 4 (33) at H
  CHECK(small->find("aria-hidden=\"true\"") != std::string::npos);
  const auto labelled = qr_svg("x", qr_style(qr_ecc::medium, 0, 2, "Chat with <Rossi>"));
  REQUIRE(labelled);
  CHECK(labelled->find("aria-label=\"Chat with &lt;Rossi&gt;\"") != std::string::npos);
  CHECK(labelled->find("<Rossi>") == std::string::npos);
  CHECK(qr_svg(std::string(3000, 'a'), qr_style(qr_ecc::high, 4, 8)).error().code == "links.qr_too_long");
  CHECK(qr_svg("x", qr_style(qr_ecc::medium, 17, 8)).error().where == "border");
  CHECK(qr_svg("x", qr_style(qr_ecc::medium, 4, 0)).error().where == "module_px");
  CHECK(parse_qr_ecc("Q") == qr_ecc::quartile);
  CHECK(parse_qr_ecc("high") == qr_ecc::high);
  CHECK_FALSE(parse_qr_ecc("X"));
}

TEST_CASE("the website button escapes every text and labels the link and the QR code", "[links]") {
  const auto link = make_link(shop(), with("Ciao & grazie")).value();
  chat_button_options o;
  o.business_name = "Rossi <script>alert('x')</script> & \"figli\"";
  const auto html = chat_button_html(link, o);
  REQUIRE(html);
  CHECK(html->find("<script>") == std::string::npos);
  CHECK(
      html->find("Chat with Rossi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;figli&quot; on "
                 "WhatsApp</a>") != std::string::npos);
  CHECK(html->find("href=\"https://wa.me/390551234567?text=Ciao%20%26%20grazie\"") != std::string::npos);
  CHECK(html->find("rel=\"noopener noreferrer\"") != std::string::npos);
  if (qr_available()) {
    CHECK(html->find("role=\"img\" aria-label=\"QR code to chat with Rossi &lt;script&gt;") !=
          std::string::npos);
    CHECK(html->find("<figcaption>") != std::string::npos);
  }
  o.qr = false;
  o.label = "Scrivici";
  const auto plain = chat_button_html(link, o);
  REQUIRE(plain);
  CHECK(plain->find("<svg") == std::string::npos);
  CHECK(plain->find(">Scrivici</a>") != std::string::npos);
  CHECK(chat_button_html("javascript:alert(1)").error().code == "links.invalid_link");
  CHECK(chat_button_html("https://wa.me/1\"onmouseover=x").error().code == "links.invalid_link");
  o.business_name = "bad\xFF";
  CHECK(chat_button_html(link, o).error().where == "business_name");
}
