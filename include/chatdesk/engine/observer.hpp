/// @file
/// Observers: how an application hears what happened in a desk.
#pragma once

#include <cstdint>
#include <string_view>

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/engine/conversation.hpp"
#include "chatdesk/engine/policy.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/model/message.hpp"

namespace chatdesk {

/// Receives the desk's events. Every method has an empty default, so an
/// observer overrides only what it needs. Called after the step that caused
/// the event has finished and released its locks, on the thread that ran it;
/// an observer may call back into the desk.
class CHATDESK_API observer {
 public:
  observer() = default;
  observer(const observer&) = delete;
  observer& operator=(const observer&) = delete;
  virtual ~observer() = default;

  /// A new (not duplicate) inbound message.
  virtual void message_received(const message& m) { (void)m; }
  /// The customer service window opened (it was closed) and now closes at `closes_at`.
  virtual void window_opened(const conversation_key& key, timestamp closes_at) {
    (void)key;
    (void)closes_at;
  }
  /// The window closes at `closes_at`, within the desk's closing notice (see desk::tick).
  virtual void window_closing(const conversation_key& key, timestamp closes_at) {
    (void)key;
    (void)closes_at;
  }
  /// The window closed at `closed_at` (see desk::tick).
  virtual void window_closed(const conversation_key& key, timestamp closed_at) {
    (void)key;
    (void)closed_at;
  }
  /// A free entry point window opened with the business's answer.
  virtual void entry_point_opened(const conversation_key& key, timestamp closes_at) {
    (void)key;
    (void)closes_at;
  }
  /// An outbound message's status moved from `from` to `record.status`.
  virtual void status_changed(const message_record& record, message_status from) {
    (void)record;
    (void)from;
  }
  /// A send was refused by a policy.
  virtual void send_refused(const send_intent& intent, const error& reason) {
    (void)intent;
    (void)reason;
  }
  /// A business has used `used` of its `limit` unique customers in 24 hours
  /// (reported when crossing the desk's threshold and on reaching the limit).
  virtual void limit_near(std::string_view business_id, std::uint32_t used, std::uint32_t limit) {
    (void)business_id;
    (void)used;
    (void)limit;
  }
  /// A business phone number has sent `used` of its `free` service messages
  /// this month (pmp_2026_10): reported when 90% are used and when all are.
  virtual void free_tier_near(std::string_view business_number_id, std::uint32_t used, std::uint32_t free) {
    (void)business_number_id;
    (void)used;
    (void)free;
  }
  /// A customer opted out or in (by keyword or by the application).
  virtual void consent_changed(std::string_view business_id, const phone_number& customer,
                               const consent& now) {
    (void)business_id;
    (void)customer;
    (void)now;
  }
};

}  // namespace chatdesk
