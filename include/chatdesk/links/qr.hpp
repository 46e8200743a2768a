/// @file
/// QR codes for click-to-chat links, drawn as SVG by Nayuki's QR Code
/// generator (Debian's libqrcodegencpp), for the desktop visitors of a
/// business's website who chat from their phone.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// How much of the code may be damaged and still read: about 7, 15, 25 or 30%.
enum class qr_ecc : std::uint8_t { low, medium, quartile, high };
[[nodiscard]] CHATDESK_API std::string_view to_string(qr_ecc e) noexcept;  ///< "L", "M", "Q", "H"
/// "L", "M", "Q", "H" (or "low", "medium", "quartile", "high").
[[nodiscard]] CHATDESK_API std::optional<qr_ecc> parse_qr_ecc(std::string_view text) noexcept;

/// How a QR code is drawn.
struct CHATDESK_API qr_options {
  qr_ecc ecc = qr_ecc::medium;
  int border = 4;     ///< quiet zone in modules (the standard asks for 4), 0-16
  int module_px = 8;  ///< the SVG's width and height: (size + 2 x border) x this, 1-64
  /// The image's accessible name (`aria-label` and `<title>`); empty: none.
  std::string_view label;
};

/// Whether this build draws QR codes (built with CHATDESK_WITH_QR).
[[nodiscard]] CHATDESK_API bool qr_available() noexcept;

/// `text` (a link) as a standalone SVG image: one path of dark modules on a
/// white square, crisp at any size. Errors: `links.qr_too_long` (more than a
/// version-40 code holds at that error correction), `links.invalid_option`
/// (border or module size out of range), `links.unsupported` (built without QR).
[[nodiscard]] CHATDESK_API result<std::string> qr_svg(std::string_view text, const qr_options& options = {});

}  // namespace chatdesk
