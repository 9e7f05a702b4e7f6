#include "ui/run_history.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/common/numeric_cast.h"
#include "core/io/atomic_file.h"
#include "ui/model_name.h"

namespace srs::ui {
namespace {

using nlohmann::json;

std::string s(const QString& q) { return q.toStdString(); }
QString q(const json& j, const char* key) { return QString::fromStdString(j.value(key, std::string())); }

json toJson(const RunRecord& r) {
    json blocks = json::array();
    for (const auto& b : r.blocks) {
        json layers = json::array();
        for (const auto& l : b.layers)
            layers.push_back({{"name", s(l.name)}, {"bits", l.bits}, {"group_size", l.group_size}, {"weight_rel_error_rtn", l.error_rtn},
                              {"weight_rel_error_tuned", l.error_tuned}, {"flipped_fraction", l.flipped}});
        blocks.push_back({{"block", b.block}, {"rtn_loss", b.rtn_loss}, {"best_loss", b.best_loss}, {"best_iter", b.best_iter},
                          {"elapsed_ms", b.elapsed_ms}, {"layers", layers}});
    }
    json exports = json::array();
    for (const auto& e : r.exports) {
        json x = {{"format", s(e.format)}, {"path", s(e.path)}, {"size_bytes", e.size_bytes}};
        if (e.ppl > 0) x["ppl"] = e.ppl;
        if (e.bits_per_weight > 0) x["bits_per_weight"] = e.bits_per_weight;
        if (e.kld.has())
            x["kld"] = {{"mean", e.kld.mean}, {"median", e.kld.median}, {"p99", e.kld.p99}, {"top1_agreement", e.kld.top1}, {"ppl_ratio", e.kld.ppl_ratio}};
        exports.push_back(x);
    }
    json settings = json::object();
    if (!r.settings_json.isEmpty()) settings = json::parse(s(r.settings_json), nullptr, false);
    if (settings.is_discarded()) settings = json::object();
    json j = {{"version", 1},         {"time", s(r.time)},          {"model", s(r.model)},   {"settings", settings},
              {"run_dir", s(r.run_dir)}, {"output_dir", s(r.output_dir)}, {"elapsed_ms", r.elapsed_ms}, {"blocks", blocks},
              {"exports", exports}};
    if (!r.eval_text.isEmpty())
        j["evaluation"] = {{"text", s(r.eval_text)}, {"original_ppl", r.original_ppl}, {"original_bits_per_weight", r.original_bits_per_weight}};
    return j;
}

RunRecord fromJson(const json& j) {
    RunRecord r;
    r.time = q(j, "time");
    r.model = q(j, "model");
    if (j.contains("settings") && j["settings"].is_object()) r.settings_json = QString::fromStdString(j["settings"].dump());
    r.run_dir = q(j, "run_dir");
    r.output_dir = q(j, "output_dir");
    r.elapsed_ms = j.value("elapsed_ms", std::int64_t{0});
    for (const auto& b : j.value("blocks", json::array())) {
        BlockRecord br;
        br.block = b.at("block").get<int>();
        br.rtn_loss = b.value("rtn_loss", 0.0);
        br.best_loss = b.value("best_loss", 0.0);
        br.best_iter = b.value("best_iter", 0);
        br.elapsed_ms = b.value("elapsed_ms", std::int64_t{0});
        for (const auto& l : b.value("layers", json::array()))
            br.layers.push_back({q(l, "name"), l.value("bits", 0), l.value("group_size", 0), l.value("weight_rel_error_rtn", 0.0),
                                 l.value("weight_rel_error_tuned", 0.0), l.value("flipped_fraction", 0.0)});
        r.blocks.push_back(br);
    }
    for (const auto& e : j.value("exports", json::array())) {
        KldFigures k;
        if (e.contains("kld") && e["kld"].is_object()) {
            const auto& x = e["kld"];
            k = {x.value("mean", -1.0), x.value("median", -1.0), x.value("p99", -1.0), x.value("top1_agreement", -1.0), x.value("ppl_ratio", -1.0)};
        }
        r.exports.push_back({q(e, "format"), q(e, "path"), e.value("size_bytes", std::uint64_t{0}), e.value("bits_per_weight", 0.0),
                             e.value("ppl", 0.0), k});
    }
    if (j.contains("evaluation")) {
        const auto& ev = j["evaluation"];
        r.eval_text = q(ev, "text");
        r.original_ppl = ev.value("original_ppl", 0.0);
        r.original_bits_per_weight = ev.value("original_bits_per_weight", 0.0);
    }
    return r;
}

QString canonical(const QString& path) {
    QFileInfo fi(path);
    QString c = fi.canonicalFilePath();
    return c.isEmpty() ? QDir::cleanPath(fi.absoluteFilePath()) : c;
}

}  // namespace

int RunRecord::layerCount() const {
    int n = 0;
    for (const auto& b : blocks) n += num::clampTo<int>(b.layers.size());
    return n;
}

QString RunRecord::schemeLabel() const {
    json j = json::parse(s(settings_json), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return QObject::tr("unknown settings");
    const int group = j.value("group_size", 0);
    QString scheme = QStringLiteral("W%1%2%3").arg(j.value("bits", 0)).arg(group > 0 ? QStringLiteral("G%1").arg(group) : QString(),
                                                                        j.value("sym", true) ? QString() : QStringLiteral(" asym"));
    return QObject::tr("%1 %2, %3 iters").arg(scheme, q(j, "recipe")).arg(j.value("iters", 0));
}

RunHistory::RunHistory(QString folder) : folder_(folder.isEmpty() ? defaultFolder() : std::move(folder)) {}

QString RunHistory::defaultFolder() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/runs"; }

Status RunHistory::append(RunRecord& r) const {
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (r.time.isEmpty()) r.time = now.toString(Qt::ISODateWithMs);
    // A Hub download is named by its repository ("tiny_stories260K"), not its snapshot's commit.
    QString stem = modelDisplayName(r.model);
    stem.replace(QRegularExpression("[^A-Za-z0-9._-]"), "_");
    const QString base = now.toString("yyyyMMdd-HHmmss-zzz") + "-" + stem;
    r.id = base;
    for (int n = 2; QFileInfo::exists(folder_ + "/" + r.id + ".json"); ++n) r.id = base + "-" + QString::number(n);
    return write(r);
}

Status RunHistory::update(const RunRecord& r) const {
    if (r.id.isEmpty()) return makeError(ErrorCode::InvalidArgument, "the run was never saved to the history", "");
    return write(r);
}

Status RunHistory::write(const RunRecord& r) const {
    if (!QDir().mkpath(folder_))
        return makeError(ErrorCode::IoError, "cannot create the run history folder " + s(folder_), "check that it is writable");
    return io::writeFileAtomic(s(folder_ + "/" + r.id + ".json"), toJson(r).dump(2) + "\n");
}

QVector<RunRecord> RunHistory::load(const QString& model) const {
    QVector<RunRecord> runs;
    const QString want = model.isEmpty() ? QString() : canonical(model);
    for (const QFileInfo& fi : QDir(folder_).entryInfoList({"*.json"}, QDir::Files)) {
        auto text = io::readFile(s(fi.absoluteFilePath()));
        if (!text) continue;
        try {
            RunRecord r = fromJson(json::parse(*text));
            r.id = fi.completeBaseName();
            if (!want.isEmpty() && canonical(r.model) != want) continue;
            runs.push_back(std::move(r));
        } catch (const std::exception& e) {
            log::warn(QCoreApplication::translate("srs::ui::RunHistory", "skipping damaged run history file %1: %2").arg(fi.absoluteFilePath(), QString::fromUtf8(e.what())).toStdString());
        }
    }
    std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.time > b.time; });
    return runs;
}

}  // namespace srs::ui
