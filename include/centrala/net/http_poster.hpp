// Outgoing HTTP(S) POSTs for webhooks, asynchronous on the io_context: the
// network thread never waits for a remote server. TLS verifies the peer
// against the system's trusted roots and the host name.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "centrala/api/outgoing.hpp"

namespace centrala::net {

class HttpPoster final : public api::HttpPoster {
public:
    explicit HttpPoster(boost::asio::io_context& ioc);
    ~HttpPoster() override;
    void post(api::OutgoingRequest request, std::function<void(api::OutgoingResult)> done) override;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace centrala::net
