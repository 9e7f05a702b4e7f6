#include "core/device/hardware.h"

#include <cpuid.h>
#include <dlfcn.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/common/units.h"

namespace srs::device {
namespace {

void detectIsa(CpuInfo& c) {
    unsigned a, b, cc, d;
    if (__get_cpuid(1, &a, &b, &cc, &d)) {
        c.fma = cc & (1u << 12);
        c.f16c = cc & (1u << 29);
    }
    if (__get_cpuid_count(7, 0, &a, &b, &cc, &d)) {
        c.avx2 = b & (1u << 5);
        c.avx512f = b & (1u << 16);
        c.avx512bw = b & (1u << 30);
        c.avx512vl = b & (1u << 31);
        c.avx512_vnni = cc & (1u << 11);
        c.amx_bf16 = d & (1u << 22);
        c.amx_tile = d & (1u << 24);
        c.amx_int8 = d & (1u << 25);
    }
    if (__get_cpuid_count(7, 1, &a, &b, &cc, &d)) {
        c.avx_vnni = a & (1u << 4);
        c.avx512_bf16 = a & (1u << 5);
    }
    // The OS must also save the wide registers (XCR0), or the instructions fault.
    unsigned xlo = 0, xhi = 0;
    if (__get_cpuid(1, &a, &b, &cc, &d) && (cc & (1u << 27))) {
        __asm__("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
        bool ymm = (xlo & 0x6) == 0x6;
        bool zmm = (xlo & 0xe6) == 0xe6;
        if (!ymm) c.avx2 = c.fma = false;
        if (!zmm) c.avx512f = c.avx512bw = c.avx512vl = c.avx512_vnni = c.avx512_bf16 = false;
        bool amx = (xlo & (3u << 17)) == (3u << 17);
        if (!amx) c.amx_tile = c.amx_bf16 = c.amx_int8 = false;
    }
}

void detectCpuInfoFile(CpuInfo& c) {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    std::set<std::pair<std::string, std::string>> cores;
    std::string physical_id;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
        if (key == "model name" && c.model.empty()) c.model = value;
        if (key == "physical id") physical_id = value;
        if (key == "core id") cores.insert({physical_id, value});
    }
    c.physical_cores = static_cast<int>(cores.size());
}

void detectRam(HardwareInfo& h) {
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t kb = 0;
    std::string unit;
    while (in >> key >> kb) {
        std::getline(in, unit);
        if (key == "MemTotal:") h.total_ram_bytes = kb * 1024;
        if (key == "MemAvailable:") h.available_ram_bytes = kb * 1024;
    }
}

void detectCuda(HardwareInfo& h) {
    void* lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        h.cuda_status = "no NVIDIA driver (libcuda.so.1 not found)";
        return;
    }
    using InitFn = int (*)(unsigned);
    using CountFn = int (*)(int*);
    using GetFn = int (*)(int*, int);
    using NameFn = int (*)(char*, int, int);
    using MemFn = int (*)(std::size_t*, int);
    using AttrFn = int (*)(int*, int, int);
    auto init = reinterpret_cast<InitFn>(dlsym(lib, "cuInit"));
    auto count = reinterpret_cast<CountFn>(dlsym(lib, "cuDeviceGetCount"));
    auto get = reinterpret_cast<GetFn>(dlsym(lib, "cuDeviceGet"));
    auto name = reinterpret_cast<NameFn>(dlsym(lib, "cuDeviceGetName"));
    auto mem = reinterpret_cast<MemFn>(dlsym(lib, "cuDeviceTotalMem_v2"));
    auto attr = reinterpret_cast<AttrFn>(dlsym(lib, "cuDeviceGetAttribute"));
    int n = 0;
    if (!init || !count || !get || !name || !mem || init(0) != 0 || count(&n) != 0) {
        h.cuda_status = "NVIDIA driver present but not usable (cuInit failed)";
        dlclose(lib);
        return;
    }
    for (int i = 0; i < n; ++i) {
        int dev = 0;
        if (get(&dev, i) != 0) continue;
        CudaDevice d;
        d.index = i;
        char buf[256] = {0};
        name(buf, sizeof buf, dev);
        d.name = buf;
        std::size_t bytes = 0;
        mem(&bytes, dev);
        d.total_memory_bytes = bytes;
        if (attr) {
            attr(&d.compute_major, 75, dev);  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
            attr(&d.compute_minor, 76, dev);
        }
        h.cuda_devices.push_back(d);
    }
    if (h.cuda_devices.empty()) h.cuda_status = "NVIDIA driver found no devices";
    dlclose(lib);
}

std::uint64_t statusField(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    std::string prefix = std::string(field) + ":";
    while (std::getline(in, line)) {
        if (line.compare(0, prefix.size(), prefix) == 0) {
            std::istringstream ss(line.substr(prefix.size()));
            std::uint64_t kb = 0;
            ss >> kb;
            return kb * 1024;
        }
    }
    return 0;
}

}  // namespace

std::string CpuInfo::bestIsa() const {
    if (avx512f) {
        std::string extras;
        if (avx512_vnni) extras += "VNNI";
        if (avx512_bf16) extras += std::string(extras.empty() ? "" : ", ") + "BF16";
        if (amx_tile) extras += std::string(extras.empty() ? "" : ", ") + "AMX";
        return "AVX-512" + (extras.empty() ? "" : " (" + extras + ")");
    }
    if (avx2) return avx_vnni ? "AVX2 (AVX-VNNI)" : "AVX2";
    return "baseline x86-64";
}

HardwareInfo detectHardware() {
    HardwareInfo h;
    h.cpu.logical_cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    detectCpuInfoFile(h.cpu);
    if (h.cpu.physical_cores <= 0) h.cpu.physical_cores = h.cpu.logical_cores;
    detectIsa(h.cpu);
    detectRam(h);
    detectCuda(h);
    return h;
}

std::string formatHardware(const HardwareInfo& h) {
    std::ostringstream o;
    const auto& c = h.cpu;
    o << "CPU:     " << (c.model.empty() ? "unknown" : c.model) << "\n";
    o << "Cores:   " << c.logical_cores << " logical, " << c.physical_cores << " physical\n";
    o << "ISA:     " << c.bestIsa() << " —";
    struct Flag {
        const char* name;
        bool on;
    } flags[] = {{"avx2", c.avx2},         {"fma", c.fma},           {"f16c", c.f16c},           {"avx512f", c.avx512f},
                 {"avx512bw", c.avx512bw}, {"avx512vl", c.avx512vl}, {"avx512_vnni", c.avx512_vnni}, {"avx512_bf16", c.avx512_bf16},
                 {"avx_vnni", c.avx_vnni}, {"amx_tile", c.amx_tile}, {"amx_bf16", c.amx_bf16},   {"amx_int8", c.amx_int8}};
    for (const auto& f : flags)
        if (f.on) o << " " << f.name;
    o << "\n";
    o << "RAM:     " << units::formatBytes(h.total_ram_bytes) << " total, " << units::formatBytes(h.available_ram_bytes) << " available\n";
    if (h.cuda_devices.empty()) {
        o << "CUDA:    none (" << h.cuda_status << ")\n";
    } else {
        for (const auto& d : h.cuda_devices)
            o << "CUDA:    cuda:" << d.index << " " << d.name << ", " << units::formatBytes(d.total_memory_bytes) << ", sm_"
              << d.compute_major << d.compute_minor << "\n";
    }
    return o.str();
}

nlohmann::json hardwareToJson(const HardwareInfo& h) {
    nlohmann::json gpus = nlohmann::json::array();
    for (const auto& d : h.cuda_devices)
        gpus.push_back({{"device", "cuda:" + std::to_string(d.index)}, {"name", d.name}, {"memory_bytes", d.total_memory_bytes},
                        {"compute_capability", std::to_string(d.compute_major) + "." + std::to_string(d.compute_minor)}});
    const auto& c = h.cpu;
    return {{"cpu", {{"model", c.model}, {"logical_cores", c.logical_cores}, {"physical_cores", c.physical_cores},
                     {"best_isa", c.bestIsa()}, {"avx2", c.avx2}, {"avx512f", c.avx512f}, {"avx512_vnni", c.avx512_vnni},
                     {"avx512_bf16", c.avx512_bf16}, {"amx_tile", c.amx_tile}}},
            {"ram_total_bytes", h.total_ram_bytes},
            {"ram_available_bytes", h.available_ram_bytes},
            {"cuda_devices", gpus},
            {"cuda_status", h.cuda_status}};
}

std::vector<std::string> deviceNames(const HardwareInfo& h) {
    std::vector<std::string> names = {"cpu"};
    for (const auto& d : h.cuda_devices) names.push_back("cuda:" + std::to_string(d.index));
    return names;
}

std::uint64_t currentRssBytes() { return statusField("VmRSS"); }
std::uint64_t peakRssBytes() { return statusField("VmHWM"); }

}  // namespace srs::device
