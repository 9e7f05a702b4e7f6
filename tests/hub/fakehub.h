// Runs tests/hub/fakehub.py for one test: starts it on a free port, and talks to its control
// endpoints (faults, request log) with the same libcurl wrapper the code under test uses.
#pragma once

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/hub/http.h"
#include "support/test_paths.h"

namespace srs::test {

inline QString fakeHubScript() { return QDir(sourceDir()).absoluteFilePath("tests/hub/fakehub.py"); }

class FakeHub {
public:
    FakeHub() = default;
    FakeHub(const FakeHub&) = delete;
    FakeHub& operator=(const FakeHub&) = delete;
    ~FakeHub() { stop(); }

    // args: --repo ID=DIR, --private-repo, --token, --tree-page-size … (see fakehub.py).
    bool start(const QStringList& args, QString* error) {
        QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty()) {
            *error = "python3 is not on PATH; the hub tests need it to run tests/hub/fakehub.py";
            return false;
        }
        if (!QFileInfo::exists(fakeHubScript())) {
            *error = fakeHubScript() + " not found; run the test through ctest, or set SRS_SOURCE_DIR to the source tree";
            return false;
        }
        proc_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        proc_.start(python, QStringList{fakeHubScript(), "--watch-stdin"} + args);
        if (!proc_.waitForStarted(10000)) {
            *error = "cannot start " + fakeHubScript() + ": " + proc_.errorString();
            return false;
        }
        QByteArray line;
        while (!line.contains('\n')) {
            if (!proc_.waitForReadyRead(15000)) {
                *error = "fakehub.py printed no port (exit code " + QString::number(proc_.exitCode()) + ")";
                return false;
            }
            line += proc_.readAllStandardOutput();
        }
        bool ok = false;
        port_ = line.trimmed().toInt(&ok);
        if (!ok || port_ <= 0) {
            *error = "fakehub.py printed '" + QString::fromUtf8(line) + "' instead of a port";
            return false;
        }
        return true;
    }

    void stop() {
        if (proc_.state() == QProcess::NotRunning) return;
        proc_.closeWriteChannel();  // --watch-stdin: it exits on EOF
        if (!proc_.waitForFinished(3000)) {
            proc_.kill();
            proc_.waitForFinished(3000);
        }
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    QString qurl() const { return QString::fromStdString(url()); }

    Status addFault(const nlohmann::json& fault) { return post("/_fake/faults", fault.dump()); }
    Status reset() { return post("/_fake/reset", "{}"); }
    Status clearFaults() { return post("/_fake/clear_faults", "{}"); }
    Status config(const nlohmann::json& cfg) { return post("/_fake/config", cfg.dump()); }

    // What uploads sent (see fakehub.py: creates, preuploads, batches, commits, lfs).
    nlohmann::json uploads() const {
        hub::HttpRequest req;
        req.url = url() + "/_fake/uploads";
        auto r = hub::httpSend(req);
        if (!r || r->status != 200) return nlohmann::json::object();
        return nlohmann::json::parse(r->body, nullptr, false);
    }

    nlohmann::json log() const {
        hub::HttpRequest req;
        req.url = url() + "/_fake/log";
        auto r = hub::httpSend(req);
        if (!r || r->status != 200) return nlohmann::json::array();
        return nlohmann::json::parse(r->body, nullptr, false);
    }

    // The logged requests that carried bytes of `file` (its GET on /resolve/ or on the CDN).
    std::vector<nlohmann::json> bodyRequests(const std::string& file) const {
        std::vector<nlohmann::json> out;
        for (const auto& e : log())
            if (e["method"] == "GET" && e["file"].is_string() && e["file"] == file && e["status"] != 302) out.push_back(e);
        return out;
    }

private:
    Status post(const std::string& path, const std::string& body) {
        hub::HttpRequest req;
        req.method = "POST";
        req.url = url() + path;
        req.body = body;
        req.headers = {{"Content-Type", "application/json"}};
        auto r = hub::httpSend(req);
        if (!r) return r.error();
        if (r->status != 200) return makeError(ErrorCode::Internal, "fakehub " + path + ": HTTP " + std::to_string(r->status));
        return {};
    }

    QProcess proc_;
    int port_ = 0;
};

// The Range header a logged request carried, or a readable stand-in (comparisons then fail
// with a message instead of a JSON type exception).
inline std::string rangeOf(const nlohmann::json& request) {
    auto it = request.find("range");
    return it != request.end() && it->is_string() ? it->get<std::string>() : std::string("(no Range header)");
}

inline QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Hashes computed here with Qt, independently of core/hub/sha.cpp.
inline std::string sha256Of(const QByteArray& data) {
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex().toStdString();
}
inline std::string gitSha1Of(const QByteArray& data) {
    QByteArray blob = "blob " + QByteArray::number(data.size()) + '\0' + data;
    return QCryptographicHash::hash(blob, QCryptographicHash::Sha1).toHex().toStdString();
}

// Writes a small repository with nested folders for depth-aware symlink checks.
inline bool writeNestedRepo(const QString& dir) {
    auto put = [&](const QString& rel, const QByteArray& data) {
        QString p = dir + "/" + rel;
        QDir().mkpath(QFileInfo(p).absolutePath());
        QFile f(p);
        return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
    };
    QByteArray weights(200 * 1024, '\0');
    for (int i = 0; i < weights.size(); ++i) weights[i] = static_cast<char>((i * 131 + i / 977) & 0xff);
    return put("config.json", R"({"model_type": "llama", "hidden_size": 8})") && put("sub/notes.txt", "nested notes\n") &&
           put("sub/dir/weights.safetensors", weights) && put("empty.txt", QByteArray());
}

}  // namespace srs::test

#define SRS_START_FAKEHUB(hub, args)                                  \
    do {                                                              \
        QString srs_fakehub_error_;                                   \
        QVERIFY2((hub).start(args, &srs_fakehub_error_), qPrintable(srs_fakehub_error_)); \
    } while (0)
