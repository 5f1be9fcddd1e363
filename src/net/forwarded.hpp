// Who the client is when a reverse proxy sits in front: X-Forwarded-For and
// X-Forwarded-Proto are believed only from configured proxy addresses.
#pragma once

#include <string>
#include <vector>

namespace centrala::net {

struct ClientOrigin {
    std::string address;
    bool secure = false;
};

// `forwarded_for` / `forwarded_proto` are the header values ("" when absent).
ClientOrigin resolve_client(const std::string& peer, bool tls_here, const std::string& forwarded_for,
                            const std::string& forwarded_proto, const std::vector<std::string>& trusted_proxies);

}  // namespace centrala::net
