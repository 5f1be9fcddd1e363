// A WebSocket client over TLS (wss://) for tests against a server with
// security.tls enabled; the test certificate is not verified. Frames are
// returned as WsClient returns them. Beast stays in wss_client.cpp.
#pragma once

#include <memory>

#include "client.hpp"

namespace centrala::testing {

class WssClient {
public:
    WssClient();
    ~WssClient();
    WssClient(const WssClient&) = delete;
    WssClient& operator=(const WssClient&) = delete;

    // TLS handshake, then the upgrade; the HTTP status of the upgrade (101 on
    // success), 0 when it failed before an answer (see error()).
    int connect(unsigned short port, const std::string& target, std::chrono::milliseconds timeout = 5s);
    const std::string& error() const;

    bool send_json(const nlohmann::json& frame, std::chrono::milliseconds timeout = 5s);
    // The next frame, the close of the connection, or a timeout.
    WsEvent next(std::chrono::milliseconds timeout = 5s);
    std::optional<nlohmann::json> next_of_type(const std::string& type, std::chrono::milliseconds timeout = 5s);
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace centrala::testing
