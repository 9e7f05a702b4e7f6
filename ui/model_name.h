// How the interface names a model: a model downloaded into a Hub cache by its repository id
// ("org/name", with the file's path below the snapshot for a .gguf file in one), never by the
// commit folder it sits in; any other model by its folder or file name.
#pragma once

#include <QString>

namespace srs::ui {

// "org/name" for …/models--org--name/snapshots/<commit>, "org/name/x.gguf" for a file in it,
// else the last path component ("stories260K-hf", "model.gguf"); the path itself when it has none.
QString modelDisplayName(const QString& path);
// The repository id when path is in a Hub cache snapshot, else empty.
QString hubRepoOf(const QString& path);

}  // namespace srs::ui
