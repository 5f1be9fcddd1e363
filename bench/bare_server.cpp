// bare_beast_server: the baseline for centrala's HTTP benchmarks.
//
// The smallest useful Boost.Beast HTTP/1.1 server: one io_context run by one
// thread (as in centrala), asynchronous accept, keep-alive sessions with a
// read timeout, TCP_NODELAY, and one route, GET /healthz -> 200 {"status":"ok"}.
// It has no routing table, no authentication, no security headers, no metrics
// and no logging, so the gap between it and centrala is what those cost.
//
// Usage: bare_beast_server [PORT]   (0 or nothing: pick a free port)
// Prints "listening on http://127.0.0.1:PORT" on stdout once it accepts.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kReadTimeout = std::chrono::seconds(30);

http::response<http::string_body> answer(const http::request<http::string_body>& req) {
    const bool known = req.target() == "/healthz";
    const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
    http::status status = http::status::ok;
    std::string body = R"({"status":"ok"})";
    if (!known) {
        status = http::status::not_found;
        body = R"({"error":"not_found"})";
    } else if (!get) {
        status = http::status::method_not_allowed;
        body = R"({"error":"method_not_allowed"})";
    }
    http::response<http::string_body> res{status, req.version()};
    res.set(http::field::server, "bare_beast_server");
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    const size_t length = body.size();
    if (req.method() != http::verb::head) res.body() = std::move(body);
    res.prepare_payload();
    if (req.method() == http::verb::head) res.content_length(length);
    return res;
}

// One TCP connection: read a request, write the answer, repeat while the
// client keeps the connection alive.
class Session : public std::enable_shared_from_this<Session> {
public:
    explicit Session(tcp::socket&& socket) : stream_(std::move(socket)) {}

    void start() { read_next(); }

private:
    void read_next() {
        req_ = {};
        stream_.expires_after(kReadTimeout);
        http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream) return close();
        if (ec) return;  // timeout, reset or garbage: drop the connection
        res_ = answer(req_);
        http::async_write(stream_, res_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec) return;
        if (!res_.keep_alive()) return close();
        read_next();
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
};

// Accepts connections forever and hands each to a Session.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& ioc, const tcp::endpoint& where) : ioc_(ioc), acceptor_(ioc) {
        acceptor_.open(where.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(where);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    }

    unsigned short port() const { return acceptor_.local_endpoint().port(); }

    void start() { accept_next(); }
    void stop() {
        beast::error_code ignored;
        acceptor_.close(ignored);
    }

private:
    void accept_next() {
        acceptor_.async_accept(ioc_, beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<Session>(std::move(socket))->start();
        }
        accept_next();
    }

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc > 2) {
        std::cerr << "usage: bare_beast_server [PORT]\n";
        return 2;
    }
    char* end = nullptr;
    const long port = argc == 2 ? std::strtol(argv[1], &end, 10) : 0;
    if ((argc == 2 && (end == argv[1] || *end != '\0')) || port < 0 || port > 65535) {
        std::cerr << "bare_beast_server: PORT must be a number from 0 to 65535\n";
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);

    asio::io_context ioc{1};
    std::shared_ptr<Listener> listener;
    try {
        listener = std::make_shared<Listener>(
            ioc, tcp::endpoint{asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    } catch (const std::exception& e) {
        std::cerr << "bare_beast_server: cannot listen on 127.0.0.1:" << port << ": " << e.what() << "\n";
        return 1;
    }
    listener->start();

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const beast::error_code&, int) {
        listener->stop();
        ioc.stop();
    });

    std::cout << "listening on http://127.0.0.1:" << listener->port() << std::endl;
    ioc.run();
    return 0;
}
