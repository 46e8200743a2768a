#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>

#include <fmt/format.h>

#include "chatdesk/core/phone_number.hpp"
#include "helpers/catch.hpp"

using chatdesk::phone_number;

namespace {
std::string e164(std::string_view input, std::string_view region = {}) {
  auto r = phone_number::parse(input, region);
  if (!r) return "error: " + r.error().to_string();
  return r->e164();
}
std::string region_of(std::string_view input) {
  return std::string(phone_number::parse(input).value().country().alpha2());
}
std::string error_code(std::string_view input, std::string_view region = {}) {
  auto r = phone_number::parse(input, region);
  return r ? std::string("no error") : r.error().code;
}
}  // namespace

TEST_CASE("phone numbers parse from what people type", "[core][phone]") {
  CHECK(e164("+39 333 123 4567") == "+393331234567");
  CHECK(e164("+393331234567") == "+393331234567");
  CHECK(e164("0039 333 1234567") == "+393331234567");
  CHECK(e164("  +39-333-123.4567 ") == "+393331234567");
  CHECK(e164("whatsapp:+14155551234") == "+14155551234");
  CHECK(e164("WhatsApp:+14155551234") == "+14155551234");
  CHECK(e164("tel:+1-415-555-1234") == "+14155551234");
  CHECK(e164("+1\xC2\xA0"
             "415\xC2\xA0"
             "555\xC2\xA0"
             "1234") == "+14155551234");  // no-break spaces
  CHECK(e164("+1/415/555/1234") == "+14155551234");
}

TEST_CASE("national numbers need a default region and lose their trunk prefix", "[core][phone]") {
  CHECK(e164("(415) 555-1234", "US") == "+14155551234");
  CHECK(e164("1 (415) 555-1234", "US") == "+14155551234");
  CHECK(e164("415.555.1234", "us") == "+14155551234");
  CHECK(e164("011 39 333 123 4567", "US") == "+393331234567");
  CHECK(e164("(613) 555-0123", "CA") == "+16135550123");
  CHECK(e164("333 123 4567", "IT") == "+393331234567");
  CHECK(e164("06 1234 5678", "IT") == "+390612345678");  // Italy keeps its leading 0
  CHECK(e164("07700 900123", "GB") == "+447700900123");
  CHECK(e164("030 123456", "DE") == "+4930123456");
  CHECK(e164("8 912 345-67-89", "RU") == "+79123456789");
  CHECK(e164("06 1 234 5678", "HU") == "+3612345678");
  CHECK(e164("0612345678", "FR") == "+33612345678");
  CHECK(e164("0039 333 1234567", "FR") == "+393331234567");
  CHECK(error_code("333 123 4567") == "phone.missing_region");
  CHECK(error_code("333 123 4567", "ZZ") == "phone.unknown_region");
  CHECK(error_code("333 123 4567", "ITA") == "phone.unknown_region");
  CHECK(error_code("333 123 4567", "AQ") == "phone.unknown_region");  // no calling code of its own
}

TEST_CASE("phone numbers expose their parts", "[core][phone]") {
  const auto p = phone_number::parse("+39 333 123 4567").value();
  CHECK(p.digits() == "393331234567");
  CHECK(p.calling_code() == "39");
  CHECK(p.calling_code_value() == 39);
  CHECK(p.national_number() == "3331234567");
  CHECK(p.country().alpha2() == "IT");
  CHECK(p.click_to_chat() == "393331234567");
  CHECK(fmt::format("{}", p) == "+393331234567");
  CHECK(p == phone_number::parse("0039 333 123 4567").value());
  CHECK(p < phone_number::parse("+393331234568").value());
  std::unordered_set<phone_number> set{p, phone_number::parse("+39 333 1234567").value()};
  CHECK(set.size() == 1);
  const auto g = phone_number::parse("+97150 123 4567").value();
  CHECK(g.calling_code() == "971");
  CHECK(g.national_number() == "501234567");
  const auto intl = phone_number::parse("+800 1234 5678").value();
  CHECK(intl.calling_code() == "800");
  CHECK(intl.country().empty());
  CHECK(sizeof(phone_number) <= 20);
}

TEST_CASE("shared calling codes resolve to the right country", "[core][phone]") {
  CHECK(region_of("+1 212 555 0100") == "US");
  CHECK(region_of("+1 416 555 0100") == "CA");
  CHECK(region_of("+1 809 555 0100") == "DO");
  CHECK(region_of("+1 829 555 0100") == "DO");
  CHECK(region_of("+1 849 555 0100") == "DO");
  CHECK(region_of("+1 876 555 0100") == "JM");
  CHECK(region_of("+1 658 555 0100") == "JM");
  CHECK(region_of("+1 787 555 0100") == "PR");
  CHECK(region_of("+1 939 555 0100") == "PR");
  CHECK(region_of("+1 868 555 0100") == "TT");
  CHECK(region_of("+1 671 555 0100") == "GU");
  CHECK(region_of("+1 800 555 0100") == "US");
  CHECK(region_of("+7 912 345 6789") == "RU");
  CHECK(region_of("+7 701 234 5678") == "KZ");
  CHECK(region_of("+7 601 234 5678") == "KZ");
  CHECK(region_of("+44 20 7946 0958") == "GB");
  CHECK(region_of("+44 7700 900123") == "GB");
  CHECK(region_of("+44 1481 256789") == "GG");
  CHECK(region_of("+44 1534 456789") == "JE");
  CHECK(region_of("+44 1624 756789") == "IM");
  CHECK(region_of("+39 06 698 12345") == "VA");
  CHECK(region_of("+39 06 1234 5678") == "IT");
  CHECK(region_of("+47 79 12 34 56") == "SJ");
  CHECK(region_of("+358 18 123 4567") == "AX");
  CHECK(region_of("+262 269 60 12 34") == "YT");
  CHECK(region_of("+262 262 16 12 34") == "RE");
  CHECK(region_of("+599 318 1234") == "BQ");
  CHECK(region_of("+599 9 435 1234") == "CW");
  CHECK(region_of("+290 8999") == "TA");
  CHECK(region_of("+212 5288 12345") == "EH");
  CHECK(region_of("+61 8 9162 1234") == "CC");
  CHECK(region_of("+61 8 9164 1234") == "CX");
}

TEST_CASE("one example number from every calling code parses to its country", "[core][phone]") {
  std::ifstream in(CHATDESK_TEST_DATA_DIR "/e164_samples.txt");
  REQUIRE(in);
  std::string line;
  std::set<std::string> codes_seen;
  int count = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string number;
    std::string region;
    fields >> number >> region;
    INFO(line);
    auto p = phone_number::parse(number);
    REQUIRE(p);
    CHECK(p->e164() == number);
    CHECK(std::string(p->country().alpha2()) == (region == "-" ? "" : region));
    codes_seen.insert(std::string(p->calling_code()));
    ++count;
  }
  CHECK(count > 900);
  // Every code of the table has at least one sample.
  for (const auto& row : chatdesk::calling_code_table()) {
    INFO(row.code);
    CHECK(codes_seen.count(std::to_string(row.code)) == 1);
  }
}

TEST_CASE("the calling-code table is well formed", "[core][phone]") {
  const auto table = chatdesk::calling_code_table();
  CHECK(table.size() >= 210);
  std::set<int> codes;
  for (const auto& row : table) {
    INFO(row.code);
    CHECK(row.code >= 1);
    CHECK(row.code <= 999);
    CHECK(row.min_length >= 2);
    CHECK(row.min_length <= row.max_length);
    CHECK(std::to_string(row.code).size() + row.max_length <= 17);
    CHECK(codes.insert(row.code).second);
    for (std::size_t i = 0; i + 1 < row.regions.size(); i += 3) {
      CHECK(chatdesk::country::from_alpha2(row.regions.substr(i, 2)));
    }
  }
  // Prefix-free: no assigned code is a prefix of another.
  for (int a : codes) {
    for (int b : codes) {
      if (a == b) continue;
      const auto sa = std::to_string(a);
      const auto sb = std::to_string(b);
      INFO(sa << " " << sb);
      CHECK(sb.rfind(sa, 0) != 0);
    }
  }
  for (const auto& a : chatdesk::nanp_area_table()) {
    CHECK(a.area_code >= 200);
    CHECK_FALSE(a.region.empty());
    CHECK(a.region.alpha2() != "US");
  }
}

TEST_CASE("what is not a phone number is refused with a reason", "[core][phone]") {
  CHECK(error_code("") == "phone.empty");
  CHECK(error_code("   ") == "phone.empty");
  CHECK(error_code("whatsapp:") == "phone.empty");
  CHECK(error_code("+") == "phone.empty");
  CHECK(error_code("() -") == "phone.empty");
  CHECK(error_code("+39 333 CALL NOW") == "phone.letters");
  CHECK(error_code("1-800-FLOWERS", "US") == "phone.letters");
  CHECK(error_code("+39#3331234567") == "phone.invalid_character");
  CHECK(error_code("+39 333+1234567") == "phone.invalid_character");
  CHECK(error_code("++393331234567") == "phone.invalid_character");
  CHECK(error_code("+39 333 1234567\x01") == "phone.invalid_character");
  CHECK(error_code("+39 333 \xE2\x80\x8B 1234567") == "phone.invalid_character");  // zero-width space
  CHECK(error_code("+39 12") == "phone.too_short");
  CHECK(error_code("+1 415 555 123") == "phone.too_short");
  CHECK(error_code("+39 3331234567890123") == "phone.too_long");
  CHECK(error_code("+1 415 555 12345") == "phone.too_long");
  CHECK(error_code("+1234567890123456789012345678901234567890") == "phone.too_long");
  CHECK(error_code("+999 1234 5678") == "phone.unknown_calling_code");
  CHECK(error_code("+0 39 333") == "phone.unknown_calling_code");
  CHECK(error_code("+28 1234 5678") == "phone.unknown_calling_code");
  CHECK(error_code("+1 115 555 1234") == "phone.invalid_area_code");
  CHECK(error_code("+1 415 155 1234") == "phone.invalid_area_code");

  auto r = phone_number::parse("+39 333 CALL NOW");
  CHECK(r.error().where == "character 9");
  CHECK(r.error().message == "'+39 333 CALL NOW' contains the letter 'C': a phone number has digits only");
  auto s = phone_number::parse("+39 12");
  CHECK(s.error().message == "'+39 12' has 2 digits after +39: numbers there have at least 6");
  auto u = phone_number::parse("+999 1234 5678");
  CHECK(u.error().message ==
        "'+999 1234 5678' starts with +999, which is not an assigned country calling code");
}
