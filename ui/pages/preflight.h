// The Configure page's checks before Start, without widgets: is the output folder one the run can
// write to (or make), are the calibration entries readable files or Hub dataset ids, is the
// evaluation text a readable file. Each check names what is wrong and the path it is about; the
// page turns that into words beside the field. Plain QtCore; cheap enough to run on every edit.
#pragma once

#include <QString>
#include <QStringList>

namespace srs::ui {

enum class OutputProblem {
    None,
    Empty,          // no folder given
    IsAFile,        // the path names a file, not a folder
    UnderAFile,     // a parent of the (not yet existing) folder is a file: it cannot be made
    NotWritable,    // the folder (or the nearest existing parent, for one still to be made) refuses a new file
};

struct OutputCheck {
    OutputProblem problem = OutputProblem::None;
    QString path;  // the path the problem is about (the folder itself, or the parent in the way)
};

// Tries a temporary file (removed at once) in the folder, or in its nearest existing parent when
// the folder is still to be made; makes no folder.
OutputCheck checkOutputFolder(const QString& dir);

enum class FileProblem {
    None,
    Empty,       // no entry at all (calibration), or an empty path
    Missing,     // no such file (and, for calibration, not a Hub dataset id either)
    NotAFile,    // a folder or something else
    Unreadable,  // exists but cannot be opened for reading
};

struct FileCheck {
    FileProblem problem = FileProblem::None;
    QString path;
};

// One text file the run will read.
FileCheck checkReadableFile(const QString& path);
// The calibration entries: the first that is neither a readable file nor a Hub dataset id
// (ORG/NAME[:split[:column]]), or Empty when there are none.
FileCheck checkCalibration(const QStringList& entries);

// The folder a file dialog opened for `purpose` ("calibration", "output", "evalText") starts in:
// the last folder used for it (kept in QSettings), when it still exists; else fallback.
QString lastDialogFolder(const QString& purpose, const QString& fallback = {});
// Remembers the folder of `path` (a file or a folder) for the next dialog of `purpose`.
void rememberDialogFolder(const QString& purpose, const QString& path);

}  // namespace srs::ui
