#include "chatdesk/links/qr.hpp"

#include <fmt/format.h>

#include "html.hpp"

#if CHATDESK_WITH_QR
#include <qrcodegen.hpp>
#endif

namespace chatdesk {

std::string_view to_string(qr_ecc e) noexcept {
  switch (e) {
    case qr_ecc::low:
      return "L";
    case qr_ecc::medium:
      return "M";
    case qr_ecc::quartile:
      return "Q";
    case qr_ecc::high:
      return "H";
  }
  return "M";
}

std::optional<qr_ecc> parse_qr_ecc(std::string_view text) noexcept {
  if (text == "L" || text == "low") return qr_ecc::low;
  if (text == "M" || text == "medium") return qr_ecc::medium;
  if (text == "Q" || text == "quartile") return qr_ecc::quartile;
  if (text == "H" || text == "high") return qr_ecc::high;
  return std::nullopt;
}

bool qr_available() noexcept {
  return CHATDESK_WITH_QR != 0;
}

result<std::string> qr_svg(std::string_view text, const qr_options& options) {
  if (options.border < 0 || options.border > 16)
    return make_error("links.invalid_option",
                      fmt::format("a QR border of {} modules is not 0 to 16", options.border), "border");
  if (options.module_px < 1 || options.module_px > 64)
    return make_error("links.invalid_option",
                      fmt::format("a QR module of {} pixels is not 1 to 64", options.module_px), "module_px");
#if CHATDESK_WITH_QR
  using qrcodegen::QrCode;
  const QrCode::Ecc ecc = options.ecc == qr_ecc::low        ? QrCode::Ecc::LOW
                          : options.ecc == qr_ecc::medium   ? QrCode::Ecc::MEDIUM
                          : options.ecc == qr_ecc::quartile ? QrCode::Ecc::QUARTILE
                                                            : QrCode::Ecc::HIGH;
  std::optional<QrCode> code;
  try {
    // Bytes as they are: a link is ASCII, and the library picks the densest mode.
    const std::vector<std::uint8_t> bytes(text.begin(), text.end());
    code.emplace(QrCode::encodeBinary(bytes, ecc));
  } catch (const qrcodegen::data_too_long&) {
    return make_error("links.qr_too_long",
                      fmt::format("{} bytes do not fit in a QR code at error correction {}", text.size(),
                                  to_string(options.ecc)),
                      "text");
  }
  const int size = code->getSize();
  const int side = size + 2 * options.border;
  std::string out;
  out.reserve(static_cast<std::size_t>(size * size) * 6 + 400);
  fmt::format_to(std::back_inserter(out),
                 R"(<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {0} {0}" width="{1}" )"
                 R"(height="{1}" shape-rendering="crispEdges")",
                 side, side * options.module_px);
  if (!options.label.empty()) {
    const auto label = detail::links::html_escape(options.label);
    fmt::format_to(std::back_inserter(out), R"( role="img" aria-label="{0}"><title>{0}</title>)", label);
  } else {
    out.append(R"( aria-hidden="true">)");
  }
  out.append(R"(<rect width="100%" height="100%" fill="#ffffff"/><path fill="#000000" d=")");
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      if (!code->getModule(x, y)) continue;
      int run = 1;  // dark modules side by side make one rectangle
      while (x + run < size && code->getModule(x + run, y)) ++run;
      fmt::format_to(std::back_inserter(out), "M{},{}h{}v1h-{}z", x + options.border, y + options.border, run,
                     run);
      x += run - 1;
    }
  }
  out.append("\"/></svg>\n");
  return out;
#else
  (void)text;
  return make_error("links.unsupported", "this build of chatdesk draws no QR codes (CHATDESK_WITH_QR is off)",
                    "qr");
#endif
}

}  // namespace chatdesk
