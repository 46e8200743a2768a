// Journal entries kept in a message's row (PostgreSQL's schema 4): the short
// event the store writes beside a row for one of the desk's entries, and the
// desk's entry rebuilt from an event and its row. Internal: shared by the
// PostgreSQL store and its fuzz target (tests/fuzz/fuzz_kept_journal.cpp).
// The events' format is described at CHATDESK_KEPT_ENTRIES
// (postgres_statements.hpp).
#pragma once

#include <charconv>
#include <chrono>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "../engine/journal.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/model/message.hpp"

namespace chatdesk::detail::kept_journal {

/// The message an R entry about `record` tells of.
inline message received_of(const message_record& record, bool from_referral) {
  message m;
  m.direction = direction::inbound;
  m.at = record.at;
  m.id = record.id;
  m.business_number_id = record.key.business_number_id;
  m.customer = record.key.customer;
  m.content = unsupported_content{record.type, {}};
  if (from_referral) m.referral = chatdesk::referral{};
  return m;
}

/// The event kept in the row for the entry a receive of `record` journals,
/// when the entry is rebuilt from it exactly; nullopt otherwise.
inline std::optional<std::string> received_event(const message_record& record, std::string_view entry) {
  const bool referral = entry.ends_with('1');  // the entry's last field
  if (journal_received(received_of(record, referral)) != entry) return std::nullopt;
  return referral ? std::string(",R,1") : std::string(",R,0");
}

/// The record as a status event left it: `row` with the event's status, time,
/// error code and (when the event had none yet) no platform id.
inline message_record changed_record(message_record row, message_status status, std::int64_t after_ms,
                                     std::optional<int> code, bool had_id) {
  row.status = status;
  row.status_at = row.at + std::chrono::milliseconds(after_ms);
  row.error.reset();
  if (code) row.error = status_error{*code, {}, {}, {}};
  if (!had_id) row.id.clear();
  return row;
}

/// The event kept in the row for a status change of `record` journaled as
/// `entry`, when the entry is rebuilt from it exactly; nullopt otherwise.
inline std::optional<std::string> status_event(const message_record& record, std::string_view entry) {
  // The status it moved from is the entry's second field (S and s alike);
  // the rest is checked by rebuilding the entry.
  if (entry.size() < 4 || entry[1] != '\x1f' || entry[2] < '0' ||
      entry[2] > '0' + static_cast<int>(message_status::failed) || entry[3] != '\x1f')
    return std::nullopt;
  const auto from = static_cast<message_status>(entry[2] - '0');
  const auto after = (record.status_at - record.at).count();
  const std::optional<int> code = record.error ? std::optional<int>(record.error->code) : std::nullopt;
  const auto rebuilt = changed_record(record, record.status, after, code, !record.id.empty());
  if (journal_status(rebuilt, from) != entry) return std::nullopt;
  return fmt::format(",S,{},{},{},{},{}", static_cast<int>(from), static_cast<int>(record.status), after,
                     code ? std::to_string(*code) : std::string("-"), record.id.empty() ? 0 : 1);
}

/// The desk's entry an event kept in `row` stands for; nullopt when the
/// event cannot be read (the desk then refuses the entry by its number).
inline std::optional<std::string> entry_of(const message_record& row, std::string_view event) {
  std::vector<std::string_view> f;
  for (std::size_t start = 0;;) {
    const auto comma = event.find(',', start);
    f.push_back(
        event.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  const auto integer = [](std::string_view s) -> std::optional<std::int64_t> {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
  };
  const auto number = integer(f[0]);  // the SQL read it too; without one, the entry cannot be placed
  if (!number || *number <= 0 || f[0].size() > 18) return std::nullopt;
  if (f.size() == 3 && f[1] == "R" && (f[2] == "0" || f[2] == "1"))
    return journal_received(received_of(row, f[2] == "1"));
  if (f.size() != 7 || f[1] != "S" || (f[6] != "0" && f[6] != "1")) return std::nullopt;
  const auto from = integer(f[2]);
  const auto status = integer(f[3]);
  const auto after = integer(f[4]);
  const auto last = static_cast<std::int64_t>(message_status::failed);
  constexpr std::int64_t far = 1'000'000'000'000'000;  // ms: 31,000 years either way (as the SQL reads it)
  if (!from || !status || !after || *from < 0 || *from > last || *status < 0 || *status > last ||
      *after < -far || *after > far)
    return std::nullopt;
  std::optional<int> code;
  if (f[5] != "-") {
    const auto c = integer(f[5]);
    if (!c || *c < INT_MIN || *c > INT_MAX) return std::nullopt;
    code = static_cast<int>(*c);
  }
  return journal_status(changed_record(row, static_cast<message_status>(*status), *after, code, f[6] == "1"),
                        static_cast<message_status>(*from));
}

}  // namespace chatdesk::detail::kept_journal
