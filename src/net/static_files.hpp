// Static web apps from web_root: MIME types, no escape from the root,
// validators for conditional requests.
#pragma once

#include <string>

#include "centrala/domain/result.hpp"

namespace centrala::net {

struct StaticFile {
    std::string body;
    std::string content_type;
    std::string etag;
    bool html = false;
};

// `path` is the decoded URL path. not_found for anything outside the root,
// hidden files, directories and traversal attempts.
Result<StaticFile> load_static(const std::string& root, const std::string& path);
std::string mime_type(const std::string& path);

}  // namespace centrala::net
