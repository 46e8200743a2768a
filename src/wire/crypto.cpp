#include "crypto.hpp"

#include <array>

#if CHATDESK_WITH_OPENSSL
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#endif

namespace chatdesk::detail {

#if CHATDESK_WITH_OPENSSL

struct prepared_hmac::impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;  // initialised with the key; duplicated for each use
  ~impl() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
  impl() = default;
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
};

prepared_hmac::prepared_hmac(digest d, std::string_view key) : impl_(std::make_unique<impl>()) {
  impl_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (impl_->mac == nullptr) return;
  impl_->ctx = EVP_MAC_CTX_new(impl_->mac);
  if (impl_->ctx == nullptr) return;
  char name[8] = {};
  const std::string_view n = d == digest::sha1 ? "SHA1" : "SHA256";
  n.copy(name, n.size());
  const std::array<OSSL_PARAM, 2> params{OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
                                         OSSL_PARAM_construct_end()};
  // An empty key is valid HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char empty = 0;
  const auto* k = key.empty() ? &empty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(impl_->ctx, k, key.size(), params.data()) != 1) {
    EVP_MAC_CTX_free(impl_->ctx);
    impl_->ctx = nullptr;
  }
}

bool prepared_hmac::compute(std::string_view data, std::string& out) const {
  if (!impl_ || impl_->ctx == nullptr) return false;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(impl_->ctx);
  if (ctx == nullptr) return false;
  bool ok = data.empty() ||
            EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  std::size_t length = 0;
  if (ok && EVP_MAC_final(ctx, md.data(), &length, md.size()) != 1) ok = false;
  EVP_MAC_CTX_free(ctx);
  if (ok) out.assign(reinterpret_cast<const char*>(md.data()), length);
  return ok;
}

bool sha256(std::string_view data, std::string& out) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &length, EVP_sha256(), nullptr) != 1) return false;
  out.assign(reinterpret_cast<const char*>(md.data()), length);
  return true;
}

bool have_openssl() noexcept {
  return true;
}

#else

struct prepared_hmac::impl {};
prepared_hmac::prepared_hmac(digest, std::string_view) {}
bool prepared_hmac::compute(std::string_view, std::string&) const {
  return false;
}
bool sha256(std::string_view, std::string&) {
  return false;
}
bool have_openssl() noexcept {
  return false;
}

#endif

prepared_hmac::~prepared_hmac() = default;
prepared_hmac::prepared_hmac(prepared_hmac&&) noexcept = default;
prepared_hmac& prepared_hmac::operator=(prepared_hmac&&) noexcept = default;

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4U];
    out += digits[b & 15U];
  }
  return out;
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool from_hex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_digit(hex[i]);
    const int lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>((hi << 4) | lo);
  }
  return true;
}

std::string to_base64(std::string_view bytes) {
#if CHATDESK_WITH_OPENSSL
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0U);
  return out;
#else
  (void)bytes;
  return {};
#endif
}

}  // namespace chatdesk::detail
