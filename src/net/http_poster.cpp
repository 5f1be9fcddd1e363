#include "centrala/net/http_poster.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>

namespace centrala::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpPoster::Impl {
    asio::io_context& ioc;
    asio::ssl::context tls{asio::ssl::context::tls_client};
    explicit Impl(asio::io_context& c) : ioc(c) {
        tls.set_default_verify_paths();
        tls.set_verify_mode(asio::ssl::verify_peer);
    }
};

namespace {

struct Url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;
};

bool parse_url(const std::string& url, Url& out) {
    std::string rest;
    if (url.rfind("http://", 0) == 0) rest = url.substr(7);
    else if (url.rfind("https://", 0) == 0) rest = url.substr(8), out.tls = true;
    else return false;
    const auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    out.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (authority.empty() || authority.find('@') != std::string::npos) return false;
    std::string port;
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) return false;
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') return false;
            port = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.rfind(':');
        out.host = authority.substr(0, colon);
        if (colon != std::string::npos) port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return false;
    if (!port.empty()) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (ec != std::errc{} || p != port.data() + port.size() || v == 0 || v > 65535) return false;
    }
    out.port = port.empty() ? (out.tls ? "443" : "80") : port;
    return true;
}

// One request on its own connection; `done` runs exactly once.
template <class Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
public:
    Exchange(asio::io_context& ioc, Stream stream, Url url, api::OutgoingRequest req,
             std::function<void(api::OutgoingResult)> done)
        : resolver_(ioc), stream_(std::move(stream)), url_(std::move(url)), timeout_(req.timeout), done_(std::move(done)) {
        req_.method(http::verb::post);
        req_.target(url_.target);
        req_.version(11);
        const bool default_port = url_.port == (url_.tls ? "443" : "80");
        const std::string host = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
        req_.set(http::field::host, default_port ? host : host + ":" + url_.port);
        req_.set(http::field::user_agent, "centrala");
        req_.set(http::field::content_type, "application/json");
        req_.set(http::field::connection, "close");
        for (const auto& [k, v] : req.headers) req_.set(k, v);
        req_.body() = std::move(req.body);
        req_.prepare_payload();
        parser_.body_limit(64 * 1024);
    }

    void start() {
        if constexpr (is_tls) {
            if (!SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str()))
                return finish(0, "TLS: cannot set the server name");
            stream_.set_verify_callback(asio::ssl::host_name_verification(url_.host));
        }
        resolver_.async_resolve(url_.host, url_.port,
                                [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
                                    self->on_resolve(ec, r);
                                });
    }

private:
    static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

    beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

    void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
        if (ec) return finish(0, "resolve: " + ec.message());
        tcp_layer().expires_after(timeout_);
        tcp_layer().async_connect(results, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
            self->on_connect(ec);
        });
    }

    void on_connect(beast::error_code ec) {
        if (ec) return finish(0, "connect: " + ec.message());
        if constexpr (is_tls) {
            stream_.async_handshake(asio::ssl::stream_base::client, [self = this->shared_from_this()](beast::error_code ec) {
                if (ec) return self->finish(0, "TLS: " + ec.message());
                self->write();
            });
        } else {
            write();
        }
    }

    void write() {
        tcp_layer().expires_after(timeout_);
        http::async_write(stream_, req_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->finish(0, "write: " + ec.message());
            self->read();
        });
    }

    void read() {
        http::async_read(stream_, buffer_, parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->finish(0, "read: " + ec.message());
            self->finish(int(self->parser_.get().result_int()), "");
            beast::error_code ignored;
            self->tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
    }

    void finish(int status, std::string error) {
        if (!done_) return;
        auto done = std::move(done_);
        done_ = nullptr;
        done({status, std::move(error)});
    }

    tcp::resolver resolver_;
    Stream stream_;
    Url url_;
    std::chrono::seconds timeout_;
    http::request<http::string_body> req_;
    http::response_parser<http::string_body> parser_;
    beast::flat_buffer buffer_;
    std::function<void(api::OutgoingResult)> done_;
};

}  // namespace

HttpPoster::HttpPoster(asio::io_context& ioc) : impl_(std::make_shared<Impl>(ioc)) {}
HttpPoster::~HttpPoster() = default;

void HttpPoster::post(api::OutgoingRequest request, std::function<void(api::OutgoingResult)> done) {
    Url url;
    if (!parse_url(request.url, url)) {
        asio::post(impl_->ioc, [done] { done({0, "the webhook URL is not an http(s) URL"}); });
        return;
    }
    if (url.tls) {
        using S = beast::ssl_stream<beast::tcp_stream>;
        std::make_shared<Exchange<S>>(impl_->ioc, S(impl_->ioc, impl_->tls), std::move(url), std::move(request),
                                      std::move(done))
            ->start();
    } else {
        std::make_shared<Exchange<beast::tcp_stream>>(impl_->ioc, beast::tcp_stream(impl_->ioc), std::move(url),
                                                      std::move(request), std::move(done))
            ->start();
    }
}

}  // namespace centrala::net
