#include "centrala/api/json_body.hpp"

#include <charconv>

namespace centrala::api {

std::optional<int64_t> parse_id(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

size_t utf8_chars(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

Result<nlohmann::json> json_body(const Request& req) {
    const auto* ct = req.header("content-type");
    if (!ct || ct->rfind("application/json", 0) != 0)
        return Error{ErrorKind::unsupported, "unsupported_media_type", "Send the body as application/json."};
    auto j = nlohmann::json::parse(req.body, nullptr, false);
    if (j.is_discarded()) return Error::invalid("malformed_json", "The body is not valid JSON.");
    if (!j.is_object()) return Error::invalid("invalid_body", "The body must be a JSON object.");
    return j;
}

Result<std::string> string_field(const nlohmann::json& obj, const char* name, size_t min, size_t max) {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return Error::invalid("missing_field", std::string(name) + " is required");
    if (!it->is_string()) return Error::invalid("invalid_field", std::string(name) + " must be a string");
    auto s = it->get<std::string>();
    if (s.size() < min || s.size() > max)
        return Error::invalid("invalid_field", std::string(name) + " must have " + std::to_string(min) + " to " +
                                                   std::to_string(max) + " bytes");
    return s;
}

static bool to_number(const std::string& s, long long& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

Result<Page> page_params(const Request& req) {
    Page p;
    if (auto it = req.query.find("limit"); it != req.query.end()) {
        long long v;
        if (!to_number(it->second, v) || v < 1 || v > 500)
            return Error::invalid("invalid_parameter", "limit must be a whole number from 1 to 500");
        p.limit = int(v);
    }
    for (const char* key : {"offset", "cursor"}) {
        if (auto it = req.query.find(key); it != req.query.end()) {
            long long v;
            if (!to_number(it->second, v) || v < 0)
                return Error::invalid("invalid_parameter", std::string(key) + " must be a whole number from 0");
            p.offset = size_t(v);
        }
    }
    return p;
}

}  // namespace centrala::api
