// What the Compare page needs of a model that generates text: core's eval::Generator seen through
// a plain interface, so that ui/ links no torch (the app hands MainWindow an opener, as it hands
// it the quantization job) and a test can drive the page with the real generator or its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/eval/generate.h"

namespace srs::ui {

class TextModel {
public:
    virtual ~TextModel() = default;
    virtual bool hasChatTemplate() const = 0;
    virtual Status start(const std::string& prompt, const eval::GenerateOptions& options) = 0;
    virtual Result<std::optional<eval::GeneratedToken>> next(const CancelToken& cancel) = 0;
    virtual const eval::GenerationResult& result() const = 0;
    // The model's argmax after each prefix of ids (teacher forcing), as eval::Generator::topChoices.
    virtual Result<std::vector<std::int32_t>> topChoices(const std::vector<std::int32_t>& ids) const = 0;
};

using TextModelOpener = std::function<Result<std::unique_ptr<TextModel>>(const std::string& model_path)>;

}  // namespace srs::ui
