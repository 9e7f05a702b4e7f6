#include "ui/compare_session.h"

#include <QMetaObject>

#include <memory>

#include "core/common/numeric_cast.h"

namespace srs::ui {
namespace {

struct Column {
    std::unique_ptr<TextModel> model;  // null when it failed to load or start
    bool done = false;
};

}  // namespace

CompareSession::CompareSession(TextModelOpener opener, QObject* parent) : QObject(parent), opener_(std::move(opener)) {
    qRegisterMetaType<QVector<int>>();
}

CompareSession::~CompareSession() {
    cancel_.cancel();
    if (worker_.joinable()) worker_.join();
}

bool CompareSession::start(const CompareRequest& request) {
    if (running_ || !opener_ || request.models.isEmpty()) return false;
    if (worker_.joinable()) worker_.join();
    cancel_.reset();
    running_ = true;
    worker_ = std::thread([this, request] { run(request); });
    return true;
}

void CompareSession::cancel() { cancel_.cancel(); }

void CompareSession::run(const CompareRequest& request) {
    // Signals are emitted from this thread; connections to GUI objects are queued by Qt.
    std::vector<Column> columns(request.models.size());
    const std::string prompt = request.prompt.toStdString();
    for (int c = 0; c < num::clampTo<int>(columns.size()) && !cancel_.cancelled(); ++c) {
        auto m = opener_(request.models[c].toStdString());
        if (!m) {
            emit modelFailed(c, QString::fromStdString(m.error().message), QString::fromStdString(m.error().hint));
            continue;
        }
        emit modelReady(c, (*m)->hasChatTemplate());
        if (auto ok = (*m)->start(prompt, request.options); !ok) {
            emit modelFailed(c, QString::fromStdString(ok.error().message), QString::fromStdString(ok.error().hint));
            continue;
        }
        const auto& r = (*m)->result();
        emit promptDone(c, static_cast<int>(r.prompt_ids.size()), r.prompt_ms);
        columns[c].model = std::move(*m);
    }
    // In turns, one token a model, so the columns grow together.
    bool any = true;
    while (any && !cancel_.cancelled()) {
        any = false;
        for (int c = 0; c < static_cast<int>(columns.size()) && !cancel_.cancelled(); ++c) {
            auto& col = columns[c];
            if (!col.model || col.done) continue;
            auto t = col.model->next(cancel_);
            if (!t) {
                emit modelFailed(c, QString::fromStdString(t.error().message), QString::fromStdString(t.error().hint));
                col.model.reset();
                continue;
            }
            if (!*t) {
                col.done = true;
                const auto& r = col.model->result();
                emit columnStopped(c, QString::fromUtf8(eval::stopReasonName(r.stop)), static_cast<int>(r.ids.size()), r.tokens_per_s);
                continue;
            }
            any = true;
            const auto& g = **t;
            emit token(c, g.index, g.id, QString::fromStdString(g.text), g.elapsed_ms);
        }
    }
    const bool cancelled = cancel_.cancelled();
    // Where each export leaves the original's choice: the original reads prompt + the export's tokens.
    if (!cancelled && !columns.empty() && columns[0].model) {
        for (int c = 1; c < static_cast<int>(columns.size()) && !cancel_.cancelled(); ++c) {
            if (!columns[c].model) continue;
            const auto& r = columns[c].model->result();
            if (r.ids.empty()) continue;
            std::vector<std::int32_t> seq = r.prompt_ids;
            seq.insert(seq.end(), r.ids.begin(), r.ids.end());
            auto top = columns[0].model->topChoices(seq);
            if (!top) {
                emit modelFailed(0, QString::fromStdString(top.error().message), QString::fromStdString(top.error().hint));
                break;
            }
            QVector<int> diff;
            const std::size_t p = r.prompt_ids.size();
            // Token i of the export follows the prefix seq[0 .. p+i-1]: the original's choice there is top[p+i-1].
            for (std::size_t i = p == 0 ? 1 : 0; i < r.ids.size(); ++i)
                if ((*top)[p + i - 1] != r.ids[i]) diff.push_back(static_cast<int>(i));
            emit differences(c, diff);
        }
    }
    columns.clear();  // the models are freed on this thread, before the GUI hears it is over
    QMetaObject::invokeMethod(this, [this] { running_ = false; }, Qt::QueuedConnection);
    emit finished(cancel_.cancelled());
}

}  // namespace srs::ui
