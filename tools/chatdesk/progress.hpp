// Progress of a long run on a terminal: lines read, the rate and the time
// elapsed, on one line of stderr rewritten in place at most twice a second.
// Silent when stderr is not a terminal, or with --quiet, so output that goes
// to files or pipes stays clean.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <ostream>

#include <fmt/format.h>

namespace chatdesk::cli {

class progress_meter {
 public:
  progress_meter(std::ostream& err, bool quiet)
      : err_(err), on_(!quiet && isatty(STDERR_FILENO) == 1), start_(clock::now()), last_(start_) {}
  progress_meter(const progress_meter&) = delete;
  progress_meter& operator=(const progress_meter&) = delete;
  ~progress_meter() { finish(); }

  /// `lines` read so far; cheap enough to call for every line.
  void update(std::size_t lines) {
    if (!on_ || (lines & 0xFFFU) != 0) return;  // look at the clock every 4,096 lines
    const auto now = clock::now();
    if (now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    show(lines, now);
  }
  /// Clears the progress line (once).
  void finish() {
    if (!on_ || !shown_) return;
    err_ << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  using clock = std::chrono::steady_clock;
  void show(std::size_t lines, clock::time_point now) {
    const double seconds = std::chrono::duration<double>(now - start_).count();
    err_ << fmt::format("\r\033[K{} lines, {:.0f} lines/s, {:.1f} s", lines,
                        seconds > 0 ? static_cast<double>(lines) / seconds : 0.0, seconds)
         << std::flush;
    shown_ = true;
  }
  std::ostream& err_;
  bool on_;
  bool shown_ = false;
  clock::time_point start_;
  clock::time_point last_;
};

}  // namespace chatdesk::cli
