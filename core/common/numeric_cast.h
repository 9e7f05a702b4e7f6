// The conversions -Wconversion reports, made explicit and safe (our code compiles with
// -Wconversion; see cmake/SrsToolchain.cmake). Narrowing never happens implicitly: an integer
// that must fit a smaller type goes through fitsIn / clampTo, a real that becomes an integer
// through saturate (NaN and out-of-range values would be undefined behaviour in a static_cast),
// and an integer used as a real (rates, ratios, percentages) through real().
// Plain C++, header only.
#pragma once

#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

namespace srs::num {

// Whether v has the same value as a To (C++20's std::in_range): sign and range checked.
template <typename To, typename From>
constexpr bool inRange(From v) {
    static_assert(std::is_integral_v<To> && std::is_integral_v<From>, "integers only");
    using L = std::numeric_limits<To>;
    if constexpr (std::is_signed_v<From> == std::is_signed_v<To>) {
        return v >= L::min() && v <= L::max();
    } else if constexpr (std::is_signed_v<From>) {
        return v >= 0 && static_cast<std::make_unsigned_t<From>>(v) <= L::max();
    } else {
        return v <= static_cast<std::make_unsigned_t<To>>(L::max());
    }
}

// v as To, or nullopt when it does not fit (never wraps).
template <typename To, typename From>
constexpr std::optional<To> fitsIn(From v) {
    if (!inRange<To>(v)) return std::nullopt;
    return static_cast<To>(v);
}

// v as To, clamped to To's range (for counts shown or passed on where the limit is harmless:
// Qt's int-sized APIs, a progress bar's range).
template <typename To, typename From>
constexpr To clampTo(From v) {
    if (auto f = fitsIn<To>(v)) return *f;
    if constexpr (std::is_signed_v<From>) {
        if (v < 0) return std::numeric_limits<To>::min();
    }
    return std::numeric_limits<To>::max();
}

// A real as an integer: rounded toward zero, NaN gives 0, values past the range give its limits.
template <typename Int>
Int saturate(double v) {
    static_assert(std::is_integral_v<Int>, "integers only");
    if (std::isnan(v)) return 0;
    // The largest double below 2^63 (or 2^64) is what the range check compares with.
    constexpr double hi = static_cast<double>(std::numeric_limits<Int>::max());
    constexpr double lo = static_cast<double>(std::numeric_limits<Int>::min());
    if (v >= hi) return std::numeric_limits<Int>::max();
    if (v <= lo) return std::numeric_limits<Int>::min();
    return static_cast<Int>(v);
}

// An integer as a real, for arithmetic with reals (exact up to 2^53, which counts of bytes,
// parameters and milliseconds stay far below).
template <typename Int>
constexpr double real(Int v) {
    static_assert(std::is_integral_v<Int>, "integers only");
    return static_cast<double>(v);
}

}  // namespace srs::num
