// The process-wide memory of the kernels' measured choices (a linear shape's matmul backends, an
// attention shape's implementation): the first caller of a key measures, later callers reuse the
// result; the choices are kept in the order they were made, for logs and `bench tune`.
#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "core/common/log.h"

namespace srs::kernels {

template <class Key, class Choice>
class MeasuredChoices {
public:
    // The choice for key, measured by measure() (outside the lock) the first time; a new choice is
    // logged as "kernels: " + choice.describe(). References stay valid for the process's life.
    template <class Measure>
    const Choice& get(const Key& key, Measure&& measure) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = by_key_.find(key);
            if (it != by_key_.end()) return it->second;
        }
        Choice c = measure();
        std::lock_guard<std::mutex> lock(mu_);
        auto [it, inserted] = by_key_.emplace(key, std::move(c));
        if (inserted) {
            order_.push_back(key);
            log::debug("kernels: " + it->second.describe());  // -v shows them; they are noise to most users
        }
        return it->second;
    }

    std::vector<Choice> all() const {
        std::lock_guard<std::mutex> lock(mu_);
        std::vector<Choice> out;
        for (const auto& k : order_) out.push_back(by_key_.at(k));
        return out;
    }

private:
    mutable std::mutex mu_;
    std::map<Key, Choice> by_key_;
    std::vector<Key> order_;
};

}  // namespace srs::kernels
