// The welcome view a start without a model shows: three big ways to get a model (open a folder,
// search the Hugging Face Hub, try the small sample model from the shared data folder) and the
// models opened before. It only asks; the main window does the opening.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

class QListWidget;
class QPushButton;
class QLabel;

namespace srs::ui {

// The sample the welcome offers: stories260K from the shared data folder, with the TinyStories
// calibration text when that is there too (as `installer/studio.sh launch` presets it).
struct SampleModel {
    QString model;        // the stories260K-hf folder; empty when not found
    QString calibration;  // TinyStories-train.first2MiB.txt; empty when not found
    bool found() const { return !model.isEmpty(); }
};

// Where a shared data folder may be, first match wins: $SRS_SHARED_DATA, then "shared/data" in
// the app's folder and each folder above it (so ../shared/data beside a source tree whose build
// holds the app), then ../shared/data from the working folder (the README's layout).
QStringList sharedDataCandidates(const QString& app_dir, const QString& working_dir);
// The sample in the first candidate that holds models/stories260K-hf/config.json.
SampleModel findSampleModel(const QStringList& shared_data_candidates);

// The models opened before, newest first (the Model page's list in the settings); lists name
// them by modelDisplayName (ui/model_name.h).
QStringList recentModelPaths();

class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget* parent = nullptr);

    // Enables Try the sample model, or disables it and says why when the sample was not found.
    void setSample(const SampleModel& sample);
    const SampleModel& sample() const { return sample_; }
    // Re-reads the recent models (when the welcome is shown again).
    void refreshRecent();

signals:
    void openFolderRequested();
    void searchHubRequested();
    void sampleRequested();
    void recentRequested(const QString& path);

private:
    QPushButton* bigButton(const QString& object_name, const QString& icon, const QString& title, const QString& detail);

    QPushButton* sample_button_ = nullptr;
    QListWidget* recent_ = nullptr;
    QLabel* recent_empty_ = nullptr;
    SampleModel sample_;
};

}  // namespace srs::ui
