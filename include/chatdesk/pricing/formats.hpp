/// @file
/// The pricing module's JSON documents, for applications as for the
/// `chatdesk` program: invoices and charges (written, and read back), and the
/// businesses file (what pricing needs to know about each business).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/pricing/ledger.hpp"

namespace chatdesk {

/// An invoice as JSON: {"currency", "total", "total_settled", "lines": [...],
/// "free": [...], "problems": [...], "problems_total", "problem_counts": {...}}.
/// Amounts are decimal strings (exact), unit prices with 4 digits, totals with
/// the currency's minor digits.
[[nodiscard]] CHATDESK_API nlohmann::ordered_json to_json(const invoice& inv);
/// Reads what `to_json(invoice)` wrote. Errors `pricing.invalid_invoice` with
/// the JSON path. Lines must add up to the total, to the last digit.
[[nodiscard]] CHATDESK_API result<invoice> invoice_from_json(const nlohmann::ordered_json& j);

/// One charge as JSON: {"id", "business", "month", "model", "market",
/// "category", "tier", "amount", "reason", "free", "delivered_at", "explanation"}.
[[nodiscard]] CHATDESK_API nlohmann::ordered_json to_json(const charge& c);

/// The businesses file: {"b1": {"time_zone": "Europe/Rome", "country": "IT",
/// "auth_international_from": "2025-08-01"}, ...}; every field optional.
/// Errors `pricing.businesses` with the JSON path.
[[nodiscard]] CHATDESK_API result<std::vector<pricing_business>> pricing_businesses_from_json(
    const nlohmann::ordered_json& j);
/// Writes what `pricing_businesses_from_json` reads.
[[nodiscard]] CHATDESK_API nlohmann::ordered_json to_json(const std::vector<pricing_business>& businesses);

}  // namespace chatdesk
