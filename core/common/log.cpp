#include "core/common/log.h"

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>

namespace srs::log {
namespace {
std::mutex g_mutex;
std::map<int, Sink> g_sinks;
int g_next_id = 1;
std::atomic<int> g_min_level{static_cast<int>(Level::Info)};
}  // namespace

const char* levelName(Level level) {
    switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warning: return "warning";
    case Level::Error: return "error";
    }
    return "?";
}

int addSink(Sink sink) {
    std::lock_guard<std::mutex> lock(g_mutex);
    int id = g_next_id++;
    g_sinks[id] = std::move(sink);
    return id;
}

void removeSink(int id) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_sinks.erase(id);
}

void setMinLevel(Level level) { g_min_level = static_cast<int>(level); }
Level minLevel() { return static_cast<Level>(g_min_level.load()); }

void write(Level level, const std::string& message) {
    if (static_cast<int>(level) < g_min_level.load()) return;
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_sinks.empty()) {
        std::fprintf(stderr, "[%s] %s\n", levelName(level), message.c_str());
        return;
    }
    for (auto& [id, sink] : g_sinks) sink(level, message);
}

}  // namespace srs::log
