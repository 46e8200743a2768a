/// @file
/// A tuning hook of the market table for the pricing ledger, which caches a
/// market per rule rather than per name. Applications use
/// `market_table::find`; not part of the stable API.
#pragma once

#include <cstddef>

#include "chatdesk/core/export.hpp"
#include "chatdesk/core/market.hpp"

namespace chatdesk::detail {

/// The index in `table.rules()` of the rule that gives `number` its market,
/// or `table.rules().size()` for the default market.
[[nodiscard]] CHATDESK_API std::size_t market_rule_index(const market_table& table,
                                                         const phone_number& number) noexcept;

}  // namespace chatdesk::detail
