// chatdesk attribution report: conversations, answers within the window and
// paid orders per link and ad over a period, from a store a desk kept
// (chatdesk/attribution/attribution.hpp, docs/attribution.md).
#include <memory>
#include <ostream>
#include <string>

#include "chatdesk/attribution/attribution.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

command add_attribution_command(CLI::App& app) {
  struct options {
    store_choice store;
    std::string business;
    report_choice period;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("attribution", "Which links and ads brought conversations and paid orders");
  sub->require_subcommand(1);
  auto* report =
      sub->add_subcommand("report", "Conversations, answers within the window and paid orders per source");
  add_store_options(*report, o->store, "the desk");
  report->add_option("--business", o->business, "The business")->required();
  add_report_options(*report, o->period, true);
  return [o](std::ostream& out, std::ostream& err) -> int {
    const std::string name = "attribution report";
    auto st = open_store(o->store);
    if (!st) return report_error(err, name, st.error());
    auto zone = time_zone::locate(o->period.zone);
    if (!zone) return report_error(err, name, zone.error());
    const auto days = report_days(o->period, "attribution.invalid_period");
    if (!days) return report_error(err, name, days.error());
    system_clock wall;
    order_book orders(wall, **st);
    const auto [from, to] = report_period(*days, *zone);
    auto r = make_attribution_report(**st, o->business, from, to, &orders);
    if (!r) return report_error(err, name, r.error());
    out << (o->period.format == "csv" ? to_csv(*r) : to_json(*r));
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
