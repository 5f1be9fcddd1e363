// Request body and parameter parsing with errors a client can act on.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "centrala/api/http.hpp"
#include "centrala/domain/result.hpp"

namespace centrala::api {

// The body as a JSON object: 415 for another content type, 400 when malformed.
Result<nlohmann::json> json_body(const Request& req);

// A required string field of `min`..`max` bytes.
Result<std::string> string_field(const nlohmann::json& obj, const char* name, size_t min, size_t max);

// A positive decimal id as it appears in paths and JSON ("12"); nullopt otherwise.
std::optional<int64_t> parse_id(std::string_view s);

// Characters (code points) of valid UTF-8 text.
size_t utf8_chars(std::string_view s);

struct Page {
    int limit = 50;
    size_t offset = 0;
};
// `limit` (default 50, at most 500) and `offset`/`cursor` from the query.
Result<Page> page_params(const Request& req);

}  // namespace centrala::api
