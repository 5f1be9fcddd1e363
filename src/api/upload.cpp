#include "centrala/api/upload.hpp"

#include <cctype>

namespace centrala::api {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Value of `key=` in a header such as `form-data; name="file"; filename="a.png"`.
std::optional<std::string> header_param(std::string_view header, std::string_view key) {
    const std::string h = lower(header);
    size_t pos = 0;
    while ((pos = h.find(key, pos)) != std::string::npos) {
        const bool boundary_before = pos == 0 || h[pos - 1] == ';' || h[pos - 1] == ' ' || h[pos - 1] == '\t';
        const size_t eq = pos + key.size();
        if (boundary_before && eq < h.size() && h[eq] == '=') {
            size_t v = eq + 1;
            if (v < header.size() && header[v] == '"') {
                const size_t end = header.find('"', v + 1);
                if (end == std::string_view::npos) return std::nullopt;
                return std::string(header.substr(v + 1, end - v - 1));
            }
            size_t end = v;
            while (end < header.size() && header[end] != ';' && header[end] != ' ') ++end;
            return std::string(header.substr(v, end - v));
        }
        pos = eq;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> sniff_file_type(std::string_view b) {
    if (starts_with(b, "\x89PNG\r\n\x1a\n")) return "image/png";
    if (starts_with(b, "\xff\xd8\xff")) return "image/jpeg";
    if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a")) return "image/gif";
    if (b.size() >= 12 && starts_with(b, "RIFF") && b.substr(8, 4) == "WEBP") return "image/webp";
    if (starts_with(b, "%PDF-")) return "application/pdf";
    return std::nullopt;
}

std::string extension_for(const std::string& t) {
    if (t == "image/png") return ".png";
    if (t == "image/jpeg") return ".jpg";
    if (t == "image/gif") return ".gif";
    if (t == "image/webp") return ".webp";
    if (t == "application/pdf") return ".pdf";
    return ".bin";
}

std::string sanitise_file_name(std::string_view name, const std::string& content_type) {
    const auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name = name.substr(slash + 1);
    std::string out;
    for (unsigned char c : name) {
        const bool ok = std::isalnum(c) || c == '.' || c == '-' || c == '_';
        if (c < 0x80 && ok) out += char(c);
        else if (out.empty() || out.back() != '_') out += '_';
    }
    while (!out.empty() && (out.front() == '.' || out.front() == '_')) out.erase(out.begin());
    // ".." inside a name is harmless once separators are gone, but looks like a trick.
    for (size_t p; (p = out.find("..")) != std::string::npos;) out.replace(p, 2, ".");
    const std::string ext = extension_for(content_type);
    // Whatever extension was sent, the stored name ends in the one the bytes prove.
    std::string stem = out;
    if (const auto dot = stem.rfind('.'); dot != std::string::npos) stem.resize(dot);
    while (!stem.empty() && (stem.back() == '.' || stem.back() == '_')) stem.pop_back();
    if (stem.empty()) stem = "zalacznik";
    if (stem.size() > 90) stem.resize(90);
    return stem + ext;
}

std::optional<UploadedFile> parse_multipart_file(std::string_view content_type_header, std::string_view body) {
    if (lower(content_type_header).rfind("multipart/form-data", 0) != 0) return std::nullopt;
    const auto boundary = header_param(content_type_header, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 200) return std::nullopt;
    const std::string delim = "--" + *boundary;
    size_t pos = body.find(delim);
    while (pos != std::string_view::npos) {
        size_t start = pos + delim.size();
        if (body.substr(start, 2) == "--") return std::nullopt;  // closing delimiter: no file part
        if (body.substr(start, 2) != "\r\n") return std::nullopt;
        start += 2;
        const size_t headers_end = body.find("\r\n\r\n", start);
        if (headers_end == std::string_view::npos) return std::nullopt;
        const std::string_view headers = body.substr(start, headers_end - start);
        const size_t data = headers_end + 4;
        const size_t next = body.find("\r\n" + delim, data);
        if (next == std::string_view::npos) return std::nullopt;
        UploadedFile f;
        bool is_file = false;
        size_t line_start = 0;
        while (line_start < headers.size()) {
            size_t line_end = headers.find("\r\n", line_start);
            if (line_end == std::string_view::npos) line_end = headers.size();
            const std::string_view line = headers.substr(line_start, line_end - line_start);
            const auto colon = line.find(':');
            if (colon != std::string_view::npos) {
                const std::string name = lower(line.substr(0, colon));
                std::string_view value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
                if (name == "content-disposition") {
                    if (auto fn = header_param(value, "filename")) {
                        f.file_name = *fn;
                        is_file = true;
                    }
                    if (auto n = header_param(value, "name"); n && *n == "file") is_file = true;
                } else if (name == "content-type") {
                    f.content_type = lower(value);
                }
            }
            line_start = line_end + 2;
        }
        if (is_file) {
            f.bytes = std::string(body.substr(data, next - data));
            return f;
        }
        pos = next + 2;
    }
    return std::nullopt;
}

}  // namespace centrala::api
