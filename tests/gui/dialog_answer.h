// Answers the next modal dialog the code under test opens (a QMessageBox's exec() blocks the
// test until then): polls for the active modal widget and clicks the named button in it —
// a QPushButton objectName, or a QMessageBox standard button. Header-only, for the GUI tests.
#pragma once

#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>

namespace srs::test {

// *seen gets the dialog's text (title, text and informative text) when it was answered.
inline void answerNextDialog(const QString& button_name, QString* seen = nullptr) {
    auto* timer = new QTimer(qApp);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, button_name, seen] {
        QWidget* modal = QApplication::activeModalWidget();
        if (!modal) return;
        auto* button = modal->findChild<QPushButton*>(button_name);
        if (!button) return;
        if (seen) {
            if (auto* box = qobject_cast<QMessageBox*>(modal)) *seen = box->windowTitle() + "\n" + box->text() + "\n" + box->informativeText();
        }
        timer->stop();
        timer->deleteLater();
        button->click();
    });
    timer->start();
}

inline void answerNextDialog(QMessageBox::StandardButton which, QString* seen = nullptr) {
    auto* timer = new QTimer(qApp);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, which, seen] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || !box->button(which)) return;
        if (seen) *seen = box->windowTitle() + "\n" + box->text() + "\n" + box->informativeText();
        timer->stop();
        timer->deleteLater();
        box->button(which)->click();
    });
    timer->start();
}

}  // namespace srs::test
