// Calling-code tables (internal).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "chatdesk/core/phone_number.hpp"

namespace chatdesk::detail {

/// National numbers of calling code `code` starting with `prefix` belong to `region`.
struct leading_digits_split {
  std::uint16_t code;
  std::string_view prefix;
  country region;
};

extern const std::array<calling_code_info, 215> calling_code_rows;
extern const std::array<nanp_area_info, 84> nanp_area_rows;
extern const std::array<leading_digits_split, 52> split_rows;

}  // namespace chatdesk::detail
