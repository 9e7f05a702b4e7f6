// The Hub page: find a model on the Hugging Face Hub (search as you type, paged results with
// downloads, likes, date, parameters, size and gated/private badges) or name one on ModelScope,
// see its files with the ones a quantization needs ticked, download them into the shared cache
// with per-file and total progress, ETA, Cancel and resume; a Local cache tab lists the models
// already downloaded, and "Open" hands a snapshot folder to the Model page (openModelRequested).
// A repository with .gguf files also shows them grouped by quantization type (size, whether the
// type is a good source for a quantization); selecting a type ticks exactly its files, and once
// they are downloaded the .gguf file itself (the first part of a split one) is opened.
// Log in with a token (checked with whoami; saved only when asked). All network work runs in
// HubSession's worker threads.
#pragma once

#include <QWidget>

#include "ui/hub_session.h"

class QCheckBox;
class QComboBox;
class QGroupBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace srs::ui {

class HubPage : public QWidget {
    Q_OBJECT
public:
    explicit HubPage(HubSession* session, QWidget* parent = nullptr);

    HubSession* session() const { return session_; }
    HubSource source() const;
    // Sets the search text (as if typed) and searches at once.
    void searchFor(const QString& text);
    QTableWidget* resultsTable() const { return results_; }
    QTableWidget* filesTable() const { return files_; }
    QTableWidget* cacheTable() const { return cache_; }
    // The GGUF files grouped by type (one row per type; hidden when the repository has none).
    QTableWidget* ggufTable() const { return gguf_; }
    // Selects the GGUF group of `type` ("Q8_0"), which ticks exactly its files; false if none.
    bool selectGgufType(const QString& type);
    QStringList checkedFiles() const;
    QString selectedRepo() const { return repo_; }

public slots:
    void selectRepo(const QString& repo_id);
    void startDownload();
    void refreshCache();
    void openSelectedCached();

signals:
    void openModelRequested(const QString& folder);
    // After a search's results are shown (also when it failed; rows = 0).
    void searchShown(int rows);
    void filesShown(int rows);

private:
    enum class FileTick { None, All, Needed };

    // Builders of the constructor, top to bottom.
    QHBoxLayout* buildSearchRow();
    QHBoxLayout* buildAccountRow();
    QWidget* buildSearchTab();
    QWidget* buildResultsPane(QWidget* parent);
    QWidget* buildFilesPane(QWidget* parent);
    QWidget* buildGgufPane(QWidget* parent);
    QHBoxLayout* buildDownloadButtons(QWidget* parent);
    QWidget* buildCacheTab();
    void connectSearch();
    void connectFiles();
    void connectGguf();
    void connectAccount();
    void connectCache();
    void connectSession();

    void onSearchEntered();
    void onResultSelected();
    void tickFiles(FileTick which);
    void tickOnly(const QStringList& paths);
    void showGgufGroups(const QVector<HubFileRow>& files);
    void onGgufSelected();
    void syncGgufSelection();
    QString ggufFileToOpen(const QStringList& files) const;
    void logIn();
    void logOut();
    void runSearch();
    void onSearchDone(quint64 request, const QVector<HubModelRow>& rows, const QString& next, bool append, const QString& error);
    void onFiles(const QString& repo, const QVector<HubFileRow>& files, const QString& error);
    void onProgress(const HubDownloadStatus& s);
    void onDownloadDone(const QString& repo, const QString& dir, const QString& state, const QString& error);
    void onLoggedIn(const QString& user, const QStringList& orgs, const QString& role, const QString& error);
    void onCache(const QVector<HubCacheRow>& rows);
    void onSourceChanged();
    void updateSelectionSummary();
    // An error in place of a status line (wrapping, never widening the window; the whole text also
    // as its tooltip), and back to a plain status.
    void showError(QLabel* label, const QString& text);
    void clearError(QLabel* label);

    HubSession* session_;
    QComboBox* source_ = nullptr;
    QLineEdit* search_ = nullptr;
    QComboBox* sort_ = nullptr;
    QTimer* debounce_ = nullptr;
    QLineEdit* token_ = nullptr;
    QCheckBox* remember_ = nullptr;
    QPushButton* login_ = nullptr;
    QPushButton* logout_ = nullptr;
    QLabel* account_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QTableWidget* results_ = nullptr;
    QPushButton* more_ = nullptr;
    QLabel* search_status_ = nullptr;
    QLabel* repo_label_ = nullptr;
    QTableWidget* files_ = nullptr;
    QSplitter* files_split_ = nullptr;
    QGroupBox* gguf_box_ = nullptr;
    QTableWidget* gguf_ = nullptr;
    QPushButton* pick_needed_ = nullptr;
    QPushButton* pick_all_ = nullptr;
    QPushButton* pick_none_ = nullptr;
    QPushButton* download_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* download_status_ = nullptr;
    QTableWidget* cache_ = nullptr;
    QPushButton* refresh_cache_ = nullptr;
    QPushButton* open_cached_ = nullptr;
    QLabel* cache_status_ = nullptr;
    quint64 pending_search_ = 0;
    QString next_url_;
    QString repo_;
    QString downloading_repo_;
    QString downloading_open_;  // the .gguf file to open once downloaded; empty: the snapshot folder
};

}  // namespace srs::ui
