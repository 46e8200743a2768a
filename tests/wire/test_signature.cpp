// Webhook signatures and the subscription handshake.
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chatdesk/templates/definition.hpp"
#include "chatdesk/wire/form.hpp"
#include "chatdesk/wire/signature.hpp"
#include "helpers/catch.hpp"

using namespace chatdesk;

TEST_CASE("headers are found whatever their case", "[wire][signature]") {
  const std::array<http_header, 3> headers{{{"Content-Type", "application/json"},
                                            {"x-hub-signature-256", "sha256=00"},
                                            {"X-Hub-Signature", "sha1=00"}}};
  CHECK(find_header(headers, "X-Hub-Signature-256") == "sha256=00");
  CHECK(find_header(headers, "CONTENT-TYPE") == "application/json");
  CHECK_FALSE(find_header(headers, "X-Twilio-Signature"));
}

namespace {
// Views into a temporary cannot be asked for: these overloads are deleted.
template <class T>
concept can_find_header_in = requires(T&& h) {
  find_header(std::forward<T>(h), "x");
};
template <class T>
concept can_take_form_value_of = requires(T&& p) {
  form_value(std::forward<T>(p), "x");
};
template <class T>
concept can_scan = requires(T&& t) {
  scan_placeholders(std::forward<T>(t));
};
}  // namespace

TEST_CASE("views into temporaries are refused at compile time", "[wire][signature][views]") {
  STATIC_REQUIRE(can_find_header_in<std::vector<http_header>&>);
  STATIC_REQUIRE_FALSE(can_find_header_in<std::vector<http_header>>);
  STATIC_REQUIRE(can_take_form_value_of<const form_parameters&>);
  STATIC_REQUIRE_FALSE(can_take_form_value_of<form_parameters>);
  STATIC_REQUIRE(can_scan<const std::string&>);
  STATIC_REQUIRE(can_scan<const char*>);
  STATIC_REQUIRE(can_scan<std::string_view>);
  STATIC_REQUIRE_FALSE(can_scan<std::string>);
}

TEST_CASE("constant-time comparison compares every byte", "[wire][signature]") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "xbc"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK(constant_time_equal("", ""));
}

#if CHATDESK_WITH_OPENSSL
TEST_CASE("X-Hub-Signature-256 is HMAC-SHA256 of the raw body", "[wire][signature]") {
  REQUIRE(signatures_available());
  // RFC 4231 test case 2.
  const std::string expected = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  CHECK(hub_signature("what do ya want for nothing?", "Jefe").value() == expected);
  CHECK(verify_hub_signature("what do ya want for nothing?", expected, "Jefe"));
  // RFC 4231 test case 6: a key longer than a block is hashed first.
  CHECK(hub_signature("Test Using Larger Than Block-Size Key - Hash Key First", std::string(131, '\xaa'))
            .value() == "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Keys of exactly a block and one byte more (reference values from `openssl dgst -mac HMAC`).
  CHECK(
      hub_signature("Test Using Larger Than Block-Size Key - Hash Key First", std::string(64, 'k')).value() ==
      "sha256=4993c021ab9451e8d0d6cb295ac63574364697012678189d6d8d542ee5c7bab3");
  CHECK(hub_signature("data", std::string(65, 'k')).value() ==
        "sha256=a79b53d0bf1cb4bb00c301979e6e60ef792a435cafabd76ab9e8989bbdef2dff");
  // Upper-case hex and surrounding blanks are accepted.
  CHECK(verify_hub_signature("what do ya want for nothing?",
                             "  sha256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843 ",
                             "Jefe"));

  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  const hub_verifier verifier("app-secret");
  const auto header = verifier.sign(body).value();
  CHECK(verifier.verify(body, header));

  auto mismatch = verifier.verify(body + " ", header);  // one byte more
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().code == "signature.mismatch");
  mismatch = hub_verifier("other-secret").verify(body, header);
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().code == "signature.mismatch");

  std::string flipped = header;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK(verifier.verify(body, flipped).error().code == "signature.mismatch");

  CHECK(verifier.verify(body, "").error().code == "signature.missing");
  CHECK(verifier.verify(body, "sha1=" + header.substr(7)).error().code == "signature.malformed");
  CHECK(verifier.verify(body, header.substr(0, header.size() - 2)).error().code == "signature.malformed");
  CHECK(verifier.verify(body, "sha256=" + std::string(64, 'g')).error().code == "signature.malformed");
  CHECK(hub_verifier("").verify(body, header).error().code == "signature.no_secret");

  const std::array<http_header, 1> with{{{"x-hub-signature-256", header}}};
  CHECK(verifier.verify(body, with));
  const std::array<http_header, 1> without{{{"Content-Type", "application/json"}}};
  CHECK(verifier.verify(body, without).error().code == "signature.missing");

  // A header made from a temporary owns its text (the sanitizers would see a dangling view).
  const std::vector<http_header> made{
      {std::string(hub_signature_header), hub_signature(body, "key").value()}};
  CHECK(verify_hub_signature(body, *find_header(made, hub_signature_header), "key"));
}
#else
TEST_CASE("without OpenSSL every signature check refuses", "[wire][signature]") {
  CHECK_FALSE(signatures_available());
  CHECK(verify_hub_signature("x", "sha256=" + std::string(64, '0'), "s").error().code ==
        "signature.unavailable");
}
#endif

TEST_CASE("the subscription handshake answers only the right token", "[wire][signature]") {
  auto q = parse_subscription_query(
      "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=my%20token%2B1");
  REQUIRE(q);
  CHECK(q->mode == "subscribe");
  CHECK(q->challenge == "1158201444");
  CHECK(q->verify_token == "my token+1");
  CHECK(answer_subscription(*q, "my token+1").value() == "1158201444");
  CHECK(answer_subscription(*q, "my token+2").error().code == "subscription.token");
  CHECK(answer_subscription(*q, "").error().code == "subscription.no_token");
  auto unsubscribe = *q;
  unsubscribe.mode = "unsubscribe";
  CHECK(answer_subscription(unsubscribe, "my token+1").error().code == "subscription.mode");
  auto no_challenge = *q;
  no_challenge.challenge.clear();
  CHECK(answer_subscription(no_challenge, "my token+1").error().code == "subscription.challenge");
  CHECK(parse_subscription_query("hub.mode=%ZZ").error().code == "subscription.malformed");
  CHECK(parse_subscription_query("hub.mode=%4").error().code == "subscription.malformed");
}
