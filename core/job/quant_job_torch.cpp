// The quantization pipeline (see quant_job.h). Memory: one decoder block's weights, its tuning
// parameters and three activation caches (FP inputs, FP outputs, quantized-chain inputs) of
// nsamples × seqlen × hidden — never the whole model, whatever its depth.
//
// Checkpoint layout in the run folder (default <output_dir>/.signround-run):
//   block_NNN.safetensors   the quantized layers of block NNN (q, scales, zeros, bias) + stats
//   activations.safetensors the next block's FP and quantized-chain inputs
//   state.json              settings fingerprint and the next block to tune (run_state.h)
// Each file is written atomically, in that order, so a kill at any moment leaves a consistent
// checkpoint; --resume continues at the next block and, with the same seed, gives the same output.
#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "core/common/log.h"
#include "core/common/units.h"
#include "core/data/calibration.h"
#include "core/data/dataset_source.h"
#include "core/device/hardware.h"
#include "core/eval/perplexity.h"
#include "core/export/gguf_export.h"
#include "core/export/gguf_plan.h"
#include "core/export/model_card.h"
#include "core/export/packed_export.h"
#include "core/hub/hub_cache.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"
#include "core/job/export_format.h"
#include "core/job/quant_job.h"
#include "core/job/run_state.h"
#include "core/model/llama_model.h"
#include "core/quant/layer_config.h"
#include "core/quant/signround.h"
#include "core/tokenizer/load_tokenizer.h"
#include "kernels/linear.h"

namespace fs = std::filesystem;

namespace srs::job {
namespace {

using Clock = std::chrono::steady_clock;
std::int64_t msSince(Clock::time_point t) { return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count(); }

struct Failure {
    Error error;
};

template <typename T>
T check(Result<T> r) {
    if (!r) throw Failure{r.error()};
    return std::move(*r);
}
void check(const Status& s) {
    if (!s) throw Failure{s.error()};
}

nlohmann::json fingerprint(const JobConfig& c) { return settingsFingerprint(c); }

io::DType dtypeOf(const at::Tensor& t) { return t.scalar_type() == at::kBFloat16 ? io::DType::BF16 : io::DType::F32; }

at::Tensor tensorFromView(const io::TensorView& v) {
    at::ScalarType st = v.info->dtype == io::DType::BF16 ? at::kBFloat16 : v.info->dtype == io::DType::F32 ? at::kFloat
                      : v.info->dtype == io::DType::I32  ? at::kInt
                                                         : at::kByte;
    at::Tensor t = at::empty(v.info->shape, st);
    std::memcpy(t.data_ptr(), v.data, v.info->sizeBytes());
    return t;
}

class Pipeline {
public:
    Pipeline(const JobConfig& c, JobObserver& o, const CancelToken& cancel) : cfg_(c), obs_(o), cancel_(cancel) {}

    // reexport_dir non-empty: export the finished run in that folder instead of tuning.
    JobFinished run(const std::string& reexport_dir = {}) {
        JobFinished fin;
        start_ = Clock::now();
        paused_at_start_ = cancel_.pausedMs();
        int sink = log::addSink([this](log::Level l, const std::string& m) { obs_.onLog(static_cast<int>(l), m); });
        try {
            if (reexport_dir.empty())
                runSteps(fin);
            else
                reexportSteps(reexport_dir, fin);
            fin.state = JobState::Finished;
        } catch (const Failure& f) {
            fin.state = f.error.code == ErrorCode::Cancelled ? JobState::Cancelled : JobState::Failed;
            fin.message = f.error.message;
            fin.hint = f.error.hint;
            if (fin.state == JobState::Cancelled && next_block_ > 0)
                fin.hint = "the checkpoint keeps " + std::to_string(next_block_) + " finished block(s); run again with --resume to continue";
        } catch (const std::exception& e) {
            fin.state = JobState::Failed;
            fin.message = std::string("unexpected error: ") + e.what();
        }
        log::removeSink(sink);
        fin.elapsed_ms = activeMsSince(start_, paused_at_start_);
        fin.peak_rss_bytes = device::peakRssBytes();
        obs_.onFinished(fin);
        return fin;
    }

private:
    void phase(const std::string& p, const std::string& detail = {}) { obs_.onPhase({p, detail}); }

    // Wall time since t minus the time spent paused since then (paused_then: pausedMs() at t).
    std::int64_t activeMsSince(Clock::time_point t, std::int64_t paused_then) const {
        return std::max<std::int64_t>(0, msSince(t) - (cancel_.pausedMs() - paused_then));
    }

    // A safe point that says so in the log when the run is paused there: waits (no CPU) until
    // continued or cancelled. check() waits silently at every other safe point.
    void pausePoint(const std::string& where) {
        if (!cancel_.paused()) return;
        const std::int64_t before = cancel_.pausedMs();
        log::info("paused " + where);
        cancel_.waitWhilePaused();
        if (!cancel_.cancelled()) log::info("continued after " + units::formatDuration(cancel_.pausedMs() - before) + " paused");
    }

    void runSteps(JobFinished& fin) {
        check(applyRecipe(cfg_));
        if (cfg_.output_dir.empty()) throw Failure{makeError(ErrorCode::InvalidArgument, "no output folder", "give --output_dir DIR")};
        if (cfg_.device != "cpu")
            throw Failure{makeError(ErrorCode::Unsupported, "device '" + cfg_.device + "' is not available in this build",
                                    "use --device cpu (this LibTorch is CPU-only)")};
        parseFormats();
        compute_dtype_ = check(model::parseComputeDtype(cfg_.amp_dtype));
        source_ = check(io::openWeightSource(cfg_.model));
        const auto& mc = source_->config();
        num_blocks_ = static_cast<int>(mc.num_hidden_layers);
        planLayers();
        run_dir_ = cfg_.effectiveRunDir();

        JobStarted started;
        started.model = cfg_.model;
        started.num_blocks = num_blocks_;
        started.layers_to_quantize = layers_to_quantize_;
        started.device = cfg_.device;
        started.settings = jobConfigToJson(cfg_);
        bool resumed = tryResume();
        started.resumed_from_block = resumed ? next_block_ : -1;
        obs_.onStarted(started);
        if (!resumed) calibrate();

        auto rope = model::Rope(mc);
        auto [cos, sin] = rope.cosSin(at::arange(seqlen_, at::kLong));
        cos_ = cos;
        sin_ = sin;
        phase("tuning", std::to_string(num_blocks_ - next_block_) + " blocks");
        for (int k = next_block_; k < num_blocks_; ++k) tuneOne(k);

        phase("exporting");
        auto qm = assemble();
        exportAll(qm, fin);
        if (!cfg_.eval_text.empty()) evaluate(qm, fin);
        writeCards(qm, fin);
        std::error_code ec;
        fs::remove(fs::path(run_dir_) / "activations.safetensors", ec);  // blocks stay for `signround export`
        writeState(num_blocks_, true);
    }

    void reexportSteps(const std::string& run_dir, JobFinished& fin) {
        run_dir_ = run_dir;
        const RunState st = check(readRunState(run_dir));
        if (!st.finished)
            throw Failure{makeError(ErrorCode::InvalidArgument, "the run in " + run_dir + " has not finished",
                                    "finish it with signround quantize --resume first")};
        JobConfig saved = check(jobConfigFromJson(st.fingerprint));
        saved.formats = cfg_.formats;
        saved.output_dir = cfg_.output_dir;
        cfg_ = saved;
        parseFormats();
        source_ = check(io::openWeightSource(cfg_.model));
        num_blocks_ = static_cast<int>(source_->config().num_hidden_layers);
        phase("exporting", "from " + run_dir);
        auto qm = assemble();
        // Layers in blocks that the run kept in full precision.
        for (int k = 0; k < num_blocks_; ++k)
            for (const auto& l : model::blockLinearNames()) {
                std::string name = "model.layers." + std::to_string(k) + "." + l;
                if (!qm.layers.count(name)) qm.fp_layers.push_back(name);
            }
        for (const auto& f : formats_)
            for (const auto& [name, l] : qm.layers)
                if (auto ok = f.isGguf() ? Status{} : exporter::checkPackable(f.packed, l.out_features, l.in_features, l.bits, l.group_size); !ok)
                    throw Failure{makeError(ErrorCode::Unsupported, name + " cannot be written as " + f.name + ": " + ok.error().message,
                                            "export it as fake, or quantize again with --format " + f.name)};
        exportAll(qm, fin);
        writeCards(qm, fin);
    }

    void parseFormats() {
        cfg_.formats = requestedExportFormats(cfg_.formats);
        formats_ = check(parseExportFormats(cfg_.formats));
    }

    // The format an exported file was written in (exportAll writes one file per format).
    const ExportFormat& formatOf(const ExportedFile& file) const {
        for (const auto& f : formats_)
            if (f.name == file.format) return f;
        throw Failure{makeError(ErrorCode::Internal, "no export format named '" + file.format + "'")};
    }

    void planLayers() {
        std::vector<std::string> names;
        for (int k = 0; k < num_blocks_; ++k)
            for (const auto& l : model::blockLinearNames()) names.push_back("model.layers." + std::to_string(k) + "." + l);
        quant::QuantScheme def{cfg_.bits, cfg_.group_size, cfg_.sym};
        check(quant::validateScheme(def));
        auto lc = check(quant::parseLayerConfigText(cfg_.layer_config));
        auto schemes = check(quant::resolveLayerSchemes(names, def, lc, cfg_.fp_layers));
        applyGgufSchemes(names, lc, schemes);
        int kept_for_shape = 0;
        for (auto& [name, scheme] : schemes) {
            if (!scheme) {
                fp_layers_.push_back(name);
                continue;
            }
            auto shape = check(source_->shape(name + ".weight"));
            bool ok = true;
            for (const auto& f : formats_)
                if (!f.isGguf() && !exporter::checkPackable(f.packed, shape[0], shape[1], scheme->bits, scheme->group_size).ok()) ok = false;
            if (!ok) {
                ++kept_for_shape;
                fp_layers_.push_back(name);
                scheme.reset();
                continue;
            }
            ++layers_to_quantize_;
        }
        schemes_ = schemes;
        if (kept_for_shape > 0)
            log::warn(std::to_string(kept_for_shape) + " layer(s) stay in full precision because the requested format cannot store them " +
                      "(a dimension not a multiple of 32, or a scheme the format lacks); --format fake quantizes them too");
        if (layers_to_quantize_ == 0)
            throw Failure{makeError(ErrorCode::InvalidArgument, "no layer would be quantized with these settings",
                                    "check --layer_config / --fp_layers, or use --format fake for odd shapes")};
    }

    // With a GGUF format, each layer is tuned in the scheme of the ggml type llama.cpp's mix gives
    // it (FORMATS.md §5.5), as AutoRound does; an explicit --layer_config still wins for its keys.
    void applyGgufSchemes(const std::vector<std::string>& names, const nlohmann::json& layer_config,
                          std::map<std::string, std::optional<quant::QuantScheme>>& schemes) {
        const ExportFormat* g = nullptr;
        for (const auto& f : formats_)
            if (f.isGguf()) {
                g = &f;
                break;
            }
        if (!g) return;
        std::vector<exporter::GgufPlanInput> inputs;
        for (const auto& n : names) inputs.push_back({n + ".weight", check(source_->shape(n + ".weight"))});
        auto types = exporter::planGgufTypes(*g->gguf, source_->config(), inputs);
        auto explicitly = check(quant::resolveLayerSchemes(names, quant::QuantScheme{}, layer_config, cfg_.fp_layers));
        std::map<std::string, int> counts;
        for (const auto& n : names) {
            // Keys of --layer_config / --fp_layers keep what the user asked for.
            const bool user_set = !explicitly[n] || explicitly[n]->bits != quant::QuantScheme{}.bits ||
                                  explicitly[n]->group_size != quant::QuantScheme{}.group_size || explicitly[n]->sym != quant::QuantScheme{}.sym;
            if (user_set && (!layer_config.empty() || !cfg_.fp_layers.empty())) continue;
            const auto t = types.at(n + ".weight");
            const auto s = exporter::schemeForGgmlType(t);
            if (s) {
                quant::QuantScheme q;
                q.bits = s->bits;
                q.group_size = s->group_size;
                q.sym = s->sym;
                schemes[n] = q;
            } else {
                schemes[n].reset();
            }
            ++counts[io::ggmlTypeName(static_cast<std::uint32_t>(t))];
        }
        std::string mix;
        for (const auto& [t, c] : counts) mix += (mix.empty() ? "" : ", ") + std::to_string(c) + "× " + t;
        log::info(g->name + " sets each layer's scheme to its ggml type: " + mix);
    }

    bool tryResume() {
        std::error_code ec;
        if (!fs::exists(runStatePath(run_dir_), ec)) {
            if (cfg_.resume) log::info("no checkpoint in " + run_dir_ + ": starting from the first block");
            return false;
        }
        if (!cfg_.resume) {
            log::info("starting over: an earlier checkpoint in " + run_dir_ + " is replaced (use --resume to continue it)");
            fs::remove_all(run_dir_, ec);
            return false;
        }
        auto st = readRunState(run_dir_);
        if (!st && st.error().code == ErrorCode::CorruptFile)
            throw Failure{makeError(ErrorCode::CorruptFile, "checkpoint state " + st.error().message, "run without --resume to start over")};
        if (!st) throw Failure{st.error()};
        if (st->fingerprint != fingerprint(cfg_))
            throw Failure{makeError(ErrorCode::InvalidArgument, "the checkpoint in " + run_dir_ + " was made with other settings",
                                    "resume with the same settings, or run without --resume to start over")};
        next_block_ = st->next_block;
        if (st->finished) {
            next_block_ = num_blocks_;
            log::info("the checkpoint holds a finished run: exporting again");
            seqlen_ = cfg_.effectiveSeqlen();
            return true;
        }
        auto acts = check(io::SafetensorsFile::open((fs::path(run_dir_) / "activations.safetensors").string()));
        fp_in_ = tensorFromView(check(acts->tensor("fp_inputs")));
        if (acts->find("q_inputs")) q_in_ = tensorFromView(check(acts->tensor("q_inputs")));
        seqlen_ = fp_in_.size(1);
        log::info("resuming at block " + std::to_string(next_block_) + " of " + std::to_string(num_blocks_));
        return true;
    }

    void calibrate() {
        phase("calibration");
        if (cfg_.datasets.empty())
            throw Failure{makeError(ErrorCode::InvalidArgument, "no calibration data given",
                                    "pass local text with --dataset FILE[,FILE] (.txt or .jsonl) or a Hub dataset (NeelNanda/pile-10k)")};
        std::vector<std::unique_ptr<data::DocumentSource>> owned;
        std::vector<const data::DocumentSource*> sources;
        for (const auto& d : cfg_.datasets) {
            owned.push_back(check(data::openDataset(d, cancel_)));
            sources.push_back(owned.back().get());
        }
        auto tok = check(tokenizer::loadTokenizerFor(*source_));
        data::CalibrationOptions co{cfg_.effectiveNsamples(), cfg_.effectiveSeqlen(), cfg_.seed};
        if (co.seqlen > source_->config().max_position_embeddings)
            log::warn("seqlen " + std::to_string(co.seqlen) + " exceeds the model's max_position_embeddings (" +
                      std::to_string(source_->config().max_position_embeddings) + ")");
        auto set = check(data::buildCalibrationSet(sources, *tok, co, cancel_));
        for (const auto& w : set.warnings) log::warn(w);
        seqlen_ = co.seqlen;
        const std::int64_t n = static_cast<std::int64_t>(set.samples.size());
        at::Tensor ids = at::empty({n, seqlen_}, at::kLong);
        auto acc = ids.accessor<std::int64_t, 2>();
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t t = 0; t < seqlen_; ++t) acc[i][t] = set.samples[i][t];
        auto shell = check(model::CausalLM::loadShell(source_, compute_dtype_));
        at::NoGradGuard ng;
        fp_in_ = shell->embed(ids).contiguous();
        log::info(std::to_string(n) + " calibration samples of " + std::to_string(seqlen_) + " tokens from " + std::to_string(set.sources.size()) +
                  " file(s)");
        std::error_code ec;
        fs::create_directories(run_dir_, ec);
        if (ec) throw Failure{makeError(ErrorCode::IoError, "cannot create the run folder " + run_dir_ + ": " + ec.message())};
    }

    at::Tensor runBlock(const model::DecoderBlock& b, const at::Tensor& x, const model::WeightOverrides* o,
                        std::map<std::string, at::Tensor>* sq_sums = nullptr) {
        at::NoGradGuard ng;
        // The same block implementation as the tuning: the kernels path unless the run asks for the reference.
        kernels::FastLinearScope fast(cfg_.kernels != "reference");
        std::vector<at::Tensor> outs;
        const std::int64_t bs = std::max(1, cfg_.batch_size);
        for (std::int64_t i = 0; i < x.size(0); i += bs) {
            check(cancel_.check("running a block"));
            outs.push_back(b.forward(x.narrow(0, i, std::min(bs, x.size(0) - i)), cos_, sin_, o, sq_sums));
        }
        return at::cat(outs, 0).contiguous();
    }

    void tuneOne(int k) {
        pausePoint("before block " + std::to_string(k + 1));
        check(cancel_.check("tuning"));
        const auto t0 = Clock::now();
        const std::int64_t paused0 = cancel_.pausedMs();
        auto block = check(model::DecoderBlock::load(*source_, k, compute_dtype_));
        std::vector<quant::LayerPlan> plan;
        std::map<std::string, at::Tensor> weights;
        const std::string prefix = "model.layers." + std::to_string(k) + ".";
        BlockStarted bs{k, num_blocks_, {}, cfg_.effectiveIters()};
        for (const auto& l : model::blockLinearNames()) {
            const auto& s = schemes_.at(prefix + l);
            if (!s) continue;
            plan.push_back({l, *s});
            weights[l] = block->weight(l).to(at::kFloat);
            bs.layers.push_back(prefix + l);
        }
        obs_.onBlockStarted(bs);

        // Optimized RTN (iters 0) weighs each input channel by its Σx² on the FP forward.
        const bool opt_rtn = cfg_.effectiveIters() == 0 && !cfg_.disable_opt_rtn;
        std::map<std::string, at::Tensor> imatrix;
        at::Tensor fp_out = runBlock(*block, fp_in_, nullptr, opt_rtn ? &imatrix : nullptr);
        at::Tensor input = cfg_.enable_quanted_input && q_in_.defined() ? q_in_ : fp_in_;
        quant::TuneOptions opt;
        opt.iters = cfg_.effectiveIters();
        opt.lr = cfg_.lr.value_or(0.0);
        opt.minmax_lr = cfg_.minmax_lr.value_or(0.0);
        opt.batch_size = cfg_.batch_size;
        opt.gradient_accumulate_steps = cfg_.gradient_accumulate_steps;
        opt.enable_minmax_tuning = cfg_.enable_minmax_tuning;
        opt.not_use_best_mse = cfg_.not_use_best_mse;
        opt.dynamic_max_gap = cfg_.dynamic_max_gap;
        opt.seed = cfg_.seed + static_cast<std::uint64_t>(k);  // per block, so a resumed run samples the same
        if (opt_rtn) opt.imatrix = &imatrix;
        opt.kernels = check(quant::parseKernelPath(cfg_.kernels));
        const model::DecoderBlock* bp = block.get();
        auto forward = [this, bp](const at::Tensor& x, const std::map<std::string, at::Tensor>& o) { return bp->forward(x, cos_, sin_, &o); };
        quant::BlockTuneResult r;
        if (!plan.empty()) {
            r = check(quant::tuneBlock(forward, weights, input, fp_out, plan, opt,
                                       [&](int it, double loss, double lr) {
                                           obs_.onIteration({k, it, opt.iters, loss, lr});
                                           pausePoint("at block " + std::to_string(k + 1) + ", iteration " + std::to_string(it + 1));
                                       },
                                       cancel_));
        }
        at::Tensor q_out = runBlock(*block, input, &r.qdq_weights);

        // Checkpoint: the block's quantized layers, then the next block's inputs, then the state.
        std::vector<exporter::QuantizedLayer> layers;
        for (const auto& t : r.layers) layers.push_back(quant::toQuantizedLayer(prefix + t.name, t, block->bias(t.name)));
        BlockFinished bf{k, num_blocks_, r.rtn_loss, r.best_loss, r.best_iter, activeMsSince(t0, paused0), {}};
        for (const auto& t : r.layers) bf.layers.push_back(t.stats);
        writeBlockFile(k, layers, bf);
        fp_in_ = fp_out;
        q_in_ = q_out;
        writeActivations();
        writeState(k + 1, false);
        next_block_ = k + 1;

        block_ms_total_ += bf.elapsed_ms;
        ++blocks_timed_;
        ProgressUpdate pu;
        pu.blocks_done = k + 1;
        pu.num_blocks = num_blocks_;
        pu.fraction = static_cast<double>(k + 1) / num_blocks_;
        pu.elapsed_ms = activeMsSince(start_, paused_at_start_);
        pu.eta_ms = block_ms_total_ / blocks_timed_ * (num_blocks_ - k - 1);
        pu.rss_bytes = device::currentRssBytes();
        pu.peak_rss_bytes = device::peakRssBytes();
        obs_.onProgress(pu);
        obs_.onBlockFinished(bf);
    }

    void writeBlockFile(int k, const std::vector<exporter::QuantizedLayer>& layers, const BlockFinished& bf) {
        std::vector<io::TensorToWrite> t;
        nlohmann::json meta = nlohmann::json::object();
        for (const auto& l : layers) {
            t.push_back({l.name + ".q", io::DType::U8, {l.out_features, l.in_features}, l.q.data()});
            t.push_back({l.name + ".scales", io::DType::F32, {l.out_features, l.groups()}, l.scales.data()});
            t.push_back({l.name + ".zeros", io::DType::I32, {l.out_features, l.groups()}, l.zeros.data()});
            if (!l.bias.empty()) t.push_back({l.name + ".bias", io::DType::F32, {l.out_features}, l.bias.data()});
            meta[l.name] = {{"bits", l.bits}, {"group_size", l.group_size}, {"sym", l.sym}};
        }
        check(io::writeSafetensors(blockPath(k), t, {{"layers", meta.dump()}, {"block", toJson(bf).dump()}}));
    }

    std::string blockPath(int k) const {
        char name[32];
        std::snprintf(name, sizeof name, "block_%03d.safetensors", k);
        return (fs::path(run_dir_) / name).string();
    }

    void writeActivations() {
        std::vector<io::TensorToWrite> t;
        t.push_back({"fp_inputs", dtypeOf(fp_in_), fp_in_.sizes().vec(), fp_in_.data_ptr()});
        if (q_in_.defined()) t.push_back({"q_inputs", dtypeOf(q_in_), q_in_.sizes().vec(), q_in_.data_ptr()});
        check(io::writeSafetensors((fs::path(run_dir_) / "activations.safetensors").string(), t));
    }

    void writeState(int next, bool finished) {
        RunState st;
        st.fingerprint = fingerprint(cfg_);
        st.next_block = next;
        st.num_blocks = num_blocks_;
        st.finished = finished;
        st.model = cfg_.model;
        check(writeRunState(run_dir_, st));
    }

    exporter::QuantizedModel assemble() {
        exporter::QuantizedModel qm;
        qm.source = source_;
        qm.bits = cfg_.bits;
        qm.group_size = cfg_.group_size;
        qm.sym = cfg_.sym;
        qm.fp_layers = fp_layers_;
        if (cfg_.effectiveIters() != 200) qm.tuning["iters"] = cfg_.effectiveIters();
        if (cfg_.effectiveNsamples() != 128) qm.tuning["nsamples"] = cfg_.effectiveNsamples();
        if (cfg_.effectiveSeqlen() != 2048) qm.tuning["seqlen"] = cfg_.effectiveSeqlen();
        if (cfg_.batch_size != 8) qm.tuning["batch_size"] = cfg_.batch_size;
        if (cfg_.lr) qm.tuning["lr"] = *cfg_.lr;
        if (cfg_.minmax_lr) qm.tuning["minmax_lr"] = *cfg_.minmax_lr;
        // Scheme and shape of every layer now; the data is read from the block files when an
        // exporter writes that layer, so exporting needs memory for one layer, not the model.
        for (int k = 0; k < num_blocks_; ++k) {
            auto f = check(io::SafetensorsFile::open(blockPath(k)));
            auto meta = nlohmann::json::parse(f->metadata().at("layers"));
            for (auto it = meta.begin(); it != meta.end(); ++it) {
                exporter::QuantizedLayer l;
                l.name = it.key();
                l.bits = it.value()["bits"];
                l.group_size = it.value()["group_size"];
                l.sym = it.value()["sym"];
                const io::TensorInfo* q = f->find(l.name + ".q");
                if (!q) throw Failure{makeError(ErrorCode::CorruptFile, blockPath(k) + " lacks " + l.name + ".q", "run again without --resume")};
                l.out_features = q->shape[0];
                l.in_features = q->shape[1];
                l.has_bias = f->find(l.name + ".bias") != nullptr;
                qm.layers[l.name] = std::move(l);
            }
        }
        qm.load_layer = [this](const std::string& name) -> Result<exporter::QuantizedLayer> {
            // "model.layers.<k>.<linear>"
            const std::size_t a = std::string("model.layers.").size(), b = name.find('.', a);
            const int k = std::stoi(name.substr(a, b - a));
            auto f = io::SafetensorsFile::open(blockPath(k));
            if (!f) return f.error();
            auto meta = nlohmann::json::parse((*f)->metadata().at("layers")).at(name);
            exporter::QuantizedLayer l;
            l.name = name;
            l.bits = meta["bits"];
            l.group_size = meta["group_size"];
            l.sym = meta["sym"];
            auto q = (*f)->tensor(name + ".q");
            if (!q) return q.error();
            l.out_features = q->info->shape[0];
            l.in_features = q->info->shape[1];
            l.q.assign(q->data, q->data + q->info->sizeBytes());
            auto sc = (*f)->tensor(name + ".scales");
            auto z = (*f)->tensor(name + ".zeros");
            if (!sc || !z) return makeError(ErrorCode::CorruptFile, blockPath(k) + " lacks scales or zeros of " + name);
            l.scales = sc->toFloat();
            l.zeros.resize(z->info->numel());
            std::memcpy(l.zeros.data(), z->data, z->info->sizeBytes());
            if ((*f)->find(name + ".bias")) l.bias = (*f)->tensor(name + ".bias")->toFloat();
            l.has_bias = !l.bias.empty();
            return l;
        };
        return qm;
    }

    std::string exportName(const ExportFormat& f) const {
        fs::path mp(cfg_.model);
        std::string base = fs::is_regular_file(mp) ? mp.stem().string() : mp.filename().string();
        if (base.empty()) base = mp.parent_path().filename().string();
        if (f.isGguf()) return base + "-gguf-" + f.gguf->name;
        std::string scheme = "w" + std::to_string(cfg_.bits) + (cfg_.group_size > 0 ? "g" + std::to_string(cfg_.group_size) : "") +
                             (cfg_.sym ? "" : "-asym");
        return base + "-" + scheme + "-" + f.name;
    }

    void exportAll(const exporter::QuantizedModel& qm, JobFinished& fin) {
        for (const auto& f : formats_) {
            pausePoint("before writing " + f.name);
            check(cancel_.check("exporting"));
            std::string out = (fs::path(cfg_.output_dir) / exportName(f)).string();
            exporter::ExportReport rep;
            if (f.isGguf()) {
                exporter::GgufExportOptions go;
                go.file_type = f.gguf->name;
                fs::path mp(cfg_.model);
                go.model_name = fs::is_regular_file(mp) ? mp.stem().string() : mp.filename().string();
                rep = check(exporter::exportGguf(qm, out, go, {}, cancel_));
            } else {
                exporter::PackedExportOptions eo;
                eo.format = f.packed;
                rep = check(exporter::exportPacked(qm, out, eo, {}, cancel_));
            }
            fin.files.push_back({f.name, rep.output_dir, rep.total_bytes});
            log::info("wrote " + f.name + " to " + rep.output_dir + " (" + units::formatBytes(rep.total_bytes) + ")");
        }
    }

    double bitsPerWeight(const exporter::QuantizedModel& qm) const {
        double bits = 0, params = 0;
        for (const auto& n : source_->tensorNames()) {
            auto shape = source_->shape(n);
            double p = 1;
            for (auto d : *shape) p *= static_cast<double>(d);
            params += p;
            std::string layer = n.size() > 7 ? n.substr(0, n.size() - 7) : n;
            auto it = qm.layers.find(layer);
            if (it != qm.layers.end() && n.compare(n.size() - 7, 7, ".weight") == 0) {
                const auto& l = it->second;
                bits += static_cast<double>(l.bits) * p + static_cast<double>(l.out_features * l.groups()) * (16 + l.bits);
            } else {
                std::string dt = source_->storedDtype(n);
                bits += p * (dt == "F32" ? 32 : dt == "F64" ? 64 : 16);
            }
        }
        return params > 0 ? bits / params : 0;
    }

    void evaluate(const exporter::QuantizedModel& qm, JobFinished& fin) {
        phase("evaluating", cfg_.eval_text);
        eval::EvalOptions eo;
        eo.window = cfg_.eval_window;
        eo.batch_size = 8;
        eo.kernels = cfg_.kernels != "reference";
        auto orig = check(eval::evaluatePerplexity(cfg_.model, cfg_.eval_text, eo, {}, cancel_));
        double orig_bits = 0, orig_params = 0;
        for (const auto& n : source_->tensorNames()) {
            auto shape = source_->shape(n);
            double p = 1;
            for (auto d : *shape) p *= static_cast<double>(d);
            std::string dt = source_->storedDtype(n);
            orig_bits += p * (dt == "F32" ? 32 : 16);
            orig_params += p;
        }
        fin.evaluations.push_back({"original", cfg_.eval_text, orig.ppl, orig_params > 0 ? orig_bits / orig_params : 0, 0});
        const double bpw = bitsPerWeight(qm);
        for (const auto& f : fin.files) {
            // A GGUF carries its own copy of the vocabulary; scoring it with the source folder's
            // tokenizer keeps the token stream identical to the original's, so the numbers compare.
            const bool gguf = formatOf(f).isGguf();
            eval::EvalOptions feo = eo;
            if (gguf) feo.tokenizer_folder = source_->tokenizerFolder();
            auto r = check(eval::evaluatePerplexity(f.path, cfg_.eval_text, feo, {}, cancel_));
            // A GGUF mixes types per tensor: its bits per weight is what the file takes.
            const double file_bpw = gguf && orig_params > 0 ? 8.0 * static_cast<double>(f.size_bytes) / orig_params : bpw;
            fin.evaluations.push_back({f.format, cfg_.eval_text, r.ppl, file_bpw, f.size_bytes});
            log::info(f.format + ": PPL " + std::to_string(r.ppl) + " (original " + std::to_string(orig.ppl) + ")");
        }
    }

    void writeCards(const exporter::QuantizedModel& qm, const JobFinished& fin) {
        for (const auto& f : fin.files) {
            const bool gguf = formatOf(f).isGguf();
            exporter::ModelCardInfo card;
            auto readme = io::readFile((fs::path(source_->tokenizerFolder()) / "README.md").string());
            if (readme) card.source_readme = *readme;
            card.format = f.format;
            // A model downloaded into the Hub cache names its source: base_model in the card.
            card.base_model = hub::repoIdFromSnapshotPath(fs::absolute(cfg_.model).lexically_normal().string());
            if (gguf) {
                std::error_code ec;
                for (const auto& e : fs::directory_iterator(f.path, ec))
                    if (e.path().extension() == ".gguf") card.gguf_file = e.path().filename().string();
            }
            card.scheme = "W" + std::to_string(cfg_.bits) + "A16 " +
                          (cfg_.group_size > 0 ? "G" + std::to_string(cfg_.group_size) : std::string("per-channel")) + (cfg_.sym ? " sym" : " asym");
            if (gguf) {
                // Only the first GGUF format of a run sets the tuning schemes (applyGgufSchemes).
                std::string first;
                for (const auto& g : formats_)
                    if (g.isGguf() && first.empty()) first = g.name;
                card.scheme = "llama.cpp " + f.format.substr(5) + " mix, " +
                              (f.format == first ? std::string("each layer tuned in its ggml type")
                                                 : "written from the layers tuned for " + first.substr(5) +
                                                       " where its type is as coarse or coarser, from the original weights where finer");
            }
            card.recipe = cfg_.recipe + " (" + std::to_string(cfg_.effectiveIters()) + " iters, " + std::to_string(cfg_.effectiveNsamples()) +
                          " samples × " + std::to_string(cfg_.effectiveSeqlen()) + " tokens)";
            for (const auto& d : cfg_.datasets)
                card.calibration.push_back(data::isHubDatasetValue(d) ? d : fs::path(d).filename().string());
            for (const auto& e : fin.evaluations)
                if (e.model == "original" || e.model == f.format)
                    card.perplexities.push_back({e.model == "original" ? "original" : f.format + " (this model)",
                                                 fs::path(e.text).filename().string(), e.ppl, e.bits_per_weight});
            card.tool_version = SRS_VERSION;
            check(io::writeFileAtomic((fs::path(f.path) / "README.md").string(), exporter::renderModelCard(card)));
        }
        (void)qm;
    }

    JobConfig cfg_;
    JobObserver& obs_;
    CancelToken cancel_;
    Clock::time_point start_;
    std::int64_t paused_at_start_ = 0;
    std::vector<ExportFormat> formats_;
    at::ScalarType compute_dtype_ = at::kFloat;
    std::shared_ptr<io::WeightSource> source_;
    int num_blocks_ = 0;
    std::map<std::string, std::optional<quant::QuantScheme>> schemes_;
    std::vector<std::string> fp_layers_;
    int layers_to_quantize_ = 0;
    std::string run_dir_;
    int next_block_ = 0;
    std::int64_t seqlen_ = 0;
    at::Tensor fp_in_, q_in_, cos_, sin_;
    std::int64_t block_ms_total_ = 0;
    int blocks_timed_ = 0;
};

}  // namespace

JobFinished runQuantJob(const JobConfig& config, JobObserver& observer, const CancelToken& cancel) {
    return Pipeline(config, observer, cancel).run();
}

JobFinished reexportRun(const std::string& run_dir, const std::vector<std::string>& formats, const std::string& output_dir,
                        JobObserver& observer, const CancelToken& cancel) {
    JobConfig c;
    c.formats = formats;
    c.output_dir = output_dir;
    return Pipeline(c, observer, cancel).run(run_dir);
}

}  // namespace srs::job
