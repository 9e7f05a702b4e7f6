#include "core/job/export_format.h"

namespace srs::job {

std::vector<std::string> requestedExportFormats(const std::vector<std::string>& names) {
    return names.empty() ? std::vector<std::string>{"auto_round"} : names;
}

Result<std::vector<ExportFormat>> parseExportFormats(const std::vector<std::string>& names) {
    std::vector<ExportFormat> out;
    for (const auto& f : requestedExportFormats(names)) {
        if (f.rfind("gguf", 0) == 0) {
            if (f.size() < 6 || f[4] != ':') {
                std::string types;
                for (const auto& t : exporter::ggufFileTypeNames()) types += (types.empty() ? "" : ", ") + t;
                return makeError(ErrorCode::InvalidArgument, "the GGUF format '" + f + "' names no type",
                                 "use gguf:<type>, e.g. gguf:q4_k_m; types: " + types);
            }
            auto ft = exporter::parseGgufFileType(f.substr(5));
            if (!ft) return ft.error();
            out.push_back({"gguf:" + ft->name, exporter::PackedFormat::None, *ft});
            continue;
        }
        auto p = exporter::parsePackedFormat(f);
        if (!p) return p.error();
        out.push_back({f, *p, std::nullopt});
    }
    return out;
}

}  // namespace srs::job
