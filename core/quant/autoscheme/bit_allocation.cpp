#include "core/common/numeric_cast.h"
#include "core/quant/autoscheme/bit_allocation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <sstream>

namespace srs::quant::autoscheme {

Result<SchemeOption> parseSchemeOption(const std::string& raw) {
    std::string name = raw;
    std::transform(name.begin(), name.end(), name.begin(), ::toupper);
    if (name == "BF16" || name == "FP16" || name == "W16A16") return SchemeOption{raw, std::nullopt};
    static const std::regex kPattern(R"(^W(\d+)A16(?:G(\d+))?(_ASYM)?$)");
    std::smatch m;
    if (!std::regex_match(name, m, kPattern))
        return makeError(ErrorCode::InvalidArgument, "unknown scheme option '" + raw + "'",
                         "use names like W2A16G64, W3A16, W4A16, W8A16 or BF16");
    QuantScheme s;
    s.bits = std::stoi(m[1].str());
    s.group_size = m[2].matched ? std::stoi(m[2].str()) : 128;
    s.sym = !m[3].matched;
    if (s.bits != 2 && s.bits != 3 && s.bits != 4 && s.bits != 8)
        return makeError(ErrorCode::InvalidArgument, "scheme option '" + raw + "' has " + std::to_string(s.bits) + " bits; use 2, 3, 4, 8 or BF16");
    return SchemeOption{raw, s};
}

Result<std::vector<SchemeOption>> parseSchemeOptions(const std::string& list) {
    std::vector<SchemeOption> out;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item.empty()) continue;
        auto o = parseSchemeOption(item);
        if (!o) return o.error();
        bool dup = std::any_of(out.begin(), out.end(), [&](const SchemeOption& x) {
            if (!x.scheme || !o->scheme) return !x.scheme && !o->scheme;
            return x.scheme->bits == o->scheme->bits && x.scheme->group_size == o->scheme->group_size && x.scheme->sym == o->scheme->sym;
        });
        if (!dup) out.push_back(*o);
    }
    if (out.empty()) return makeError(ErrorCode::InvalidArgument, "no scheme options given", "e.g. --options W2A16G64,W4A16,W8A16");
    return out;
}

std::int64_t layerCostBits(const LayerShape& l, const SchemeOption& o, bool ignore_scale_zp_bits) {
    const std::int64_t n = l.params();
    if (o.full_precision()) return 16 * n;
    const QuantScheme& s = *o.scheme;
    std::int64_t cost = static_cast<std::int64_t>(s.bits) * n;
    if (!ignore_scale_zp_bits) {
        std::int64_t gs = s.group_size > 0 ? s.group_size : l.in_features;
        std::int64_t groups = l.out_features * ((l.in_features + gs - 1) / gs);
        cost += groups * (16 + s.bits);
    }
    return cost;
}

Result<AllocationResult> allocateBits(const std::vector<AllocationUnit>& units, const std::vector<SchemeOption>& options,
                                      double target, bool ignore) {
    if (options.empty()) return makeError(ErrorCode::InvalidArgument, "AutoScheme needs at least one scheme option");
    if (units.empty()) return makeError(ErrorCode::InvalidArgument, "AutoScheme has no layers to allocate");
    const std::size_t k = options.size();
    // cost[u][o]
    std::vector<std::vector<std::int64_t>> cost(units.size(), std::vector<std::int64_t>(k, 0));
    AllocationResult r;
    std::int64_t min_total = 0, max_total = 0;
    for (std::size_t u = 0; u < units.size(); ++u) {
        if (units[u].loss.size() != k)
            return makeError(ErrorCode::Internal, "AutoScheme unit " + std::to_string(u) + " has " + std::to_string(units[u].loss.size()) +
                                                      " losses for " + std::to_string(k) + " options");
        for (const auto& l : units[u].layers) r.total_params += l.params();
        for (std::size_t o = 0; o < k; ++o)
            for (const auto& l : units[u].layers) cost[u][o] += layerCostBits(l, options[o], ignore);
        min_total += *std::min_element(cost[u].begin(), cost[u].end());
        max_total += *std::max_element(cost[u].begin(), cost[u].end());
    }
    r.budget_bits = static_cast<std::int64_t>(std::floor(static_cast<double>(r.total_params) * target));
    const double min_avg = num::real(min_total) / num::real(r.total_params), max_avg = num::real(max_total) / num::real(r.total_params);
    if (r.budget_bits < min_total) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "target %.3f bits per weight is below what these options can reach (%.3f to %.3f)", target, min_avg, max_avg);
        return makeError(ErrorCode::InvalidArgument, buf, "raise --avg_bits or add a cheaper option such as W2A16G64");
    }
    if (target > max_avg + 1e-9) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "target %.3f bits per weight is above what these options can reach (%.3f to %.3f)", target, min_avg, max_avg);
        return makeError(ErrorCode::InvalidArgument, buf, "lower --avg_bits or add a wider option such as W8A16 or BF16");
    }

    // Pareto frontier per prefix: states sorted by bits with strictly decreasing loss.
    // Back-pointers per unit reconstruct the choices.
    struct State {
        std::int64_t bits;
        double loss;
        std::int32_t parent;  // index into the previous frontier
        std::int32_t option;
    };
    // The cheapest possible cost of the remaining units, to drop states that cannot fit.
    std::vector<std::int64_t> min_rest(units.size() + 1, 0);
    for (std::size_t u = units.size(); u-- > 0;) min_rest[u] = min_rest[u + 1] + *std::min_element(cost[u].begin(), cost[u].end());

    std::vector<std::vector<State>> frontiers;
    std::vector<State> current = {{0, 0.0, -1, -1}};
    for (std::size_t u = 0; u < units.size(); ++u) {
        std::vector<State> next;
        next.reserve(current.size() * k);
        for (std::size_t s = 0; s < current.size(); ++s)
            for (std::size_t o = 0; o < k; ++o) {
                std::int64_t b = current[s].bits + cost[u][o];
                if (b + min_rest[u + 1] > r.budget_bits) continue;
                next.push_back({b, current[s].loss + units[u].loss[o], static_cast<std::int32_t>(s), static_cast<std::int32_t>(o)});
            }
        std::sort(next.begin(), next.end(), [](const State& a, const State& b) { return a.bits != b.bits ? a.bits < b.bits : a.loss < b.loss; });
        std::vector<State> pruned;
        double best = std::numeric_limits<double>::infinity();
        for (const auto& st : next)
            if (st.loss < best) {
                pruned.push_back(st);
                best = st.loss;
            }
        r.states_explored += next.size();
        frontiers.push_back(current);
        current = std::move(pruned);
        if (current.empty()) return makeError(ErrorCode::Internal, "AutoScheme found no allocation within the budget");
    }
    // The last frontier's least loss is its last state (losses decrease with bits); among equal
    // losses prefer fewer bits, which the strict pruning already guarantees.
    std::size_t best_index = current.size() - 1;
    r.total_loss = current[best_index].loss;
    r.total_bits = current[best_index].bits;
    r.choice.assign(units.size(), 0);
    std::int32_t idx = static_cast<std::int32_t>(best_index);
    const std::vector<State>* frontier = &current;
    for (std::size_t u = units.size(); u-- > 0;) {
        const State& st = (*frontier)[idx];
        r.choice[u] = st.option;
        idx = st.parent;
        frontier = &frontiers[u];
    }
    return r;
}

nlohmann::json toLayerConfig(const std::vector<AllocationUnit>& units, const std::vector<SchemeOption>& options,
                             const AllocationResult& result) {
    nlohmann::json lc = nlohmann::json::object();
    for (std::size_t u = 0; u < units.size(); ++u) {
        const SchemeOption& o = options[result.choice[u]];
        for (const auto& l : units[u].layers) {
            if (o.full_precision())
                lc[l.name] = {{"bits", 16}, {"data_type", "fp"}};
            else
                lc[l.name] = {{"bits", o.scheme->bits}, {"group_size", o.scheme->group_size}, {"sym", o.scheme->sym}};
        }
    }
    return lc;
}

}  // namespace srs::quant::autoscheme
