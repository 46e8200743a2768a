/// @file
/// How allowed sends leave the library: the application's `transport`.
/// chatdesk never opens a socket; the application's HTTP client, queue or
/// test double does.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/export.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/message.hpp"

namespace chatdesk {

/// One message the desk has allowed, for the transport to deliver.
struct CHATDESK_API outbound_message {
  const chatdesk::business& business;
  const business_number& number;
  const chatdesk::message& message;  ///< correlation_id set, id empty
};

/// A read receipt for a customer's message, optionally with a typing
/// indicator (shown until the business replies, or for about 25 seconds).
struct CHATDESK_API read_receipt {
  const chatdesk::business& business;
  const business_number& number;
  const phone_number& customer;
  std::string_view message_id;  ///< the customer's message (platform id)
  bool typing = false;          ///< also show the customer that a reply is being typed
};

/// The transport's answer to one message.
struct CHATDESK_API transport_answer {
  enum class kind : std::uint8_t {
    accepted,  ///< the platform took it: `message_id` is its id
    failed,    ///< the platform refused it: `error` says why
    pending,   ///< no answer yet: the application calls desk::transport_answered later
  };
  kind outcome = kind::pending;
  std::string message_id;
  std::optional<status_error> error;

  [[nodiscard]] static transport_answer accepted(std::string id) {
    return {kind::accepted, std::move(id), {}};
  }
  [[nodiscard]] static transport_answer failed(status_error e) { return {kind::failed, {}, std::move(e)}; }
  [[nodiscard]] static transport_answer pending() { return {}; }
};

/// The application's way out. Called without any desk lock held; may be called
/// from several threads at once if the desk is.
class CHATDESK_API transport {
 public:
  transport() = default;
  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;
  virtual ~transport() = default;

  /// Hands one message to the platform.
  virtual transport_answer deliver(const outbound_message& message) = 0;

  /// Tells the platform that a customer's message was read, and with
  /// `receipt.typing` that a reply is being typed. The default refuses
  /// (`transport.unsupported`): a transport that can post receipts overrides it.
  virtual result<void> mark_read(const read_receipt& receipt);
};

/// A transport made of a callable.
class CHATDESK_API function_transport final : public transport {
 public:
  explicit function_transport(std::function<transport_answer(const outbound_message&)> fn)
      : fn_(std::move(fn)) {}
  transport_answer deliver(const outbound_message& message) override { return fn_(message); }

 private:
  std::function<transport_answer(const outbound_message&)> fn_;
};

}  // namespace chatdesk
