#include "centrala/net/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <array>
#include <chrono>
#include <deque>
#include <unordered_map>

#include "centrala/api/api.hpp"
#include "centrala/metrics/metrics.hpp"
#include "forwarded.hpp"
#include "static_files.hpp"
#include "write_combiner.hpp"

namespace centrala::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Something the server can ask to wind down at shutdown.
class Connection {
public:
    virtual ~Connection() = default;
    virtual void shutdown() = 0;
    // Grace period over: close the socket so every pending operation ends.
    virtual void force_close() = 0;
};

bool quiet(const beast::error_code& ec) {
    return ec == asio::error::operation_aborted || ec == websocket::error::closed ||
           ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == ssl::error::stream_truncated;
}

std::string csp(const std::vector<std::string>& frame_ancestors, bool framable) {
    std::string fa = "'none'";
    if (framable && !frame_ancestors.empty()) {
        fa.clear();
        for (const auto& a : frame_ancestors) fa += (fa.empty() ? "" : " ") + a;
    }
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
           "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
           "frame-ancestors " + fa;
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    Impl(asio::io_context& io, ServerOptions o, api::Api& a, metrics::Registry& m)
        : ioc(io), opt(std::move(o)), api(a), metrics(m), acceptor(io), grace_timer(io) {
        csp_default = csp(opt.frame_ancestors, false);
        csp_framable = csp(opt.frame_ancestors, true);
        metrics.describe("centrala_websocket_frames_sent_total", "counter", "WebSocket text frames sent");
        metrics.describe("centrala_websocket_writes_total", "counter",
                         "Socket writes carrying WebSocket text frames (several frames share one when queued together)");
        ws_frames_sent = &metrics.counter("centrala_websocket_frames_sent_total", "");
        ws_writes = &metrics.counter("centrala_websocket_writes_total", "");
        for (bool document : {false, true})
            for (bool framable : {false, true}) fixed_headers[document][framable] = security_headers(document, framable);
    }

    asio::io_context& ioc;
    ServerOptions opt;
    api::Api& api;
    metrics::Registry& metrics;
    std::optional<ssl::context> tls;
    tcp::acceptor acceptor;
    asio::steady_timer grace_timer;
    std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;
    uint64_t next_id = 0;
    bool stopping = false;
    std::function<void()> on_drained;
    std::string csp_default, csp_framable;
    std::atomic<uint64_t>* ws_frames_sent = nullptr;
    std::atomic<uint64_t>* ws_writes = nullptr;
    // The security headers every response carries, serialised once per
    // (document, framable): writing them costs one append per response.
    std::string fixed_headers[2][2];

    std::string security_headers(bool document, bool framable) const {
        std::string h = "X-Content-Type-Options: nosniff\r\nReferrer-Policy: same-origin\r\n";
        // Documents get the full policy; everything else (JSON, scripts,
        // styles) can load nothing and be framed by nobody, in fewer bytes.
        if (document) {
            h += "Content-Security-Policy: " + (framable ? csp_framable : csp_default) + "\r\n";
            h += "Cross-Origin-Opener-Policy: same-origin\r\n";
            h += "Permissions-Policy: camera=(self), microphone=(self), geolocation=(self)\r\n";
        } else {
            h += "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";
        }
        if (!framable) h += "X-Frame-Options: DENY\r\n";
        if (opt.tls) h += "Strict-Transport-Security: max-age=31536000\r\n";
        return h;
    }

    // Per-route metric handles, so a request records without building label
    // strings or taking the registry lock. Routes are patterns: few of them.
    struct RouteMetrics {
        metrics::Histogram* latency = nullptr;
        std::unordered_map<int, std::atomic<uint64_t>*> by_status;
    };
    struct RouteHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, RouteMetrics, RouteHash, std::equal_to<>> route_metrics;  // network thread only

    void record(std::string_view route, int status, double secs) {
        auto it = route_metrics.find(route);
        if (it == route_metrics.end()) {
            RouteMetrics rm;
            rm.latency = &metrics.histogram("centrala_http_request_duration_seconds",
                                            "route=" + metrics::label_value(std::string(route)));
            it = route_metrics.emplace(std::string(route), std::move(rm)).first;
        }
        auto& counter = it->second.by_status[status];
        if (!counter)
            counter = &metrics.counter("centrala_http_requests_total", "route=" + metrics::label_value(it->first) +
                                                                           ",status=\"" + std::to_string(status) + "\"");
        counter->fetch_add(1, std::memory_order_relaxed);
        it->second.latency->observe(secs);
    }

    uint64_t add(std::weak_ptr<Connection> c) {
        connections.emplace(++next_id, std::move(c));
        return next_id;
    }
    void remove(uint64_t id) {
        connections.erase(id);
        if (stopping && connections.empty()) drained();
    }
    void drained() {
        grace_timer.cancel();
        if (auto f = std::exchange(on_drained, nullptr)) f();
    }

    void do_accept();
    void on_accept(beast::error_code ec, tcp::socket socket);

    // Address of the client: the peer, or what a trusted proxy says it is.
    std::pair<std::string, bool> client_of(const std::string& peer, const http::request<http::string_body>& req,
                                           bool tls_here) const {
        auto header = [&](const char* name) {
            auto it = req.find(name);
            return it == req.end() ? std::string() : std::string(it->value());
        };
        auto o = resolve_client(peer, tls_here, header("X-Forwarded-For"),
                                header("X-Forwarded-Proto"), opt.trusted_proxies);
        return {o.address, o.secure};
    }
};

namespace {

template <class Stream>
class WsSession final : public Connection, public api::WsPeer, public std::enable_shared_from_this<WsSession<Stream>> {
public:
    WsSession(std::shared_ptr<Server::Impl> srv, Stream&& stream)
        : srv_(std::move(srv)), ws_(std::move(stream)), auth_timer_(srv_->ioc) {}

    ~WsSession() override {
        socket_.reset();  // before the peer it refers to goes
        if (accepted_) srv_->metrics.add_gauge("centrala_websockets_open", "", -1);
        srv_->remove(id_);
    }

    void run(http::request<http::string_body> req, api::Request upgrade) {
        id_ = srv_->add(this->weak_from_this());
        beast::get_lowest_layer(ws_).expires_never();
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeouts.idle_timeout = std::chrono::seconds(srv_->opt.ws_ping_seconds);
        timeouts.keep_alive_pings = true;
        ws_.set_option(timeouts);
        ws_.read_message_max(srv_->opt.ws_max_frame_bytes);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "centrala"); }));
        upgrade_ = std::move(upgrade);
        ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, this->shared_from_this()));
    }

    void send(std::shared_ptr<const std::string> frame) override {
        if (closing_ || dead_) return;
        if (queue_.size() >= srv_->opt.ws_queue_frames) {
            // A client that does not read is cut off rather than buffered forever.
            spdlog::warn("websocket client too slow ({} frames queued); disconnecting", queue_.size());
            drop();
            return;
        }
        queue_.push_back(std::move(frame));
        if (!writing_) {
            // Start writing once this loop turn is over, so that the frames it
            // queues (a message's delivery, echo and ack; a whole commit
            // batch's) leave together.
            writing_ = true;
            asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->do_write(); });
        }
    }

    void close(uint16_t code, const std::string& reason) override {
        if (closing_ || dead_) return;
        closing_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
        if (!writing_ && accepted_) do_close();
    }

    void shutdown() override { close(websocket::close_code::service_restart, "server restarting"); }
    void force_close() override {
        auth_timer_.cancel();
        drop();
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) {
            if (!quiet(ec)) spdlog::debug("websocket accept: {}", ec.message());
            return;
        }
        accepted_ = true;
        srv_->metrics.add_gauge("centrala_websockets_open", "", 1);
        if (srv_->stopping) {
            shutdown();
            return;
        }
        auto handler = srv_->api.open_socket(upgrade_, *this);
        if (!handler) {
            close(websocket::close_code::policy_error, handler.error().message);
            return do_read();
        }
        socket_ = std::move(*handler);
        if (!socket_->authenticated() && !closing_) {
            auth_timer_.expires_after(std::chrono::seconds(srv_->opt.ws_auth_timeout_seconds));
            auth_timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
                auto self = weak.lock();
                if (ec || !self || !self->socket_ || self->socket_->authenticated()) return;
                self->close(websocket::close_code::policy_error, "authentication timeout");
            });
        }
        if (closing_ && !writing_) do_close();
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, size_t) {
        if (ec) {
            if (ec == websocket::error::message_too_big) spdlog::info("websocket frame over the size limit; closed");
            else if (!quiet(ec)) spdlog::debug("websocket read: {}", ec.message());
            dead_ = true;
            auth_timer_.cancel();
            return;
        }
        if (ws_.got_text() && !closing_ && socket_) {
            socket_->on_text(beast::buffers_to_string(buffer_.data()));
        } else if (!ws_.got_text() && !closing_) {
            close(websocket::close_code::bad_payload, "binary frames are not accepted");
        }
        buffer_.consume(buffer_.size());
        do_read();
    }

    void do_write() {
        if (dead_ || queue_.empty()) {
            writing_ = false;
            if (closing_ && accepted_) do_close();
            return;
        }
        writing_ = true;
        const std::string& frame = *queue_.front();
        // Hold this frame back while more are queued, up to a bound, so the
        // last one carries them all in one socket write.
        auto& combiner = ws_.next_layer();
        const bool hold = queue_.size() > 1 && combiner.held_bytes() + frame.size() < kCombineBytes;
        combiner.hold(hold);
        srv_->ws_frames_sent->fetch_add(1, std::memory_order_relaxed);
        if (!hold) srv_->ws_writes->fetch_add(1, std::memory_order_relaxed);
        ws_.text(true);
        ws_.async_write(asio::buffer(frame),
                        beast::bind_front_handler(&WsSession::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code ec, size_t) {
        writing_ = false;
        if (ec) {
            if (!quiet(ec)) spdlog::debug("websocket write: {}", ec.message());
            dead_ = true;
            queue_.clear();
            return;
        }
        if (dead_) return;  // dropped while the frame was held: the queue is gone
        queue_.pop_front();
        if (!queue_.empty()) return do_write();
        if (closing_) do_close();
    }

    void do_close() {
        if (close_sent_ || dead_) return;
        close_sent_ = true;
        auth_timer_.cancel();
        ws_.async_close(*closing_, [self = this->shared_from_this()](beast::error_code) {});
    }

    void drop() {
        dead_ = true;
        queue_.clear();
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    static constexpr size_t kCombineBytes = 64 * 1024;

    std::shared_ptr<Server::Impl> srv_;
    websocket::stream<WriteCombiner<Stream>> ws_;
    beast::flat_buffer buffer_;
    asio::steady_timer auth_timer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    api::Request upgrade_;
    std::unique_ptr<api::SocketHandler> socket_;
    std::optional<websocket::close_reason> closing_;
    uint64_t id_ = 0;
    bool writing_ = false;
    bool accepted_ = false;
    bool close_sent_ = false;
    bool dead_ = false;
};

template <class Stream>
class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession<Stream>> {
public:
    HttpSession(std::shared_ptr<Server::Impl> srv, Stream&& stream, std::string peer)
        : srv_(std::move(srv)), stream_(std::move(stream)), peer_(std::move(peer)) {}

    ~HttpSession() override {
        if (id_) srv_->remove(id_);
    }

    void run() {
        id_ = srv_->add(this->weak_from_this());
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(srv_->opt.read_timeout_seconds));
            stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                if (ec) {
                    if (!quiet(ec)) spdlog::debug("tls handshake: {}", ec.message());
                    return;
                }
                self->do_read();
            });
        } else {
            do_read();
        }
    }

    void shutdown() override {
        stopping_ = true;
        // A connection waiting for its next request is closed now; one with a
        // request in progress finishes it first (on_write closes it).
        if (!busy_) {
            beast::error_code ignored;
            beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(stream_).cancel();
        }
    }

    void force_close() override {
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
    }

private:
    void do_read() {
        if (stopping_) return;
        parser_.emplace();
        parser_->body_limit(srv_->opt.body_limit);
        parser_->header_limit(static_cast<uint32_t>(srv_->opt.header_limit));
        beast::get_lowest_layer(stream_).expires_after(
            std::chrono::seconds(first_ ? srv_->opt.read_timeout_seconds : srv_->opt.idle_timeout_seconds));
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, size_t) {
        first_ = false;
        if (ec == http::error::body_limit) {
            return send_error(413, "body_too_large",
                              "The request body is larger than " + std::to_string(srv_->opt.body_limit) + " bytes.",
                              false);
        }
        if (ec == http::error::header_limit) {
            return send_error(431, "headers_too_large", "The request headers are too large.", false);
        }
        if (ec) {
            if (!quiet(ec) && ec != http::error::partial_message)
                spdlog::debug("http read from {}: {}", peer_, ec.message());
            if (ec == http::error::bad_target || ec == http::error::bad_method || ec == http::error::bad_version ||
                ec == http::error::bad_field || ec == http::error::bad_value || ec == http::error::bad_line_ending ||
                ec == http::error::bad_chunk || ec == http::error::bad_content_length)
                return send_error(400, "bad_request", "The request is not valid HTTP.", false);
            return;
        }
        started_ = Clock::now();
        busy_ = true;
        auto req = parser_->release();
        keep_alive_ = req.keep_alive() && !stopping_;

        api::Request r;
        r.method = std::string(req.method_string());
        const std::string target(req.target());
        const auto q = target.find('?');
        if (!api::percent_decode(std::string_view(target).substr(0, q), r.path, false) ||
            r.path.find('\0') != std::string::npos || r.path.empty() || r.path[0] != '/' ||
            (q != std::string::npos && !api::parse_query(std::string_view(target).substr(q + 1), r.query)))
            return send_error(400, "bad_target", "The request target is malformed.", keep_alive_);
        for (const auto& f : req) {
            std::string name(f.name_string());
            for (auto& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
            r.headers.insert_or_assign(std::move(name), std::string(f.value()));
        }
        constexpr bool tls_here = std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>;
        std::tie(r.remote_address, r.secure) = srv_->client_of(peer_, req, tls_here);

        if (api::Api::is_socket_path(r.path)) {
            if (!websocket::is_upgrade(req))
                return send_error(426, "upgrade_required", "This path speaks WebSocket only.", keep_alive_);
            if (srv_->stopping)
                return send_error(503, "shutting_down", "The server is restarting.", false);
            if (auto checked = srv_->api.check_upgrade(r); !checked) {
                method_ = r.method;
                path_ = r.path;
                route_ = path_;
                return send(api::Response::error(checked.error()), false);
            }
            log_line(r.method, r.path, 101, r.path);
            auto ws = std::make_shared<WsSession<Stream>>(srv_, std::move(stream_));
            ws->run(std::move(req), std::move(r));
            return;  // the stream now belongs to the WebSocket session
        }
        const bool to_api = r.path.rfind("/api/", 0) == 0 || r.path.rfind("/open311/", 0) == 0 ||
                            r.path.rfind("/ws/", 0) == 0 || r.path == "/healthz" || r.path == "/readyz" ||
                            r.path == "/metrics";
        if (to_api) {
            head_ = r.method == "HEAD";
            if (r.method == "HEAD") r.method = "GET";
            r.body = std::move(req.body());
            method_ = r.method;
            path_ = r.path;
            // The reply keeps the session alive while the store or hasher works;
            // the Api names the route in route_ before anything replies.
            srv_->api.handle(std::move(r),
                             [self = this->shared_from_this()](api::Response resp) {
                                 self->send(std::move(resp), self->keep_alive_);
                             },
                             route_);
            return;
        }
        serve_static(r, req);
    }

    void serve_static(const api::Request& r, const http::request<http::string_body>& req) {
        method_ = r.method;
        path_ = r.path;
        route_ = "static";
        if (r.method != "GET" && r.method != "HEAD") {
            auto resp = api::Response::error(405, "method_not_allowed", "Static files accept GET and HEAD only.");
            resp.headers.emplace_back("Allow", "GET, HEAD");
            return send(std::move(resp), keep_alive_);
        }
        head_ = r.method == "HEAD";
        auto file = load_static(srv_->opt.web_root, r.path);
        if (!file) return send(api::Response::error(404, "not_found", "No such page."), keep_alive_);
        api::Response resp;
        resp.content_type = file->content_type;
        resp.headers.emplace_back("ETag", file->etag);
        resp.headers.emplace_back("Cache-Control", file->html ? "no-cache" : "public, max-age=300, must-revalidate");
        auto inm = req.find(http::field::if_none_match);
        if (inm != req.end() && inm->value() == file->etag) {
            resp.status = 304;
        } else {
            resp.body = std::move(file->body);
        }
        framable_ = r.path.rfind("/widget", 0) == 0;
        send(std::move(resp), keep_alive_);
    }

    void send_error(int status, const std::string& code, const std::string& message, bool keep_alive) {
        busy_ = true;
        if (method_.empty()) method_ = "-";
        route_ = "invalid";
        send(api::Response::error(status, code, message), keep_alive);
    }

    // The response is serialised here rather than by Beast's serializer: the
    // fixed headers are one prebuilt string, and header and body go out in
    // one gathered write.
    void send(api::Response r, bool keep_alive) {
        keep_alive_ = keep_alive && !stopping_ && !srv_->stopping;
        std::string& h = head_buf_;
        h.clear();
        h += "HTTP/1.1 ";
        h += std::to_string(r.status);
        h += ' ';
        const auto reason = http::obsolete_reason(static_cast<http::status>(r.status));
        h.append(reason.data(), reason.size());
        h += "\r\nServer: centrala\r\n";
        if (!r.content_type.empty()) append_field(h, "Content-Type", r.content_type);
        bool cache_control = false;
        for (const auto& [k, v] : r.headers) {
            append_field(h, k, v);
            cache_control = cache_control || beast::iequals(k, "Cache-Control");
        }
        const bool document = r.content_type.rfind("text/html", 0) == 0;
        h += srv_->fixed_headers[document][framable_];
        if (!cache_control) h += "Cache-Control: no-store\r\n";
        if (!keep_alive_) h += "Connection: close\r\n";
        // RFC 9110 §8.6: no Content-Length on 1xx or 204, and none on 304,
        // where it would describe the cached representation (as Beast did).
        const bool bodiless = r.status < 200 || r.status == 204 || r.status == 304;
        if (!bodiless) {
            h += "Content-Length: ";
            h += std::to_string(r.body.size());
            h += "\r\n";
        }
        h += "\r\n";
        if (head_ || bodiless) body_.clear();
        else body_ = std::move(r.body);
        log_line(method_.empty() ? "-" : method_, path_.empty() ? "-" : path_, r.status, route_);
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(srv_->opt.read_timeout_seconds));
        const std::array<asio::const_buffer, 2> out{asio::buffer(head_buf_), asio::buffer(body_)};
        asio::async_write(stream_, out,
                          [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_write(ec); });
    }

    // "Name: value\r\n"; a CR or LF in either would split the header, so it
    // becomes a space (handlers never put one there on purpose).
    static void append_field(std::string& h, std::string_view name, std::string_view value) {
        const size_t from = h.size();
        h += name;
        h += ": ";
        h += value;
        for (size_t i = from; i < h.size(); ++i)
            if (h[i] == '\r' || h[i] == '\n') h[i] = ' ';
        h += "\r\n";
    }

    void log_line(const std::string& method, const std::string& path, int status, std::string_view route) {
        const double secs = std::chrono::duration<double>(Clock::now() - started_).count();
        srv_->record(route.empty() ? std::string_view("unmatched") : route, status, secs);
        // The query string is never logged: it may carry a visitor token.
        if (spdlog::should_log(spdlog::level::info))
            spdlog::info("{} {} {} {:.1f}ms {}", method, path.substr(0, 200), status, secs * 1000, peer_);
    }

    void on_write(beast::error_code ec) {
        busy_ = false;
        head_ = false;
        framable_ = false;
        method_.clear();
        path_.clear();
        route_ = {};
        body_.clear();
        body_.shrink_to_fit();  // an idle connection keeps no file body
        if (ec) {
            if (!quiet(ec)) spdlog::debug("http write: {}", ec.message());
            return;
        }
        if (!keep_alive_ || stopping_) {
            beast::error_code ignored;
            beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        do_read();
    }

    std::shared_ptr<Server::Impl> srv_;
    Stream stream_;
    std::string peer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Clock::time_point started_ = Clock::now();
    std::string method_, path_;
    std::string_view route_;       // the route pattern for metrics; static or the Api's router
    std::string head_buf_, body_;  // the response being written; the header buffer is reused
    uint64_t id_ = 0;
    bool first_ = true;
    bool busy_ = false;
    bool keep_alive_ = true;
    bool stopping_ = false;
    bool head_ = false;
    bool framable_ = false;
};

}  // namespace

void Server::Impl::do_accept() {
    acceptor.async_accept(ioc,
                          beast::bind_front_handler(&Server::Impl::on_accept, shared_from_this()));
}

void Server::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (ec) {
        if (ec != asio::error::operation_aborted) spdlog::warn("accept: {}", ec.message());
        if (ec == asio::error::no_descriptors) {
            // Out of file descriptors: wait a little instead of spinning.
            grace_timer.expires_after(std::chrono::milliseconds(100));
            grace_timer.async_wait([self = shared_from_this()](beast::error_code) { self->do_accept(); });
            return;
        }
        return do_accept();
    }
    if (connections.size() >= size_t(opt.max_connections)) {
        // Over the cap: close at once rather than let one client starve the rest.
        metrics.count("centrala_connections_refused_total", "");
        beast::error_code ignored;
        socket.close(ignored);
        return do_accept();
    }
    beast::error_code peer_ec;
    auto ep = socket.remote_endpoint(peer_ec);
    std::string peer = peer_ec ? "unknown" : ep.address().to_string();
    socket.set_option(tcp::no_delay(true), peer_ec);
    if (tls) {
        auto s = std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
            shared_from_this(), beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls),
            std::move(peer));
        s->run();
    } else {
        auto s = std::make_shared<HttpSession<beast::tcp_stream>>(shared_from_this(),
                                                                  beast::tcp_stream(std::move(socket)), std::move(peer));
        s->run();
    }
    do_accept();
}

Server::Server(asio::io_context& ioc, ServerOptions options, api::Api& api, metrics::Registry& metrics)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), api, metrics)) {}

Server::~Server() {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
}

Result<unsigned short> Server::listen(const std::string& host, unsigned short port) {
    auto& im = *impl_;
    if (im.opt.tls) {
        im.tls.emplace(ssl::context::tls_server);
        im.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
        beast::error_code ec;
        im.tls->use_certificate_chain_file(im.opt.tls_certificate, ec);
        if (ec) return Error::invalid("tls_certificate", "cannot load TLS certificate " + im.opt.tls_certificate + ": " + ec.message());
        im.tls->use_private_key_file(im.opt.tls_private_key, ssl::context::pem, ec);
        if (ec) return Error::invalid("tls_private_key", "cannot load TLS private key " + im.opt.tls_private_key + ": " + ec.message());
    }
    beast::error_code ec;
    auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) return Error::invalid("listen_address", "cannot use listen address '" + host + "': " + ec.message());
    tcp::endpoint ep{address, port};
    im.acceptor.open(ep.protocol(), ec);
    if (!ec) im.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) im.acceptor.bind(ep, ec);
    if (!ec) im.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Error::invalid("listen_failed", "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
    im.do_accept();
    return im.acceptor.local_endpoint().port();
}

void Server::shutdown(std::chrono::seconds grace, std::function<void()> done) {
    auto& im = *impl_;
    im.stopping = true;
    beast::error_code ignored;
    im.acceptor.close(ignored);
    im.on_drained = std::move(done);
    std::vector<std::shared_ptr<Connection>> live;
    for (auto& [id, weak] : im.connections)
        if (auto c = weak.lock()) live.push_back(std::move(c));
    for (auto& c : live) c->shutdown();
    live.clear();
    if (im.connections.empty()) return im.drained();
    im.grace_timer.expires_after(grace);
    im.grace_timer.async_wait([self = impl_](beast::error_code ec) {
        if (ec) return;
        spdlog::warn("shutdown: {} connection(s) still open after the grace period; closing them", self->connections.size());
        std::vector<std::shared_ptr<Connection>> live;
        for (auto& [id, weak] : self->connections)
            if (auto c = weak.lock()) live.push_back(std::move(c));
        for (auto& c : live) c->force_close();
        if (auto f = std::exchange(self->on_drained, nullptr)) f();
    });
}

}  // namespace centrala::net
