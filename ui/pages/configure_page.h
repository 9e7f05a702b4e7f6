// The Configure page: scheme, recipe and tuning knobs, calibration files, export formats and
// output folder for the model opened on the Model page (Settings tab), per-layer overrides that
// become the run's layer_config, and an AutoScheme tab that scores the layers and proposes a
// mix. A pre-flight estimate of peak memory, tuning time and output sizes is recomputed off the
// GUI thread whenever a setting changes. Start hands a JobConfig to the run.
#pragma once

#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <string>

#include "core/common/result.h"
#include "core/device/estimator.h"
#include "core/job/job_config.h"
#include "ui/pages/autoscheme_panel.h"
#include "ui/pages/layer_overrides.h"

class QComboBox;
class QGridLayout;
class QGroupBox;
class QSpinBox;
class QDoubleSpinBox;
class QCheckBox;
class QLineEdit;
class QListWidget;
class QLabel;
class QPushButton;
class QTabWidget;
class QTimer;
class QVBoxLayout;

namespace srs::exporter {
struct GgufFileType;
}

namespace srs::ui {

// The rate in GFLOP/s a tuning step of this model runs at with these settings (measured with
// LibTorch: device::measureTuningGflops, given by app/gui/main.cpp). Called off the GUI thread.
using TuningRateFn = std::function<double(const job::JobConfig& config)>;

// What the estimate worker hands back (default-constructible, for QFuture).
struct EstimateOutcome {
    int generation = 0;
    std::string config_key;    // jobConfigToJson of the settings estimated, dumped
    bool plan_checked = false;  // the model opened and job::planRun ran on these settings
    bool ok = false;
    std::string error;
    device::JobEstimate estimate;
};

class ConfigurePage : public QWidget {
    Q_OBJECT
public:
    explicit ConfigurePage(QWidget* parent = nullptr);
    ~ConfigurePage() override;

    void setModel(const QString& folder);
    // Keeps the sequence length within the model's context.
    void setMaxSeqlen(int max_positions);
    void setCalibrationFiles(const QStringList& files);
    void setOutputDir(const QString& dir);
    // Lets the user pick the output folder (a folder dialog).
    void chooseOutputFolder() { chooseOutputDir(); }
    // Presets of single settings (the app's command line): as if typed into the form.
    void setBits(int bits);
    void setGroupSize(int group_size);
    void setIters(int iters);
    void setNsamples(int nsamples);
    void setSeqlen(int seqlen);
    void setEvalText(const QString& file);
    // Defaults from the Settings dialog: output folder (when none is chosen yet) and device.
    void applySettings(const QString& default_output_dir, const QString& device);
    QStringList devices() const;
    // Fills a JobConfig from the form; false (and the reason shown on the page) when incomplete.
    bool buildConfig(job::JobConfig* config, QString* error) const;

    // The scoring function of the AutoScheme tab (runAutoScheme, from app/gui/main.cpp).
    void setAutoSchemeRunner(AutoSchemeRunner runner);
    // Enables the time estimate: the rate is measured once per model and batch shape, off the GUI thread.
    void setTuningRateProvider(TuningRateFn rate);
    AutoSchemePanel* autoSchemePanel() const { return autoscheme_; }
    LayerOverridesEditor* overridesEditor() const { return overrides_; }
    // Shows a tab: 0 Settings, 1 Per-layer overrides, 2 AutoScheme.
    void showTab(int index);
    // The text of the estimate line, and the last estimate (for tests and the status bar).
    QString estimateText() const;

public slots:
    void applyPreset(const QString& name);
    void applyRecipe(const QString& recipe);
    void requestStart();
    // Recomputes the estimate shortly (coalescing bursts of changes).
    void scheduleEstimate();

signals:
    void startRequested(const srs::job::JobConfig& config);
    void estimateUpdated(const QString& text);

private:
    // Builders of the constructor, top to bottom.
    QWidget* buildSettingsTab();
    QGroupBox* buildSchemeBox(QWidget* parent);
    QGroupBox* buildTuningBox(QWidget* parent);
    QGroupBox* buildDataBox(QWidget* parent);
    void addCalibrationList(QWidget* box, QVBoxLayout* layout);
    QGridLayout* buildFormatGrid(QWidget* box);
    void addOutputFields(QWidget* box, QVBoxLayout* layout);
    void addLayerTabs();
    void buildFooter(QVBoxLayout* layout);
    void setUpEstimate();

    void addCalibrationFiles();
    void removeCalibrationFile();
    void chooseOutputDir();
    void applyGgufMix(const exporter::GgufFileType& mix);
    // The form as a JobConfig without the completeness checks of buildConfig (for the estimate).
    job::JobConfig currentConfig() const;
    QStringList calibrationFiles() const;
    void runEstimate();
    void showEstimate(const EstimateOutcome& outcome);

    QString model_;
    QTabWidget* tabs_ = nullptr;
    QComboBox* preset_ = nullptr;
    QSpinBox* bits_ = nullptr;
    QComboBox* group_ = nullptr;
    QCheckBox* sym_ = nullptr;
    QComboBox* recipe_ = nullptr;
    QSpinBox* iters_ = nullptr;
    QSpinBox* nsamples_ = nullptr;
    QSpinBox* seqlen_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QDoubleSpinBox* lr_ = nullptr;
    QDoubleSpinBox* minmax_lr_ = nullptr;
    QComboBox* device_ = nullptr;
    QString default_output_;
    QListWidget* datasets_ = nullptr;
    QCheckBox* fmt_auto_round_ = nullptr;
    QCheckBox* fmt_gptq_ = nullptr;
    QCheckBox* fmt_awq_ = nullptr;
    QCheckBox* fmt_fake_ = nullptr;
    QCheckBox* fmt_gguf_ = nullptr;
    QComboBox* gguf_type_ = nullptr;
    QLineEdit* output_ = nullptr;
    QLineEdit* eval_text_ = nullptr;
    QLabel* model_label_ = nullptr;
    QLabel* estimate_ = nullptr;
    QLabel* error_ = nullptr;
    QPushButton* start_ = nullptr;
    LayerOverridesEditor* overrides_ = nullptr;
    AutoSchemePanel* autoscheme_ = nullptr;

    TuningRateFn rate_;
    QTimer* estimate_timer_ = nullptr;
    QFutureWatcher<EstimateOutcome>* estimate_watcher_ = nullptr;
    int estimate_generation_ = 0;
    bool estimate_pending_ = false;
    // The latest plan check the estimate worker made off the GUI thread: for which settings, and its error.
    std::string checked_key_;
    std::string checked_error_;
};

}  // namespace srs::ui
