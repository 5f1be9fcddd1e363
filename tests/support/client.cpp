// Plain HTTP and WebSocket clients over TCP; Beast stays inside the .cpp files and ws_loop.hpp.
#include "client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <ostream>

#include "ws_loop.hpp"

namespace centrala::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    const auto want = to_lower(name);
    for (const auto& h : headers)
        if (to_lower(h.name) == want) return h.value;
    return std::nullopt;
}

std::vector<std::string> HttpResponse::all(std::string_view name) const {
    const auto want = to_lower(name);
    std::vector<std::string> out;
    for (const auto& h : headers)
        if (to_lower(h.name) == want) out.push_back(h.value);
    return out;
}

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::ostream& operator<<(std::ostream& os, const HttpResponse& r) {
    os << "HTTP " << r.status << " " << r.reason;
    if (!r.error.empty()) os << " (transport error: " << r.error << ")";
    for (const auto& h : r.headers) os << "\n  " << h.name << ": " << h.value;
    os << "\n  body: " << r.body.substr(0, 2000);
    return os;
}

template <class Body>
static HttpResponse convert(const http::response<Body>& res) {
    HttpResponse out;
    out.status = res.result_int();
    out.reason = std::string(res.reason());
    for (const auto& f : res) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    if constexpr (std::is_same_v<Body, http::string_body>) out.body = res.body();
    return out;
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                                 const Headers& headers) const {
    HttpResponse out;
    try {
        asio::io_context ioc;
        beast::tcp_stream stream(ioc);
        stream.expires_after(std::chrono::seconds(10));
        stream.connect(tcp::endpoint(asio::ip::make_address(host_), port_));
        http::request<http::string_body> req;
        req.method_string(method);
        req.target(target);
        req.version(11);
        req.set(http::field::host, host_ + ":" + std::to_string(port_));
        req.set(http::field::user_agent, "centrala-integration-test");
        req.set(http::field::connection, "close");
        for (const auto& h : headers) req.insert(h.name, h.value);
        req.body() = body;
        if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") req.prepare_payload();
        // Synchronous I/O on tcp_stream ignores the expiry; use async calls and run the context.
        beast::error_code ec;
        http::async_write(stream, req, [&](beast::error_code e, size_t) { ec = e; });
        ioc.run();
        // A server may answer (413) and close before reading the whole body:
        // a failed write is not the end, the answer may still be readable.
        ioc.restart();
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        if (method == "HEAD") parser.skip(true);
        beast::error_code rec;
        stream.expires_after(std::chrono::seconds(10));
        http::async_read(stream, buffer, parser, [&](beast::error_code e, size_t) { rec = e; });
        ioc.run();
        if (rec) {
            out.error = (ec ? "write: " + ec.message() + "; " : std::string()) + "read: " + rec.message();
            return out;
        }
        out = convert(parser.get());
    } catch (const std::exception& e) {
        out.status = 0;
        out.error = e.what();
    }
    return out;
}

HttpResponse HttpClient::send_json(const std::string& method, const std::string& target, const nlohmann::json& body,
                                   Headers headers) const {
    headers.push_back({"Content-Type", "application/json"});
    return request(method, target, body.dump(), headers);
}

std::string raw_exchange(unsigned short port, const std::string& bytes, std::chrono::milliseconds timeout) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    std::string received;
    try {
        stream.expires_after(timeout);
        stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        stream.expires_after(timeout);
        char buf[4096];
        std::function<void(beast::error_code, size_t)> on_read = [&](beast::error_code ec, size_t n) {
            received.append(buf, n);
            if (ec) return;
            stream.async_read_some(asio::buffer(buf), on_read);
        };
        asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code ec, size_t) {
            if (ec) return;
            stream.async_read_some(asio::buffer(buf), on_read);
        });
        ioc.run();
    } catch (const std::exception&) {
    }
    return received;
}

// ---- WebSocket ----------------------------------------------------------

nlohmann::json WsEvent::json() const {
    if (kind != Kind::text) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(data, nullptr, false);
}

std::ostream& operator<<(std::ostream& os, const WsEvent& e) {
    switch (e.kind) {
        case WsEvent::Kind::text: return os << "text frame: " << e.data.substr(0, 2000);
        case WsEvent::Kind::binary: return os << "binary frame of " << e.data.size() << " bytes";
        case WsEvent::Kind::closed: return os << "closed " << e.close_code << " (" << e.close_reason << ")";
        case WsEvent::Kind::timeout: return os << "timeout";
    }
    return os;
}

struct WsClient::Impl : WsLoop {
    std::optional<websocket::stream<beast::tcp_stream>> ws;  // made by connect()
    HttpResponse handshake;

    void hard_close() {
        if (!ws) return;
        beast::error_code ignored;
        beast::get_lowest_layer(*ws).socket().close(ignored);
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds(200));
    }
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}

WsClient::~WsClient() {
    if (impl_) impl_->hard_close();
}

int WsClient::connect(unsigned short port, const std::string& target, const Headers& headers,
                      std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    im.ws.emplace(im.ioc);
    im.ws->read_message_max(64 * 1024 * 1024);
    im.ws->set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        req.set(http::field::user_agent, "centrala-integration-test");
        for (const auto& h : headers) req.set(h.name, h.value);
    }));
    auto& lowest = beast::get_lowest_layer(*im.ws);
    lowest.expires_after(timeout);
    bool done = false;
    beast::error_code result;
    websocket::response_type res;
    const std::string host = "127.0.0.1:" + std::to_string(port);
    lowest.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) {
            result = ec;
            done = true;
            return;
        }
        im.ws->async_handshake(res, host, target, [&](beast::error_code ec2) {
            result = ec2;
            done = true;
        });
    });
    if (!im.run_until([&] { return done; }, timeout + std::chrono::seconds(1))) {
        im.handshake = HttpResponse{};
        im.handshake.error = "handshake timed out";
        im.closed = WsEvent{WsEvent::Kind::closed, {}, 1006, "handshake timed out"};
        return 0;
    }
    im.handshake = convert(res);
    // Beast fills the response only when one arrived (accepted or declined).
    if (result && result != websocket::error::upgrade_declined) im.handshake = HttpResponse{};
    if (result) {
        im.handshake.error = result.message();
        im.closed = WsEvent{WsEvent::Kind::closed, {}, 1006, "handshake failed: " + result.message()};
        return im.handshake.status;
    }
    lowest.expires_never();
    im.ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    return im.handshake.status;
}

const HttpResponse& WsClient::handshake_response() const { return impl_->handshake; }

bool WsClient::send_text(const std::string& text, std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    if (im.closed || !im.ws) return false;
    bool done = false;
    beast::error_code result;
    auto payload = std::make_shared<std::string>(text);
    im.ws->text(true);
    im.ws->async_write(asio::buffer(*payload), [&, payload](beast::error_code ec, size_t) {
        result = ec;
        done = true;
    });
    if (!im.run_until([&] { return done; }, timeout)) return false;
    return !result;
}

WsEvent WsClient::next(std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    if (!im.ws) return WsEvent{};
    return im.next(*im.ws, timeout);
}

std::optional<nlohmann::json> WsClient::next_of_type(const std::string& type, std::chrono::milliseconds timeout) {
    return next_frame_of_type(*this, type, timeout);
}

WsEvent WsClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) return WsEvent{};
        WsEvent e = next(left);
        if (e.kind == WsEvent::Kind::closed || e.kind == WsEvent::Kind::timeout) return e;
    }
}

void WsClient::close() {
    auto& im = *impl_;
    if (im.ws) im.close(*im.ws);
}

bool WsClient::is_closed() const { return impl_->closed.has_value(); }

}  // namespace centrala::testing
