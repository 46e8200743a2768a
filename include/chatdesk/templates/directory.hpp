/// @file
/// Where the desk looks templates up: a small interface of the templates
/// module, implemented by `template_library` (or by an application's own
/// catalogue), and used by the engine's policies.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/export.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/model/template_status.hpp"

namespace chatdesk {

class prepared_template;  // chatdesk/templates/binding.hpp

/// A template's review state as the desk needs it.
struct CHATDESK_API template_info {
  template_status status = template_status::approved;
  template_category category = template_category::utility;
  std::string status_reason;  ///< why it is paused, rejected ...
  /// The definition, ready to check a message's values against it
  /// (`check_content`); null when the directory knows only the status.
  std::shared_ptr<const prepared_template> definition{};
};

/// Where the desk looks templates up.
class CHATDESK_API template_directory {
 public:
  template_directory() = default;
  template_directory(const template_directory&) = delete;
  template_directory& operator=(const template_directory&) = delete;
  virtual ~template_directory() = default;
  /// The template `name` in `language` of `business_id`, or nullopt if unknown.
  [[nodiscard]] virtual std::optional<template_info> find(std::string_view business_id, std::string_view name,
                                                          std::string_view language) const = 0;
  /// The languages `name` exists in for `business_id`, to say which exist
  /// when a send asks for another (empty: the directory cannot say).
  [[nodiscard]] virtual std::vector<std::string> languages(std::string_view business_id,
                                                           std::string_view name) const {
    (void)business_id;
    (void)name;
    return {};
  }
};

}  // namespace chatdesk
