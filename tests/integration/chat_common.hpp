// Shared pieces of the resident-chat integration tests (contract §5, §6):
// a fixture with every queue open around the clock and no wrap-up, a socket
// wrapper that keeps every frame it reads (so waiting for one frame never
// throws another away, and "never received" can be checked), and helpers for
// residents and consultants.
#pragma once

#include <csignal>
#include <deque>
#include <functional>
#include <thread>

#include "centrala/domain/calendar.hpp"
#include "common.hpp"

namespace centrala::testing::chat {

using nlohmann::json;

// Every queue closed now and open tomorrow 10:00-12:00 (Warsaw time), so the
// advisor is "outside opening hours" whatever the time of the test run.
inline void open_only_tomorrow(json& config) {
    const auto tomorrow = to_warsaw(SystemClock().now()).weekday + std::chrono::days{1};
    static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    json hours = {{"closed_on_holidays", false}};
    for (const char* n : names) hours[n] = json::array();
    hours[names[tomorrow.c_encoding()]] = {"10:00-12:00"};
    config["business_hours"]["tomorrow_only"] = hours;
    for (auto& q : config["queues"]) q["hours"] = "tomorrow_only";
}

// Only the report services: a message left outside opening hours then has no
// category to become a case under and waits in line instead (docs/bot.md).
inline void only_report_services(json& config) {
    json reports = json::array();
    for (const auto& s : config["services"])
        if (s.value("location_required", false)) reports.push_back(s);
    config["services"] = reports;
}

inline int64_t num(const json& id) {
    if (id.is_string()) return std::stoll(id.get<std::string>());
    if (id.is_number_integer()) return id.get<int64_t>();
    ADD_FAILURE() << "not an id: " << id.dump();
    return 0;
}

// A WebSocket whose frames are kept: `pending` holds those not yet taken by
// a wait, `history` every text frame ever received.
class Socket {
public:
    Socket() : ws_(std::make_unique<WsClient>()) {}

    WsClient& ws() { return *ws_; }
    bool send(const json& frame) { return ws_->send_json(frame); }
    bool send_text(const std::string& text) { return ws_->send_text(text); }
    bool closed() const { return closed_; }
    const WsEvent& close_event() const { return close_event_; }
    const std::vector<json>& history() const { return history_; }

    // The first pending frame matching `pred` (taken out of `pending`), waiting up to `timeout`.
    std::optional<json> wait(const std::function<bool(const json&)>& pred, std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (auto it = pending_.begin(); it != pending_.end(); ++it)
                if (pred(*it)) {
                    json j = std::move(*it);
                    pending_.erase(it);
                    return j;
                }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || closed_) return std::nullopt;
            pump(left);
        }
    }
    std::optional<json> wait_type(const std::string& type, std::chrono::milliseconds timeout = 5s) {
        return wait([&](const json& j) { return j.value("type", "") == type; }, timeout);
    }
    // The ack or the error answering the frame with this client_msg_id.
    std::optional<json> wait_answer(const std::string& cmid, std::chrono::milliseconds timeout = 5s) {
        return wait(
            [&](const json& j) {
                const auto t = j.value("type", "");
                return (t == "ack" || t == "error") && j.contains("client_msg_id") && j["client_msg_id"] == cmid;
            },
            timeout);
    }
    // Reads whatever arrives for `duration`.
    void drain(std::chrono::milliseconds duration) {
        const auto deadline = std::chrono::steady_clock::now() + duration;
        while (!closed_) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return;
            pump(left);
        }
    }
    // Frames of this type received so far (taken or not).
    std::vector<json> seen(const std::function<bool(const json&)>& pred) const {
        std::vector<json> out;
        for (const auto& j : history_)
            if (pred(j)) out.push_back(j);
        return out;
    }
    void forget_pending() { pending_.clear(); }
    void close() {
        ws_->close();
        closed_ = true;
    }

private:
    void pump(std::chrono::milliseconds timeout) {
        WsEvent e = ws_->next(timeout);
        if (e.kind == WsEvent::Kind::text) {
            json j = e.json();
            if (j.is_discarded()) j = json{{"type", "__not_json__"}, {"data", e.data}};
            history_.push_back(j);
            pending_.push_back(std::move(j));
        } else if (e.kind == WsEvent::Kind::closed) {
            closed_ = true;
            close_event_ = e;
        }
    }

    std::unique_ptr<WsClient> ws_;
    std::deque<json> pending_;
    std::vector<json> history_;
    bool closed_ = false;
    WsEvent close_event_;
};

struct Resident {
    std::string chat_id;
    std::string token;
    std::string name;
    std::unique_ptr<Socket> sock;
    json hello;

    Header header() const { return {"X-Visitor-Token", token}; }
    std::string path(const std::string& rest = {}) const { return "/api/v1/public/chats/" + chat_id + rest; }
};

struct Agent {
    Login login;
    std::string id;
    std::string name;
    std::unique_ptr<Socket> sock;

    Header auth() const { return bearer(login.token); }
};

class ChatTest : public ServerTest {
protected:
    void configure(json& config) override {
        // Open around the clock (no dependence on the hour) and no wrap-up, so
        // a consultant is free again as soon as a conversation is closed.
        for (auto& q : config["queues"]) {
            q["hours"] = "always";
            q["wrap_up_seconds"] = 0;
        }
    }

    // POST /api/v1/public/chats; fails the test unless 201 with an id and a token.
    Resident create_chat(const std::string& name, const std::string& lang = "pl", const std::string& topic = {}) {
        Resident r;
        r.name = name;
        json body = {{"name", name}, {"lang", lang}};
        if (!topic.empty()) body["topic"] = topic;
        auto res = http->post("/api/v1/public/chats", body);
        EXPECT_EQ(res.status, 201) << res;
        const auto j = res.json();
        if (j.is_object() && j.contains("chat_id") && j.contains("visitor_token")) {
            EXPECT_TRUE(j["chat_id"].is_string()) << res;
            EXPECT_TRUE(j["visitor_token"].is_string()) << res;
            if (j["chat_id"].is_string()) r.chat_id = j["chat_id"].get<std::string>();
            if (j["visitor_token"].is_string()) r.token = j["visitor_token"].get<std::string>();
        } else {
            ADD_FAILURE() << "no chat_id/visitor_token: " << res;
        }
        return r;
    }

    // Opens /ws/chat and authenticates (first frame, or ?visitor_token=); returns the hello.
    json connect_resident(Resident& r, bool token_in_query = false, const Headers& headers = {}) {
        r.sock = std::make_unique<Socket>();
        const std::string target = token_in_query ? "/ws/chat?visitor_token=" + r.token : "/ws/chat";
        const int status = r.sock->ws().connect(server->port(), target, headers);
        EXPECT_EQ(status, 101) << r.sock->ws().handshake_response();
        if (!token_in_query) {
            EXPECT_TRUE(r.sock->send({{"type", "auth"}, {"visitor_token", r.token}}));
        }
        auto hello = r.sock->wait_type("hello", 5s);
        EXPECT_TRUE(hello.has_value()) << "no hello on /ws/chat for chat " << r.chat_id;
        r.hello = hello.value_or(json());
        return r.hello;
    }

    // A resident message over the socket; returns the ack (or error) frame.
    json resident_says(Resident& r, const std::string& text, const std::string& cmid) {
        EXPECT_TRUE(r.sock->send({{"type", "message"}, {"text", text}, {"client_msg_id", cmid}}));
        auto a = r.sock->wait_answer(cmid, 5s);
        EXPECT_TRUE(a.has_value()) << "no answer to resident message " << cmid;
        return a.value_or(json());
    }
    // Same, and the answer must be an ack; returns the stored id.
    int64_t resident_says_ok(Resident& r, const std::string& text, const std::string& cmid) {
        json a = resident_says(r, text, cmid);
        EXPECT_EQ(a.value("type", ""), "ack") << a.dump();
        EXPECT_TRUE(a.contains("id") && a["id"].is_string()) << "ids are strings in JSON: " << a.dump();
        return a.contains("id") ? num(a["id"]) : 0;
    }

    // The resident asks for a person (a handoff frame, the bot's button, or
    // REST); returns the first queue frame on the resident's socket.
    enum class Ask { frame, button, rest };
    json handoff(Resident& r, Ask how = Ask::frame) {
        if (how == Ask::frame) {
            EXPECT_TRUE(r.sock->send({{"type", "handoff"}}));
        } else if (how == Ask::button) {
            EXPECT_TRUE(r.sock->send({{"type", "button"}, {"value", "handoff"}}));
        } else {
            auto res = http->post(r.path("/handoff"), json::object(), {r.header()});
            EXPECT_EQ(res.status, 200) << res;
            EXPECT_EQ(res.json().value("state", ""), "waiting") << res;
        }
        auto q = r.sock->wait_type("queue", 5s);
        EXPECT_TRUE(q.has_value()) << "no queue frame after handoff of chat " << r.chat_id;
        return q.value_or(json());
    }

    Agent agent(const std::string& username) {
        Agent a;
        a.login = must_login(username);
        a.id = a.login.user.value("id", "");
        a.name = a.login.user.value("display_name", "");
        return a;
    }

    // Opens /ws/agent with the first-frame auth and waits for hello.
    void open_agent_socket(Agent& a) {
        a.sock = std::make_unique<Socket>();
        EXPECT_EQ(a.sock->ws().connect(server->port(), "/ws/agent"), 101) << a.sock->ws().handshake_response();
        EXPECT_TRUE(a.sock->send({{"type", "auth"}, {"token", a.login.token}}));
        EXPECT_TRUE(a.sock->wait_type("hello", 5s).has_value()) << "no hello on /ws/agent for " << a.name;
    }

    void set_state(const Agent& a, const std::string& state) {
        auto r = http->put("/api/v1/agents/me/state", {{"state", state}}, {a.auth()});
        EXPECT_EQ(r.status, 200) << r;
    }

    // Creates a consultant through the API (as admin) and returns the new user's id.
    std::string create_agent(const Login& admin, const std::string& username, const std::string& display_name,
                             const json& skills = json::object()) {
        auto r = http->post("/api/v1/users",
                            {{"username", username}, {"password", kPassword}, {"role", "agent"},
                             {"display_name", display_name}, {"skills", skills}},
                            {bearer(admin.token)});
        EXPECT_EQ(r.status, 201) << r;
        return r.json().value("id", "");
    }

    // Waits for the offer of this chat on the agent's socket; returns it.
    json wait_offer(Agent& a, const std::string& chat_id, std::chrono::milliseconds timeout = 5s) {
        auto o = a.sock->wait(
            [&](const json& j) {
                return j.value("type", "") == "offer" && j.contains("contact") && j["contact"].value("id", "") == chat_id;
            },
            timeout);
        EXPECT_TRUE(o.has_value()) << a.name << " got no offer for chat " << chat_id;
        return o.value_or(json());
    }

    // Accepts over the socket and waits for contact_assigned.
    void accept(Agent& a, const json& offer) {
        ASSERT_TRUE(offer.contains("offer_id")) << offer.dump();
        EXPECT_TRUE(a.sock->send({{"type", "accept"}, {"offer_id", offer["offer_id"]}}));
        const std::string chat_id = offer["contact"].value("id", "");
        auto assigned = a.sock->wait(
            [&](const json& j) {
                return j.value("type", "") == "contact_assigned" && j.contains("contact") &&
                       j["contact"].value("id", "") == chat_id;
            },
            5s);
        EXPECT_TRUE(assigned.has_value()) << a.name << " got no contact_assigned for " << chat_id;
    }

    // Offer for this chat, accepted; the resident (when connected) sees agent_joined.
    void serve(Agent& a, Resident& r) {
        json offer = wait_offer(a, r.chat_id);
        if (offer.is_null()) return;
        accept(a, offer);
        if (r.sock && !r.sock->closed()) {
            EXPECT_TRUE(r.sock->wait_type("agent_joined", 5s).has_value()) << "resident not told a consultant joined";
        }
    }

    // A consultant's message over the socket; returns the ack (or error).
    json agent_says(Agent& a, const std::string& chat_id, const std::string& text, const std::string& cmid,
                    bool internal = false) {
        json f = {{"type", "message"}, {"contact_id", chat_id}, {"text", text}, {"client_msg_id", cmid}};
        if (internal) f["internal"] = true;
        EXPECT_TRUE(a.sock->send(f));
        auto ack = a.sock->wait_answer(cmid, 5s);
        EXPECT_TRUE(ack.has_value()) << "no answer to agent message " << cmid;
        return ack.value_or(json());
    }
    int64_t agent_says_ok(Agent& a, const std::string& chat_id, const std::string& text, const std::string& cmid,
                          bool internal = false) {
        json ack = agent_says(a, chat_id, text, cmid, internal);
        EXPECT_EQ(ack.value("type", ""), "ack") << ack.dump();
        EXPECT_TRUE(ack.contains("id") && ack["id"].is_string()) << "ids are strings in JSON: " << ack.dump();
        return ack.contains("id") ? num(ack["id"]) : 0;
    }

    // The resident's REST view of the messages after `after`.
    json public_messages(const Resident& r, int64_t after = 0) {
        auto res = http->get(r.path("/messages") + (after ? "?after=" + std::to_string(after) : std::string()), {r.header()});
        EXPECT_EQ(res.status, 200) << res;
        auto j = res.json();
        return j.is_object() && j.contains("items") ? j["items"] : json::array();
    }
    // A staff member's REST view.
    json staff_messages(const Login& who, const std::string& chat_id, int64_t after = 0) {
        auto res = http->get("/api/v1/contacts/" + chat_id + "/messages" +
                                 (after ? "?after=" + std::to_string(after) : std::string()),
                             {bearer(who.token)});
        EXPECT_EQ(res.status, 200) << res;
        auto j = res.json();
        return j.is_object() && j.contains("items") ? j["items"] : json::array();
    }
    json contact(const Login& who, const std::string& chat_id) {
        auto res = http->get("/api/v1/contacts/" + chat_id, {bearer(who.token)});
        EXPECT_EQ(res.status, 200) << res;
        return res.json();
    }

    static std::vector<std::string> texts(const json& items) {
        std::vector<std::string> out;
        for (const auto& m : items) out.push_back(m.value("text", ""));
        return out;
    }
    static std::vector<int64_t> ids(const json& items) {
        std::vector<int64_t> out;
        for (const auto& m : items) out.push_back(num(m["id"]));
        return out;
    }
    static bool any_text(const json& items, const std::string& text) {
        for (const auto& m : items)
            if (m.value("text", "") == text) return true;
        return false;
    }
    // Any frame whose JSON mentions `needle` anywhere.
    static bool frames_mention(const Socket& s, const std::string& needle) {
        for (const auto& j : s.history())
            if (j.dump().find(needle) != std::string::npos) return true;
        return false;
    }

    // SIGKILL: no shutdown, no flush; then a new server on the same database.
    void crash_and_restart() {
        server->process().signal(SIGKILL);
        auto code = server->process().wait_for(std::chrono::seconds(5));
        ASSERT_EQ(code, std::optional<int>(128 + SIGKILL)) << "the server did not die of SIGKILL";
        server.reset();
        start_server();
    }
};

}  // namespace centrala::testing::chat
