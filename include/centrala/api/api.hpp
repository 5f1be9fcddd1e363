// The REST and WebSocket API: request parsing, who may see what, JSON
// mapping. Runs on the network thread; blocking work goes to the store and
// hashing workers and comes back through `loop`.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "centrala/api/auth.hpp"
#include "centrala/api/http.hpp"
#include "centrala/api/router.hpp"
#include "centrala/crypto/crypto.hpp"
#include "centrala/domain/appointments.hpp"
#include "centrala/domain/calendar.hpp"
#include "centrala/domain/organisation.hpp"
#include "centrala/domain/ticket.hpp"
#include "centrala/metrics/metrics.hpp"
#include "centrala/routing/core.hpp"
#include "centrala/store/chat_store.hpp"
#include "centrala/store/staff_store.hpp"
#include "centrala/store/worker.hpp"

namespace centrala::bot {
class Advisor;
struct Reply;
}  // namespace centrala::bot

namespace centrala::api {

struct Options {
    SessionRules sessions;
    ThrottleRules throttle;
    crypto::Argon2Params argon2;
    bool tls = false;  // cookies get Secure and the __Host- prefix
    std::vector<std::string> allowed_origins;
    int ws_connections_per_user = 8;
    // Resident chat.
    size_t max_message_chars = 4000;
    int resident_messages_per_10s = 20;
    int max_open_chats_per_address = 5;
    std::chrono::seconds abandon_grace{120};  // a waiting resident gone this long has left
    std::chrono::seconds agent_return_grace{120};  // then an offline consultant's chats go back in line
    // Callbacks: attempts without an answer, minutes before the next one, window length.
    int callback_max_attempts = 3;
    std::chrono::seconds callback_retry{1800};
    int callback_window_minutes = 240;
    std::chrono::seconds callback_offer_after_wait{0};  // 0: never offered while waiting
    // The organisation, for modules (second line, SLAs, office hours).
    std::vector<Department> departments;
    std::map<std::string, WeeklySchedule> schedules;
    HolidayCalendar holidays;
    AppointmentsConfig appointments;
    // The virtual advisor: the knowledge base from config (used until the
    // database holds a version) and where it came from, for messages.
    std::string bot_knowledge;
    std::string bot_knowledge_source = "config/knowledge.json";
    int bot_unsure_before_handoff = 2;  // clarifying questions in a row, then a consultant
    // Cases: categories (Open311 services) and rules.
    std::vector<Service> services;
    TicketRules tickets;
    WallboardThresholds wallboard;
};

// The virtual advisor as the chat uses it. The BotModule loads `advisor` and
// swaps it whole on the network thread; `unanswered` records a phrase the
// advisor could only answer with a clarifying question.
// The advisor's guided dialogues that end in a case (a report, a message left
// outside opening hours), as the chat uses them; implemented by the
// FlowsModule (flows.cpp). While a chat has one going, the resident's text
// goes to it instead of the advisor's answers.
class ChatFlows {
public:
    virtual ~ChatFlows() = default;
    virtual bool active(int64_t chat_id) const = 0;
    // Resident text while a dialogue is active (already stored and delivered).
    virtual void on_text(int64_t chat_id, const std::string& text) = 0;
    // A button value; false when it is none of the dialogues' (the advisor
    // handles it). `lang` and `topic`: what the advisor knows of the chat.
    virtual bool on_button(int64_t chat_id, const std::string& value, const std::string& lang, const std::string& topic,
                           std::function<void(Result<void>)>& done) = 0;
    virtual Result<void> on_location(int64_t chat_id, double lat, double lon) = 0;
    // The advisor answered a report matter (`answer`, may be empty for the
    // topic's menu): the report starts with what the resident wrote.
    virtual void start_report(int64_t chat_id, const std::string& lang, const std::string& what,
                              const std::string& answer) = 0;
    // A person takes over: the dialogue ends. What it had collected, in
    // Polish for the consultants' note; empty when none was going.
    virtual std::string end_for_handoff(int64_t chat_id) = 0;
};

struct ChatBot {
    std::shared_ptr<const bot::Advisor> advisor;  // null until loaded
    std::function<void(const std::string& text, const bot::Reply& reply)> unanswered;
    ChatFlows* flows = nullptr;  // set by the FlowsModule
};

class HttpPoster;

struct Backend {
    Executor& loop;         // the network thread
    Worker& db_worker;      // owns `db`
    Worker& hash_worker;    // Argon2
    store::Database& db;
    metrics::Registry& metrics;
    const Clock& clock;
    routing::Core& routing;  // the one owner of routing state, on the io thread
    HttpPoster* http = nullptr;  // outgoing webhooks; none in tools that send nothing
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
class Module;
struct ModuleContext;

// One WebSocket connection's protocol, as the net layer drives it.
class SocketHandler {
public:
    virtual ~SocketHandler() = default;
    virtual void on_text(const std::string& frame) = 0;
    virtual bool authenticated() const = 0;
};

// The /ws/agent protocol for one connection.
class AgentSocket final : public SocketHandler {
public:
    AgentSocket(Api& api, WsPeer& peer) : api_(api), peer_(peer) {}
    ~AgentSocket() override;
    // Called once the upgrade is done; `cookie_session` when the cookie authenticated it.
    void on_open(const std::optional<Principal>& cookie_session);
    void on_text(const std::string& frame) override;
    bool authenticated() const override { return who_.has_value(); }
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

// The /ws/chat protocol for one resident connection.
class ResidentSocket final : public SocketHandler {
public:
    ResidentSocket(Api& api, WsPeer& peer) : api_(api), peer_(peer) {}
    ~ResidentSocket() override;
    void on_open(const std::string& visitor_token);  // from ?visitor_token=, may be empty
    void on_text(const std::string& frame) override;
    bool authenticated() const override { return chat_id_ != 0; }
    void send(const nlohmann::json& frame);

private:
    friend class Api;
    void authenticate(const std::string& token);
    void send_error(const std::string& code, const std::string& message, const nlohmann::json& client_msg_id = nullptr);

    Api& api_;
    WsPeer& peer_;
    int64_t chat_id_ = 0;
    bool authenticating_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class Api {
public:
    Api(Backend backend, Options options);
    ~Api();

    // Loads users and live sessions from the database. Call before serving,
    // on the thread that will own the Api.
    Result<void> load();

    // Answers one request through `reply`. Before anything replies, `route`
    // is set to the matched route pattern ("unmatched" when none), for
    // metrics; it refers to the Api's own strings and lives as long as it.
    void handle(Request req, Reply reply, std::string_view& route);

    // WebSocket upgrade checks: the Origin must be our own host or in the
    // allow-list (cross-site WebSocket hijacking). Returns the cookie session
    // when one authenticates the upgrade.
    Result<std::optional<Principal>> check_agent_upgrade(const Request& req);

    // Checks an upgrade request before the handshake (origin; for agents the
    // cookie session). forbidden or not_found refuse the upgrade.
    Result<void> check_upgrade(const Request& req);
    // Any WebSocket path: checks the upgrade and makes the protocol handler.
    // not_found for a path that is not a WebSocket endpoint.
    Result<std::unique_ptr<SocketHandler>> open_socket(const Request& upgrade, WsPeer& peer);
    static bool is_socket_path(const std::string& path) { return path == "/ws/agent" || path == "/ws/chat"; }

    // Looks up a bearer token (for the WebSocket auth frame too).
    std::optional<Principal> principal_for_token(const std::string& token);

    // Creates a user (CLI and demo seeding use the same rules as the API).
    static Result<User> validate_new_user(const nlohmann::json& body, std::string& password_out);
    // An empty id (no department) or one of the configured departments.
    bool known_department(const std::string& id) const;

    size_t open_agent_sockets() const { return sockets_.size(); }

    // Runs the routing core's timers (offer timeouts, wrap-up, overflow) and
    // pushes throttled statistics; the owner calls it a few times a second.
    void routing_tick();

private:
    friend class AgentSocket;
    friend class ResidentSocket;
    void build_routes();
    void build_chat_routes();
    bool origin_allowed(const Request& req) const;
    void dispatch(Call call, const Route& route);
    Result<Principal> authenticate(const Request& req, bool unsafe_method);

    // Runs f(StaffStore&) on the store worker and done(result) back on the loop.
    template <class F, class Done>
    void on_store(F f, Done done);
    template <class F, class Done>
    void on_hasher(F f, Done done);
    template <class F, class Done>
    void on_chat_store(F f, Done done);

    // ---- resident chat (chat.cpp) ----
    struct LiveChat {
        store::ContactRow row;
        std::vector<ResidentSocket*> residents;
        std::optional<SysTime> residents_gone_since;
        std::optional<SysTime> agents_gone_since;  // every consultant of an active chat offline
        int last_position = 0;
        int last_ewt = -1;
        std::deque<SysTime> recent_messages;  // for the per-resident rate limit
        // The advisor's memory of the conversation, for the handoff summary.
        int bot_unsure = 0;                 // clarifying questions in a row
        std::string bot_topic;              // the last topic it was sure of
        std::string bot_lang;               // the language of its last reply
        std::vector<std::string> said;      // the resident's last messages to the bot
        std::vector<std::string> answered;  // answers given ("topic.answer"), once each
        bool ending = false;              // the resident's end is being written to disk
        bool ended_by_resident = false;   // so the close is told as the resident's
    };
    // Why a chat goes to a person; said in the consultant's summary.
    enum class HandoffReason { asked, unsure, topic_needs_person, left_message };
    struct HandoffRequest {
        HandoffReason reason = HandoffReason::asked;
        std::string topic;           // for routing; empty: what the advisor last understood
        bool leave_message = false;  // outside opening hours: wait in the closed queue
        bool answer_given = false;   // the advisor has just answered the matter itself
    };
    using MessageDone = std::function<void(Result<store::StoredMessage>)>;
    // Writes a message with group commit: messages arriving while the store
    // is busy are written together in one transaction.
    void store_message(store::NewMessage m, MessageDone done);
    void flush_messages();
    LiveChat* live_chat(int64_t id);
    void adopt_chat(const store::ContactRow& row);
    void deliver(const store::StoredMessage& m, const ResidentSocket* except_resident = nullptr);
    void post_system(int64_t chat_id, const std::string& kind, const std::string& text,
                     const nlohmann::json& buttons = nullptr, bool internal = false);
    void start_handoff(int64_t chat_id, std::function<void(Result<void>)> done, HandoffRequest how);
    void start_handoff(int64_t chat_id, std::function<void(Result<void>)> done) {
        start_handoff(chat_id, std::move(done), HandoffRequest{});
    }
    // The advisor's side of the chat (chat.cpp).
    void post_bot(int64_t chat_id, const bot::Reply& reply, const std::string& text_override = {},
                  const nlohmann::json& extra_buttons = nullptr);
    void bot_answer(int64_t chat_id, const std::string& text);
    void press_button(int64_t chat_id, const std::string& value, std::function<void(Result<void>)> done);
    void remember_bot_turn(LiveChat& chat, const bot::Reply& reply);
    void rebuild_bot_memory(LiveChat& chat, const std::vector<store::StoredMessage>& messages);
    std::string handoff_summary(const LiveChat& chat, HandoffReason reason, const std::string& topic, bool one_line) const;
    // "Mon 07:30" in the resident's language when the queue serving `topic` is closed; nullopt when open.
    std::optional<std::string> closed_until(const std::string& topic, const std::string& lang) const;
    Result<void> check_rate(LiveChat& chat) const;
    void resident_message(int64_t chat_id, const std::string& text, const std::string& client_msg_id,
                          MessageDone done);
    Result<void> check_resident_text(LiveChat& chat, const std::string& text) const;
    void send_queue_position(LiveChat& chat, bool force);
    void push_queue_frame(LiveChat& chat, int position, int ewt_seconds);
    void flush_queue_positions();
    void on_chat_event(const routing::Event& e);
    // The resident ends the chat (frame `end`, REST .../end): with the advisor
    // it is closed, waiting it is abandoned, served it is closed as by the
    // consultant. conflict `chat_closed` when it has ended already.
    void end_by_resident(int64_t chat_id, std::function<void(Result<void>)> done);
    // Tells the residents the chat is closed, stores the closing notice, then forgets the chat.
    void finish_closed(int64_t chat_id);
    // A resident's data was erased (committed): their open chats end at once —
    // with the advisor closed, waiting abandoned, served closed (consultants
    // get contact_closed, reason "erased") — and are forgotten; nothing more
    // is stored in them and they are never adopted again.
    void end_erased_chats(const std::vector<int64_t>& chat_ids);
    void check_abandoned_chats();
    Result<void> restore_chats();
    Result<int64_t> visitor_chat(const Request& req, const std::string& id_param);
    // The REST side of a resident's chat: the visitor token must name chat `id`
    // (else 404 chat_not_found to `reply`); an open chat not in memory (after a
    // restart) is adopted and, still with the advisor, gets the advisor's memory
    // back from its stored messages — as a reconnecting socket does. Then `then`.
    void open_visitor_chat(const Request& req, int64_t id, Reply reply, std::function<void()> then);
    bool may_serve(const Principal& who, const LiveChat* chat, int64_t contact_id) const;
    std::string resident_text(const std::string& lang, const std::string& key) const;

    void create_chat(Call c);
    void public_messages(Call c);
    void public_post_message(Call c);
    void public_handoff(Call c);
    void public_rating(Call c);
    void public_button(Call c);
    void public_end(Call c);
    void list_contacts(Call c);
    void get_contact(Call c);
    void contact_messages(Call c);
    void post_contact_message(Call c);
    void close_contact(Call c);
    void transfer_contact(Call c);
    void invite_to_contact(Call c);
    void request_rating(Call c);
    void agent_message(const Principal& who, const nlohmann::json& frame, AgentSocket& sock);

    void audit(const std::optional<Principal>& who, const std::string& action, const std::string& target,
               const std::string& address, nlohmann::json details = nlohmann::json::object());
    void end_sessions_of(int64_t user_id, const std::string& keep = {});
    // After a session ended (logout, expiry, revocation): a consultant left at
    // no other console goes offline, so nothing more is offered to them and
    // the callbacks they held go back in line.
    void offline_if_no_console(int64_t user_id, const std::string& ended_session);
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
    nlohmann::json me_json(const User& u, const std::optional<routing::AgentState>& st) const;
    nlohmann::json agent_state_json(int64_t user_id) const;
    nlohmann::json stats_json() const;
    // Keeps the directory and the routing core in step with a user row.
    void sync_user(const User& u);
    // Turns routing events into pushes (and, later, store writes).
    void apply(const routing::Events& events);
    void push_to_user(int64_t user_id, const nlohmann::json& frame);
    nlohmann::json offer_frame(int64_t offer, int64_t contact_id, routing::Channel channel, const std::string& queue,
                               int64_t waited_ms, int expires_in, bool invite) const;
    void push_stats();
    void accept_or_reject(Call c, bool accept);
    void live_stats(Call c);
    void list_queues(Call c);
    void get_queue(Call c);
    void transfer_targets(Call c);

    // Feature modules (modules.cpp) and what they may use of the Api.
    void add_modules();
    bool post_to_open_chat(int64_t contact_id, const std::string& text, bool internal);
    Result<void> resident_location(int64_t chat_id, const nlohmann::json& frame);

    Backend b_;
    Options opt_;
    Router router_;
    Directory directory_;
    std::unique_ptr<ModuleContext> module_ctx_;
    std::vector<std::unique_ptr<Module>> modules_;
    SessionTable sessions_;
    LoginThrottle throttle_;
    store::StaffStore staff_;  // used only on the store worker
    std::string dummy_hash_;   // verified for unknown users so timing does not tell
    std::unordered_multimap<std::string, AgentSocket*> sockets_;  // session id -> socket
    std::unordered_multimap<int64_t, AgentSocket*> sockets_by_user_;  // the same sockets by user id (authenticated)
    store::ChatStore chat_store_;  // used only on the store worker
    std::unordered_map<int64_t, LiveChat> chats_;  // open chats (bot, waiting, active)
    std::set<int64_t> erased_chats_;  // ended by an erasure while open: closed to writes and adoption
    ChatBot bot_;  // filled by the BotModule
    struct PendingMessages {
        std::mutex mu;
        std::vector<store::NewMessage> items;       // guarded by mu
        std::vector<MessageDone> dones;             // guarded by mu; called on the io thread only
        bool scheduled = false;                     // guarded by mu
    };
    std::shared_ptr<PendingMessages> pending_ = std::make_shared<PendingMessages>();
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    // Lines (queue, channel) that moved since the last push of queue
    // positions -> the first place that moved; flushed once per loop turn.
    std::map<std::pair<std::string, int>, int> positions_dirty_;
    bool positions_flush_posted_ = false;
    bool stats_dirty_ = true;
    SysTime stats_pushed_at_{};
    // GET /api/v1/me's last body per user, with what it was built from
    // (the user snapshot, the agent state, the CSRF token it carried).
    struct MeBody {
        std::shared_ptr<const User> user;
        std::optional<routing::AgentState> state;
        std::string csrf_token;
        std::string body;
    };
    std::unordered_map<int64_t, MeBody> me_bodies_;
};

}  // namespace centrala::api
