// The desk's journal entries (internal): what a step did, as the store keeps
// it in the step's transaction, and read back to replay to an observer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chatdesk/engine/store.hpp"
#include "chatdesk/model/message.hpp"

namespace chatdesk::detail {

/// A customer's message was received: its ids, time, type and whether it came
/// from a referral (no content: the journal is for rebuilding state, and
/// content may be kept only in the transcript).
[[nodiscard]] std::string journal_received(const message& m);
/// An outbound message's status moved from `from` to `record.status` (an
/// error keeps its code only).
[[nodiscard]] std::string journal_status(const message_record& record, message_status from);

struct journal_status_change {
  message_record record;
  message_status from = message_status::accepted;
};
using journal_event = std::variant<message, journal_status_change>;

/// Reads an entry kept at `at` (the time the store kept beside it); nullopt
/// when it is not one the desk wrote.
[[nodiscard]] std::optional<journal_event> read_journal_entry(timestamp at, std::string_view data);

}  // namespace chatdesk::detail
