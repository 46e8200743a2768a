// Options several subcommands share: the store they read (--store FILE for
// SQLite or --postgres CONNINFO) and a report's period and format.
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "chatdesk/store/postgres_store.hpp"
#include "chatdesk/store/sqlite_store.hpp"
#include "commands.hpp"

namespace chatdesk::cli {

void add_store_options(CLI::App& sub, store_choice& choice, const std::string& what) {
  auto* file = sub.add_option("--store", choice.file, "The SQLite file " + what + " keeps its state in");
  auto* pg = sub.add_option("--postgres", choice.postgres, "Or a PostgreSQL connection string (libpq's)");
  file->excludes(pg);
}

result<std::unique_ptr<store>> open_store(const store_choice& choice) {
  if (!choice.file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(choice.file, ec))
      return make_error("cli.usage", fmt::format("'{}' is not a file", choice.file));
    auto opened = sqlite_store::open(choice.file);
    if (!opened) return opened.error();
    return std::unique_ptr<store>(std::move(*opened));
  }
  if (!choice.postgres.empty()) {
    auto opened = postgres_store::open(choice.postgres);
    if (!opened) return opened.error();
    return std::unique_ptr<store>(std::move(*opened));
  }
  return make_error("cli.usage", "name the store with --store FILE or --postgres CONNINFO");
}

void add_report_options(CLI::App& report, report_choice& choice, bool with_zone) {
  report
      .add_option(
          "--from", choice.from,
          with_zone ? "The first day, YYYY-MM-DD" : "The first day, YYYY-MM-DD in the business's time zone")
      ->required();
  report.add_option("--to", choice.to, "The last day (default: the first)");
  if (with_zone)
    report.add_option("--zone", choice.zone, "The time zone of the days (IANA name; default UTC)");
  report.add_option("--format", choice.format, "json or csv")->check(CLI::IsMember({"json", "csv"}));
}

result<day_span> report_days(const report_choice& choice, std::string_view code) {
  return parse_report_days(choice.from, choice.to.empty() ? choice.from : choice.to, code);
}

int report_error(std::ostream& err, std::string_view name, const error& e) {
  err << "chatdesk " << name << ": " << e.message;
  if (!e.where.empty() && e.message.find(e.where) == std::string::npos) err << " (at " << e.where << ')';
  err << '\n';
  return e.code.rfind("store.", 0) == 0 && e.code != "store.corrupt" ? exit_failure : exit_bad_input;
}

}  // namespace chatdesk::cli
