#include "static_files.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace centrala::net {
namespace fs = std::filesystem;

std::string mime_type(const std::string& path) {
    auto dot = path.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json") return "application/json";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    if (ext == "ico") return "image/vnd.microsoft.icon";
    if (ext == "woff2") return "font/woff2";
    if (ext == "wav") return "audio/wav";
    if (ext == "mp3") return "audio/mpeg";
    if (ext == "txt") return "text/plain; charset=utf-8";
    if (ext == "webmanifest") return "application/manifest+json";
    return "application/octet-stream";
}

Result<StaticFile> load_static(const std::string& root, const std::string& path) {
    const auto not_found = Error::not_found("not_found", "No such file.");
    if (path.empty() || path[0] != '/' || path.size() > 512) return not_found;
    // Reject traversal and hidden files segment by segment, after decoding.
    std::string rel = path == "/" ? "/index.html" : path;
    for (size_t i = 0; i < rel.size(); ++i) {
        const char c = rel[i];
        if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return not_found;
        if (c == '/' && i + 1 < rel.size() && rel[i + 1] == '.') return not_found;
    }
    if (rel.back() == '/') rel += "index.html";
    fs::path file = fs::path(root) / rel.substr(1);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec) && file.extension().empty()) file += ".html";  // /wallboard -> wallboard.html
    if (!fs::is_regular_file(file, ec)) return not_found;
    // The resolved file must still be under the root (no symlink escapes).
    const auto canon_root = fs::weakly_canonical(root, ec);
    const auto canon_file = fs::weakly_canonical(file, ec);
    if (ec) return not_found;
    auto r = canon_root.native(), f = canon_file.native();
    if (f.compare(0, r.size(), r) != 0 || (f.size() > r.size() && f[r.size()] != '/')) return not_found;

    std::ifstream in(canon_file, std::ios::binary);
    if (!in) return not_found;
    std::ostringstream ss;
    ss << in.rdbuf();
    StaticFile out;
    out.body = ss.str();
    out.content_type = mime_type(canon_file.string());
    out.html = canon_file.extension() == ".html";
    struct stat st {};
    if (::stat(canon_file.c_str(), &st) == 0)
        out.etag = "\"" + std::to_string(st.st_mtim.tv_sec) + "-" + std::to_string(st.st_mtim.tv_nsec / 1000000) + "-" +
                   std::to_string(st.st_size) + "\"";
    return out;
}

}  // namespace centrala::net
