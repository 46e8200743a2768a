// Fuzzes the signature checks and the subscription handshake. The input is a
// secret, a NUL byte, a header value, a NUL byte, and a body. Properties: no
// crash; a signature chatdesk made for a body verifies, and fails for any
// other body; arbitrary header values are refused unless they are the right
// signature; query strings never crash the handshake.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chatdesk/wire/signature.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto a = input.find('\0');
  const auto secret = input.substr(0, a);
  const auto rest = a == std::string_view::npos ? std::string_view{} : input.substr(a + 1);
  const auto b = rest.find('\0');
  const auto header = rest.substr(0, b);
  const auto body = b == std::string_view::npos ? std::string_view{} : rest.substr(b + 1);

  const chatdesk::hub_verifier verifier(secret);
  auto checked = verifier.verify(body, header);
  if (!checked && checked.error().code.empty()) __builtin_trap();
  auto made = verifier.sign(body);
  if (made) {
    if (!verifier.verify(body, *made)) __builtin_trap();
    const std::string other = std::string(body) + "x";
    if (verifier.verify(other, *made)) __builtin_trap();
    if (checked) {
      // An accepted header is the signature, up to blanks and letter case.
      std::string norm;
      for (char c : header)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
          norm += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (norm != *made) __builtin_trap();
    }
  } else if (checked) {
    __builtin_trap();  // nothing can verify where nothing can sign
  }

  if (auto q = chatdesk::parse_subscription_query(rest)) {
    auto answer = chatdesk::answer_subscription(*q, secret);
    if (answer && (q->mode != "subscribe" || q->verify_token != secret || *answer != q->challenge))
      __builtin_trap();
  }
  return 0;
}
