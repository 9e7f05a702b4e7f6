#include "core/io/gguf.h"

#include "core/io/ggml_quants.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "core/io/dtype.h"

namespace srs::io {

const char* ggmlTypeName(std::uint32_t t) {
    switch (static_cast<GgmlType>(t)) {
    case GgmlType::F32: return "F32";
    case GgmlType::F16: return "F16";
    case GgmlType::Q4_0: return "Q4_0";
    case GgmlType::Q4_1: return "Q4_1";
    case GgmlType::Q5_0: return "Q5_0";
    case GgmlType::Q5_1: return "Q5_1";
    case GgmlType::Q8_0: return "Q8_0";
    case GgmlType::Q8_1: return "Q8_1";
    case GgmlType::Q2_K: return "Q2_K";
    case GgmlType::Q3_K: return "Q3_K";
    case GgmlType::Q4_K: return "Q4_K";
    case GgmlType::Q5_K: return "Q5_K";
    case GgmlType::Q6_K: return "Q6_K";
    case GgmlType::Q8_K: return "Q8_K";
    case GgmlType::BF16: return "BF16";
    }
    return "";
}

bool ggmlBlockLayout(std::uint32_t t, std::uint64_t* elems, std::uint64_t* bytes) {
    struct L {
        std::uint64_t e, b;
    };
    L l{0, 0};
    switch (static_cast<GgmlType>(t)) {
    case GgmlType::F32: l = {1, 4}; break;
    case GgmlType::F16: case GgmlType::BF16: l = {1, 2}; break;
    case GgmlType::Q4_0: l = {32, 18}; break;
    case GgmlType::Q4_1: l = {32, 20}; break;
    case GgmlType::Q5_0: l = {32, 22}; break;
    case GgmlType::Q5_1: l = {32, 24}; break;
    case GgmlType::Q8_0: l = {32, 34}; break;
    case GgmlType::Q8_1: l = {32, 36}; break;
    case GgmlType::Q2_K: l = {256, 84}; break;
    case GgmlType::Q3_K: l = {256, 110}; break;
    case GgmlType::Q4_K: l = {256, 144}; break;
    case GgmlType::Q5_K: l = {256, 176}; break;
    case GgmlType::Q6_K: l = {256, 210}; break;
    case GgmlType::Q8_K: l = {256, 292}; break;
    default: return false;
    }
    *elems = l.e;
    *bytes = l.b;
    return true;
}

std::uint64_t GgufTensorInfo::numel() const {
    std::uint64_t n = 1;
    for (auto d : ne) n *= d;
    return n;
}

namespace {

// Bounds-checked little-endian reader; every failure names what was being read and where.
class Reader {
public:
    Reader(const std::uint8_t* data, std::uint64_t size) : p_(data), size_(size) {}
    std::uint64_t pos() const { return pos_; }
    std::uint64_t left() const { return size_ - pos_; }
    std::string error;
    std::uint64_t values = 0;  // metadata values read so far (kGgufMaxMetadataValues at most)

    template <typename T>
    bool get(T* out, const char* what) {
        if (left() < sizeof(T)) return fail(std::string("file ends while reading ") + what);
        std::memcpy(out, p_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return true;
    }
    bool str(std::string* out, const char* what) {
        std::uint64_t n = 0;
        if (!get(&n, what)) return false;
        if (n > left()) return fail(std::string(what) + " claims " + std::to_string(n) + " bytes but only " + std::to_string(left()) + " remain");
        out->assign(reinterpret_cast<const char*>(p_ + pos_), n);
        pos_ += n;
        return true;
    }
    bool fail(const std::string& m) {
        if (error.empty()) error = m + " (at byte " + std::to_string(pos_) + ")";
        return false;
    }

private:
    const std::uint8_t* p_;
    std::uint64_t size_;
    std::uint64_t pos_ = 0;
};

constexpr std::uint32_t kArray = 9, kString = 8;

const char* valueTypeName(std::uint32_t type) {
    static const char* const kNames[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};
    return type < sizeof kNames / sizeof kNames[0] ? kNames[type] : "unknown";
}
bool isIntegerType(std::uint32_t t) { return t <= 5 || t == 10 || t == 11; }
bool isNumberType(std::uint32_t t) { return isIntegerType(t) || t == 6 || t == 12; }

bool readValue(Reader& r, std::uint32_t type, nlohmann::json* out, int depth);

bool readScalar(Reader& r, std::uint32_t type, nlohmann::json* out) {
    switch (type) {
    case 0: { std::uint8_t v = 0; if (!r.get(&v, "a u8 value")) return false; *out = v; return true; }
    case 1: { std::int8_t v = 0; if (!r.get(&v, "an i8 value")) return false; *out = v; return true; }
    case 2: { std::uint16_t v = 0; if (!r.get(&v, "a u16 value")) return false; *out = v; return true; }
    case 3: { std::int16_t v = 0; if (!r.get(&v, "an i16 value")) return false; *out = v; return true; }
    case 4: { std::uint32_t v = 0; if (!r.get(&v, "a u32 value")) return false; *out = v; return true; }
    case 5: { std::int32_t v = 0; if (!r.get(&v, "an i32 value")) return false; *out = v; return true; }
    case 6: { float v = 0; if (!r.get(&v, "an f32 value")) return false; *out = v; return true; }
    case 7: { std::uint8_t v = 0; if (!r.get(&v, "a bool value")) return false; if (v > 1) return r.fail("a bool value is neither 0 nor 1"); *out = v != 0; return true; }
    case kString: { std::string s; if (!r.str(&s, "a string value")) return false; *out = s; return true; }
    case 10: { std::uint64_t v = 0; if (!r.get(&v, "a u64 value")) return false; *out = v; return true; }
    case 11: { std::int64_t v = 0; if (!r.get(&v, "an i64 value")) return false; *out = v; return true; }
    case 12: { double v = 0; if (!r.get(&v, "an f64 value")) return false; *out = v; return true; }
    default: return r.fail("unknown metadata value type " + std::to_string(type));
    }
}

std::uint64_t minBytes(std::uint32_t type) {
    switch (type) {
    case 0: case 1: case 7: return 1;
    case 2: case 3: return 2;
    case 4: case 5: case 6: return 4;
    case 10: case 11: case 12: case kString: return 8;  // a string is at least its length field
    case kArray: return 12;
    default: return 1;
    }
}

bool readValue(Reader& r, std::uint32_t type, nlohmann::json* out, int depth) {
    if (type != kArray) return readScalar(r, type, out);
    if (depth > 4) return r.fail("arrays nested too deeply");
    std::uint32_t elem = 0;
    std::uint64_t count = 0;
    if (!r.get(&elem, "an array element type") || !r.get(&count, "an array length")) return false;
    if (elem > 12) return r.fail("unknown array element type " + std::to_string(elem));
    if (count > r.left() / minBytes(elem)) return r.fail("an array claims " + std::to_string(count) + " elements, more than the file holds");
    if (count > kGgufMaxMetadataValues - r.values)
        return r.fail("the metadata holds more than " + std::to_string(kGgufMaxMetadataValues) + " values in all (an array claims " +
                      std::to_string(count) + "); real models hold about a million");
    r.values += count;
    *out = nlohmann::json::array();
    for (std::uint64_t i = 0; i < count; ++i) {
        nlohmann::json v;
        if (!readValue(r, elem, &v, depth + 1)) return false;
        out->push_back(std::move(v));
    }
    return true;
}

}  // namespace

Result<std::shared_ptr<GgufFile>> GgufFile::open(const std::string& path) {
    // A FIFO would block open() until a writer comes, a device never ends: only regular files.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        return makeError(err == ENOENT ? ErrorCode::NotFound : ErrorCode::IoError, "cannot open " + path + ": " + std::strerror(err),
                         err == ENOENT ? "check the path" : "check the file's permissions");
    }
    if (!S_ISREG(st.st_mode))
        return makeError(ErrorCode::InvalidArgument,
                         path + " is not a regular file (it is " +
                             (S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "not a file") +
                             "), so it cannot be read as a GGUF model",
                         "give the path of a .gguf file");
    auto f = MappedFile::open(path);
    if (!f) return f.error();
    return parse(*f, path);
}

Result<std::shared_ptr<GgufFile>> GgufFile::parse(std::shared_ptr<MappedFile> file, const std::string& name) {
    auto corrupt = [&](const std::string& what) {
        return makeError(ErrorCode::CorruptFile, name + ": " + what, "the file is damaged or not a GGUF model; download it again");
    };
    std::shared_ptr<GgufFile> g(new GgufFile());
    g->file_ = file;
    g->path_ = name;
    Reader r(file->data(), file->size());
    char magic[4];
    if (file->size() < 4 || (std::memcpy(magic, file->data(), 4), std::memcmp(magic, "GGUF", 4) != 0))
        return corrupt("not a GGUF file (no GGUF magic)");
    std::uint32_t m;
    r.get(&m, "the magic");
    if (!r.get(&g->version_, "the version")) return corrupt(r.error);
    if (g->version_ != 2 && g->version_ != 3)
        return makeError(ErrorCode::Unsupported, name + ": GGUF version " + std::to_string(g->version_) + " is not supported (2 and 3 are)",
                         "convert the model with a recent llama.cpp");
    std::uint64_t n_tensors = 0, n_kv = 0;
    if (!r.get(&n_tensors, "the tensor count") || !r.get(&n_kv, "the metadata count")) return corrupt(r.error);
    if (n_kv > r.left() / 13) return corrupt("metadata count " + std::to_string(n_kv) + " cannot fit in the file");
    if (n_tensors > r.left() / 24) return corrupt("tensor count " + std::to_string(n_tensors) + " cannot fit in the file");
    for (std::uint64_t i = 0; i < n_kv; ++i) {
        std::string key;
        std::uint32_t type = 0;
        nlohmann::json value;
        if (!r.str(&key, "a metadata key") || !r.get(&type, "a metadata type")) return corrupt(r.error);
        std::uint32_t elem = 0;
        if (type == kArray && r.left() >= 4) std::memcpy(&elem, file->data() + r.pos(), 4);
        if (!readValue(r, type, &value, 0)) return corrupt(r.error);
        g->metadata_[key] = std::move(value);
        g->meta_types_[key] = type == kArray ? std::string("array of ") + valueTypeName(elem) : valueTypeName(type);
    }
    auto alignment = g->metaInt("general.alignment", 1, std::int64_t(1) << 30);
    if (!alignment) return alignment.error();
    if (*alignment) {
        const auto a = static_cast<std::uint64_t>(**alignment);
        if ((a & (a - 1)) != 0) return g->metaError("general.alignment", "a power of two");
        g->alignment_ = a;
    }
    for (std::uint64_t i = 0; i < n_tensors; ++i) {
        GgufTensorInfo t;
        std::uint32_t n_dims = 0;
        if (!r.str(&t.name, "a tensor name") || !r.get(&n_dims, "a tensor's dimension count")) return corrupt(r.error);
        if (n_dims == 0 || n_dims > 4) return corrupt("tensor '" + t.name + "' has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
        std::uint64_t numel = 1;
        for (std::uint32_t d = 0; d < n_dims; ++d) {
            std::uint64_t ne = 0;
            if (!r.get(&ne, "a tensor dimension")) return corrupt(r.error);
            if (ne > kGgufMaxDimension) return corrupt("tensor '" + t.name + "' has a dimension of " + std::to_string(ne) + " elements");
            if (ne != 0 && numel > std::numeric_limits<std::uint64_t>::max() / ne) return corrupt("tensor '" + t.name + "' is impossibly large");
            numel *= ne;
            t.ne.push_back(ne);
        }
        if (!r.get(&t.type, "a tensor type") || !r.get(&t.offset, "a tensor offset")) return corrupt(r.error);
        std::uint64_t be = 0, bb = 0;
        if (!ggmlBlockLayout(t.type, &be, &bb))
            return makeError(ErrorCode::Unsupported, name + ": tensor '" + t.name + "' has ggml type " + std::to_string(t.type) + ", which is not supported");
        if (t.ne[0] % be != 0) return corrupt("tensor '" + t.name + "' has a row of " + std::to_string(t.ne[0]) + " elements, not a multiple of its block of " + std::to_string(be));
        t.size_bytes = numel / be * bb;
        if (t.offset % g->alignment_ != 0) return corrupt("tensor '" + t.name + "' is not aligned to " + std::to_string(g->alignment_) + " bytes");
        if (g->index_.count(t.name)) return corrupt("tensor '" + t.name + "' appears twice");
        g->index_[t.name] = g->tensors_.size();
        g->tensors_.push_back(std::move(t));
    }
    g->data_offset_ = (r.pos() + g->alignment_ - 1) / g->alignment_ * g->alignment_;
    if (g->data_offset_ > file->size() && !g->tensors_.empty()) return corrupt("the data section starts past the end of the file");
    const std::uint64_t data_size = file->size() > g->data_offset_ ? file->size() - g->data_offset_ : 0;
    std::vector<const GgufTensorInfo*> by_offset;
    for (const auto& t : g->tensors_) {
        if (t.offset > data_size || t.size_bytes > data_size - t.offset)
            return corrupt("tensor '" + t.name + "' runs past the end of the file — the file is truncated");
        by_offset.push_back(&t);
    }
    std::sort(by_offset.begin(), by_offset.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
    for (std::size_t i = 1; i < by_offset.size(); ++i)
        if (by_offset[i]->offset < by_offset[i - 1]->offset + by_offset[i - 1]->size_bytes)
            return corrupt("tensors '" + by_offset[i - 1]->name + "' and '" + by_offset[i]->name + "' overlap");
    return g;
}

const nlohmann::json* GgufFile::meta(const std::string& key) const {
    auto it = metadata_.find(key);
    return it == metadata_.end() ? nullptr : &it->second;
}

std::string GgufFile::metaTypeName(const std::string& key) const {
    auto it = meta_types_.find(key);
    return it == meta_types_.end() ? std::string() : it->second;
}

namespace {

std::string numberText(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

// A value as a message shows it: "the string \"two\"", "the u32 7", "an array of i32 (4 elements)".
std::string describeValue(const nlohmann::json& v, const std::string& type) {
    if (v.is_array()) return "an " + type + " (" + std::to_string(v.size()) + " elements)";
    if (v.is_string()) {
        std::string s = v.get<std::string>();
        if (s.size() > 40) s = s.substr(0, 40) + "...";
        return "the string \"" + s + "\"";
    }
    if (v.is_number_float()) return "the " + type + " " + numberText(v.get<double>());
    return "the " + type + " " + v.dump();
}

std::string rangeText(const char* what, std::int64_t min, std::int64_t max) {
    return std::string(what) + " from " + std::to_string(min) + " to " + std::to_string(max);
}

bool integerIn(const nlohmann::json& v, std::int64_t min, std::int64_t max, std::int64_t* out) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
        *out = static_cast<std::int64_t>(u);
    } else if (v.is_number_integer()) {
        *out = v.get<std::int64_t>();
    } else {
        return false;
    }
    return *out >= min && *out <= max;
}

}  // namespace

Error GgufFile::metaError(const std::string& key, const std::string& expected) const {
    const auto* v = meta(key);
    const std::string found = v ? describeValue(*v, metaTypeName(key)) : std::string("missing");
    return makeError(ErrorCode::CorruptFile, path_ + ": metadata key '" + key + "' must be " + expected + ", but it is " + found,
                     "the file is damaged or was not written by a GGUF converter (it may be crafted to attack readers); get the "
                     "model again from its source");
}

Result<std::optional<std::int64_t>> GgufFile::metaInt(const std::string& key, std::int64_t min, std::int64_t max) const {
    const auto* v = meta(key);
    if (!v) return std::optional<std::int64_t>();
    std::int64_t out = 0;
    if (!integerIn(*v, min, max, &out)) return metaError(key, rangeText("an integer", min, max));
    return std::optional<std::int64_t>(out);
}

Result<std::optional<double>> GgufFile::metaNumber(const std::string& key, double min, double max) const {
    const auto* v = meta(key);
    if (!v) return std::optional<double>();
    const double d = v->is_number() ? v->get<double>() : std::nan("");
    if (!std::isfinite(d) || d < min || d > max) return metaError(key, "a number from " + numberText(min) + " to " + numberText(max));
    return std::optional<double>(d);
}

Result<std::optional<std::string>> GgufFile::metaString(const std::string& key) const {
    const auto* v = meta(key);
    if (!v) return std::optional<std::string>();
    if (!v->is_string()) return metaError(key, "a string");
    return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<bool>> GgufFile::metaBool(const std::string& key) const {
    const auto* v = meta(key);
    if (!v) return std::optional<bool>();
    if (!v->is_boolean()) return metaError(key, "a bool");
    return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::vector<std::string>>> GgufFile::metaStringArray(const std::string& key, std::uint64_t max_len) const {
    const auto* v = meta(key);
    if (!v) return std::optional<std::vector<std::string>>();
    const std::string expected = "an array of at most " + std::to_string(max_len) + " strings";
    if (!v->is_array() || metaTypeName(key) != "array of string" || v->size() > max_len) return metaError(key, expected);
    std::vector<std::string> out;
    out.reserve(v->size());
    for (const auto& e : *v) {
        if (!e.is_string()) return metaError(key, expected);
        out.push_back(e.get<std::string>());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::optional<std::vector<double>>> GgufFile::metaNumberArray(const std::string& key, std::uint64_t max_len) const {
    const auto* v = meta(key);
    if (!v) return std::optional<std::vector<double>>();
    const std::string expected = "an array of at most " + std::to_string(max_len) + " finite numbers";
    const std::string type = metaTypeName(key);
    bool numeric = false;
    for (std::uint32_t t = 0; t <= 12; ++t)
        if (isNumberType(t) && type == std::string("array of ") + valueTypeName(t)) numeric = true;
    if (!v->is_array() || !numeric || v->size() > max_len) return metaError(key, expected);
    std::vector<double> out;
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto& e = (*v)[i];
        const double d = e.is_number() ? e.get<double>() : std::nan("");
        if (!std::isfinite(d)) return metaError(key, expected + " (element " + std::to_string(i) + " is not)");
        out.push_back(d);
    }
    return std::optional<std::vector<double>>(std::move(out));
}

Result<std::optional<std::vector<std::int64_t>>> GgufFile::metaIntArray(const std::string& key, std::uint64_t max_len, std::int64_t min,
                                                                        std::int64_t max) const {
    const auto* v = meta(key);
    if (!v) return std::optional<std::vector<std::int64_t>>();
    const std::string expected = "an array of at most " + std::to_string(max_len) + " integers from " + std::to_string(min) + " to " + std::to_string(max);
    const std::string type = metaTypeName(key);
    bool integral = false;
    for (std::uint32_t t = 0; t <= 12; ++t)
        if (isIntegerType(t) && type == std::string("array of ") + valueTypeName(t)) integral = true;
    if (!v->is_array() || !integral || v->size() > max_len) return metaError(key, expected);
    std::vector<std::int64_t> out;
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
        std::int64_t x = 0;
        if (!integerIn((*v)[i], min, max, &x))
            return metaError(key, expected + " (element " + std::to_string(i) + " is " +
                                      (*v)[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ")");
        out.push_back(x);
    }
    return std::optional<std::vector<std::int64_t>>(std::move(out));
}

const GgufTensorInfo* GgufFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

Result<std::vector<float>> dequantizeGgml(const GgufTensorInfo& t, const std::uint8_t* d) {
    const std::uint64_t n = t.numel();
    std::vector<float> out(n);
    if (n == 0) return out;  // nothing to read (memcpy from an empty tensor's null data is undefined)
    switch (static_cast<GgmlType>(t.type)) {
    case GgmlType::F32: std::memcpy(out.data(), d, n * 4); break;
    case GgmlType::F16:
        for (std::uint64_t i = 0; i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, d + 2 * i, 2);
            out[i] = halfToFloat(h);
        }
        break;
    case GgmlType::BF16:
        for (std::uint64_t i = 0; i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, d + 2 * i, 2);
            out[i] = bf16ToFloat(h);
        }
        break;
    default: {
        const auto type = static_cast<GgmlType>(t.type);
        if (!ggml::isQuantizedType(type) || t.ne.empty())
            return makeError(ErrorCode::Unsupported, std::string("tensor '") + t.name + "' is " + ggmlTypeName(t.type) +
                                                         "; importing supports F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and Q2_K..Q6_K tensors",
                             "convert the model to one of those types with llama.cpp first");
        const auto row = static_cast<std::int64_t>(t.ne[0]);
        if (n == 0) break;
        if (row <= 0 || n % static_cast<std::uint64_t>(row) != 0)
            return makeError(ErrorCode::CorruptFile, "tensor '" + t.name + "' has a row of " + std::to_string(row) + " elements",
                             "the GGUF file is damaged");
        if (auto ok = ggml::dequantizeRows(type, d, static_cast<std::int64_t>(n) / row, row, out.data()); !ok)
            return ok.error().withContext("tensor '" + t.name + "'");
    }
    }
    return out;
}

}  // namespace srs::io
