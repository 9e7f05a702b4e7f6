// The quantization pipeline (see quant_job.h): a driver of steps over one RunPlan.
//
//   planRun (run_plan.h)            every layer's scheme, the exports, their names and sizes
//   calibrationInputs (calibrate_step.h)  the first block's inputs
//   BlockTuner::tune (tune_step.h)  one block: targets, SignRound, the next block's inputs
//   addTunedLayers (block_store.h)  the tuned layers, read back one at a time
//   writeExports (export_step.h)    every export through its Exporter
//   evaluateExports (evaluate_step.h), writeModelCards (export_step.h)
//
// Memory: one decoder block's weights, its tuning parameters and three activation caches (FP
// inputs, FP outputs, quantized-chain inputs) of nsamples × seqlen × hidden — never the whole
// model, whatever its depth.
//
// Checkpoint layout in the run folder (default <output_dir>/.signround-run):
//   block_NNN.safetensors   the quantized layers of block NNN (block_store.h) + stats
//   activations.safetensors the next block's FP and quantized-chain inputs
//   state.json              settings fingerprint and the next block to tune (run_state.h)
// Each file is written atomically, in that order, so a kill at any moment leaves a consistent
// checkpoint; --resume continues at the next block and, with the same seed, gives the same output.
#include <ATen/ATen.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "core/common/log.h"
#include "core/common/units.h"
#include "core/device/estimator.h"
#include "core/device/device_choice_torch.h"
#include "core/device/hardware.h"
#include "core/dist/collective.h"
#include "core/io/dir_lock.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"
#include "core/job/block_store.h"
#include "core/job/calibrate_step.h"
#include "core/job/convert.h"
#include "core/job/evaluate_step.h"
#include "core/job/export_step.h"
#include "core/job/quant_job.h"
#include "core/job/run_plan.h"
#include "core/job/run_state.h"
#include "core/job/tune_step.h"
#include "core/model/llama_model.h"

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

io::DType dtypeOf(const at::Tensor& t) { return t.scalar_type() == at::kBFloat16 ? io::DType::BF16 : io::DType::F32; }

at::Tensor tensorFromView(const io::TensorView& v);

// An activation cache of the checkpoint: one tensor `name`, or, from a distributed run, one per
// rank ("name.rank0", "name.rank1", ...) put back together in sample order.
at::Tensor checkpointedCache(const io::SafetensorsFile& f, const std::string& name) {
    if (f.find(name) || !f.find(name + ".rank0")) return tensorFromView(check(f.tensor(name)));
    std::vector<at::Tensor> parts;
    for (int r = 0; f.find(name + ".rank" + std::to_string(r)); ++r) parts.push_back(tensorFromView(check(f.tensor(name + ".rank" + std::to_string(r)))));
    try {
        return at::cat(parts, 0);
    } catch (const std::exception& e) {
        throw Failure{makeError(ErrorCode::CorruptFile, "the checkpoint's " + name + " shards do not fit together: " + e.what(), "run without --resume to start over")};
    }
}

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
    Pipeline(const JobConfig& c, JobObserver& o, const CancelToken& cancel, dist::DistSpec dist = {})
        : cfg_(c), obs_(o), cancel_(cancel), dist_(std::move(dist)) {}

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
            if (coll_) coll_->finish();
        } catch (const Failure& f) {
            if (coll_) coll_->abandon(f.error);
            // A cancelled rank of a distributed run may learn of another rank's cancel (as its
            // failure) before reaching its own safe point: both are this run being cancelled.
            fin.state = f.error.code == ErrorCode::Cancelled || cancel_.cancelled() ? JobState::Cancelled : JobState::Failed;
            fin.message = f.error.message;
            fin.hint = f.error.hint;
            if (fin.state == JobState::Cancelled && next_block_ > 0)
                fin.hint = "the checkpoint keeps " + std::to_string(next_block_) + " finished block(s); run again with --resume to continue";
        } catch (const std::exception& e) {
            fin.state = JobState::Failed;
            fin.message = std::string("unexpected error: ") + e.what();
            if (coll_) coll_->abandon(makeError(ErrorCode::Internal, fin.message));
        }
        locks_.releaseAll();  // before onFinished: an observer may start the next run into these folders
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
        if (cfg_.output_dir.empty()) throw Failure{makeError(ErrorCode::InvalidArgument, "no output folder", "give --output_dir DIR")};
        run_dir_ = cfg_.effectiveRunDir();
        if (dist_.active()) coll_ = check(dist::connect(dist_, false));
        if (master()) lockFolders(cfg_.output_dir, run_dir_);
        source_ = check(io::openWeightSource(cfg_.model));
        chooseDevice();
        plan_ = check(planRun(*source_, cfg_));
        cfg_ = plan_.config;
        checkGpuMemory();
        compute_dtype_ = check(model::parseComputeDtype(cfg_.amp_dtype));
        reportPlan();
        check(checkModelTensorsFinite(*source_));

        JobStarted started;
        started.model = cfg_.model;
        started.num_blocks = plan_.num_blocks;
        started.layers_to_quantize = plan_.layers_quantized;
        started.device = cfg_.device;
        started.settings = jobConfigToJson(cfg_);
        bool resumed = master() ? tryResume() : false;
        if (coll_) resumed = shareCheckpoint(resumed);
        started.resumed_from_block = resumed ? next_block_ : -1;
        obs_.onStarted(started);
        if (!resumed) calibrate();

        phase("tuning", std::to_string(plan_.num_blocks - next_block_) + " blocks");
        BlockTuner tuner(plan_, *source_, compute_dtype_, seqlen_, obs_, cancel_, [this](const std::string& w) { pausePoint(w); }, device_);
        if (coll_) tuner.setDistributed(coll_.get(), shard_.first, global_samples_);
        for (int k = next_block_; k < plan_.num_blocks; ++k) tuneOne(tuner, k);
        if (coll_ && master()) {
            const auto st = coll_->stats();
            log::info("distributed: rank 0 ran " + std::to_string(st.collectives) + " collectives moving " + units::formatBytes(static_cast<std::uint64_t>(st.bytes)) +
                      " in " + units::formatDuration(static_cast<std::int64_t>(st.seconds * 1000.0)) + " (waiting for the other ranks included)");
        }
        if (!master()) return;  // rank 0 exports and evaluates

        phase("exporting");
        const auto qm = assemble();
        fin.files = check(writeExports(plan_, qm, cancel_, [this](const std::string& f) { pausePoint("before writing " + f); }));
        if (!cfg_.eval_text.empty()) {
            phase("evaluating", cfg_.eval_text);
            fin.evaluations = check(evaluateExports(plan_, qm, fin.files, cancel_));
            check(writeModelCards(plan_, qm, fin.files, fin.evaluations));
        }
        std::error_code ec;
        fs::remove(fs::path(run_dir_) / "activations.safetensors", ec);  // blocks stay for `signround export`
        writeState(plan_.num_blocks, true);
    }

    // --device resolved against what LibTorch and the driver can use now ("auto" becomes "cpu" or
    // "cuda:0"); the run records the device it used. A rank of a distributed run on GPUs takes
    // cuda:LOCAL_RANK.
    void chooseDevice() {
        const auto available = device::currentDeviceAvailability();
        std::string requested = cfg_.device;
        if (dist_.active() && requested != "cpu" && available.torch_cuda_devices > 0 && (requested == "auto" || requested == "cuda"))
            requested = "cuda:" + std::to_string(dist_.local_rank);
        const device::ResolvedDevice d = check(device::resolveDevice(requested, available));
        cfg_.device = d.name;
        device_ = d.cuda ? c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(d.index)) : c10::Device(c10::kCPU);
        gpu_memory_bytes_ = d.memory_bytes;
        log::info("device: " + d.label);
    }

    // A GPU run that cannot fit the GPU's memory is refused before any work, with the numbers.
    void checkGpuMemory() {
        if (!device_.is_cuda() || gpu_memory_bytes_ == 0) return;
        device::MachineRates rates;
        rates.gpu_memory_bytes = gpu_memory_bytes_;
        rates.world_size = coll_ ? coll_->size() : 1;
        auto e = device::estimateJob(source_, cfg_, rates);
        if (!e) return;  // planRun already accepted these settings; the estimate adds nothing then
        log::info("GPU memory: about " + units::formatBytes(e->gpu_peak_bytes) + " at the peak of " + units::formatBytes(gpu_memory_bytes_));
        if (!e->fits_gpu)
            throw Failure{makeError(ErrorCode::OutOfMemory, device::gpuMemoryProblem(*e, gpu_memory_bytes_),
                                    "use fewer --nsamples, a shorter --seqlen or a smaller --batch_size, or --device cpu")};
    }

    // The plan's decisions the user should see in the log, and the one that stops the run.
    void reportPlan() {
        if (!plan_.gguf_mix.empty())
            for (const auto& pe : plan_.exports)
                if (pe.format.isGguf()) {
                    log::info(pe.format.name + " sets each layer's scheme to its ggml type: " + plan_.gguf_mix);
                    break;
                }
        if (plan_.kept_for_shape > 0)
            log::warn(std::to_string(plan_.kept_for_shape) + " layer(s) stay in full precision because the requested format cannot store them " +
                      "(a dimension not a multiple of 32, or a scheme the format lacks); a run with --format fake alone quantizes them too (in this run every export keeps them)");
        if (plan_.layers_quantized == 0) {
            bool all_conversions = true;
            for (const auto& pe : plan_.exports) all_conversions = all_conversions && checkConversionFormat(pe.format).ok();
            throw Failure{makeError(ErrorCode::InvalidArgument, "no layer would be quantized with these settings",
                                    all_conversions ? "to write the model without quantizing, use signround convert --format " + cfg_.formats.front()
                                                    : "check --layer_config / --fp_layers, or use --format fake for odd shapes")};
        }
    }

    // Before any work: this job alone writes into its output folder and its run folder until it
    // ends (a second run there is refused, naming this one's PID); then what runs that died left
    // there is removed. A re-export only reads its run folder: one it cannot write to needs no lock.
    void lockFolders(const std::string& output_dir, const std::string& run_dir, bool run_dir_read_only = false) {
        check(locks_.lock(output_dir, "--output_dir"));
        check(locks_.lock(run_dir, "--run_dir", run_dir_read_only ? io::DirLock::Use::Read : io::DirLock::Use::Write));
        io::cleanDeadTemporaries(output_dir, 1);  // the run folder too when it is <output_dir>/.signround-run
        if (locks_.find(run_dir)) io::cleanDeadTemporaries(run_dir, 0);
    }

    void reexportSteps(const std::string& run_dir, JobFinished& fin) {
        if (cfg_.output_dir.empty()) throw Failure{makeError(ErrorCode::InvalidArgument, "no output folder", "give --output_dir DIR")};
        lockFolders(cfg_.output_dir, run_dir, true);
        run_dir_ = run_dir;
        const RunState st = check(readRunState(run_dir));
        if (!st.finished)
            throw Failure{makeError(ErrorCode::InvalidArgument, "the run in " + run_dir + " has not finished",
                                    "finish it with signround quantize --resume first")};
        JobConfig saved = check(jobConfigFromJson(st.fingerprint));
        saved.formats = cfg_.formats;
        saved.output_dir = cfg_.output_dir;
        source_ = check(io::openWeightSource(saved.model));
        plan_ = check(planRun(*source_, saved));
        cfg_ = plan_.config;
        phase("exporting", "from " + run_dir);
        const auto qm = assemble();
        for (const auto& pe : plan_.exports) check(makeExporter(plan_, pe)->validate(qm));
        fin.files = check(writeExports(plan_, qm, cancel_, [this](const std::string& f) { pausePoint("before writing " + f); }));
    }

    bool tryResume() {
        std::error_code ec;
        if (!fs::exists(runStatePath(run_dir_), ec)) {
            if (cfg_.resume) log::info("no checkpoint in " + run_dir_ + ": starting from the first block");
            return false;
        }
        if (!cfg_.resume) {
            log::info("starting over: an earlier checkpoint in " + run_dir_ + " is replaced (use --resume to continue it)");
            std::vector<fs::path> old;  // every entry but this job's lock
            for (fs::directory_iterator it(run_dir_, ec), end; !ec && it != end; it.increment(ec))
                if (it->path().filename() != io::kDirLockFile) old.push_back(it->path());
            for (const auto& p : old) fs::remove_all(p, ec);
            return false;
        }
        auto st = readRunState(run_dir_);
        if (!st && st.error().code == ErrorCode::CorruptFile)
            throw Failure{makeError(ErrorCode::CorruptFile, "checkpoint state " + st.error().message, "run without --resume to start over")};
        if (!st) throw Failure{st.error()};
        if (st->fingerprint != settingsFingerprint(cfg_))
            throw Failure{makeError(ErrorCode::InvalidArgument, "the checkpoint in " + run_dir_ + " was made with other settings",
                                    "resume with the same settings, or run without --resume to start over")};
        next_block_ = st->next_block;
        if (st->finished) {
            next_block_ = plan_.num_blocks;
            log::info("the checkpoint holds a finished run: exporting again");
            seqlen_ = cfg_.effectiveSeqlen();
            return true;
        }
        auto acts = check(io::SafetensorsFile::open((fs::path(run_dir_) / "activations.safetensors").string()));
        inputs_.fp = checkpointedCache(*acts, "fp_inputs");
        if (acts->find("q_inputs") || acts->find("q_inputs.rank0")) inputs_.q = checkpointedCache(*acts, "q_inputs");
        seqlen_ = inputs_.fp.size(1);
        // Block numbers in messages are 1-based and name the block to tune next (the GUI's too).
        const std::string kept = next_block_ == 0   ? std::string()
                                 : next_block_ == 1 ? std::string(" (block 1 is checkpointed)")
                                                    : " (blocks 1-" + std::to_string(next_block_) + " are checkpointed)";
        log::info("resuming at block " + std::to_string(next_block_ + 1) + " of " + std::to_string(plan_.num_blocks) + kept);
        return true;
    }

    void calibrate() {
        phase("calibration");
        inputs_.fp = check(calibrationInputs(plan_, source_, compute_dtype_, cancel_));
        seqlen_ = inputs_.fp.size(1);
        global_samples_ = inputs_.fp.size(0);
        if (coll_) {  // every rank drew the same samples; each keeps its share
            if (global_samples_ < coll_->size())
                throw Failure{makeError(ErrorCode::InvalidArgument,
                                        std::to_string(global_samples_) + " calibration sample(s) cannot be shared by " + std::to_string(coll_->size()) + " ranks",
                                        "give --nsamples " + std::to_string(coll_->size()) + " or more, or start fewer ranks")};
            shard_ = dist::shardOf(global_samples_, coll_->rank(), coll_->size());
            inputs_.fp = inputs_.fp.narrow(0, shard_.first, shard_.count).clone();
            if (master()) {
                log::info("distributed: " + std::to_string(coll_->size()) + " ranks share " + std::to_string(global_samples_) +
                          " calibration samples (rank 0 holds " + std::to_string(shard_.count) + ")");
                device::MachineRates rates;
                rates.world_size = coll_->size();
                if (auto e = device::estimateJob(source_, cfg_, rates))
                    log::info("distributed: each rank needs about " + units::formatBytes(e->job_memory_bytes) + " for the run; each iteration sums " +
                              units::formatBytes(static_cast<std::uint64_t>(4.0 * e->gradient_values_per_block)) + " of gradients over the ranks");
            }
        }
        if (!master()) return;
        std::error_code ec;
        fs::create_directories(run_dir_, ec);
        if (ec) throw Failure{makeError(ErrorCode::IoError, "cannot create the run folder " + run_dir_ + ": " + ec.message())};
        if (auto* lock = locks_.find(run_dir_)) lock->keepDir();  // it stays after a cancel, for --resume
    }

    void tuneOne(BlockTuner& tuner, int k) {
        pausePoint("before block " + std::to_string(k + 1));
        check(cancel_.check("tuning"));
        TunedBlock tb = check(tuner.tune(k, inputs_));
        // Checkpoint: the block's quantized layers, then the next block's inputs, then the state.
        if (master()) check(writeBlockFile(run_dir_, k, tb.layers, tb.stats));
        if (coll_) gatherActivations(k);
        else writeActivations();
        if (master()) writeState(k + 1, false);
        next_block_ = k + 1;

        block_ms_total_ += tb.stats.elapsed_ms;
        ++blocks_timed_;
        ProgressUpdate pu;
        pu.blocks_done = k + 1;
        pu.num_blocks = plan_.num_blocks;
        pu.fraction = static_cast<double>(k + 1) / plan_.num_blocks;
        pu.elapsed_ms = activeMsSince(start_, paused_at_start_);
        pu.eta_ms = block_ms_total_ / blocks_timed_ * (plan_.num_blocks - k - 1);
        pu.rss_bytes = device::currentRssBytes();
        pu.peak_rss_bytes = device::peakRssBytes();
        obs_.onProgress(pu);
        obs_.onBlockFinished(tb.stats);
    }

    void writeActivations() { writeActivations(inputs_); }
    void writeActivations(const BlockInputs& in) {
        std::vector<io::TensorToWrite> t;
        t.push_back({"fp_inputs", dtypeOf(in.fp), in.fp.sizes().vec(), in.fp.data_ptr()});
        if (in.q.defined()) t.push_back({"q_inputs", dtypeOf(in.q), in.q.sizes().vec(), in.q.data_ptr()});
        check(io::writeSafetensors((fs::path(run_dir_) / "activations.safetensors").string(), t));
    }

    void writeState(int next, bool finished) {
        RunState st;
        st.fingerprint = settingsFingerprint(cfg_);
        st.next_block = next;
        st.num_blocks = plan_.num_blocks;
        st.finished = finished;
        st.model = cfg_.model;
        check(writeRunState(run_dir_, st));
    }

    // The plan's model-wide settings with the tuned layers of the run folder.
    exporter::QuantizedModel assemble() {
        exporter::QuantizedModel qm = plannedModel(plan_, source_, false);
        qm.fp_layers.clear();
        check(addTunedLayers(run_dir_, plan_.num_blocks, qm));
        return qm;
    }

    bool master() const { return !coll_ || coll_->rank() == 0; }

    // Rank 0's checkpoint decision (resumed or not, where, the activations' shape) to every rank,
    // and each rank's share of the checkpointed activations. Returns whether the run resumes.
    bool shareCheckpoint(bool resumed) {
        const bool has_acts = resumed && next_block_ < plan_.num_blocks;
        at::Tensor head = at::zeros({7}, at::kLong);
        if (master()) {
            const std::int64_t v[7] = {resumed, next_block_, seqlen_, has_acts ? inputs_.fp.size(0) : 0, has_acts ? inputs_.fp.size(2) : 0,
                                       has_acts && inputs_.q.defined(), has_acts && inputs_.fp.scalar_type() == at::kBFloat16};
            for (int i = 0; i < 7; ++i) head[i] = v[i];
        }
        check(coll_->broadcast(head, "sharing the checkpoint state"));
        const auto at_ = [&](int i) { return head[i].item<std::int64_t>(); };
        resumed = at_(0) != 0;
        next_block_ = static_cast<int>(at_(1));
        seqlen_ = at_(2);
        global_samples_ = at_(3);
        if (!resumed || global_samples_ == 0) return resumed;
        if (global_samples_ < coll_->size())
            throw Failure{makeError(ErrorCode::InvalidArgument, "the checkpoint's " + std::to_string(global_samples_) + " samples cannot be shared by " +
                                                                    std::to_string(coll_->size()) + " ranks", "resume with fewer ranks")};
        shard_ = dist::shardOf(global_samples_, coll_->rank(), coll_->size());
        const at::ScalarType dt = at_(6) ? at::kBFloat16 : at::kFloat;
        for (at::Tensor* t : {&inputs_.fp, &inputs_.q}) {
            if (t == &inputs_.q && !at_(5)) break;
            if (master()) {
                for (int r = 1; r < coll_->size(); ++r) {
                    const auto s = dist::shardOf(global_samples_, r, coll_->size());
                    at::Tensor part = t->narrow(0, s.first, s.count).contiguous();
                    check(coll_->send(part, r, "sending rank " + std::to_string(r) + " its checkpointed activations"));
                }
                *t = t->narrow(0, shard_.first, shard_.count).clone();
            } else {
                *t = at::empty({shard_.count, seqlen_, at_(4)}, dt);
                check(coll_->recv(*t, 0, "receiving the checkpointed activations"));
            }
        }
        return true;
    }

    // The next block's inputs of every rank into rank 0's checkpoint, one tensor per rank and
    // cache ("fp_inputs.rank1", ...), each received while the file is written, so that rank 0
    // never holds more than its own caches and one other rank's share.
    void gatherActivations(int k) {
        const std::string what = "gathering the activations after block " + std::to_string(k + 1);
        std::vector<at::Tensor*> caches{&inputs_.fp};
        if (inputs_.q.defined()) caches.push_back(&inputs_.q);
        if (!master()) {
            for (at::Tensor* t : caches) check(coll_->send(*t, 0, what));
            return;
        }
        std::vector<io::TensorToWrite> layout;
        std::vector<std::int64_t> numel;
        for (int r = 0; r < coll_->size(); ++r)
            for (at::Tensor* t : caches) {
                const auto s = dist::shardOf(global_samples_, r, coll_->size());
                layout.push_back({std::string(t == &inputs_.fp ? "fp_inputs" : "q_inputs") + ".rank" + std::to_string(r), dtypeOf(*t),
                                  {s.count, t->size(1), t->size(2)}, nullptr});
                numel.push_back(s.count * t->size(1) * t->size(2));
            }
        const auto produce = [&](std::size_t i) -> Result<io::TensorBytes> {
            const at::Tensor& mine = *caches[i % caches.size()];
            const int r = static_cast<int>(i / caches.size());
            io::TensorBytes b;
            if (r == 0) {
                b.data = mine.data_ptr();
                b.size = mine.nbytes();
                return b;
            }
            b.owned.resize(static_cast<std::size_t>(numel[i]) * mine.element_size());
            at::Tensor into = at::from_blob(b.owned.data(), layout[i].shape, mine.options());
            SRS_TRY(coll_->recv(into, r, what));
            b.data = b.owned.data();
            b.size = b.owned.size();
            return b;
        };
        check(io::writeSafetensorsStreamed((fs::path(run_dir_) / "activations.safetensors").string(), layout, produce,
                                           {{"world_size", std::to_string(coll_->size())}}));
    }

    JobConfig cfg_;
    JobObserver& obs_;
    CancelToken cancel_;
    dist::DistSpec dist_;
    std::unique_ptr<dist::Collective> coll_;
    dist::Shard shard_;
    std::int64_t global_samples_ = 0;
    io::DirLockSet locks_;
    Clock::time_point start_;
    std::int64_t paused_at_start_ = 0;
    std::shared_ptr<io::WeightSource> source_;
    RunPlan plan_;
    at::ScalarType compute_dtype_ = at::kFloat;
    c10::Device device_{c10::kCPU};
    std::uint64_t gpu_memory_bytes_ = 0;  // the chosen GPU's (0: the CPU, or the driver did not say)
    std::string run_dir_;
    int next_block_ = 0;
    std::int64_t seqlen_ = 0;
    BlockInputs inputs_;
    std::int64_t block_ms_total_ = 0;
    int blocks_timed_ = 0;
};

}  // namespace

JobFinished runQuantJob(const JobConfig& config, JobObserver& observer, const CancelToken& cancel) {
    return Pipeline(config, observer, cancel).run();
}

JobFinished runDistributedQuantJob(const JobConfig& config, const dist::DistSpec& dist, JobObserver& observer, const CancelToken& cancel) {
    return Pipeline(config, observer, cancel, dist).run();
}

JobFinished reexportRun(const std::string& run_dir, const std::vector<std::string>& formats, const std::string& output_dir,
                        JobObserver& observer, const CancelToken& cancel) {
    JobConfig c;
    c.formats = formats;
    c.output_dir = output_dir;
    return Pipeline(c, observer, cancel).run(run_dir);
}

}  // namespace srs::job
