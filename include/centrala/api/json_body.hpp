// Request body and parameter parsing with errors a client can act on.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "centrala/api/http.hpp"
#include "centrala/domain/result.hpp"

namespace centrala::api {

// The body as a JSON object: 415 for another content type, 400 when malformed.
Result<nlohmann::json> json_body(const Request& req);

// A required string field of `min`..`max` bytes.
Result<std::string> string_field(const nlohmann::json& obj, const char* name, size_t min, size_t max);

struct Page {
    int limit = 50;
    size_t offset = 0;
};
// `limit` (default 50, at most 500) and `offset`/`cursor` from the query.
Result<Page> page_params(const Request& req);

}  // namespace centrala::api
