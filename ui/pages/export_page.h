// The Export page: the folders and files a finished run wrote, with sizes; "Open folder" in the
// system's file manager; and re-export of the run in another format (packed or a llama.cpp GGUF
// mix) from its checkpoint, without tuning again. The re-export runs core's reexportRun on a
// worker thread through its own JobController; its files are added to the run's history record.
// Before writing, the page says how many of the format's tensors can come from the run's tuned
// scales (core's planReexportSources); when none can, the result would be plain round-to-nearest
// and a confirmation offers Re-export anyway / Tune for this format / Cancel. After writing, the
// status line says how many tensors came from the tuned scales.
// Conversion of the model open on the Model page to a GGUF (f16, bf16, f32, or q8_0 by
// round-to-nearest) without quantizing: core's convertModel on a second JobController; the
// written folders join the page's file list (not the run's record).
#pragma once

#include <QWidget>

#include "ui/run_history.h"

class QComboBox;
class QLabel;
class QLayout;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace srs::exporter {
struct TensorSources;
}

namespace srs::ui {

class ExportPage : public QWidget {
    Q_OBJECT
public:
    // reexport: core's reexportRun; without one the re-export controls are hidden.
    ExportPage(RunHistory history, ReexportRunner reexport, QWidget* parent = nullptr);

    void showRun(const RunRecord& record);
    bool hasRun() const { return has_run_; }
    const RunRecord& run() const { return run_; }
    QTreeWidget* filesTree() const { return tree_; }
    JobController* reexportController() const { return controller_; }
    // Blocks re-export while a quantization run may be rewriting the checkpoint.
    void setBusy(bool busy);
    // The model open on the Model page (a folder or a .gguf file), for conversion; empty: none,
    // and the convert controls are disabled.
    void setModel(const QString& path);
    const QString& model() const { return model_; }
    JobController* convertController() const { return convert_controller_; }
    // What conversions wrote in this session (newest last), as listed in the file list.
    const QVector<ExportRecord>& conversions() const { return converted_; }

public slots:
    void openSelectedFolder();
    void startReexport();
    // Emits uploadRequested for the selected export's folder (the first one when none is selected).
    void requestUpload();
    // Converts the open model into the chosen type and output folder off the GUI thread.
    void startConvert();
    void cancelConvert();

signals:
    void uploadRequested(const QString& folder);
    // After a re-export: how it ended, and the run's record (with the new files when it succeeded).
    void reexported(const srs::ui::RunOutcome& outcome, const srs::ui::RunRecord& record);
    // After a conversion: how it ended, with the files it wrote.
    void converted(const srs::ui::RunOutcome& outcome);
    // "Tune for this format" in the re-export confirmation: a new run should be set up on the
    // Configure page to tune for `format` ("gguf:q4_k_m"), so each layer is tuned in the type it
    // is written in. The main window connects it.
    void tuneForFormatRequested(const QString& format);

private:
    void refresh();
    void onReexportFinished(const RunOutcome& outcome);
    // The "from this run" line under the format: what the chosen format takes from the tuning.
    void updateReexportSources();
    // "0 of 43 tensors from SignRound's tuned scales, 38 rounded to nearest again …", translated.
    QString describeSources(const exporter::TensorSources& sources) const;
    // When no tensor of the format can use the tuned scales: asks Re-export anyway (true) /
    // Tune for this format (emits tuneForFormatRequested) / Cancel.
    bool confirmUntunedReexport(const QString& format, const exporter::TensorSources& sources);
    void buildConvertBox(QLayout* layout);
    void onConvertFinished(const RunOutcome& outcome);
    void updateConvertControls();
    void addTreeEntry(const ExportRecord& e, const QString& label);

    RunHistory history_;
    RunRecord run_;
    bool has_run_ = false;
    bool busy_ = false;
    JobController* controller_ = nullptr;
    ReexportRunner reexport_runner_;
    QLabel* summary_ = nullptr;
    QTreeWidget* tree_ = nullptr;
    QPushButton* open_ = nullptr;
    QPushButton* upload_ = nullptr;
    QComboBox* format_ = nullptr;
    QLineEdit* output_ = nullptr;
    QPushButton* reexport_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* sources_ = nullptr;      // what the chosen format takes from the run's tuning
    QString pending_sources_;        // the same for the running re-export, for its final message
    bool pending_untuned_ = false;   // the running re-export uses none of the tuned scales

    QString model_;
    QVector<ExportRecord> converted_;
    QString last_converted_dir_;
    bool convert_output_edited_ = false;  // the user chose the folder: a new model keeps it
    JobController* convert_controller_ = nullptr;
    QLabel* convert_model_ = nullptr;
    QComboBox* convert_type_ = nullptr;
    QLineEdit* convert_output_ = nullptr;
    QPushButton* convert_browse_ = nullptr;
    QPushButton* convert_ = nullptr;
    QPushButton* convert_cancel_ = nullptr;
    QPushButton* convert_open_ = nullptr;
    QLabel* convert_status_ = nullptr;
};

}  // namespace srs::ui
