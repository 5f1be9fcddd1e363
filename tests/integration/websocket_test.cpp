// The agent WebSocket /ws/agent (contract §5) and shutdown with close 1012.
#include <thread>

#include "common.hpp"

namespace centrala::testing {
namespace {

constexpr size_t kMaxFrame = 1024;

class AgentSocketTest : public ServerTest {
protected:
    void configure(nlohmann::json& c) override {
        c["limits"]["ws_auth_timeout_seconds"] = 1;
        c["limits"]["ws_max_frame_bytes"] = kMaxFrame;
    }

    // A socket authenticated with the first-frame method; fails the test when no hello comes.
    std::unique_ptr<WsClient> open_socket(const Login& l) {
        auto ws = std::make_unique<WsClient>();
        const int status = ws->connect(server->port(), "/ws/agent");
        EXPECT_EQ(status, 101) << ws->handshake_response();
        EXPECT_TRUE(ws->send_json({{"type", "auth"}, {"token", l.token}}));
        auto hello = ws->next_of_type("hello", 5s);
        EXPECT_TRUE(hello.has_value()) << "no hello after the auth frame";
        return ws;
    }

    int websockets_open_gauge() {
        auto text = http->get("/metrics").body;
        static const std::regex re(R"(\ncentrala_websockets_open(\{\})? ([0-9.]+))");
        std::smatch m;
        if (!std::regex_search(text, m, re)) return -1;
        return int(std::stod(m[2].str()));
    }
};

TEST_F(AgentSocketTest, AuthFrameGivesHelloWithUserAndState) {
    Login l = must_login("anna");
    WsClient ws;
    ASSERT_EQ(ws.connect(server->port(), "/ws/agent"), 101) << ws.handshake_response();
    // Nothing is said to an unauthenticated client.
    auto early = ws.next(300ms);
    EXPECT_EQ(early.kind, WsEvent::Kind::timeout) << early;
    ASSERT_TRUE(ws.send_json({{"type", "auth"}, {"token", l.token}}));
    auto e = ws.next(5s);
    ASSERT_EQ(e.kind, WsEvent::Kind::text) << e;
    auto hello = e.json();
    EXPECT_EQ(hello["type"], "hello") << e;
    EXPECT_EQ(hello["user"]["username"], "anna") << e;
    EXPECT_EQ(hello["user"]["id"], l.user["id"]) << e;
    EXPECT_EQ(hello["user"]["role"], "agent") << e;
    ASSERT_TRUE(hello["state"].is_object()) << e;
    EXPECT_EQ(hello["state"]["state"], "offline") << e;
    // Still open afterwards, and counted.
    EXPECT_EQ(ws.next(300ms).kind, WsEvent::Kind::timeout);
    EXPECT_EQ(websockets_open_gauge(), 1);
    ws.close();
    for (int i = 0; i < 100 && websockets_open_gauge() != 0; ++i) std::this_thread::sleep_for(20ms);
    EXPECT_EQ(websockets_open_gauge(), 0);
}

TEST_F(AgentSocketTest, SessionCookieOnTheUpgradeGivesHelloWithoutAnAuthFrame) {
    Login l = must_login("kierownik");
    WsClient ws;
    ASSERT_EQ(ws.connect(server->port(), "/ws/agent", {cookie(l)}), 101) << ws.handshake_response();
    auto hello = ws.next_of_type("hello", 5s);
    ASSERT_TRUE(hello.has_value());
    EXPECT_EQ((*hello)["user"]["username"], "kierownik");
    EXPECT_EQ((*hello)["user"]["role"], "supervisor");
    // It is not cut off by the authentication timeout (1 s).
    auto later = ws.wait_closed(1800ms);
    EXPECT_EQ(later.kind, WsEvent::Kind::timeout) << later;
}

TEST_F(AgentSocketTest, NoAuthFrameInTimeClosesTheConnection) {
    WsClient ws;
    ASSERT_EQ(ws.connect(server->port(), "/ws/agent"), 101) << ws.handshake_response();
    const auto start = std::chrono::steady_clock::now();
    auto e = ws.wait_closed(5s);
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(e.kind, WsEvent::Kind::closed) << "still open 5 s after connecting; the limit is 1 s";
    EXPECT_GE(waited, 800ms);
    EXPECT_TRUE(ws.is_closed());
}

TEST_F(AgentSocketTest, BadTokenOrBadFirstFrameCloses) {
    Login l = must_login("anna");
    const std::vector<std::string> firsts = {
        nlohmann::json{{"type", "auth"}, {"token", "not-a-token"}}.dump(),
        nlohmann::json{{"type", "auth"}, {"token", l.token + "x"}}.dump(),
        nlohmann::json{{"type", "auth"}, {"token", 5}}.dump(),
        nlohmann::json{{"type", "auth"}}.dump(),
        nlohmann::json{{"type", "accept"}, {"offer_id", "1"}}.dump(),
        "{not json",
        "[]",
    };
    for (const auto& first : firsts) {
        WsClient ws;
        ASSERT_EQ(ws.connect(server->port(), "/ws/agent"), 101) << ws.handshake_response();
        ASSERT_TRUE(ws.send_text(first));
        auto e = ws.next(3s);
        EXPECT_EQ(e.kind, WsEvent::Kind::closed) << first << " -> " << e;
    }
    // A logged-out token is refused as well.
    ASSERT_EQ(http->post("/api/v1/auth/logout", nlohmann::json::object(), {bearer(l.token)}).status, 204);
    WsClient ws;
    ASSERT_EQ(ws.connect(server->port(), "/ws/agent"), 101);
    ASSERT_TRUE(ws.send_json({{"type", "auth"}, {"token", l.token}}));
    auto e = ws.next(3s);
    EXPECT_EQ(e.kind, WsEvent::Kind::closed) << e;
    // So is a logged-out cookie: no hello.
    WsClient wc;
    if (wc.connect(server->port(), "/ws/agent", {cookie(l)}) == 101) {
        auto c = wc.next(3s);
        EXPECT_NE(c.kind, WsEvent::Kind::text) << c;
    }
}

TEST_F(AgentSocketTest, ForeignOriginIsRefused) {
    Login l = must_login("anna");
    for (const std::string origin : {"http://evil.example", "null", "http://127.0.0.1:1", "https://localhost:8080.evil.example"}) {
        WsClient ws;
        const int status = ws.connect(server->port(), "/ws/agent", {{"Origin", origin}, cookie(l)});
        EXPECT_EQ(status, 403) << origin << ": " << ws.handshake_response();
        if (status != 101) error_code(ws.handshake_response());
    }
    const std::string own = "http://127.0.0.1:" + std::to_string(server->port());
    for (const std::string& origin : {own, std::string("http://localhost:8080")}) {
        WsClient ws;
        EXPECT_EQ(ws.connect(server->port(), "/ws/agent", {{"Origin", origin}, cookie(l)}), 101)
            << origin << ": " << ws.handshake_response();
        EXPECT_TRUE(ws.next_of_type("hello", 5s).has_value()) << origin;
    }
}

TEST_F(AgentSocketTest, OversizedFrameClosesTheConnectionAndTheServerCarriesOn) {
    Login l = must_login("anna");
    auto ws = open_socket(l);
    ws->send_text(nlohmann::json{{"type", "typing"}, {"contact_id", std::string(kMaxFrame * 4, '1')}}.dump());
    auto e = ws->wait_closed(5s);
    EXPECT_EQ(e.kind, WsEvent::Kind::closed) << e;
    if (e.close_code != 1006) {
        EXPECT_EQ(e.close_code, 1009) << e;
    }

    // Also before authentication.
    WsClient anon;
    ASSERT_EQ(anon.connect(server->port(), "/ws/agent"), 101);
    anon.send_text(std::string(kMaxFrame * 8, 'x'));
    EXPECT_EQ(anon.wait_closed(5s).kind, WsEvent::Kind::closed);

    EXPECT_EQ(http->get("/healthz").status, 200);
    auto again = open_socket(l);
    EXPECT_FALSE(again->is_closed());
    // A frame just under the limit is fine.
    ASSERT_TRUE(again->send_json({{"type", "typing"}, {"contact_id", std::string(kMaxFrame - 100, '1')}}));
    auto reply = again->next(1s);
    EXPECT_NE(reply.kind, WsEvent::Kind::closed) << reply;
}

TEST_F(AgentSocketTest, LogoutClosesThatSessionsSocketOnly) {
    Login first = must_login("anna");
    Login second = must_login("anna");
    auto ws1 = open_socket(first);
    auto ws2 = open_socket(second);
    ASSERT_EQ(http->post("/api/v1/auth/logout", nlohmann::json::object(), {bearer(first.token)}).status, 204);
    auto e = ws1->wait_closed(3s);
    EXPECT_EQ(e.kind, WsEvent::Kind::closed) << "the logged-out session's socket stays open";
    // The other session's socket is untouched and still gets pushes.
    ASSERT_EQ(http->put("/api/v1/agents/me/state", {{"state", "available"}}, {bearer(second.token)}).status, 200);
    auto state = ws2->next_of_type("state", 3s);
    ASSERT_TRUE(state.has_value()) << "the other session's socket lost its pushes";
    EXPECT_EQ((*state)["state"], "available");
}

TEST_F(AgentSocketTest, DeactivationClosesTheUsersSockets) {
    Login admin = must_login("admin");
    Login l = must_login("anna");
    auto ws = open_socket(l);
    ASSERT_EQ(http->del("/api/v1/users/" + l.user["id"].get<std::string>(), {bearer(admin.token)}).status, 200);
    EXPECT_EQ(ws->wait_closed(3s).kind, WsEvent::Kind::closed) << "a deactivated user keeps a live socket";
}

TEST_F(AgentSocketTest, ADemotedSupervisorsOpenSocketStopsGettingLiveStats) {
    Login admin = must_login("admin");
    Login boss = must_login("kierownik");
    Login anna = must_login("anna");
    WsClient ws;
    ASSERT_EQ(ws.connect(server->port(), "/ws/agent", {cookie(boss)}), 101) << ws.handshake_response();
    ASSERT_TRUE(ws.next_of_type("hello", 3s).has_value());
    // While a supervisor, a change in the room is pushed as "stats".
    ASSERT_EQ(http->put("/api/v1/agents/me/state", {{"state", "available"}}, {bearer(anna.token)}).status, 200);
    ASSERT_TRUE(ws.next_of_type("stats", 3s).has_value()) << "precondition: supervisors get stats pushes";
    while (ws.next(700ms).kind == WsEvent::Kind::text) {
    }

    auto demote = http->patch("/api/v1/users/" + boss.user["id"].get<std::string>(), {{"role", "agent"}},
                              {bearer(admin.token)});
    ASSERT_EQ(demote.status, 200) << demote;
    EXPECT_EQ(http->get("/api/v1/stats/live", {bearer(boss.token)}).status, 403) << "REST already refuses";

    // After the demotion the same socket must not keep receiving supervisor data.
    ASSERT_EQ(http->put("/api/v1/agents/me/state", {{"state", "break"}, {"reason", "kawa"}}, {bearer(anna.token)}).status,
              200);
    auto leaked = ws.next_of_type("stats", 2s);
    EXPECT_FALSE(leaked.has_value()) << "a user demoted to agent still gets live statistics on an open socket: "
                                     << leaked.value_or(nlohmann::json()).dump().substr(0, 300);
}

TEST_F(AgentSocketTest, StateChangesArePushedToTheAgentsSockets) {
    Login l = must_login("anna");
    Login boss = must_login("kierownik");
    auto ws = open_socket(l);
    auto boss_ws = open_socket(boss);

    auto r = http->put("/api/v1/agents/me/state", {{"state", "available"}}, {bearer(l.token)});
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.json()["state"], "available") << r;
    auto f = ws->next_of_type("state", 3s);
    ASSERT_TRUE(f.has_value()) << "no state frame after PUT /api/v1/agents/me/state";
    EXPECT_EQ((*f)["state"], "available");
    EXPECT_TRUE((*f)["reason"].is_null()) << *f;
    ASSERT_TRUE((*f)["since"].is_string()) << *f;
    EXPECT_TRUE(is_rfc3339_utc((*f)["since"])) << *f;

    ASSERT_EQ(http->put("/api/v1/agents/me/state", {{"state", "break"}, {"reason", "przerwa śniadaniowa"}},
                        {bearer(l.token)})
                  .status,
              200);
    auto b = ws->next_of_type("state", 3s);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ((*b)["state"], "break");
    EXPECT_EQ((*b)["reason"], "przerwa śniadaniowa");

    auto me = http->get("/api/v1/me", {bearer(l.token)}).json();
    EXPECT_EQ(me["state"], "break");
    EXPECT_EQ(me["state_reason"], "przerwa śniadaniowa");

    // Someone else's state frame is not sent to the supervisor's own socket as theirs.
    auto other = boss_ws->next(300ms);
    if (other.kind == WsEvent::Kind::text) {
        EXPECT_NE(other.json().value("type", ""), "state") << other;
    }

    // A new socket's hello carries the current state.
    auto ws2 = std::make_unique<WsClient>();
    ASSERT_EQ(ws2->connect(server->port(), "/ws/agent", {cookie(l)}), 101);
    auto hello = ws2->next_of_type("hello", 3s);
    ASSERT_TRUE(hello.has_value());
    EXPECT_EQ((*hello)["state"]["state"], "break");
}

TEST_F(AgentSocketTest, SigtermClosesOpenSocketsWith1012AndExitsZero) {
    Login l = must_login("anna");
    auto ws = open_socket(l);
    WsClient anon;  // not yet authenticated: told as well
    ASSERT_EQ(anon.connect(server->port(), "/ws/agent"), 101);
    const auto start = std::chrono::steady_clock::now();
    server->process().signal(SIGTERM);
    auto e = ws->wait_closed(10s);
    ASSERT_EQ(e.kind, WsEvent::Kind::closed) << e;
    EXPECT_EQ(e.close_code, 1012) << e;
    auto a = anon.wait_closed(10s);
    EXPECT_EQ(a.kind, WsEvent::Kind::closed) << a;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::seconds(10) - (std::chrono::steady_clock::now() - start));
    auto code = server->process().wait_for(std::max(left, std::chrono::milliseconds(1)));
    EXPECT_EQ(code, std::optional<int>(0)) << server->stderr_text();
    server.reset();
    // Nothing listens any more.
    EXPECT_EQ(http->get("/healthz").status, 0);
}

TEST_F(AgentSocketTest, SigtermExitsInTimeEvenWhenAClientDoesNotAnswerTheClose) {
    Login l = must_login("anna");
    auto ws = open_socket(l);
    // From here on the client reads nothing, so it never answers the close frame.
    const auto start = std::chrono::steady_clock::now();
    auto code = server->terminate(std::chrono::seconds(10));
    EXPECT_EQ(code, std::optional<int>(0)) << "stuck on a silent client; stderr:\n" << server->stderr_text();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    server.reset();
}

class SocketLimitTest : public AgentSocketTest {
protected:
    void configure(nlohmann::json& c) override {
        AgentSocketTest::configure(c);
        c["limits"]["ws_connections_per_user"] = 2;
    }
};

TEST_F(SocketLimitTest, ConnectionsPerUserAreCapped) {
    Login l = must_login("anna");
    auto a = open_socket(l);
    auto b = open_socket(l);
    WsClient third;
    ASSERT_EQ(third.connect(server->port(), "/ws/agent", {cookie(l)}), 101);
    auto e = third.next(3s);
    EXPECT_EQ(e.kind, WsEvent::Kind::closed) << "a third socket for a user capped at 2: " << e;
    // Another user is not affected.
    auto other = open_socket(must_login("kierownik"));
    EXPECT_FALSE(other->is_closed());
    // Closing one makes room again.
    a->close();
    std::this_thread::sleep_for(200ms);
    WsClient again;
    ASSERT_EQ(again.connect(server->port(), "/ws/agent", {cookie(l)}), 101);
    EXPECT_TRUE(again.next_of_type("hello", 3s).has_value());
}

}  // namespace
}  // namespace centrala::testing
