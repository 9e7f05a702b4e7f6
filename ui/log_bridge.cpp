#include "ui/log_bridge.h"

#include <QMetaObject>

#include "core/common/log.h"

namespace srs::ui {

LogBridge::LogBridge(QObject* parent) : QObject(parent) {
    sink_id_ = srs::log::addSink([this](srs::log::Level level, const std::string& message) {
        QString line = QString::fromStdString(message);
        int lvl = static_cast<int>(level);
        QMetaObject::invokeMethod(this, [this, lvl, line] { emit lineLogged(lvl, line); }, Qt::QueuedConnection);
        if (level >= srs::log::Level::Warning) std::fprintf(stderr, "[%s] %s\n", srs::log::levelName(level), message.c_str());
    });
}

LogBridge::~LogBridge() { srs::log::removeSink(sink_id_); }

}  // namespace srs::ui
