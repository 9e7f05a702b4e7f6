// The Configure page: scheme, recipe and tuning knobs, calibration files, export formats and
// output folder for the model opened on the Model page (Settings tab), per-layer overrides that
// become the run's layer_config, and an AutoScheme tab that scores the layers and proposes a
// mix. A pre-flight estimate of peak memory, tuning time and output sizes is recomputed off the
// GUI thread whenever a setting changes; it depends on the settings alone. Before Start the page
// checks the model, the calibration set, the output folder and the evaluation text, shows each
// problem beside its field and keeps Start disabled (with the reason) until all are fixed. The
// settings and the folders of its file dialogs are kept in QSettings across restarts.
// Start hands a JobConfig to the run.
#pragma once

#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <string>

#include "core/common/result.h"
#include "core/device/device_choice.h"
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
class QScrollArea;
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
    // The device names of the picker ("auto", "cpu", "cuda:0", ...).
    QStringList devices() const;
    // The picker's entries, each shown by its label ("auto: cuda:0 (NVIDIA H200, 139.8 GiB)",
    // "cpu", "cuda:0 (...)"): what LibTorch can use (device::usableDevices, from app/gui/main.cpp).
    // Until then: auto and the CPU.
    void setDeviceChoices(const std::vector<device::ResolvedDevice>& choices);
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
    // Why Start is disabled now (the first problem of the pre-flight checks); empty when it can start.
    QString startBlockedReason() const { return blocked_reason_; }

public slots:
    void applyPreset(const QString& name);
    // Sets the scheme and format up to tune for this export format ("gguf:q4_k_m", "gguf:q8_0"):
    // the Export page's "Tune for this format".
    void tuneForFormat(const QString& format);
    void applyRecipe(const QString& recipe);
    void requestStart();
    // Recomputes the estimate shortly (coalescing bursts of changes).
    void scheduleEstimate();
    // Runs the pre-flight checks now: the errors beside the fields, Start and its reason. True when
    // nothing stops a start.
    bool validate();

signals:
    void startRequested(const srs::job::JobConfig& config);
    void estimateUpdated(const QString& text);

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    // Builders of the constructor, top to bottom.
    QScrollArea* scrollable(QWidget* content, const char* name);
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
    void setUpValidation();
    QLabel* addFieldError(QWidget* parent, QVBoxLayout* layout, const char* name);

    // Settings kept across restarts (QSettings "configure/..."): restored when the page is
    // built, saved at every change (persistState: not while restoring) and when the page goes.
    void restoreState();
    void saveState() const;
    void persistState();

    void addCalibrationFiles();
    void addCalibrationEntry(const QString& entry);
    void removeCalibrationFile();
    void chooseOutputDir();
    void chooseEvalText();
    QString presetKey() const;
    QString ggufTypeKey() const;
    void markCustomIfEdited();

    // What the pre-flight checks found, field by field (empty text: nothing wrong there).
    struct FieldProblem {
        QString text;  // in GUI terms, paths shortened to fit
        QString path;  // the full path it is about, for the tooltip
    };
    struct FieldProblems {
        FieldProblem model, calibration, formats, output, eval_text;
        // The first problem, top of the page to bottom; empty when none.
        QString first() const;
    };
    FieldProblems checkFields() const;
    QString shortPath(const QString& path) const;
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
    QLabel* error_ = nullptr;  // the reason Start is disabled or was refused, beside Start
    QLabel* model_error_ = nullptr;
    QLabel* calibration_error_ = nullptr;
    QLabel* formats_error_ = nullptr;
    QLabel* output_error_ = nullptr;
    QLabel* eval_error_ = nullptr;
    QPushButton* start_ = nullptr;
    QString blocked_reason_;
    bool restoring_ = false;
    bool applying_preset_ = false;
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
