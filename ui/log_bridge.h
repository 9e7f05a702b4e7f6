// Carries core log lines (from any thread) to the GUI thread as a queued signal.
#pragma once

#include <QObject>
#include <QString>

namespace srs::ui {

class LogBridge : public QObject {
    Q_OBJECT
public:
    explicit LogBridge(QObject* parent = nullptr);
    ~LogBridge() override;

signals:
    void lineLogged(int level, const QString& line);

private:
    int sink_id_ = 0;
};

}  // namespace srs::ui
