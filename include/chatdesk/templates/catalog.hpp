/// @file
/// Ready-made template definitions for the notices businesses send most:
/// purchase confirmations, shipping and delivery notices, boarding passes and
/// flight changes, payment and appointment reminders, one-time passcodes; in
/// English (en_US) and Italian (it). Stored as the platform's template JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/templates/definition.hpp"

namespace chatdesk::catalog {

/// The names in the catalog: purchase_confirmation, purchase_confirmation_receipt,
/// shipping_update, delivery_notice, boarding_pass, flight_update,
/// payment_reminder, appointment_reminder, one_time_passcode.
[[nodiscard]] CHATDESK_API std::vector<std::string_view> names();
/// The languages every catalog template exists in: "en_US", "it".
[[nodiscard]] CHATDESK_API std::vector<std::string_view> languages();
/// One definition. Error `template.not_in_catalog`.
[[nodiscard]] CHATDESK_API result<template_definition> get(std::string_view name, std::string_view language);
/// Every definition, in every language.
[[nodiscard]] CHATDESK_API std::vector<template_definition> all();

}  // namespace chatdesk::catalog
