// A read-only memory map of a whole file. Pages are read by the OS on first touch, so mapping a
// multi-GB checkpoint costs nothing until a tensor is actually read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace srs::io {

class MappedFile {
public:
    static Result<std::shared_ptr<MappedFile>> open(const std::string& path);
    // Bytes already in memory, owned by the object (for parsers fed from a buffer: fuzzing, tests).
    static std::shared_ptr<MappedFile> fromBuffer(std::vector<std::uint8_t> bytes, const std::string& name);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    const std::string& path() const { return path_; }
    // Tells the OS the pages of [data, data + size) are not needed now: a streamed read of a
    // checkpoint then leaves no file pages resident. Reading them again re-reads the file.
    void releasePages(const std::uint8_t* data, std::size_t size) const;

private:
    MappedFile() = default;
    std::string path_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::vector<std::uint8_t> owned_;  // fromBuffer only; then nothing is mapped
};

}  // namespace srs::io
