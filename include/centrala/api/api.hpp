// The REST and WebSocket API: request parsing, who may see what, JSON
// mapping. Runs on the network thread; blocking work goes to the store and
// hashing workers and comes back through `loop`.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "centrala/api/auth.hpp"
#include "centrala/api/http.hpp"
#include "centrala/api/router.hpp"
#include "centrala/crypto/crypto.hpp"
#include "centrala/metrics/metrics.hpp"
#include "centrala/routing/core.hpp"
#include "centrala/store/staff_store.hpp"
#include "centrala/store/worker.hpp"

namespace centrala::api {

struct Options {
    SessionRules sessions;
    ThrottleRules throttle;
    crypto::Argon2Params argon2;
    bool tls = false;  // cookies get Secure and the __Host- prefix
    std::vector<std::string> allowed_origins;
    int ws_connections_per_user = 8;
};

struct Backend {
    Executor& loop;         // the network thread
    Worker& db_worker;      // owns `db`
    Worker& hash_worker;    // Argon2
    store::Database& db;
    metrics::Registry& metrics;
    const Clock& clock;
    routing::Core& routing;  // the one owner of routing state, on the io thread
};

// A WebSocket connection as the API sees it; implemented by the net layer.
class WsPeer {
public:
    virtual ~WsPeer() = default;
    // Queues one text frame; the transport drops the client if its queue is full.
    virtual void send(std::shared_ptr<const std::string> frame) = 0;
    virtual void close(uint16_t code, const std::string& reason) = 0;
};

class Api;

// The /ws/agent protocol for one connection.
class AgentSocket {
public:
    AgentSocket(Api& api, WsPeer& peer) : api_(api), peer_(peer) {}
    ~AgentSocket();
    // Called once the upgrade is done; `cookie_session` when the cookie authenticated it.
    void on_open(const std::optional<Principal>& cookie_session);
    void on_text(const std::string& frame);
    bool authenticated() const { return who_.has_value(); }
    const std::string& session_id() const { return who_->session_id; }

private:
    friend class Api;
    void start(Principal p);
    void send(const nlohmann::json& frame);
    void send_error(const std::string& code, const std::string& message, const nlohmann::json& client_msg_id = nullptr);

    Api& api_;
    WsPeer& peer_;
    std::optional<Principal> who_;
};

class Api {
public:
    Api(Backend backend, Options options);
    ~Api();

    // Loads users and live sessions from the database. Call before serving,
    // on the thread that will own the Api.
    Result<void> load();

    void handle(Request req, Reply reply);

    // WebSocket upgrade checks: the Origin must be our own host or in the
    // allow-list (cross-site WebSocket hijacking). Returns the cookie session
    // when one authenticates the upgrade.
    Result<std::optional<Principal>> check_agent_upgrade(const Request& req);

    // Looks up a bearer token (for the WebSocket auth frame too).
    std::optional<Principal> principal_for_token(const std::string& token);

    // Creates a user (CLI and demo seeding use the same rules as the API).
    static Result<User> validate_new_user(const nlohmann::json& body, std::string& password_out);

    size_t open_agent_sockets() const { return sockets_.size(); }

    // Runs the routing core's timers (offer timeouts, wrap-up, overflow) and
    // pushes throttled statistics; the owner calls it a few times a second.
    void routing_tick();

private:
    friend class AgentSocket;
    void build_routes();
    void dispatch(Call call, const Route& route);
    Result<Principal> authenticate(const Request& req, bool unsafe_method);

    // Runs f(StaffStore&) on the store worker and done(result) back on the loop.
    template <class F, class Done>
    void on_store(F f, Done done);
    template <class F, class Done>
    void on_hasher(F f, Done done);

    void audit(const std::optional<Principal>& who, const std::string& action, const std::string& target,
               const std::string& address, nlohmann::json details = nlohmann::json::object());
    void end_sessions_of(int64_t user_id, const std::string& keep = {});
    std::string cookie_name() const;
    std::string session_cookie(const std::string& token, bool secure) const;

    // handlers
    void healthz(Call c);
    void readyz(Call c);
    void metrics(Call c);
    void login(Call c);
    void logout(Call c);
    void me(Call c);
    void update_me(Call c);
    void set_my_state(Call c);
    void list_users(Call c);
    void get_user(Call c);
    void create_user(Call c);
    void update_user(Call c);
    void deactivate_user(Call c);
    void list_audit(Call c);

    nlohmann::json me_json(const User& u);
    nlohmann::json agent_state_json(int64_t user_id) const;
    nlohmann::json stats_json() const;
    // Keeps the directory and the routing core in step with a user row.
    void sync_user(const User& u);
    // Turns routing events into pushes (and, later, store writes).
    void apply(const routing::Events& events);
    void push_to_user(int64_t user_id, const nlohmann::json& frame);
    void push_stats();
    void accept_or_reject(Call c, bool accept);
    void live_stats(Call c);
    void list_queues(Call c);
    void get_queue(Call c);

    Backend b_;
    Options opt_;
    Router router_;
    Directory directory_;
    SessionTable sessions_;
    LoginThrottle throttle_;
    store::StaffStore staff_;  // used only on the store worker
    std::string dummy_hash_;   // verified for unknown users so timing does not tell
    std::unordered_multimap<std::string, AgentSocket*> sockets_;  // session id -> socket
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    bool stats_dirty_ = true;
    SysTime stats_pushed_at_{};
};

}  // namespace centrala::api
