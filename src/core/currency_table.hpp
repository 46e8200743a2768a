// The generated ISO 4217 rows (internal).
#pragma once

#include <array>

#include "chatdesk/core/currency.hpp"

namespace chatdesk::detail {
extern const std::array<currency_info, 183> currency_rows;
}  // namespace chatdesk::detail
