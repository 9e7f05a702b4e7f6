// One comparison on the Compare page, run off the GUI thread: the same prompt through the original
// and each chosen export, side by side — the models generate in turns, one token each, so every
// column grows as its tokens come — then, for each export, where its token differs from the
// original's top choice after the same prefix (the original reads the export's text, teacher
// forced). Everything reaches the GUI as queued signals of plain data; cancel() stops at the next
// token. Column 0 is the reference (the original); its own tokens are never marked.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <thread>

#include "core/common/cancel.h"
#include "core/eval/generate.h"
#include "ui/text_model.h"

namespace srs::ui {

struct CompareRequest {
    QStringList models;  // model paths; the first is the reference
    QString prompt;
    eval::GenerateOptions options;
};

class CompareSession : public QObject {
    Q_OBJECT
public:
    explicit CompareSession(TextModelOpener opener, QObject* parent = nullptr);
    ~CompareSession() override;  // cancels and joins

    bool running() const { return running_; }
    bool start(const CompareRequest& request);  // false while one is running
    void cancel();

signals:
    // A column's model is loaded (or could not be: the column shows why; the others go on).
    void modelReady(int column, bool has_chat_template);
    void modelFailed(int column, const QString& message, const QString& hint);
    void promptDone(int column, int prompt_tokens, double prompt_ms);
    void token(int column, int index, int id, const QString& text, double elapsed_ms);
    void columnStopped(int column, const QString& stop_reason, int tokens, double tokens_per_s);
    // Indices of the column's generated tokens that are not the original's top choice after the
    // same prefix; sent once per export column after generation (not when cancelled).
    void differences(int column, const QVector<int>& indices);
    void finished(bool cancelled);

private:
    void run(const CompareRequest& request);

    TextModelOpener opener_;
    CancelToken cancel_;
    std::thread worker_;
    bool running_ = false;
};

}  // namespace srs::ui
