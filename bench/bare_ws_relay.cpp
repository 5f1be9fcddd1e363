// bare_ws_relay: the baseline for centrala's chat benchmarks.
//
// The smallest Boost.Beast WebSocket server that does the socket work of a
// chat: one io_context run by one thread (as in centrala), TCP_NODELAY, one
// write queue per socket, and for every `message` frame the same three frames
// out that centrala sends: an ack to the sender, the message to the other side
// of the conversation, and the message back to the sender's side. It has no
// JSON parser, no authentication, no store, no routing and no logging, so the
// gap between it and centrala is what those cost.
//
// Protocol (what bench/chat_load sends, a subset of centrala's frames):
//   /ws/chat   first frame {"type":"auth","visitor_token":"<conversation number>"} -> hello
//   /ws/agent  first frame {"type":"auth","token":"..."} -> hello;
//              {"type":"join","contact_id":"<n>"} -> contact_assigned to the agent, agent_joined to the resident
//   both       {"type":"message",...,"client_msg_id":"..."} (agents add "contact_id") ->
//              ack {client_msg_id, id} to the sender, the frame itself to the other side and back to the sender
//
// Usage: bare_ws_relay [PORT]   (0 or nothing: pick a free port)
// Prints "listening on http://127.0.0.1:PORT" on stdout once it accepts.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <csignal>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class Session;

struct Registry {
    std::unordered_map<int64_t, Session*> residents;  // conversation -> resident socket
    std::unordered_map<int64_t, Session*> agents;     // conversation -> agent socket
    int64_t next_id = 0;
};

// The string value of "key":"..." in a frame (no escapes expected), or empty.
std::string_view field(std::string_view frame, std::string_view key) {
    std::string pat = "\"" + std::string(key) + "\":\"";
    auto p = frame.find(pat);
    if (p == std::string_view::npos) return {};
    p += pat.size();
    auto e = frame.find('"', p);
    return e == std::string_view::npos ? std::string_view{} : frame.substr(p, e - p);
}

int64_t to_num(std::string_view s) {
    int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    return s.empty() ? -1 : v;
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& s, Registry& reg) : ws_(std::move(s)), reg_(reg) {}
    ~Session() {
        if (conv_ >= 0) {
            auto it = reg_.residents.find(conv_);
            if (it != reg_.residents.end() && it->second == this) reg_.residents.erase(it);
        }
        for (auto it = reg_.agents.begin(); it != reg_.agents.end();)
            it = it->second == this ? reg_.agents.erase(it) : std::next(it);
    }

    void start() {
        http::async_read(ws_.next_layer(), buf_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return;
            self->agent_ = self->req_.target() == "/ws/agent";
            auto t = websocket::stream_base::timeout::suggested(beast::role_type::server);
            t.idle_timeout = std::chrono::seconds(30);
            t.keep_alive_pings = true;
            self->ws_.set_option(t);
            self->ws_.async_accept(self->req_, [self](beast::error_code ec) {
                if (ec) return;
                self->buf_.consume(self->buf_.size());
                self->read();
            });
        });
    }

    void send(std::shared_ptr<const std::string> frame) {
        if (dead_) return;
        queue_.push_back(std::move(frame));
        if (!writing_) write();
    }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) {
                self->dead_ = true;
                return;
            }
            const auto d = self->buf_.cdata();
            self->on_frame(std::string_view(static_cast<const char*>(d.data()), d.size()));
            self->buf_.consume(self->buf_.size());
            self->read();
        });
    }

    void on_frame(std::string_view f) {
        const auto type = field(f, "type");
        if (type == "message") {
            const int64_t conv = agent_ ? to_num(field(f, "contact_id")) : conv_;
            auto& other = agent_ ? reg_.residents : reg_.agents;
            auto it = other.find(conv);
            const auto cmid = field(f, "client_msg_id");
            auto ack = std::make_shared<const std::string>(R"({"type":"ack","client_msg_id":")" + std::string(cmid) +
                                                           R"(","id":")" + std::to_string(++reg_.next_id) + "\"}");
            send(std::move(ack));
            auto msg = std::make_shared<const std::string>(f);
            if (it != other.end()) it->second->send(msg);
            send(msg);  // centrala also shows a message to its author's side
        } else if (type == "auth") {
            if (!agent_) {
                conv_ = to_num(field(f, "visitor_token"));
                reg_.residents[conv_] = this;
            }
            send(std::make_shared<const std::string>(R"({"type":"hello","state":"active"})"));
        } else if (type == "join" && agent_) {
            const int64_t conv = to_num(field(f, "contact_id"));
            reg_.agents[conv] = this;
            send(std::make_shared<const std::string>(R"({"type":"contact_assigned","contact":{"id":")" +
                                                     std::to_string(conv) + "\"}}"));
            if (auto it = reg_.residents.find(conv); it != reg_.residents.end())
                it->second->send(std::make_shared<const std::string>(R"({"type":"agent_joined","name":"Konsultant"})"));
        }
    }

    void write() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
            self->writing_ = false;
            if (ec) {
                self->dead_ = true;
                self->queue_.clear();
                return;
            }
            self->queue_.pop_front();
            if (!self->queue_.empty()) self->write();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    Registry& reg_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    bool agent_ = false, writing_ = false, dead_ = false;
    int64_t conv_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
    const long port = argc >= 2 ? std::strtol(argv[1], nullptr, 10) : 0;
    std::signal(SIGPIPE, SIG_IGN);
    asio::io_context ioc{1};
    Registry reg;
    tcp::acceptor acceptor(ioc);
    try {
        tcp::endpoint where{asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)};
        acceptor.open(where.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(where);
        acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const std::exception& e) {
        std::cerr << "bare_ws_relay: cannot listen: " << e.what() << "\n";
        return 1;
    }
    std::function<void()> accept_next = [&] {
        acceptor.async_accept([&](beast::error_code ec, tcp::socket s) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) {
                beast::error_code ig;
                s.set_option(tcp::no_delay(true), ig);
                std::make_shared<Session>(std::move(s), reg)->start();
            }
            accept_next();
        });
    };
    accept_next();
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const beast::error_code&, int) {
        beast::error_code ig;
        acceptor.close(ig);
        ioc.stop();
    });
    std::cout << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
    ioc.run();
    return 0;
}
