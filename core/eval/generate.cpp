#include "core/eval/generate.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "core/common/json_field.h"
#include "core/common/log.h"
#include "core/eval/generate_text.h"
#include "core/eval/sampling.h"
#include "core/io/atomic_file.h"
#include "core/io/read_text_file.h"
#include "core/io/weight_source.h"
#include "core/model/llama_model.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/load_tokenizer.h"
#include "kernels/linear.h"

namespace srs::eval {

const char* stopReasonName(StopReason reason) {
    switch (reason) {
        case StopReason::Eos: return "eos";
        case StopReason::EndOfTurn: return "end-of-turn";
        case StopReason::MaxTokens: return "max-tokens";
        case StopReason::ContextFull: return "context-full";
        case StopReason::Cancelled: return "cancelled";
        case StopReason::None: break;
    }
    return "none";
}

namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// How many prompt ids the streamed text is decoded after: enough for the decoders' rules at the
// start of a text (SentencePiece drops the first piece's leading space) not to touch the
// generated part, few enough that decoding stays cheap.
constexpr std::size_t kAnchorIds = 8;

Status checkOptions(const GenerateOptions& o) {
    const auto bad = [](const std::string& what, const std::string& hint) { return makeError(ErrorCode::InvalidArgument, what, hint); };
    if (o.max_new_tokens < 0) return bad("max_new_tokens is negative", "give 0 or more tokens to generate");
    if (!(o.sampling.temperature >= 0.0)) return bad("temperature must be 0 (greedy) or positive", "use e.g. 0.8, or 0 for greedy");
    if (o.sampling.top_k < 0) return bad("top_k is negative", "use 0 to keep every token, or a positive count");
    if (!(o.sampling.top_p > 0.0 && o.sampling.top_p <= 1.0)) return bad("top_p must lie in (0, 1]", "use e.g. 0.9, or 1 to keep every token");
    return {};
}

// generation_config.json's eos_token_id (one id or a list), which transformers' generate() stops
// at: instruction-tuned models list their end-of-turn ids there. Nothing when absent or unreadable.
std::vector<std::int32_t> generationConfigEosIds(const std::string& folder) {
    std::vector<std::int32_t> ids;
    if (folder.empty()) return ids;
    const std::string path = folder + "/generation_config.json";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return ids;
    // A plain file of at most 16 MiB; every id an int32 (no wrapping), else a warning and no ids.
    auto j = io::readJsonFile(path, io::kMaxConfigFileBytes);
    if (!j) {
        log::warn(j.error().message + "; its eos_token_id is not used");
        return ids;
    }
    const json::Fields f(*j, path);
    auto e = f.isObject() ? f.integerOrList("eos_token_id", 0, std::numeric_limits<std::int32_t>::max(), 1024)
                          : Result<std::vector<std::int64_t>>(f.notAnObject());
    if (!e) {
        log::warn(e.error().message + "; its eos_token_id is not used");
        return ids;
    }
    for (std::int64_t id : *e) ids.push_back(static_cast<std::int32_t>(id));
    return ids;
}

}  // namespace

struct Generator::Impl {
    std::string path;
    GeneratorOptions options;
    at::ScalarType dtype = at::kFloat;
    std::shared_ptr<io::WeightSource> source;
    std::unique_ptr<model::CausalLM> model;
    std::unique_ptr<tokenizer::Tokenizer> tok;
    std::optional<tokenizer::ChatTemplate> chat;
    std::string chat_error;  // why the template could not be read, when it could not
    std::set<std::int32_t> eos_ids, end_of_turn_ids;

    // The generation in progress.
    bool started = false;
    GenerateOptions gen;
    std::unique_ptr<Sampler> sampler;
    model::KvCache cache;
    std::vector<float> next_logits;  // the distribution of the next token, when not `pending`
    bool pending = false;            // the last generated token is not fed to the model yet
    GenerationResult result;
    std::vector<std::int32_t> anchor;  // the last prompt ids, decoded before the generated ones
    std::string anchor_text, emitted;

    Status load();
    void findStopIds();
    Result<std::vector<std::int32_t>> chatIds(const std::string& prompt) const;
    Status checkIds(const std::vector<std::int32_t>& ids, const char* what) const;
    void forward(const std::vector<std::int32_t>& ids);
    std::string decodedSinceAnchor() const;
    std::string takeNewText(bool final);
    std::optional<StopReason> stopBefore(const CancelToken& cancel) const;
    std::optional<StopReason> stopAt(std::int32_t id) const;
    void finish(StopReason reason);
    bool lastPossible() const;
};

Status Generator::Impl::load() {
    auto d = model::parseComputeDtype(options.dtype);
    if (!d) return d.error();
    dtype = *d;
    auto src = io::openWeightSource(path);
    if (!src) return src.error();
    source = *src;
    auto t = tokenizer::loadTokenizerFor(*source);
    if (!t) return t.error();
    tok = std::move(*t);
    auto tmpl = tokenizer::loadChatTemplate(*source);
    if (tmpl) {
        chat = *tmpl;
    } else {
        chat_error = tmpl.error().toString();
        log::warn("could not read the chat template of " + path + ": " + chat_error);
    }
    auto m = model::CausalLM::load(source, dtype);
    if (!m) return m.error();
    model = std::move(*m);
    findStopIds();
    return {};
}

void Generator::Impl::findStopIds() {
    if (auto e = tok->eosId()) eos_ids.insert(*e);
    for (std::int64_t e : source->config().eos_token_ids) eos_ids.insert(static_cast<std::int32_t>(e));
    for (std::int32_t e : generationConfigEosIds(source->tokenizerFolder())) eos_ids.insert(e);
    if (!chat) return;
    if (!chat->eos_token.empty())
        if (auto e = tok->tokenId(chat->eos_token)) eos_ids.insert(*e);
    for (const auto& piece : chat->end_of_turn_tokens) {
        if (auto e = tok->tokenId(piece))
            end_of_turn_ids.insert(*e);
        else
            log::warn("the chat template's end-of-turn token '" + piece + "' is not in the vocabulary of " + path);
    }
}

Result<std::vector<std::int32_t>> Generator::Impl::chatIds(const std::string& prompt) const {
    if (!chat)
        return makeError(ErrorCode::Unsupported,
                         path + " has no chat template" + (chat_error.empty() ? std::string() : " that we could read (" + chat_error + ")"),
                         "leave out --chat / chat mode for a base model, or use a model whose tokenizer_config.json (or GGUF) carries a "
                         "chat_template");
    auto text = tokenizer::renderChat(*chat, {{"user", prompt}}, true);
    if (!text) return text.error().withContext("rendering the chat template");
    // A tokenizer.json splits out its added tokens itself, and its encode may fail (tryEncode).
    if (tok->kind() == "hf-bpe") return tok->tryEncode(*text, false);
    return encodeWithSpecialTokens(*tok, *text, specialTokenStrings(*tok, *chat));
}

Status Generator::Impl::checkIds(const std::vector<std::int32_t>& ids, const char* what) const {
    const std::int64_t vocab = source->config().vocab_size;
    for (std::int32_t id : ids)
        if (id < 0 || (vocab > 0 && id >= vocab))
            return makeError(ErrorCode::InvalidArgument,
                             std::string(what) + " has id " + std::to_string(id) + ", outside the model's vocabulary of " + std::to_string(vocab),
                             "the tokenizer files do not belong to the model's weights");
    const std::int64_t context = source->config().max_position_embeddings;
    if (context > 0 && static_cast<std::int64_t>(ids.size()) > context)
        return makeError(ErrorCode::InvalidArgument,
                         std::string(what) + " has " + std::to_string(ids.size()) + " tokens, more than the model's context of " +
                             std::to_string(context),
                         "shorten the prompt");
    return {};
}

// Feeds ids at the next positions and keeps the last position's logits.
void Generator::Impl::forward(const std::vector<std::int32_t>& ids) {
    at::Tensor x = at::empty({1, static_cast<std::int64_t>(ids.size())}, at::kLong);
    std::copy(ids.begin(), ids.end(), x.data_ptr<std::int64_t>());
    at::Tensor logits = model->logitsCached(x, cache).select(1, -1).squeeze(0).contiguous();  // [V] float32
    next_logits.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
}

std::string Generator::Impl::decodedSinceAnchor() const {
    std::vector<std::int32_t> seq = anchor;
    seq.insert(seq.end(), result.ids.begin(), result.ids.end());
    std::string full = tok->decode(seq);
    // The generated text follows the anchor's own decoding; should a decoder rule ever join the
    // two differently, the whole decoding is the best we can say.
    if (full.compare(0, anchor_text.size(), anchor_text) == 0) return full.substr(anchor_text.size());
    return full;
}

std::string Generator::Impl::takeNewText(bool final) {
    std::string text = decodedSinceAnchor();
    if (!final) text.resize(completeUtf8Prefix(text));
    if (text.size() <= emitted.size() || text.compare(0, emitted.size(), emitted) != 0) return {};
    std::string added = text.substr(emitted.size());
    emitted = text;
    return added;
}

std::optional<StopReason> Generator::Impl::stopBefore(const CancelToken& cancel) const {
    if (!cancel.check("generating").ok()) return StopReason::Cancelled;
    if (static_cast<int>(result.ids.size()) >= gen.max_new_tokens) return StopReason::MaxTokens;
    const std::int64_t context = source->config().max_position_embeddings;
    if (context > 0 && static_cast<std::int64_t>(result.prompt_ids.size() + result.ids.size()) >= context) return StopReason::ContextFull;
    return std::nullopt;
}

std::optional<StopReason> Generator::Impl::stopAt(std::int32_t id) const {
    if (end_of_turn_ids.count(id)) return StopReason::EndOfTurn;
    if (eos_ids.count(id)) return StopReason::Eos;
    return std::nullopt;
}

// Whether no further token can follow the last one (max_new_tokens or the context reached), so
// its text may flush what an incomplete UTF-8 sequence held back.
bool Generator::Impl::lastPossible() const {
    if (static_cast<int>(result.ids.size()) >= gen.max_new_tokens) return true;
    const std::int64_t context = source->config().max_position_embeddings;
    return context > 0 && static_cast<std::int64_t>(result.prompt_ids.size() + result.ids.size()) >= context;
}

void Generator::Impl::finish(StopReason reason) {
    result.stop = reason;
    result.text = decodedSinceAnchor();
    result.tokens_per_s = result.generate_ms > 0 ? 1000.0 * static_cast<double>(result.ids.size()) / result.generate_ms : 0.0;
}

Generator::Generator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Generator::~Generator() = default;

Result<std::unique_ptr<Generator>> Generator::open(const std::string& model_path, const GeneratorOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->path = model_path;
    impl->options = options;
    try {
        SRS_TRY(impl->load());
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, "loading " + model_path + " for generation failed: " + e.what());
    }
    return std::unique_ptr<Generator>(new Generator(std::move(impl)));
}

const std::string& Generator::modelPath() const { return impl_->path; }
bool Generator::hasChatTemplate() const { return impl_->chat.has_value(); }
std::int64_t Generator::contextLength() const { return impl_->source->config().max_position_embeddings; }

Result<std::vector<std::int32_t>> Generator::promptIds(const std::string& prompt, bool chat) const {
    std::vector<std::int32_t> ids;
    if (chat) {
        auto c = impl_->chatIds(prompt);
        if (!c) return c.error();
        ids = std::move(*c);
    } else {
        auto encoded = impl_->tok->tryEncode(prompt, impl_->tok->addsBosByDefault());  // an error for a hostile tokenizer.json
        if (!encoded) return encoded.error().withContext("tokenizing the prompt");
        ids = std::move(*encoded);
    }
    if (ids.empty())
        return makeError(ErrorCode::InvalidArgument, "the prompt is empty and the tokenizer adds no BOS, so there is nothing to continue",
                         "give a prompt of at least one token");
    SRS_TRY(impl_->checkIds(ids, "the prompt"));
    return ids;
}

std::string Generator::decode(const std::vector<std::int32_t>& ids) const { return impl_->tok->decode(ids); }

Status Generator::start(const std::string& prompt, const GenerateOptions& options) {
    Impl& s = *impl_;
    s.started = false;
    SRS_TRY(checkOptions(options));
    auto ids = promptIds(prompt, options.chat);
    if (!ids) return ids.error();
    s.gen = options;
    s.sampler = std::make_unique<Sampler>(options.sampling);
    s.result = GenerationResult{};
    s.result.prompt_ids = *ids;
    s.cache.clear();
    s.pending = false;
    s.anchor.assign(ids->end() - static_cast<std::ptrdiff_t>(std::min(kAnchorIds, ids->size())), ids->end());
    s.anchor_text = s.tok->decode(s.anchor);
    s.emitted.clear();
    const auto t0 = Clock::now();
    try {
        c10::InferenceMode guard;
        kernels::FastLinearScope fast(s.options.kernels != quant::KernelPath::Reference);
        s.forward(*ids);
    } catch (const std::exception& e) {
        s.cache.clear();
        return makeError(ErrorCode::Internal, std::string("the prompt's forward failed: ") + e.what());
    }
    s.result.prompt_ms = msSince(t0);
    s.started = true;
    return {};
}

Result<std::optional<GeneratedToken>> Generator::next(const CancelToken& cancel) {
    Impl& s = *impl_;
    if (!s.started) return makeError(ErrorCode::InvalidArgument, "next() without a started generation", "call start() first");
    if (s.result.stop != StopReason::None) return std::optional<GeneratedToken>();
    if (auto stop = s.stopBefore(cancel)) {
        s.finish(*stop);
        return std::optional<GeneratedToken>();
    }
    const auto t0 = Clock::now();
    std::int32_t id = 0;
    try {
        c10::InferenceMode guard;
        kernels::FastLinearScope fast(s.options.kernels != quant::KernelPath::Reference);
        if (s.pending) s.forward({s.result.ids.back()});
        s.pending = false;
        id = s.sampler->sample(s.next_logits.data(), s.next_logits.size());
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("generating a token failed: ") + e.what());
    }
    if (auto stop = s.stopAt(id)) {
        s.result.generate_ms += msSince(t0);
        s.finish(*stop);
        return std::optional<GeneratedToken>();
    }
    GeneratedToken token;
    token.index = static_cast<int>(s.result.ids.size());
    token.id = id;
    s.result.ids.push_back(id);
    s.pending = true;
    token.text = s.takeNewText(s.lastPossible());
    token.elapsed_ms = msSince(t0);
    s.result.generate_ms += token.elapsed_ms;
    s.result.tokens_per_s = 1000.0 * static_cast<double>(s.result.ids.size()) / std::max(s.result.generate_ms, 1e-9);
    return std::optional<GeneratedToken>(std::move(token));
}

const GenerationResult& Generator::result() const { return impl_->result; }

Result<GenerationResult> Generator::generate(const std::string& prompt, const GenerateOptions& options,
                                             const std::function<void(const GeneratedToken&)>& on_token, const CancelToken& cancel) {
    SRS_TRY(start(prompt, options));
    for (;;) {
        auto token = next(cancel);
        if (!token) return token.error();
        if (!token->has_value()) break;
        if (on_token) on_token(**token);
    }
    return impl_->result;
}

Result<std::vector<std::int32_t>> Generator::topChoices(const std::vector<std::int32_t>& ids) const {
    if (ids.empty()) return makeError(ErrorCode::InvalidArgument, "no ids to score", "give at least one token id");
    SRS_TRY(impl_->checkIds(ids, "the sequence"));
    std::vector<std::int32_t> choices;
    try {
        c10::InferenceMode guard;
        kernels::FastLinearScope fast(impl_->options.kernels != quant::KernelPath::Reference);
        at::Tensor x = at::empty({1, static_cast<std::int64_t>(ids.size())}, at::kLong);
        std::copy(ids.begin(), ids.end(), x.data_ptr<std::int64_t>());
        at::Tensor logits = impl_->model->logits(x).squeeze(0).contiguous();  // [T, V] float32
        const std::size_t vocab = static_cast<std::size_t>(logits.size(1));
        const float* row = logits.data_ptr<float>();
        for (std::size_t t = 0; t < ids.size(); ++t) choices.push_back(argmaxLogit(row + t * vocab, vocab));
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("the forward over the sequence failed: ") + e.what());
    }
    return choices;
}

}  // namespace srs::eval
