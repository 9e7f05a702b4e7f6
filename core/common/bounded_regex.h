// A regular expression from a user's file (a layer_config key) searched in short texts (layer
// names) with bounded work: ICU's matcher with a step budget over all the searches of one
// pattern, so a catastrophically backtracking pattern ("(.*)*(.*)*x") is an error after about a
// second instead of running for hours. Syntax: ICU's, which is Python re's for the patterns
// layer_configs use (.*, \d+, (q|k|v)_proj, ^ and $). Plain C++ facade; ICU stays inside.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace srs {

class BoundedRegex {
public:
    // ICU's time-limit units ("steps", on the order of a millisecond each) that all searches
    // with one BoundedRegex may take together.
    static constexpr std::int32_t kDefaultBudget = 1000;

    // `what` names the pattern in messages ("layer_config key '(.*)*x'"). InvalidArgument when
    // the pattern does not compile (the message says where).
    static Result<BoundedRegex> compile(const std::string& pattern, std::string what, std::int32_t budget = kDefaultBudget);

    // Whether the pattern matches somewhere in text (valid UTF-8). InvalidArgument when the
    // budget runs out (or the backtracking stack overflows) first.
    Result<bool> search(std::string_view text);

    BoundedRegex(BoundedRegex&&) noexcept;
    BoundedRegex& operator=(BoundedRegex&&) noexcept;
    ~BoundedRegex();

private:
    BoundedRegex();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace srs
