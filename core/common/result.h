// Result<T> and Error: how every fallible core function reports failure.
// An Error says what went wrong (message, with context such as the file or tensor) and what the
// user can do about it (hint). Exceptions from LibTorch or the standard library are caught at
// module boundaries and turned into Errors; they never cross into ui/ or app/.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace srs {

enum class ErrorCode {
    None = 0,
    InvalidArgument,
    NotFound,
    IoError,
    CorruptFile,
    Unsupported,
    Cancelled,
    OutOfMemory,
    DiskFull,
    Network,
    Unauthorized,
    Forbidden,
    RateLimited,
    Internal,
};

struct Error {
    ErrorCode code = ErrorCode::None;
    std::string message;
    std::string hint;

    // "message" or "message (hint)" — the one-line form for logs and the CLI.
    std::string toString() const;
    // Prefixes context ("reading model.safetensors: ...") while keeping code and hint.
    Error withContext(const std::string& context) const;
};

inline Error makeError(ErrorCode code, std::string message, std::string hint = {}) {
    return Error{code, std::move(message), std::move(hint)};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : data_(std::move(value)) {}
    Result(Error error) : data_(std::move(error)) {}

    bool ok() const { return data_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(data_); }
    const T& value() const& { return std::get<0>(data_); }
    T&& value() && { return std::get<0>(std::move(data_)); }
    T* operator->() { return &std::get<0>(data_); }
    const T* operator->() const { return &std::get<0>(data_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(data_); }

private:
    std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}

    bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *error_; }

private:
    std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace srs

// Propagates an Error from an expression returning Result<...>.
#define SRS_TRY(expr)                                   \
    do {                                                \
        auto&& srs_try_result_ = (expr);                \
        if (!srs_try_result_.ok()) return srs_try_result_.error(); \
    } while (0)
