// Cross-checks chatdesk's calling-code tables against Google's libphonenumber
// (Debian's libphonenumber-dev), built only when that library is installed.
#include <phonenumbers/phonenumberutil.h>

#include <set>
#include <string>

#include "chatdesk/core/phone_number.hpp"
#include "helpers/catch.hpp"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

bool table_lists(int code, const std::string& region) {
  for (const auto& row : chatdesk::calling_code_table()) {
    if (row.code != code) continue;
    for (std::size_t i = 0; i + 1 < row.regions.size(); i += 3)
      if (row.regions.substr(i, 2) == region) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("every libphonenumber region and calling code is in chatdesk's table",
          "[core][phone][libphonenumber]") {
  const auto* util = PhoneNumberUtil::GetInstance();
  std::set<std::string> regions;
  util->GetSupportedRegions(&regions);
  CHECK(regions.size() > 240);
  for (const auto& r : regions) {
    INFO(r);
    CHECK(table_lists(util->GetCountryCodeForRegion(r), r));
  }
  std::set<int> codes;
  util->GetSupportedCallingCodes(&codes);
  std::set<int> ours;
  for (const auto& row : chatdesk::calling_code_table()) ours.insert(row.code);
  for (int c : codes) {
    INFO(c);
    CHECK(ours.count(c) == 1);
  }
}

TEST_CASE("libphonenumber's example numbers get the same country", "[core][phone][libphonenumber]") {
  const auto* util = PhoneNumberUtil::GetInstance();
  std::set<std::string> regions;
  util->GetSupportedRegions(&regions);
  const PhoneNumberUtil::PhoneNumberType types[] = {
      PhoneNumberUtil::FIXED_LINE,   PhoneNumberUtil::MOBILE, PhoneNumberUtil::TOLL_FREE,
      PhoneNumberUtil::PREMIUM_RATE, PhoneNumberUtil::VOIP,   PhoneNumberUtil::PERSONAL_NUMBER,
      PhoneNumberUtil::PAGER,        PhoneNumberUtil::UAN,    PhoneNumberUtil::VOICEMAIL,
      PhoneNumberUtil::SHARED_COST};
  int checked = 0;
  for (const auto& r : regions) {
    for (auto type : types) {
      PhoneNumber pn;
      if (!util->GetExampleNumberForType(r, type, &pn)) continue;
      std::string e164;
      util->Format(pn, PhoneNumberUtil::E164, &e164);
      std::string expected;
      util->GetRegionCodeForNumber(pn, &expected);
      INFO(e164 << " expected " << expected);
      // chatdesk accepts only 10-digit NANP numbers (not Canada's 7-digit 310 service numbers).
      if (pn.country_code() == 1 && e164.size() != 12) continue;
      auto ours = chatdesk::phone_number::parse(e164);
      REQUIRE(ours);
      CHECK(ours->e164() == e164);
      if (expected != "ZZ" && expected != "001") CHECK(std::string(ours->country().alpha2()) == expected);
      ++checked;
    }
  }
  CHECK(checked > 900);
}

TEST_CASE("NANP area codes map to the same countries", "[core][phone][libphonenumber]") {
  const auto* util = PhoneNumberUtil::GetInstance();
  int checked = 0;
  for (int npa = 200; npa < 1000; ++npa) {
    for (int exchange : {201, 234, 301, 355, 456, 555, 622, 733, 801, 922}) {
      PhoneNumber pn;
      pn.set_country_code(1);
      const auto national = static_cast<std::uint64_t>(npa * 10'000'000L + exchange * 10'000L + 1234L);
      pn.set_national_number(national);
      std::string expected;
      util->GetRegionCodeForNumber(pn, &expected);
      if (expected == "ZZ") continue;
      const auto number = "+1" + std::to_string(pn.national_number());
      INFO(number << " expected " << expected);
      auto ours = chatdesk::phone_number::parse(number);
      REQUIRE(ours);
      CHECK(std::string(ours->country().alpha2()) == expected);
      ++checked;
    }
  }
  CHECK(checked > 1000);
}
