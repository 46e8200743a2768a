// chatdesk simulate SCRIPT.jsonl: replays timed events through a desk with a
// manual clock and prints one JSON line per decision or event. The format and
// the replay are the library's (chatdesk/engine/script.hpp with live support's
// lines from chatdesk/support/script.hpp, docs/simulate.md).
// With --store FILE the desk's state lives in a SQLite file across runs.
#include <memory>
#include <ostream>
#include <string>

#include "chatdesk/attribution/attribution.hpp"
#include "chatdesk/core/input.hpp"
#include "chatdesk/store/sqlite_store.hpp"
#include "chatdesk/support/script.hpp"
#include "commands.hpp"
#include "progress.hpp"

namespace chatdesk::cli {

command add_simulate_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto store_file = std::make_shared<std::string>();
  auto* sub =
      app.add_subcommand("simulate", "Replay a script of timed events through the engine (docs/simulate.md)");
  sub->add_option("SCRIPT", *file, "JSON Lines: one event per line, in time order")->required();
  sub->add_flag("--quiet", *quiet, "No progress line on a terminal");
  sub->add_option("--store", *store_file,
                  "Keep the desk's state in this SQLite file (created if missing), so a later run carries on "
                  "from it; without it, state lasts for this run only");
  return [file, quiet, store_file](std::ostream& out, std::ostream& err) {
    auto in = open_file(*file);
    if (!in) {
      err << "chatdesk simulate: " << in.error().message << '\n';
      return exit_bad_input;
    }
    std::unique_ptr<sqlite_store> state;
    if (!store_file->empty()) {
      auto opened = sqlite_store::open(*store_file);
      if (!opened) {
        err << "chatdesk simulate: " << opened.error().message << '\n';
        return exit_bad_input;
      }
      state = std::move(*opened);
    }
    const auto print = [&out](std::string_view line) { out << line << '\n'; };
    std::unique_ptr<support_replay> replay_ptr =
        state ? std::make_unique<support_replay>(print, *state) : std::make_unique<support_replay>(print);
    auto& replay = *replay_ptr;
    // With a store, which link or ad brought each conversation is kept too
    // (`chatdesk attribution report` reads it).
    std::unique_ptr<attribution_tracker> tracker;
    if (state) tracker = std::make_unique<attribution_tracker>(replay.engine().replay_desk(), *state);
    line_reader lines(*in, input_limits::line, "'" + *file + "'");
    progress_meter meter(err, *quiet);
    while (auto next = lines.next()) {
      meter.update(lines.line_number());
      // A line too long to read is a problem like any other.
      if (!*next)
        (void)replay.reject_line(lines.line_number(), next->error());
      else
        (void)replay.apply_line(**next, lines.line_number());
    }
    meter.finish();
    if (lines.failure()) {
      err << "chatdesk simulate: " << lines.failure()->message << '\n';
      return exit_bad_input;
    }
    if (replay.problems() > 0) {
      err << "chatdesk simulate: " << replay.problems() << " line(s) of '" << *file
          << "' were skipped (see \"problem\" lines)\n";
      return exit_bad_input;
    }
    return exit_ok;
  };
}

}  // namespace chatdesk::cli
