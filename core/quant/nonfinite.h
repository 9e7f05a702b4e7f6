// Finding and describing non-finite values (NaN, ±infinity) in tensors, for the checks that stop a
// run before such a number becomes a result: a loss, a gradient, a scale, an exported weight, a
// perplexity. Each check is one reduction and one host sync; the descriptions (counts, first
// position) are computed only once something was found.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

namespace srs::quant {

// True when every element is finite; an undefined, empty or integer tensor is. One min/max
// reduction (NaN propagates through it), no temporary of t's size, one sync.
bool allFinite(const at::Tensor& t);

// The same as a 0-dim bool tensor, without the sync, so that several checks share one.
at::Tensor finiteFlag(const at::Tensor& t);

// What is wrong in t, for an error message: "1 NaN value among 11008 (the first at [0, 5])",
// "3 NaN and 2 infinite values among 4096 (the first at [17])". Empty when t is all finite.
std::string describeNonFinite(const at::Tensor& t);

// One number for a message: "NaN", "+inf", "-inf", or %g.
std::string formatValue(double v);

}  // namespace srs::quant
