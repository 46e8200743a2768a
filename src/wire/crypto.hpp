// Internal: the few cryptographic primitives the wire formats need, over
// OpenSSL when chatdesk is built with it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "chatdesk/core/error.hpp"

namespace chatdesk::detail {

enum class digest : unsigned char { sha1, sha256 };

/// A keyed MAC prepared once and run many times (thread-safe after construction).
class prepared_hmac {
 public:
  prepared_hmac(digest d, std::string_view key);
  ~prepared_hmac();
  prepared_hmac(prepared_hmac&&) noexcept;
  prepared_hmac& operator=(prepared_hmac&&) noexcept;

  /// The raw MAC of `data`; false when OpenSSL is missing or failed.
  bool compute(std::string_view data, std::string& out) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// SHA-256 of data (raw bytes); false when unavailable.
bool sha256(std::string_view data, std::string& out);

/// Hex (lower case) and Base64 (standard alphabet, padded) encodings.
std::string to_hex(std::string_view bytes);
std::string to_base64(std::string_view bytes);
/// The value of one hex digit of either case, or -1.
int hex_digit(char c) noexcept;
/// Decodes hex digits of either case; false on anything else or an odd count.
bool from_hex(std::string_view hex, std::string& out);

bool have_openssl() noexcept;

/// `signature.unavailable`: chatdesk was built without OpenSSL, so signatures
/// cannot be `what` ("checked", "made").
[[nodiscard]] error openssl_missing(std::string_view what);
/// `signature.unavailable`: OpenSSL failed to compute an HMAC.
[[nodiscard]] error hmac_failed(digest d);

}  // namespace chatdesk::detail
