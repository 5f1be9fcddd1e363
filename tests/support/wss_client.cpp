#include "wss_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>

namespace centrala::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

struct WssClient::Impl {
    asio::io_context ioc;
    asio::ssl::context tls{asio::ssl::context::tls_client};
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{ioc, tls};
    beast::flat_buffer buffer;
    bool reading = false;
    std::deque<WsEvent> events;
    std::optional<WsEvent> closed;
    std::string error;

    template <class Pred>
    bool run_until(Pred done, std::chrono::milliseconds timeout) {
        const auto deadline = SteadyClock::now() + timeout;
        while (!done()) {
            const auto now = SteadyClock::now();
            if (now >= deadline) return false;
            if (ioc.stopped()) ioc.restart();
            ioc.run_one_for(deadline - now);
        }
        return true;
    }

    void mark_closed(const beast::error_code& ec) {
        if (closed) return;
        WsEvent e;
        e.kind = WsEvent::Kind::closed;
        e.close_code = ec == websocket::error::closed ? int(ws.reason().code) : 1006;
        e.close_reason = ec == websocket::error::closed ? std::string(ws.reason().reason.c_str()) : ec.message();
        closed = e;
    }
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

WsEvent WssClient::next(std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    if (im.events.empty() && !im.closed && !im.reading) {
        im.reading = true;
        im.ws.async_read(im.buffer, [&im](beast::error_code ec, size_t) {
            im.reading = false;
            if (ec) return im.mark_closed(ec);
            WsEvent e;
            e.kind = im.ws.got_text() ? WsEvent::Kind::text : WsEvent::Kind::binary;
            e.data = beast::buffers_to_string(im.buffer.data());
            im.buffer.consume(im.buffer.size());
            im.events.push_back(std::move(e));
        });
    }
    im.run_until([&] { return !im.events.empty() || im.closed.has_value(); }, timeout);
    if (!im.events.empty()) {
        WsEvent e = std::move(im.events.front());
        im.events.pop_front();
        return e;
    }
    if (im.closed) return *im.closed;
    return WsEvent{};
}

std::optional<nlohmann::json> WssClient::next_of_type(const std::string& type, std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) return std::nullopt;
        WsEvent e = next(left);
        if (e.kind == WsEvent::Kind::closed || e.kind == WsEvent::Kind::timeout) return std::nullopt;
        auto j = e.json();
        if (j.is_object() && j.value("type", "") == type) return j;
    }
}

void WssClient::close() {
    auto& im = *impl_;
    if (im.closed) return;
    bool done = false;
    im.ws.async_close(websocket::close_code::normal, [&](beast::error_code ec) {
        done = true;
        if (ec) im.mark_closed(ec);
    });
    im.run_until([&] { return done && !im.reading; }, std::chrono::seconds(2));
    if (!im.closed) im.closed = WsEvent{WsEvent::Kind::closed, {}, 1000, "closed by the client"};
}

}  // namespace centrala::testing
