/// @file
/// The customer side: who they are to a business, and what they agreed to.
#pragma once

#include <optional>
#include <string>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/core/phone_number.hpp"

namespace chatdesk {

/// A customer's consent to business-initiated messages. The latest of the
/// two times wins: opting in after opting out restores consent.
struct CHATDESK_API consent {
  std::optional<timestamp> opted_in_at;
  std::string opt_in_source;  ///< "web form", "keyword", "checkout" ...
  std::optional<timestamp> opted_out_at;

  /// True when the customer opted out and has not opted in since.
  [[nodiscard]] bool opted_out() const noexcept {
    return opted_out_at.has_value() && (!opted_in_at.has_value() || *opted_out_at >= *opted_in_at);
  }
  /// True when the customer opted in and has not opted out since.
  [[nodiscard]] bool opted_in() const noexcept {
    return opted_in_at.has_value() && (!opted_out_at.has_value() || *opted_in_at > *opted_out_at);
  }
  friend bool operator==(const consent&, const consent&) = default;
};

/// A customer as one business knows them.
struct CHATDESK_API customer {
  phone_number number;
  std::string profile_name;  ///< as the platform reports it
  std::string market;        ///< pricing market of the number
  chatdesk::consent consent;
  bool blocked = false;  ///< the business blocked this customer
};

}  // namespace chatdesk
