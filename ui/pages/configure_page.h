// The Configure page: scheme, recipe and tuning knobs, calibration files, export formats and
// output folder for the model opened on the Model page; Start hands a JobConfig to the run.
#pragma once

#include <QWidget>

#include "core/job/job_config.h"

class QComboBox;
class QSpinBox;
class QCheckBox;
class QLineEdit;
class QListWidget;
class QLabel;
class QPushButton;

namespace srs::ui {

class ConfigurePage : public QWidget {
    Q_OBJECT
public:
    explicit ConfigurePage(QWidget* parent = nullptr);

    void setModel(const QString& folder);
    // Keeps the sequence length within the model's context.
    void setMaxSeqlen(int max_positions);
    void setCalibrationFiles(const QStringList& files);
    void setOutputDir(const QString& dir);
    // Defaults from the Settings dialog: output folder (when none is chosen yet) and device.
    void applySettings(const QString& default_output_dir, const QString& device);
    QStringList devices() const;
    // Fills a JobConfig from the form; false (and the reason shown on the page) when incomplete.
    bool buildConfig(job::JobConfig* config, QString* error) const;

public slots:
    void applyPreset(const QString& name);
    void applyRecipe(const QString& recipe);
    void requestStart();

signals:
    void startRequested(const srs::job::JobConfig& config);

private:
    QString model_;
    QComboBox* preset_ = nullptr;
    QSpinBox* bits_ = nullptr;
    QComboBox* group_ = nullptr;
    QCheckBox* sym_ = nullptr;
    QComboBox* recipe_ = nullptr;
    QSpinBox* iters_ = nullptr;
    QSpinBox* nsamples_ = nullptr;
    QSpinBox* seqlen_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QComboBox* device_ = nullptr;
    QString default_output_;
    QListWidget* datasets_ = nullptr;
    QCheckBox* fmt_auto_round_ = nullptr;
    QCheckBox* fmt_gptq_ = nullptr;
    QCheckBox* fmt_awq_ = nullptr;
    QCheckBox* fmt_fake_ = nullptr;
    QLineEdit* output_ = nullptr;
    QLineEdit* eval_text_ = nullptr;
    QLabel* model_label_ = nullptr;
    QLabel* error_ = nullptr;
    QPushButton* start_ = nullptr;
};

}  // namespace srs::ui
