// chat_load: the load client of the chat benchmarks (docs/benchmarks.md,
// "Chat under load"). One process, one io_context thread for every socket
// (the main thread only orchestrates the phases and reads /proc).
//
//   chat_load load --target centrala|relay --port P [options]
//       Holds N conversations (resident socket on /ws/chat + an agent socket on
//       /ws/agent serving it) and sends `message` frames from both sides at
//       a series of target rates (open loop), then once closed loop ("max").
//       Latency = send -> delivery on the other side (the send time travels in
//       the text), ack latency = send -> ack on the sender's socket.
//   chat_load idle --target centrala|relay --port P --count 10000 --server-pid PID
//       Opens `count` authenticated resident sockets and reports the server's
//       VmRSS before and after (per connection).
//
// Against centrala (started with a temporary config and an admin user made
// with `centrala user add`), the client logs in as that admin, creates the
// agents with chat capacity 20 (the API's maximum) over POST /api/v1/users,
// logs them in, opens their sockets, sets them available, creates the chats,
// hands them off (a bounded number at a time) and accepts the offers.
// Against bench/bare_ws_relay the same frames are used, with a `join` frame
// standing in for the offer/accept dance.
//
// Output: readable lines plus one `RESULT key=value ...` line per measurement
// that bench/chat_load.sh parses.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

int64_t now_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

[[noreturn]] void die(const std::string& msg) {
    std::cerr << "chat_load: " << msg << std::endl;
    std::exit(1);
}

// ---- options ----------------------------------------------------------------

struct Options {
    std::string mode;
    std::string target = "centrala";
    unsigned short port = 0;
    int conversations = 1000;
    int agents = 0;  // 0: enough for the conversations at 18 chats each (capacity 20)
    int capacity = 20;
    std::string admin_user, admin_password_file;
    int server_pid = 0;
    std::vector<int> rates = {1000, 2000, 3000, 4000, 5000};
    double step_seconds = 10, warmup_seconds = 2, drain_seconds = 3, max_seconds = 10;
    int window = 2;  // closed loop: messages in flight per conversation
    int handoff_window = 40;
    int count = 10000;
    double quiet_wait = 30;
    double hold_seconds = 5;
    int text_bytes = 80;
};

Options parse(int argc, char** argv) {
    Options o;
    if (argc < 2) die("usage: chat_load load|idle --target centrala|relay --port P [...] (see the top of bench/chat_load.cpp)");
    o.mode = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string k = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) die("missing value for " + k);
            return argv[++i];
        };
        if (k == "--target") o.target = val();
        else if (k == "--port") o.port = static_cast<unsigned short>(std::stoi(val()));
        else if (k == "--conversations") o.conversations = std::stoi(val());
        else if (k == "--agents") o.agents = std::stoi(val());
        else if (k == "--capacity") o.capacity = std::stoi(val());
        else if (k == "--admin-user") o.admin_user = val();
        else if (k == "--admin-password-file") o.admin_password_file = val();
        else if (k == "--server-pid") o.server_pid = std::stoi(val());
        else if (k == "--rates") {
            o.rates.clear();
            std::stringstream ss(val());
            std::string r;
            while (std::getline(ss, r, ','))
                if (!r.empty()) o.rates.push_back(std::stoi(r));
        } else if (k == "--step-seconds") o.step_seconds = std::stod(val());
        else if (k == "--warmup-seconds") o.warmup_seconds = std::stod(val());
        else if (k == "--drain-seconds") o.drain_seconds = std::stod(val());
        else if (k == "--max-seconds") o.max_seconds = std::stod(val());
        else if (k == "--window") o.window = std::stoi(val());
        else if (k == "--handoff-window") o.handoff_window = std::stoi(val());
        else if (k == "--count") o.count = std::stoi(val());
        else if (k == "--quiet-wait") o.quiet_wait = std::stod(val());
        else if (k == "--hold-seconds") o.hold_seconds = std::stod(val());
        else if (k == "--text-bytes") o.text_bytes = std::stoi(val());
        else die("unknown option " + k);
    }
    if (o.port == 0) die("--port is required");
    if (o.target != "centrala" && o.target != "relay") die("--target is centrala or relay");
    if (o.agents <= 0) o.agents = std::max(1, (o.conversations + 17) / 18);
    return o;
}

// ---- /proc ------------------------------------------------------------------

const double kHz = double(sysconf(_SC_CLK_TCK));

double proc_cpu_seconds(int pid) {  // user + system of all threads
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), {});
    auto p = s.rfind(')');
    if (p == std::string::npos) return 0;
    std::istringstream is(s.substr(p + 2));
    std::string tok;
    double ut = 0, st = 0;
    for (int field = 3; is >> tok; ++field) {
        if (field == 14) ut = std::stod(tok);
        if (field == 15) {
            st = std::stod(tok);
            break;
        }
    }
    return (ut + st) / kHz;
}

double machine_busy_seconds() {  // all CPUs, user+nice+system+irq+softirq+steal
    std::ifstream f("/proc/stat");
    std::string cpu;
    double v[8] = {};
    f >> cpu;
    for (double& x : v) f >> x;
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / kHz;
}

double self_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

// CPU seconds per thread of a process: "main" for the thread whose id is the
// process id (centrala's io thread), otherwise the thread's name.
std::map<std::string, double> thread_cpu_seconds(int pid) {
    std::map<std::string, double> out;
    if (!pid) return out;
    std::error_code ec;
    for (auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        const std::string tid = e.path().filename().string();
        std::ifstream f(e.path() / "stat");
        std::string st((std::istreambuf_iterator<char>(f)), {});
        auto l = st.find('('), r = st.rfind(')');
        if (l == std::string::npos || r == std::string::npos) continue;
        std::string name = tid == std::to_string(pid) ? "main" : st.substr(l + 1, r - l - 1);
        for (char& c : name)
            if (c == ' ' || c == '=' || c == ',') c = '_';
        std::istringstream is(st.substr(r + 2));
        std::string tok;
        double ut = 0, stime = 0;
        for (int field = 3; is >> tok; ++field) {
            if (field == 14) ut = std::stod(tok);
            if (field == 15) {
                stime = std::stod(tok);
                break;
            }
        }
        out[name] += (ut + stime) / kHz;
    }
    return out;
}

long vm_rss_kib(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

// ---- blocking HTTP for the set-up --------------------------------------------

struct HttpResult {
    int status = 0;
    std::string body;
    json j() const { return json::parse(body, nullptr, false); }
};

class Http {
public:
    explicit Http(unsigned short port) : port_(port) {}
    HttpResult request(http::verb verb, const std::string& target, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            try {
                if (!stream_) {
                    stream_ = std::make_unique<beast::tcp_stream>(ioc_);
                    stream_->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
                    stream_->socket().set_option(tcp::no_delay(true));
                }
                http::request<http::string_body> req{verb, target, 11};
                req.set(http::field::host, "127.0.0.1");
                req.keep_alive(true);
                for (auto& [k, v] : headers) req.set(k, v);
                if (!body.empty()) {
                    req.set(http::field::content_type, "application/json");
                    req.body() = body;
                }
                req.prepare_payload();
                http::write(*stream_, req);
                beast::flat_buffer buf;
                http::response<http::string_body> res;
                http::read(*stream_, buf, res);
                if (!res.keep_alive()) stream_.reset();
                return {int(res.result_int()), res.body()};
            } catch (const std::exception&) {
                stream_.reset();
            }
        }
        return {};
    }

private:
    asio::io_context ioc_;
    unsigned short port_;
    std::unique_ptr<beast::tcp_stream> stream_;
};

// ---- the asynchronous sockets --------------------------------------------------

enum class Role { resident, agent };

struct Conv;
class Ws;
using FrameFn = std::function<void(Ws&, std::string_view)>;

class Ws : public std::enable_shared_from_this<Ws> {
public:
    Ws(asio::io_context& ioc, Role role, int index) : role(role), index(index), ws_(ioc) {}

    Role role;
    int index;  // conversation index (resident) or agent index
    bool open = false, closed = false, hello = false;
    std::string close_reason;

    void start(unsigned short port, std::string target, std::string auth_frame, FrameFn on_frame,
               std::function<void(Ws&, bool)> on_open) {
        on_frame_ = std::move(on_frame);
        auto self = shared_from_this();
        beast::get_lowest_layer(ws_).async_connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
            [self, target, auth_frame, on_open](beast::error_code ec) {
                if (ec) {
                    self->closed = true;
                    self->close_reason = "connect: " + ec.message();
                    return on_open(*self, false);
                }
                beast::error_code ig;
                beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay(true), ig);
                beast::get_lowest_layer(self->ws_).expires_never();
                self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
                self->ws_.async_handshake("127.0.0.1", target, [self, auth_frame, on_open](beast::error_code ec) {
                    if (ec) {
                        self->closed = true;
                        self->close_reason = "handshake: " + ec.message();
                        return on_open(*self, false);
                    }
                    self->open = true;
                    self->send(auth_frame);
                    self->read();
                    on_open(*self, true);
                });
            });
    }

    void send(std::string frame) {
        if (closed) return;
        queue_.push_back(std::move(frame));
        if (!writing_) write();
    }

    size_t queued() const { return queue_.size(); }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) {
                if (!self->closed) {
                    self->closed = true;
                    self->close_reason = "read: " + ec.message();
                    if (self->ws_.reason().code)
                        self->close_reason += " (close " + std::to_string(self->ws_.reason().code) + " " +
                                              std::string(self->ws_.reason().reason.c_str()) + ")";
                }
                return;
            }
            const auto data = self->buf_.cdata();
            self->on_frame_(*self, std::string_view(static_cast<const char*>(data.data()), data.size()));
            self->buf_.consume(self->buf_.size());
            self->read();
        });
    }
    void write() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
            self->writing_ = false;
            if (ec) {
                self->closed = true;
                if (self->close_reason.empty()) self->close_reason = "write: " + ec.message();
                self->queue_.clear();
                return;
            }
            self->queue_.pop_front();
            if (!self->queue_.empty()) self->write();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    std::deque<std::string> queue_;
    bool writing_ = false;
    FrameFn on_frame_;
};

// ---- the load ---------------------------------------------------------------------

struct Conv {
    std::string chat_id;
    std::string token;
    std::shared_ptr<Ws> resident;
    int agent = -1;  // index into agents
    bool handed_off = false, assigned = false, joined = false;
    int next_side = 0;  // 0 resident, 1 agent (alternates)
};

struct Agent {
    std::string username, token, id;
    std::shared_ptr<Ws> ws;
};

// One message sent during a measured phase.
struct Rec {
    int64_t sent_ns = 0;
    int32_t conv = 0;
    uint8_t side = 0;  // 0 resident, 1 agent
    uint8_t acks = 0, deliveries = 0, echoes = 0;
    bool errored = false;
};

struct StepStats {
    std::string name;
    double target_rate = 0, seconds = 0;
    int64_t sent = 0, acked = 0, delivered = 0, echoes = 0, errors = 0, dup_deliveries = 0, dup_acks = 0;
    int64_t lost_deliveries = 0, lost_acks = 0;
    int64_t delivered_in_window = 0, acked_in_window = 0;
    double p50 = 0, p99 = 0, p999 = 0, pmax = 0, ack_p50 = 0, ack_p99 = 0;
    double server_cpu = 0, client_cpu = 0, other_load = 0;
    int64_t closed_sockets = 0;
    std::string first_error;
    std::string threads;  // server CPU per thread, in cores: main:0.31,store:0.05
};

double pct(std::vector<int64_t>& v, double q) {
    if (v.empty()) return 0;
    size_t i = std::min(v.size() - 1, size_t(std::ceil(q * double(v.size()))) - (q > 0 ? 1 : 0));
    std::nth_element(v.begin(), v.begin() + long(i), v.end());
    return double(v[i]) / 1e6;  // ms
}

// Parses the decimal number at s[pos...], advancing pos.
int64_t number_at(std::string_view s, size_t& pos) {
    int64_t v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') v = v * 10 + (s[pos++] - '0');
    return v;
}

class Load {
public:
    explicit Load(Options o) : o_(std::move(o)), work_(asio::make_work_guard(ioc_)) {
        padding_ = " Dzień dobry, chciałbym zapytać o termin odbioru odpadów wielkogabarytowych na ulicy Długiej.";
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~Load() {
        work_.reset();
        ioc_.stop();
        if (thread_.joinable()) thread_.join();
    }

    // Runs f on the io thread and waits for its result.
    template <class F>
    auto on_io(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto fut = task.get_future();
        asio::post(ioc_, [&task] { task(); });
        return fut.get();
    }

    void wait_until(const std::function<bool()>& done_on_io, double timeout_s, const std::string& what) {
        const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
        while (!on_io(done_on_io)) {
            if (Clock::now() > deadline) die("timed out: " + what + " (" + on_io([this] { return progress(); }) + ")");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    std::string progress() {
        int open = 0, hello = 0, assigned = 0, joined = 0, closed = 0;
        for (auto& c : convs_) {
            if (c.resident && c.resident->open) ++open;
            if (c.resident && c.resident->hello) ++hello;
            if (c.resident && c.resident->closed) ++closed;
            assigned += c.assigned;
            joined += c.joined;
        }
        std::string first;
        for (auto& c : convs_)
            if (c.resident && c.resident->closed) {
                first = c.resident->close_reason;
                break;
            }
        return "open " + std::to_string(open) + ", hello " + std::to_string(hello) + ", assigned " +
               std::to_string(assigned) + ", joined " + std::to_string(joined) + ", closed " + std::to_string(closed) +
               (first.empty() ? "" : " [" + first + "]") + ", errors " + std::to_string(setup_errors_) +
               (first_setup_error_.empty() ? "" : " [" + first_setup_error_ + "]");
    }

    // ---- set-up ----
    void setup() {
        const int n = o_.conversations;
        convs_.resize(size_t(n));
        agents_.resize(size_t(o_.agents));
        const auto t0 = Clock::now();
        if (o_.target == "centrala") setup_centrala_http();
        // agent sockets
        for (int a = 0; a < o_.agents; ++a) {
            on_io([this, a] {
                auto ws = std::make_shared<Ws>(ioc_, Role::agent, a);
                agents_[size_t(a)].ws = ws;
                const std::string token = o_.target == "centrala" ? agents_[size_t(a)].token : "agent-" + std::to_string(a);
                ws->start(o_.port, "/ws/agent", json({{"type", "auth"}, {"token", token}}).dump(), frame_fn(),
                          [](Ws&, bool) {});
                return 0;
            });
        }
        wait_until([this] {
            for (auto& a : agents_) if (!a.ws->hello) return false;
            return true;
        }, 30, "agent hellos");
        if (o_.target == "centrala") {
            Http h(o_.port);
            for (auto& a : agents_) {
                auto r = h.request(http::verb::put, "/api/v1/agents/me/state", R"({"state":"available"})",
                                   {{"Authorization", "Bearer " + a.token}});
                if (r.status != 200) die("PUT /api/v1/agents/me/state: " + std::to_string(r.status) + " " + r.body);
            }
        }
        // resident sockets, a bounded number connecting at a time
        connect_residents(n);
        std::cout << "  set-up: " << n << " resident sockets authenticated ("
                  << std::chrono::duration<double>(Clock::now() - t0).count() << " s so far)" << std::endl;
        // hand-offs (centrala) or joins (relay), a bounded number in flight
        on_io([this] {
            pump_handoffs();
            return 0;
        });
        wait_until([this] {
            pump_handoffs();
            for (auto& c : convs_) if (!c.assigned || !c.joined) return false;
            return true;
        }, 600, "all conversations assigned");
        std::this_thread::sleep_for(std::chrono::seconds(1));
        std::vector<int> per_agent(agents_.size());
        on_io([&] {
            for (auto& c : convs_) per_agent[size_t(c.agent)]++;
            return 0;
        });
        std::cout << "  set-up done in " << std::chrono::duration<double>(Clock::now() - t0).count() << " s: " << n
                  << " conversations, " << agents_.size() << " agents (" << *std::min_element(per_agent.begin(), per_agent.end())
                  << "-" << *std::max_element(per_agent.begin(), per_agent.end()) << " chats each)" << std::endl;
    }

    void connect_residents(int n) {
        int next = 0;
        while (next < n) {
            const int upto = std::min(n, next + 200);
            on_io([this, next, upto] {
                for (int i = next; i < upto; ++i) {
                    auto ws = std::make_shared<Ws>(ioc_, Role::resident, i);
                    convs_[size_t(i)].resident = ws;
                    const std::string token = o_.target == "centrala" ? convs_[size_t(i)].token : std::to_string(i);
                    ws->start(o_.port, "/ws/chat", json({{"type", "auth"}, {"visitor_token", token}}).dump(), frame_fn(),
                              [](Ws&, bool) {});
                }
                return 0;
            });
            wait_until([this, upto] {
                for (int i = 0; i < upto; ++i) {
                    auto& ws = convs_[size_t(i)].resident;
                    if (ws->closed) die("resident socket " + std::to_string(i) + " closed: " + ws->close_reason);
                    if (!ws->hello) return false;
                }
                return true;
            }, 60, "resident hellos");
            next = upto;
        }
    }

    // Admin login, agents created with chat capacity, agents logged in, chats created.
    void setup_centrala_http() {
        Http h(o_.port);
        std::ifstream pf(o_.admin_password_file);
        std::string admin_pw;
        std::getline(pf, admin_pw);
        if (o_.admin_user.empty() || admin_pw.empty()) die("--admin-user and --admin-password-file are needed for centrala");
        auto r = h.request(http::verb::post, "/api/v1/auth/login", json({{"username", o_.admin_user}, {"password", admin_pw}}).dump());
        if (r.status != 200) die("admin login: " + std::to_string(r.status) + " " + r.body);
        const std::string admin = r.j().value("token", "");
        std::mt19937_64 rng(std::random_device{}());
        const std::string pw = "bench-" + std::to_string(rng());
        const std::string tag = std::to_string(rng() % 100000);
        for (int a = 0; a < o_.agents; ++a) {
            auto& ag = agents_[size_t(a)];
            ag.username = "load" + tag + "_" + std::to_string(a);
            json body = {{"username", ag.username}, {"password", pw}, {"role", "agent"},
                         {"display_name", "Konsultant " + std::to_string(a)}, {"skills", json::object()},
                         {"capacity", {{"chat", o_.capacity}, {"voice", 0}, {"video", 0}}}};
            auto c = h.request(http::verb::post, "/api/v1/users", body.dump(), {{"Authorization", "Bearer " + admin}});
            if (c.status != 201) die("POST /api/v1/users: " + std::to_string(c.status) + " " + c.body);
            ag.id = c.j().value("id", "");
            auto l = h.request(http::verb::post, "/api/v1/auth/login", json({{"username", ag.username}, {"password", pw}}).dump());
            if (l.status != 200) die("agent login: " + std::to_string(l.status) + " " + l.body);
            ag.token = l.j().value("token", "");
        }
        for (int i = 0; i < o_.conversations; ++i) {
            auto c = h.request(http::verb::post, "/api/v1/public/chats",
                               json({{"name", "Mieszkaniec " + std::to_string(i)}, {"lang", "pl"}, {"topic", "other"}}).dump());
            if (c.status != 201) die("POST /api/v1/public/chats: " + std::to_string(c.status) + " " + c.body);
            auto j = c.j();
            auto& cv = convs_[size_t(i)];
            cv.chat_id = j.value("chat_id", "");
            cv.token = j.value("visitor_token", "");
            chat_index_[cv.chat_id] = i;
        }
    }

    // io thread: keep `handoff_window` conversations between hand-off and assignment.
    void pump_handoffs() {
        while (in_flight_ < o_.handoff_window && next_handoff_ < int(convs_.size())) {
            auto& c = convs_[size_t(next_handoff_)];
            c.handed_off = true;
            ++in_flight_;
            if (o_.target == "centrala") {
                c.resident->send(R"({"type":"handoff"})");
            } else {
                const int a = next_handoff_ % int(agents_.size());
                chat_index_[std::to_string(next_handoff_)] = next_handoff_;
                convs_[size_t(next_handoff_)].chat_id = std::to_string(next_handoff_);
                agents_[size_t(a)].ws->send(R"({"type":"join","contact_id":")" + std::to_string(next_handoff_) + "\"}");
            }
            ++next_handoff_;
        }
    }

    void maybe_done_handoff(Conv& c) {
        if (c.assigned && c.joined && c.handed_off) {
            c.handed_off = false;
            --in_flight_;
            pump_handoffs();
        }
    }

    FrameFn frame_fn() {
        return [this](Ws& ws, std::string_view data) { on_frame(ws, data); };
    }

    // io thread
    void on_frame(Ws& ws, std::string_view data) {
        ++frames_in_;
        // Load frames are recognised without a JSON parser: the text carries
        // "B|seq|send_ns|side", the client_msg_id is "K|seq".
        if (auto p = data.find("B|"); p != std::string_view::npos) {
            size_t q = p + 2;
            const int64_t seq = number_at(data, q);
            ++q;
            number_at(data, q);
            ++q;
            const char side = q < data.size() ? data[q] : '?';
            const bool from_resident = side == 'r';
            if (seq < 0 || size_t(seq) >= recs_.size()) {
                ++stray_;
                return;
            }
            Rec& r = recs_[size_t(seq)];
            if ((ws.role == Role::resident) == from_resident) {
                ++r.echoes;
                return;
            }
            const int64_t t = now_ns();
            if (r.deliveries++ == 0 && measuring_) lat_.push_back(t - r.sent_ns);
            if (t >= win_start_ && t < win_end_) ++delivered_in_window_;
            if (closed_loop_ && r.acks > 0) next_closed_loop(r.conv);
            return;
        }
        if (auto p = data.find("\"K|"); p != std::string_view::npos) {
            size_t q = p + 3;
            const int64_t seq = number_at(data, q);
            if (seq < 0 || size_t(seq) >= recs_.size()) {
                ++stray_;
                return;
            }
            Rec& r = recs_[size_t(seq)];
            if (data.find("\"error\"") != std::string_view::npos) {
                r.errored = true;
                ++errors_;
                if (first_error_.empty()) first_error_ = std::string(data);
                if (closed_loop_) next_closed_loop(r.conv);
                return;
            }
            const int64_t t = now_ns();
            if (r.acks++ == 0 && measuring_) ack_lat_.push_back(t - r.sent_ns);
            if (t >= win_start_ && t < win_end_) ++acked_in_window_;
            if (closed_loop_ && r.deliveries > 0) next_closed_loop(r.conv);
            return;
        }
        // Everything else (set-up and status frames): parsed properly.
        json j = json::parse(data, nullptr, false);
        if (!j.is_object()) return;
        const std::string type = j.value("type", "");
        if (type == "hello") {
            ws.hello = true;
        } else if (type == "offer" && ws.role == Role::agent) {
            ws.send(json({{"type", "accept"}, {"offer_id", j["offer_id"]}}).dump());
        } else if (type == "contact_assigned" && ws.role == Role::agent) {
            const std::string id = j["contact"].value("id", "");
            auto it = chat_index_.find(id);
            if (it == chat_index_.end()) return;
            auto& c = convs_[size_t(it->second)];
            c.assigned = true;
            c.agent = ws.index;
            maybe_done_handoff(c);
        } else if (type == "agent_joined" && ws.role == Role::resident) {
            auto& c = convs_[size_t(ws.index)];
            c.joined = true;
            maybe_done_handoff(c);
        } else if (type == "error") {
            ++setup_errors_;
            if (first_setup_error_.empty()) first_setup_error_ = std::string(data);
        } else if (type == "message" || type == "queue" || type == "state" || type == "offer_revoked") {
            // set-up chatter (greeting, "queued", "joined" system messages, positions)
        } else {
            ++other_frames_;
        }
    }

    // io thread: sends message seq for conversation ci from its next side.
    void send_one(int ci) {
        Conv& c = convs_[size_t(ci)];
        const int side = c.next_side;
        c.next_side ^= 1;
        const int64_t seq = int64_t(recs_.size());
        Rec r;
        r.sent_ns = now_ns();
        r.conv = ci;
        r.side = uint8_t(side);
        recs_.push_back(r);
        std::string text = "B|" + std::to_string(seq) + "|" + std::to_string(r.sent_ns) + (side == 0 ? "|r|" : "|a|");
        if (int(text.size()) < o_.text_bytes) text += padding_.substr(0, std::min(padding_.size(), size_t(o_.text_bytes) - text.size()));
        // Cut on a character boundary.
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0xC0) text.pop_back();
        std::string frame;
        frame.reserve(200);
        if (side == 0) {
            frame = R"({"type":"message","text":")" + text + R"(","client_msg_id":"K|)" + std::to_string(seq) + "\"}";
            c.resident->send(std::move(frame));
        } else {
            frame = R"({"type":"message","contact_id":")" + c.chat_id + R"(","text":")" + text +
                    R"(","client_msg_id":"K|)" + std::to_string(seq) + "\"}";
            agents_[size_t(c.agent)].ws->send(std::move(frame));
        }
        ++sent_;
    }

    void next_closed_loop(int ci) {
        if (!generating_) return;
        send_one(ci);
    }

    // io thread: open loop, paced by a 1 ms timer.
    void tick(std::shared_ptr<asio::steady_timer> timer, double rate, int64_t start_ns, int64_t end_ns, int64_t base) {
        if (!generating_) return;
        const int64_t t = now_ns();
        const int64_t due = std::min<int64_t>(int64_t(rate * double(std::min(t, end_ns) - start_ns) / 1e9),
                                              int64_t(rate * double(end_ns - start_ns) / 1e9));
        while (sent_ - base < due) {
            send_one(rr_);
            rr_ = (rr_ + 1) % int(convs_.size());
        }
        if (t >= end_ns) {
            generating_ = false;
            return;
        }
        timer->expires_after(std::chrono::microseconds(500));
        timer->async_wait([this, timer, rate, start_ns, end_ns, base](beast::error_code ec) {
            if (!ec) tick(timer, rate, start_ns, end_ns, base);
        });
    }

    // Waits (up to quiet_wait) for other processes to use under a quarter of a core.
    double wait_quiet() {
        if (o_.quiet_wait <= 0) return 0;
        const auto deadline = Clock::now() + std::chrono::duration<double>(o_.quiet_wait);
        double other = 0;
        bool said = false;
        while (Clock::now() < deadline) {
            const double b0 = machine_busy_seconds(), s0 = o_.server_pid ? proc_cpu_seconds(o_.server_pid) : 0,
                         c0 = self_cpu_seconds();
            std::this_thread::sleep_for(std::chrono::seconds(1));
            const double b1 = machine_busy_seconds(), s1 = o_.server_pid ? proc_cpu_seconds(o_.server_pid) : 0,
                         c1 = self_cpu_seconds();
            other = std::max(0.0, (b1 - b0) - (s1 - s0) - (c1 - c0));
            if (other <= 0.25) return other;
            if (!said) std::cout << "  (waiting up to " << o_.quiet_wait << " s for the machine to go quiet)" << std::endl;
            said = true;
        }
        std::cout << "  (still busy: " << other << " cores used by others; measuring anyway)" << std::endl;
        return other;
    }

    // One step: warm-up then the measured window, open loop at `rate`, or
    // closed loop when rate == 0.
    StepStats step(const std::string& name, double rate, double seconds) {
        wait_quiet();
        StepStats st;
        st.name = name;
        st.target_rate = rate;
        st.seconds = seconds;
        const bool closed = rate <= 0;
        // warm-up (not measured)
        if (o_.warmup_seconds > 0) run_phase(rate, o_.warmup_seconds, false, closed);
        const double s0 = o_.server_pid ? proc_cpu_seconds(o_.server_pid) : 0, c0 = self_cpu_seconds(),
                     b0 = machine_busy_seconds();
        const auto th0 = thread_cpu_seconds(o_.server_pid);
        const auto w0 = Clock::now();
        const int64_t base = run_phase(rate, seconds, true, closed);
        const double wall = std::chrono::duration<double>(Clock::now() - w0).count();
        const double s1 = o_.server_pid ? proc_cpu_seconds(o_.server_pid) : 0, c1 = self_cpu_seconds(),
                     b1 = machine_busy_seconds();
        for (const auto& [name, cpu] : thread_cpu_seconds(o_.server_pid)) {
            auto it = th0.find(name);
            const double d = (cpu - (it == th0.end() ? 0 : it->second)) / wall;
            if (d < 0.005) continue;
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s%s:%.3f", st.threads.empty() ? "" : ",", name.c_str(), d);
            st.threads += buf;
        }
        // drain: let the last acks and deliveries arrive
        std::this_thread::sleep_for(std::chrono::duration<double>(o_.drain_seconds));
        on_io([&] {
            measuring_ = false;
            for (size_t i = size_t(base); i < recs_.size(); ++i) {
                const Rec& r = recs_[i];
                ++st.sent;
                st.acked += r.acks > 0;
                st.delivered += r.deliveries > 0;
                st.echoes += r.echoes;
                st.errors += r.errored;
                st.dup_deliveries += r.deliveries > 1;
                st.dup_acks += r.acks > 1;
                st.lost_deliveries += r.deliveries == 0 && !r.errored;
                st.lost_acks += r.acks == 0 && !r.errored;
            }
            st.delivered_in_window = delivered_in_window_;
            st.acked_in_window = acked_in_window_;
            st.p50 = pct(lat_, 0.50);
            st.p99 = pct(lat_, 0.99);
            st.p999 = pct(lat_, 0.999);
            st.pmax = lat_.empty() ? 0 : double(*std::max_element(lat_.begin(), lat_.end())) / 1e6;
            st.ack_p50 = pct(ack_lat_, 0.50);
            st.ack_p99 = pct(ack_lat_, 0.99);
            st.first_error = first_error_;
            for (auto& c : convs_) st.closed_sockets += c.resident->closed;
            for (auto& a : agents_) st.closed_sockets += a.ws->closed;
            return 0;
        });
        st.server_cpu = (s1 - s0) / wall;
        st.client_cpu = (c1 - c0) / wall;
        st.other_load = std::max(0.0, (b1 - b0) - (s1 - s0) - (c1 - c0)) / wall;
        return st;
    }

    // Generates load for `seconds`; returns the first seq of the phase.
    int64_t run_phase(double rate, double seconds, bool measured, bool closed) {
        const int64_t base = on_io([&] {
            const int64_t b = int64_t(recs_.size());
            measuring_ = measured;
            lat_.clear();
            ack_lat_.clear();
            delivered_in_window_ = acked_in_window_ = 0;
            first_error_.clear();
            win_start_ = now_ns();
            win_end_ = win_start_ + int64_t(seconds * 1e9);
            generating_ = true;
            closed_loop_ = closed;
            if (closed) {
                for (int w = 0; w < o_.window; ++w)
                    for (int i = 0; i < int(convs_.size()); ++i) send_one(i);
            } else {
                auto timer = std::make_shared<asio::steady_timer>(ioc_);
                tick(timer, rate, win_start_, win_end_, sent_);
            }
            return b;
        });
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        on_io([&] {
            generating_ = false;
            return 0;
        });
        if (!measured) std::this_thread::sleep_for(std::chrono::milliseconds(500));
        return base;
    }

    void print(const StepStats& s) {
        const double delivered_rate = double(s.delivered_in_window) / s.seconds;
        const double acked_rate = double(s.acked_in_window) / s.seconds;
        std::printf("  %-8s sent %7lld  delivered/s %8.0f  acked/s %8.0f  p50 %7.3f ms  p99 %8.3f ms  p99.9 %8.3f  max %8.3f  "
                    "ack p50 %7.3f p99 %8.3f  late %lld/%lld  dup %lld  err %lld  server %.2f cores  client %.2f  other %.2f\n",
                    s.name.c_str(), (long long)s.sent, delivered_rate, acked_rate, s.p50, s.p99, s.p999, s.pmax, s.ack_p50,
                    s.ack_p99, (long long)s.lost_deliveries, (long long)s.lost_acks, (long long)s.dup_deliveries,
                    (long long)s.errors, s.server_cpu, s.client_cpu, s.other_load);
        if (!s.threads.empty()) std::printf("    server threads (cores): %s\n", s.threads.c_str());
        if (!s.first_error.empty()) std::printf("    first error: %s\n", s.first_error.c_str());
        std::printf("RESULT kind=load target=%s step=%s rate=%.0f seconds=%.1f sent=%lld acked=%lld delivered=%lld echoes=%lld "
                    "delivered_per_s=%.1f acked_per_s=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f ack_p50_ms=%.3f "
                    "ack_p99_ms=%.3f lost_deliveries=%lld lost_acks=%lld dup_deliveries=%lld dup_acks=%lld errors=%lld "
                    "closed_sockets=%lld server_cores=%.3f client_cores=%.3f other_cores=%.3f server_us_per_msg=%.2f "
                    "client_us_per_msg=%.2f threads=%s\n",
                    o_.target.c_str(), s.name.c_str(), s.target_rate, s.seconds, (long long)s.sent, (long long)s.acked,
                    (long long)s.delivered, (long long)s.echoes, delivered_rate, acked_rate, s.p50, s.p99, s.p999, s.pmax,
                    s.ack_p50, s.ack_p99, (long long)s.lost_deliveries, (long long)s.lost_acks, (long long)s.dup_deliveries,
                    (long long)s.dup_acks, (long long)s.errors, (long long)s.closed_sockets, s.server_cpu, s.client_cpu,
                    s.other_load, s.sent ? s.server_cpu * s.seconds * 1e6 / double(s.sent) : 0,
                    s.sent ? s.client_cpu * s.seconds * 1e6 / double(s.sent) : 0, s.threads.empty() ? "-" : s.threads.c_str());
        std::fflush(stdout);
    }

    void run_load() {
        setup();
        for (int rate : o_.rates) print(step(std::to_string(rate), rate, o_.step_seconds));
        if (o_.max_seconds > 0) print(step("max", 0, o_.max_seconds));
        // Every message of the run, after a long wait: a message counted as
        // missing above may only have been late.
        std::this_thread::sleep_for(std::chrono::seconds(10));
        on_io([this] {
            int64_t n = 0, no_ack = 0, no_delivery = 0, dup_d = 0, dup_a = 0, err = 0, echo_missing = 0;
            for (const Rec& r : recs_) {
                ++n;
                if (r.errored) {
                    ++err;
                    continue;
                }
                no_ack += r.acks == 0;
                no_delivery += r.deliveries == 0;
                dup_d += r.deliveries > 1;
                dup_a += r.acks > 1;
                echo_missing += r.echoes == 0;
            }
            int64_t closed = 0;
            for (auto& c : convs_) closed += c.resident->closed;
            for (auto& a : agents_) closed += a.ws->closed;
            std::printf("  whole run, 10 s after the last send: %lld messages, never acked %lld, never delivered %lld, "
                        "delivered twice %lld, acked twice %lld, errors %lld, no echo to the author's side %lld, "
                        "closed sockets %lld\n",
                        (long long)n, (long long)no_ack, (long long)no_delivery, (long long)dup_d, (long long)dup_a,
                        (long long)err, (long long)echo_missing, (long long)closed);
            std::printf("RESULT kind=integrity target=%s messages=%lld never_acked=%lld never_delivered=%lld dup_deliveries=%lld "
                        "dup_acks=%lld errors=%lld no_echo=%lld closed_sockets=%lld\n",
                        o_.target.c_str(), (long long)n, (long long)no_ack, (long long)no_delivery, (long long)dup_d,
                        (long long)dup_a, (long long)err, (long long)echo_missing, (long long)closed);
            return 0;
        });
        on_io([this] {
            std::printf("RESULT kind=load_totals target=%s frames_in=%lld stray=%lld other_frames=%lld setup_errors=%lld\n",
                        o_.target.c_str(), (long long)frames_in_, (long long)stray_, (long long)other_frames_,
                        (long long)setup_errors_);
            return 0;
        });
    }

    // ---- idle sockets ----
    void run_idle() {
        const int n = o_.count;
        convs_.resize(size_t(n));
        if (!o_.server_pid) die("--server-pid is needed for idle");
        const long rss0 = vm_rss_kib(o_.server_pid);
        const auto t0 = Clock::now();
        if (o_.target == "centrala") {
            Http h(o_.port);
            for (int i = 0; i < n; ++i) {
                auto c = h.request(http::verb::post, "/api/v1/public/chats", R"({"lang":"pl","topic":"other"})");
                if (c.status != 201) die("POST /api/v1/public/chats #" + std::to_string(i) + ": " + std::to_string(c.status) + " " + c.body);
                auto j = c.j();
                convs_[size_t(i)].chat_id = j.value("chat_id", "");
                convs_[size_t(i)].token = j.value("visitor_token", "");
            }
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
        const long rss1 = vm_rss_kib(o_.server_pid);
        std::cout << "  " << n << " chats created in " << std::chrono::duration<double>(Clock::now() - t0).count()
                  << " s; server VmRSS " << rss0 << " -> " << rss1 << " KiB" << std::endl;
        connect_residents(n);
        std::this_thread::sleep_for(std::chrono::duration<double>(o_.hold_seconds));
        const long rss2 = vm_rss_kib(o_.server_pid);
        int closed = on_io([this] {
            int k = 0;
            for (auto& c : convs_) k += c.resident->closed;
            return k;
        });
        const double per_conn = double(rss2 - rss1) / n, per_chat_and_conn = double(rss2 - rss0) / n;
        std::printf("  %d idle resident sockets: server VmRSS %ld -> %ld KiB: %.1f KiB per connection (%.1f KiB with the chat "
                    "itself); %d closed meanwhile; client VmRSS %ld KiB\n",
                    n, rss1, rss2, per_conn, per_chat_and_conn, closed, vm_rss_kib(int(getpid())));
        std::printf("RESULT kind=idle target=%s count=%d rss0_kib=%ld rss1_kib=%ld rss2_kib=%ld kib_per_conn=%.2f "
                    "kib_per_chat_and_conn=%.2f closed=%d\n",
                    o_.target.c_str(), n, rss0, rss1, rss2, per_conn, per_chat_and_conn, closed);
        std::fflush(stdout);
    }

private:
    Options o_;
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
    std::string padding_;
    std::vector<Conv> convs_;
    std::vector<Agent> agents_;
    std::unordered_map<std::string, int> chat_index_;
    int in_flight_ = 0, next_handoff_ = 0;
    // io-thread state of the load
    std::vector<Rec> recs_;
    std::vector<int64_t> lat_, ack_lat_;
    int64_t sent_ = 0, errors_ = 0, frames_in_ = 0, stray_ = 0, other_frames_ = 0, setup_errors_ = 0;
    int64_t delivered_in_window_ = 0, acked_in_window_ = 0, win_start_ = 0, win_end_ = 0;
    std::string first_error_, first_setup_error_;
    bool measuring_ = false, generating_ = false, closed_loop_ = false;
    int rr_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    Options o = parse(argc, argv);
    Load load(o);
    if (o.mode == "load") load.run_load();
    else if (o.mode == "idle") load.run_idle();
    else die("mode is load or idle");
    std::cout.flush();
    std::_Exit(0);  // thousands of sockets: no orderly teardown needed
}
