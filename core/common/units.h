// Human-readable sizes, counts and durations for logs, the CLI and the GUI.
#pragma once

#include <cstdint>
#include <string>

namespace srs::units {

// 1536 -> "1.5 KiB"; binary prefixes, one decimal above bytes.
std::string formatBytes(std::uint64_t size_bytes);
// 260032 -> "260,032"
std::string formatCount(std::uint64_t count);
// 4.85e6 -> "4.85M", 1.2e9 -> "1.20B"
std::string formatParams(std::uint64_t count);
// 3725000 -> "1h 02m", 65000 -> "1m 05s", 1500 -> "1.5s"
std::string formatDuration(std::int64_t elapsed_ms);

}  // namespace srs::units
