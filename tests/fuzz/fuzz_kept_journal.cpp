// Fuzzes the PostgreSQL store's journal events kept in messages' rows
// (src/store/kept_journal.hpp), which it reads from a database that may be
// damaged. Input: an event as a row holds it. Properties, for an inbound and
// two outbound rows: no crash; an event either cannot be read or gives a
// line the desk reads; and the event the store would write for that line
// reads back as the same line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chatdesk/core/clock.hpp"
#include "engine/journal.hpp"
#include "store/kept_journal.hpp"

namespace {

std::vector<chatdesk::message_record> rows() {
  using namespace chatdesk;
  const auto customer = phone_number::parse("+393331234567").value();
  const timestamp at{std::chrono::milliseconds{1'772'442'000'000}};
  message_record in;
  in.id = "wamid.in.1";
  in.key = {"n1", customer};
  in.direction = direction::inbound;
  in.type = "text";
  in.at = at;
  message_record out = in;
  out.id = "wamid.out.c1";
  out.correlation_id = "c1";
  out.direction = direction::outbound;
  message_record promo = out;
  promo.id = "wamid.out.c2";
  promo.correlation_id = "c2";
  promo.type = "template";
  promo.category = template_category::marketing;
  promo.charge = charge_reason::category_conversation_open;
  return {in, out, promo};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace kept = chatdesk::detail::kept_journal;
  static const auto all = rows();
  const std::string_view event(reinterpret_cast<const char*>(data), size);
  for (const auto& row : all) {
    const auto line = kept::entry_of(row, event);
    if (!line) continue;
    const auto read = chatdesk::detail::read_journal_entry(row.at, *line);
    if (!read) __builtin_trap();  // the desk could not read what the store hands on
    std::optional<std::string> again;
    if (std::holds_alternative<chatdesk::message>(*read)) {
      again = kept::received_event(row, *line);
    } else {
      again = kept::status_event(std::get<chatdesk::detail::journal_status_change>(*read).record, *line);
    }
    if (!again) __builtin_trap();  // the store would keep the line in the journal's table instead
    const auto back = kept::entry_of(row, "1" + *again);
    if (!back || *back != *line) __builtin_trap();
  }
  return 0;
}
