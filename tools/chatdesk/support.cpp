// chatdesk support report: live support's figures over a period of days, read
// from the store a support desk kept (a SQLite file or a PostgreSQL
// database), as JSON or CSV (chatdesk/support/report.hpp, docs/support.md).
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "chatdesk/store/postgres_store.hpp"
#include "chatdesk/store/sqlite_store.hpp"
#include "chatdesk/support/report.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

command add_support_command(CLI::App& app) {
  struct options {
    std::string file;
    std::string postgres;
    std::string business;
    std::string from;
    std::string to;
    std::string format = "json";
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("support", "Live support's reports (docs/support.md)");
  sub->require_subcommand(1);
  auto* report = sub->add_subcommand(
      "report", "Response and resolution times, SLA hit rate, work per agent and team, CSAT over a period");
  auto* file = report->add_option("--store", o->file, "The SQLite file the support desk keeps its state in");
  auto* pg = report->add_option("--postgres", o->postgres, "Or a PostgreSQL connection string (libpq's)");
  file->excludes(pg);
  report->add_option("--business", o->business, "The business")->required();
  report->add_option("--from", o->from, "The first day, YYYY-MM-DD in the business's time zone")->required();
  report->add_option("--to", o->to, "The last day (default: the first)");
  report->add_option("--format", o->format, "json or csv")->check(CLI::IsMember({"json", "csv"}));
  return [o](std::ostream& out, std::ostream& err) {
    std::unique_ptr<store> st;
    if (!o->file.empty()) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(o->file, ec)) {
        err << "chatdesk support report: '" << o->file << "' is not a file\n";
        return exit_bad_input;
      }
      auto opened = sqlite_store::open(o->file);
      if (!opened) {
        err << "chatdesk support report: " << opened.error().message << '\n';
        return exit_bad_input;
      }
      st = std::move(*opened);
    } else if (!o->postgres.empty()) {
      auto opened = postgres_store::open(o->postgres);
      if (!opened) {
        err << "chatdesk support report: " << opened.error().message << '\n';
        return exit_bad_input;
      }
      st = std::move(*opened);
    } else {
      err << "chatdesk support report: name the store with --store FILE or --postgres CONNINFO\n";
      return exit_bad_input;
    }
    const auto r = make_support_report(*st, o->business, o->from, o->to.empty() ? o->from : o->to);
    if (!r) {
      err << "chatdesk support report: " << r.error().message;
      if (!r.error().where.empty()) err << " (at " << r.error().where << ')';
      err << '\n';
      return r.error().code.rfind("store.", 0) == 0 && r.error().code != "store.corrupt" ? exit_failure
                                                                                         : exit_bad_input;
    }
    if (o->format == "csv")
      out << to_csv(*r);
    else
      out << to_output(to_json(*r), 2) << '\n';
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
