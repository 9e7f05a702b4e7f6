#include "core/eval/kld_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace srs::eval {

double percentileOfSorted(const std::vector<double>& sorted, double fraction) {
    if (sorted.empty()) return 0.0;
    if (fraction <= 0.0) return sorted.front();
    if (fraction >= 1.0) return sorted.back();
    const double position = fraction * static_cast<double>(sorted.size() - 1);
    const std::size_t below = static_cast<std::size_t>(position);
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    const double t = position - static_cast<double>(below);
    return (1.0 - t) * sorted[below] + t * sorted[above];
}

double medianOfSorted(const std::vector<double>& sorted) {
    if (sorted.empty()) return 0.0;
    const std::size_t n = sorted.size();
    return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

KldStats summarizeKld(KldAccumulator acc) {
    KldStats s;
    std::vector<double>& v = acc.per_token_kld;
    if (v.empty()) return s;
    const double n = static_cast<double>(v.size());
    s.tokens = v.size();
    s.mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
    std::sort(v.begin(), v.end());
    s.median = medianOfSorted(v);
    s.p99 = percentileOfSorted(v, 0.99);
    s.p999 = percentileOfSorted(v, 0.999);
    s.max = v.back();
    s.top1_agreement = static_cast<double>(acc.top1_matches) / n;
    s.reference_ppl = std::exp(acc.reference_nll_sum / n);
    // exp of the difference of the mean log-likelihoods: exactly 1 when both sums are equal.
    s.ppl_ratio = std::exp((acc.model_nll_sum - acc.reference_nll_sum) / n);
    return s;
}

}  // namespace srs::eval
