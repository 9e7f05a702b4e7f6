#include "core/common/bounded_regex.h"

#include <unicode/regex.h>
#include <unicode/utext.h>

#include <algorithm>

namespace srs {

struct BoundedRegex::Impl {
    std::unique_ptr<icu::RegexPattern> pattern;
    std::string what;
    std::int32_t budget = 0;
    std::int32_t used = 0;
};

namespace {
UBool U_CALLCONV onStep(const void* context, int32_t steps) {
    *static_cast<std::int32_t*>(const_cast<void*>(context)) = steps;
    return true;
}
}  // namespace

BoundedRegex::BoundedRegex() : impl_(std::make_unique<Impl>()) {}
BoundedRegex::BoundedRegex(BoundedRegex&&) noexcept = default;
BoundedRegex& BoundedRegex::operator=(BoundedRegex&&) noexcept = default;
BoundedRegex::~BoundedRegex() = default;

Result<BoundedRegex> BoundedRegex::compile(const std::string& pattern, std::string what, std::int32_t budget) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse{};
    std::unique_ptr<icu::RegexPattern> p(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), 0, parse, status));
    if (U_FAILURE(status) || !p)
        return makeError(ErrorCode::InvalidArgument, what + " is not a valid regular expression (" + u_errorName(status) + " at offset " +
                                                         std::to_string(parse.offset) + ")");
    BoundedRegex r;
    r.impl_->pattern = std::move(p);
    r.impl_->what = std::move(what);
    r.impl_->budget = budget;
    return r;
}

Result<bool> BoundedRegex::search(std::string_view text) {
    Impl& d = *impl_;
    auto tooLong = [&d] {
        return makeError(ErrorCode::InvalidArgument,
                         d.what + " took too long to match (more than " + std::to_string(d.budget) +
                             " steps of ICU's matcher, about a second); it backtracks without bound",
                         "write a simpler pattern, e.g. model\\.layers\\.[0-3]\\.mlp or a plain substring such as down_proj");
    };
    if (d.used >= d.budget) return tooLong();
    UErrorCode status = U_ZERO_ERROR;
    UText ut = UTEXT_INITIALIZER;
    utext_openUTF8(&ut, text.data(), static_cast<int64_t>(text.size()), &status);
    std::unique_ptr<icu::RegexMatcher> m(d.pattern->matcher(status));
    if (U_FAILURE(status) || !m) {
        utext_close(&ut);
        return makeError(ErrorCode::Internal, "cannot start a matcher for " + d.what + ": " + u_errorName(status));
    }
    m->reset(&ut);
    std::int32_t steps = 0;
    m->setMatchCallback(&onStep, &steps, status);
    m->setTimeLimit(d.budget - d.used, status);
    const bool found = m->find(status) && U_SUCCESS(status);
    m.reset();
    utext_close(&ut);
    d.used += std::max<std::int32_t>(steps, 0);
    if (status == U_REGEX_TIME_OUT || status == U_REGEX_STOPPED_BY_CALLER) {
        d.used = d.budget;
        return tooLong();
    }
    if (status == U_REGEX_STACK_OVERFLOW)
        return makeError(ErrorCode::InvalidArgument, d.what + " backtracked through more memory than a match may take",
                         "write a simpler pattern, e.g. model\\.layers\\.[0-3]\\.mlp or a plain substring such as down_proj");
    if (U_FAILURE(status)) return makeError(ErrorCode::Internal, d.what + " stopped: " + std::string(u_errorName(status)));
    return found;
}

}  // namespace srs
