#include "wss_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "ws_loop.hpp"

namespace centrala::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct WssClient::Impl : WsLoop {
    asio::ssl::context tls{asio::ssl::context::tls_client};
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{ioc, tls};
    std::string error;
};

WssClient::WssClient() : impl_(std::make_unique<Impl>()) { impl_->tls.set_verify_mode(asio::ssl::verify_none); }

WssClient::~WssClient() {
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

int WssClient::connect(unsigned short port, const std::string& target, std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    auto& lowest = beast::get_lowest_layer(im.ws);
    lowest.expires_after(timeout);
    bool done = false;
    beast::error_code result;
    websocket::response_type res;
    lowest.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) {
            result = ec;
            done = true;
            return;
        }
        im.ws.next_layer().async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec2) {
            if (ec2) {
                result = ec2;
                done = true;
                return;
            }
            im.ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), target, [&](beast::error_code ec3) {
                result = ec3;
                done = true;
            });
        });
    });
    if (!im.run_until([&] { return done; }, timeout + std::chrono::seconds(1))) {
        im.error = "handshake timed out";
        im.closed = WsEvent{WsEvent::Kind::closed, {}, 1006, im.error};
        return 0;
    }
    if (result) {
        im.error = result.message();
        im.closed = WsEvent{WsEvent::Kind::closed, {}, 1006, "handshake failed: " + im.error};
        return result == websocket::error::upgrade_declined ? res.result_int() : 0;
    }
    lowest.expires_never();
    im.ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    return res.result_int();
}

const std::string& WssClient::error() const { return impl_->error; }

bool WssClient::send_json(const nlohmann::json& frame, std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    if (im.closed) return false;
    bool done = false;
    beast::error_code result;
    auto payload = std::make_shared<std::string>(frame.dump());
    im.ws.text(true);
    im.ws.async_write(asio::buffer(*payload), [&, payload](beast::error_code ec, size_t) {
        result = ec;
        done = true;
    });
    return im.run_until([&] { return done; }, timeout) && !result;
}

WsEvent WssClient::next(std::chrono::milliseconds timeout) { return impl_->next(impl_->ws, timeout); }

std::optional<nlohmann::json> WssClient::next_of_type(const std::string& type, std::chrono::milliseconds timeout) {
    return next_frame_of_type(*this, type, timeout);
}

void WssClient::close() { impl_->close(impl_->ws); }

}  // namespace centrala::testing
