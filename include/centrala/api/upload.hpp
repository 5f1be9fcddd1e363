// Uploaded files: the type is read from the bytes (never from the name or the
// declared type alone), names are reduced to a safe form, and a
// multipart/form-data body yields its file part. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace centrala::api {

// "image/png", "image/jpeg", "image/gif", "image/webp" or "application/pdf"
// from the magic bytes; nullopt for anything else.
std::optional<std::string> sniff_file_type(std::string_view bytes);
// The extension we give a file of that type (".png").
std::string extension_for(const std::string& content_type);

// The last path component, with control characters, separators and anything
// outside [A-Za-z0-9._-] replaced by '_', no leading dots, at most 100 bytes,
// ending in the extension of `content_type`. Never empty.
std::string sanitise_file_name(std::string_view name, const std::string& content_type);

struct UploadedFile {
    std::string file_name;     // as sent, unsanitised
    std::string content_type;  // as declared in the part, may be empty
    std::string bytes;
};

// The first part with a filename (or named "file") of a multipart/form-data
// body; nullopt when the body or the boundary is malformed.
std::optional<UploadedFile> parse_multipart_file(std::string_view content_type_header, std::string_view body);

}  // namespace centrala::api
