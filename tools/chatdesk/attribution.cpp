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
    std::string from;
    std::string to;
    std::string zone = "UTC";
    std::string format = "json";
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("attribution", "Which links and ads brought conversations and paid orders");
  sub->require_subcommand(1);
  auto* report =
      sub->add_subcommand("report", "Conversations, answers within the window and paid orders per source");
  add_store_options(*report, o->store, "the desk");
  report->add_option("--business", o->business, "The business")->required();
  report->add_option("--from", o->from, "The first day, YYYY-MM-DD")->required();
  report->add_option("--to", o->to, "The last day (default: the first)");
  report->add_option("--zone", o->zone, "The time zone of the days (IANA name; default UTC)");
  report->add_option("--format", o->format, "json or csv")->check(CLI::IsMember({"json", "csv"}));
  return [o](std::ostream& out, std::ostream& err) -> int {
    const std::string name = "attribution report";
    auto st = open_store(o->store);
    if (!st) return report_error(err, name, st.error());
    auto zone = time_zone::locate(o->zone);
    if (!zone) return report_error(err, name, zone.error());
    const auto first = parse_date(o->from);
    const auto last = parse_date(o->to.empty() ? o->from : o->to);
    if (!first || !last || date::sys_days(*last) < date::sys_days(*first))
      return report_error(
          err, name,
          make_error("attribution.invalid_period", "days are written YYYY-MM-DD, the first first"));
    system_clock wall;
    order_book orders(wall, **st);
    const auto next = date::year_month_day{date::sys_days(*last) + date::days(1)};
    auto r = make_attribution_report(**st, o->business, zone->start_of_day(*first), zone->start_of_day(next),
                                     &orders);
    if (!r) return report_error(err, name, r.error());
    out << (o->format == "csv" ? to_csv(*r) : to_json(*r));
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
