// The chatdesk program's subcommands: each file adds one to the CLI11 app and
// returns what to run when it is chosen. Each is a thin shell over the library.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "chatdesk/core/error.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/engine/store.hpp"

namespace chatdesk::cli {

/// Exit statuses: 0 success, 1 an internal failure, 2 bad input or usage.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_bad_input = 2;

/// JSON for output. Text that came from input and is not valid UTF-8 is
/// replaced (U+FFFD) rather than thrown on: a writer never fails on input.
template <class Json>
std::string to_output(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

/// The store a subcommand reads: a SQLite file or a PostgreSQL database.
struct store_choice {
  std::string file;
  std::string postgres;
};
/// Adds --store FILE and --postgres CONNINFO to `sub` (`what` keeps its state there).
void add_store_options(CLI::App& sub, store_choice& choice, const std::string& what);
/// Opens the store chosen; `cli.usage` when none is, or the file is missing.
[[nodiscard]] result<std::unique_ptr<store>> open_store(const store_choice& choice);
/// A report's period and output: --from DAY [--to DAY] [--zone Z] [--format json|csv].
struct report_choice {
  std::string from;
  std::string to;  ///< empty: the first day
  std::string zone = "UTC";
  std::string format = "json";
};
/// Adds the report options to `report`; --zone only `with_zone` (a report
/// that reads its business's own zone has none).
void add_report_options(CLI::App& report, report_choice& choice, bool with_zone);
/// The days chosen, checked as a report's period (errors carry `code`).
[[nodiscard]] result<day_span> report_days(const report_choice& choice, std::string_view code);

/// Prints "chatdesk NAME: message (at where)" and returns the exit status:
/// 1 for a store that failed, 2 for anything the input caused.
int report_error(std::ostream& err, std::string_view name, const error& e);

/// What a subcommand runs, writing results to `out` and problems to `err`.
using command = std::function<int(std::ostream& out, std::ostream& err)>;

/// `chatdesk phone NUMBER [--region CC]`
command add_phone_command(CLI::App& app);
/// `chatdesk simulate SCRIPT.jsonl`
command add_simulate_command(CLI::App& app);
/// `chatdesk template validate|render|catalog`
command add_template_command(CLI::App& app);
/// `chatdesk price --rates CARD.json ... EVENTS.jsonl`
command add_price_command(CLI::App& app);
/// `chatdesk invoice merge A.json B.json ...`
command add_invoice_command(CLI::App& app);
/// `chatdesk forecast --rates CARD.json PLAN.json`
command add_forecast_command(CLI::App& app);
command add_webhook_command(CLI::App& app);
/// `chatdesk support report --store FILE --business B --from DAY [--to DAY] [--format csv]`
command add_support_command(CLI::App& app);
/// `chatdesk link NUMBER [--text T] [--ref R] [--qr svg] [--html]`
command add_link_command(CLI::App& app);
/// `chatdesk payments check|create|apply|update|report`
command add_payments_command(CLI::App& app);
/// `chatdesk attribution report --store FILE --business B --from DAY [--to DAY]`
command add_attribution_command(CLI::App& app);

}  // namespace chatdesk::cli
