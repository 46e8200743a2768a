/// @file
/// A business's template library: several languages of one template, lookup
/// with a documented fallback, and status changes driven by quality.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/model/windows.hpp"
#include "chatdesk/templates/definition.hpp"
#include "chatdesk/templates/directory.hpp"

namespace chatdesk {

/// Templates of many businesses, safe to share between threads. It is the
/// desk's `template_directory`: a template the desk asks for is looked up by
/// its exact language, with its status at the clock's time.
///
/// Quality: each time a template's quality becomes RED it is paused, for 3
/// hours the first time and 6 hours the second; the third time it is
/// disabled. A pause ends by itself when its time is up.
class CHATDESK_API template_library final : public template_directory {
 public:
  explicit template_library(const chatdesk::clock& clock);
  ~template_library() override;
  template_library(const template_library&) = delete;
  template_library& operator=(const template_library&) = delete;

  /// Adds or replaces a definition for `business_id`. A definition with
  /// problems is refused with the first (`template.invalid_definition`);
  /// `validate` lists them all.
  result<void> add(std::string_view business_id, template_definition def);

  /// What a lookup found.
  struct match {
    template_definition definition;  ///< a copy, with the status in force now
    bool fallback = false;           ///< another language than the one asked for
  };

  /// The template `name` for `language`, falling back when that language is
  /// missing: first the bare language ("en_GB" -> "en"), then the other
  /// variants of the same language in alphabetical order ("en" -> "en_GB",
  /// "en_US"). Nothing else: Italian never stands in for English.
  /// Error `template.not_found`, listing the languages there are.
  [[nodiscard]] result<match> lookup(std::string_view business_id, std::string_view name,
                                     std::string_view language) const;
  /// The languages `name` exists in.
  [[nodiscard]] std::vector<std::string> languages(std::string_view business_id,
                                                   std::string_view name) const override;

  /// The names of `business_id`'s templates approved now in `language` or its
  /// base language ("it" for "it_IT", and the other way), in name order: what
  /// may be sent instead of a free-form reply once the service window closed.
  [[nodiscard]] std::vector<std::string> approved_in(std::string_view business_id,
                                                     std::string_view language) const;

  /// Records a quality rating; RED pauses or disables as described above.
  /// Returns the status now. Error `template.not_found`.
  result<template_status> set_quality(std::string_view business_id, std::string_view name,
                                      std::string_view language, quality_rating quality);
  /// Records a status the platform reported (review outcomes, appeals ...).
  result<void> set_status(std::string_view business_id, std::string_view name, std::string_view language,
                          template_status status, std::string reason);

  /// Records a new category the platform gave the template (it may move a
  /// utility template to marketing, which changes its price). Error `template.not_found`.
  result<void> set_category(std::string_view business_id, std::string_view name, std::string_view language,
                            template_category category);

  /// template_directory: the exact language, with the status in force now.
  [[nodiscard]] std::optional<template_info> find(std::string_view business_id, std::string_view name,
                                                  std::string_view language) const override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chatdesk
