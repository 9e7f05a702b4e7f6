#include "ui/pages/compare_page.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "core/common/numeric_cast.h"
#include "core/common/units.h"
#include "ui/theme.h"

namespace srs::ui {
namespace {

constexpr int kPathRole = Qt::UserRole;

QString shortName(const QString& path) {
    QFileInfo fi(path);
    return fi.fileName().isEmpty() ? path : fi.fileName();
}

}  // namespace

ComparePage::ComparePage(TextModelOpener opener, QWidget* parent) : QWidget(parent) {
    session_ = new CompareSession(std::move(opener), this);
    auto* layout = new QVBoxLayout(this);
    // The prompt beside the models it goes to, then the generation options on one row.
    auto* top = new QHBoxLayout();
    auto* prompt_box = new QVBoxLayout();
    prompt_box->addWidget(new QLabel(tr("Prompt:"), this));
    prompt_ = new QPlainTextEdit(tr("Once upon a time"), this);
    prompt_->setObjectName("comparePrompt");
    prompt_->setMaximumHeight(96);
    prompt_box->addWidget(prompt_);
    top->addLayout(prompt_box, 3);

    auto* model_box = new QVBoxLayout();
    auto* model_head = new QHBoxLayout();
    model_head->addWidget(new QLabel(tr("Models (the first is the reference):"), this), 1);
    auto* add = new QPushButton(tr("Add model…"), this);
    add->setObjectName("compareAddModel");
    add->setToolTip(tr("Add another model folder or .gguf file to the comparison"));
    connect(add, &QPushButton::clicked, this, &ComparePage::chooseModel);
    model_head->addWidget(add);
    model_box->addLayout(model_head);
    models_ = new QListWidget(this);
    models_->setObjectName("compareModels");
    models_->setToolTip(tr("The original model and the exports to compare with it; untick an export to leave it out"));
    models_->setMaximumHeight(96);
    model_box->addWidget(models_);
    top->addLayout(model_box, 2);
    layout->addLayout(top);
    layout->addWidget(buildOptions());

    note_ = new QLabel(tr("Highlighted: tokens where an export picks something other than the original's most likely "
                          "next token after the same text."),
                       this);
    note_->setObjectName("compareNote");
    note_->setWordWrap(true);
    layout->addWidget(note_);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    auto* holder = new QWidget(scroll);
    columns_layout_ = new QHBoxLayout(holder);
    columns_layout_->setContentsMargins(0, 0, 0, 0);
    scroll->setWidget(holder);
    layout->addWidget(scroll, 1);

    connect(session_, &CompareSession::modelReady, this, [this](int c, bool) {
        if (c < columns_.size()) columns_[c].status->setText(tr("reading the prompt…"));
    });
    connect(session_, &CompareSession::modelFailed, this, [this](int c, const QString& message, const QString& hint) {
        if (c >= columns_.size()) return;
        columns_[c].error = hint.isEmpty() ? message : message + " — " + hint;
        updateStatus(c);
    });
    connect(session_, &CompareSession::promptDone, this, [this](int c, int tokens, double ms) {
        if (c < columns_.size()) columns_[c].status->setText(tr("prompt: %1 tokens in %2 ms").arg(tokens).arg(ms, 0, 'f', 0));
    });
    connect(session_, &CompareSession::token, this, &ComparePage::onToken);
    connect(session_, &CompareSession::columnStopped, this, [this](int c, const QString& stop, int, double tps) {
        if (c >= columns_.size()) return;
        columns_[c].stop = stop;
        columns_[c].tokens_per_s = tps;
        updateStatus(c);
    });
    connect(session_, &CompareSession::differences, this, [this](int c, const QVector<int>& idx) {
        if (c >= columns_.size()) return;
        columns_[c].differ = idx;
        render(c);
        updateStatus(c);
    });
    connect(session_, &CompareSession::finished, this, &ComparePage::onFinished);
}

QWidget* ComparePage::buildOptions() {
    auto* box = new QWidget(this);
    // Two rows, so the page fits a 1024-pixel window: length and chat with Generate, then sampling.
    auto* rows = new QVBoxLayout(box);
    rows->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout();
    auto* sampling = new QHBoxLayout();
    rows->addLayout(row);
    rows->addLayout(sampling);
    max_tokens_ = new QSpinBox(box);
    max_tokens_->setObjectName("compareMaxTokens");
    max_tokens_->setRange(1, 4096);
    max_tokens_->setValue(64);
    max_tokens_->setToolTip(tr("Tokens each model generates at most (they also stop at end of text)"));
    row->addWidget(new QLabel(tr("Max new tokens"), box));
    row->addWidget(max_tokens_);
    chat_ = new QCheckBox(tr("Chat template"), box);
    chat_->setObjectName("compareChat");
    chat_->setToolTip(tr("Send the prompt as a user message through the model's chat template (models without one say so)"));
    row->addWidget(chat_);
    temperature_ = new QDoubleSpinBox(box);
    temperature_->setObjectName("compareTemperature");
    temperature_->setRange(0.0, 5.0);
    temperature_->setSingleStep(0.1);
    temperature_->setSpecialValueText(tr("greedy"));
    temperature_->setToolTip(tr("Sampling temperature; greedy (0) always takes the most likely token"));
    sampling->addWidget(new QLabel(tr("Temperature"), box));
    sampling->addWidget(temperature_);
    top_k_ = new QSpinBox(box);
    top_k_->setObjectName("compareTopK");
    top_k_->setRange(0, 100000);
    top_k_->setValue(40);
    top_k_->setSpecialValueText(tr("all"));
    top_k_->setToolTip(tr("When sampling: keep only the k most likely tokens"));
    sampling->addWidget(new QLabel(tr("Top-k"), box));
    sampling->addWidget(top_k_);
    top_p_ = new QDoubleSpinBox(box);
    top_p_->setObjectName("compareTopP");
    top_p_->setRange(0.01, 1.0);
    top_p_->setSingleStep(0.05);
    top_p_->setValue(0.95);
    top_p_->setToolTip(tr("When sampling: keep the most likely tokens until their probabilities add up to this"));
    sampling->addWidget(new QLabel(tr("Top-p"), box));
    sampling->addWidget(top_p_);
    seed_ = new QSpinBox(box);
    seed_->setObjectName("compareSeed");
    seed_->setRange(0, 1 << 30);
    seed_->setToolTip(tr("When sampling: the same seed gives the same tokens"));
    sampling->addWidget(new QLabel(tr("Seed"), box));
    sampling->addWidget(seed_);
    sampling->addStretch(1);
    row->addStretch(1);
    start_ = new QPushButton(tr("Generate"), box);
    start_->setObjectName("compareStart");
    start_->setDefault(true);
    connect(start_, &QPushButton::clicked, this, [this] { running() ? cancel() : (void)start(); });
    row->addWidget(start_);
    return box;
}

void ComparePage::setOriginal(const QString& path) {
    original_ = path;
    if (models_->count() > 0 && models_->item(0)->data(kPathRole + 1).toBool()) delete models_->takeItem(0);
    auto* item = new QListWidgetItem(tr("original · %1").arg(shortName(path)));
    item->setData(kPathRole, path);
    item->setData(kPathRole + 1, true);  // the reference row
    item->setToolTip(path);
    item->setFlags(Qt::ItemIsEnabled);
    item->setCheckState(Qt::Checked);
    models_->insertItem(0, item);
}

void ComparePage::setCandidates(const QVector<ExportRecord>& exports) {
    for (int i = models_->count() - 1; i >= 0; --i)
        if (!models_->item(i)->data(kPathRole + 1).toBool()) delete models_->takeItem(i);
    for (const auto& e : exports) {
        QString label = tr("%1 · %2").arg(e.format, QString::fromStdString(units::formatBytes(e.size_bytes)));
        if (e.kld.has()) label += tr(" · KLD %1").arg(e.kld.mean, 0, 'f', 4);
        addModel(e.path, label);
    }
}

void ComparePage::addModel(const QString& path, const QString& label) {
    auto* item = new QListWidgetItem(label.isEmpty() ? shortName(path) : label);
    item->setData(kPathRole, path);
    item->setToolTip(path);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
    models_->addItem(item);
}

void ComparePage::chooseModel() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Add a model (a .gguf, or any file in a model folder)"), QString(),
                                                      tr("Models (*.gguf *.safetensors config.json);;All files (*)"));
    if (file.isEmpty()) return;
    addModel(file.endsWith(".gguf", Qt::CaseInsensitive) ? file : QFileInfo(file).absolutePath());
}

void ComparePage::setPrompt(const QString& prompt) { prompt_->setPlainText(prompt); }
void ComparePage::setMaxNewTokens(int n) { max_tokens_->setValue(n); }
bool ComparePage::running() const { return session_->running(); }
void ComparePage::cancel() { session_->cancel(); }

bool ComparePage::start() {
    if (running()) return false;
    if (original_.isEmpty()) {
        note_->setText(tr("Open a model on the Model page first: it is the reference the others are compared with."));
        return false;
    }
    CompareRequest req;
    for (int i = 0; i < models_->count(); ++i)
        if (models_->item(i)->checkState() == Qt::Checked) req.models << models_->item(i)->data(kPathRole).toString();
    req.prompt = prompt_->toPlainText();
    req.options.max_new_tokens = max_tokens_->value();
    req.options.chat = chat_->isChecked();
    req.options.sampling.temperature = temperature_->value();
    req.options.sampling.top_k = top_k_->value();
    req.options.sampling.top_p = top_p_->value();
    req.options.sampling.seed = static_cast<std::uint64_t>(seed_->value());
    clearColumns();
    for (int i = 0; i < models_->count(); ++i)
        if (models_->item(i)->checkState() == Qt::Checked) addColumn(models_->item(i)->data(kPathRole).toString(), models_->item(i)->text());
    if (!session_->start(req)) return false;
    start_->setText(tr("Cancel"));
    note_->setText(tr("Generating… Highlighted: tokens where an export picks something other than the original's most likely "
                      "next token after the same text (marked once all have finished)."));
    return true;
}

void ComparePage::clearColumns() {
    for (auto& c : columns_) {
        delete c.title->parentWidget();
    }
    columns_.clear();
}

void ComparePage::addColumn(const QString& path, const QString& title) {
    auto* box = new QWidget(columns_layout_->parentWidget());
    auto* v = new QVBoxLayout(box);
    v->setContentsMargins(2, 2, 2, 2);
    ColumnView c;
    c.path = path;
    c.title = new QLabel("<b>" + title.toHtmlEscaped() + "</b>", box);
    c.title->setToolTip(path);
    c.text = new QTextBrowser(box);
    c.text->setObjectName(QStringLiteral("compareOutput%1").arg(columns_.size()));
    c.text->setMinimumWidth(260);
    c.status = new QLabel(tr("loading…"), box);
    c.status->setObjectName(QStringLiteral("compareStatus%1").arg(columns_.size()));
    c.status->setWordWrap(true);
    v->addWidget(c.title);
    v->addWidget(c.text, 1);
    v->addWidget(c.status);
    columns_layout_->addWidget(box, 1);
    columns_.push_back(c);
}

void ComparePage::onToken(int column, int index, int id, const QString& text, double) {
    if (column >= columns_.size()) return;
    auto& c = columns_[column];
    if (index != c.ids.size()) return;  // a token from an earlier comparison
    c.ids.push_back(id);
    c.pieces.push_back(text);
    c.text->moveCursor(QTextCursor::End);
    c.text->insertPlainText(text);
    c.status->setText(tr("%n token(s)…", nullptr, num::clampTo<int>(c.ids.size())));
}

void ComparePage::render(int column) {
    auto& c = columns_[column];
    QString html;
    int next = 0;
    for (int i = 0; i < c.pieces.size(); ++i) {
        QString piece = c.pieces[i].toHtmlEscaped().replace("\n", "<br/>");
        const bool differs = next < c.differ.size() && c.differ[next] == i;
        if (differs) {
            ++next;
            html += "<span style=\"background-color:#ffd54f;color:#000000\">" + (piece.isEmpty() ? QStringLiteral("&#8203;") : piece) + "</span>";
        } else {
            html += piece;
        }
    }
    c.text->setHtml(html);
}

void ComparePage::updateStatus(int column) {
    auto& c = columns_[column];
    if (!c.error.isEmpty()) {
        c.status->setText(tr("Failed: %1").arg(c.error));
        c.status->setStyleSheet(errorTextStyle());  // readable in Light and Dark
        return;
    }
    QString s = tr("%n token(s)", nullptr, num::clampTo<int>(c.ids.size()));
    if (c.tokens_per_s > 0) s += tr(" · %1 tokens/s").arg(c.tokens_per_s, 0, 'f', 1);
    if (!c.stop.isEmpty()) s += tr(" · stopped: %1").arg(c.stop);
    if (column > 0 && !c.ids.isEmpty() && !c.stop.isEmpty() && c.stop != "cancelled")
        s += tr(" · %1 of %2 differ from the original's choice").arg(c.differ.size()).arg(c.ids.size());
    c.status->setStyleSheet({});
    c.status->setText(s);
}

void ComparePage::onFinished(bool cancelled) {
    start_->setText(tr("Generate"));
    note_->setText(cancelled ? tr("Cancelled.")
                             : tr("Highlighted: tokens where an export picks something other than the original's most likely "
                                  "next token after the same text."));
    emit comparisonFinished(cancelled);
}

QString ComparePage::columnTitle(int column) const { return columns_.value(column).title ? columns_[column].title->text() : QString(); }
QString ComparePage::columnText(int column) const { return column < columns_.size() ? columns_[column].pieces.join(QString()) : QString(); }
QVector<int> ComparePage::columnTokenIds(int column) const { return column < columns_.size() ? columns_[column].ids : QVector<int>(); }
QVector<int> ComparePage::columnDifferences(int column) const { return column < columns_.size() ? columns_[column].differ : QVector<int>(); }
QString ComparePage::columnStatus(int column) const { return column < columns_.size() ? columns_[column].status->text() : QString(); }

}  // namespace srs::ui
