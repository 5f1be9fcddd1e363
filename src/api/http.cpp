#include "centrala/api/http.hpp"

namespace centrala::api {

int status_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid: return 400;
        case ErrorKind::unauthenticated: return 401;
        case ErrorKind::forbidden: return 403;
        case ErrorKind::not_found: return 404;
        case ErrorKind::conflict: return 409;
        case ErrorKind::too_large: return 413;
        case ErrorKind::unsupported: return 415;
        case ErrorKind::rate_limited: return 429;
        case ErrorKind::unavailable: return 503;
        case ErrorKind::internal: return 500;
    }
    return 500;
}

Response Response::json(int status, const nlohmann::json& body) {
    Response r;
    r.status = status;
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

Response Response::error(int status, const std::string& code, const std::string& message) {
    return json(status, {{"error", {{"code", code}, {"message", message}}}});
}

Response Response::error(const Error& e) {
    // Internal details stay in the log; the client gets a generic sentence.
    Response r = e.kind == ErrorKind::internal
                     ? error(500, "internal_error", "Something went wrong on our side; the request was not carried out.")
                     : error(status_for(e.kind), e.code, e.message);
    if (e.kind == ErrorKind::rate_limited)
        r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_seconds > 0 ? e.retry_after_seconds : 1));
    return r;
}

Response Response::no_content() {
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_as_space) {
    out.clear();
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            int h = hexval(in[i + 1]), l = hexval(in[i + 2]);
            if (h < 0 || l < 0) return false;
            out.push_back(char(h * 16 + l));
            i += 2;
        } else if (c == '+' && plus_as_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

bool parse_query(std::string_view qs, std::map<std::string, std::string>& out) {
    while (!qs.empty()) {
        auto amp = qs.find('&');
        auto part = qs.substr(0, amp);
        qs = amp == std::string_view::npos ? std::string_view{} : qs.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        std::string k, v;
        if (!percent_decode(part.substr(0, eq), k, true)) return false;
        if (eq != std::string_view::npos && !percent_decode(part.substr(eq + 1), v, true)) return false;
        out[k] = v;
    }
    return true;
}

std::optional<std::string> cookie_value(const std::string& header, const std::string& name) {
    std::string_view h = header;
    while (!h.empty()) {
        auto semi = h.find(';');
        auto part = h.substr(0, semi);
        h = semi == std::string_view::npos ? std::string_view{} : h.substr(semi + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    }
    return std::nullopt;
}

}  // namespace centrala::api
