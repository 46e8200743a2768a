/// @file
/// Review status of a message template, as the platform reports it.
#pragma once

#include <cstdint>
#include <string_view>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"

namespace chatdesk {

/// A template's review status. Only `approved` templates may be sent.
enum class template_status : std::uint8_t { approved, pending, rejected, paused, disabled };
[[nodiscard]] CHATDESK_API std::string_view to_string(template_status s) noexcept;  ///< "APPROVED", ...
/// Parses "APPROVED", "approved", ... Error `template.unknown_status`.
[[nodiscard]] CHATDESK_API result<template_status> parse_template_status(std::string_view text);

}  // namespace chatdesk
