// Builds GGUF bytes by hand, so tests can make valid files and damage them anywhere.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace srs::test {

class GgufBuilder {
public:
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type;
        std::vector<std::uint8_t> data;
    };
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> kv;  // key -> type + value bytes
    std::vector<Tensor> tensors;
    std::uint32_t version = 3;

    template <typename T>
    static void put(std::vector<std::uint8_t>& b, T v) {
        std::uint8_t raw[sizeof(T)];
        std::memcpy(raw, &v, sizeof(T));
        b.insert(b.end(), raw, raw + sizeof(T));
    }
    static void putStr(std::vector<std::uint8_t>& b, const std::string& s) {
        put<std::uint64_t>(b, s.size());
        b.insert(b.end(), s.begin(), s.end());
    }
    void addU32(const std::string& k, std::uint32_t v) {
        std::vector<std::uint8_t> b;
        put<std::uint32_t>(b, 4);
        put(b, v);
        kv.push_back({k, b});
    }
    void addF32(const std::string& k, float v) {
        std::vector<std::uint8_t> b;
        put<std::uint32_t>(b, 6);
        put(b, v);
        kv.push_back({k, b});
    }
    void addString(const std::string& k, const std::string& v) {
        std::vector<std::uint8_t> b;
        put<std::uint32_t>(b, 8);
        putStr(b, v);
        kv.push_back({k, b});
    }
    void addStringArray(const std::string& k, const std::vector<std::string>& v) {
        std::vector<std::uint8_t> b;
        put<std::uint32_t>(b, 9);
        put<std::uint32_t>(b, 8);
        put<std::uint64_t>(b, v.size());
        for (const auto& s : v) putStr(b, s);
        kv.push_back({k, b});
    }
    void addI32(const std::string& k, std::int32_t v) {
        std::vector<std::uint8_t> b;
        put<std::uint32_t>(b, 5);
        put(b, v);
        kv.push_back({k, b});
    }
    void addBool(const std::string& k, bool v) {
        std::vector<std::uint8_t> b;
        put<std::uint32_t>(b, 7);
        put<std::uint8_t>(b, v ? 1 : 0);
        kv.push_back({k, b});
    }
    void addI32Array(const std::string& k, const std::vector<std::int32_t>& v) {
        std::vector<std::uint8_t> b;
        put<std::uint32_t>(b, 9);
        put<std::uint32_t>(b, 5);
        put<std::uint64_t>(b, v.size());
        for (auto x : v) put(b, x);
        kv.push_back({k, b});
    }
    void addF32Array(const std::string& k, const std::vector<float>& v) {
        std::vector<std::uint8_t> b;
        put<std::uint32_t>(b, 9);
        put<std::uint32_t>(b, 6);
        put<std::uint64_t>(b, v.size());
        for (auto x : v) put(b, x);
        kv.push_back({k, b});
    }
    // A value as given: its GGUF type and bytes (wrong types, arrays whose length lies).
    void addRaw(const std::string& k, std::uint32_t type, const std::vector<std::uint8_t>& value) {
        std::vector<std::uint8_t> b;
        put(b, type);
        b.insert(b.end(), value.begin(), value.end());
        kv.push_back({k, b});
    }
    void remove(const std::string& k) {
        for (auto it = kv.begin(); it != kv.end();) it = it->first == k ? kv.erase(it) : it + 1;
    }
    std::vector<std::uint8_t> build() const {
        std::vector<std::uint8_t> b = {'G', 'G', 'U', 'F'};
        put(b, version);
        put<std::uint64_t>(b, tensors.size());
        put<std::uint64_t>(b, kv.size());
        for (const auto& [k, v] : kv) {
            putStr(b, k);
            b.insert(b.end(), v.begin(), v.end());
        }
        std::uint64_t offset = 0;
        for (const auto& t : tensors) {
            putStr(b, t.name);
            put<std::uint32_t>(b, t.ne.size());
            for (auto d : t.ne) put(b, d);
            put(b, t.type);
            put(b, offset);
            offset += (t.data.size() + 31) / 32 * 32;
        }
        while (b.size() % 32) b.push_back(0);
        for (const auto& t : tensors) {
            b.insert(b.end(), t.data.begin(), t.data.end());
            while (b.size() % 32) b.push_back(0);
        }
        return b;
    }
};

}  // namespace srs::test
