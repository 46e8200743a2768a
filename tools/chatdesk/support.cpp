// chatdesk support report: live support's figures over a period of days, read
// from the store a support desk kept (a SQLite file or a PostgreSQL
// database), as JSON or CSV (chatdesk/support/report.hpp, docs/support.md).
#include <memory>
#include <ostream>
#include <string>

#include "chatdesk/support/report.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

command add_support_command(CLI::App& app) {
  struct options {
    store_choice store;
    std::string business;
    report_choice period;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("support", "Live support's reports (docs/support.md)");
  sub->require_subcommand(1);
  auto* report = sub->add_subcommand(
      "report", "Response and resolution times, SLA hit rate, work per agent and team, CSAT over a period");
  add_store_options(*report, o->store, "the support desk");
  report->add_option("--business", o->business, "The business")->required();
  add_report_options(*report, o->period, false);
  return [o](std::ostream& out, std::ostream& err) {
    auto st = open_store(o->store);
    if (!st) return report_error(err, "support report", st.error());
    const auto days = report_days(o->period, "support.invalid_period");
    if (!days) return report_error(err, "support report", days.error());
    const auto r = make_support_report(**st, o->business, days->first, days->last);
    if (!r) return report_error(err, "support report", r.error());
    if (o->period.format == "csv")
      out << to_csv(*r);
    else
      out << to_output(to_json(*r), 2) << '\n';
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
