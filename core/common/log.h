// Logging for core, the CLI and the GUI. Thread-safe; any number of sinks (stderr for the CLI,
// the log view in the GUI). Never log secrets: tokens are redacted by callers before logging.
#pragma once

#include <functional>
#include <sstream>
#include <string>

namespace srs::log {

enum class Level { Debug = 0, Info, Warning, Error };

const char* levelName(Level level);

using Sink = std::function<void(Level level, const std::string& message)>;

// Returns an id for removeSink. Sinks are called under a lock, in the logging thread.
int addSink(Sink sink);
void removeSink(int id);
void setMinLevel(Level level);
Level minLevel();
// With no sinks installed, messages at or above minLevel() go to stderr.
void write(Level level, const std::string& message);

inline void debug(const std::string& m) { write(Level::Debug, m); }
inline void info(const std::string& m) { write(Level::Info, m); }
inline void warn(const std::string& m) { write(Level::Warning, m); }
inline void error(const std::string& m) { write(Level::Error, m); }

}  // namespace srs::log
