// Transport-neutral HTTP request and response: the net layer translates Beast
// messages into these, so handlers and their tests never see Beast.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "centrala/domain/result.hpp"

namespace centrala::api {

struct Request {
    std::string method;                          // "GET", "POST", ...
    std::string path;                            // percent-decoded, without the query
    std::map<std::string, std::string> query;    // decoded
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string remote_address;  // the client, after trusted-proxy resolution
    bool secure = false;         // reached us over TLS (directly or via a trusted proxy)

    const std::string* header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? nullptr : &it->second;
    }
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    static Response json(int status, const nlohmann::json& body);
    static Response error(const Error& e);
    static Response error(int status, const std::string& code, const std::string& message);
    static Response no_content();
};

using Reply = std::function<void(Response)>;

int status_for(ErrorKind kind);

// Decodes %XX and (for query strings) '+'; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space);
// "a=1&b=2" -> map; false on a malformed escape.
bool parse_query(std::string_view qs, std::map<std::string, std::string>& out);
// Value of one cookie from a Cookie header, if present.
std::optional<std::string> cookie_value(const std::string& cookie_header, const std::string& name);

}  // namespace centrala::api
