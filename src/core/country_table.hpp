// The generated ISO 3166-1 rows (internal).
#pragma once

#include <array>

#include "chatdesk/core/country.hpp"

namespace chatdesk::detail {
extern const std::array<country_info, 252> country_rows;
}  // namespace chatdesk::detail
