// HTTP and WebSocket clients for talking to a running server in tests.
// Beast stays inside client.cpp so that test files compile quickly.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace centrala::testing {

using namespace std::chrono_literals;

struct Header {
    std::string name;
    std::string value;
};
using Headers = std::vector<Header>;

struct HttpResponse {
    int status = 0;  // 0: no response (connection failed or closed)
    std::string reason;
    Headers headers;  // as received
    std::string body;
    std::string error;  // transport error, when status is 0

    // First header of that name (case-insensitive), if any.
    std::optional<std::string> header(std::string_view name) const;
    std::vector<std::string> all(std::string_view name) const;
    // The body as JSON; a discarded value when it is not JSON.
    nlohmann::json json() const;
};

std::string to_lower(std::string_view s);
std::ostream& operator<<(std::ostream& os, const HttpResponse& r);

// One request per connection (Connection: close), 10 s timeout.
class HttpClient {
public:
    explicit HttpClient(unsigned short port, std::string host = "127.0.0.1") : port_(port), host_(std::move(host)) {}

    HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                         const Headers& headers = {}) const;
    HttpResponse get(const std::string& target, const Headers& headers = {}) const {
        return request("GET", target, {}, headers);
    }
    HttpResponse del(const std::string& target, const Headers& headers = {}) const {
        return request("DELETE", target, {}, headers);
    }
    // Body sent as application/json.
    HttpResponse send_json(const std::string& method, const std::string& target, const nlohmann::json& body,
                           Headers headers = {}) const;
    HttpResponse post(const std::string& target, const nlohmann::json& body, Headers headers = {}) const {
        return send_json("POST", target, body, std::move(headers));
    }
    HttpResponse patch(const std::string& target, const nlohmann::json& body, Headers headers = {}) const {
        return send_json("PATCH", target, body, std::move(headers));
    }
    HttpResponse put(const std::string& target, const nlohmann::json& body, Headers headers = {}) const {
        return send_json("PUT", target, body, std::move(headers));
    }

    unsigned short port() const { return port_; }

private:
    unsigned short port_;
    std::string host_;
};

// Writes `bytes` verbatim to a new connection and returns everything the
// server sends until it closes the connection or `timeout` passes. For
// request targets an HTTP library would normalise (path traversal).
std::string raw_exchange(unsigned short port, const std::string& bytes, std::chrono::milliseconds timeout = 5s);

struct WsEvent {
    enum class Kind { text, binary, closed, timeout };
    Kind kind = Kind::timeout;
    std::string data;     // payload of a text/binary frame
    int close_code = 0;   // for closed: the code from the close frame, 1006 when the TCP connection just ended
    std::string close_reason;

    nlohmann::json json() const;  // discarded when not JSON
};

std::ostream& operator<<(std::ostream& os, const WsEvent& e);

class WsClient {
public:
    WsClient();
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    // Performs the upgrade; returns the HTTP status of the handshake response
    // (101 on success, 0 when no response came). The response is kept in
    // handshake_response().
    int connect(unsigned short port, const std::string& target, const Headers& headers = {},
                std::chrono::milliseconds timeout = 5s);
    const HttpResponse& handshake_response() const;

    bool send_text(const std::string& text, std::chrono::milliseconds timeout = 5s);
    bool send_json(const nlohmann::json& frame, std::chrono::milliseconds timeout = 5s) {
        return send_text(frame.dump(), timeout);
    }

    // The next event: a frame, the close of the connection, or a timeout.
    // After a close every call returns the same closed event.
    WsEvent next(std::chrono::milliseconds timeout = 5s);
    // Skips frames until a text frame with this "type"; nullopt on close or timeout.
    std::optional<nlohmann::json> next_of_type(const std::string& type, std::chrono::milliseconds timeout = 5s);
    // Reads (and discards frames) until the connection closes; the event, or a timeout event.
    WsEvent wait_closed(std::chrono::milliseconds timeout = 5s);
    // Sends a normal close and waits briefly for the server's answer.
    void close();
    bool is_closed() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace centrala::testing
