// The TextModel over core's eval::Generator. Header-only and included only where srs_core is
// linked (the app's main and the GUI tests): srs_ui itself never calls the generator directly.
#pragma once

#include "core/eval/generate.h"
#include "ui/text_model.h"

namespace srs::ui {

class CoreTextModel final : public TextModel {
public:
    explicit CoreTextModel(std::unique_ptr<eval::Generator> g) : g_(std::move(g)) {}
    bool hasChatTemplate() const override { return g_->hasChatTemplate(); }
    Status start(const std::string& prompt, const eval::GenerateOptions& options) override { return g_->start(prompt, options); }
    Result<std::optional<eval::GeneratedToken>> next(const CancelToken& cancel) override { return g_->next(cancel); }
    const eval::GenerationResult& result() const override { return g_->result(); }
    Result<std::vector<std::int32_t>> topChoices(const std::vector<std::int32_t>& ids) const override { return g_->topChoices(ids); }

private:
    std::unique_ptr<eval::Generator> g_;
};

// Opens a model with core's generator (float32, the kernels path).
inline TextModelOpener coreTextModelOpener(eval::GeneratorOptions options = {}) {
    return [options](const std::string& path) -> Result<std::unique_ptr<TextModel>> {
        auto g = eval::Generator::open(path, options);
        if (!g) return g.error();
        return std::unique_ptr<TextModel>(new CoreTextModel(std::move(*g)));
    };
}

}  // namespace srs::ui
