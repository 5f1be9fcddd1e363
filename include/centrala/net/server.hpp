// The HTTP/WebSocket front door on Boost.Beast. Owns the listener and every
// connection; runs entirely on one io_context thread. Beast types stay inside
// src/net so that other layers compile without them.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "centrala/domain/result.hpp"

namespace centrala::api {
class Api;
}
namespace centrala::metrics {
class Registry;
}

namespace centrala::net {

struct ServerOptions {
    std::string web_root;
    size_t body_limit = 1 << 20;
    size_t header_limit = 16 * 1024;
    int read_timeout_seconds = 30;
    int idle_timeout_seconds = 60;
    int max_connections = 2000;
    size_t ws_max_frame_bytes = 64 * 1024;
    size_t ws_queue_frames = 256;
    int ws_auth_timeout_seconds = 5;
    int ws_ping_seconds = 30;
    std::vector<std::string> frame_ancestors;  // for widget pages; empty = 'none'
    std::vector<std::string> trusted_proxies;
    bool tls = false;
    std::string tls_certificate;
    std::string tls_private_key;
};

class Server {
public:
    Server(boost::asio::io_context& ioc, ServerOptions options, api::Api& api, metrics::Registry& metrics);
    ~Server();

    // Binds and starts accepting; returns the bound port (useful with port 0).
    Result<unsigned short> listen(const std::string& host, unsigned short port);
    // Stops accepting, closes WebSockets with 1012, lets responses in flight
    // finish, and calls `done` once every connection is gone or `grace` passed.
    void shutdown(std::chrono::seconds grace, std::function<void()> done);

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace centrala::net
