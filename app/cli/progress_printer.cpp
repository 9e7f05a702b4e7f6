#include "app/cli/progress_printer.h"

#include <unistd.h>

#include <cstdio>

#include "core/common/units.h"

namespace srs::cli {

ProgressPrinter::ProgressPrinter() : tty_(::isatty(STDERR_FILENO) == 1) {}

void ProgressPrinter::line(const std::string& text) {
    clear();
    std::fprintf(stderr, "%s\n", text.c_str());
}

void ProgressPrinter::status(const std::string& text, std::int64_t elapsed_ms, bool force) {
    if (!tty_ && !force && elapsed_ms - last_status_ms_ < 2000) return;
    last_status_ms_ = elapsed_ms;
    if (tty_) {
        std::fprintf(stderr, "\r%s\033[K", text.c_str());
        line_open_ = true;
    } else {
        std::fprintf(stderr, "%s\n", text.c_str());
    }
    std::fflush(stderr);
}

void ProgressPrinter::clear() {
    if (line_open_) std::fprintf(stderr, "\r\033[K");
    line_open_ = false;
}

bool ProgressPrinter::justFinished(std::size_t index, std::size_t count, bool finished) {
    if (finished_.size() != count) finished_.assign(count, false);
    bool was = finished_[index];
    finished_[index] = finished;
    return finished && !was;
}

std::string transferSummary(std::uint64_t done_bytes, std::uint64_t total_bytes, double bytes_per_s, std::int64_t eta_ms,
                            int files_done, int files_total) {
    return units::formatBytes(done_bytes) + " / " + units::formatBytes(total_bytes) + "  " +
           units::formatBytes(static_cast<std::uint64_t>(bytes_per_s)) + "/s  ETA " +
           (eta_ms < 0 ? std::string("?") : units::formatDuration(eta_ms)) + "  (" + std::to_string(files_done) + "/" +
           std::to_string(files_total) + " files)";
}

std::string padRight(const std::string& text, std::size_t width) {
    return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

}  // namespace srs::cli
