#include "ui/pages/hub_page.h"
#include "ui/theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "core/common/numeric_cast.h"
#include "core/common/units.h"
#include "core/hub/gguf_files.h"

namespace srs::ui {
namespace {

QString bytes(quint64 b) { return QString::fromStdString(units::formatBytes(b)); }
QString count(qint64 n) { return QString::fromStdString(units::formatCount(static_cast<std::uint64_t>(std::max<qint64>(0, n)))); }
QString duration(qint64 ms) { return ms < 0 ? QObject::tr("?") : QString::fromStdString(units::formatDuration(ms)); }

// A read-only cell that sorts by `key` when given.
QTableWidgetItem* cell(const QString& text, const QVariant& key = {}) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    if (key.isValid()) item->setData(Qt::UserRole, key);
    return item;
}

enum ResultCol { RId = 0, RDownloads, RLikes, RUpdated, RParams, RSize, RNotes, RCount };
enum FileCol { FName = 0, FSize, FState, FCount };
enum CacheCol { CRepo = 0, CSource, CSize, CFiles, CSnapshot, CModified, CCount };
enum GgufCol { GType = 0, GFiles, GSize, GSource, GCount };

// Why a GGUF type is (or is not) a good source for a quantization, in the interface's language.
QString ggufReason(const hub::GgufGroup& g) {
    switch (g.reason_kind) {
    case hub::GgufSourceReason::FullPrecision:
        return HubPage::tr("32-bit float, the full-precision weights: the best source for a quantization");
    case hub::GgufSourceReason::HalfPrecision:
        return HubPage::tr("16-bit float, practically lossless: a good source for a quantization");
    case hub::GgufSourceReason::BFloat16:
        return HubPage::tr("bfloat16, the precision most models are trained in: a good source for a quantization");
    case hub::GgufSourceReason::EightBit:
        return HubPage::tr("8-bit with very little loss: a good source when no F16 or BF16 file is offered");
    case hub::GgufSourceReason::AlreadyQuantized:
        if (g.bits_per_weight <= 0)
            return HubPage::tr("Already quantized (%1): quantizing it again loses quality; prefer F16, BF16 or Q8_0").arg(QString::fromStdString(g.type));
        return HubPage::tr("Already quantized to about %1 bits per weight: quantizing it again loses quality; prefer F16, BF16 or Q8_0")
            .arg(g.bits_per_weight, 0, 'f', 1);
    case hub::GgufSourceReason::Unknown:
        break;
    }
    return HubPage::tr("The quantization type is not recognised from the file name");
}

bool isWeightsFile(const QString& path) { return path.endsWith(".safetensors") || path.endsWith(".bin"); }

}  // namespace

HubPage::HubPage(HubSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buildSearchRow());
    layout->addLayout(buildAccountRow());
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("hubTabs");
    layout->addWidget(tabs_, 1);
    tabs_->addTab(buildSearchTab(), tr("Search"));
    tabs_->addTab(buildCacheTab(), tr("Local cache"));

    connectSearch();
    connectFiles();
    connectGguf();
    connectAccount();
    connectCache();
    connectSession();

    onSourceChanged();
    onLoggedIn({}, {}, {}, {});
}

// Source, search text and sort order in one row.
QHBoxLayout* HubPage::buildSearchRow() {
    auto* top = new QHBoxLayout();
    source_ = new QComboBox(this);
    source_->setObjectName("hubSource");
    source_->addItem(tr("Hugging Face"), static_cast<int>(HubSource::HuggingFace));
    source_->addItem(tr("ModelScope"), static_cast<int>(HubSource::ModelScope));
    source_->setToolTip(tr("Where to find models: the Hugging Face Hub (search) or ModelScope (by model id; no search)"));
    top->addWidget(source_);
    search_ = new QLineEdit(this);
    search_->setObjectName("hubSearch");
    search_->setClearButtonEnabled(true);
    search_->setToolTip(tr("Search models by name as you type; Enter on an exact id (org/name) lists its files"));
    top->addWidget(search_, 1);
    sort_ = new QComboBox(this);
    sort_->setObjectName("hubSort");
    sort_->addItem(tr("Most downloads"), "downloads");
    sort_->addItem(tr("Most likes"), "likes");
    sort_->addItem(tr("Recently updated"), "lastModified");
    sort_->addItem(tr("Trending"), "trendingScore");
    sort_->setToolTip(tr("Order of the search results"));
    top->addWidget(sort_);
    return top;
}

// The account the token belongs to, the token field and the log in / out buttons.
QHBoxLayout* HubPage::buildAccountRow() {
    auto* login_row = new QHBoxLayout();
    account_ = new QLabel(this);
    account_->setObjectName("hubAccount");
    setMessageLabel(account_);  // a refused token's error is long: it wraps here
    account_->setToolTip(tr("The Hugging Face account the token belongs to; needed for gated and private models and for uploads"));
    login_row->addWidget(account_, 1);
    token_ = new QLineEdit(this);
    token_->setObjectName("hubToken");
    token_->setEchoMode(QLineEdit::Password);
    token_->setPlaceholderText(tr("hf_… access token"));
    token_->setToolTip(tr("A Hugging Face access token (Settings → Access Tokens on the Hub); read access to download, write to upload"));
    token_->setMaximumWidth(260);
    login_row->addWidget(token_);
    remember_ = new QCheckBox(tr("Remember"), this);
    remember_->setObjectName("hubRemember");
    remember_->setToolTip(tr("Save the token in this app's settings so it is used next time (it is never written to the log)"));
    login_row->addWidget(remember_);
    login_ = new QPushButton(tr("Log in"), this);
    login_->setObjectName("hubLogin");
    login_->setToolTip(tr("Check the token with the Hub (whoami) and use it for this session"));
    login_row->addWidget(login_);
    logout_ = new QPushButton(tr("Log out"), this);
    logout_->setObjectName("hubLogout");
    logout_->setToolTip(tr("Stop using the token and remove a saved one from the app's settings"));
    login_row->addWidget(logout_);
    return login_row;
}

// The Search tab: results above, the selected repository's files below.
QWidget* HubPage::buildSearchTab() {
    auto* search_tab = new QWidget(tabs_);
    auto* search_layout = new QVBoxLayout(search_tab);
    auto* split = new QSplitter(Qt::Vertical, search_tab);
    split->addWidget(buildResultsPane(split));
    split->addWidget(buildFilesPane(split));
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    search_layout->addWidget(split);
    return search_tab;
}

QWidget* HubPage::buildResultsPane(QWidget* parent) {
    auto* results_box = new QWidget(parent);
    auto* results_layout = new QVBoxLayout(results_box);
    results_layout->setContentsMargins(0, 0, 0, 0);
    results_ = new QTableWidget(0, RCount, results_box);
    results_->setObjectName("hubResults");
    results_->setHorizontalHeaderLabels({tr("Model"), tr("Downloads"), tr("Likes"), tr("Updated"), tr("Parameters"), tr("Size"), tr("Notes")});
    results_->setSelectionBehavior(QAbstractItemView::SelectRows);
    results_->setSelectionMode(QAbstractItemView::SingleSelection);
    results_->verticalHeader()->hide();
    results_->horizontalHeader()->setSectionResizeMode(RId, QHeaderView::Stretch);
    for (int c = RDownloads; c < RCount; ++c) results_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    results_->setToolTip(tr("Search results; select one to see its files. Size is the weights' size from their parameter counts"));
    results_layout->addWidget(results_, 1);
    auto* more_row = new QHBoxLayout();
    search_status_ = new QLabel(results_box);
    search_status_->setObjectName("hubSearchStatus");
    setMessageLabel(search_status_);
    search_status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    more_row->addWidget(search_status_, 1);
    more_ = new QPushButton(tr("More results"), results_box);
    more_->setObjectName("hubMore");
    more_->setToolTip(tr("Load the next page of results"));
    more_->setEnabled(false);
    more_row->addWidget(more_);
    results_layout->addLayout(more_row);
    return results_box;
}

// The selected repository: its files, which to download, and the download's progress.
QWidget* HubPage::buildFilesPane(QWidget* parent) {
    auto* files_box = new QWidget(parent);
    auto* files_layout = new QVBoxLayout(files_box);
    files_layout->setContentsMargins(0, 0, 0, 0);
    repo_label_ = new QLabel(tr("Select a model to see its files."), files_box);
    repo_label_->setObjectName("hubRepo");
    setMessageLabel(repo_label_);
    files_layout->addWidget(repo_label_);
    files_ = new QTableWidget(0, FCount, files_box);
    files_->setObjectName("hubFiles");
    files_->setHorizontalHeaderLabels({tr("File"), tr("Size"), tr("Download")});
    files_->verticalHeader()->hide();
    files_->setSelectionMode(QAbstractItemView::NoSelection);
    files_->horizontalHeader()->setSectionResizeMode(FName, QHeaderView::Stretch);
    files_->horizontalHeader()->setSectionResizeMode(FSize, QHeaderView::ResizeToContents);
    files_->horizontalHeader()->setSectionResizeMode(FState, QHeaderView::ResizeToContents);
    files_->setToolTip(tr("Ticked files are downloaded; the ones a quantization needs are ticked for you"));
    files_split_ = new QSplitter(Qt::Horizontal, files_box);
    files_split_->setObjectName("hubFilesSplit");
    files_split_->addWidget(files_);
    files_split_->addWidget(buildGgufPane(files_split_));
    files_split_->setStretchFactor(0, 3);
    files_split_->setStretchFactor(1, 2);
    files_split_->setCollapsible(0, false);
    files_layout->addWidget(files_split_, 1);
    files_layout->addLayout(buildDownloadButtons(files_box));
    progress_ = new QProgressBar(files_box);
    progress_->setObjectName("hubProgress");
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setToolTip(tr("Bytes downloaded of all ticked files"));
    files_layout->addWidget(progress_);
    download_status_ = new QLabel(files_box);
    download_status_->setObjectName("hubDownloadStatus");
    setMessageLabel(download_status_);
    download_status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    files_layout->addWidget(download_status_);
    return files_box;
}

// Beside the files: a repository's GGUF files grouped by quantization type, with their size and
// whether the type is a good source for a quantization (the reason as tooltip). Hidden when the
// repository has no .gguf file.
QWidget* HubPage::buildGgufPane(QWidget* parent) {
    gguf_box_ = new QGroupBox(tr("GGUF files"), parent);
    gguf_box_->setObjectName("hubGgufBox");
    auto* layout = new QVBoxLayout(gguf_box_);
    auto* hint = new QLabel(tr("Select a type to tick exactly its files, then Download. F32, F16, BF16 and Q8_0 are good sources "
                               "for a quantization; re-quantizing a lower-bit file loses quality."),
                            gguf_box_);
    hint->setObjectName("hubGgufHint");
    hint->setWordWrap(true);
    layout->addWidget(hint);
    gguf_ = new QTableWidget(0, GCount, gguf_box_);
    gguf_->setObjectName("hubGguf");
    gguf_->setHorizontalHeaderLabels({tr("Type"), tr("Files"), tr("Size"), tr("Source")});
    gguf_->setSelectionBehavior(QAbstractItemView::SelectRows);
    gguf_->setSelectionMode(QAbstractItemView::SingleSelection);
    gguf_->verticalHeader()->hide();
    gguf_->horizontalHeader()->setSectionResizeMode(GFiles, QHeaderView::Stretch);
    for (int c : {GType, GSize, GSource}) gguf_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    gguf_->setToolTip(tr("The repository's GGUF files by quantization type; select one to download only its files, "
                         "double-click to download it at once"));
    layout->addWidget(gguf_, 1);
    gguf_box_->hide();
    return gguf_box_;
}

// Which files to tick on the left; Download and Cancel on the right.
QHBoxLayout* HubPage::buildDownloadButtons(QWidget* parent) {
    pick_needed_ = new QPushButton(tr("Needed files"), parent);
    pick_needed_->setObjectName("hubPickNeeded");
    pick_needed_->setToolTip(tr("Tick only config, tokenizer and safetensors weights: what a quantization needs"));
    pick_all_ = new QPushButton(tr("All"), parent);
    pick_all_->setObjectName("hubPickAll");
    pick_all_->setToolTip(tr("Tick every file"));
    pick_none_ = new QPushButton(tr("None"), parent);
    pick_none_->setObjectName("hubPickNone");
    pick_none_->setToolTip(tr("Untick every file"));
    download_ = new QPushButton(tr("Download"), parent);
    download_->setObjectName("hubDownload");
    download_->setToolTip(tr("Download the ticked files into the shared cache (resumes an interrupted download), then open the model"));
    download_->setEnabled(false);
    cancel_ = new QPushButton(tr("Cancel"), parent);
    cancel_->setObjectName("hubCancel");
    cancel_->setToolTip(tr("Stop downloading; partial files are kept and resumed next time"));
    cancel_->setEnabled(false);
    auto* dl_row = new QHBoxLayout();
    for (auto* b : {pick_needed_, pick_all_, pick_none_}) dl_row->addWidget(b);
    dl_row->addStretch();
    dl_row->addWidget(download_);
    dl_row->addWidget(cancel_);
    return dl_row;
}

// The Local cache tab: the models already downloaded, with Refresh and Open.
QWidget* HubPage::buildCacheTab() {
    auto* cache_tab = new QWidget(tabs_);
    auto* cache_layout = new QVBoxLayout(cache_tab);
    cache_ = new QTableWidget(0, CCount, cache_tab);
    cache_->setObjectName("hubCache");
    cache_->setHorizontalHeaderLabels({tr("Model"), tr("Source"), tr("Size"), tr("Files"), tr("Snapshot"), tr("Downloaded")});
    cache_->setSelectionBehavior(QAbstractItemView::SelectRows);
    cache_->setSelectionMode(QAbstractItemView::SingleSelection);
    cache_->verticalHeader()->hide();
    cache_->horizontalHeader()->setSectionResizeMode(CRepo, QHeaderView::Stretch);
    for (int c = CSource; c < CCount; ++c) cache_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    cache_->setToolTip(tr("Models in the shared caches (also those downloaded by transformers, vLLM or llama.cpp); double-click to open"));
    cache_layout->addWidget(cache_, 1);
    auto* cache_row = new QHBoxLayout();
    cache_status_ = new QLabel(cache_tab);
    cache_status_->setObjectName("hubCacheStatus");
    setMessageLabel(cache_status_);
    cache_row->addWidget(cache_status_, 1);
    refresh_cache_ = new QPushButton(tr("Refresh"), cache_tab);
    refresh_cache_->setObjectName("hubCacheRefresh");
    refresh_cache_->setToolTip(tr("Scan the caches again"));
    open_cached_ = new QPushButton(tr("Open"), cache_tab);
    open_cached_->setObjectName("hubCacheOpen");
    open_cached_->setToolTip(tr("Open the selected model's snapshot on the Model page"));
    open_cached_->setEnabled(false);
    cache_row->addWidget(refresh_cache_);
    cache_row->addWidget(open_cached_);
    cache_layout->addLayout(cache_row);
    return cache_tab;
}

// Searching: as you type (debounced, Hugging Face only), on Enter, on a new sort order or source,
// and the next page; selecting a result lists its files.
void HubPage::connectSearch() {
    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(350);
    connect(debounce_, &QTimer::timeout, this, &HubPage::runSearch);
    connect(search_, &QLineEdit::textEdited, this, [this] {
        if (source() == HubSource::HuggingFace) debounce_->start();
    });
    connect(search_, &QLineEdit::returnPressed, this, &HubPage::onSearchEntered);
    connect(sort_, &QComboBox::currentIndexChanged, this, [this] {
        if (!search_->text().trimmed().isEmpty()) runSearch();
    });
    connect(source_, &QComboBox::currentIndexChanged, this, &HubPage::onSourceChanged);
    connect(results_, &QTableWidget::itemSelectionChanged, this, &HubPage::onResultSelected);
    connect(more_, &QPushButton::clicked, this, [this] {
        if (next_url_.isEmpty()) return;
        more_->setEnabled(false);
        pending_search_ = session_->nextPage(next_url_);
    });
}

// Ticking files, and downloading the ticked ones.
void HubPage::connectFiles() {
    connect(pick_none_, &QPushButton::clicked, this, [this] { tickFiles(FileTick::None); });
    connect(pick_all_, &QPushButton::clicked, this, [this] { tickFiles(FileTick::All); });
    connect(pick_needed_, &QPushButton::clicked, this, [this] { tickFiles(FileTick::Needed); });
    connect(files_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (item->column() == FName) updateSelectionSummary();
    });
    connect(download_, &QPushButton::clicked, this, &HubPage::startDownload);
    connect(cancel_, &QPushButton::clicked, session_, &HubSession::cancelDownload);
}

// Selecting a GGUF type ticks exactly its files; a double-click also downloads them.
void HubPage::connectGguf() {
    connect(gguf_, &QTableWidget::itemSelectionChanged, this, &HubPage::onGgufSelected);
    connect(gguf_, &QTableWidget::itemDoubleClicked, this, [this] {
        onGgufSelected();
        if (download_->isEnabled()) startDownload();
    });
}

void HubPage::connectAccount() {
    connect(login_, &QPushButton::clicked, this, &HubPage::logIn);
    connect(token_, &QLineEdit::returnPressed, login_, &QPushButton::click);
    connect(logout_, &QPushButton::clicked, this, &HubPage::logOut);
}

// The cache is scanned when its tab is shown and on Refresh.
void HubPage::connectCache() {
    connect(refresh_cache_, &QPushButton::clicked, this, &HubPage::refreshCache);
    connect(open_cached_, &QPushButton::clicked, this, &HubPage::openSelectedCached);
    connect(cache_, &QTableWidget::itemDoubleClicked, this, &HubPage::openSelectedCached);
    connect(cache_, &QTableWidget::itemSelectionChanged, this,
            [this] { open_cached_->setEnabled(!cache_->selectionModel()->selectedRows().isEmpty()); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == 1) refreshCache();
    });
}

// What the session's worker threads report.
void HubPage::connectSession() {
    connect(session_, &HubSession::searchDone, this, &HubPage::onSearchDone);
    connect(session_, &HubSession::filesListed, this, &HubPage::onFiles);
    connect(session_, &HubSession::downloadProgress, this, &HubPage::onProgress);
    connect(session_, &HubSession::downloadDone, this, &HubPage::onDownloadDone);
    connect(session_, &HubSession::loggedIn, this, &HubPage::onLoggedIn);
    connect(session_, &HubSession::cacheScanned, this, &HubPage::onCache);
}

// Enter in the search field: an exact id (org/name), or any text on ModelScope, lists that
// repository's files; other text searches at once.
void HubPage::onSearchEntered() {
    const QString text = search_->text().trimmed();
    if (source() == HubSource::ModelScope || (text.count('/') == 1 && !text.contains(' '))) {
        debounce_->stop();
        if (source() == HubSource::HuggingFace) runSearch();
        selectRepo(text);
    } else {
        debounce_->stop();
        runSearch();
    }
}

void HubPage::onResultSelected() {
    auto rows = results_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return;
    QString id = results_->item(rows.first().row(), RId)->data(Qt::UserRole).toString();
    if (id != repo_) selectRepo(id);
}

void HubPage::tickFiles(FileTick which) {
    for (int r = 0; r < files_->rowCount(); ++r) {
        auto* item = files_->item(r, FName);
        bool on = which == FileTick::All || (which == FileTick::Needed && item->data(Qt::UserRole + 1).toBool());
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
    }
    updateSelectionSummary();
}

// Ticks the files in `paths` and unticks every other one.
void HubPage::tickOnly(const QStringList& paths) {
    files_->blockSignals(true);
    for (int r = 0; r < files_->rowCount(); ++r) {
        auto* item = files_->item(r, FName);
        item->setCheckState(paths.contains(item->data(Qt::UserRole).toString()) ? Qt::Checked : Qt::Unchecked);
    }
    files_->blockSignals(false);
    files_->viewport()->update();
    updateSelectionSummary();
}

// One row per quantization type of the repository's .gguf files; the box is hidden without any.
void HubPage::showGgufGroups(const QVector<HubFileRow>& files) {
    std::vector<hub::RepoFile> repo_files;
    for (const auto& f : files) {
        hub::RepoFile rf;
        rf.path = f.path.toStdString();
        rf.size_bytes = f.size;
        rf.is_lfs = f.lfs;
        repo_files.push_back(rf);
    }
    const auto groups = hub::groupGgufFiles(repo_files);
    gguf_->blockSignals(true);
    gguf_->clearSelection();
    gguf_->setRowCount(0);
    for (const auto& g : groups) {
        const int r = gguf_->rowCount();
        gguf_->insertRow(r);
        QStringList paths;
        for (const auto& p : g.files) paths << QString::fromStdString(p);
        const QString reason = ggufReason(g);
        auto* type = cell(g.type == "other" ? tr("other") : QString::fromStdString(g.type), paths);
        type->setData(Qt::UserRole + 1, QString::fromStdString(g.type));
        type->setData(Qt::UserRole + 2, QString::fromStdString(g.open_file));
        if (g.bits_per_weight > 0) type->setToolTip(tr("about %1 bits per weight").arg(g.bits_per_weight, 0, 'f', 1));
        gguf_->setItem(r, GType, type);
        auto* names = cell(paths.size() == 1 ? paths.first() : tr("%1 files: %2 …").arg(paths.size()).arg(paths.first()));
        names->setToolTip(paths.join("\n"));
        gguf_->setItem(r, GFiles, names);
        gguf_->setItem(r, GSize, cell(bytes(g.size_bytes)));
        auto* quality = cell(g.good_source ? tr("✓ good source")
                                           : g.reason_kind == hub::GgufSourceReason::Unknown ? tr("unknown type") : tr("lossy source"));
        quality->setToolTip(reason);
        gguf_->setItem(r, GSource, quality);
        for (int c : {GType, GFiles, GSize}) {
            auto* item = gguf_->item(r, c);
            item->setToolTip(item->toolTip().isEmpty() ? reason : item->toolTip() + "\n" + reason);
        }
    }
    gguf_->blockSignals(false);
    gguf_box_->setVisible(!groups.empty());
    // Shown after having been hidden, the splitter leaves it no room: give it two fifths.
    const QList<int> sizes = files_split_->sizes();
    if (!groups.empty() && sizes.size() == 2 && sizes[1] == 0) {
        const int width = sizes[0] + sizes[1];
        files_split_->setSizes({width * 3 / 5, width - width * 3 / 5});
    }
    gguf_box_->setTitle(tr("GGUF files: %n type(s)", nullptr, static_cast<int>(groups.size())));
    // A repository of GGUF files only (no safetensors or bin weights ticked): the best type, when it
    // is a good source, is ticked for you.
    bool weights_ticked = false;
    for (const auto& p : checkedFiles()) weights_ticked = weights_ticked || isWeightsFile(p);
    if (!groups.empty() && groups.front().good_source && !weights_ticked) gguf_->selectRow(0);
}

void HubPage::onGgufSelected() {
    auto rows = gguf_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return;
    tickOnly(gguf_->item(rows.first().row(), GType)->data(Qt::UserRole).toStringList());
}

bool HubPage::selectGgufType(const QString& type) {
    for (int r = 0; r < gguf_->rowCount(); ++r)
        if (gguf_->item(r, GType)->data(Qt::UserRole + 1).toString().compare(type, Qt::CaseInsensitive) == 0) {
            gguf_->clearSelection();
            gguf_->selectRow(r);
            return true;
        }
    return false;
}

// A selected GGUF type stays selected only while exactly its files are ticked.
void HubPage::syncGgufSelection() {
    auto rows = gguf_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return;
    QStringList want = gguf_->item(rows.first().row(), GType)->data(Qt::UserRole).toStringList();
    QStringList have = checkedFiles();
    want.sort();
    have.sort();
    if (want == have) return;
    gguf_->blockSignals(true);
    gguf_->clearSelection();
    gguf_->blockSignals(false);
}

// What to open once `files` are downloaded: with no safetensors or bin weights among them, the
// .gguf of the best type among them (the first part of a split one), since a folder of several
// .gguf files is no one model; otherwise (empty) the snapshot folder.
QString HubPage::ggufFileToOpen(const QStringList& files) const {
    std::vector<hub::RepoFile> ticked;
    for (const auto& f : files) {
        if (isWeightsFile(f)) return {};
        hub::RepoFile rf;
        rf.path = f.toStdString();
        ticked.push_back(rf);
    }
    const auto groups = hub::groupGgufFiles(ticked);
    return groups.empty() ? QString() : QString::fromStdString(groups.front().open_file);
}

void HubPage::logIn() {
    login_->setEnabled(false);
    account_->setText(tr("Checking the token…"));
    session_->login(token_->text(), remember_->isChecked());
}

void HubPage::logOut() {
    session_->logout();
    token_->clear();
    onLoggedIn({}, {}, {}, {});
}

HubSource HubPage::source() const { return static_cast<HubSource>(source_->currentData().toInt()); }

void HubPage::onSourceChanged() {
    const bool hf = source() == HubSource::HuggingFace;
    search_->setPlaceholderText(hf ? tr("Search models on %1, e.g. llama 1B").arg(session_->endpoint(HubSource::HuggingFace))
                                   : tr("ModelScope model id (owner/name), then Enter — ModelScope has no search here"));
    sort_->setEnabled(hf);
    results_->setEnabled(hf);
    more_->setEnabled(hf && !next_url_.isEmpty());
    search_status_->setText(hf ? QString() : tr("Search is not available for ModelScope: type a model id and press Enter."));
}

void HubPage::searchFor(const QString& text) {
    search_->setText(text);
    if (source() == HubSource::HuggingFace) runSearch();
    else selectRepo(text.trimmed());
}

void HubPage::runSearch() {
    if (source() != HubSource::HuggingFace) return;
    const QString text = search_->text().trimmed();
    clearError(search_status_);
    search_status_->setText(text.isEmpty() ? tr("Searching the most downloaded models…") : tr("Searching “%1”…").arg(text));
    next_url_.clear();
    more_->setEnabled(false);
    pending_search_ = session_->search(text, sort_->currentData().toString(), 30);
}

void HubPage::showError(QLabel* label, const QString& text) {
    setMessageLabel(label);
    label->setStyleSheet(errorTextStyle());
    if (!label->property("srsStatusTip").isValid()) label->setProperty("srsStatusTip", label->toolTip());
    label->setToolTip(text);  // the whole text, should the pane be too short for its lines
    label->setText(text);
}

void HubPage::clearError(QLabel* label) {
    label->setStyleSheet({});
    const QVariant tip = label->property("srsStatusTip");  // the label's own tooltip, if an error replaced it
    if (tip.isValid()) label->setToolTip(tip.toString());
}

void HubPage::onSearchDone(quint64 request, const QVector<HubModelRow>& rows, const QString& next, bool append, const QString& error) {
    if (request != pending_search_) return;  // a newer search is on its way
    if (!error.isEmpty()) {
        showError(search_status_, error);
        more_->setEnabled(!next_url_.isEmpty());
        emit searchShown(0);
        return;
    }
    clearError(search_status_);
    results_->setSortingEnabled(false);
    if (!append) results_->setRowCount(0);
    for (const auto& m : rows) {
        int r = results_->rowCount();
        results_->insertRow(r);
        auto* id = cell(m.id, m.id);
        id->setToolTip(m.tags.join(", "));
        results_->setItem(r, RId, id);
        results_->setItem(r, RDownloads, cell(count(m.downloads)));
        results_->setItem(r, RLikes, cell(count(m.likes)));
        results_->setItem(r, RUpdated, cell(m.updated));
        results_->setItem(r, RParams, cell(m.parameters ? QString::fromStdString(units::formatParams(m.parameters)) : tr("—")));
        results_->setItem(r, RSize, cell(m.weight_bytes ? bytes(m.weight_bytes) : tr("—")));
        QStringList notes;
        if (!m.gated.isEmpty()) notes << tr("gated");
        if (m.is_private) notes << tr("private");
        if (m.tags.contains("gguf")) notes << tr("GGUF");
        auto* note = cell(notes.join(" · "));
        if (!m.gated.isEmpty()) note->setToolTip(tr("Gated: accept the conditions on the model's Hub page while logged in, then log in here"));
        results_->setItem(r, RNotes, note);
    }
    next_url_ = next;
    more_->setEnabled(!next_url_.isEmpty());
    search_status_->setText(results_->rowCount() == 0 ? tr("No models match.")
                                                      : tr("%n model(s) shown%1", nullptr, results_->rowCount())
                                                            .arg(next_url_.isEmpty() ? QString() : tr("; more available")));
    emit searchShown(static_cast<int>(rows.size()));
}

void HubPage::selectRepo(const QString& repo_id) {
    if (repo_id.isEmpty()) return;
    repo_ = repo_id;
    files_->setRowCount(0);
    gguf_->setRowCount(0);
    gguf_box_->hide();
    download_->setEnabled(false);
    clearError(repo_label_);
    repo_label_->setText(tr("Listing the files of %1…").arg(repo_id));
    session_->listFiles(source(), repo_id);
}

void HubPage::onFiles(const QString& repo, const QVector<HubFileRow>& files, const QString& error) {
    if (repo != repo_) return;
    if (!error.isEmpty()) {
        showError(repo_label_, error);
        emit filesShown(0);
        return;
    }
    files_->blockSignals(true);
    files_->setRowCount(0);
    for (const auto& f : files) {
        int r = files_->rowCount();
        files_->insertRow(r);
        auto* name = cell(f.path + (f.lfs ? tr("  (LFS)") : QString()), f.path);
        name->setFlags(name->flags() | Qt::ItemIsUserCheckable);
        name->setCheckState(f.needed ? Qt::Checked : Qt::Unchecked);
        name->setData(Qt::UserRole + 1, f.needed);
        name->setData(Qt::UserRole + 2, static_cast<qulonglong>(f.size));
        files_->setItem(r, FName, name);
        files_->setItem(r, FSize, cell(bytes(f.size)));
        files_->setItem(r, FState, cell({}));
    }
    files_->blockSignals(false);
    clearError(repo_label_);
    updateSelectionSummary();
    showGgufGroups(files);
    emit filesShown(static_cast<int>(files.size()));
}

QStringList HubPage::checkedFiles() const {
    QStringList out;
    for (int r = 0; r < files_->rowCount(); ++r)
        if (files_->item(r, FName)->checkState() == Qt::Checked) out << files_->item(r, FName)->data(Qt::UserRole).toString();
    return out;
}

void HubPage::updateSelectionSummary() {
    quint64 total = 0;
    int n = 0;
    for (int r = 0; r < files_->rowCount(); ++r)
        if (files_->item(r, FName)->checkState() == Qt::Checked) {
            total += files_->item(r, FName)->data(Qt::UserRole + 2).toULongLong();
            ++n;
        }
    if (!repo_.isEmpty()) {
        clearError(repo_label_);  // the summary replaces an earlier error
        repo_label_->setText(tr("%1 on %2: %3 of %4 files ticked, %5")
                                 .arg(repo_, source() == HubSource::HuggingFace ? tr("Hugging Face") : tr("ModelScope"))
                                 .arg(n)
                                 .arg(files_->rowCount())
                                 .arg(bytes(total)));
    }
    download_->setEnabled(n > 0 && !session_->downloading());
    syncGgufSelection();
}

void HubPage::startDownload() {
    const QStringList files = checkedFiles();
    if (files.isEmpty() || repo_.isEmpty()) return;
    if (!session_->download(source(), repo_, files)) {
        showError(download_status_, tr("A download is already running."));
        return;
    }
    downloading_repo_ = repo_;
    downloading_open_ = ggufFileToOpen(files);
    download_->setEnabled(false);
    cancel_->setEnabled(true);
    progress_->setValue(0);
    clearError(download_status_);
    download_status_->setText(tr("Starting the download of %1 into %2…").arg(repo_, session_->cacheRoot(source())));
}

void HubPage::onProgress(const HubDownloadStatus& s) {
    progress_->setValue(s.total ? static_cast<int>(1000.0 * static_cast<double>(s.done) / static_cast<double>(s.total)) : 0);
    download_status_->setText(tr("%1 of %2 · %3/s · ETA %4 · %5 of %6 files")
                                  .arg(bytes(s.done), bytes(s.total), bytes(static_cast<quint64>(s.bytes_per_s)), duration(s.eta_ms))
                                  .arg(s.files_done)
                                  .arg(s.files_total));
    if (downloading_repo_ != repo_) return;
    for (const auto& f : s.files)
        for (int r = 0; r < files_->rowCount(); ++r) {
            if (files_->item(r, FName)->data(Qt::UserRole).toString() != f.path) continue;
            QString text = f.state == "downloading" && f.total
                               ? tr("%1 %")
                                     .arg(QString::number(100.0 * static_cast<double>(f.done) / static_cast<double>(f.total), 'f', 0))
                               : f.state;
            auto* item = files_->item(r, FState);
            item->setText(text);
            item->setToolTip(f.error);
        }
}

void HubPage::onDownloadDone(const QString& repo, const QString& dir, const QString& state, const QString& error) {
    cancel_->setEnabled(false);
    updateSelectionSummary();
    if (state != "finished") {
        showError(download_status_, error);
        return;
    }
    progress_->setValue(1000);
    clearError(download_status_);
    // GGUF files: the .gguf itself (a snapshot folder of several is no one model).
    const QString target = downloading_open_.isEmpty() ? dir : QDir(dir).filePath(downloading_open_);
    download_status_->setText(tr("Downloaded %1 into %2; opening it on the Model page.").arg(repo, target));
    emit openModelRequested(target);
}

void HubPage::onLoggedIn(const QString& user, const QStringList& orgs, const QString& role, const QString& error) {
    login_->setEnabled(true);
    if (!error.isEmpty()) {
        showError(account_, error);
        return;
    }
    clearError(account_);
    if (!user.isEmpty()) {
        QString text = tr("Logged in as %1").arg(user);
        if (!role.isEmpty()) text += tr(" (%1 token)").arg(role);
        if (!orgs.isEmpty()) text += tr("; organizations: %1").arg(orgs.join(", "));
        account_->setText(text);
        token_->clear();
    } else if (session_->hasToken()) {
        account_->setText(tr("Using the token %1 from %2").arg(session_->maskedToken(), session_->tokenWhere()));
    } else {
        account_->setText(tr("Not logged in: public models only. Gated and private models and uploads need a token."));
    }
    logout_->setEnabled(session_->hasToken());
}

void HubPage::refreshCache() {
    clearError(cache_status_);
    cache_status_->setText(tr("Scanning %1 and %2…").arg(session_->cacheRoot(HubSource::HuggingFace), session_->cacheRoot(HubSource::ModelScope)));
    session_->scanCache();
}

void HubPage::onCache(const QVector<HubCacheRow>& rows) {
    cache_->setRowCount(0);
    for (const auto& c : rows) {
        int r = cache_->rowCount();
        cache_->insertRow(r);
        auto* id = cell(c.repo_id, c.snapshot_dir);
        id->setToolTip(c.snapshot_dir);
        cache_->setItem(r, CRepo, id);
        cache_->setItem(r, CSource, cell(c.source));
        cache_->setItem(r, CSize, cell(bytes(c.size)));
        cache_->setItem(r, CFiles, cell(QString::number(c.files)));
        cache_->setItem(r, CSnapshot, cell(c.commit.left(12) + (c.refs.isEmpty() ? QString() : " (" + c.refs.join(", ") + ")")));
        cache_->setItem(r, CModified, cell(c.modified_s ? QDateTime::fromSecsSinceEpoch(c.modified_s).toString("yyyy-MM-dd HH:mm") : QString()));
    }
    cache_status_->setText(rows.isEmpty() ? tr("No models in %1 or %2 yet.").arg(session_->cacheRoot(HubSource::HuggingFace),
                                                                               session_->cacheRoot(HubSource::ModelScope))
                                          : tr("%n model(s) in the caches.", nullptr, num::clampTo<int>(rows.size())));
}

void HubPage::openSelectedCached() {
    auto rows = cache_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return;
    const QString dir = cache_->item(rows.first().row(), CRepo)->data(Qt::UserRole).toString();
    if (!QFileInfo(dir).isDir()) {
        showError(cache_status_, tr("%1 is gone; press Refresh.").arg(dir));
        return;
    }
    emit openModelRequested(dir);
}

}  // namespace srs::ui
