// Progress of a long transfer on stderr, for every command that moves files: permanent lines (a
// file finished, a phase began) and one status line that is rewritten in place on a terminal and
// otherwise printed at most every 2 s (logs, CI, the GUI's process runner), plus when forced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace srs::cli {

class ProgressPrinter {
public:
    ProgressPrinter();

    // A permanent line (the open status line is cleared first).
    void line(const std::string& text);
    // The status line at elapsed_ms since the start; off a terminal it is skipped when the last
    // one is under 2 s old, unless force.
    void status(const std::string& text, std::int64_t elapsed_ms, bool force = false);
    // Clears an open status line (before other output, and at the end).
    void clear();

    // For "file finished" lines: true when file `index` of `count` is finished now and was not
    // at the previous call (a new count starts every file as unfinished).
    bool justFinished(std::size_t index, std::size_t count, bool finished);

private:
    bool tty_;
    bool line_open_ = false;
    std::int64_t last_status_ms_ = -1000000;
    std::vector<bool> finished_;
};

// "1.2 GB / 3.4 GB  56.7 MB/s  ETA 1m 2s  (3/7 files)"
std::string transferSummary(std::uint64_t done_bytes, std::uint64_t total_bytes, double bytes_per_s, std::int64_t eta_ms,
                            int files_done, int files_total);
// text, padded with spaces to width characters.
std::string padRight(const std::string& text, std::size_t width);

}  // namespace srs::cli
